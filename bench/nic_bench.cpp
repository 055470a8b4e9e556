// NIC benchmark: a burst of UDP datagrams from A to B through the e1000 model on both sides (driver
// TX ring, DMA, the link, RX descriptors, interrupt moderation, NAPI), with tracing on and off.
// Reports items_per_second as burst frames per second (one frame per datagram; the warm-up datagram
// and ARP are not counted); B's socket only queues them (and drops them once its buffer is full), so
// no receive calls are in the measure. Loading the scenario and bringing the interfaces up is not timed.
#include <benchmark/benchmark.h>

#include <string>

#include "app/lab/lab.h"
#include "bench/bench_support.h"
#include "core/trace/trace.h"

using namespace skbscope;

// Arguments: tracing (1/0), UDP payload bytes (18: a minimum 64-byte frame, under copybreak; 1000).
static void BM_NicUdpBurst(benchmark::State& state) {
    const int n = 1000;
    const int payload = static_cast<int>(state.range(1));
    // The first datagram resolves B by ARP (a burst into an unresolved neighbour would mostly be
    // dropped from arp_queue); the burst then runs on a warm neighbour cache.
    const std::string text = bench::udp_pair_scenario(
        {.name = "bench-nic", .datagrams = n, .payload = payload, .warm_up = true, .txqueuelen = 100000});
    lab::LabOptions opts;
    opts.tracing = state.range(0) != 0;
    int64_t frames = 0;
    size_t wire_frames = 0, events = 0;
    for (auto _ : state) {
        auto l = bench::load_and_run(state, text, "bench-nic", opts);
        if (!l) return;
        frames += n;
        state.PauseTiming();
        const Trace& t = l->trace();
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
