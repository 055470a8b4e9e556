// The exporters: JSON Lines (one valid object per event, names resolved), Chrome/Perfetto JSON
// (valid, B/E strictly nested per thread, flows for packets) and pcap/pcapng of one interface
// (frames of both directions, in time order, read back through libpcap).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/pcap/pcap_reader.h"
#include "core/trace/export_chrome.h"
#include "core/trace/export_jsonl.h"
#include "core/trace/export_pcap.h"
#include "core/trace/json_out.h"
#include "tests/core/trace/json_check.h"
#include "tests/core/trace/sample_trace.h"

namespace skbscope {
namespace {

using testing::JsonParser;
using testing::JsonValue;

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("skbscope_ex_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

bool have_python() {
    return std::system("python3 -c 'import json' >/dev/null 2>&1") == 0;
}

TEST(JsonOut, EscapesControlQuotesAndInvalidUtf8) {
    std::string s;
    json::append_string(s, std::string("a\"b\\c\n\x01\x7f") + "\xc3\xa9" + "\xff" + "\xe2\x82");
    EXPECT_EQ(s, "\"a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    JsonValue v;
    EXPECT_TRUE(JsonParser(s).parse(v));
}

TEST(ExportJsonl, OneObjectPerEventWithResolvedNames) {
    auto sim = testing::make_sample();
    const Trace& t = sim->trace();
    std::ostringstream os;
    write_jsonl(t, os);
    std::istringstream is(os.str());
    std::string line;
    size_t n = 0;
    bool saw_drop = false, saw_enter = false, saw_wire = false;
    while (std::getline(is, line)) {
        JsonValue v;
        JsonParser p(line);
        ASSERT_TRUE(p.parse(v)) << p.error() << ": " << line;
        ASSERT_EQ(v.type, JsonValue::Object);
        for (const char* key :
             {"seq", "t_ns", "host", "ctx", "ctx_kind", "kind", "layer", "name", "skb", "flow", "depth"})
            EXPECT_NE(v.get(key), nullptr) << key << " missing in " << line;
        EXPECT_EQ(v.get("seq")->text, std::to_string(n));
        std::string kind = v.get("kind")->text;
        if (kind == "skb_free" && v.get("drop_reason")->text == "SKB_DROP_REASON_NO_SOCKET") saw_drop = true;
        if (kind == "enter" && v.get("name")->text == "udp_sendmsg") {
            saw_enter = true;
            EXPECT_EQ(v.get("file")->text, "net/ipv4/udp.c");
            EXPECT_EQ(v.get("host")->text, "A");
            EXPECT_EQ(v.get("ctx_kind")->text, "task");
        }
        if (kind == "wire" && v.get("port")->text == "0") {
            saw_wire = true;
            EXPECT_EQ(v.get("summary")->text, "ARP 42 Who has 192.168.1.1? Tell 192.168.1.100");
        }
        ++n;
    }
    EXPECT_EQ(n, t.events.size());
    EXPECT_TRUE(saw_drop && saw_enter && saw_wire);
}

TEST(ExportChrome, ValidJsonWithNestedSlicesAndFlows) {
    auto sim = testing::make_sample();
    Trace t = sim->trace();
    // Cut the trace inside the sendto chain's exits: the exporter must close what stays open.
    t.events.erase(t.events.begin() + 20, t.events.end());
    for (const Trace* tr : {static_cast<const Trace*>(&sim->trace()), static_cast<const Trace*>(&t)}) {
        std::ostringstream os;
        write_chrome_json(*tr, os);
        JsonValue doc;
        const std::string text = os.str();
        JsonParser p(text);
        ASSERT_TRUE(p.parse(doc)) << p.error();
        ASSERT_NE(doc.get("traceEvents"), nullptr);
        EXPECT_EQ(doc.get("displayTimeUnit")->text, "ns");
        std::map<std::string, std::vector<std::string>> open; // tid -> names
        std::map<std::string, double> last_ts;
        std::map<std::string, int> flow_phases;
        size_t begins = 0;
        for (const JsonValue& ev : doc.get("traceEvents")->arr) {
            std::string ph = ev.get("ph")->text;
            if (ph == "M") continue;
            std::string tid = ev.get("tid")->text;
            double ts = ev.get("ts")->num;
            ASSERT_NE(ev.get("ts")->text.find('.'), std::string::npos);
            EXPECT_EQ(ev.get("ts")->text.size() - ev.get("ts")->text.find('.'), 4u); // 3 decimals
            if (ph == "B" || ph == "E") {
                EXPECT_GE(ts, last_ts[tid]);
                last_ts[tid] = ts;
            }
            if (ph == "B") {
                open[tid].push_back(ev.get("name")->text);
                ++begins;
            } else if (ph == "E") {
                ASSERT_FALSE(open[tid].empty());
                EXPECT_EQ(open[tid].back(), ev.get("name")->text);
                open[tid].pop_back();
            } else if (ph == "s" || ph == "t" || ph == "f") {
                ++flow_phases[ph];
            }
        }
        for (const auto& [tid, names] : open)
            EXPECT_TRUE(names.empty()) << "tid " << tid;
        EXPECT_GT(begins, 5u);
        if (tr == &sim->trace()) {
            // Packet 1 visits A's task, A's softirq and B's softirq: s, t, f.
            EXPECT_EQ(flow_phases["s"], 1);
            EXPECT_EQ(flow_phases["t"], 1);
            EXPECT_EQ(flow_phases["f"], 1);
        }
    }
}

TEST(ExportChrome, PythonJsonAcceptsIt) {
    if (!have_python()) GTEST_SKIP() << "python3 not installed";
    auto sim = testing::make_sample();
    std::string path = temp_path("chrome.json"), jl = temp_path("t.jsonl");
    ASSERT_TRUE(export_chrome(sim->trace(), path).ok());
    ASSERT_TRUE(export_jsonl(sim->trace(), jl).ok());
    std::string cmd = "python3 -c \"import json,sys; json.load(open(sys.argv[1])); "
                      "[json.loads(l) for l in open(sys.argv[2])]\" " +
                      path + " " + jl;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    std::remove(path.c_str());
    std::remove(jl.c_str());
}

TEST(ExportPcap, BothDirectionsInTimeOrder) {
    auto sim = testing::make_sample();
    const Trace& t = sim->trace();
    EXPECT_EQ(trace_interfaces(t), (std::vector<std::string>{"A:eth0", "B:eth0"}));
    auto a = interface_frames(t, "A:eth0");
    ASSERT_TRUE(a.ok());
    ASSERT_EQ(a->size(), 2u);
    EXPECT_TRUE((*a)[0].sent);
    EXPECT_EQ((*a)[0].time_ns, 5000u); // request leaves A
    EXPECT_FALSE((*a)[1].sent);
    EXPECT_EQ((*a)[1].time_ns, 8700u); // reply arrives at A
    auto b = interface_frames(t, "B:eth0");
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b->size(), 2u);
    EXPECT_FALSE((*b)[0].sent);
    EXPECT_EQ((*b)[0].time_ns, 5600u); // request arrives at B
    EXPECT_TRUE((*b)[1].sent);
    EXPECT_EQ((*b)[1].time_ns, 8000u);

    auto bad = interface_frames(t, "C:eth0");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "no interface 'C:eth0' in the trace (available: A:eth0, B:eth0)");

    std::string path = temp_path("b.pcap"), ng = temp_path("b.pcapng");
    ASSERT_TRUE(export_pcap(t, "B:eth0", path).ok());
    auto recs = read_pcap_file(path);
    ASSERT_TRUE(recs.ok()) << recs.error().message;
    ASSERT_EQ(recs->size(), 2u);
    EXPECT_EQ((*recs)[0].time_ns, 5600u);
    EXPECT_EQ((*recs)[0].bytes, testing::arp_frame(false));
    EXPECT_EQ((*recs)[1].time_ns, 8000u);
    EXPECT_EQ((*recs)[1].bytes, testing::arp_frame(true));
    ASSERT_TRUE(export_pcapng(t, "B:eth0", ng).ok());
    auto ngrecs = read_pcap_file(ng);
    ASSERT_TRUE(ngrecs.ok()) << ngrecs.error().message;
    ASSERT_EQ(ngrecs->size(), 2u);
    EXPECT_EQ((*ngrecs)[1].time_ns, 8000u);
    std::ifstream f(ng, std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(f)), {});
    EXPECT_NE(raw.find("skbscope event #"), std::string::npos);
    std::remove(path.c_str());
    std::remove(ng.c_str());
}

TEST(ExportPcap, SplitsLinkNames) {
    std::string l, r;
    EXPECT_TRUE(split_link_name("A:eth0 <-> R:eth0", l, r));
    EXPECT_EQ(l, "A:eth0");
    EXPECT_EQ(r, "R:eth0");
    EXPECT_TRUE(split_link_name("A:eth0<->R:eth1", l, r));
    EXPECT_EQ(r, "R:eth1");
    EXPECT_FALSE(split_link_name("A:eth0", l, r));
    EXPECT_FALSE(split_link_name("<->", l, r));
}

} // namespace
} // namespace skbscope
