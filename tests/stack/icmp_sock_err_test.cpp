// ICMP errors reaching sockets (issue #4): a connected UDP socket gets ECONNREFUSED from a port
// unreachable (a blocked recv wakes with it, sock_error clears it, the next send fails with a later
// one); an unconnected socket without IP_RECVERR ignores it; IP_RECVERR queues it for
// recvmsg(MSG_ERRQUEUE) with its sock_extended_err and offender; ip_local_error reports a DF
// datagram over the MTU; TCP's connect fails with ECONNREFUSED when the SYN is answered by an ICMP
// port unreachable (a firewall's REJECT), and a soft error on an established connection is kept.
#include <gtest/gtest.h>

#include "core/wire/checksum.h"
#include "core/wire/ethernet.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "stack/ipv4/tcp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

std::vector<uint8_t> bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

int dgram_socket(Task& t, int protocol = 0) {
    return static_cast<int>(call([&](SysDone d) { libc_socket(t, AF_INET, SOCK_DGRAM, protocol, d); }).ret);
}

// Starts a call that may sleep; the result lands in *out when it returns.
template <typename F> std::shared_ptr<std::optional<SysResult>> start(F&& f) {
    auto out = std::make_shared<std::optional<SysResult>>();
    f([out](const SysResult& r) { *out = r; });
    return out;
}

// An ICMP error frame from `from` (MAC, IPv4) to the sender of `offending` (an Ethernet frame that
// host sent), quoting its IP header and the first 8 bytes after it, as RFC 792 asks.
std::vector<uint8_t> icmp_error_about(const std::vector<uint8_t>& offending, wire::MacAddr from_mac,
                                      wire::Ipv4Addr from, uint8_t type, uint8_t code) {
    auto e = wire::EthernetView(offending);
    auto ipv = *wire::Ipv4View::new_checked(e.payload());
    size_t quote_len = std::min<size_t>(ipv.tot_len(), 20 + 8);
    std::vector<uint8_t> icmp = {type, code, 0, 0, 0, 0, 0, 0};
    icmp.insert(icmp.end(), e.payload().begin(), e.payload().begin() + quote_len);
    uint16_t c = wire::ip_compute_csum(icmp);
    icmp[2] = static_cast<uint8_t>(c >> 8);
    icmp[3] = static_cast<uint8_t>(c);
    std::vector<uint8_t> f(14 + 20 + icmp.size(), 0);
    wire::EthernetRepr{e.src(), from_mac, wire::EtherType::Ipv4}.emit(f);
    wire::Ipv4Repr iph;
    iph.saddr = from;
    iph.daddr = ipv.saddr();
    iph.protocol = wire::IpProto::Icmp;
    iph.payload_len = static_cast<uint16_t>(icmp.size());
    iph.emit(std::span<uint8_t>(f).subspan(14));
    std::copy(icmp.begin(), icmp.end(), f.begin() + 34);
    return f;
}

bool is_tcp_frame(const std::vector<uint8_t>& f) {
    auto e = wire::EthernetView(f);
    if (e.ethertype() != wire::EtherType::Ipv4) return false;
    auto ipv = wire::Ipv4View::new_checked(e.payload());
    return ipv && ipv->protocol() == wire::IpProto::Tcp;
}

