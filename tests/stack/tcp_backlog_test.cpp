// The socket backlog in virtual time (stack/socket/sock.cpp's model): a segment whose softirq time
// falls inside B's recv() (between lock_sock and release_sock) goes to sk_backlog through
// tcp_add_backlog and is processed by __release_sock -> sk_backlog_rcv -> tcp_v4_do_rcv in B's task
// context, once, no earlier than the release; the backlog limit drops with SOCKET_BACKLOG; the
// same run twice gives a byte-identical trace.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/trace/trace_file.h"
#include "stack/ipv4/tcp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

std::vector<uint8_t> bytes(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 13);
    return v;
}

// A connected pair: B accepted (afd), A connected (cfd); then A sends `first` bytes that B leaves
// in its receive queue, so a later recv() has much to copy (a long lock_sock .. release_sock).
struct Connected : TwoHosts {
    int lfd = -1, cfd = -1, afd = -1;
    explicit Connected(size_t first) {
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
        if (first) {
            libc_send(*a, cfd, bytes(first, 1), 0, [](const SysResult&) {});
            sim.run_until(sim.now() + 300 * kNsPerMs); // delivered and ACKed (delayed ACK included)
        }
    }
    TcpSock* child() { return tcp_sk(b->fdtable.at(afd)->sk.get()); }
};

constexpr TimeNs kSendAt = 1 * kNsPerSec;

// FuncEnter times of fn on host at or after from.
std::vector<size_t> enters(const Trace& t, const std::string& host, const std::string& fn, size_t from = 0) {
    std::vector<size_t> out;
    for (size_t i = find_enter(t, host, fn, from); i != std::string::npos; i = find_enter(t, host, fn, i + 1))
        out.push_back(i);
    return out;
}

// A sends 100 bytes at kSendAt; B calls recv(65536) at recv_at (0: never). Returns the data B read.
struct RecvRun {
    std::unique_ptr<Connected> c = std::make_unique<Connected>(40000);
    std::vector<uint8_t> got;
    explicit RecvRun(TimeNs recv_at) {
        Connected& p = *c;
        p.sim.at(kSendAt, p.a->ctx, [&p] { libc_send(*p.a, p.cfd, bytes(100, 7), 0, [](const SysResult&) {}); });
        if (recv_at)
            p.sim.at(recv_at, p.b->ctx, [this, &p] {
                libc_recv(*p.b, p.afd, 65536, 0, [this, &p](const SysResult& r) {
                    EXPECT_EQ(r.ret, 40000);
                    got = r.data;
                    // the second read finds the backlogged segment's 100 bytes
                    libc_recv(*p.b, p.afd, 65536, 0, [this](const SysResult& r2) {
                        EXPECT_EQ(r2.ret, 100);
                        got.insert(got.end(), r2.data.begin(), r2.data.end());
                    });
                });
            });
        p.sim.run_until(kSendAt + 200 * kNsPerMs);
    }
    const Trace& trace() const { return c->sim.trace(); }
};

// When B's softirq runs tcp_v4_rcv for A's 100-byte segment, with no recv() in the way.
TimeNs segment_time() {
    RecvRun r(0);
    const Trace& t = r.trace();
    size_t i = std::string::npos;
    for (size_t j : enters(t, "B", "tcp_v4_rcv"))
        if (t.events[j].time >= kSendAt) {
            i = j;
            break;
        }
    EXPECT_NE(i, std::string::npos);
    return i == std::string::npos ? 0 : t.events[i].time;
}

