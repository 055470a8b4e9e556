// epoll over TCP sockets (fs/eventpoll.c as modelled in stack/fs/eventpoll.cpp): epoll_wait woken by
// data through sock_def_readable -> ep_poll_callback, its timeout in virtual time, EPOLLIN on a
// listener, EPOLLOUT after a non-blocking connect and when ACKs free send space, EPOLLRDHUP on a FIN,
// and epoll_ctl's errors.
#include <gtest/gtest.h>

#include "stack/fs/eventpoll.h"
#include "stack/ipv4/tcp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

// B listens on 8080; A connects; B accepts (afd); cfd is A's socket.
struct EpPair : TwoHosts {
    int lfd = -1, cfd = -1, afd = -1;
    bool connected = false;
    void listen() {
        lfd = static_cast<int>(call([&](SysDone d) { libc_socket(*b, AF_INET, SOCK_STREAM, 0, d); }).ret);
        ASSERT_EQ(call([&](SysDone d) {
                      libc_bind(*b, lfd, SockAddrIn{AF_INET, 8080, ip("0.0.0.0")}, d);
                  }).ret,
                  0);
        ASSERT_EQ(call([&](SysDone d) { libc_listen(*b, lfd, 8, d); }).ret, 0);
    }
    void connect(int type = SOCK_STREAM) {
        cfd = static_cast<int>(call([&](SysDone d) { libc_socket(*a, AF_INET, type, 0, d); }).ret);
        libc_connect(*a, cfd, SockAddrIn{AF_INET, 8080, ip("192.168.1.200")},
                     [this](const SysResult& r) { connected = r.ret == 0; });
    }
    void establish() {
        listen();
        connect();
        sim.run_until(sim.now() + 100 * kNsPerMs);
        ASSERT_TRUE(connected);
        afd = static_cast<int>(call([&](SysDone d) { libc_accept(*b, lfd, 0, d); }).ret);
        ASSERT_GE(afd, 0);
    }
    int epoll(Task* t) {
        return static_cast<int>(call([&](SysDone d) { libc_epoll_create1(*t, 0, d); }).ret);
    }
    int ctl(Task* t, int epfd, int op, int fd, uint32_t ev) {
        auto r = call([&](SysDone d) { libc_epoll_ctl(*t, epfd, op, fd, ev, d); });
        return r.ret < 0 ? -r.err : 0;
    }
};

TEST(Epoll, WaitIsWokenByDataThroughSockDefReadableAndEpPollCallback) {
    EpPair t;
    t.establish();
    int epfd = t.epoll(t.b);
    EXPECT_GT(epfd, t.afd);
    ASSERT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_ADD, t.afd, EPOLLIN), 0);
    size_t from = t.sim.trace().events.size();
    std::optional<SysResult> res;
    TimeNs start = t.sim.now(), woke = 0;
    libc_epoll_wait(*t.b, epfd, 8, 5000, [&](const SysResult& r) {
        res = r;
        woke = t.sim.now();
    });
    EXPECT_FALSE(res.has_value()); // nothing to read: ep_poll sleeps
    // A sends 10 ms later (virtual time only advances with events)
    task_sleep(*t.a, 10 * kNsPerMs, [&] {
        EXPECT_FALSE(res.has_value());
        libc_send(*t.a, t.cfd, std::vector<uint8_t>(100, 7), 0,
                  [](const SysResult& r) { EXPECT_EQ(r.ret, 100); });
    });
    t.sim.run_until(t.sim.now() + 100 * kNsPerMs);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->ret, 1);
    ASSERT_EQ(res->events.size(), 1u);
    EXPECT_EQ(res->events[0].first, t.afd);
    EXPECT_EQ(res->events[0].second, EPOLLIN);
    EXPECT_GT(woke - start, 10 * kNsPerMs);
    const auto& tr = t.sim.trace();
    auto calls = calls_on(tr, "B", from);
    EXPECT_EQ(
        in_order(calls, {"epoll_wait", "SYSCALL_CANCEL", "INLINE_SYSCALL", "entry_SYSCALL_64",
                         "do_syscall_64", "__x64_sys_epoll_wait", "do_epoll_wait", "ep_poll",
                         "schedule_hrtimeout_range", "tcp_v4_rcv", "tcp_rcv_established", "sock_def_readable",
                         "__wake_up_sync_key", "ep_poll_callback", "ep_send_events", "ep_item_poll",
                         "sock_poll", "tcp_poll", "syscall_exit_to_user_mode"}),
        "");
    // ep_poll_callback runs inside sock_def_readable (nested), in softirq context
    size_t rd = find_enter(tr, "B", "sock_def_readable", from);
    size_t cb = find_enter(tr, "B", "ep_poll_callback", from);
    ASSERT_NE(rd, std::string::npos);
    ASSERT_NE(cb, std::string::npos);
    EXPECT_LT(rd, cb);
    EXPECT_LT(cb, find_exit(tr, rd));
    EXPECT_GT(tr.events[cb].depth, tr.events[rd].depth);
    // the ep_poll slice covers the sleep
    size_t ep = find_enter(tr, "B", "ep_poll", from);
    size_t ep_exit = find_exit(tr, ep);
    ASSERT_NE(ep_exit, std::string::npos);
    EXPECT_GE(tr.events[ep_exit].time - tr.events[ep].time, 10 * kNsPerMs);
    EXPECT_LT(tr.events[ep].time, tr.events[cb].time);
    // level-triggered: still readable, so a second epoll_wait returns at once; read drains it
    auto again = call([&](SysDone d) { libc_epoll_wait(*t.b, epfd, 8, 0, d); });
    EXPECT_EQ(again.ret, 1);
    EXPECT_EQ(call([&](SysDone d) { libc_read(*t.b, t.afd, 1000, d); }).ret, 100);
    EXPECT_EQ(call([&](SysDone d) { libc_epoll_wait(*t.b, epfd, 8, 0, d); }).ret, 0);
}

