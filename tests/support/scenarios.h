// Scenario texts that more than one test runs (a golden chain and a lab test of the same
// behaviour): kept once here so both read the same run (tests/support/scenario_run.h caches it).
#pragma once

namespace skbscope::test {

// A connected UDP client sends to a port nobody listens on and blocks in recv: B's ICMP port
// unreachable makes the recv fail with ECONNREFUSED (icmp_sock_err_chains_test, scenario_icmp_err_test).
inline constexpr const char* kUdpConnectedRefused = R"(name: udp-refused
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

} // namespace skbscope::test
