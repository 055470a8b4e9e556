// The keepalive timer (tcp_keepalive_timer -> tcp_write_wakeup -> tcp_xmit_probe_skb): Linux's
// defaults (7200 s, 75 s, 9), TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT with their limits, probes
// on the wire (a bare ACK for snd_una - 1) after the idle time, an answering peer keeps the
// connection, a dead one ends it with a RST and ETIMEDOUT after TCP_KEEPCNT unanswered probes.
#include <gtest/gtest.h>

#include "core/wire/ethernet.h"
#include "core/wire/ipv4.h"
#include "core/wire/tcp.h"
#include "stack/ipv4/tcp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

struct Seg {
    wire::TcpRepr tcp;
    size_t payload = 0;
};

std::vector<Seg> tcp_segments(const FakeNetDevice& d, size_t from = 0) {
    std::vector<Seg> out;
    for (size_t i = from; i < d.sent.size(); ++i) {
        auto e = wire::EthernetView::new_checked(d.sent[i]);
        if (!e.ok() || e->ethertype() != wire::EtherType::Ipv4) continue;
        auto v = wire::Ipv4View::new_checked(e->payload());
        if (!v.ok() || v->protocol() != wire::IpProto::Tcp) continue;
        auto t = wire::TcpView::new_checked(v->payload());
        if (!t.ok()) continue;
        EXPECT_TRUE(t->verify_checksum(v->saddr(), v->daddr()));
        auto r = wire::TcpRepr::parse(*t);
        if (r.ok()) out.push_back({*r, t->payload().size()});
    }
    return out;
}

struct Pair : TwoHosts {
    int lfd = -1, cfd = -1, afd = -1;
    Pair() {
        lfd = static_cast<int>(call([&](SysDone d) { libc_socket(*b, AF_INET, SOCK_STREAM, 0, d); }).ret);
        EXPECT_EQ(call([&](SysDone d) { libc_bind(*b, lfd, SockAddrIn{AF_INET, 8080, ip("0.0.0.0")}, d); }).ret, 0);
        EXPECT_EQ(call([&](SysDone d) { libc_listen(*b, lfd, 4, d); }).ret, 0);
        libc_accept(*b, lfd, 0, [this](const SysResult& r) { afd = static_cast<int>(r.ret); });
        cfd = static_cast<int>(call([&](SysDone d) { libc_socket(*a, AF_INET, SOCK_STREAM, 0, d); }).ret);
        libc_connect(*a, cfd, SockAddrIn{AF_INET, 8080, ip("192.168.1.200")}, [](const SysResult& r) {
            EXPECT_EQ(r.ret, 0) << errno_name(r.err);
        });
        sim.run_until(100 * kNsPerMs);
        EXPECT_GE(afd, 0);
    }
    int64_t setopt(int level, int opt, int64_t v) {
        return call([&](SysDone d) { libc_setsockopt(*a, cfd, level, opt, v, d); }).ret;
    }
    int64_t getopt(int level, int opt) {
        return call([&](SysDone d) { libc_getsockopt(*a, cfd, level, opt, d); }).optval;
    }
    TcpSock* sk() { return tcp_sk(a->fdtable.at(cfd)->sk.get()); }
    // A's keepalive probes: bare ACKs whose sequence is one below snd_una.
    size_t probes(size_t from_frame = 0) {
        size_t n = 0;
        for (const auto& s : tcp_segments(a_eth0, from_frame))
            if (s.payload == 0 && s.tcp.flags == wire::TcpFlags::Ack && s.tcp.seq == sk()->snd_una - 1) ++n;
        return n;
    }
};

constexpr int SOL_SOCKET_ = 1;

TEST(TcpKeepalive, LinuxDefaultsAndOptionLimits) {
    Pair p;
    EXPECT_EQ(p.getopt(IPPROTO_TCP, TCP_KEEPIDLE), 7200);
    EXPECT_EQ(p.getopt(IPPROTO_TCP, TCP_KEEPINTVL), 75);
    EXPECT_EQ(p.getopt(IPPROTO_TCP, TCP_KEEPCNT), 9);
    EXPECT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPIDLE, 0), -1);
    EXPECT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPIDLE, 32768), -1);
    EXPECT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPCNT, 128), -1);
    EXPECT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPINTVL, 0), -1);
    EXPECT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPIDLE, 30), 0);
    EXPECT_EQ(p.getopt(IPPROTO_TCP, TCP_KEEPIDLE), 30);
    // SO_KEEPALIVE with the default idle time: the timer is armed 7200 s out, nothing before
    Pair q;
    const TimeNs before = q.sim.now();
    EXPECT_EQ(q.setopt(SOL_SOCKET_, SO_KEEPALIVE_, 1), 0);
    ASSERT_TRUE(q.sk()->keepalive_timer);
    EXPECT_GE(q.sk()->keepalive_timer_expires, before + 7200 * kNsPerSec);
    EXPECT_LT(q.sk()->keepalive_timer_expires, before + 7200 * kNsPerSec + kNsPerUs); // armed inside setsockopt
    q.sim.run_until(before + 7199 * kNsPerSec);
    EXPECT_EQ(q.probes(), 0u);
    q.sim.run_until(before + 7201 * kNsPerSec);
    EXPECT_EQ(q.probes(), 1u);
}

