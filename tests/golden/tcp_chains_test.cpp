// Golden TCP call chains from send-walk.yaml (A connects to B through R, one send() of 4000 bytes,
// close; B accepts and reads until EOF), checked in order against ../shared/callchains.md:
// send(), recv(), connect and accept with the handshake on both sides, close on both sides.
#include <gtest/gtest.h>

#include <optional>

#include "tests/support/scenario_run.h"
#include "tests/support/trace_checker.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

const Trace& send_walk() {
    return run_shipped_scenario("send-walk.yaml").trace();
}

void expect_chain(const std::string& host, const std::string& root, int nth, const std::vector<std::string>& expected,
                  std::optional<ContextKind> kind = std::nullopt) {
    expect_names_in_callchains(expected);
    expect_call_chain(send_walk(), host, root, nth, expected, kind);
}

} // namespace

TEST(TcpChains, Send) {
    expect_chain("A", "send", 0,
                 {"send", "__libc_send", "entry_SYSCALL_64", "do_syscall_64", "__x64_sys_sendto", "__sys_sendto",
                  "import_ubuf", "sockfd_lookup_light", "__sock_sendmsg", "security_socket_sendmsg",
                  "sock_sendmsg_nosec", "inet_sendmsg", "inet_send_prepare", "tcp_sendmsg", "lock_sock",
                  "tcp_sendmsg_locked", "tcp_send_mss", "tcp_write_queue_tail", "tcp_stream_alloc_skb",
                  "tcp_skb_entail", "tcp_push", "__tcp_push_pending_frames", "tcp_write_xmit", "tcp_transmit_skb",
                  "__tcp_transmit_skb", "ip_queue_xmit", "__ip_queue_xmit", "ip_local_out", "__ip_local_out",
                  "dst_output", "ip_output", "ip_finish_output", "__ip_finish_output", "ip_finish_output2",
                  "neigh_output", "dev_queue_xmit", "__dev_queue_xmit", "dev_hard_start_xmit", "xmit_one",
                  "netdev_start_xmit", "e1000_xmit_frame", "e1000_tx_map", "e1000_tx_queue",
                  "tcp_event_new_data_sent", "release_sock"});
}

TEST(TcpChains, Recv) {
    expect_chain("B", "recv", 0,
                 {"recv", "__libc_recv", "entry_SYSCALL_64", "__x64_sys_recvfrom", "__sys_recvfrom", "sock_recvmsg",
                  "inet_recvmsg", "tcp_recvmsg", "lock_sock", "tcp_recvmsg_locked", "skb_copy_datagram_msg",
                  "tcp_cleanup_rbuf", "release_sock"});
}

TEST(TcpChains, ConnectAndTheClientsHandshake) {
    expect_chain("A", "connect", 0,
                 {"__sys_connect", "inet_stream_connect", "__inet_stream_connect", "tcp_v4_connect",
                  "ip_route_connect", "tcp_set_state", "inet_hash_connect", "secure_tcp_seq", "tcp_connect",
                  "tcp_connect_init", "tcp_stream_alloc_skb", "tcp_init_nondata_skb", "tcp_connect_queue_skb",
                  "tcp_transmit_skb", "inet_csk_reset_xmit_timer", "inet_wait_for_connect"});
    // The SYN-ACK arrives in A's softirq.
    expect_chain("A", "tcp_rcv_synsent_state_process", 0, {"tcp_rcv_synsent_state_process", "tcp_ack",
                                                           "tcp_finish_connect", "tcp_send_ack"});
}

TEST(TcpChains, AcceptAndTheServersHandshake) {
    expect_chain("B", "tcp_v4_conn_request", 0,
                 {"tcp_v4_conn_request", "tcp_conn_request", "inet_csk_reqsk_queue_hash_add", "tcp_v4_send_synack"});
    expect_chain("B", "tcp_check_req", 0,
                 {"tcp_check_req", "tcp_v4_syn_recv_sock", "inet_csk_complete_hashdance",
                  "inet_csk_reqsk_queue_add"});
    expect_chain("B", "accept", 0, {"__sys_accept4", "inet_accept", "inet_csk_accept", "reqsk_queue_remove",
                                    "sock_graft"});
}

TEST(TcpChains, CloseOnBothSides) {
    expect_chain("A", "close", 0, {"__fput", "sock_close", "inet_release", "tcp_close", "tcp_send_fin"});
    expect_chain("B", "tcp_fin", 0, {"tcp_fin"});
    // B's state goes ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSE; A's through FIN_WAIT1/2 to TIME_WAIT.
    const Trace& t = send_walk();
    std::vector<std::pair<std::string, int>> states;
    for (const auto& e : t.events)
        if (e.kind == EventKind::TcpState) states.emplace_back(std::string(t.str(e.ref)), static_cast<int>(e.a[1]));
    auto seq_of = [&](const std::string& prefix) {
        std::vector<int> out;
        for (auto& [who, st] : states)
            if (who.rfind(prefix, 0) == 0) out.push_back(st);
        return out;
    };
    // Linux numbering: ESTABLISHED 1, SYN_SENT 2, FIN_WAIT1 4, FIN_WAIT2 5, TIME_WAIT 6, CLOSE 7, CLOSE_WAIT 8, LAST_ACK 9.
    const std::vector<int> client = {2, 1, 4, 5, 6}, server = {8, 9, 7};
    auto a = seq_of("A:");
    EXPECT_NE(std::search(a.begin(), a.end(), client.begin(), client.end()), a.end());
    auto b = seq_of("B:");
    EXPECT_NE(std::search(b.begin(), b.end(), server.begin(), server.end()), b.end());
}
