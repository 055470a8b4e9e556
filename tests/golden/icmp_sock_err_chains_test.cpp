// Golden call chains of an ICMP error reaching a socket (issue #4): a connected UDP client sends to
// a closed port and blocks in recv; B's port unreachable comes back up icmp_rcv -> icmp_unreach ->
// icmp_socket_deliver -> __udp4_lib_err, which sets sk_err and wakes the reader (sk_error_report),
// whose recv then fails in __skb_recv_datagram's sock_error. And ping's error path with IP_RECVERR:
// ping_err -> ip_icmp_error queues the error, recvmsg(MSG_ERRQUEUE) -> ip_recv_error reads it.
// The names callchains.md documents are checked against it; the rest in order, and the receive
// tree is diffed with tests/golden/expected/icmp_udp_err_connected.txt.
#include <gtest/gtest.h>

#include "tests/support/scenario_run.h"
#include "tests/support/scenarios.h"
#include "tests/support/trace_checker.h"

using namespace skbscope;
using namespace skbscope::test;

TEST(IcmpSockErrChains, PortUnreachableReachesTheConnectedUdpSocket) {
    const Trace& t = run_scenario_text(kUdpConnectedRefused, "udp-refused.yaml").trace();
    // connect on a datagram socket
    expect_names_in_callchains({"connect", "__sys_connect"});
    expect_call_chain(t, "A", "connect", 0,
                      {"connect", "__libc_connect", "entry_SYSCALL_64", "__x64_sys_connect", "__sys_connect",
                       "inet_dgram_connect", "inet_autobind", "udp_v4_get_port", "ip4_datagram_connect",
                       "__ip4_datagram_connect", "ip_route_connect"});
    // The ICMP error on A: from the driver's receive to the socket's error report.
    auto icmp = find_call(t, "A", "icmp_rcv");
    ASSERT_TRUE(icmp);
    std::vector<std::string> documented = {"ip_local_deliver_finish", "ip_protocol_deliver_rcu", "icmp_rcv"};
    expect_names_in_callchains(documented);
    expect_call_chain(t, "A", "ip_local_deliver_finish", 0,
                      {"ip_local_deliver_finish", "ip_protocol_deliver_rcu", "icmp_rcv", "icmp_unreach",
                       "icmp_socket_deliver", "__udp4_lib_err", "__udp4_lib_lookup", "sk_error_report",
                       "sock_def_error_report", "__wake_up_sync_key"});
    // The blocked recv: it slept in __skb_wait_for_more_packets, woke, and took the error.
    std::vector<std::string> recv_chain = {
        "recv",           "__libc_recv",  "entry_SYSCALL_64", "__x64_sys_recvfrom",
        "__sys_recvfrom", "sock_recvmsg", "inet_recvmsg",     "udp_recvmsg"};
    expect_names_in_callchains(recv_chain);
    recv_chain.insert(recv_chain.end(), {"__skb_recv_datagram", "__skb_wait_for_more_packets", "sock_error"});
    expect_call_chain(t, "A", "recv", 0, recv_chain);
    expect_golden(t, *icmp, "icmp_udp_err_connected");
}

TEST(IcmpSockErrChains, PingReadsTheErrorQueue) {
    const Trace& t = run_shipped_scenario("ttl-exceeded.yaml").trace();
    // R: ip_forward -> icmp_send(ICMP_TIME_EXCEEDED)
    expect_names_in_callchains({"ip_forward", "icmp_send"});
    expect_call_chain(t, "R", "ip_forward", 0, {"ip_forward", "icmp_send", "icmp_push_reply"});
    // A: the error is queued for ping (IP_RECVERR) ...
    expect_call_chain(
        t, "A", "ping_err", 0,
        {"ping_err", "ping_lookup", "ip_icmp_error", "skb_clone", "sock_queue_err_skb", "sk_error_report"});
    // ... and read by recvmsg(MSG_ERRQUEUE).
    expect_call_chain(t, "A", "recvmsg", 0,
                      {"recvmsg", "__libc_recvmsg", "entry_SYSCALL_64", "__x64_sys_recvmsg", "__sys_recvmsg",
                       "___sys_recvmsg", "____sys_recvmsg", "sock_recvmsg", "inet_recvmsg", "ping_recvmsg",
                       "ip_recv_error", "sock_dequeue_err_skb", "skb_copy_datagram_iter", "put_cmsg",
                       "__put_user"});
}
