// TCP between two hosts: the handshake on the wire (flags, options in Linux's order), data
// delivered byte-exact, the FIN exchange with the states on both sides, RST to a closed port,
// the delayed-ACK and retransmission timers, sequence arithmetic and the RTO computation, and
// malformed segments dropped with Linux's reasons.
#include <gtest/gtest.h>

#include "core/wire/ethernet.h"
#include "core/wire/ipv4.h"
#include "core/wire/tcp.h"
#include "stack/ipv4/tcp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

struct Seg {
    wire::Ipv4Addr src;
    wire::TcpRepr tcp;
    size_t payload = 0;
};

// The TCP segments a device sent, parsed with core/wire.
std::vector<Seg> tcp_segments(const FakeNetDevice& d) {
    std::vector<Seg> out;
    for (const auto& f : d.sent) {
        auto e = wire::EthernetView::new_checked(f);
        if (!e.ok() || e->ethertype() != wire::EtherType::Ipv4) continue;
        auto v = wire::Ipv4View::new_checked(e->payload());
        if (!v.ok() || v->protocol() != wire::IpProto::Tcp) continue;
        auto t = wire::TcpView::new_checked(v->payload());
        EXPECT_TRUE(t.ok());
        if (!t.ok()) continue;
        EXPECT_TRUE(t->verify_checksum(v->saddr(), v->daddr()));
        auto r = wire::TcpRepr::parse(*t);
        EXPECT_TRUE(r.ok());
        if (!r.ok()) continue;
        out.push_back({v->saddr(), *r, t->payload().size()});
    }
    return out;
}

std::string kinds(const wire::TcpRepr& r) {
    std::string s;
    for (const auto& o : r.options) s += std::to_string(o.kind) + " ";
    return s;
}

std::vector<uint8_t> pattern(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i * 7 + i / 251) & 0xff);
    return v;
}

std::vector<int> states_of(const Trace& t, const std::string& sock_prefix) {
    std::vector<int> out;
    for (const auto& e : t.events)
        if (e.kind == EventKind::TcpState && std::string(t.str(e.ref)).rfind(sock_prefix, 0) == 0)
            out.push_back(static_cast<int>(e.a[1]));
    return out;
}

// B listens on 8080 and reads until EOF; A connects, sends, closes.
struct TcpPair : TwoHosts {
    int lfd = -1, cfd = -1, afd = -1;
    std::vector<uint8_t> received;
    bool eof = false, connected = false;
    int connect_err = 0;

    void listen(int backlog = 1) {
        lfd = static_cast<int>(call([&](SysDone d) { libc_socket(*b, AF_INET, SOCK_STREAM, 0, d); }).ret);
        ASSERT_EQ(call([&](SysDone d) { libc_bind(*b, lfd, SockAddrIn{AF_INET, 8080, ip("0.0.0.0")}, d); }).ret, 0);
        ASSERT_EQ(call([&](SysDone d) { libc_listen(*b, lfd, backlog, d); }).ret, 0);
    }
    void serve() {
        libc_accept(*b, lfd, 0, [this](const SysResult& r) {
            ASSERT_GE(r.ret, 0);
            afd = static_cast<int>(r.ret);
            read_loop();
        });
    }
    void read_loop() {
        libc_recv(*b, afd, 65536, 0, [this](const SysResult& r) {
            ASSERT_GE(r.ret, 0) << errno_name(r.err);
            if (r.ret == 0) {
                eof = true;
                libc_close(*b, afd, [](const SysResult&) {});
                return;
            }
            received.insert(received.end(), r.data.begin(), r.data.end());
            read_loop();
        });
    }
    void client(std::vector<uint8_t> data, uint16_t port = 8080, bool close_after = true) {
        cfd = static_cast<int>(call([&](SysDone d) { libc_socket(*a, AF_INET, SOCK_STREAM, 0, d); }).ret);
        libc_connect(*a, cfd, SockAddrIn{AF_INET, port, ip("192.168.1.200")},
                     [this, data, close_after](const SysResult& r) {
                         connect_err = r.err;
                         if (r.ret != 0) return;
                         connected = true;
                         if (data.empty()) return;
                         libc_send(*a, cfd, data, 0, [this, n = data.size(), close_after](const SysResult& s) {
                             EXPECT_EQ(s.ret, static_cast<int64_t>(n)) << errno_name(s.err);
                             if (close_after) libc_close(*a, cfd, [](const SysResult&) {});
                         });
                     });
    }
};

