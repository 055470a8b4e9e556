// System call errors, the fd table, close, and the qdisc (bypass, requeue on NETDEV_TX_BUSY).
#include <gtest/gtest.h>

#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

TEST(Syscalls, ErrnoAndFdTable) {
    TwoHosts t;
    auto s = call([&](SysDone d) { libc_socket(*t.a, 10, SOCK_DGRAM, 0, d); }); // AF_INET6
    EXPECT_EQ(s.err, EAFNOSUPPORT);
    EXPECT_EQ(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, 99, d); }).err, EPROTONOSUPPORT);
    int fd1 = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    int fd2 = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    EXPECT_EQ(fd1, 3);
    EXPECT_EQ(fd2, 4);
    EXPECT_EQ(call([&](SysDone d) { libc_bind(*t.a, 42, SockAddrIn{AF_INET, 1, {}}, d); }).err, EBADF);
    EXPECT_EQ(call([&](SysDone d) { libc_bind(*t.a, fd1, SockAddrIn{AF_INET, 4000, {}}, d); }).ret, 0);
    EXPECT_EQ(call([&](SysDone d) { libc_bind(*t.a, fd2, SockAddrIn{AF_INET, 4000, {}}, d); }).err, EADDRINUSE);
    EXPECT_EQ(call([&](SysDone d) { libc_bind(*t.a, fd1, SockAddrIn{AF_INET, 4001, {}}, d); }).err, EINVAL);
    EXPECT_EQ(call([&](SysDone d) { libc_bind(*t.a, fd2, SockAddrIn{AF_INET, 4002, ip("10.1.1.1")}, d); }).err,
              EADDRNOTAVAIL);
    EXPECT_EQ(call([&](SysDone d) { libc_sendto(*t.a, fd1, {1}, std::nullopt, 0, d); }).err, EDESTADDRREQ);
    EXPECT_EQ(call([&](SysDone d) { libc_setsockopt(*t.a, fd1, SOL_SOCKET, 999, 1, d); }).err, ENOPROTOOPT);
    EXPECT_EQ(call([&](SysDone d) { libc_close(*t.a, fd1, d); }).ret, 0);
    EXPECT_EQ(call([&](SysDone d) { libc_close(*t.a, fd1, d); }).err, EBADF);
    // The port is free again after close, and the lowest fd is reused.
    int fd3 = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    EXPECT_EQ(fd3, 3);
    EXPECT_EQ(call([&](SysDone d) { libc_bind(*t.a, fd3, SockAddrIn{AF_INET, 4000, {}}, d); }).ret, 0);
    // send() without an address is traced as send/__libc_send, and rax carries -errno.
    const Trace& tr = t.sim.trace();
    EXPECT_NE(find_enter(tr, "A", "__libc_send"), std::string::npos);
    bool rax_errno = false;
    for (const auto& e : tr.events)
        if (e.kind == EventKind::Reg && tr.str(e.name) == "rax" && e.a[0] == -EDESTADDRREQ) rax_errno = true;
    EXPECT_TRUE(rax_errno);
    // close releases the socket on the way out (task_work): __fput inside syscall_exit_to_user_mode.
    size_t close_exit = find_enter(tr, "A", "syscall_exit_to_user_mode", find_enter(tr, "A", "__x64_sys_close"));
    EXPECT_EQ(in_order(calls_on(tr, "A", close_exit), {"syscall_exit_to_user_mode", "__fput", "sock_close",
                                                        "inet_release", "udp_lib_close", "sk_common_release"}),
              "");
}

TEST(Qdisc, BusyDriverRequeuesAndNetTxActionSendsLater) {
    TwoHosts t;
    int bfd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.b, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    call([&](SysDone d) { libc_bind(*t.b, bfd, SockAddrIn{AF_INET, 5000, {}}, d); });
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    call([&](SysDone d) { libc_sendto(*t.a, fd, {1}, SockAddrIn{AF_INET, 5000, ip("192.168.1.200")}, 0, d); });
    t.sim.run_until(10 * kNsPerMs); // ARP done
    t.a_eth0.busy_next = 1;
    size_t from = t.sim.trace().events.size();
    t.sim.in_context(t.a->ctx, [&] {
        call([&](SysDone d) { libc_sendto(*t.a, fd, {2}, SockAddrIn{AF_INET, 5000, ip("192.168.1.200")}, 0, d); });
    });
    EXPECT_EQ(t.A.qdisc(&t.a_eth0)->qlen, 1u);
    t.sim.run_until(20 * kNsPerMs);
    EXPECT_EQ(t.A.qdisc(&t.a_eth0)->qlen, 0u);
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "A", from),
                       {"__dev_xmit_skb", "sch_direct_xmit", "netdev_start_xmit", "dev_requeue_skb",
                        "__netif_schedule", "raise_softirq", "__do_softirq", "net_tx_action", "qdisc_run",
                        "__qdisc_run", "qdisc_restart", "dequeue_skb", "sch_direct_xmit", "netdev_start_xmit"}),
              "");
    EXPECT_EQ(call([&](SysDone d) { libc_recvfrom(*t.b, bfd, 10, MSG_DONTWAIT, d); }).ret, 1);
    EXPECT_EQ(call([&](SysDone d) { libc_recvfrom(*t.b, bfd, 10, MSG_DONTWAIT, d); }).ret, 1);
}

TEST(Qdisc, StoppedQueueFillsTheQdiscAndWakeDrainsIt) {
    TwoHosts t;
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    call([&](SysDone d) { libc_sendto(*t.a, fd, {1}, SockAddrIn{AF_INET, 5000, ip("192.168.1.200")}, 0, d); });
    t.sim.run_until(10 * kNsPerMs);
    t.a_eth0.tx_queue_len = 3;
    t.sim.in_context(t.A.softirq_ctx(), [&] { t.A.netif_stop_queue(&t.a_eth0); });
    for (int i = 0; i < 5; ++i)
        t.sim.in_context(t.a->ctx, [&] {
            call([&](SysDone d) { libc_sendto(*t.a, fd, {1}, SockAddrIn{AF_INET, 5000, ip("192.168.1.200")}, 0, d); });
        });
    // LINUX: the first packet takes the bypass, finds the queue stopped and is requeued (gso_skb);
    // the next three fill band 1 (txqueuelen 3) and the last is dropped.
    EXPECT_EQ(t.A.qdisc(&t.a_eth0)->qlen, 4u);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::QdiscDrop), 1);
    size_t sent = t.a_eth0.sent.size();
    t.sim.in_context(t.A.softirq_ctx(), [&] { t.A.netif_wake_queue(&t.a_eth0); });
    t.sim.run_until(20 * kNsPerMs);
    EXPECT_EQ(t.a_eth0.sent.size(), sent + 4);
    EXPECT_EQ(t.A.qdisc(&t.a_eth0)->qlen, 0u);
}

} // namespace
} // namespace skbscope::test
