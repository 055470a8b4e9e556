// The loopback device: lo is ifindex 1 with 127.0.0.1/8 and MTU 65536 on every host; UDP to
// 127.0.0.1 and to the host's own address goes out through lo (loopback_xmit -> netif_rx -> the
// backlog -> process_backlog -> ip_rcv -> ... -> udp_rcv) and nothing reaches eth0; TCP connects
// to 127.0.0.1 and carries data; a 64 KiB datagram crosses lo without fragmentation.
#include <gtest/gtest.h>

#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

struct Local : TwoHosts {
    int sfd = -1, cfd = -1;
    Local() {
        sfd = static_cast<int>(call([&](SysDone d) { libc_socket(*a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
        EXPECT_EQ(call([&](SysDone d) { libc_bind(*a, sfd, SockAddrIn{AF_INET, 7000, ip("0.0.0.0")}, d); }).ret, 0);
        cfd = static_cast<int>(call([&](SysDone d) { libc_socket(*a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    }
    SysResult send(const std::vector<uint8_t>& data, const char* to) {
        return call([&](SysDone d) { libc_sendto(*a, cfd, data, SockAddrIn{AF_INET, 7000, ip(to)}, 0, d); });
    }
    SysResult recv() { return call([&](SysDone d) { libc_recvfrom(*a, sfd, 70000, MSG_DONTWAIT, d); }); }
};

TEST(Loopback, LoIsIfindexOneWith127001) {
    Local t;
    NetDevice* lo = t.A.dev_get_by_name("lo");
    ASSERT_TRUE(lo);
    EXPECT_EQ(lo, t.A.loopback_dev());
    EXPECT_EQ(lo->ifindex, 1);
    EXPECT_EQ(lo->mtu, 65536u);
    EXPECT_TRUE(lo->flags & IFF_LOOPBACK);
    EXPECT_TRUE(lo->up);
    EXPECT_EQ(t.A.dev_get_by_name("eth0")->ifindex, 2);
    EXPECT_TRUE(t.A.is_local_addr(ip("127.0.0.1")));
}

void expect_through_lo(Local& t, const char* to, const char* from) {
    const size_t mark = t.sim.trace().events.size();
    const size_t wire_before = t.a_eth0.sent.size();
    ASSERT_EQ(t.send(bytes("over lo"), to).ret, 7);
    t.sim.run_until(t.sim.now() + kNsPerMs);
    auto r = t.recv();
    ASSERT_EQ(r.ret, 7) << to;
    EXPECT_EQ(std::string(r.data.begin(), r.data.end()), "over lo");
    ASSERT_TRUE(r.from);
    EXPECT_EQ(r.from->addr, ip(from));
    EXPECT_EQ(t.a_eth0.sent.size(), wire_before) << "nothing may leave on eth0";
    auto calls = calls_on(t.sim.trace(), "A", mark);
    EXPECT_EQ(in_order(calls, {"udp_sendmsg", "ip_route_output_flow", "ip_output", "ip_finish_output2",
                               "neigh_output", "dev_queue_xmit", "dev_hard_start_xmit", "loopback_xmit",
                               "netif_rx", "enqueue_to_backlog", "net_rx_action", "napi_poll", "process_backlog",
                               "__netif_receive_skb", "ip_rcv", "ip_local_deliver", "udp_rcv",
                               "__udp_enqueue_schedule_skb"}),
              "")
        << to;
    for (const auto& c : calls) EXPECT_NE(c, "ip_route_input_slow") << "lo keeps the output route";
}

TEST(Loopback, UdpTo127001GoesThroughLo) {
    Local t;
    expect_through_lo(t, "127.0.0.1", "127.0.0.1");
    // Anything in 127.0.0.0/8 is local.
    expect_through_lo(t, "127.0.0.5", "127.0.0.1");
    t.sim.run_until(t.sim.now() + kNsPerSec);
    EXPECT_EQ(t.sim.live_skbs(), 0);
    EXPECT_TRUE(t.A.sd().input_pkt_queue.empty());
}

TEST(Loopback, UdpToOwnAddressGoesThroughLo) {
    Local t;
    expect_through_lo(t, "192.168.1.100", "192.168.1.100");
    EXPECT_EQ(t.A.loopback_dev()->stats.tx_packets, 1u);
    t.sim.run_until(t.sim.now() + kNsPerSec);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(Loopback, BigDatagramIsNotFragmentedOnLo) {
    Local t;
    std::vector<uint8_t> big(60000, 0x5a);
    ASSERT_EQ(t.send(big, "127.0.0.1").ret, 60000);
    t.sim.run_until(t.sim.now() + kNsPerMs);
    auto r = t.recv();
    ASSERT_EQ(r.ret, 60000);
    EXPECT_EQ(r.data, big);
    EXPECT_EQ(find_enter(t.sim.trace(), "A", "ip_fragment"), std::string::npos);
}

TEST(Loopback, TcpConnectTo127001) {
    Local t;
    int lfd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_STREAM, 0, d); }).ret);
    ASSERT_EQ(call([&](SysDone d) { libc_bind(*t.a, lfd, SockAddrIn{AF_INET, 8080, ip("0.0.0.0")}, d); }).ret, 0);
    ASSERT_EQ(call([&](SysDone d) { libc_listen(*t.a, lfd, 4, d); }).ret, 0);
    Task* client = t.A.spawn_task("client", 300);
    std::vector<uint8_t> received;
    bool accepted = false, connected = false;
    libc_accept(*t.a, lfd, 0, [&](const SysResult& r) {
        ASSERT_GE(r.ret, 0);
        accepted = true;
        int afd = static_cast<int>(r.ret);
        libc_recv(*t.a, afd, 65536, 0, [&](const SysResult& rr) {
            received.insert(received.end(), rr.data.begin(), rr.data.end());
        });
    });
    int cfd = static_cast<int>(call([&](SysDone d) { libc_socket(*client, AF_INET, SOCK_STREAM, 0, d); }).ret);
    libc_connect(*client, cfd, SockAddrIn{AF_INET, 8080, ip("127.0.0.1")}, [&](const SysResult& r) {
        ASSERT_EQ(r.ret, 0) << errno_name(r.err);
        connected = true;
        libc_send(*client, cfd, bytes("hello lo"), 0, [](const SysResult& s) { EXPECT_EQ(s.ret, 8); });
    });
    t.sim.run_until(t.sim.now() + 100 * kNsPerMs);
    EXPECT_TRUE(connected);
    EXPECT_TRUE(accepted);
    EXPECT_EQ(std::string(received.begin(), received.end()), "hello lo");
    EXPECT_EQ(t.a_eth0.sent.size(), 0u);
    EXPECT_NE(find_enter(t.sim.trace(), "A", "loopback_xmit"), std::string::npos);
}

} // namespace
} // namespace skbscope::test