TEST(Tcp, HandshakeOnTheWireAsLinux) {
    TcpPair t;
    t.listen();
    t.serve();
    t.client({}, 8080, false);
    t.sim.run_until(100 * kNsPerMs);
    EXPECT_TRUE(t.connected);
    EXPECT_GE(t.afd, 4);
    auto a = tcp_segments(t.a_eth0);
    auto b = tcp_segments(t.b_eth0);
    ASSERT_GE(a.size(), 2u);
    ASSERT_GE(b.size(), 1u);
    // SYN: MSS 1460, SACK_PERM, TS, NOP, WS as tcp_options_write orders them; window 64240
    const auto& syn = a[0].tcp;
    EXPECT_EQ(syn.flags, wire::TcpFlags::Syn);
    EXPECT_EQ(kinds(syn), "2 4 8 1 3 ");
    EXPECT_EQ(syn.options[0].mss, 1460);
    EXPECT_EQ(syn.options[4].wscale, 10); // tcp_rmem[2] = 32 MB, as the reference capture shows
    EXPECT_EQ(syn.options[2].tsecr, 0u);
    EXPECT_EQ(syn.window, 64240);
    EXPECT_GE(syn.src_port, 32768);
    EXPECT_EQ(syn.src_port % 2, 0); // connect prefers even ports
    const auto& synack = b[0].tcp;
    EXPECT_EQ(synack.flags, wire::TcpFlags::Syn | wire::TcpFlags::Ack);
    EXPECT_EQ(kinds(synack), "2 4 8 1 3 ");
    EXPECT_EQ(synack.window, 65160);
    EXPECT_EQ(synack.ack_seq, syn.seq + 1);
    EXPECT_EQ(synack.options[2].tsecr, syn.options[2].tsval);
    const auto& ack = a[1].tcp;
    EXPECT_EQ(ack.flags, wire::TcpFlags::Ack);
    EXPECT_EQ(kinds(ack), "1 1 8 ");
    EXPECT_EQ(ack.seq, syn.seq + 1);
    EXPECT_EQ(ack.ack_seq, synack.seq + 1);
    EXPECT_EQ(ack.window, 63); // 64240 aligned up to 1024, >> 10
    EXPECT_EQ(states_of(t.sim.trace(), "A:sock 3"), (std::vector<int>{TCP_SYN_SENT, TCP_ESTABLISHED}));
}

void transfer(size_t n) {
    TcpPair t;
    t.listen();
    t.serve();
    auto data = pattern(n);
    t.client(data);
    t.sim.run_until(5 * kNsPerSec);
    EXPECT_TRUE(t.eof);
    ASSERT_EQ(t.received.size(), n);
    EXPECT_TRUE(t.received == data);
    // every data segment carries at most 1448 bytes (MSS 1460 - 12 bytes of timestamps)
    size_t psh = 0;
    for (const auto& s : tcp_segments(t.a_eth0)) {
        EXPECT_LE(s.payload, 1448u);
        if (s.tcp.flags & wire::TcpFlags::Psh) ++psh;
    }
    EXPECT_GE(psh, 1u);
    auto& tr = t.sim.trace();
    EXPECT_EQ(states_of(tr, "A:sock 3"),
              (std::vector<int>{TCP_SYN_SENT, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_TIME_WAIT}));
    auto bs = states_of(tr, "B:sock 4");
    EXPECT_EQ(bs, (std::vector<int>{TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_CLOSE}));
    t.sim.run_until(70 * kNsPerSec); // TIME_WAIT ends
    EXPECT_EQ(states_of(tr, "A:sock 3").back(), TCP_CLOSE);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(Tcp, Transfer4000BytesByteExactAndClose) { transfer(4000); }
TEST(Tcp, Transfer100000BytesByteExactAndClose) { transfer(100000); }

// The receiver measures scaling_ratio from its first full segment (tcp_measure_rcv_mss: len over
// truesize), re-derives window_clamp from sk_rcvbuf (tcp_set_window_clamp) and grows rcv_ssthresh
// by 2 * advmss a segment (tcp_grow_window): its ACKs offer more than the 63 << 10 of the handshake,
// and the right edge of the offered window never moves back.
TEST(Tcp, ReceiverWindowGrowsFromMeasuredScalingRatioAndNeverShrinks) {
    TcpPair t;
    t.listen();
    t.serve();
    auto data = pattern(10000);
    t.client(data);
    t.sim.run_until(5 * kNsPerSec);
    ASSERT_TRUE(t.eof);
    uint32_t max_win = 0, prev_edge = 0;
    bool first = true;
    for (const auto& s : tcp_segments(t.b_eth0)) {
        if (s.tcp.flags & wire::TcpFlags::Syn) continue;
        uint32_t win = uint32_t(s.tcp.window) << 10;
        max_win = std::max(max_win, win);
        uint32_t edge = s.tcp.ack_seq + win;
        if (!first) EXPECT_FALSE(before(edge, prev_edge)) << "the offered window shrank";
        prev_edge = edge;
        first = false;
    }
    EXPECT_GT(max_win, 64512u);
}

TEST(Tcp, ClosedPortAnswersRstAndConnectFailsWithEconnrefused) {
    TcpPair t;
    t.client({}, 9999);
    t.sim.run_until(100 * kNsPerMs);
    EXPECT_FALSE(t.connected);
    EXPECT_EQ(t.connect_err, ECONNREFUSED);
    auto b = tcp_segments(t.b_eth0);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].tcp.flags, wire::TcpFlags::Rst | wire::TcpFlags::Ack);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NoSocket), 1);
}