TEST(IcmpSockErr, ConnectedUdpSocketGetsConnectionRefused) {
    TwoHosts t;
    int fd = dgram_socket(*t.a);
    auto c = call([&](SysDone d) { libc_connect(*t.a, fd, SockAddrIn{AF_INET, 9, ip("192.168.1.200")}, d); });
    ASSERT_EQ(c.ret, 0) << errno_name(c.err);
    EXPECT_EQ(call([&](SysDone d) { libc_send(*t.a, fd, bytes("hello"), 0, d); }).ret, 5);
    // The reader blocks; B (no socket on port 9) answers with port unreachable, which wakes it.
    auto r = start([&](SysDone d) { libc_recv(*t.a, fd, 100, 0, d); });
    EXPECT_FALSE(r->has_value());
    t.sim.run_until(kNsPerSec);
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->ret, -1);
    EXPECT_EQ((*r)->err, ECONNREFUSED);
    const Trace& tr = t.sim.trace();
    // The reader went to sleep in __skb_recv_datagram; the error report wakes it and sock_error
    // hands it the error.
    EXPECT_EQ(in_order(calls_on(tr, "A"), {"__skb_recv_datagram", "icmp_rcv", "icmp_unreach",
                                           "icmp_socket_deliver", "__udp4_lib_err", "sk_error_report",
                                           "sock_def_error_report", "__wake_up_sync_key", "sock_error"}),
              "");
    // sock_error cleared it: a recv now finds nothing (EAGAIN), not the old error.
    auto again = call([&](SysDone d) { libc_recv(*t.a, fd, 100, MSG_DONTWAIT, d); });
    EXPECT_EQ(again.err, EAGAIN);
    // A second datagram draws a second error; this time the next send reports it
    // (sock_alloc_send_skb), and the one after goes out again.
    EXPECT_EQ(call([&](SysDone d) { libc_send(*t.a, fd, bytes("again"), 0, d); }).ret, 5);
    t.sim.run_until(2 * kNsPerSec);
    auto s = call([&](SysDone d) { libc_send(*t.a, fd, bytes("third"), 0, d); });
    EXPECT_EQ(s.ret, -1);
    EXPECT_EQ(s.err, ECONNREFUSED);
    EXPECT_EQ(call([&](SysDone d) { libc_send(*t.a, fd, bytes("fourth"), 0, d); }).ret, 6);
    call([&](SysDone d) { libc_close(*t.a, fd, d); });
    t.sim.run_until(3 * kNsPerSec);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(IcmpSockErr, ConnectedUdpSocketOnlyReceivesFromItsPeer) {
    TwoHosts t;
    int bfd = dgram_socket(*t.b);
    ASSERT_EQ(call([&](SysDone d) {
                  libc_bind(*t.b, bfd, SockAddrIn{AF_INET, 7000, ip("0.0.0.0")}, d);
              }).ret,
              0);
    ASSERT_EQ(call([&](SysDone d) {
                  libc_connect(*t.b, bfd, SockAddrIn{AF_INET, 5555, ip("192.168.1.100")}, d);
              }).ret,
              0);
    int a1 = dgram_socket(*t.a), a2 = dgram_socket(*t.a);
    ASSERT_EQ(call([&](SysDone d) {
                  libc_bind(*t.a, a1, SockAddrIn{AF_INET, 5555, ip("0.0.0.0")}, d);
              }).ret,
              0);
    ASSERT_EQ(call([&](SysDone d) {
                  libc_bind(*t.a, a2, SockAddrIn{AF_INET, 6666, ip("0.0.0.0")}, d);
              }).ret,
              0);
    call([&](SysDone d) {
        libc_sendto(*t.a, a2, bytes("stranger"), SockAddrIn{AF_INET, 7000, ip("192.168.1.200")}, 0, d);
    });
    call([&](SysDone d) {
        libc_sendto(*t.a, a1, bytes("peer"), SockAddrIn{AF_INET, 7000, ip("192.168.1.200")}, 0, d);
    });
    t.sim.run_until(kNsPerSec);
    auto r = call([&](SysDone d) { libc_recv(*t.b, bfd, 100, MSG_DONTWAIT, d); });
    EXPECT_EQ(r.data, bytes("peer"));
    EXPECT_EQ(call([&](SysDone d) { libc_recv(*t.b, bfd, 100, MSG_DONTWAIT, d); }).err, EAGAIN);
    // The stranger's datagram found no socket: B answered it with port unreachable.
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NoSocket), 1);
    // connect to AF_UNSPEC dissolves the association.
    ASSERT_EQ(call([&](SysDone d) {
                  libc_connect(*t.b, bfd, SockAddrIn{AF_UNSPEC, 0, ip("0.0.0.0")}, d);
              }).ret,
              0);
    EXPECT_EQ(call([&](SysDone d) { libc_send(*t.b, bfd, bytes("x"), 0, d); }).err, EDESTADDRREQ);
}

