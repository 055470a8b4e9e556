// ICMP errors as programs see them (issue #4): ping with a TTL too small for the path prints
// iputils' "From <router> icmp_seq=N Time to live exceeded" lines (ttl-exceeded.yaml), and
// "Destination Host Unreachable" when the router's ARP for the target fails; a connected UDP client
// gets ECONNREFUSED. txqueuelen: the scenario key and --set, and pfifo_fast dropping a burst that
// overruns it (QDISC_DROP, the qdisc drops counter).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "app/lab/lab.h"
#include "app/lab/scenario.h"
#include "core/trace/trace_file.h"
#include "tests/support/paths.h"
#include "tests/support/scenario_run.h"
#include "tests/support/scenarios.h"

using namespace skbscope;
using namespace skbscope::lab;
using skbscope::test::source_dir;
using skbscope::test::temp_dir;

namespace {

int drops(const Trace& t, DropReason r) {
    int n = 0;
    for (const auto& e : t.events)
        if (e.kind == EventKind::SkbFree && e.a[0] == static_cast<int64_t>(r)) ++n;
    return n;
}

std::unique_ptr<Lab> run_text(const std::string& text, const LabOptions& opts = {}) {
    auto l = Lab::load_text(text, "t.yaml", opts);
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
    if (!l.ok()) return nullptr;
    (*l)->run();
    return std::move(*l);
}

// A sends `count` datagrams of 1000 bytes to B in one burst, on a NIC with an 8-descriptor TX ring.
std::string burst(int count, const std::string& txqueuelen_line) {
    std::string s = R"(name: burst
seed: 1
duration: 2s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:01:64", address: 192.168.1.100/24, tx_ring: 8)" +
                    txqueuelen_line + R"( }
    programs:
      - name: sender
        start: 1ms
        steps:
          - socket: dgram
)";
    for (int i = 0; i < count; ++i)
        s += "          - sendto: { fd: 3, to: \"192.168.1.200:9000\", size: 1000 }\n";
    s += R"(  B:
    interfaces:
      eth0: { mac: "02:00:00:00:01:c8", address: 192.168.1.200/24 }
    programs:
      - name: receiver
        steps:
          - socket: dgram
          - setsockopt: { fd: 3, opt: SO_RCVBUF, value: 4000000 }
          - bind: { fd: 3, addr: "0.0.0.0:9000" }
links:
  - { a: "A:eth0", b: "B:eth0" }
)";
    return s;
}

int64_t last_counter(const Trace& t, const std::string& name) {
    int64_t v = -1;
    for (const auto& e : t.events)
        if (e.kind == EventKind::Counter && t.str(e.name) == name) v = e.a[0];
    return v;
}

} // namespace

TEST(IcmpErrScenario, PingWithTtlOnePrintsTimeToLiveExceeded) {
    const Lab& l = test::run_shipped_scenario("ttl-exceeded.yaml");
    std::vector<std::string> expected = {
        "PING 192.168.2.100 56(84) bytes of data.",
        "From 192.168.1.1 icmp_seq=1 Time to live exceeded",
        "From 192.168.1.1 icmp_seq=2 Time to live exceeded",
        "--- 192.168.2.100 ping statistics ---",
        "2 packets transmitted, 0 received, +2 errors, 100% packet loss",
    };
    EXPECT_EQ(l.program_output(), expected);
}

TEST(IcmpErrScenario, TtlExceededIsDeterministicAndLeaksNothing) {
    const std::string file = source_dir() + "/lessons/scenarios/ttl-exceeded.yaml";
    const std::string dir = temp_dir("ttl-exceeded");
    std::string bytes[2];
    for (int i = 0; i < 2; ++i) {
        auto l = Lab::load(file);
        ASSERT_TRUE(l.ok()) << l.error().message;
        (*l)->run();
        ASSERT_TRUE(save_trace((*l)->trace(), dir + "/t.sktrace").ok());
        std::ifstream in(dir + "/t.sktrace", std::ios::binary);
        bytes[i].assign(std::istreambuf_iterator<char>(in), {});
        // Only the RX rings' buffers are still live: e1000 fills 255 of 256 descriptors at open and a
        // ring that received refills all 256 (R's eth1 and B's eth0 never receive here); no errors.
        EXPECT_EQ((*l)->sim().live_skbs(), 256 * 2 + 255 * 2);
        for (const auto& e : (*l)->trace().events)
            EXPECT_NE(e.kind, EventKind::Error);
    }
    EXPECT_GT(bytes[0].size(), 1000u);
    EXPECT_TRUE(bytes[0] == bytes[1]) << "two runs gave different trace files";
}

