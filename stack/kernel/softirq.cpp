// Softirqs (kernel/softirq.c): raise_softirq marks a softirq pending; __do_softirq runs the pending
// ones in the host's softirq context, in Linux's order (NET_TX before NET_RX), restarting while new
// ones are raised, up to MAX_SOFTIRQ_RESTART rounds; then the rest is left to ksoftirqd.
// SIMPLIFICATION: one CPU; raising schedules __do_softirq "now" in the softirq context (as irq_exit
// would run it); ksoftirqd is the same context scheduled again. Timers run as their own events in
// the softirq context rather than inside TIMER_SOFTIRQ.
#include "core/time/sim.h"
#include "stack/core/dev.h"
#include "stack/host.h"

namespace skbscope {

constexpr int MAX_SOFTIRQ_RESTART = 10;

static void schedule_softirq(Host& host) {
    if (host.softirq_scheduled || host.in_softirq) return;
    host.softirq_scheduled = true;
    host.sim().at(host.sim().now(), host.softirq_ctx(), [&host] {
        host.softirq_scheduled = false;
        __do_softirq(host);
    });
}

void raise_softirq(Host& host, int nr) {
    TRACE_FUNC(host.sim(), raise_softirq, nullptr, nr);
    host.softirq_pending |= 1u << nr;
    schedule_softirq(host);
}

void __do_softirq(Host& host) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, __do_softirq, nullptr, host.softirq_pending);
    host.in_softirq = true;
    for (int restart = 0; host.softirq_pending && restart < MAX_SOFTIRQ_RESTART; ++restart) {
        uint32_t pending = host.softirq_pending;
        host.softirq_pending = 0;
        if (pending & (1u << NET_TX_SOFTIRQ)) net_tx_action(host);
        if (pending & (1u << NET_RX_SOFTIRQ)) net_rx_action(host);
    }
    host.in_softirq = false;
    if (host.softirq_pending) {
        host.note("softirqs still pending after " + std::to_string(MAX_SOFTIRQ_RESTART) + " rounds: wakeup_softirqd",
                  Layer::Softirq);
        schedule_softirq(host);
    }
}

} // namespace skbscope