TEST(IcmpSockErr, UnconnectedUdpSocketIgnoresPortUnreachable) {
    TwoHosts t;
    int fd = dgram_socket(*t.a);
    call([&](SysDone d) {
        libc_sendto(*t.a, fd, bytes("hello"), SockAddrIn{AF_INET, 9, ip("192.168.1.200")}, 0, d);
    });
    t.sim.run_until(kNsPerSec);
    EXPECT_NE(find_enter(t.sim.trace(), "A", "__udp4_lib_err"), std::string::npos);
    EXPECT_EQ(notes_with(t.sim.trace(), "not reported: the socket is not connected"), 1);
    auto r = call([&](SysDone d) { libc_recvfrom(*t.a, fd, 100, MSG_DONTWAIT, d); });
    EXPECT_EQ(r.err, EAGAIN);
    EXPECT_EQ(call([&](SysDone d) { libc_recvmsg(*t.a, fd, 100, MSG_ERRQUEUE | MSG_DONTWAIT, d); }).err,
              EAGAIN);
}

TEST(IcmpSockErr, RecverrQueuesTheErrorForMsgErrqueue) {
    TwoHosts t;
    int fd = dgram_socket(*t.a);
    ASSERT_EQ(call([&](SysDone d) { libc_setsockopt(*t.a, fd, SOL_IP, IP_RECVERR, 1, d); }).ret, 0);
    EXPECT_EQ(call([&](SysDone d) { libc_getsockopt(*t.a, fd, SOL_IP, IP_RECVERR, d); }).optval, 1);
    call([&](SysDone d) {
        libc_sendto(*t.a, fd, bytes("hello"), SockAddrIn{AF_INET, 9, ip("192.168.1.200")}, 0, d);
    });
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "A"),
                       {"__udp4_lib_err", "ip_icmp_error", "sock_queue_err_skb", "sk_error_report"}),
              "");
    // IP_RECVERR reports even an unconnected socket's error in sk_err; SO_ERROR takes it.
    auto so = call([&](SysDone d) { libc_getsockopt(*t.a, fd, SOL_SOCKET, SO_ERROR, d); });
    EXPECT_EQ(so.optval, ECONNREFUSED);
    EXPECT_EQ(call([&](SysDone d) { libc_getsockopt(*t.a, fd, SOL_SOCKET, SO_ERROR, d); }).optval, 0);
    auto e = call([&](SysDone d) { libc_recvmsg(*t.a, fd, 100, MSG_ERRQUEUE | MSG_DONTWAIT, d); });
    ASSERT_EQ(e.ret, 5) << errno_name(e.err); // the quoted payload after the UDP header
    EXPECT_EQ(e.data, bytes("hello"));
    EXPECT_TRUE(e.msg_flags & MSG_ERRQUEUE);
    ASSERT_TRUE(e.ee);
    EXPECT_EQ(e.ee->ee_errno, static_cast<uint32_t>(ECONNREFUSED));
    EXPECT_EQ(e.ee->ee_origin, SO_EE_ORIGIN_ICMP);
    EXPECT_EQ(e.ee->ee_type, wire::IcmpType::DestUnreach);
    EXPECT_EQ(e.ee->ee_code, wire::IcmpCode::PortUnreach);
    ASSERT_TRUE(e.from);
    EXPECT_EQ(e.from->addr, ip("192.168.1.200")); // msg_name: where the datagram went
    EXPECT_EQ(e.from->port, 9);
    ASSERT_TRUE(e.ee_offender);
    EXPECT_EQ(e.ee_offender->addr, ip("192.168.1.200")); // who sent the ICMP
    EXPECT_EQ(call([&](SysDone d) { libc_recvmsg(*t.a, fd, 100, MSG_ERRQUEUE | MSG_DONTWAIT, d); }).err,
              EAGAIN);
    // A short buffer truncates (MSG_TRUNC).
    call([&](SysDone d) {
        libc_sendto(*t.a, fd, bytes("hello"), SockAddrIn{AF_INET, 9, ip("192.168.1.200")}, 0, d);
    });
    t.sim.run_until(2 * kNsPerSec);
    auto tr = call([&](SysDone d) { libc_recvmsg(*t.a, fd, 2, MSG_ERRQUEUE | MSG_DONTWAIT, d); });
    EXPECT_EQ(tr.ret, 2);
    EXPECT_TRUE(tr.msg_flags & MSG_TRUNC);
    call([&](SysDone d) { libc_close(*t.a, fd, d); });
    t.sim.run_until(3 * kNsPerSec);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(IcmpSockErr, LocalErrorForADfDatagramOverTheMtu) {
    TwoHosts t;
    int fd = dgram_socket(*t.a);
    ASSERT_EQ(
        call([&](SysDone d) { libc_setsockopt(*t.a, fd, SOL_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO, d); }).ret,
        0);
    std::vector<uint8_t> big(2000, 0x55);
    auto s = call([&](SysDone d) {
        libc_sendto(*t.a, fd, big, SockAddrIn{AF_INET, 9000, ip("192.168.1.200")}, 0, d);
    });
    EXPECT_EQ(s.err, EMSGSIZE);
    // Without IP_RECVERR nothing is queued.
    EXPECT_EQ(call([&](SysDone d) { libc_recvmsg(*t.a, fd, 100, MSG_ERRQUEUE | MSG_DONTWAIT, d); }).err,
              EAGAIN);
    ASSERT_EQ(call([&](SysDone d) { libc_setsockopt(*t.a, fd, SOL_IP, IP_RECVERR, 1, d); }).ret, 0);
    s = call([&](SysDone d) {
        libc_sendto(*t.a, fd, big, SockAddrIn{AF_INET, 9000, ip("192.168.1.200")}, 0, d);
    });
    EXPECT_EQ(s.err, EMSGSIZE);
    EXPECT_NE(find_enter(t.sim.trace(), "A", "ip_local_error"), std::string::npos);
    auto e = call([&](SysDone d) { libc_recvmsg(*t.a, fd, 100, MSG_ERRQUEUE | MSG_DONTWAIT, d); });
    ASSERT_EQ(e.ret, 0) << errno_name(e.err);
    ASSERT_TRUE(e.ee);
    EXPECT_EQ(e.ee->ee_errno, static_cast<uint32_t>(EMSGSIZE));
    EXPECT_EQ(e.ee->ee_origin, SO_EE_ORIGIN_LOCAL);
    EXPECT_EQ(e.ee->ee_info, 1500u); // the MTU
    ASSERT_TRUE(e.from);
    EXPECT_EQ(e.from->addr, ip("192.168.1.200"));
    EXPECT_FALSE(e.ee_offender); // a local error has no offender
    // A local error does not set sk_err: the socket still sends.
    EXPECT_EQ(call([&](SysDone d) {
                  libc_sendto(*t.a, fd, bytes("ok"), SockAddrIn{AF_INET, 9000, ip("192.168.1.200")}, 0, d);
              }).ret,
              2);
}

