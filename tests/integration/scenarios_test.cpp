// End to end on the shipped scenarios: determinism (the same scenario twice gives byte-identical
// trace files), no leaked sk_buff, and the wire checked by an outside decoder: tshark reads the
// pcaps with checksum validation on and must find no malformed frame and no bad checksum, and
// the conversation must be the one Linux puts on those links (ARP, then TTL 64 / 63 echoes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/lab/lab.h"
#include "app/lab/scenario.h"
#include "core/trace/export_pcap.h"
#include "core/trace/trace_file.h"
#include "tests/support/paths.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

std::unique_ptr<lab::Lab> run(const std::string& scenario, std::vector<std::string> sets = {}) {
    lab::LabOptions o;
    o.sets = std::move(sets);
    auto r = lab::Lab::load(source_dir() + "/lessons/scenarios/" + scenario, o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return nullptr;
    (*r)->run();
    return std::move(*r);
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
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string l; std::getline(ss, l);)
        if (!l.empty()) out.push_back(l);
    return out;
}

// tshark always validates ICMP checksums; IP, UDP and TCP validation are preferences, off by default.
const char* kCheck = "-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE";

} // namespace

class ScenarioDeterminism : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioDeterminism, SameScenarioGivesByteIdenticalTrace) {
    std::string dir = temp_dir("determinism");
    auto a = run(GetParam());
    auto b = run(GetParam());
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(save_trace(a->trace(), dir + "/a.sktrace").ok());
    ASSERT_TRUE(save_trace(b->trace(), dir + "/b.sktrace").ok());
    std::string x = slurp(dir + "/a.sktrace"), y = slurp(dir + "/b.sktrace");
    EXPECT_GT(x.size(), 1000u);
    EXPECT_TRUE(x == y) << GetParam() << ": two runs gave different trace files";
    // A different seed gives a different trace (the seed really feeds the run: ports, ids).
    auto c = run(GetParam(), {"seed=12345"});
    ASSERT_TRUE(c);
    ASSERT_TRUE(save_trace(c->trace(), dir + "/c.sktrace").ok());
    EXPECT_FALSE(slurp(dir + "/c.sktrace") == x);
    std::filesystem::remove_all(dir);
}

TEST_P(ScenarioDeterminism, NoSkBuffLeaksAndNoErrors) {
    auto l = run(GetParam());
    ASSERT_TRUE(l);
    // Only RX ring buffers the drivers still own may be live at the end. e1000 maps 255 of a
    // 256-descriptor ring (E1000_DESC_UNUSED leaves one slot), and a ring whose last frame was
    // copied out by copybreak also keeps that frame's buffer parked in its cleaned slot until the
    // next refill: 255 or 256 per interface (none of the shipped scenarios changes the ring size).
    // A veth end has no ring: nothing of it stays live.
    size_t nics = 0;
    for (const auto& h : l->scenario().hosts) nics += h.interfaces.size();
    for (const auto& link : l->scenario().links)
        if (link.type == lab::LinkType::Veth) nics -= 2;
    EXPECT_GE(l->sim().live_skbs(), static_cast<int64_t>(255 * nics));
    EXPECT_LE(l->sim().live_skbs(), static_cast<int64_t>(256 * nics));
    size_t errors = 0;
    for (const auto& e : l->trace().events)
        if (e.kind == EventKind::Error) ++errors;
    EXPECT_EQ(errors, 0u);
}

