// The tcpdump tap end to end (lessons/scenarios/tcpdump.yaml): the pcap of what the tcpdump program
// on B captured (--pcap B:tap) holds exactly the frames of B's link capture that its filter
// matches (checked by running libpcap's own filter over the link pcap), decodes in tshark with no
// malformed frame and no bad checksum, is the same on every run; a filter that does not compile
// is a scenario error naming the file, the field and libpcap's message.
#include <gtest/gtest.h>

#include <pcap/pcap.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/lab/lab.h"
#include "core/trace/export_pcap.h"
#include "core/trace/export_tap.h"
#include "core/trace/trace_file.h"
#include "tests/support/paths.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

constexpr const char* kFilter = "tcp and dst port 8080"; // the scenario's

struct Frame {
    uint64_t ts_ns;
    uint32_t len;
    std::vector<uint8_t> bytes;
};

// The frames of a pcap file, kept when `filter` (compiled by libpcap for that file) matches.
std::vector<Frame> read_pcap(const std::string& path, const char* filter = nullptr) {
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
    EXPECT_NE(p, nullptr) << err;
    if (!p) return {};
    bpf_program prog{};
    if (filter) EXPECT_EQ(pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN), 0) << pcap_geterr(p);
    std::vector<Frame> out;
    pcap_pkthdr* h;
    const u_char* data;
    while (pcap_next_ex(p, &h, &data) == 1) {
        if (filter && !pcap_offline_filter(&prog, h, data)) continue;
        out.push_back(
            {static_cast<uint64_t>(h->ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(h->ts.tv_usec),
             h->len, std::vector<uint8_t>(data, data + h->caplen)});
    }
    if (filter) pcap_freecode(&prog);
    pcap_close(p);
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string sh(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    pclose(p);
    return out;
}

std::unique_ptr<lab::Lab> run_tcpdump(std::vector<std::string> sets = {}) {
    lab::LabOptions o;
    o.sets = std::move(sets);
    auto r = lab::Lab::load(source_dir() + "/lessons/scenarios/tcpdump.yaml", o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return nullptr;
    (*r)->run();
    return std::move(*r);
}

} // namespace

TEST(TapPcap, HoldsExactlyTheLinkFramesItsFilterMatches) {
    auto l = run_tcpdump();
    ASSERT_TRUE(l);
    std::string dir = temp_dir("tap");
    ASSERT_TRUE(export_tap_pcap(l->trace(), "B:tap", dir + "/tap.pcap").ok());
    ASSERT_TRUE(export_pcap(l->trace(), "B:eth0", dir + "/link.pcap").ok());
    auto tap = read_pcap(dir + "/tap.pcap");
    auto link = read_pcap(dir + "/link.pcap");
    auto matched = read_pcap(dir + "/link.pcap", kFilter);
    // The filter matters: B's link carries more (ARP, B's SYN-ACK and ACKs) than the tap kept.
    EXPECT_GE(matched.size(), 6u); // SYN, ACK, data segments, FIN, last ACK
    EXPECT_GT(link.size(), matched.size());
    ASSERT_EQ(tap.size(), matched.size());
    for (size_t i = 0; i < tap.size(); ++i) {
        EXPECT_EQ(tap[i].bytes, matched[i].bytes) << "frame " << i;
        EXPECT_EQ(tap[i].len, matched[i].len) << "frame " << i;
        // The tap stamps a frame when packet_rcv sees it: after it arrived on the link (DMA,
        // interrupt, NAPI poll), within the same millisecond here.
        EXPECT_GT(tap[i].ts_ns, matched[i].ts_ns) << "frame " << i;
        EXPECT_LT(tap[i].ts_ns - matched[i].ts_ns, 1'000'000u) << "frame " << i;
    }
    // What the program printed: the listening line and one line per captured frame.
    int lines = 0;
    for (const auto& s : l->program_output())
        if (s.find(" eth0 In  192.168.1.100 -> 192.168.2.100 TCP ") != std::string::npos) ++lines;
    EXPECT_EQ(lines, static_cast<int>(tap.size()));
    EXPECT_EQ(l->sim().live_skbs(), 4 * 256) << "tap clones are freed; only the RX rings' buffers are left";
}

TEST(TapPcap, SnapLengthCutsFramesButKeepsTheirLength) {
    lab::LabOptions o;
    std::string text = slurp(source_dir() + "/lessons/scenarios/tcpdump.yaml");
    const std::string from = "tcpdump: { filter: \"tcp and dst port 8080\", interface: eth0 }";
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, from.size(),
                 "tcpdump: { filter: \"tcp and dst port 8080\", interface: eth0, snaplen: 96 }");
    auto r = lab::Lab::load_text(text, "tcpdump-snaplen.yaml", o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    (*r)->run();
    std::string dir = temp_dir("tap-snaplen");
    ASSERT_TRUE(export_tap_pcap((*r)->trace(), "B:tap", dir + "/tap.pcap").ok());
    auto tap = read_pcap(dir + "/tap.pcap");
    ASSERT_FALSE(tap.empty());
    bool cut = false;
    for (const auto& f : tap) {
        EXPECT_LE(f.bytes.size(), 96u);
        if (f.len == 1514) {
            cut = true;
            EXPECT_EQ(f.bytes.size(), 96u);
        }
    }
    EXPECT_TRUE(cut) << "a full-size data segment was captured and cut to 96 bytes";
    EXPECT_EQ((*r)->sim().live_skbs(), 4 * 256);
}

TEST(TapPcap, DecodesInTsharkWithoutErrors) {
    if (!have_tshark()) GTEST_SKIP() << "tshark is not installed";
    auto l = run_tcpdump();
    ASSERT_TRUE(l);
    std::string f = temp_dir("tap-tshark") + "/tap.pcap";
    ASSERT_TRUE(export_tap_pcap(l->trace(), "B:tap", f).ok());
    std::string all = sh("tshark -r " + f + " -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -V 2>&1");
    ASSERT_NE(all.find("Frame 6:"), std::string::npos) << all.substr(0, 2000);
    EXPECT_EQ(all.find("Malformed"), std::string::npos) << all.substr(0, 4000);
    EXPECT_EQ(all.find("[Checksum Status: Bad]"), std::string::npos);
    EXPECT_EQ(all.find("incorrect"), std::string::npos);
    EXPECT_EQ(all.find("Expert Info (Error"), std::string::npos);
    // tshark's own display filter agrees with the program's BPF filter on B's link capture.
    std::string link = temp_dir("tap-tshark") + "/link.pcap";
    ASSERT_TRUE(export_pcap(l->trace(), "B:eth0", link).ok());
    auto count = [](const std::string& out) {
        size_t n = 0;
        for (char c : out)
            n += c == '\n';
        return n;
    };
    EXPECT_EQ(
        count(sh("tshark -r " + link + " -Y 'tcp.dstport == 8080' -T fields -e frame.number 2>/dev/null")),
        count(sh("tshark -r " + f + " -T fields -e frame.number 2>/dev/null")));
}

TEST(TapPcap, SameScenarioGivesTheSameTraceAndCapture) {
    auto a = run_tcpdump(), b = run_tcpdump();
    ASSERT_TRUE(a && b);
    std::string dir = temp_dir("tap-det");
    ASSERT_TRUE(export_tap_pcap(a->trace(), "B:tap", dir + "/a.pcap").ok());
    ASSERT_TRUE(export_tap_pcap(b->trace(), "B:tap", dir + "/b.pcap").ok());
    EXPECT_EQ(slurp(dir + "/a.pcap"), slurp(dir + "/b.pcap"));
    EXPECT_GT(slurp(dir + "/a.pcap").size(), 24u);
    ASSERT_TRUE(save_trace(a->trace(), dir + "/a.sktrace").ok());
    ASSERT_TRUE(save_trace(b->trace(), dir + "/b.sktrace").ok());
    EXPECT_TRUE(slurp(dir + "/a.sktrace") == slurp(dir + "/b.sktrace")) << "two runs gave different trace files";
}

TEST(TapPcap, UnknownTapIsAnErrorNamingTheTaps) {
    auto l = run_tcpdump();
    ASSERT_TRUE(l);
    auto r = tap_frames(l->trace(), "A:tap");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("no tcpdump program ran on host 'A'"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("B:tap"), std::string::npos) << r.error().message;
}

TEST(TapPcap, FilterThatDoesNotCompileIsAScenarioError) {
    std::string text = slurp(source_dir() + "/lessons/scenarios/tcpdump.yaml");
    const std::string from = "filter: \"tcp and dst port 8080\"";
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, from.size(), "filter: \"tcp and dst port 8080 and (\"");
    auto r = lab::Lab::load_text(text, "broken-tcpdump.yaml");
    ASSERT_FALSE(r.ok());
    const std::string& m = r.error().message;
    EXPECT_NE(m.find("broken-tcpdump.yaml:"), std::string::npos) << m;
    EXPECT_NE(m.find("hosts.B.programs[0].tcpdump.filter"), std::string::npos) << m;
    EXPECT_NE(m.find("cannot compile \"tcp and dst port 8080 and (\""), std::string::npos) << m;
    EXPECT_NE(m.find("syntax error"), std::string::npos) << m; // libpcap's pcap_geterr text
    // An interface the host does not have.
    text = slurp(source_dir() + "/lessons/scenarios/tcpdump.yaml");
    at = text.find("interface: eth0 }");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 17, "interface: eth7 }");
    auto r2 = lab::Lab::load_text(text, "eth7.yaml");
    ASSERT_FALSE(r2.ok());
    EXPECT_NE(r2.error().message.find("no interface 'eth7' on this host"), std::string::npos)
        << r2.error().message;
}