TEST(IcmpSockErr, IpTtlSetsTheOutgoingTtl) {
    TwoHosts t;
    int fd = dgram_socket(*t.a);
    EXPECT_EQ(call([&](SysDone d) { libc_setsockopt(*t.a, fd, SOL_IP, IP_TTL, 0, d); }).err, EINVAL);
    ASSERT_EQ(call([&](SysDone d) { libc_setsockopt(*t.a, fd, SOL_IP, IP_TTL, 3, d); }).ret, 0);
    call([&](SysDone d) {
        libc_sendto(*t.a, fd, bytes("x"), SockAddrIn{AF_INET, 9, ip("192.168.1.200")}, 0, d);
    });
    t.sim.run_until(kNsPerSec);
    bool seen = false;
    for (const auto& f : t.a_eth0.sent) {
        auto e = wire::EthernetView(f);
        if (e.ethertype() != wire::EtherType::Ipv4) continue;
        auto ipv = *wire::Ipv4View::new_checked(e.payload());
        if (ipv.protocol() != wire::IpProto::Udp) continue;
        EXPECT_EQ(ipv.ttl(), 3);
        seen = true;
    }
    EXPECT_TRUE(seen);
}

TEST(IcmpSockErr, TcpConnectFailsWithConnectionRefusedFromIcmp) {
    TwoHosts t;
    // B's firewall REJECTs (iptables' default icmp-port-unreachable): the SYN never reaches B's TCP;
    // the test plays the firewall and answers it with the ICMP error.
    t.a_eth0.drop_if = [](const std::vector<uint8_t>& f) { return is_tcp_frame(f); };
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_STREAM, 0, d); }).ret);
    auto c = start([&](SysDone d) {
        libc_connect(*t.a, fd, SockAddrIn{AF_INET, 80, ip("192.168.1.200")}, d);
    });
    t.sim.run_until(10 * kNsPerMs);
    ASSERT_FALSE(c->has_value());
    const std::vector<uint8_t>* syn = nullptr;
    for (const auto& f : t.a_eth0.sent)
        if (is_tcp_frame(f)) syn = &f;
    ASSERT_TRUE(syn);
    t.a_eth0.receive(icmp_error_about(*syn, t.b_eth0.dev_addr, ip("192.168.1.200"),
                                      wire::IcmpType::DestUnreach, wire::IcmpCode::PortUnreach));
    t.sim.run_until(20 * kNsPerMs);
    ASSERT_TRUE(c->has_value());
    EXPECT_EQ((*c)->ret, -1);
    EXPECT_EQ((*c)->err, ECONNREFUSED);
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "A"),
                       {"icmp_rcv", "icmp_unreach", "icmp_socket_deliver", "tcp_v4_err", "sk_error_report",
                        "tcp_done", "tcp_set_state"}),
              "");
    // No retransmission of the SYN after the abort.
    size_t syns = 0;
    for (const auto& f : t.a_eth0.sent)
        syns += is_tcp_frame(f);
    t.sim.run_until(5 * kNsPerSec);
    size_t later = 0;
    for (const auto& f : t.a_eth0.sent)
        later += is_tcp_frame(f);
    EXPECT_EQ(syns, later);
}