TEST(Epoll, WaitTimesOutWithZeroAfterTheTimeoutInVirtualTime) {
    EpPair t;
    t.establish();
    int epfd = t.epoll(t.b);
    ASSERT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_ADD, t.afd, EPOLLIN), 0);
    std::optional<SysResult> res;
    TimeNs start = t.sim.now(), end = 0;
    libc_epoll_wait(*t.b, epfd, 8, 250, [&](const SysResult& r) {
        res = r;
        end = t.sim.now();
    });
    t.sim.run_until(t.sim.now() + kNsPerSec);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->ret, 0);
    EXPECT_TRUE(res->events.empty());
    EXPECT_GE(end - start, 250 * kNsPerMs);
    EXPECT_LT(end - start, 251 * kNsPerMs);
    // timeout 0 never sleeps
    EXPECT_EQ(call([&](SysDone d) { libc_epoll_wait(*t.b, epfd, 8, 0, d); }).ret, 0);
}

TEST(Epoll, ListenerIsReadableWithAPendingConnection) {
    EpPair t;
    t.listen();
    int epfd = t.epoll(t.b);
    ASSERT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_ADD, t.lfd, EPOLLIN), 0);
    EXPECT_EQ(call([&](SysDone d) { libc_epoll_wait(*t.b, epfd, 8, 0, d); }).ret, 0);
    std::optional<SysResult> res;
    libc_epoll_wait(*t.b, epfd, 8, -1, [&](const SysResult& r) { res = r; });
    t.connect();
    t.sim.run_until(t.sim.now() + 100 * kNsPerMs);
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->ret, 1);
    EXPECT_EQ(res->events[0], (std::pair<int, uint32_t>{t.lfd, EPOLLIN}));
    for (const auto& e : t.sim.trace().events) // timeout -1: the sleep arms no timer
        EXPECT_FALSE(e.kind == EventKind::Timer && t.sim.trace().str(e.name) == "schedule_hrtimeout_range");
    auto acc = call([&](SysDone d) { libc_accept(*t.b, t.lfd, 0, d); }); // does not sleep
    EXPECT_GE(acc.ret, 0);
    EXPECT_EQ(call([&](SysDone d) { libc_epoll_wait(*t.b, epfd, 8, 0, d); }).ret, 0);
}