TEST(Tcp, SeqArithmeticAcrossWrap) {
    EXPECT_TRUE(before(0xfffffff0u, 0x10u));
    EXPECT_TRUE(after(0x10u, 0xfffffff0u));
    EXPECT_FALSE(before(0x10u, 0xfffffff0u));
    EXPECT_TRUE(between(0x5u, 0xfffffff0u, 0x10u));
    EXPECT_FALSE(before(7u, 7u));
}

TEST(Tcp, RtoFromRfc6298WithLinuxMinimum) {
    Sim sim;
    Host h(sim, "H");
    TcpSock sk;
    sk.label = "x";
    // first sample 100 ms: srtt 100 ms, rttvar max(50 ms, 200 ms) -> RTO 300 ms
    tcp_rtt_estimator(h, &sk, 100000);
    tcp_set_rto(h, &sk);
    EXPECT_EQ(sk.srtt_us >> 3, 100000u);
    EXPECT_EQ(sk.icsk_rto, 300 * kNsPerMs);
    // a tiny RTT (74 us) still gives at least 200 ms + srtt
    TcpSock s2;
    tcp_rtt_estimator(h, &s2, 74);
    tcp_set_rto(h, &s2);
    EXPECT_EQ(s2.icsk_rto, (74 + 200000) * kNsPerUs);
}

} // namespace
} // namespace skbscope::test

