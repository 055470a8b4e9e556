// The stream socket calls and options not covered by tcp_test.cpp: write/read and sendmsg with their
// VFS and net/socket.c chains, TCP_NODELAY against Nagle, TCP_CORK, SO_SNDBUF/SO_RCVBUF doubling,
// TCP_CONGESTION by name, MSG_DONTWAIT and SOCK_NONBLOCK (EAGAIN), EPIPE after shutdown(SHUT_WR),
// EADDRINUSE on a second bind.
#include <gtest/gtest.h>

#include "stack/ipv4/tcp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

struct Pair : TwoHosts {
    int lfd = -1, cfd = -1, afd = -1;
    void establish(int ctype = SOCK_STREAM) {
        lfd = static_cast<int>(call([&](SysDone d) { libc_socket(*b, AF_INET, SOCK_STREAM, 0, d); }).ret);
        ASSERT_EQ(call([&](SysDone d) {
                      libc_bind(*b, lfd, SockAddrIn{AF_INET, 8080, ip("0.0.0.0")}, d);
                  }).ret,
                  0);
        ASSERT_EQ(call([&](SysDone d) { libc_listen(*b, lfd, 8, d); }).ret, 0);
        cfd = static_cast<int>(call([&](SysDone d) { libc_socket(*a, AF_INET, ctype, 0, d); }).ret);
        bool connected = false;
        libc_connect(*a, cfd, SockAddrIn{AF_INET, 8080, ip("192.168.1.200")},
                     [&](const SysResult& r) { connected = r.ret == 0 || r.err == EINPROGRESS; });
        sim.run_until(sim.now() + 100 * kNsPerMs);
        ASSERT_TRUE(connected);
        afd = static_cast<int>(call([&](SysDone d) { libc_accept(*b, lfd, 0, d); }).ret);
        ASSERT_GE(afd, 0);
    }
    TcpSock* csk() { return tcp_sk(a->fdtable.at(cfd)->sk.get()); }
    int64_t send(int fd, size_t n, int flags = 0) {
        auto r = call([&](SysDone d) { libc_send(*a, fd, std::vector<uint8_t>(n, 0x5a), flags, d); });
        return r.ret < 0 ? -r.err : r.ret;
    }
    int64_t setopt(Task* t, int fd, int level, int name, int64_t v) {
        auto r = call([&](SysDone d) { libc_setsockopt(*t, fd, level, name, v, d); });
        return r.ret < 0 ? -r.err : r.ret;
    }
};

TEST(SocketCalls, WriteAndReadOnATcpPairWithTheirVfsChains) {
    Pair t;
    t.establish();
    size_t from = t.sim.trace().events.size();
    std::vector<uint8_t> data(3000);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 13);
    EXPECT_EQ(call([&](SysDone d) { libc_write(*t.a, t.cfd, data, d); }).ret, 3000);
    std::vector<uint8_t> got;
    bool eof = false;
    std::function<void()> loop = [&] {
        libc_read(*t.b, t.afd, 1000, [&](const SysResult& r) {
            ASSERT_GE(r.ret, 0) << errno_name(r.err);
            if (r.ret == 0) {
                eof = true;
                return;
            }
            EXPECT_LE(r.ret, 1000);
            got.insert(got.end(), r.data.begin(), r.data.end());
            loop();
        });
    };
    loop();
    t.sim.run_until(t.sim.now() + 100 * kNsPerMs);
    libc_close(*t.a, t.cfd, [](const SysResult&) {});
    t.sim.run_until(t.sim.now() + 100 * kNsPerMs);
    EXPECT_TRUE(eof);
    EXPECT_TRUE(got == data);
    const auto& tr = t.sim.trace();
    EXPECT_EQ(in_order(calls_on(tr, "A", from),
                       {"write", "__libc_write", "SYSCALL_CANCEL", "INLINE_SYSCALL", "entry_SYSCALL_64",
                        "do_syscall_64", "__x64_sys_write", "ksys_write", "vfs_write", "sock_write_iter",
                        "__sock_sendmsg", "security_socket_sendmsg", "sock_sendmsg_nosec", "inet_sendmsg",
                        "tcp_sendmsg", "tcp_sendmsg_locked", "tcp_write_xmit", "syscall_exit_to_user_mode"}),
              "");
    EXPECT_EQ(in_order(calls_on(tr, "B", from),
                       {"read", "__libc_read", "SYSCALL_CANCEL", "INLINE_SYSCALL", "entry_SYSCALL_64",
                        "__x64_sys_read", "ksys_read", "vfs_read", "sock_read_iter", "sock_recvmsg",
                        "inet_recvmsg", "tcp_recvmsg", "tcp_recvmsg_locked", "sk_wait_data",
                        "sock_def_readable", "skb_copy_datagram_msg"}),
              "");
    // the blocking read's slice spans its sleep
    size_t r0 = find_enter(tr, "B", "read", from);
    ASSERT_NE(r0, std::string::npos);
    EXPECT_GT(tr.events[find_exit(tr, r0)].time, tr.events[r0].time);
}

