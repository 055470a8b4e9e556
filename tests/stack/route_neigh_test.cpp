// FIB lookups and the neighbour state machine (resolution, release, failure, queue limit).
#include <gtest/gtest.h>

#include "core/wire/arp.h"
#include "core/wire/ethernet.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

TEST(Fib, LongestPrefixMatchAndDefaultRoute) {
    Fib fib;
    Sim sim(1);
    FakeNetDevice d0(sim, "eth0", mac("02:00:00:00:00:01")); // only the pointer is used
    ASSERT_TRUE(fib.add(FibRoute{ip("10.0.0.0"), 8, ip("192.168.1.1"), &d0}).ok());
    ASSERT_TRUE(fib.add(FibRoute{ip("10.1.0.0"), 16, ip("192.168.1.2"), &d0}).ok());
    ASSERT_TRUE(fib.add(FibRoute{ip("10.1.2.0"), 24, ip("192.168.1.3"), &d0}).ok());
    ASSERT_TRUE(fib.add(FibRoute{ip("0.0.0.0"), 0, ip("192.168.1.254"), &d0}).ok());
    EXPECT_EQ(*fib.lookup(ip("10.1.2.3"))->gw, ip("192.168.1.3"));
    EXPECT_EQ(*fib.lookup(ip("10.1.3.3"))->gw, ip("192.168.1.2"));
    EXPECT_EQ(*fib.lookup(ip("10.2.0.1"))->gw, ip("192.168.1.1"));
    EXPECT_EQ(*fib.lookup(ip("8.8.8.8"))->gw, ip("192.168.1.254"));
    EXPECT_FALSE(fib.add(FibRoute{ip("10.1.2.77"), 24, ip("192.168.1.9"), &d0}).ok()); // same prefix
}

TEST(Fib, AddressesGiveConnectedLocalAndBroadcastRoutes) {
    TwoHosts t;
    const FibRoute* r = t.A.fib.lookup(ip("192.168.1.7"));
    ASSERT_NE(r, nullptr);
    EXPECT_FALSE(r->gw);
    EXPECT_EQ(r->prefsrc, ip("192.168.1.100"));
    EXPECT_EQ(t.A.fib.lookup(ip("192.168.1.100"))->type, RtnType::Local);
    EXPECT_EQ(t.A.fib.lookup(ip("192.168.1.255"))->type, RtnType::Broadcast);
    EXPECT_EQ(t.A.fib.lookup(ip("10.0.0.1")), nullptr); // no default route
    EXPECT_FALSE(t.A.add_route(ip("0.0.0.0"), 0, ip("10.0.0.1"), "eth0").ok()); // gateway not on-link
    EXPECT_FALSE(t.A.add_route(ip("0.0.0.0"), 0, ip("192.168.1.1"), "eth9").ok());
    EXPECT_TRUE(t.A.add_route(ip("0.0.0.0"), 0, ip("192.168.1.1"), "eth0").ok());
    EXPECT_EQ(*t.A.fib.lookup(ip("10.0.0.1"))->gw, ip("192.168.1.1"));
}

TEST(Fib, NoRouteGivesEnetunreach) {
    TwoHosts t;
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    auto r = call([&](SysDone d) { libc_sendto(*t.a, fd, {1, 2}, SockAddrIn{AF_INET, 53, ip("8.8.8.8")}, 0, d); });
    EXPECT_EQ(r.ret, -1);
    EXPECT_EQ(r.err, ENETUNREACH);
}

struct Resolving : TwoHosts {
    int fd = -1;
    Resolving() { fd = static_cast<int>(call([&](SysDone d) { libc_socket(*a, AF_INET, SOCK_DGRAM, 0, d); }).ret); }
    void send_to(const char* dst) {
        call([&](SysDone d) { libc_sendto(*a, fd, {1, 2, 3}, SockAddrIn{AF_INET, 7, ip(dst)}, 0, d); });
    }
    int queue_events(QueueOp op) const {
        int n = 0;
        const Trace& tr = sim.trace();
        for (const auto& e : tr.events)
            if (e.kind == EventKind::Queue && tr.str(e.name) == "arp_queue" && e.a[0] == static_cast<int64_t>(op)) ++n;
        return n;
    }
};

