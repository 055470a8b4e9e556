// Golden chains of the socket backlog (callchains.md "Receive of a TCP data segment" and "recv()"):
// B's recv() copies 40000 queued bytes, holding the socket lock, while A's next segment reaches
// B's softirq: tcp_v4_rcv -> __inet_lookup_skb -> tcp_add_backlog; then in B's task
// __release_sock -> sk_backlog_rcv -> tcp_v4_do_rcv -> tcp_rcv_established (rendered as a golden
// tree, tests/golden/expected/tcp_backlog_release.txt).
#include <gtest/gtest.h>

#include "stack/ipv4/tcp.h"
#include "tests/stack/stack_fixture.h"
#include "tests/support/trace_checker.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

std::vector<uint8_t> payload(size_t n) { return std::vector<uint8_t>(n, 0x5a); }

// Two hosts on one link; B accepts, A sends 40000 bytes that B leaves queued; at kSendAt A sends
// 100 more; B's recv() starts at recv_at (0: never).
std::unique_ptr<TwoHosts> backlog_run(TimeNs recv_at, TimeNs send_at) {
    auto h = std::make_unique<TwoHosts>();
    TwoHosts& p = *h;
    int lfd = static_cast<int>(call([&](SysDone d) { libc_socket(*p.b, AF_INET, SOCK_STREAM, 0, d); }).ret);
    EXPECT_EQ(call([&](SysDone d) { libc_bind(*p.b, lfd, SockAddrIn{AF_INET, 8080, ip("0.0.0.0")}, d); }).ret, 0);
    EXPECT_EQ(call([&](SysDone d) { libc_listen(*p.b, lfd, 4, d); }).ret, 0);
    auto afd = std::make_shared<int>(-1);
    libc_accept(*p.b, lfd, 0, [afd](const SysResult& r) { *afd = static_cast<int>(r.ret); });
    int cfd = static_cast<int>(call([&](SysDone d) { libc_socket(*p.a, AF_INET, SOCK_STREAM, 0, d); }).ret);
    libc_connect(*p.a, cfd, SockAddrIn{AF_INET, 8080, ip("192.168.1.200")}, [&p, cfd](const SysResult& r) {
        EXPECT_EQ(r.ret, 0);
        libc_send(*p.a, cfd, payload(40000), 0, [](const SysResult&) {});
    });
    p.sim.at(send_at, p.a->ctx, [&p, cfd] { libc_send(*p.a, cfd, payload(100), 0, [](const SysResult&) {}); });
    if (recv_at)
        p.sim.at(recv_at, p.b->ctx, [&p, afd] { libc_recv(*p.b, *afd, 65536, 0, [](const SysResult&) {}); });
    p.sim.run_until(send_at + 100 * kNsPerMs);
    return h;
}

const Trace& backlog_trace() {
    static std::unique_ptr<TwoHosts> run;
    if (!run) {
        const TimeNs send_at = 500 * kNsPerMs;
        auto probe = backlog_run(0, send_at); // when tcp_v4_rcv sees the 100 bytes without a recv()
        const Trace& t = probe->sim.trace();
        TimeNs t_rcv = 0;
        for (size_t i = 0; i < t.events.size() && !t_rcv; ++i) {
            const auto& e = t.events[i];
            if (e.kind == EventKind::FuncEnter && e.time >= send_at && t.str(e.name) == "tcp_v4_rcv" &&
                t.host_name(t.contexts[e.ctx].host) == "B")
                t_rcv = e.time;
        }
        EXPECT_GT(t_rcv, send_at);
        run = backlog_run(t_rcv - 1 * kNsPerUs, send_at); // B's recv holds the lock across t_rcv
    }
    return run->sim.trace();
}

} // namespace

TEST(TcpBacklogChains, SoftirqQueuesOnTheBacklogWhileTheTaskOwnsTheSocket) {
    const Trace& t = backlog_trace();
    std::vector<std::string> chain = {"tcp_v4_rcv", "__inet_lookup_skb", "tcp_add_backlog"};
    expect_names_in_callchains(chain);
    auto add = find_call(t, "B", "tcp_add_backlog", 0, ContextKind::Softirq);
    ASSERT_TRUE(add) << "the segment was not backlogged";
    std::optional<size_t> rcv;
    for (int n = 0; auto at = find_call(t, "B", "tcp_v4_rcv", n, ContextKind::Softirq); ++n)
        if (*at < *add) rcv = at;
    ASSERT_TRUE(rcv);
    EXPECT_EQ(check_in_order(calls_inside(t, *rcv), chain), "");
    for (const auto& fn : calls_inside(t, *rcv)) EXPECT_NE(fn, "tcp_v4_do_rcv");
}

TEST(TcpBacklogChains, ReleaseSockRunsTheBacklogInTheTask) {
    const Trace& t = backlog_trace();
    std::vector<std::string> chain = {"__release_sock", "sk_backlog_rcv", "tcp_v4_do_rcv", "tcp_rcv_established",
                                      "tcp_queue_rcv"};
    expect_names_in_callchains(chain);
    auto rel = find_call(t, "B", "__release_sock", 0, ContextKind::Task);
    ASSERT_TRUE(rel);
    EXPECT_EQ(check_in_order(calls_inside(t, *rel), chain), "");
    expect_golden(t, *rel, "tcp_backlog_release");
    // the recv() around it: tcp_recvmsg -> lock_sock, tcp_recvmsg_locked, release_sock
    auto recv = find_call(t, "B", "tcp_recvmsg", 0, ContextKind::Task);
    ASSERT_TRUE(recv);
    EXPECT_EQ(check_in_order(calls_inside(t, *recv), {"tcp_recvmsg", "lock_sock", "tcp_recvmsg_locked",
                                                      "skb_copy_datagram_msg", "release_sock"}),
              "");
}
