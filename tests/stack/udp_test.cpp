// UDP between two hosts: the frames on the wire, the call chains of sendto and of the receive
// path, ARP on both sides, and blocking/timeout/non-blocking recvfrom.
#include <gtest/gtest.h>

#include "core/wire/checksum.h"
#include "core/wire/ethernet.h"
#include "core/wire/ipv4.h"
#include "core/wire/udp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

struct UdpPair : TwoHosts {
    int afd = -1, bfd = -1;
    UdpPair() {
        bfd = static_cast<int>(call([&](SysDone d) { libc_socket(*b, AF_INET, SOCK_DGRAM, 0, d); }).ret);
        EXPECT_EQ(bfd, 3);
        auto r = call([&](SysDone d) { libc_bind(*b, bfd, SockAddrIn{AF_INET, 5000, ip("0.0.0.0")}, d); });
        EXPECT_EQ(r.ret, 0);
        afd = static_cast<int>(call([&](SysDone d) { libc_socket(*a, AF_INET, SOCK_DGRAM, IPPROTO_UDP, d); }).ret);
        EXPECT_EQ(afd, 3);
    }
    SysResult send(const std::string& s) {
        return call([&](SysDone d) {
            libc_sendto(*a, afd, bytes(s), SockAddrIn{AF_INET, 5000, ip("192.168.1.200")}, 0, d);
        });
    }
};

TEST(Udp, SendtoThenRecvfromDeliversTheDatagram) {
    UdpPair t;
    EXPECT_EQ(t.send("hello").ret, 5);
    t.sim.run_until(10 * kNsPerMs);
    auto r = call([&](SysDone d) { libc_recvfrom(*t.b, t.bfd, 100, MSG_DONTWAIT, d); });
    ASSERT_EQ(r.ret, 5);
    EXPECT_EQ(std::string(r.data.begin(), r.data.end()), "hello");
    ASSERT_TRUE(r.from);
    EXPECT_EQ(r.from->addr, ip("192.168.1.100"));
    EXPECT_GE(r.from->port, 32768);
    EXPECT_LE(r.from->port, 60999);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NotSpecified), 0);
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(Udp, FramesOnTheWireAreValid) {
    UdpPair t;
    t.send("hello");
    t.sim.run_until(10 * kNsPerMs);
    // A: ARP request, then the datagram; B: ARP reply.
    ASSERT_EQ(t.a_eth0.sent.size(), 2u);
    ASSERT_EQ(t.b_eth0.sent.size(), 1u);
    auto arp_req = t.a_eth0.sent[0];
    EXPECT_EQ(arp_req.size(), 60u);
    auto eth = *wire::EthernetView::new_checked(arp_req);
    EXPECT_TRUE(eth.dst().is_broadcast());
    EXPECT_EQ(eth.ethertype(), wire::EtherType::Arp);
    auto arp_rep = *wire::EthernetView::new_checked(t.b_eth0.sent[0]);
    EXPECT_EQ(arp_rep.dst(), t.a_eth0.dev_addr);

    const auto& f = t.a_eth0.sent[1];
    EXPECT_EQ(f.size(), 60u); // 14 + 20 + 8 + 5 = 47, padded
    auto e = *wire::EthernetView::new_checked(f);
    EXPECT_EQ(e.dst(), t.b_eth0.dev_addr);
    EXPECT_EQ(e.src(), t.a_eth0.dev_addr);
    EXPECT_EQ(e.ethertype(), wire::EtherType::Ipv4);
    auto v = *wire::Ipv4View::new_checked(e.payload());
    EXPECT_TRUE(v.verify_checksum());
    EXPECT_EQ(v.tot_len(), 33);
    EXPECT_EQ(v.ttl(), 64);
    EXPECT_TRUE(v.df());
    EXPECT_EQ(v.id(), 0); // LINUX: DF on an unconnected socket
    EXPECT_EQ(v.protocol(), wire::IpProto::Udp);
    EXPECT_EQ(v.saddr(), ip("192.168.1.100"));
    EXPECT_EQ(v.daddr(), ip("192.168.1.200"));
    auto u = *wire::UdpView::new_checked(v.payload());
    EXPECT_TRUE(u.verify_checksum(v.saddr(), v.daddr()));
    EXPECT_NE(u.checksum(), 0);
    EXPECT_EQ(u.dst_port(), 5000);
    EXPECT_EQ(u.len(), 13);
}

