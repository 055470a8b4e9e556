// Golden call chains of an ICMP error reaching a socket (issue #4): a connected UDP client sends to
// a closed port and blocks in recv; B's port unreachable comes back up icmp_rcv -> icmp_unreach ->
// icmp_socket_deliver -> __udp4_lib_err, which sets sk_err and wakes the reader (sk_error_report),
// whose recv then fails in __skb_recv_datagram's sock_error. And ping's error path with IP_RECVERR:
// ping_err -> ip_icmp_error queues the error, recvmsg(MSG_ERRQUEUE) -> ip_recv_error reads it.
// The names callchains.md documents are checked against it; the rest in order, and the receive
// tree is diffed with tests/golden/expected/icmp_udp_err_connected.txt.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "app/lab/lab.h"
#include "tests/support/paths.h"
#include "tests/support/trace_checker.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

const char* kRefused = R"(name: udp-refused
seed: 42
duration: 1s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:00:01", address: 10.0.0.1/24 }
    programs:
      - name: client
        steps:
          - socket: dgram
          - connect: { fd: 3, to: "10.0.0.2:53" }
          - send: { fd: 3, size: 20 }
          - recv: { fd: 3, len: 512 }
  B:
    interfaces:
      eth0: { mac: "02:00:00:00:00:02", address: 10.0.0.2/24 }
links:
  - { a: "A:eth0", b: "B:eth0", speed: 1Gbit, delay: 5us }
)";

const Trace& run_text(const char* text, const std::string& name) {
    static std::map<std::string, std::unique_ptr<lab::Lab>> labs;
    auto& l = labs[name];
    if (!l) {
        auto r = lab::Lab::load_text(text, name);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        if (!r.ok()) std::abort();
        l = std::move(*r);
        l->run();
    }
    return l->trace();
}

const Trace& run_file(const std::string& file) {
    static std::map<std::string, std::unique_ptr<lab::Lab>> labs;
    auto& l = labs[file];
    if (!l) {
        auto r = lab::Lab::load(source_dir() + "/lessons/scenarios/" + file);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        if (!r.ok()) std::abort();
        l = std::move(*r);
        l->run();
    }
    return l->trace();
}

} // namespace

TEST(IcmpSockErrChains, PortUnreachableReachesTheConnectedUdpSocket) {
    const Trace& t = run_text(kRefused, "udp-refused.yaml");
    // connect on a datagram socket
    auto con = find_call(t, "A", "connect");
    ASSERT_TRUE(con);
    expect_names_in_callchains({"connect", "__sys_connect"});
    EXPECT_EQ(check_in_order(calls_inside(t, *con),
                             {"connect", "__libc_connect", "entry_SYSCALL_64", "__x64_sys_connect",
                              "__sys_connect", "inet_dgram_connect", "inet_autobind", "udp_v4_get_port",
                              "ip4_datagram_connect", "__ip4_datagram_connect", "ip_route_connect"}),
              "");
    // The ICMP error on A: from the driver's receive to the socket's error report.
    auto icmp = find_call(t, "A", "icmp_rcv");
    ASSERT_TRUE(icmp);
    std::vector<std::string> documented = {"ip_local_deliver_finish", "ip_protocol_deliver_rcu", "icmp_rcv"};
    expect_names_in_callchains(documented);
    auto deliver = find_call(t, "A", "ip_local_deliver_finish");
    ASSERT_TRUE(deliver);
    EXPECT_EQ(check_in_order(calls_inside(t, *deliver),
                             {"ip_local_deliver_finish", "ip_protocol_deliver_rcu", "icmp_rcv",
                              "icmp_unreach", "icmp_socket_deliver", "__udp4_lib_err", "__udp4_lib_lookup",
                              "sk_error_report", "sock_def_error_report", "__wake_up_sync_key"}),
              "");
    // The blocked recv: it slept in __skb_wait_for_more_packets, woke, and took the error.
    auto recv = find_call(t, "A", "recv");
    ASSERT_TRUE(recv);
    std::vector<std::string> recv_chain = {
        "recv",           "__libc_recv",  "entry_SYSCALL_64", "__x64_sys_recvfrom",
        "__sys_recvfrom", "sock_recvmsg", "inet_recvmsg",     "udp_recvmsg"};
    expect_names_in_callchains(recv_chain);
    recv_chain.insert(recv_chain.end(), {"__skb_recv_datagram", "__skb_wait_for_more_packets", "sock_error"});
    EXPECT_EQ(check_in_order(calls_inside(t, *recv), recv_chain), "");
    expect_golden(t, *icmp, "icmp_udp_err_connected");
}

TEST(IcmpSockErrChains, PingReadsTheErrorQueue) {
    const Trace& t = run_file("ttl-exceeded.yaml");
    // R: ip_forward -> icmp_send(ICMP_TIME_EXCEEDED)
    auto fwd = find_call(t, "R", "ip_forward");
    ASSERT_TRUE(fwd);
    expect_names_in_callchains({"ip_forward", "icmp_send"});
    EXPECT_EQ(check_in_order(calls_inside(t, *fwd), {"ip_forward", "icmp_send", "icmp_push_reply"}), "");
    // A: the error is queued for ping (IP_RECVERR) ...
    auto err = find_call(t, "A", "ping_err");
    ASSERT_TRUE(err);
    EXPECT_EQ(check_in_order(calls_inside(t, *err), {"ping_err", "ping_lookup", "ip_icmp_error", "skb_clone",
                                                     "sock_queue_err_skb", "sk_error_report"}),
              "");
    // ... and read by recvmsg(MSG_ERRQUEUE).
    auto rm = find_call(t, "A", "recvmsg");
    ASSERT_TRUE(rm);
    EXPECT_EQ(check_in_order(calls_inside(t, *rm),
                             {"recvmsg", "__libc_recvmsg", "entry_SYSCALL_64", "__x64_sys_recvmsg",
                              "__sys_recvmsg", "___sys_recvmsg", "____sys_recvmsg", "sock_recvmsg",
                              "inet_recvmsg", "ping_recvmsg", "ip_recv_error", "sock_dequeue_err_skb",
                              "skb_copy_datagram_iter", "put_cmsg", "__put_user"}),
              "");
}