TEST(Neighbour, FirstPacketQueuesOnArpQueueAndTheReplyReleasesIt) {
    Resolving t;
    t.send_to("192.168.1.200");
    Neighbour* n = t.A.arp_tbl.lookup(&t.a_eth0, ip("192.168.1.200"));
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->nud_state, NUD_INCOMPLETE);
    EXPECT_EQ(n->arp_queue.size(), 1u);
    EXPECT_EQ(t.queue_events(QueueOp::Enqueue), 1);
    ASSERT_EQ(t.a_eth0.sent.size(), 1u); // only the ARP request so far
    auto eth = wire::EthernetView(t.a_eth0.sent[0]);
    auto arp = *wire::ArpRepr::parse(wire::ArpView(eth.payload()));
    EXPECT_EQ(arp.oper, wire::ARPOP_REQUEST);
    EXPECT_EQ(arp.sha, t.a_eth0.dev_addr);
    EXPECT_EQ(arp.spa, ip("192.168.1.100"));
    EXPECT_TRUE(arp.tha.is_zero());
    EXPECT_EQ(arp.tpa, ip("192.168.1.200"));
    t.sim.run_until(10 * kNsPerMs);
    EXPECT_EQ(n->nud_state, NUD_REACHABLE);
    EXPECT_EQ(n->ha, t.b_eth0.dev_addr);
    EXPECT_TRUE(n->arp_queue.empty());
    EXPECT_EQ(t.queue_events(QueueOp::Dequeue), 1);
    EXPECT_EQ(n->hh.hh_len, 14);
    ASSERT_EQ(t.a_eth0.sent.size(), 2u);
    EXPECT_EQ(wire::EthernetView(t.a_eth0.sent[1]).dst(), t.b_eth0.dev_addr);
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "A"), {"arp_rcv", "arp_process", "neigh_update", "neigh_connect",
                                                       "neigh_resolve_output", "neigh_hh_init", "dev_hard_header",
                                                       "eth_header", "dev_queue_xmit"}),
              "");
}

TEST(Neighbour, NoReplyMeansThreeProbesThenFailedWithDrops) {
    Resolving t;
    t.send_to("192.168.1.50"); // nobody has it
    Neighbour* n = t.A.arp_tbl.lookup(&t.a_eth0, ip("192.168.1.50"));
    ASSERT_NE(n, nullptr);
    t.sim.run_until(2500 * kNsPerMs);
    EXPECT_EQ(n->nud_state, NUD_INCOMPLETE);
    EXPECT_EQ(t.a_eth0.sent.size(), 3u); // requests at 0, 1 and 2 s
    t.sim.run_until(4 * kNsPerSec);
    EXPECT_EQ(n->nud_state, NUD_FAILED);
    EXPECT_EQ(t.a_eth0.sent.size(), 3u);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NeighFailed), 1);
    EXPECT_EQ(notes_with(t.sim.trace(), "INCOMPLETE -> FAILED"), 1);
    EXPECT_EQ(t.sim.live_skbs(), 0);
    // Request times: 0, 1 s, 2 s (retrans_time).
    std::vector<TimeNs> times;
    for (const auto& e : t.sim.trace().events)
        if (e.kind == EventKind::Wire && t.sim.trace().contexts[e.ctx].host == t.A.host_id()) times.push_back(e.time);
    ASSERT_EQ(times.size(), 3u);
    EXPECT_NEAR(static_cast<double>(times[1] - times[0]), 1e9, 1e6);
    EXPECT_NEAR(static_cast<double>(times[2] - times[1]), 1e9, 1e6);
    // A new packet starts resolution again.
    t.send_to("192.168.1.50");
    EXPECT_EQ(n->nud_state, NUD_INCOMPLETE);
}

TEST(Neighbour, FullArpQueueDropsTheOldest) {
    Resolving t;
    t.A.arp_tbl.parms.queue_len_bytes = 2000; // room for two small skbs
    for (int i = 0; i < 5; ++i) t.send_to("192.168.1.50");
    Neighbour* n = t.A.arp_tbl.lookup(&t.a_eth0, ip("192.168.1.50"));
    EXPECT_LE(n->arp_queue_len_bytes, 2000u);
    int queued = static_cast<int>(n->arp_queue.size());
    EXPECT_GE(queued, 1);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NeighQueuefull), 5 - queued);
    EXPECT_EQ(t.queue_events(QueueOp::Drop), 5 - queued);
    EXPECT_EQ(t.a_eth0.sent.size(), 1u); // one probe: the rest found INCOMPLETE
}

TEST(Neighbour, StaleEntryGoesThroughDelayToAUnicastProbe) {
    Resolving t;
    t.send_to("192.168.1.200");
    t.sim.run_until(10 * kNsPerMs);
    // B learned A as STALE; B answering makes it DELAY, then PROBE with a unicast request after 5 s.
    int bfd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.b, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    t.sim.in_context(t.b->ctx, [&] {
        call([&](SysDone d) { libc_sendto(*t.b, bfd, {9}, SockAddrIn{AF_INET, 7, ip("192.168.1.100")}, 0, d); });
    });
    Neighbour* n = t.B.arp_tbl.lookup(&t.b_eth0, ip("192.168.1.100"));
    EXPECT_EQ(n->nud_state, NUD_DELAY);
    t.sim.run_until(6 * kNsPerSec);
    EXPECT_EQ(n->nud_state, NUD_REACHABLE);
    bool unicast_probe = false;
    for (const auto& f : t.b_eth0.sent) {
        wire::EthernetView e(f);
        if (e.ethertype() == wire::EtherType::Arp && e.dst() == t.a_eth0.dev_addr &&
            wire::ArpView(e.payload()).oper() == wire::ARPOP_REQUEST)
            unicast_probe = true;
    }
    EXPECT_TRUE(unicast_probe);
    EXPECT_GE(notes_with(t.sim.trace(), "DELAY -> PROBE"), 1);
}

} // namespace
} // namespace skbscope::test