TEST(Udp, SendtoCallChainFollowsLinux) {
    UdpPair t;
    size_t from = t.sim.trace().events.size();
    t.send("x");
    auto calls = calls_on(t.sim.trace(), "A", from);
    EXPECT_EQ(in_order(calls, {"sendto", "__libc_sendto", "SYSCALL_CANCEL", "INLINE_SYSCALL", "entry_SYSCALL_64",
                               "do_syscall_64", "__x64_sys_sendto", "__sys_sendto", "import_ubuf",
                               "sockfd_lookup_light", "move_addr_to_kernel", "__sock_sendmsg",
                               "security_socket_sendmsg", "sock_sendmsg_nosec", "inet_sendmsg", "inet_send_prepare",
                               "inet_autobind", "udp_v4_get_port", "udp_sendmsg", "ip_route_output_flow",
                               "ip_route_output_key_hash", "fib_lookup", "ip_make_skb", "ip_append_data",
                               "__ip_make_skb", "udp_send_skb", "udp4_hwcsum", "ip_send_skb",
                               "ip_local_out", "__ip_local_out", "ip_send_check", "NF_HOOK", "dst_output",
                               "ip_output", "NF_HOOK", "ip_finish_output", "__ip_finish_output", "ip_finish_output2",
                               "ip_neigh_for_gw", "neigh_output", "neigh_resolve_output", "neigh_event_send",
                               "__neigh_event_send", "neigh_probe", "arp_solicit", "arp_send", "arp_create",
                               "arp_xmit", "dev_queue_xmit", "__dev_queue_xmit", "netdev_core_pick_tx",
                               "__dev_xmit_skb", "sch_direct_xmit", "dev_hard_start_xmit", "xmit_one",
                               "netdev_start_xmit", "syscall_exit_to_user_mode"}),
              "");
    // The second datagram takes the cached header (neigh_hh_output) after ARP completed.
    t.sim.run_until(10 * kNsPerMs);
    from = t.sim.trace().events.size();
    t.sim.in_context(t.a->ctx, [&] { t.send("y"); });
    calls = calls_on(t.sim.trace(), "A", from);
    EXPECT_EQ(in_order(calls, {"ip_finish_output2", "ip_neigh_for_gw", "__ipv4_neigh_lookup_noref", "neigh_output",
                               "neigh_hh_output", "dev_queue_xmit", "__dev_xmit_skb", "sch_direct_xmit",
                               "netdev_start_xmit"}),
              "");
    // The user function and glibc wrapper enclose the kernel entry: depths 0, 1, (2, 3), then 4.
    const Trace& tr = t.sim.trace();
    size_t u = find_enter(tr, "A", "sendto", from), k = find_enter(tr, "A", "entry_SYSCALL_64", from);
    ASSERT_NE(u, std::string::npos);
    ASSERT_NE(k, std::string::npos);
    EXPECT_EQ(tr.events[u].depth, 0);
    EXPECT_EQ(tr.events[k].depth, 4);
    EXPECT_GT(find_exit(tr, u), find_exit(tr, k));
}

TEST(Udp, ReceivePathCallChainFollowsLinux) {
    UdpPair t;
    t.send("x");
    t.sim.run_until(10 * kNsPerMs);
    auto calls = calls_on(t.sim.trace(), "B");
    EXPECT_EQ(in_order(calls, {"napi_schedule", "__napi_schedule", "raise_softirq", "__do_softirq", "net_rx_action",
                               "napi_poll", "__netdev_alloc_skb", "eth_type_trans", "napi_gro_receive",
                               "netif_receive_skb", "__netif_receive_skb", "__netif_receive_skb_core", "ip_rcv",
                               "ip_rcv_core", "NF_HOOK", "ip_rcv_finish", "ip_route_input_noref", "ip_local_deliver",
                               "NF_HOOK", "ip_local_deliver_finish", "ip_protocol_deliver_rcu", "udp_rcv",
                               "__udp4_lib_rcv", "__udp4_lib_lookup", "udp_unicast_rcv_skb", "udp_queue_rcv_skb",
                               "__udp_enqueue_schedule_skb", "sock_def_readable", "napi_complete_done"}),
              "");
    // NF_HOOK carries the hook number in a0: PRE_ROUTING (0) then LOCAL_IN (1) on B.
    std::vector<int64_t> hooks;
    for (const auto& e : t.sim.trace().events)
        if (e.kind == EventKind::FuncEnter && t.sim.trace().str(e.name) == "NF_HOOK" &&
            t.sim.trace().host_name(t.sim.trace().contexts[e.ctx].host) == "B")
            hooks.push_back(e.a[0]);
    EXPECT_EQ(hooks, (std::vector<int64_t>{0, 1}));
}

TEST(Udp, TargetLearnsTheSenderFromTheArpRequest) {
    UdpPair t;
    t.send("x");
    t.sim.run_until(10 * kNsPerMs);
    Neighbour* a_on_b = t.B.arp_tbl.lookup(&t.b_eth0, ip("192.168.1.100"));
    ASSERT_NE(a_on_b, nullptr);
    EXPECT_EQ(a_on_b->nud_state, NUD_STALE);
    EXPECT_EQ(a_on_b->ha, t.a_eth0.dev_addr);
    Neighbour* b_on_a = t.A.arp_tbl.lookup(&t.a_eth0, ip("192.168.1.200"));
    ASSERT_NE(b_on_a, nullptr);
    EXPECT_EQ(b_on_a->nud_state, NUD_REACHABLE);
    // B answers A without an ARP request of its own.
    int b_requests = 0;
    for (const auto& f : t.b_eth0.sent)
        if (wire::EthernetView(f).dst().is_broadcast()) ++b_requests;
    EXPECT_EQ(b_requests, 0);
    EXPECT_GE(notes_with(t.sim.trace(), "INCOMPLETE -> REACHABLE"), 1);
}

