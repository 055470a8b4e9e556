// Network namespaces on one CPU (netns: true) joined by veth pairs: the scenario syntax and its
// errors, and what changes in the run: veth hands the sender's skb to the peer's backlog, the
// softirq runs at the sender's local_bh_enable inside its system call, the captures of both ends
// see the frame where a tcpdump on each would, and the namespaces share one CPU clock.
#include <gtest/gtest.h>

#include "app/lab/lab.h"
#include "app/lab/scenario.h"
#include "core/trace/export_pcap.h"

using namespace skbscope;
using namespace skbscope::lab;

namespace {

const char* kUdpVeth = R"(name: udp-veth
seed: 7
duration: 1s
netns: true
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:01:64", address: 192.168.1.100/24 }
    programs:
      - name: sender
        start: 1ms
        steps:
          - socket: dgram
          - sendto: { fd: 3, to: "192.168.1.200:9000", data: "hello" }
          - close: { fd: 3 }
  B:
    interfaces:
      eth0: { mac: "02:00:00:00:01:c8", address: 192.168.1.200/24 }
    programs:
      - name: receiver
        steps:
          - socket: dgram
          - bind: { fd: 3, addr: "0.0.0.0:9000" }
          - recvfrom: { fd: 3, len: 2048 }
          - close: { fd: 3 }
links:
  - { a: "A:eth0", b: "B:eth0", type: veth }
)";

std::string with(std::string text, const std::string& from, const std::string& to) {
    auto p = text.find(from);
    EXPECT_NE(p, std::string::npos) << from;
    if (p != std::string::npos) text.replace(p, from.size(), to);
    return text;
}

std::string parse_error(const std::string& text) {
    auto s = parse_scenario(text, "v.yaml");
    return s.ok() ? std::string("(parsed)") : s.error().message;
}

ContextId context_named(const Trace& t, std::string_view name) {
    for (size_t i = 0; i < t.contexts.size(); ++i)
        if (t.contexts[i].name == name) return static_cast<ContextId>(i);
    return 0;
}

} // namespace

TEST(NetnsScenario, ParsesNetnsAndVethLinks) {
    auto s = parse_scenario(kUdpVeth, "v.yaml");
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_TRUE(s->netns);
    ASSERT_EQ(s->links.size(), 1u);
    EXPECT_EQ(s->links[0].type, LinkType::Veth);
    auto e = parse_scenario(with(kUdpVeth, ", type: veth", ""), "v.yaml");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->links[0].type, LinkType::Ethernet);
}

TEST(NetnsScenario, BadNetnsAndVethAreErrorsNamingTheField) {
    EXPECT_EQ(parse_error(with(kUdpVeth, "netns: true\n", "")),
              "v.yaml:26:39: links[0].type: a veth pair joins network namespaces of one kernel: set `netns: true` "
              "at the top of the scenario");
    EXPECT_EQ(parse_error(with(kUdpVeth, "netns: true", "netns: maybe")),
              "v.yaml:4:8: netns: expected true or false, got 'maybe'");
    EXPECT_EQ(parse_error(with(kUdpVeth, "type: veth", "type: wifi")),
              "v.yaml:27:39: links[0].type: expected ethernet or veth, got 'wifi'");
    EXPECT_EQ(parse_error(with(kUdpVeth, "type: veth", "type: veth, speed: 1Gbit")),
              "v.yaml:27:52: links[0].speed: a veth pair has no wire: 'speed' applies to ethernet links only");
    EXPECT_EQ(parse_error(with(kUdpVeth, "type: veth", "type: veth, loss: 1%")),
              "v.yaml:27:51: links[0].loss: a veth pair has no wire: 'loss' applies to ethernet links only");
    auto s = parse_scenario(kUdpVeth, "v.yaml");
    ASSERT_TRUE(s.ok());
    auto r = apply_override(*s, "link.0.speed=10Mbit");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "--set link.0.speed=10Mbit: link 0 is a veth pair: it has no wire");
}

