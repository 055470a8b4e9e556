// Forwarding through R (TTL, checksum) and ping sockets end to end (A pings B through R).
#include <gtest/gtest.h>

#include "core/wire/arp.h"
#include "core/wire/checksum.h"
#include "core/wire/ethernet.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "core/wire/udp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

const std::vector<uint8_t>* last_ipv4(const FakeNetDevice& d) {
    for (auto it = d.sent.rbegin(); it != d.sent.rend(); ++it)
        if (wire::EthernetView(*it).ethertype() == wire::EtherType::Ipv4) return &*it;
    return nullptr;
}

TEST(Forward, RouterDecrementsTtlAndFixesTheChecksum) {
    ThreeHosts t;
    int bfd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.b, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    call([&](SysDone d) { libc_bind(*t.b, bfd, SockAddrIn{AF_INET, 7000, ip("0.0.0.0")}, d); });
    int afd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    auto r = call([&](SysDone d) {
        libc_sendto(*t.a, afd, {'h', 'i'}, SockAddrIn{AF_INET, 7000, ip("192.168.2.100")}, 0, d);
    });
    EXPECT_EQ(r.ret, 2);
    t.sim.run_until(kNsPerSec);
    const auto* first = last_ipv4(t.a_eth0);
    const auto* second = last_ipv4(t.r_eth1);
    ASSERT_TRUE(first && second);
    auto e1 = wire::EthernetView(*first), e2 = wire::EthernetView(*second);
    EXPECT_EQ(e1.dst(), t.r_eth0.dev_addr); // to the gateway's MAC
    EXPECT_EQ(e2.src(), t.r_eth1.dev_addr);
    EXPECT_EQ(e2.dst(), t.b_eth0.dev_addr);
    auto ip1 = *wire::Ipv4View::new_checked(e1.payload()), ip2 = *wire::Ipv4View::new_checked(e2.payload());
    EXPECT_EQ(ip1.ttl(), 64);
    EXPECT_EQ(ip2.ttl(), 63);
    EXPECT_TRUE(ip2.verify_checksum());
    EXPECT_EQ(ip2.check(), ip2.compute_checksum());
    EXPECT_EQ(ip2.saddr(), ip("192.168.1.100"));
    auto u = *wire::UdpView::new_checked(ip2.payload());
    EXPECT_TRUE(u.verify_checksum(ip2.saddr(), ip2.daddr()));
    auto got = call([&](SysDone d) { libc_recvfrom(*t.b, bfd, 10, MSG_DONTWAIT, d); });
    EXPECT_EQ(got.ret, 2);
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "R"), {"ip_rcv", "ip_rcv_finish", "ip_route_input_noref", "ip_forward",
                                                       "skb_cow", "ip_decrease_ttl", "NF_HOOK", "ip_forward_finish",
                                                       "dst_output", "ip_output", "NF_HOOK", "ip_finish_output2",
                                                       "neigh_output", "dev_queue_xmit"}),
              "");
    // R's ARP request on eth1 comes from its own address there (not A's).
    auto arp = wire::ArpView(wire::EthernetView(t.r_eth1.sent[0]).payload());
    EXPECT_EQ(wire::Ipv4Addr::from_bytes(arp.spa()), ip("192.168.2.1"));
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(Forward, TtlOneIsDroppedWithIpInhdr) {
    ThreeHosts t;
    // A raw frame with TTL 1 into R.
    std::vector<uint8_t> f(14 + 28, 0);
    wire::EthernetRepr{t.r_eth0.dev_addr, t.a_eth0.dev_addr, wire::EtherType::Ipv4}.emit(f);
    wire::Ipv4Repr iph;
    iph.saddr = ip("192.168.1.100");
    iph.daddr = ip("192.168.2.100");
    iph.protocol = wire::IpProto::Udp;
    iph.payload_len = 8;
    iph.ttl = 1;
    iph.emit(std::span<uint8_t>(f).subspan(14));
    wire::UdpRepr{1, 2}.emit(std::span<uint8_t>(f).subspan(34), iph.saddr, iph.daddr);
    t.r_eth0.receive(f);
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::IpInhdr), 1);
    EXPECT_TRUE(t.r_eth1.sent.empty());
}

