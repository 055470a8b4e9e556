// Golden TCP timer chains (callchains.md "Timers"): send-walk.yaml with B's link dropping the last
// data segment A sends, so no duplicate ACKs can come and the retransmission timer must fire:
// tcp_write_timer -> tcp_write_timer_handler -> tcp_retransmit_timer -> tcp_enter_loss ->
// tcp_retransmit_skb -> __tcp_retransmit_skb -> tcp_transmit_skb. And a request/response
// exchange: once B has answered a request (interactive "pingpong" mode), B delays the ACK of A's
// next request, which it does not answer, until tcp_delack_timer -> tcp_delack_timer_handler ->
// tcp_send_ack.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "tests/support/scenario_run.h"
#include "tests/support/trace_checker.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

const Trace& lossy_send_walk() {
    static const std::string text = [] {
        std::string text = shipped_scenario_text("send-walk.yaml");
        const std::string link = R"(- { a: "R:eth1", b: "B:eth0", speed: 1Gbit, delay: 5us })";
        auto at = text.find(link);
        if (at == std::string::npos) std::abort();
        // 4000 bytes are 3 segments (1448, 1448, 1104): drop the third on its way to B.
        text.replace(at, link.size(),
                     R"(- { a: "R:eth1", b: "B:eth0", speed: 1Gbit, delay: 5us, drop: [{ dir: a_to_b, match: tcp-data, nth: 3 }] })");
        return text;
    }();
    return run_scenario_text(text, "send-walk-lossy.yaml").trace();
}

} // namespace

TEST(TcpTimerChains, RetransmissionTimer) {
    const Trace& t = lossy_send_walk();
    std::vector<std::string> chain = {"tcp_write_timer", "tcp_write_timer_handler", "tcp_retransmit_timer",
                                      "tcp_enter_loss", "tcp_retransmit_skb", "__tcp_retransmit_skb",
                                      "tcp_transmit_skb"};
    expect_names_in_callchains(chain);
    auto at = find_call(t, "A", "tcp_write_timer");
    ASSERT_TRUE(at) << "the retransmission timer never fired";
    EXPECT_EQ(check_in_order(calls_inside(t, *at), chain), "");
    // The timer fires one RTO after the segment was sent: at least TCP_RTO_MIN (200 ms) later.
    auto sent = find_call(t, "A", "tcp_event_new_data_sent");
    ASSERT_TRUE(sent);
    EXPECT_GE(t.events[*at].time - t.events[*sent].time, 200'000'000u);
}

const Trace& request_response() {
    return run_scenario_text(R"(name: request-response
seed: 5
duration: 2s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:01:64", address: 192.168.1.100/24 }
    programs:
      - name: client
        start: 1ms
        steps:
          - socket: stream
          - connect: { fd: 3, to: "192.168.1.200:8080" }
          - send: { fd: 3, data: "request one" }
          - recv: { fd: 3, len: 100 }
          - send: { fd: 3, data: "request two" }
          - recv: { fd: 3, len: 100 }
          - send: { fd: 3, data: "request three" }
          - sleep: 500ms
          - close: { fd: 3 }
  B:
    interfaces:
      eth0: { mac: "02:00:00:00:01:c8", address: 192.168.1.200/24 }
    programs:
      - name: server
        steps:
          - socket: stream
          - bind: { fd: 3, addr: "0.0.0.0:8080" }
          - listen: { fd: 3, backlog: 1 }
          - accept: { fd: 3 }
          - recv: { fd: 4, len: 100 }
          - send: { fd: 4, data: "answer one" }
          - recv: { fd: 4, len: 100 }
          - send: { fd: 4, data: "answer two" }
          - recv: { fd: 4, len: 100 }
          - recv: { fd: 4, len: 100 }
links:
  - { a: "A:eth0", b: "B:eth0" }
)",
                             "request-response.yaml")
        .trace();
}

TEST(TcpTimerChains, DelayedAckTimer) {
    const Trace& t = request_response();
    std::vector<std::string> chain = {"tcp_delack_timer", "tcp_delack_timer_handler", "tcp_send_ack"};
    expect_names_in_callchains(chain);
    std::optional<size_t> at;
    for (const char* host : {"A", "B"})
        if (!at) at = find_call(t, host, "tcp_delack_timer");
    ASSERT_TRUE(at) << "no delayed ACK timer fired in the request/response exchange";
    EXPECT_EQ(check_in_order(calls_inside(t, *at), chain), "");
}