TEST(TcpBacklog, SegmentDuringRecvIsBackloggedAndProcessedAtReleaseSock) {
    const TimeNs t_rcv = segment_time();
    ASSERT_GT(t_rcv, kSendAt);
    // B's recv starts 1 us before the segment reaches tcp_v4_rcv: copying 40000 bytes holds the lock
    // for ~5 us, so the segment's softirq time falls inside lock_sock .. release_sock.
    RecvRun r(t_rcv - 1 * kNsPerUs);
    const Trace& t = r.trace();
    size_t recv = find_enter(t, "B", "tcp_recvmsg");
    ASSERT_NE(recv, std::string::npos);
    size_t lock = find_enter(t, "B", "lock_sock", recv);
    size_t release = find_enter(t, "B", "release_sock", recv);
    ASSERT_NE(lock, std::string::npos);
    ASSERT_NE(release, std::string::npos);
    const TimeNs t_lock = t.events[lock].time, t_release = t.events[release].time;
    ASSERT_LT(t_lock, t_rcv);
    ASSERT_GT(t_release, t_rcv) << "the copy should hold the lock past the segment's arrival";

    // softirq: tcp_v4_rcv -> tcp_add_backlog at the segment's time, no tcp_v4_do_rcv inside
    size_t add = find_enter(t, "B", "tcp_add_backlog");
    ASSERT_NE(add, std::string::npos);
    EXPECT_EQ(t.contexts[t.events[add].ctx].kind, ContextKind::Softirq);
    size_t v4rcv = add;
    while (v4rcv > 0 && !(t.events[v4rcv].kind == EventKind::FuncEnter && t.str(t.events[v4rcv].name) == "tcp_v4_rcv" &&
                          t.events[v4rcv].ctx == t.events[add].ctx))
        --v4rcv;
    EXPECT_EQ(t.events[v4rcv].time, t_rcv);
    EXPECT_EQ(in_order(calls_on(t, "B", v4rcv), {"tcp_v4_rcv", "__inet_lookup_skb", "tcp_add_backlog"}), "");
    size_t v4rcv_exit = find_exit(t, v4rcv);
    ASSERT_NE(v4rcv_exit, std::string::npos);
    for (size_t i = v4rcv; i < v4rcv_exit; ++i)
        if (t.events[i].ctx == t.events[add].ctx && t.events[i].kind == EventKind::FuncEnter)
            EXPECT_NE(t.str(t.events[i].name), "tcp_v4_do_rcv") << "processed in softirq despite the owner";
    // the sk_backlog queue: one enqueue (softirq), one dequeue (B's task)
    int enq = 0, deq = 0;
    for (const auto& e : t.events)
        if (e.kind == EventKind::Queue && t.str(e.name) == "sk_backlog" && e.time >= kSendAt &&
            t.host_name(t.contexts[e.ctx].host) == "B") { // (A's sendmsg backlogs B's ACKs too)
            if (e.a[0] == static_cast<int64_t>(QueueOp::Enqueue)) ++enq;
            if (e.a[0] == static_cast<int64_t>(QueueOp::Dequeue)) {
                ++deq;
                EXPECT_EQ(t.contexts[e.ctx].kind, ContextKind::Task);
            }
        }
    EXPECT_EQ(enq, 1);
    EXPECT_EQ(deq, 1);

    // B's task: __release_sock -> sk_backlog_rcv -> tcp_v4_do_rcv -> tcp_rcv_established, no earlier
    // than the release, exactly once
    auto rel = enters(t, "B", "__release_sock");
    ASSERT_EQ(rel.size(), 1u);
    const auto& re = t.events[rel[0]];
    EXPECT_EQ(t.contexts[re.ctx].kind, ContextKind::Task);
    EXPECT_EQ(re.ctx, t.events[recv].ctx);
    EXPECT_GE(re.time, t_release);
    // here B's callback issues the next recv() at once, which sleeps: B's context is free then
    EXPECT_LT(re.time, t_release + 2 * kNsPerUs);
    EXPECT_EQ(in_order(calls_on(t, "B", rel[0]),
                          {"__release_sock", "sk_backlog_rcv", "tcp_v4_do_rcv", "tcp_rcv_established", "tcp_queue_rcv"}),
              "");
    size_t n_do_rcv = 0;
    for (size_t i : enters(t, "B", "tcp_v4_do_rcv"))
        if (t.events[i].time >= t_rcv) ++n_do_rcv;
    EXPECT_EQ(n_do_rcv, 1u) << "the segment must be processed exactly once";
    // and the bytes reach the user in order
    std::vector<uint8_t> want = bytes(40000, 1);
    auto tail = bytes(100, 7);
    want.insert(want.end(), tail.begin(), tail.end());
    EXPECT_EQ(r.got, want);
}

TEST(TcpBacklog, SameRunTwiceGivesTheSameTrace) {
    const TimeNs t_rcv = segment_time();
    RecvRun r1(t_rcv - 1 * kNsPerUs);
    RecvRun r2(t_rcv - 1 * kNsPerUs);
    ASSERT_NE(find_enter(r1.trace(), "B", "tcp_add_backlog"), std::string::npos);
    EXPECT_EQ(trace_to_bytes(r1.trace()), trace_to_bytes(r2.trace()));
}