TEST(IcmpSockErr, TcpWithRecverrQueuesTheErrorAndCloseFreesIt) {
    TwoHosts t;
    t.a_eth0.drop_if = [](const std::vector<uint8_t>& f) { return is_tcp_frame(f); };
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_STREAM, 0, d); }).ret);
    ASSERT_EQ(call([&](SysDone d) { libc_setsockopt(*t.a, fd, SOL_IP, IP_RECVERR, 1, d); }).ret, 0);
    auto c = start([&](SysDone d) {
        libc_connect(*t.a, fd, SockAddrIn{AF_INET, 80, ip("192.168.1.200")}, d);
    });
    t.sim.run_until(10 * kNsPerMs);
    const std::vector<uint8_t>* syn = nullptr;
    for (const auto& f : t.a_eth0.sent)
        if (is_tcp_frame(f)) syn = &f;
    ASSERT_TRUE(syn);
    // Time exceeded is a soft error, but in SYN_SENT every error aborts the connect.
    t.a_eth0.receive(
        icmp_error_about(*syn, t.b_eth0.dev_addr, ip("192.168.1.200"), wire::IcmpType::TimeExceeded, 0));
    t.sim.run_until(20 * kNsPerMs);
    ASSERT_TRUE(c->has_value());
    EXPECT_EQ((*c)->err, EHOSTUNREACH);
    Sock* sk = t.a->fdtable.at(fd)->sk.get();
    ASSERT_EQ(sk->sk_error_queue.size(), 1u); // ip_icmp_error
    EXPECT_EQ(SKB_EXT_ERR(sk->sk_error_queue.front()).ee.ee_type, wire::IcmpType::TimeExceeded);
    call([&](SysDone d) { libc_close(*t.a, fd, d); });
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(IcmpSockErr, TcpIgnoresAnErrorForASequenceNotInFlight) {
    TwoHosts t;
    t.a_eth0.drop_if = [](const std::vector<uint8_t>& f) { return is_tcp_frame(f); };
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_STREAM, 0, d); }).ret);
    auto c = start([&](SysDone d) {
        libc_connect(*t.a, fd, SockAddrIn{AF_INET, 80, ip("192.168.1.200")}, d);
    });
    t.sim.run_until(10 * kNsPerMs);
    std::vector<uint8_t> syn;
    for (const auto& f : t.a_eth0.sent)
        if (is_tcp_frame(f)) syn = f;
    ASSERT_FALSE(syn.empty());
    syn[14 + 20 + 4] ^= 0x80; // the quoted sequence number: far outside snd_una..snd_nxt
    t.a_eth0.receive(icmp_error_about(syn, t.b_eth0.dev_addr, ip("192.168.1.200"),
                                      wire::IcmpType::DestUnreach, wire::IcmpCode::PortUnreach));
    t.sim.run_until(20 * kNsPerMs);
    EXPECT_FALSE(c->has_value()); // still connecting
    EXPECT_EQ(notes_with(t.sim.trace(), "not in flight"), 1);
}