// The datagram crosses in A's sendto: veth_xmit queues it on the shared backlog, and the softirq
// that delivers it to B's socket runs at A's local_bh_enable, in A's task context.
TEST(NetnsRun, PeerStackRunsInsideTheSendersSyscall) {
    auto l = Lab::load_text(kUdpVeth, "v.yaml");
    ASSERT_TRUE(l.ok()) << l.error().message;
    (*l)->run();
    const Trace& t = (*l)->trace();
    const ContextId sender = context_named(t, "sender (pid 100)");
    ASSERT_NE(sender, 0);
    std::vector<std::string> in_sendto;
    bool inside = false;
    for (const auto& e : t.events) {
        if (e.ctx != sender) continue;
        const std::string_view name = t.str(e.name);
        if (e.kind == EventKind::FuncEnter && name == "sendto" && !inside) inside = true;
        else if (e.kind == EventKind::FuncExit && name == "sendto") break;
        if (inside && e.kind == EventKind::FuncEnter) in_sendto.emplace_back(name);
    }
    std::vector<std::string> want = {"veth_xmit", "veth_forward_skb", "__dev_forward_skb", "netif_rx",
                                     "enqueue_to_backlog", "do_softirq", "__do_softirq", "net_rx_action",
                                     "process_backlog", "__netif_receive_skb_core", "ip_rcv", "udp_rcv",
                                     "__udp_enqueue_schedule_skb"};
    size_t at = 0;
    for (const auto& n : in_sendto)
        if (at < want.size() && n == want[at]) ++at;
    EXPECT_EQ(at, want.size()) << "missing from A's sendto, in order: " << (at < want.size() ? want[at] : "");
    auto out = (*l)->program_output();
    bool got = false;
    for (const auto& line : out) got |= line.find("received 5 bytes from 192.168.1.100") != std::string::npos;
    EXPECT_TRUE(got) << "B's recvfrom returns the datagram";
    EXPECT_EQ((*l)->sim().live_skbs(), 0) << "a veth end keeps no buffers";
}

// One frame, two views: A's capture has it when veth_xmit sent it, B's when B's stack took it.
TEST(NetnsRun, CapturesOfBothEndsSeeTheFrame) {
    auto l = Lab::load_text(kUdpVeth, "v.yaml");
    ASSERT_TRUE(l.ok()) << l.error().message;
    (*l)->run();
    const Trace& t = (*l)->trace();
    auto a = interface_frames(t, "A:eth0");
    auto b = interface_frames(t, "B:eth0");
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), 3u); // ARP request, ARP reply, the datagram
    ASSERT_EQ(b->size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ((*a)[i].sent, !(*b)[i].sent) << "frame " << i;
        EXPECT_TRUE(std::equal((*a)[i].bytes.begin(), (*a)[i].bytes.end(), (*b)[i].bytes.begin(), (*b)[i].bytes.end()));
        const auto& tx = (*a)[i].sent ? (*a)[i] : (*b)[i];
        const auto& rx = (*a)[i].sent ? (*b)[i] : (*a)[i];
        EXPECT_GT(rx.time_ns, tx.time_ns) << "a frame arrives after it was sent";
    }
    // The arrival is when B's __netif_receive_skb_core took the datagram: inside that call.
    TimeNs enter = 0, exit = 0;
    for (const auto& e : t.events)
        if (t.str(e.name) == "__netif_receive_skb_core" && e.flow == (*b)[2].flow)
            (e.kind == EventKind::FuncEnter ? enter : exit) = e.time;
    EXPECT_GE((*b)[2].time_ns, enter);
    EXPECT_LE((*b)[2].time_ns, exit);
    EXPECT_GT(enter, 0u);
}

// The hosts share one CPU: B's receiver, woken by the datagram while A's sender runs, starts
// only when A's chain has left the CPU; apart, it would start at the wake-up.
TEST(NetnsRun, WokenTaskWaitsForTheCpu) {
    auto l = Lab::load_text(kUdpVeth, "v.yaml");
    ASSERT_TRUE(l.ok()) << l.error().message;
    (*l)->run();
    const Trace& t = (*l)->trace();
    const ContextId sender = context_named(t, "sender (pid 100)"), receiver = context_named(t, "receiver (pid 101)");
    TimeNs sender_done = 0, receiver_back = 0;
    for (const auto& e : t.events) {
        if (e.ctx == sender && e.kind == EventKind::FuncExit && t.str(e.name) == "close") sender_done = e.time;
        if (e.ctx == receiver && e.kind == EventKind::FuncExit && t.str(e.name) == "recvfrom") receiver_back = e.time;
    }
    ASSERT_GT(sender_done, 0u);
    EXPECT_GT(receiver_back, sender_done) << "A's sendto and close ran first: one CPU";
}

// netns with e1000 links (namespaces owning NICs on cables) still runs: the NICs' softirqs share
// the one softnet_data.
TEST(NetnsRun, NamespacesOnCablesStillWork) {
    auto l = Lab::load_text(with(kUdpVeth, ", type: veth", ""), "v.yaml");
    ASSERT_TRUE(l.ok()) << l.error().message;
    (*l)->run();
    bool got = false;
    for (const auto& line : (*l)->program_output()) got |= line.find("received 5 bytes from 192.168.1.100") != std::string::npos;
    EXPECT_TRUE(got);
    size_t errors = 0;
    for (const auto& e : (*l)->trace().events) errors += e.kind == EventKind::Error;
    EXPECT_EQ(errors, 0u);
}