TEST(Udp, BlockingRecvfromSleepsAndWakesWithTheData) {
    UdpPair t;
    std::optional<SysResult> got;
    t.sim.in_context(t.b->ctx, [&] { libc_recvfrom(*t.b, t.bfd, 100, 0, [&](const SysResult& r) { got = r; }); });
    EXPECT_FALSE(got);
    EXPECT_EQ(notes_with(t.sim.trace(), "sleeps on sk_wq"), 1);
    t.sim.at(5 * kNsPerMs, t.a->ctx, [&] { t.send("late"); });
    t.sim.run_until(kNsPerSec);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->ret, 4);
    EXPECT_EQ(std::string(got->data.begin(), got->data.end()), "late");
    const Trace& tr = t.sim.trace();
    size_t enter = find_enter(tr, "B", "recvfrom");
    size_t exit = find_exit(tr, enter);
    ASSERT_NE(exit, std::string::npos);
    EXPECT_LT(tr.events[enter].time, 5 * kNsPerMs);
    EXPECT_GT(tr.events[exit].time, 5 * kNsPerMs); // the slice covers the sleep
    EXPECT_EQ(tr.events[exit].a[0], 4);
    size_t wait = find_enter(tr, "B", "__skb_wait_for_more_packets");
    ASSERT_NE(wait, std::string::npos);
    EXPECT_GT(tr.events[find_exit(tr, wait)].time, 5 * kNsPerMs);
    EXPECT_EQ(in_order(calls_on(tr, "B"), {"recvfrom", "__libc_recvfrom", "entry_SYSCALL_64", "__x64_sys_recvfrom",
                                           "__sys_recvfrom", "sockfd_lookup_light", "sock_recvmsg", "inet_recvmsg",
                                           "udp_recvmsg", "__skb_recv_datagram", "__skb_wait_for_more_packets",
                                           "sock_def_readable", "__wake_up_sync_key", "skb_copy_datagram_iter",
                                           "skb_consume_udp", "move_addr_to_user", "syscall_exit_to_user_mode"}),
              "");
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(Udp, RcvtimeoGivesEagainAfterTheTimeout) {
    UdpPair t;
    auto r = call([&](SysDone d) { libc_setsockopt(*t.b, t.bfd, SOL_SOCKET, SO_RCVTIMEO, 200 * kNsPerMs, d); });
    EXPECT_EQ(r.ret, 0);
    std::optional<SysResult> got;
    TimeNs start = t.sim.now();
    t.sim.in_context(t.b->ctx, [&] { libc_recvfrom(*t.b, t.bfd, 100, 0, [&](const SysResult& x) { got = x; }); });
    t.sim.run_until(100 * kNsPerMs);
    EXPECT_FALSE(got);
    t.sim.run_until(kNsPerSec);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->ret, -1);
    EXPECT_EQ(got->err, EAGAIN);
    const Trace& tr = t.sim.trace();
    size_t enter = find_enter(tr, "B", "recvfrom");
    EXPECT_GE(tr.events[find_exit(tr, enter)].time, start + 200 * kNsPerMs);
    EXPECT_EQ(tr.events[find_exit(tr, find_enter(tr, "B", "entry_SYSCALL_64", enter))].a[0], -EAGAIN);
}

TEST(Udp, DontwaitGivesEagainAtOnce) {
    UdpPair t;
    auto r = call([&](SysDone d) { libc_recvfrom(*t.b, t.bfd, 100, MSG_DONTWAIT, d); });
    EXPECT_EQ(r.ret, -1);
    EXPECT_EQ(r.err, EAGAIN);
}

TEST(Udp, ReceiveBufferFullDropsWithSocketRcvbuff) {
    UdpPair t;
    call([&](SysDone d) { libc_setsockopt(*t.b, t.bfd, SOL_SOCKET, SO_RCVBUF, 1, d); }); // -> 4608
    for (int i = 0; i < 10; ++i) t.send("0123456789");
    t.sim.run_until(kNsPerSec);
    EXPECT_GT(drops(t.sim.trace(), DropReason::SocketRcvbuff), 0);
    EXPECT_EQ(t.sim.live_skbs(), static_cast<int64_t>(t.B.udp_table.begin()->second->sk_receive_queue.size()));
}

TEST(Udp, NoSocketDropsWithNoSocket) {
    UdpPair t;
    call([&](SysDone d) { libc_sendto(*t.a, t.afd, bytes("x"), SockAddrIn{AF_INET, 9999, ip("192.168.1.200")}, 0, d); });
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NoSocket), 1);
}

TEST(Udp, SameSeedSameTrace) {
    auto run = [] {
        UdpPair t;
        t.send("abc");
        t.sim.run_until(kNsPerSec);
        std::vector<std::tuple<TimeNs, int, std::string, int64_t>> out;
        for (const auto& e : t.sim.trace().events)
            out.emplace_back(e.time, static_cast<int>(e.kind), std::string(t.sim.trace().str(e.name)), e.a[0]);
        return out;
    };
    EXPECT_EQ(run(), run());
}

} // namespace
} // namespace skbscope::test