TEST(IcmpSockErr, TcpEstablishedKeepsASoftError) {
    TwoHosts t;
    int lfd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.b, AF_INET, SOCK_STREAM, 0, d); }).ret);
    call([&](SysDone d) { libc_bind(*t.b, lfd, SockAddrIn{AF_INET, 80, ip("0.0.0.0")}, d); });
    call([&](SysDone d) { libc_listen(*t.b, lfd, 4, d); });
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_STREAM, 0, d); }).ret);
    auto c = start([&](SysDone d) {
        libc_connect(*t.a, fd, SockAddrIn{AF_INET, 80, ip("192.168.1.200")}, d);
    });
    t.sim.run_until(10 * kNsPerMs);
    ASSERT_TRUE(c->has_value());
    ASSERT_EQ((*c)->ret, 0);
    // The data segment is lost; an ICMP host unreachable quoting it arrives.
    t.a_eth0.drop_if = [](const std::vector<uint8_t>& f) { return is_tcp_frame(f); };
    call([&](SysDone d) { libc_send(*t.a, fd, bytes("data"), 0, d); });
    t.sim.run_until(11 * kNsPerMs);
    const std::vector<uint8_t>& seg = t.a_eth0.sent.back();
    ASSERT_TRUE(is_tcp_frame(seg));
    t.a_eth0.receive(icmp_error_about(seg, t.b_eth0.dev_addr, ip("192.168.1.200"),
                                      wire::IcmpType::DestUnreach, wire::IcmpCode::HostUnreach));
    t.sim.run_until(12 * kNsPerMs);
    Sock* sk = t.a->fdtable.at(fd)->sk.get();
    EXPECT_EQ(sk->sk_err_soft, EHOSTUNREACH);
    EXPECT_EQ(sk->sk_err, 0); // not reported while the connection lives
    EXPECT_EQ(tcp_sk(sk)->sk_state, TCP_ESTABLISHED);
    // The retransmissions never get through: when they give up (tcp_write_err), the soft error
    // explains the failure instead of ETIMEDOUT.
    auto r = start([&](SysDone d) { libc_recv(*t.a, fd, 100, 0, d); });
    t.sim.run_until(3600 * kNsPerSec);
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->err, EHOSTUNREACH);
    EXPECT_EQ(tcp_sk(sk)->sk_state, TCP_CLOSE);
}

} // namespace
} // namespace skbscope::test