namespace skbscope::test {
namespace {

size_t timer_events(const Trace& t, const std::string& name, TimerOp op) {
    size_t n = 0;
    for (const auto& e : t.events)
        if (e.kind == EventKind::Timer && std::string(t.str(e.name)) == name && e.a[0] == static_cast<int64_t>(op)) ++n;
    return n;
}

TEST(TcpTimers, DelayedAckTimerFiresWhenOutOfQuickAck) {
    TcpPair t;
    t.listen();
    t.serve();
    t.client({}, 8080, false);
    t.sim.run_until(100 * kNsPerMs);
    ASSERT_TRUE(t.connected);
    // leave quick-ack mode on B's child, then one small segment is ACKed by the delayed-ACK timer
    auto* child = tcp_sk(t.b->fdtable.at(t.afd)->sk.get());
    child->ack_quick = 0;
    child->ack_lrcvtime = t.sim.now();
    size_t before_acks = tcp_segments(t.b_eth0).size();
    libc_send(*t.a, t.cfd, pattern(100), 0, [](const SysResult&) {});
    t.sim.run_until(t.sim.now() + 10 * kNsPerMs);
    EXPECT_EQ(tcp_segments(t.b_eth0).size(), before_acks); // not yet
    t.sim.run_until(t.sim.now() + 300 * kNsPerMs);
    EXPECT_EQ(tcp_segments(t.b_eth0).size(), before_acks + 1);
    EXPECT_GE(timer_events(t.sim.trace(), "icsk_delack_timer", TimerOp::Fire), 1u);
    EXPECT_NE(find_enter(t.sim.trace(), "B", "tcp_delack_timer_handler"), std::string::npos);
}

TEST(TcpLoss, ADroppedSegmentIsFastRetransmittedAfterThreeDupacks) {
    TcpPair t;
    t.listen();
    t.serve();
    int data_frames = 0;
    t.a_eth0.drop_if = [&](const std::vector<uint8_t>& f) {
        if (f.size() < 100) return false;
        return ++data_frames == 1; // the first data segment never arrives
    };
    auto data = pattern(3000);
    t.client(data);
    t.sim.run_until(10 * kNsPerSec);
    EXPECT_TRUE(t.eof);
    EXPECT_TRUE(t.received == data);
    auto& tr = t.sim.trace();
    // segments 2, 3 and the FIN come out of order: three duplicate ACKs with SACK -> fast retransmit
    EXPECT_NE(find_enter(tr, "A", "tcp_enter_recovery"), std::string::npos);
    size_t i = find_enter(tr, "A", "tcp_retransmit_skb");
    ASSERT_NE(i, std::string::npos);
    EXPECT_EQ(in_order(calls_on(tr, "A"), {"tcp_write_xmit", "tcp_retransmit_skb", "__tcp_retransmit_skb", "tcp_transmit_skb",
                                           "__tcp_transmit_skb", "ip_queue_xmit"}),
              "");
    t.sim.run_until(80 * kNsPerSec);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(TcpTimers, RtoTimerChainOnLostSynAndBackoffDoubles) {
    TcpPair t;
    t.listen();
    t.serve();
    int syns = 0;
    std::vector<TimeNs> syn_times;
    t.a_eth0.drop_if = [&](const std::vector<uint8_t>& f) {
        auto e = wire::EthernetView::new_checked(f);
        if (!e.ok() || e->ethertype() != wire::EtherType::Ipv4 || f.size() != 74) return false;
        syn_times.push_back(t.sim.now());
        return ++syns <= 2; // the first two SYNs are lost
    };
    t.client({}, 8080, false);
    t.sim.run_until(10 * kNsPerSec);
    EXPECT_TRUE(t.connected);
    auto a = tcp_segments(t.a_eth0);
    ASSERT_GE(a.size(), 3u);
    auto& tr = t.sim.trace();
    EXPECT_EQ(in_order(calls_on(tr, "A"), {"tcp_write_timer", "tcp_write_timer_handler", "tcp_retransmit_timer", "tcp_enter_loss",
                                           "tcp_retransmit_skb", "__tcp_retransmit_skb", "tcp_transmit_skb"}),
              "");
    // SYN at 0, retransmissions after 1 s and then 2 s more (the RTO doubles)
    ASSERT_EQ(syn_times.size(), 3u);
    EXPECT_NEAR(double(syn_times[1] - syn_times[0]), double(kNsPerSec), 1e6);     // TCP_TIMEOUT_INIT
    EXPECT_NEAR(double(syn_times[2] - syn_times[1]), double(2 * kNsPerSec), 1e6); // doubled
    EXPECT_GE(timer_events(tr, "icsk_retransmit_timer", TimerOp::Fire), 2u);
}

// A frame from B's peer to B:8080 built by hand, then damaged by f.
std::vector<uint8_t> crafted(uint8_t flags, const std::function<void(std::vector<uint8_t>&)>& f) {
    wire::TcpRepr th;
    th.src_port = 40000;
    th.dst_port = 8080;
    th.seq = 1000;
    th.flags = flags;
    th.window = 1000;
    std::vector<uint8_t> seg(th.header_len());
    th.emit(seg, ip("192.168.1.100"), ip("192.168.1.200"));
    f(seg);
    wire::Ipv4Repr ipr;
    ipr.saddr = ip("192.168.1.100");
    ipr.daddr = ip("192.168.1.200");
    ipr.protocol = wire::IpProto::Tcp;
    ipr.payload_len = static_cast<uint16_t>(seg.size());
    std::vector<uint8_t> frame(14 + 20 + seg.size());
    wire::EthernetRepr er;
    er.src = mac("02:00:00:00:00:0a");
    er.dst = mac("02:00:00:00:00:0b");
    er.ethertype = wire::EtherType::Ipv4;
    er.emit(frame);
    ipr.emit(std::span<uint8_t>(frame.data() + 14, 20));
    std::copy(seg.begin(), seg.end(), frame.begin() + 34);
    return frame;
}

TEST(TcpInput, MalformedSegmentsAreDroppedWithLinuxReasons) {
    TcpPair t;
    t.listen();
    auto send = [&](std::vector<uint8_t> f) {
        t.b_eth0.receive(std::move(f));
        t.sim.run_until(t.sim.now() + kNsPerMs);
    };
    auto& tr = t.sim.trace();
    send(crafted(wire::TcpFlags::Syn, [](std::vector<uint8_t>& s) { s[16] ^= 0xff; })); // bad checksum
    EXPECT_EQ(drops(tr, DropReason::TcpCsum), 1);
    send(crafted(wire::TcpFlags::Syn, [](std::vector<uint8_t>& s) { s[12] = 0x40; })); // doff 4
    EXPECT_EQ(drops(tr, DropReason::PktTooSmall), 1);
    send(crafted(wire::TcpFlags::Syn, [](std::vector<uint8_t>& s) { s[12] = 0xf0; })); // doff 15 > segment
    EXPECT_EQ(drops(tr, DropReason::NotSpecified), 1);
    send(crafted(wire::TcpFlags::Syn | wire::TcpFlags::Fin, [](std::vector<uint8_t>&) {})); // SYN+FIN
    EXPECT_EQ(drops(tr, DropReason::TcpFlags), 1);
    EXPECT_EQ(tcp_segments(t.b_eth0).size(), 0u); // no SYN-ACK to any of them
}

} // namespace
} // namespace skbscope::test
