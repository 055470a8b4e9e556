// Shared by the lab benchmarks (lab_bench.cpp, nic_bench.cpp): the two-host UDP scenario (A
// 192.168.1.100 sends datagrams to B 192.168.1.200:9000 on one link) and the measured step, which
// loads a scenario untimed (YAML, NICs up, RX rings filled) and times only its run.
#pragma once
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "app/lab/lab.h"

namespace skbscope::bench {

struct UdpPairSpec {
    std::string name;     // the scenario's name
    int datagrams = 0;    // A's sendto calls, after the warm-up
    int payload = 1000;   // bytes of each
    bool warm_up = false; // one 1-byte datagram first, then 1ms: B is resolved by ARP before the burst
    int txqueuelen = 0;   // A's eth0 txqueuelen key; 0: the default
    bool receive = false; // B calls recvfrom (len 2048) once per datagram; else the socket only queues
};

// The scenario text of spec: A's sender starts at 1ms, B's receiver has SO_RCVBUF 4000000.
inline std::string udp_pair_scenario(const UdpPairSpec& spec) {
    std::string s = "name: " + spec.name + R"(
seed: 1
duration: 60s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:01:64", address: 192.168.1.100/24)";
    if (spec.txqueuelen) s += ", txqueuelen: " + std::to_string(spec.txqueuelen);
    s += R"( }
    programs:
      - name: sender
        start: 1ms
        steps:
          - socket: dgram
)";
    if (spec.warm_up)
        s += "          - sendto: { fd: 3, to: \"192.168.1.200:9000\", size: 1 }\n          - sleep: 1ms\n";
    for (int i = 0; i < spec.datagrams; ++i)
        s +=
            "          - sendto: { fd: 3, to: \"192.168.1.200:9000\", size: " + std::to_string(spec.payload) +
            " }\n";
    s += R"(  B:
    interfaces:
      eth0: { mac: "02:00:00:00:01:c8", address: 192.168.1.200/24 }
    programs:
      - name: receiver
        steps:
          - socket: dgram
          - setsockopt: { fd: 3, opt: SO_RCVBUF, value: 4000000 }
          - bind: { fd: 3, addr: "0.0.0.0:9000" }
)";
    if (spec.receive)
        for (int i = 0; i < spec.datagrams; ++i)
            s += "          - recvfrom: { fd: 3, len: 2048 }\n";
    s += "links:\n  - { a: \"A:eth0\", b: \"B:eth0\" }\n";
    return s;
}

// One measured iteration: loads text untimed, then runs it timed. nullptr (after SkipWithError,
// so the caller returns) when it does not load.
inline std::unique_ptr<lab::Lab> load_and_run(benchmark::State& state, const std::string& text,
                                              const std::string& name, const lab::LabOptions& opts) {
    state.PauseTiming();
    auto l = lab::Lab::load_text(text, name, opts);
    state.ResumeTiming();
    if (!l) {
        state.SkipWithError(l.error().message.c_str());
        return nullptr;
    }
    (*l)->run();
    return std::move(*l);
}

} // namespace skbscope::bench