TEST(TcpBacklog, BacklogOverTheLimitDropsWithSocketBacklog) {
    Connected p(0);
    TcpSock* sk = p.child();
    // B's task holds the lock (as inside a long system call) while frames keep arriving
    sk->sk_rcvbuf = 4608;
    sk->sk_sndbuf = 4608;
    const uint32_t limit = 2 * 4608 + 4608 / 2 + 64 * 1024; // Linux 6.8+: 2 rcvbuf + sndbuf/2 + 64 KB
    p.sim.in_context(p.b->ctx, [&] { lock_sock(p.B, sk); });
    // A's data segment, delivered once, then replayed to B while the lock is held
    size_t before = p.a_eth0.sent.size();
    libc_send(*p.a, p.cfd, bytes(1448, 3), 0, [](const SysResult&) {});
    p.sim.run_until(p.sim.now() + 1 * kNsPerMs);
    ASSERT_GT(p.a_eth0.sent.size(), before);
    std::vector<uint8_t> frame = p.a_eth0.sent[before];
    ASSERT_GT(frame.size(), 1448u);
    EXPECT_EQ(sk->sk_backlog.q.size(), 1u); // the original, waiting for release_sock
    for (int i = 0; i < 80; ++i) {
        p.b_eth0.receive(frame);
        p.sim.run_until(p.sim.now() + 2 * kNsPerUs);
    }
    const Trace& t = p.sim.trace();
    int dropped = drops(t, DropReason::SocketBacklog);
    EXPECT_GT(dropped, 0);
    EXPECT_EQ(static_cast<int>(sk->sk_backlog.q.size()) + dropped, 81);
    EXPECT_LE(sk->sk_backlog.len + sk->sk_rmem_alloc, limit + sk->sk_backlog.q.back().skb->truesize);
    EXPECT_GT(sk->sk_backlog.len + sk->sk_rmem_alloc, limit - sk->sk_backlog.q.back().skb->truesize);
    EXPECT_GE(notes_with(t, "TCPBACKLOGDROP"), dropped);
    // release_sock processes what was kept, in B's context: the original delivers its 1448 bytes,
    // the replays are duplicates: they end at rcv_nxt (= rcv_wup, not left of it), so they pass
    // tcp_sequence and tcp_data_queue drops them as TCP_OLD_DATA, forcing an immediate ACK
    uint32_t rcv_nxt = sk->rcv_nxt;
    std::vector<uint32_t> kept;
    for (const auto& e : sk->sk_backlog.q) kept.push_back(e.skb->id);
    size_t mark = t.events.size();
    p.sim.in_context(p.b->ctx, [&] { release_sock(p.B, sk); });
    EXPECT_TRUE(sk->sk_backlog.q.empty());
    EXPECT_EQ(sk->sk_backlog.len, 0u);
    EXPECT_EQ(sk->rcv_nxt, rcv_nxt + 1448); // the data once, however many copies came
    ASSERT_EQ(sk->sk_receive_queue.size(), 1u);
    EXPECT_EQ(sk->sk_receive_queue.front()->id, kept[0]);
    // every replay was processed by __release_sock in B's task and freed there
    size_t freed = 0;
    for (size_t i = mark; i < t.events.size(); ++i) {
        const auto& e = t.events[i];
        if (e.kind == EventKind::SkbFree && std::find(kept.begin() + 1, kept.end(), e.skb) != kept.end()) {
            ++freed;
            EXPECT_EQ(e.ctx, p.b->ctx);
            EXPECT_EQ(static_cast<DropReason>(e.a[0]), DropReason::TcpOldData);
        }
    }
    EXPECT_EQ(freed, kept.size() - 1);
}

// sk_flush_backlog: a long send() lets backlogged ACKs through every 16 new skbs, inside
// tcp_sendmsg_locked, instead of holding them until release_sock.
TEST(TcpBacklog, LongSendFlushesTheBacklogEvery16Skbs) {
    Connected p(2000); // B has sent a pure ACK of these bytes
    TcpSock* sk = tcp_sk(p.a->fdtable.at(p.cfd)->sk.get());
    std::vector<uint8_t> ack = p.b_eth0.sent.back();
    // A's task owns the socket while B's ACK arrives again: it waits on sk_backlog
    p.sim.in_context(p.a->ctx, [&] { lock_sock(p.A, sk); });
    p.a_eth0.receive(ack);
    p.sim.run_until(p.sim.now() + 10 * kNsPerUs);
    ASSERT_EQ(sk->sk_backlog.q.size(), 1u);
    // the state a release_sock leaves when the softirq backlogged into its span after it ran in C++
    // and the task's next call runs before the __release_sock event: the lock free, the entry due
    sk->sk_lock.owned = false;
    sk->sk_backlog.q.front().due = p.sim.now();
    sk->sk_sndbuf = 8 << 20; // room for more than 16 skbs without sleeping
    size_t mark = p.sim.trace().events.size();
    auto r = call([&](SysDone d) { libc_send(*p.a, p.cfd, bytes(1 << 20, 9), MSG_DONTWAIT, d); });
    EXPECT_EQ(r.ret, 1 << 20);
    EXPECT_TRUE(sk->sk_backlog.q.empty());
    const Trace& t = p.sim.trace();
    size_t flush = find_enter(t, "A", "sk_flush_backlog", mark);
    ASSERT_NE(flush, std::string::npos);
    EXPECT_EQ(in_order(calls_on(t, "A", flush), {"sk_flush_backlog", "__release_sock", "sk_backlog_rcv", "tcp_v4_do_rcv"}),
              "");
    // inside the send, after 16 new skbs, before release_sock
    size_t locked = find_enter(t, "A", "tcp_sendmsg_locked", mark);
    size_t release = find_enter(t, "A", "release_sock", mark);
    ASSERT_NE(locked, std::string::npos);
    EXPECT_LT(locked, flush);
    EXPECT_LT(flush, release);
    size_t new_skbs = 0;
    for (size_t i = locked; i < flush; ++i)
        if (t.events[i].kind == EventKind::FuncEnter && t.str(t.events[i].name) == "tcp_stream_alloc_skb" &&
            t.events[i].ctx == p.a->ctx)
            ++new_skbs;
    EXPECT_GE(new_skbs, 16u);
    EXPECT_EQ(find_enter(t, "A", "sk_flush_backlog", flush + 1), std::string::npos); // once: nothing left after
}

} // namespace
} // namespace skbscope::test
