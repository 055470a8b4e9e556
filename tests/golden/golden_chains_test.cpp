// Golden call chains: the kernel functions a UDP sendto, a UDP receive, an ARP resolution with a
// queued packet and a forwarded packet run, in order, checked against ../shared/callchains.md.
// Each expected list is the chain from callchains.md (every name is also checked to appear there);
// the trace may hold more functions in between, but none listed may be missing or out of order.
// A second check renders each tree as text and diffs it with tests/golden/expected/*.txt
// (SKBSCOPE_UPDATE_GOLDEN=1 rewrites them), so any change of behaviour is a visible diff.
#include <gtest/gtest.h>

#include <optional>

#include "tests/support/scenario_run.h"
#include "tests/support/trace_checker.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

const Trace& run(const std::string& scenario) {
    return run_shipped_scenario(scenario).trace();
}

} // namespace

TEST(GoldenChains, UdpSendto) {
    const Trace& t = run("udp-hello.yaml");
    auto at = find_call(t, "A", "sendto");
    ASSERT_TRUE(at);
    // callchains.md: "send() on a connected TCP socket" (the syscall part, x86-64) and
    // "UDP ... sendto (UDP) -> __sys_sendto -> ... inet_sendmsg -> udp_sendmsg -> ..."
    std::vector<std::string> expected = {
        "sendto", "__libc_sendto", "SYSCALL_CANCEL", "INLINE_SYSCALL", "entry_SYSCALL_64", "do_syscall_64",
        "__x64_sys_sendto", "__sys_sendto", "import_ubuf", "sockfd_lookup_light", "move_addr_to_kernel",
        "__sock_sendmsg", "security_socket_sendmsg", "sock_sendmsg_nosec", "inet_sendmsg", "inet_send_prepare",
        "udp_sendmsg", "ip_route_output_flow", "fib_lookup", "ip_make_skb", "ip_append_data", "udp_send_skb",
        "ip_send_skb", "ip_local_out", "__ip_local_out", "dst_output", "ip_output", "ip_finish_output",
        "__ip_finish_output", "ip_finish_output2", "ip_neigh_for_gw", "neigh_output", "neigh_resolve_output"};
    // glibc's sendto wrapper is __libc_sendto; callchains.md shows send()'s __libc_send.
    std::vector<std::string> documented(expected.begin(), expected.end());
    std::erase(documented, "__libc_sendto");
    expect_names_in_callchains(documented);
    auto calls = calls_inside(t, *at);
    EXPECT_EQ(check_in_order(calls, expected), "");
    expect_golden(t, *at, "udp_sendto");
}

TEST(GoldenChains, ArpResolutionWithQueuedPacket) {
    const Trace& t = run("udp-hello.yaml");
    auto at = find_call(t, "A", "neigh_resolve_output");
    ASSERT_TRUE(at);
    // callchains.md: "ARP: neigh_resolve_output -> neigh_event_send -> arp_solicit -> arp_send
    // (queued skb waits in arp_queue)" and then the driver path of the request.
    std::vector<std::string> solicit = {"neigh_resolve_output", "neigh_event_send", "arp_solicit", "arp_send",
                                        "dev_queue_xmit", "__dev_queue_xmit", "dev_hard_start_xmit",
                                        "xmit_one", "netdev_start_xmit", "e1000_xmit_frame", "e1000_tx_map",
                                        "e1000_tx_queue"};
    expect_names_in_callchains(solicit);
    EXPECT_EQ(check_in_order(calls_inside(t, *at), solicit), "");
    // The datagram waits in arp_queue until the reply comes.
    bool queued = false;
    for (size_t i = *at; i < t.events.size() && !queued; ++i)
        queued = t.events[i].kind == EventKind::Queue && t.str(t.events[i].name) == "arp_queue" &&
                 t.events[i].a[0] == static_cast<int64_t>(QueueOp::Enqueue);
    EXPECT_TRUE(queued) << "the first datagram must wait in arp_queue";
    // Reply: arp_rcv -> arp_process -> neigh_update -> neigh_connect, queued skbs sent.
    auto rcv = find_call(t, "A", "arp_rcv");
    ASSERT_TRUE(rcv);
    std::vector<std::string> reply = {"arp_rcv", "arp_process", "neigh_update", "neigh_connect", "dev_queue_xmit",
                                      "e1000_xmit_frame"};
    expect_names_in_callchains(reply);
    EXPECT_EQ(check_in_order(calls_inside(t, *rcv), reply), "");
    expect_golden(t, *rcv, "arp_reply_releases_queue");
}

TEST(GoldenChains, UdpReceive) {
    const Trace& t = run("udp-hello.yaml");
    // The datagram (not the ARP request) arrives in B's NET_RX softirq: find the udp_rcv and the
    // net_rx_action around it.
    auto udp = find_call(t, "B", "udp_rcv");
    ASSERT_TRUE(udp);
    auto at = last_call_before(t, "B", "net_rx_action", *udp);
    ASSERT_TRUE(at);
    std::vector<std::string> expected = {
        "net_rx_action", "napi_poll", "e1000_clean", "e1000_clean_rx_irq", "eth_type_trans", "napi_gro_receive",
        "__netif_receive_skb_core", "ip_rcv", "ip_rcv_core", "NF_HOOK", "ip_rcv_finish", "ip_route_input_noref",
        "ip_local_deliver", "ip_local_deliver_finish", "ip_protocol_deliver_rcu", "udp_rcv", "__udp4_lib_rcv",
        "udp_unicast_rcv_skb", "udp_queue_rcv_skb", "__udp_enqueue_schedule_skb", "sock_def_readable",
        "e1000_alloc_rx_buffers"};
    expect_names_in_callchains(expected);
    EXPECT_EQ(check_in_order(calls_inside(t, *at), expected), "");
    expect_golden(t, *at, "udp_receive");
    // And B's recvfrom returns the datagram after sleeping.
    expect_call_chain(t, "B", "recvfrom", 0,
                      {"recvfrom", "__libc_recvfrom", "entry_SYSCALL_64", "__x64_sys_recvfrom",
                       "__sys_recvfrom", "sock_recvmsg", "inet_recvmsg", "udp_recvmsg"});
}

TEST(GoldenChains, ForwardedPacket) {
    const Trace& t = run("ping-router.yaml");
    auto fwd = find_call(t, "R", "ip_forward");
    ASSERT_TRUE(fwd);
    auto at = last_call_before(t, "R", "ip_rcv", *fwd);
    ASSERT_TRUE(at);
    // callchains.md: "forward (router): ip_rcv_finish -> ip_route_input_noref -> ip_forward (TTL,
    // NF_INET_FORWARD) -> ip_forward_finish -> dst_output -> ip_output -> ..."
    std::vector<std::string> expected = {"ip_rcv", "ip_rcv_core", "ip_rcv_finish", "ip_route_input_noref",
                                         "ip_forward", "ip_forward_finish", "dst_output", "ip_output",
                                         "ip_finish_output2", "neigh_output", "dev_queue_xmit"};
    expect_names_in_callchains(expected);
    EXPECT_EQ(check_in_order(calls_inside(t, *at), expected), "");
    expect_golden(t, *at, "forward");
}