TEST(IcmpErrScenario, PingReachesTheTargetWithTtlTwo) {
    // The same path with TTL 2: R forwards with TTL 1 and B answers.
    std::string text = test::shipped_scenario_text("ttl-exceeded.yaml");
    auto pos = text.find("ttl: 1 }");
    ASSERT_NE(pos, std::string::npos);
    text.replace(pos, 8, "ttl: 2 }");
    auto l2 = run_text(text);
    ASSERT_TRUE(l2);
    auto out = l2->program_output();
    ASSERT_EQ(out.size(), 5u);
    EXPECT_EQ(out[1].rfind("64 bytes from 192.168.2.100: icmp_seq=1 time=", 0), 0u) << out[1];
    EXPECT_EQ(out[4], "2 packets transmitted, 2 received, 0% packet loss");
}

TEST(IcmpErrScenario, PingToAnAbsentHostPrintsDestinationHostUnreachable) {
    // R cannot resolve 192.168.2.200 by ARP: it drops the request and answers host unreachable.
    auto l = run_text(R"(name: no-host
seed: 3
duration: 20s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:01:64", address: 192.168.1.100/24 }
    routes:
      - { dst: default, via: 192.168.1.1, dev: eth0 }
    programs:
      - name: ping
        start: 1ms
        ping: { dst: 192.168.2.200, count: 1 }
  R:
    ip_forward: true
    interfaces:
      eth0: { mac: "02:00:00:00:01:01", address: 192.168.1.1/24 }
      eth1: { mac: "02:00:00:00:02:01", address: 192.168.2.1/24 }
  B:
    interfaces:
      eth0: { mac: "02:00:00:00:02:64", address: 192.168.2.100/24 }
links:
  - { a: "A:eth0", b: "R:eth0" }
  - { a: "R:eth1", b: "B:eth0" }
)");
    ASSERT_TRUE(l);
    std::vector<std::string> expected = {
        "PING 192.168.2.200 56(84) bytes of data.",
        "From 192.168.1.1 icmp_seq=1 Destination Host Unreachable",
        "--- 192.168.2.200 ping statistics ---",
        "1 packets transmitted, 0 received, +1 errors, 100% packet loss",
    };
    EXPECT_EQ(l->program_output(), expected);
}

TEST(IcmpErrScenario, ConnectedUdpClientGetsConnectionRefused) {
    // The scenario icmp_sock_err_chains_test follows down the stack (one run for both).
    const Lab& l = test::run_scenario_text(test::kUdpConnectedRefused, "udp-refused.yaml");
    std::vector<std::string> expected = {"client: sent 20 bytes", "client: recv() failed: ECONNREFUSED"};
    EXPECT_EQ(l.program_output(), expected);
}

TEST(IcmpErrScenario, PingTtlOutOfRangeNamesTheField) {
    std::string text = test::shipped_scenario_text("ttl-exceeded.yaml");
    text.replace(text.find("ttl: 1 }"), 8, "ttl: 0 }");
    auto s = parse_scenario(text, "ttl.yaml");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("ttl.yaml:"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("ping.ttl: expected a TTL from 1 to 255"), std::string::npos)
        << s.error().message;
}

TEST(IcmpErrScenario, TxqueuelenParsesAndOverrides) {
    auto s = parse_scenario(burst(1, ", txqueuelen: 16"), "t.yaml");
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->host("A")->interfaces[0].txqueuelen, 16u);
    EXPECT_EQ(s->host("B")->interfaces[0].txqueuelen, 1000u); // Linux's default
    ASSERT_TRUE(apply_override(*s, "A.eth0.txqueuelen=5").ok());
    EXPECT_EQ(s->host("A")->interfaces[0].txqueuelen, 5u);
    auto bad = apply_override(*s, "A.eth0.txqueuelen=0");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("txqueuelen"), std::string::npos) << bad.error().message;
    auto e = parse_scenario(burst(1, ", txqueuelen: lots"), "t.yaml");
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.error().message.find("t.yaml:"), std::string::npos) << e.error().message;
    EXPECT_NE(e.error().message.find("hosts.A.interfaces.eth0.txqueuelen"), std::string::npos)
        << e.error().message;
}

TEST(IcmpErrScenario, BurstOverrunningTxqueuelenDropsAtTheQdisc) {
    // 40 datagrams at once: 8 fit the TX ring, the rest wait in pfifo_fast's band 1.
    auto roomy = run_text(burst(40, ""));
    ASSERT_TRUE(roomy);
    EXPECT_EQ(drops(roomy->trace(), DropReason::QdiscDrop), 0);
    auto tight = run_text(burst(40, ", txqueuelen: 4"));
    ASSERT_TRUE(tight);
    int dropped = drops(tight->trace(), DropReason::QdiscDrop);
    EXPECT_GT(dropped, 0);
    EXPECT_EQ(last_counter(tight->trace(), "qdisc drops"), dropped);
    // The same with --set on the roomy scenario.
    LabOptions opts;
    opts.sets = {"A.eth0.txqueuelen=4"};
    auto set = run_text(burst(40, ""), opts);
    ASSERT_TRUE(set);
    EXPECT_EQ(drops(set->trace(), DropReason::QdiscDrop), dropped);
}