TEST(SocketCalls, SendmsgChainAndBadFd) {
    Pair t;
    t.establish();
    size_t from = t.sim.trace().events.size();
    auto r =
        call([&](SysDone d) { libc_sendmsg(*t.a, t.cfd, std::vector<uint8_t>(500, 1), std::nullopt, 0, d); });
    EXPECT_EQ(r.ret, 500);
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "A", from),
                       {"sendmsg", "__libc_sendmsg", "SYSCALL_CANCEL", "INLINE_SYSCALL", "entry_SYSCALL_64",
                        "do_syscall_64", "__x64_sys_sendmsg", "__sys_sendmsg", "sockfd_lookup_light",
                        "___sys_sendmsg", "copy_msghdr_from_user", "____sys_sendmsg", "__sock_sendmsg",
                        "sock_sendmsg_nosec", "inet_sendmsg", "tcp_sendmsg"}),
              "");
    EXPECT_EQ(call([&](SysDone d) { libc_sendmsg(*t.a, 42, {1}, std::nullopt, 0, d); }).err, EBADF);
    EXPECT_EQ(call([&](SysDone d) { libc_write(*t.a, 42, {1}, d); }).err, EBADF);
    EXPECT_EQ(call([&](SysDone d) { libc_read(*t.a, 42, 10, d); }).err, EBADF);
}

TEST(SocketCalls, NodelaySendsASmallSecondSegmentAtOnceNagleHoldsIt) {
    for (bool nodelay : {false, true}) {
        Pair t;
        t.establish();
        if (nodelay) {
            EXPECT_EQ(t.setopt(t.a, t.cfd, IPPROTO_TCP, TCP_NODELAY, 1), 0);
        }
        auto* sk = t.csk();
        uint32_t una = sk->snd_una;
        EXPECT_EQ(t.send(t.cfd, 100), 100);
        EXPECT_EQ(sk->snd_nxt - una, 100u); // the first small segment goes out (nothing in flight)
        EXPECT_EQ(t.send(t.cfd, 100), 100);
        if (nodelay) {
            EXPECT_EQ(sk->snd_nxt - una, 200u) << "TCP_NODELAY: no waiting for the ACK";
        } else {
            EXPECT_EQ(sk->snd_nxt - una, 100u) << "Nagle: a small segment waits while data is unacked";
            EXPECT_EQ(sk->sk_write_queue.size(), 1u);
        }
        t.sim.run_until(t.sim.now() + 500 * kNsPerMs);
        EXPECT_EQ(sk->snd_nxt - una, 200u); // the ACK released it
        EXPECT_EQ(sk->snd_una, sk->snd_nxt);
    }
}

TEST(SocketCalls, CorkHoldsPartialSegmentsUntilUncorked) {
    Pair t;
    t.establish();
    ASSERT_EQ(t.setopt(t.a, t.cfd, IPPROTO_TCP, TCP_CORK, 1), 0);
    auto* sk = t.csk();
    uint32_t una = sk->snd_una;
    EXPECT_EQ(t.send(t.cfd, 100), 100);
    EXPECT_EQ(t.send(t.cfd, 100), 100);
    t.sim.run_until(t.sim.now() + 100 * kNsPerMs);
    EXPECT_EQ(sk->snd_nxt, una) << "corked: nothing leaves while the segment is not full";
    EXPECT_EQ(t.send(t.cfd, 2000), 2000);
    EXPECT_EQ(sk->snd_nxt - una, sk->mss_cache) << "a full segment goes, the rest stays";
    ASSERT_EQ(t.setopt(t.a, t.cfd, IPPROTO_TCP, TCP_CORK, 0), 0);
    EXPECT_EQ(sk->snd_nxt - una, 2200u) << "uncorking pushes the partial segment";
}

TEST(SocketCalls, SndbufAndRcvbufAreDoubledAsLinux) {
    Pair t;
    t.establish();
    EXPECT_EQ(t.setopt(t.a, t.cfd, SOL_SOCKET, SO_SNDBUF_, 10000), 0);
    EXPECT_EQ(t.setopt(t.a, t.cfd, SOL_SOCKET, SO_RCVBUF, 30000), 0);
    EXPECT_EQ(call([&](SysDone d) { libc_getsockopt(*t.a, t.cfd, SOL_SOCKET, SO_SNDBUF_, d); }).optval,
              20000);
    EXPECT_EQ(call([&](SysDone d) { libc_getsockopt(*t.a, t.cfd, SOL_SOCKET, SO_RCVBUF, d); }).optval, 60000);
}