TEST(Ping, EchoRequestGetsAReplyThroughTheRouter) {
    ThreeHosts t;
    auto s = call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, IPPROTO_ICMP, d); });
    ASSERT_EQ(s.ret, 3);
    int fd = static_cast<int>(s.ret);
    auto req = iputils_echo_request(1, t.sim.now());
    ASSERT_EQ(req.size(), 64u);
    EXPECT_EQ(req[8 + 16], 0x10);
    auto r = call([&](SysDone d) { libc_sendto(*t.a, fd, req, SockAddrIn{AF_INET, 0, ip("192.168.2.100")}, 0, d); });
    EXPECT_EQ(r.ret, 64);
    std::optional<SysResult> reply;
    t.sim.in_context(t.a->ctx, [&] { libc_recvfrom(*t.a, fd, 192, 0, [&](const SysResult& x) { reply = x; }); });
    t.sim.run_until(kNsPerSec);
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->ret, 64);
    EXPECT_EQ(reply->from->addr, ip("192.168.2.100"));
    auto icmp = wire::IcmpView(reply->data);
    EXPECT_EQ(icmp.type(), wire::IcmpType::EchoReply);
    EXPECT_EQ(icmp.echo_id(), 1); // the first ping socket's identifier
    EXPECT_EQ(icmp.echo_seq(), 1);
    EXPECT_TRUE(icmp.verify_checksum());
    EXPECT_TRUE(std::equal(req.begin() + 8, req.end(), reply->data.begin() + 8));

    // The request on the first link: 98 bytes, id replaced, checksum valid, TTL 64.
    const auto* f = last_ipv4(t.a_eth0);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->size(), 98u);
    auto ipv = *wire::Ipv4View::new_checked(wire::EthernetView(*f).payload());
    EXPECT_EQ(ipv.ttl(), 64);
    auto rq = wire::IcmpView(ipv.payload());
    EXPECT_EQ(rq.type(), wire::IcmpType::Echo);
    EXPECT_EQ(rq.echo_id(), 1);
    EXPECT_TRUE(rq.verify_checksum());
    // B's reply: TTL 64 on B's link, 63 after R; no DF.
    auto rep_b = *wire::Ipv4View::new_checked(wire::EthernetView(*last_ipv4(t.b_eth0)).payload());
    EXPECT_EQ(rep_b.ttl(), 64);
    EXPECT_FALSE(rep_b.df());
    EXPECT_EQ(rep_b.saddr(), ip("192.168.2.100"));
    auto rep_r = *wire::Ipv4View::new_checked(wire::EthernetView(*last_ipv4(t.r_eth0)).payload());
    EXPECT_EQ(rep_r.ttl(), 63);
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "B"), {"icmp_rcv", "icmp_echo", "icmp_reply", "ip_route_output_key",
                                                       "icmp_push_reply", "ip_append_data", "ip_push_pending_frames",
                                                       "__ip_make_skb", "ip_send_skb", "ip_local_out"}),
              "");
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "A"),
                       {"ping_v4_sendmsg", "ip_route_output_flow", "ip_append_data", "ping_v4_push_pending_frames",
                        "ip_push_pending_frames", "ping_recvmsg", "__skb_recv_datagram",
                        "__skb_wait_for_more_packets", "icmp_rcv", "ping_rcv", "ping_lookup", "skb_clone",
                        "ping_queue_rcv_skb", "sock_queue_rcv_skb", "sock_def_readable", "__wake_up_sync_key",
                        "skb_copy_datagram_iter"}),
              "");
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(Ping, BadTypeIsEinvalAndNoSocketDropsTheReply) {
    ThreeHosts t;
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, IPPROTO_ICMP, d); }).ret);
    auto req = iputils_echo_request(1, 0);
    req[0] = 13; // timestamp request
    auto r = call([&](SysDone d) { libc_sendto(*t.a, fd, req, SockAddrIn{AF_INET, 0, ip("192.168.2.100")}, 0, d); });
    EXPECT_EQ(r.err, EINVAL);
    req = iputils_echo_request(2, 0);
    call([&](SysDone d) { libc_sendto(*t.a, fd, req, SockAddrIn{AF_INET, 0, ip("192.168.2.100")}, 0, d); });
    call([&](SysDone d) { libc_close(*t.a, fd, d); });
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NoSocket), 1); // the reply found no socket
}

} // namespace
} // namespace skbscope::test