TEST(TcpKeepalive, AnsweredProbesKeepTheConnection) {
    Pair p;
    ASSERT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPIDLE, 2), 0);
    ASSERT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPINTVL, 1), 0);
    ASSERT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPCNT, 3), 0);
    ASSERT_EQ(p.setopt(SOL_SOCKET_, SO_KEEPALIVE_, 1), 0);
    const TimeNs t0 = p.sim.now();
    size_t a_frames = p.a_eth0.sent.size(), b_frames = p.b_eth0.sent.size();
    p.sim.run_until(t0 + 1900 * kNsPerMs);
    EXPECT_EQ(p.probes(a_frames), 0u) << "no probe before TCP_KEEPIDLE";
    p.sim.run_until(t0 + 10500 * kNsPerMs);
    // each probe is answered, which restarts the idle time: one probe every 2 s
    EXPECT_EQ(p.probes(a_frames), 5u);
    auto b_segs = tcp_segments(p.b_eth0, b_frames);
    EXPECT_EQ(b_segs.size(), 5u); // B's ACK to each probe (tcp_validate_incoming: dupack)
    for (const auto& s : b_segs) {
        EXPECT_EQ(s.tcp.flags, wire::TcpFlags::Ack);
        EXPECT_EQ(s.tcp.ack_seq, p.sk()->snd_una); // what B expects next: the probe's byte is old
    }
    EXPECT_EQ(p.sk()->sk_state, TCP_ESTABLISHED);
    EXPECT_EQ(p.sk()->icsk_probes_out, 0);
    const Trace& t = p.sim.trace();
    size_t timer = find_enter(t, "A", "tcp_keepalive_timer");
    ASSERT_NE(timer, std::string::npos);
    EXPECT_EQ(in_order(calls_on(t, "A", timer), {"tcp_keepalive_timer", "tcp_write_wakeup", "tcp_xmit_probe_skb",
                                                 "tcp_transmit_skb", "ip_queue_xmit", "inet_csk_reset_keepalive_timer"}),
              "");
    EXPECT_GE(t.events[timer].time, t0 + 2 * kNsPerSec);
    EXPECT_LT(t.events[timer].time, t0 + 2 * kNsPerSec + kNsPerMs);
}

TEST(TcpKeepalive, DeadPeerEndsWithEtimedoutAfterKeepcntProbes) {
    Pair p;
    ASSERT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPIDLE, 2), 0);
    ASSERT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPINTVL, 1), 0);
    ASSERT_EQ(p.setopt(IPPROTO_TCP, TCP_KEEPCNT, 3), 0);
    ASSERT_EQ(p.setopt(SOL_SOCKET_, SO_KEEPALIVE_, 1), 0);
    const TimeNs t0 = p.sim.now();
    p.a_eth0.drop_all = true; // the cable is cut: nothing from A reaches B
    std::optional<SysResult> rr;
    TimeNs returned_at = 0;
    libc_recv(*p.a, p.cfd, 100, 0, [&](const SysResult& r) {
        rr = r;
        returned_at = p.sim.now();
    });
    size_t a_frames = p.a_eth0.sent.size();
    p.sim.run_until(t0 + 4500 * kNsPerMs);
    EXPECT_EQ(p.probes(a_frames), 3u); // at 2, 3 and 4 s
    EXPECT_FALSE(rr.has_value());
    p.sim.run_until(t0 + 20 * kNsPerSec);
    ASSERT_TRUE(rr.has_value()) << "recv should fail when keepalive gives up";
    EXPECT_EQ(rr->ret, -1);
    EXPECT_EQ(rr->err, ETIMEDOUT);
    EXPECT_GE(returned_at, t0 + 5 * kNsPerSec); // the fourth expiry: 3 probes unanswered
    EXPECT_LT(returned_at, t0 + 5 * kNsPerSec + kNsPerMs);
    EXPECT_EQ(p.sk()->sk_state, TCP_CLOSE);
    auto segs = tcp_segments(p.a_eth0, a_frames);
    ASSERT_EQ(segs.size(), 4u);
    EXPECT_TRUE(segs.back().tcp.flags & wire::TcpFlags::Rst); // tcp_send_active_reset
    EXPECT_FALSE(p.sk()->keepalive_timer);
}

} // namespace
} // namespace skbscope::test
