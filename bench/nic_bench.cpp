// NIC benchmark: a burst of UDP datagrams from A to B through the e1000 model on both sides (driver
// TX ring, DMA, the link, RX descriptors, interrupt moderation, NAPI), with tracing on and off.
// Reports items_per_second as burst frames per second (one frame per datagram; the warm-up datagram
// and ARP are not counted); B's socket only queues them (and drops them once its buffer is full), so
// no receive calls are in the measure. Loading the scenario and bringing the interfaces up is not timed.
#include <benchmark/benchmark.h>

#include <string>

#include "app/lab/lab.h"
#include "core/trace/trace.h"

using namespace skbscope;

namespace {

std::string burst_scenario(int datagrams, int payload) {
    std::string s = R"(name: bench-nic
seed: 1
duration: 60s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:01:64", address: 192.168.1.100/24, txqueuelen: 100000 }
    programs:
      - name: sender
        start: 1ms
        steps:
          - socket: dgram
          - sendto: { fd: 3, to: "192.168.1.200:9000", size: 1 }
          - sleep: 1ms
)";
    // The first datagram resolves B by ARP (a burst into an unresolved neighbour would mostly be
    // dropped from arp_queue); the burst then runs on a warm neighbour cache.
    for (int i = 0; i < datagrams; ++i)
        s += "          - sendto: { fd: 3, to: \"192.168.1.200:9000\", size: " + std::to_string(payload) +
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
links:
  - { a: "A:eth0", b: "B:eth0" }
)";
    return s;
}

} // namespace

// Arguments: tracing (1/0), UDP payload bytes (18: a minimum 64-byte frame, under copybreak; 1000).
static void BM_NicUdpBurst(benchmark::State& state) {
    const int n = 1000;
    const int payload = static_cast<int>(state.range(1));
    const std::string text = burst_scenario(n, payload);
    lab::LabOptions opts;
    opts.tracing = state.range(0) != 0;
    int64_t frames = 0;
    size_t wire_frames = 0, events = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto l = lab::Lab::load_text(text, "bench-nic", opts);
        state.ResumeTiming();
        if (!l) {
            state.SkipWithError(l.error().message.c_str());
            return;
        }
        (*l)->run();
        frames += n;
        state.PauseTiming();
        const Trace& t = (*l)->trace();
        events = t.events.size();
        wire_frames = 0;
        for (const auto& e : t.events)
            if (e.kind == EventKind::Wire) ++wire_frames;
        state.ResumeTiming();
    }
    state.SetItemsProcessed(frames);
    if (opts.tracing) {
        state.counters["wire_frames"] = static_cast<double>(wire_frames); // burst + warm-up + ARP, to check
        state.counters["events/frame"] = static_cast<double>(events) / n;
    }
}
BENCHMARK(BM_NicUdpBurst)
    ->ArgsProduct({{1, 0}, {18, 1000}})
    ->ArgNames({"tracing", "payload"})
    ->Unit(benchmark::kMillisecond);
