// Full-path benchmark: UDP datagrams from A's sendto through both stacks, NICs and the link into
// B's recvfrom, with tracing on and off. Reports datagrams per second of wall time; loading the
// scenario and bringing the interfaces up is not timed.
#include <benchmark/benchmark.h>

#include <string>

#include "app/lab/lab.h"
#include "bench/bench_support.h"

using namespace skbscope;

static void BM_UdpFullPath(benchmark::State& state) {
    const int n = 200;
    const std::string text = bench::udp_pair_scenario({.name = "bench-udp", .datagrams = n, .receive = true});
    lab::LabOptions opts;
    opts.tracing = state.range(0) != 0;
    int64_t datagrams = 0;
    size_t events = 0;
    for (auto _ : state) {
        // Loading parses the YAML and brings the NICs up (RX rings of 256 skbs): not timed.
        auto l = bench::load_and_run(state, text, "bench-udp", opts);
        if (!l) return;
        events = l->trace().events.size();
        datagrams += n;
    }
    state.counters["datagrams/s"] = benchmark::Counter(static_cast<double>(datagrams), benchmark::Counter::kIsRate);
    state.counters["events/datagram"] = static_cast<double>(events) / n;
}
BENCHMARK(BM_UdpFullPath)->Arg(1)->Arg(0)->ArgName("tracing")->Unit(benchmark::kMillisecond);

// Full-path TCP bulk transfer: A sends 4 MB to B on one link. Reports data segments per wall
// second (bytes / 1448, the MSS with timestamps) and bytes of virtual traffic per wall second,
// with tracing on and off, between two machines with e1000 NICs on a cable or between two
// network namespaces on one CPU joined by a veth pair (veth:1).
static void BM_TcpBulk(benchmark::State& state) {
    const uint64_t bytes = 4u << 20;
    const bool veth = state.range(1) != 0;
    const std::string text = R"(name: bench-tcp
seed: 1
duration: 30s
)" + std::string(veth ? "netns: true\n" : "") + R"(hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:01:64", address: 192.168.1.100/24 }
    programs:
      - name: client
        start: 1ms
        steps:
          - socket: stream
          - connect: { fd: 3, to: "192.168.1.200:8080" }
          - send: { fd: 3, size: )" + std::to_string(bytes) + R"( }
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
          - recv: { fd: 4, len: 65536, until_eof: true }
links:
  - { a: "A:eth0", b: "B:eth0")" + std::string(veth ? ", type: veth" : "") + R"( }
)";
    lab::LabOptions opts;
    opts.tracing = state.range(0) != 0;
    double total_bytes = 0;
    for (auto _ : state) {
        if (!bench::load_and_run(state, text, "bench-tcp", opts)) return;
        total_bytes += static_cast<double>(bytes);
    }
    state.counters["segments/s"] = benchmark::Counter(total_bytes / 1448.0, benchmark::Counter::kIsRate);
    state.counters["bytes/s"] = benchmark::Counter(total_bytes, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TcpBulk)->ArgsProduct({{1, 0}, {0, 1}})->ArgNames({"tracing", "veth"})->Unit(benchmark::kMillisecond);
