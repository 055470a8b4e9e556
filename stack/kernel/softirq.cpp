// Softirqs (kernel/softirq.c): raise_softirq marks a softirq pending; __do_softirq runs the pending
// ones in the host's softirq context, in Linux's order (NET_TX before NET_RX), restarting while new
// ones are raised, up to MAX_SOFTIRQ_RESTART rounds; then the rest is left to ksoftirqd.
// On a CPU that network namespaces share (netns), local_bh_enable in process context runs pending
// softirqs at once (do_softirq), in the task's context: a veth transmission raised NET_RX there.
// SIMPLIFICATION: raising schedules __do_softirq "now" in the softirq context (as irq_exit would
// run it) unless a task holds bottom halves off on a shared CPU; ksoftirqd is the same context
// scheduled again. Timers run as their own events in the softirq context rather than inside
// TIMER_SOFTIRQ. A host alone on its CPU keeps the first rule even for lo, whose netif_rx Linux
// would also process at the sender's local_bh_enable.
#include "core/time/sim.h"
#include "stack/core/dev.h"
#include "stack/host.h"

namespace skbscope {

constexpr int MAX_SOFTIRQ_RESTART = 10;

static bool in_task(Host& host) {
    Sim& sim = host.sim();
    return sim.trace().contexts[sim.current()].kind == ContextKind::Task;
}

static void schedule_softirq(Host& host) {
    SoftnetData& sd = host.sd();
    if (sd.softirq_scheduled || sd.in_softirq) return;
    // A task with bottom halves off on a shared CPU: its local_bh_enable runs them (do_softirq).
    if (sd.shared && sd.bh_disable_count > 0 && in_task(host)) return;
    sd.softirq_scheduled = true;
    host.sim().at(host.sim().now(), host.softirq_ctx(), [&host] {
        host.sd().softirq_scheduled = false;
        if (host.sd().softirq_pending) __do_softirq(host);
    });
}

void raise_softirq(Host& host, int nr) {
    TRACE_FUNC(host.sim(), raise_softirq, nullptr, nr);
    host.sd().softirq_pending |= 1u << nr;
    schedule_softirq(host);
}

void __do_softirq(Host& host) {
    Sim& sim = host.sim();
    SoftnetData& sd = host.sd();
    TRACE_FUNC(sim, __do_softirq, nullptr, sd.softirq_pending);
    sd.in_softirq = true;
    for (int restart = 0; sd.softirq_pending && restart < MAX_SOFTIRQ_RESTART; ++restart) {
        uint32_t pending = sd.softirq_pending;
        sd.softirq_pending = 0;
        if (pending & (1u << NET_TX_SOFTIRQ)) net_tx_action(host);
        if (pending & (1u << NET_RX_SOFTIRQ)) net_rx_action(host);
    }
    sd.in_softirq = false;
    if (sd.softirq_pending) {
        host.note("softirqs still pending after " + std::to_string(MAX_SOFTIRQ_RESTART) + " rounds: wakeup_softirqd",
                  Layer::Softirq);
        schedule_softirq(host);
    }
}

void local_bh_disable(Host& host) { ++host.sd().bh_disable_count; }

void local_bh_enable(Host& host) {
    SoftnetData& sd = host.sd();
    if (sd.bh_disable_count > 0) --sd.bh_disable_count;
    // __local_bh_enable_ip: `if (unlikely(!in_interrupt() && local_softirq_pending())) do_softirq();`
    if (!sd.shared || sd.bh_disable_count > 0 || sd.in_softirq || !sd.softirq_pending || !in_task(host)) return;
    TRACE_FUNC(host.sim(), do_softirq, nullptr, sd.softirq_pending);
    __do_softirq(host);
}

} // namespace skbscope