TEST(SocketCalls, TcpCongestionSetByNameAndReadBack) {
    Pair t;
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_STREAM, 0, d); }).ret);
    auto g0 = call([&](SysDone d) { libc_getsockopt(*t.a, fd, IPPROTO_TCP, TCP_CONGESTION, d); });
    EXPECT_EQ(g0.ret, 0);
    EXPECT_EQ(g0.optstr, "cubic");
    EXPECT_EQ(
        call([&](SysDone d) { libc_setsockopt_str(*t.a, fd, IPPROTO_TCP, TCP_CONGESTION, "reno", d); }).ret,
        0);
    auto g1 = call([&](SysDone d) { libc_getsockopt(*t.a, fd, IPPROTO_TCP, TCP_CONGESTION, d); });
    EXPECT_EQ(g1.optstr, "reno");
    EXPECT_EQ(g1.optval, 4);
    EXPECT_EQ(
        call([&](SysDone d) { libc_setsockopt_str(*t.a, fd, IPPROTO_TCP, TCP_CONGESTION, "vegas", d); }).err,
        ENOENT);
}

TEST(SocketCalls, DontwaitAndNonblockGiveEagain) {
    Pair t;
    t.establish(SOCK_STREAM | 04000); // SOCK_NONBLOCK client
    auto r1 = call([&](SysDone d) { libc_recv(*t.b, t.afd, 100, MSG_DONTWAIT, d); });
    EXPECT_EQ(r1.ret, -1);
    EXPECT_EQ(r1.err, EAGAIN);
    auto r2 = call([&](SysDone d) { libc_recv(*t.a, t.cfd, 100, 0, d); }); // O_NONBLOCK file
    EXPECT_EQ(r2.err, EAGAIN);
    auto r3 = call([&](SysDone d) { libc_read(*t.a, t.cfd, 100, d); });
    EXPECT_EQ(r3.err, EAGAIN);
    auto r4 = call(
        [&](SysDone d) { libc_accept(*t.b, t.lfd, 04000, d); }); // accept4(SOCK_NONBLOCK) on an empty queue
    EXPECT_GE(r4.ret, -1);
    int nb =
        static_cast<int>(call([&](SysDone d) { libc_socket(*t.b, AF_INET, SOCK_STREAM | 04000, 0, d); }).ret);
    ASSERT_EQ(call([&](SysDone d) {
                  libc_bind(*t.b, nb, SockAddrIn{AF_INET, 9090, ip("0.0.0.0")}, d);
              }).ret,
              0);
    ASSERT_EQ(call([&](SysDone d) { libc_listen(*t.b, nb, 1, d); }).ret, 0);
    EXPECT_EQ(call([&](SysDone d) { libc_accept(*t.b, nb, 0, d); }).err, EAGAIN);
}

TEST(SocketCalls, SendAfterShutdownWrIsEpipe) {
    Pair t;
    t.establish();
    ASSERT_EQ(call([&](SysDone d) { libc_shutdown(*t.a, t.cfd, SHUT_WR_, d); }).ret, 0);
    EXPECT_EQ(t.send(t.cfd, 10), -EPIPE);
    EXPECT_EQ(call([&](SysDone d) { libc_write(*t.a, t.cfd, {1, 2}, d); }).err, EPIPE);
    EXPECT_EQ(t.csk()->sk_state, TCP_FIN_WAIT1);
}

TEST(SocketCalls, SecondBindToTheSamePortIsEaddrinuse) {
    Pair t;
    int s1 = static_cast<int>(call([&](SysDone d) { libc_socket(*t.b, AF_INET, SOCK_STREAM, 0, d); }).ret);
    int s2 = static_cast<int>(call([&](SysDone d) { libc_socket(*t.b, AF_INET, SOCK_STREAM, 0, d); }).ret);
    EXPECT_EQ(call([&](SysDone d) {
                  libc_bind(*t.b, s1, SockAddrIn{AF_INET, 7000, ip("0.0.0.0")}, d);
              }).ret,
              0);
    auto r = call([&](SysDone d) { libc_bind(*t.b, s2, SockAddrIn{AF_INET, 7000, ip("0.0.0.0")}, d); });
    EXPECT_EQ(r.ret, -1);
    EXPECT_EQ(r.err, EADDRINUSE);
}

} // namespace
} // namespace skbscope::test
