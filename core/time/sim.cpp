// The run loop: pop the earliest event, switch to its context, run it.
#include "core/time/sim.h"

#include "core/util/assert.h"

namespace skbscope {

Sim::Sim(uint64_t seed) : m_seed(seed), m_rng(seed), m_rec(*this, m_trace) {
    m_trace.seed = seed;
    m_trace.hosts.clear();
    m_trace.contexts.push_back(ContextInfo{0, ContextKind::Lab, "lab"});
    m_ctx.push_back(CtxState{});
}

Sim::~Sim() = default;

HostId Sim::add_host(std::string name) {
    m_trace.hosts.push_back(std::move(name));
    m_host_cpu.push_back(-1);
    return static_cast<HostId>(m_trace.hosts.size() - 1);
}

void Sim::set_host_cpu(HostId host, int cpu) {
    SKB_ASSERT(host < m_host_cpu.size() && cpu >= 0);
    m_host_cpu[host] = cpu;
    if (m_cpu_clock.size() <= static_cast<size_t>(cpu)) m_cpu_clock.resize(static_cast<size_t>(cpu) + 1, 0);
    for (size_t i = 0; i < m_ctx.size(); ++i)
        if (m_trace.contexts[i].host == host && on_cpu(m_trace.contexts[i].kind)) m_ctx[i].cpu = cpu;
}

void Sim::leave(ContextId ctx) {
    const CtxState& c = m_ctx[ctx];
    if (c.cpu >= 0 && m_cpu_clock[static_cast<size_t>(c.cpu)] < c.clock) m_cpu_clock[static_cast<size_t>(c.cpu)] = c.clock;
}

ContextId Sim::add_context(HostId host, ContextKind kind, std::string name) {
    SKB_ASSERT(m_trace.contexts.size() < 0xffff);
    m_trace.contexts.push_back(ContextInfo{host, kind, std::move(name)});
    const int cpu = host < m_host_cpu.size() && on_cpu(kind) ? m_host_cpu[host] : -1;
    m_ctx.push_back(CtxState{m_sched.now(), 0, cpu});
    return static_cast<ContextId>(m_trace.contexts.size() - 1);
}

void Sim::switch_to(ContextId ctx, TimeNs t) {
    SKB_ASSERT(ctx < m_ctx.size());
    m_current = ctx;
    CtxState& c = m_ctx[ctx];
    if (c.clock < t) c.clock = t;
    if (c.cpu >= 0 && c.clock < m_cpu_clock[static_cast<size_t>(c.cpu)]) c.clock = m_cpu_clock[static_cast<size_t>(c.cpu)];
}

bool Sim::step() {
    Scheduler::Due due;
    if (!m_sched.pop(due)) return false;
    switch_to(due.ctx, due.time);
    due.cb();
    leave(m_current);
    m_current = kLabContext;
    if (m_ctx[kLabContext].clock < m_sched.now()) m_ctx[kLabContext].clock = m_sched.now();
    return true;
}

uint64_t Sim::run_until(TimeNs limit) {
    uint64_t n = 0;
    while (!m_sched.empty() && m_sched.next_time() <= limit) {
        step();
        ++n;
    }
    return n;
}

} // namespace skbscope