TEST(Epoll, WritableAfterANonBlockingConnect) {
    EpPair t;
    t.listen();
    t.cfd =
        static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_STREAM | 04000, 0, d); }).ret);
    auto c = call([&](SysDone d) {
        libc_connect(*t.a, t.cfd, SockAddrIn{AF_INET, 8080, ip("192.168.1.200")}, d);
    });
    EXPECT_EQ(c.err, EINPROGRESS);
    int epfd = t.epoll(t.a);
    ASSERT_EQ(t.ctl(t.a, epfd, EPOLL_CTL_ADD, t.cfd, EPOLLOUT), 0);
    std::optional<SysResult> res;
    libc_epoll_wait(*t.a, epfd, 8, 1000, [&](const SysResult& r) { res = r; });
    EXPECT_FALSE(res.has_value()); // SYN_SENT: not writable
    t.sim.run_until(t.sim.now() + 100 * kNsPerMs);
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->ret, 1);
    EXPECT_EQ(res->events[0], (std::pair<int, uint32_t>{t.cfd, EPOLLOUT}));
}

TEST(Epoll, WritableAgainWhenAcksFreeSendSpace) {
    EpPair t;
    t.establish();
    ASSERT_EQ(call([&](SysDone d) { libc_setsockopt(*t.a, t.cfd, SOL_SOCKET, SO_SNDBUF_, 4096, d); }).ret, 0);
    // fill the send buffer without blocking
    auto s1 =
        call([&](SysDone d) { libc_send(*t.a, t.cfd, std::vector<uint8_t>(30000, 1), MSG_DONTWAIT, d); });
    ASSERT_GT(s1.ret, 0);
    EXPECT_LT(s1.ret, 30000);
    auto s2 =
        call([&](SysDone d) { libc_send(*t.a, t.cfd, std::vector<uint8_t>(30000, 1), MSG_DONTWAIT, d); });
    EXPECT_EQ(s2.err, EAGAIN);
    int epfd = t.epoll(t.a);
    ASSERT_EQ(t.ctl(t.a, epfd, EPOLL_CTL_ADD, t.cfd, EPOLLOUT), 0);
    size_t from = t.sim.trace().events.size();
    std::optional<SysResult> res;
    libc_epoll_wait(*t.a, epfd, 8, 1000, [&](const SysResult& r) { res = r; });
    EXPECT_FALSE(res.has_value());
    t.sim.run_until(t.sim.now() + 200 * kNsPerMs);
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->ret, 1);
    EXPECT_EQ(res->events[0], (std::pair<int, uint32_t>{t.cfd, EPOLLOUT}));
    EXPECT_EQ(
        in_order(calls_on(t.sim.trace(), "A", from), {"ep_poll", "tcp_ack", "sk_stream_write_space",
                                                      "ep_poll_callback", "ep_send_events", "tcp_poll"}),
        "");
}

TEST(Epoll, FinGivesEpollrdhupAndCloseOfTheWatchedFileRemovesIt) {
    EpPair t;
    t.establish();
    int epfd = t.epoll(t.b);
    ASSERT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_ADD, t.afd, EPOLLIN | EPOLLRDHUP), 0);
    std::optional<SysResult> res;
    libc_epoll_wait(*t.b, epfd, 8, -1, [&](const SysResult& r) { res = r; });
    libc_close(*t.a, t.cfd, [](const SysResult&) {});
    t.sim.run_until(t.sim.now() + 100 * kNsPerMs);
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->ret, 1);
    EXPECT_EQ(res->events[0].second, EPOLLIN | EPOLLRDHUP);
    EXPECT_EQ(call([&](SysDone d) { libc_read(*t.b, t.afd, 100, d); }).ret, 0); // EOF
    // after shutdown of both directions: EPOLLHUP too
    ASSERT_EQ(call([&](SysDone d) { libc_shutdown(*t.b, t.afd, SHUT_WR_, d); }).ret, 0);
    auto hup = call([&](SysDone d) { libc_epoll_wait(*t.b, epfd, 8, 0, d); });
    ASSERT_EQ(hup.ret, 1);
    EXPECT_TRUE(hup.events[0].second & EPOLLHUP);
    // closing the watched fd removes it from the epoll set (eventpoll_release)
    ASSERT_EQ(call([&](SysDone d) { libc_close(*t.b, t.afd, d); }).ret, 0);
    EXPECT_EQ(call([&](SysDone d) { libc_epoll_wait(*t.b, epfd, 8, 0, d); }).ret, 0);
    EXPECT_NE(find_enter(t.sim.trace(), "B", "eventpoll_release"), std::string::npos);
    EXPECT_EQ(call([&](SysDone d) { libc_close(*t.b, epfd, d); }).ret, 0);
}

