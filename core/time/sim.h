// The simulation: the scheduler, the seeded generator, the trace recorder and the execution
// contexts (tracks). Each context has its own clock: work done in a context (TraceScope costs,
// charge()) advances that clock, so a chain of calls has real widths on the timeline, and an event
// dispatched into a busy context starts when the context is free (clock = max(clock, event time)).
// SIMPLIFICATION: contexts of one host do not preempt each other; a hardirq due while a task's
// chain is running starts at its own time on its own track, as on another CPU.
// Hosts that are network namespaces of one kernel on one CPU (set_host_cpu) share that CPU's clock
// across their task, softirq and hardirq contexts: an event for one of them starts when the CPU
// is free (clock = max(its clock, event time, the CPU's clock)), so a task woken while another
// runs waits for it, as the scheduler makes it on one CPU (no preemption).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/time/rng.h"
#include "core/time/scheduler.h"
#include "core/trace/recorder.h"
#include "core/trace/trace.h"

namespace skbscope {

class SkBuff;

class Sim {
public:
    explicit Sim(uint64_t seed = 1);
    ~Sim();
    Sim(const Sim&) = delete;
    Sim& operator=(const Sim&) = delete;

    Scheduler& scheduler() { return m_sched; }
    Rng& rng() { return m_rng; }
    Recorder& rec() { return m_rec; }
    Trace& trace() { return m_trace; }
    const Trace& trace() const { return m_trace; }
    uint64_t seed() const { return m_seed; }

    HostId add_host(std::string name);
    ContextId add_context(HostId host, ContextKind kind, std::string name);
    // Puts the host's task, softirq and hardirq contexts (those it has and those it will get) on
    // CPU `cpu`, whose clock they share with every other context there.
    void set_host_cpu(HostId host, int cpu);
    // The lab's own context (id 0), where set-up runs.
    static constexpr ContextId kLabContext = 0;

    ContextId current() const { return m_current; }
    HostId current_host() const { return m_trace.contexts[m_current].host; }
    // The current context's clock.
    TimeNs now() const { return m_ctx[m_current].clock; }
    void charge(TimeNs ns) { m_ctx[m_current].clock += ns; }
    // Modelled cost of touching n bytes (copy or checksum): 1 ns per 8 bytes.
    void charge_bytes(size_t n) { charge(static_cast<TimeNs>(n / 8)); }
    uint16_t depth() const { return m_ctx[m_current].depth; }
    void push_depth() { ++m_ctx[m_current].depth; }
    void pop_depth() {
        if (m_ctx[m_current].depth) --m_ctx[m_current].depth;
    }

    Scheduler::EventId at(TimeNs t, ContextId ctx, Scheduler::Callback cb) {
        return m_sched.schedule_at(t, ctx, std::move(cb));
    }
    Scheduler::EventId after(TimeNs delay, ContextId ctx, Scheduler::Callback cb) {
        return m_sched.schedule_at(now() + delay, ctx, std::move(cb));
    }
    bool cancel(Scheduler::EventId id) { return m_sched.cancel(id); }

    // Runs one event; false when none is pending.
    bool step();
    // Runs events until none is pending or the next is later than limit; returns events run.
    uint64_t run_until(TimeNs limit);
    // Runs code in a context now (used by set-up and tests): switches context, runs, switches back.
    template <typename F> void in_context(ContextId ctx, F&& f) { in_context_at(ctx, m_sched.now(), f); }
    // The same at time t (the context's clock moves up to t): what one context's work records in
    // another's track at the moment it happens (a veth frame on its link).
    template <typename F> void in_context_at(ContextId ctx, TimeNs t, F&& f) {
        ContextId saved = m_current;
        leave(saved);
        switch_to(ctx, t);
        f();
        leave(ctx);
        m_current = saved;
        switch_to(saved, 0);
    }

    uint32_t new_flow() { return ++m_flows; }
    uint32_t new_skb_id() { return ++m_skb_ids; }
    // Live sk_buffs: the skb module registers and unregisters them, so a test can find leaks.
    void skb_created() { ++m_live_skbs; }
    void skb_destroyed() { --m_live_skbs; }
    int64_t live_skbs() const { return m_live_skbs; }
    // A kernel-like virtual address for a new allocation (deterministic bump allocator in the
    // direct map, 0xffff888100000000 up), so the GUI can show pointers as the kernel prints them.
    uint64_t kmalloc_addr(uint64_t size) {
        uint64_t a = m_next_kaddr;
        m_next_kaddr += (size + 63) & ~uint64_t(63);
        return a;
    }

private:
    struct CtxState {
        TimeNs clock = 0;
        uint16_t depth = 0;
        int cpu = -1; // a shared CPU (set_host_cpu), or -1: the context keeps its own clock
    };
    void switch_to(ContextId ctx, TimeNs t);
    void leave(ContextId ctx); // the work done in ctx advances its CPU's clock
    static bool on_cpu(ContextKind k) { return k == ContextKind::Task || k == ContextKind::Softirq || k == ContextKind::Hardirq; }

    uint64_t m_seed;
    Scheduler m_sched;
    Rng m_rng;
    Trace m_trace;
    Recorder m_rec;
    std::vector<CtxState> m_ctx;
    std::vector<int> m_host_cpu;      // per host: its CPU, or -1
    std::vector<TimeNs> m_cpu_clock;  // per shared CPU: when it is free
    ContextId m_current = 0;
    uint32_t m_flows = 0;
    uint32_t m_skb_ids = 0;
    int64_t m_live_skbs = 0;
    uint64_t m_next_kaddr = 0xffff888100000000ULL;
};

} // namespace skbscope
