// Benchmarks of the core: trace events recorded per second, sk_buff operations per second.
#include <benchmark/benchmark.h>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"

using namespace skbscope;

// Function enter/exit pairs (two events each) through TraceScope, as the stack records them.
static void BM_TraceFunctionEvents(benchmark::State& state) {
    Sim sim(1);
    HostId h = sim.add_host("A");
    ContextId ctx = sim.add_context(h, ContextKind::Task, "bench");
    sim.rec().set_enabled(state.range(0) != 0);
    int64_t n = 0;
    sim.in_context(ctx, [&] {
        for (auto _ : state) {
            TRACE_FUNC(sim, ip_rcv);
            {
                TRACE_FUNC(sim, ip_rcv_core);
            }
            n += 4;
            if (sim.trace().events.size() > 4'000'000) {
                state.PauseTiming();
                sim.trace().events.clear();
                state.ResumeTiming();
            }
        }
    });
    state.counters["events/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TraceFunctionEvents)->Arg(1)->Arg(0)->ArgName("tracing");

// alloc_skb, skb_reserve, skb_put, skb_push x3, skb_pull, consume_skb: eight traced operations.
static void BM_SkbOperations(benchmark::State& state) {
    Sim sim(1);
    HostId h = sim.add_host("A");
    ContextId ctx = sim.add_context(h, ContextKind::Task, "bench");
    sim.rec().set_enabled(state.range(0) != 0);
    int64_t ops = 0;
    sim.in_context(ctx, [&] {
        for (auto _ : state) {
            SkBuff* skb = alloc_skb(sim, 1600);
            skb_reserve(skb, 128);
            skb_put(skb, 1000);
            skb_push(skb, 8);
            skb_push(skb, 20);
            skb_push(skb, 14);
            skb_pull(skb, 14);
            consume_skb(skb);
            ops += 8;
            if (sim.trace().events.size() > 2'000'000) {
                state.PauseTiming();
                sim.trace().events.clear();
                sim.trace().snapshots.clear();
                sim.trace().blob_data.clear();
                sim.trace().blob_offsets.assign(1, 0);
                state.ResumeTiming();
            }
        }
    });
    state.counters["skb_ops/s"] = benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SkbOperations)->Arg(1)->Arg(0)->ArgName("tracing");