INSTANTIATE_TEST_SUITE_P(Shipped, ScenarioDeterminism, ::testing::Values("udp-hello.yaml", "ping-router.yaml", "send-walk.yaml",
                                                            "tcp10k.yaml", "epoll-echo.yaml", "tcpdump.yaml",
                                                            "ttl-exceeded.yaml", "interactive.yaml"),
                         [](const auto& info) {
                             std::string n = info.param.substr(0, info.param.find('.'));
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

TEST(Wire, PingRouterConversationAsLinuxPutsItOnTheLinks) {
    if (!have_tshark()) GTEST_SKIP() << "tshark is not installed";
    auto l = run("ping-router.yaml");
    ASSERT_TRUE(l);
    std::string dir = temp_dir("wire");
    for (const char* itf : {"A:eth0", "B:eth0", "R:eth0", "R:eth1"}) {
        std::string f = dir + "/" + std::string(itf).replace(1, 1, "_") + ".pcap";
        ASSERT_TRUE(export_pcap(l->trace(), itf, f).ok()) << itf;
        std::string all = sh("tshark -r " + f + " " + kCheck + " -V 2>&1");
        // The decode really ran (a bad option makes tshark print only an error).
        ASSERT_NE(all.find("Frame 8:"), std::string::npos) << itf << "\n" << all.substr(0, 2000);
        EXPECT_EQ(all.find("Malformed"), std::string::npos) << itf << "\n" << all.substr(0, 4000);
        EXPECT_EQ(all.find("[Checksum Status: Bad]"), std::string::npos) << itf;
        EXPECT_EQ(all.find("incorrect"), std::string::npos) << itf;
        EXPECT_EQ(all.find("Expert Info (Error"), std::string::npos) << itf;
    }
    // A's link: ARP for the gateway and its reply, then requests TTL 64 and replies TTL 63.
    auto a = lines(sh("tshark -r " + dir + "/A_eth0.pcap -T fields -E separator=, -e _ws.col.Protocol "
                      "-e arp.opcode -e arp.dst.proto_ipv4 -e icmp.type -e ip.ttl 2>/dev/null"));
    ASSERT_EQ(a.size(), 8u) << sh("tshark -r " + dir + "/A_eth0.pcap");
    EXPECT_EQ(a[0], "ARP,1,192.168.1.1,,");
    EXPECT_EQ(a[1], "ARP,2,192.168.1.100,,");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(a[2 + 2 * i], "ICMP,,,8,64");
        EXPECT_EQ(a[3 + 2 * i], "ICMP,,,0,63");
    }
    // B's link: the router's ARP for B, then requests TTL 63 and replies TTL 64; B learned R from
    // the request, so it does not ARP for R.
    auto b = lines(sh("tshark -r " + dir + "/B_eth0.pcap -T fields -E separator=, -e _ws.col.Protocol "
                      "-e arp.opcode -e arp.dst.proto_ipv4 -e icmp.type -e ip.ttl 2>/dev/null"));
    ASSERT_EQ(b.size(), 8u) << sh("tshark -r " + dir + "/B_eth0.pcap");
    EXPECT_EQ(b[0], "ARP,1,192.168.2.100,,");
    EXPECT_EQ(b[1], "ARP,2,192.168.2.1,,");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(b[2 + 2 * i], "ICMP,,,8,63");
        EXPECT_EQ(b[3 + 2 * i], "ICMP,,,0,64");
    }
    // The echo payload is iputils': 98-byte frames, ids and sequence numbers 1..3.
    auto seqs = lines(sh("tshark -r " + dir + "/A_eth0.pcap -Y icmp -T fields -e frame.len -e icmp.seq 2>/dev/null"));
    ASSERT_EQ(seqs.size(), 6u);
    EXPECT_EQ(seqs[0], "98\t1");
    EXPECT_EQ(seqs[5], "98\t3");
    std::filesystem::remove_all(dir);
}

TEST(Wire, UdpHelloDecodesCleanly) {
    if (!have_tshark()) GTEST_SKIP() << "tshark is not installed";
    auto l = run("udp-hello.yaml");
    ASSERT_TRUE(l);
    std::string dir = temp_dir("wire");
    for (const char* itf : {"A:eth0", "B:eth0"}) {
        std::string f = dir + "/" + std::string(itf).replace(1, 1, "_") + ".pcap";
        ASSERT_TRUE(export_pcap(l->trace(), itf, f).ok());
        std::string all = sh("tshark -r " + f + " " + kCheck + " -V 2>&1");
        ASSERT_NE(all.find("Frame 3:"), std::string::npos) << itf << "\n" << all.substr(0, 2000);
        EXPECT_EQ(all.find("Malformed"), std::string::npos) << all.substr(0, 3000);
        EXPECT_EQ(all.find("[Checksum Status: Bad]"), std::string::npos);
    }
    auto a = lines(sh("tshark -r " + dir + "/A_eth0.pcap -T fields -E separator=, -e _ws.col.Protocol -e arp.opcode "
                      "-e udp.dstport -e data.data 2>/dev/null"));
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0], "ARP,1,,");
    EXPECT_EQ(a[1], "ARP,2,,");
    EXPECT_EQ(a[2], "UDP,,9000,68656c6c6f"); // "hello"
    std::filesystem::remove_all(dir);
}

// Every shipped scenario, every interface with frames: the link pcaps decode in tshark (checksum
// validation on) with no malformed frame, no bad checksum and no expert error. The list is the
// directory itself, so a new scenario is checked the day it is added.
TEST(Wire, EveryShippedScenarioDecodesCleanlyOnEveryLink) {
    if (!have_tshark()) GTEST_SKIP() << "tshark is not installed";
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(source_dir() + "/lessons/scenarios"))
        if (e.path().extension() == ".yaml") files.push_back(e.path().filename().string());
    std::sort(files.begin(), files.end());
    ASSERT_GE(files.size(), 10u);
    std::string dir = temp_dir("wire-all");
    for (const std::string& file : files) {
        auto l = run(file);
        ASSERT_TRUE(l) << file;
        const auto ifaces = trace_interfaces(l->trace());
        EXPECT_FALSE(ifaces.empty()) << file;
        for (const std::string& itf : ifaces) {
            std::string f = dir + "/" + std::string(itf).replace(itf.find(':'), 1, "_") + ".pcap";
            ASSERT_TRUE(export_pcap(l->trace(), itf, f).ok()) << file << " " << itf;
            std::string all = sh("tshark -r " + f + " " + kCheck + " -V 2>&1");
            ASSERT_NE(all.find("Frame 1:"), std::string::npos) << file << " " << itf << "\n" << all.substr(0, 2000);
            EXPECT_EQ(all.find("Malformed"), std::string::npos) << file << " " << itf;
            EXPECT_EQ(all.find("[Checksum Status: Bad]"), std::string::npos) << file << " " << itf;
            EXPECT_EQ(all.find("Expert Info (Error"), std::string::npos) << file << " " << itf;
        }
    }
    std::filesystem::remove_all(dir);
}
