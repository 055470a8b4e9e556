// The hand-built test traces: recorded through the real Sim/Recorder/sk_buff code, so the ui is
// tested on the events the simulation really produces.
#include "tests/ui/testtrace.h"

#include "core/skb/skbuff.h"
#include "core/time/sim.h"

namespace skbscope::test {

Trace makeTestTrace() {
    Sim sim(7);
    const HostId a = sim.add_host("A");
    const HostId b = sim.add_host("B");
    const ContextId aTask = sim.add_context(a, ContextKind::Task, "sender (pid 100)");
    const ContextId aSoftirq = sim.add_context(a, ContextKind::Softirq, "softirq");
    const ContextId bSoftirq = sim.add_context(b, ContextKind::Softirq, "softirq");

    sim.in_context(aTask, [&] {
        TRACE_FUNC(sim, sendto);
        TRACE_FUNC(sim, __libc_sendto);
        {
            TRACE_FUNC_NAMED(udp, sim, udp_sendmsg);
            SkBuff* skb = alloc_skb(sim, 256);
            skb->flow = sim.new_flow();
            skb_reserve(skb, 64);
            skb_put(skb, 8);
            sim.in_context(bSoftirq, [&] {
                TRACE_FUNC(sim, net_rx_action);
                TRACE_FUNC(sim, ip_rcv);
                sim.rec().note("B is busy receiving something else.", Layer::Ipv4);
            });
            {
                TRACE_FUNC(sim, ip_send_skb, skb);
                skb_push(skb, 20);
                sim.rec().queue("qdisc", "A:eth0", QueueOp::Enqueue, 1, skb->len, skb, Layer::Qdisc);
            }
            kfree_skb_reason(skb, DropReason::NoSocket);
            udp.ret(-111);
        }
    });
    sim.in_context(aSoftirq, [&] { TRACE_FUNC(sim, net_tx_action); });
    return sim.trace();
}

Trace makeBigTrace(uint32_t n) {
    Trace t;
    t.hosts = {"A"};
    t.contexts = {ContextInfo{0, ContextKind::Lab, "lab"}, ContextInfo{0, ContextKind::Task, "bulk (pid 1)"}};
    t.events.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
        TraceEvent e;
        e.time = i * 10;
        e.ctx = 1;
        e.flow = 1 + (i / 64);
        const uint32_t phase = i % 4;
        e.kind = phase == 0 ? EventKind::FuncEnter : phase == 3 ? EventKind::FuncExit : EventKind::Counter;
        e.name = static_cast<StrId>(Fn::ip_rcv);
        e.layer = Layer::Ipv4;
        e.depth = (phase == 1 || phase == 2) ? 1 : 0;
        e.a[0] = i;
        t.events.push_back(e);
    }
    return t;
}

} // namespace skbscope::test
