// Golden call chains of ICMP errors, checked against ../shared/callchains.md: a TTL-expired ping
// (a routing loop between R and B runs the TTL down; B, forwarding, answers with time exceeded)
// and a port-unreachable reply to a UDP datagram for a closed port. As golden_chains_test.cpp:
// the documented chain in order, then the rendered tree diffed with tests/golden/expected/*.txt.
#include <gtest/gtest.h>

#include "tests/support/scenario_run.h"
#include "tests/support/trace_checker.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

// A -- R -- B; R sends 10.9.9.0/24 to B, B's default route is R: a loop.
const char* kTtlLoop = R"(name: ttl-loop
seed: 42
duration: 2s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:01:64", address: 192.168.1.100/24 }
    routes:
      - { dst: default, via: 192.168.1.1, dev: eth0 }
    programs:
      - name: ping
        start: 1ms
        ping: { dst: 10.9.9.9, count: 1, interval: 1s }
  R:
    ip_forward: true
    interfaces:
      eth0: { mac: "02:00:00:00:01:01", address: 192.168.1.1/24 }
      eth1: { mac: "02:00:00:00:02:01", address: 192.168.2.1/24 }
    routes:
      - { dst: 10.9.9.0/24, via: 192.168.2.100, dev: eth1 }
  B:
    ip_forward: true
    interfaces:
      eth0: { mac: "02:00:00:00:02:64", address: 192.168.2.100/24 }
    routes:
      - { dst: default, via: 192.168.2.1, dev: eth0 }
links:
  - { a: "A:eth0", b: "R:eth0", speed: 1Gbit, delay: 5us }
  - { a: "R:eth1", b: "B:eth0", speed: 1Gbit, delay: 5us }
)";

const char* kClosedPort = R"(name: closed-port
seed: 42
duration: 1s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:00:01", address: 10.0.0.1/24 }
    programs:
      - name: p
        steps:
          - socket: dgram
          - sendto: { fd: 3, to: "10.0.0.2:9000", size: 10 }
  B:
    interfaces:
      eth0: { mac: "02:00:00:00:00:02", address: 10.0.0.2/24 }
links:
  - { a: "A:eth0", b: "B:eth0", speed: 1Gbit, delay: 5us }
)";

} // namespace

TEST(IcmpChains, TtlExpiredPingGetsTimeExceeded) {
    const Trace& t = run_scenario_text(kTtlLoop, "ttl-loop.yaml").trace();
    // The packet B receives with TTL 1: ip_forward -> too_many_hops -> icmp_send (the only
    // ip_forward on B that sends ICMP).
    expect_names_in_callchains({"icmp_send"});
    expect_names_in_callchains({"ip_rcv_finish", "ip_route_input_noref", "ip_forward", "ip_output"});
    expect_call_chain(t, "B", "icmp_send", 0,
                      {"icmp_send", "icmpv4_global_allow", "icmp_global_allow", "ip_route_output_key",
                       "icmpv4_xrlim_allow", "icmp_push_reply", "ip_append_data", "ip_push_pending_frames",
                       "ip_local_out", "dst_output", "ip_output"});
    // The enclosing forward path, from the frame's ip_rcv on B: the 32nd pass, TTL 1 (B sees 63,
    // 61, ..., 1).
    auto fwd = expect_call_chain(t, "B", "ip_forward", 31,
                                 {"ip_forward", "icmp_send", "icmp_push_reply", "ip_push_pending_frames"});
    ASSERT_TRUE(fwd);
    // A receives it: icmp_rcv -> icmp_unreach -> icmp_socket_deliver -> ping_err.
    expect_call_chain(t, "A", "icmp_unreach", 0, {"icmp_unreach", "icmp_socket_deliver", "ping_err"});
    expect_golden(t, *fwd, "icmp_time_exceeded");
}

TEST(IcmpChains, ClosedUdpPortGetsPortUnreachable) {
    const Trace& t = run_scenario_text(kClosedPort, "closed-port.yaml").trace();
    expect_names_in_callchains({"udp_rcv", "__udp4_lib_rcv", "icmp_send", "ip_local_out", "dst_output", "ip_output"});
    auto at = expect_call_chain(t, "B", "udp_rcv", 0,
                                {"udp_rcv", "__udp4_lib_rcv", "icmp_send", "icmp_push_reply",
                                 "ip_push_pending_frames", "ip_local_out", "dst_output", "ip_output"});
    ASSERT_TRUE(at);
    expect_call_chain(t, "A", "icmp_unreach", 0, {"icmp_unreach", "icmp_socket_deliver", "__udp4_lib_err"});
    expect_golden(t, *at, "icmp_port_unreachable");
}