TEST(Epoll, CtlErrorsAsLinux) {
    EpPair t;
    t.establish();
    int epfd = t.epoll(t.b);
    EXPECT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_ADD, t.afd, EPOLLIN), 0);
    EXPECT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_ADD, t.afd, EPOLLIN), -EEXIST);
    EXPECT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_MOD, t.afd, EPOLLIN | EPOLLOUT), 0);
    auto w = call([&](SysDone d) { libc_epoll_wait(*t.b, epfd, 8, 0, d); });
    ASSERT_EQ(w.ret, 1); // writable now that EPOLLOUT is in the mask
    EXPECT_EQ(w.events[0].second, EPOLLOUT);
    EXPECT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_DEL, t.afd, 0), 0);
    EXPECT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_DEL, t.afd, 0), -ENOENT);
    EXPECT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_MOD, t.afd, EPOLLIN), -ENOENT);
    EXPECT_EQ(t.ctl(t.b, t.afd, EPOLL_CTL_ADD, t.lfd, EPOLLIN), -EINVAL); // not an epoll fd
    EXPECT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_ADD, epfd, EPOLLIN), -EINVAL);
    EXPECT_EQ(t.ctl(t.b, epfd, EPOLL_CTL_ADD, 99, EPOLLIN), -EBADF);
    EXPECT_EQ(call([&](SysDone d) { libc_epoll_wait(*t.b, epfd, 0, 0, d); }).err, EINVAL);
    EXPECT_EQ(call([&](SysDone d) { libc_epoll_create1(*t.b, 1, d); }).err, EINVAL);
    EXPECT_EQ(call([&](SysDone d) { libc_send(*t.b, epfd, {1}, 0, d); }).err, ENOTSOCK);
    // the chain of epoll_ctl(ADD)
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "B"),
                       {"epoll_create1", "__x64_sys_epoll_create1", "do_epoll_create", "ep_alloc",
                        "fd_install", "epoll_ctl", "__x64_sys_epoll_ctl", "do_epoll_ctl", "ep_insert",
                        "ep_item_poll", "sock_poll", "tcp_poll", "ep_ptable_queue_proc"}),
              "");
}

TEST(Epoll, UdpSocketIsReadableWhenADatagramArrivesSentWithSendmsg) {
    TwoHosts t;
    int bfd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.b, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    ASSERT_EQ(call([&](SysDone d) {
                  libc_bind(*t.b, bfd, SockAddrIn{AF_INET, 9000, ip("0.0.0.0")}, d);
              }).ret,
              0);
    int epfd = static_cast<int>(call([&](SysDone d) { libc_epoll_create1(*t.b, EPOLL_CLOEXEC, d); }).ret);
    ASSERT_EQ(call([&](SysDone d) {
                  libc_epoll_ctl(*t.b, epfd, EPOLL_CTL_ADD, bfd, EPOLLIN | EPOLLOUT | EPOLLET, d);
              }).ret,
              0);
    auto first = call([&](SysDone d) { libc_epoll_wait(*t.b, epfd, 8, 0, d); });
    ASSERT_EQ(first.ret, 1); // writable at once
    EXPECT_EQ(first.events[0].second, EPOLLOUT);
    std::optional<SysResult> res;
    libc_epoll_wait(*t.b, epfd, 8, -1, [&](const SysResult& r) { res = r; }); // edge-triggered: sleeps now
    EXPECT_FALSE(res.has_value());
    int afd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    auto sent = call([&](SysDone d) {
        libc_sendmsg(*t.a, afd, {'h', 'i'}, SockAddrIn{AF_INET, 9000, ip("192.168.1.200")}, 0, d);
    });
    EXPECT_EQ(sent.ret, 2);
    t.sim.run_until(t.sim.now() + 100 * kNsPerMs);
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->ret, 1);
    EXPECT_EQ(res->events[0].second, EPOLLIN | EPOLLOUT);
    auto rd = call([&](SysDone d) { libc_read(*t.b, bfd, 100, d); });
    EXPECT_EQ(rd.ret, 2);
    EXPECT_EQ(rd.data, (std::vector<uint8_t>{'h', 'i'}));
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "B"),
                       {"udp_rcv", "sock_def_readable", "ep_poll_callback", "ep_send_events", "datagram_poll",
                        "read", "sock_read_iter", "udp_recvmsg"}),
              "");
}

} // namespace
} // namespace skbscope::test
