// The default qdisc and its run loop (net/sched/sch_generic.c, net/core/dev.c's __dev_xmit_skb):
// pfifo_fast with three priority bands, the empty-qdisc bypass, __qdisc_run -> qdisc_restart ->
// dequeue_skb -> sch_direct_xmit, dev_requeue_skb when the driver says NETDEV_TX_BUSY, and
// __netif_schedule raising NET_TX_SOFTIRQ to finish later.
// SIMPLIFICATION: one TX queue; no byte queue limits (BQL); validate_xmit_skb only linearizes.
// LINUX: pfifo_fast is lockless (TCQ_F_NOLOCK | TCQ_F_CAN_BYPASS): an empty qdisc sends directly;
// each band holds txqueuelen packets (the limit is per band; ip link set DEV txqueuelen N, or a
// scenario's txqueuelen); a full band drops with QDISC_DROP, counted in qstats.drops (a counter event);
// the run loop's quota is dev_tx_weight (64).
#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "stack/core/dev.h"
#include "stack/host.h"

namespace skbscope {

// prio2band for TC_PRIO_* (skb->priority & 15): best effort -> band 1, interactive -> band 0.
static const uint8_t kPrio2Band[16] = {1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};

static void qdisc_event(Host& host, Qdisc* q, QueueOp op, const SkBuff* skb) {
    host.sim().rec().queue("qdisc", q->label, op, q->qlen, q->backlog, skb, Layer::Qdisc);
    host.sim().rec().counter(q->label, "qdisc backlog", q->backlog, Layer::Qdisc);
}

static int pfifo_fast_enqueue(Host& host, SkBuff* skb, Qdisc* q) {
    TRACE_FUNC_NAMED(scope, host.sim(), pfifo_fast_enqueue, skb);
    int band = kPrio2Band[skb->priority & 15];
    auto& list = q->bands[band];
    if (list.size() >= q->dev->tx_queue_len) {
        qdisc_event(host, q, QueueOp::Drop, skb);
        host.note("qdisc " + q->label + " band " + std::to_string(band) + " full (txqueuelen " +
                      std::to_string(q->dev->tx_queue_len) + ")", Layer::Qdisc, skb);
        ++q->dev->stats.tx_dropped;
        ++q->drops; // qdisc_drop_cpu -> qdisc_qstats_cpu_drop
        host.sim().rec().counter(q->label, "qdisc drops", static_cast<int64_t>(q->drops), Layer::Qdisc);
        kfree_skb_reason(skb, DropReason::QdiscDrop);
        scope.ret(NET_XMIT_DROP);
        return NET_XMIT_DROP;
    }
    list.push_back(skb);
    ++q->qlen;
    q->backlog += skb->len;
    qdisc_event(host, q, QueueOp::Enqueue, skb);
    scope.ret(NET_XMIT_SUCCESS);
    return NET_XMIT_SUCCESS;
}

static SkBuff* pfifo_fast_dequeue(Host& host, Qdisc* q) {
    TRACE_FUNC(host.sim(), pfifo_fast_dequeue);
    for (auto& list : q->bands) {
        if (list.empty()) continue;
        SkBuff* skb = list.front();
        list.pop_front();
        --q->qlen;
        q->backlog -= skb->len;
        qdisc_event(host, q, QueueOp::Dequeue, skb);
        return skb;
    }
    return nullptr;
}

void __netif_schedule(Host& host, Qdisc* q) {
    TRACE_FUNC(host.sim(), __netif_schedule);
    if (q->scheduled) return;
    q->scheduled = true;
    host.sd().output_queue.push_back(q);
    raise_softirq(host, NET_TX_SOFTIRQ);
}

static void dev_requeue_skb(Host& host, SkBuff* skb, Qdisc* q) {
    TRACE_FUNC(host.sim(), dev_requeue_skb, skb);
    q->gso_skb = skb;
    ++q->qlen;
    q->backlog += skb->len;
    qdisc_event(host, q, QueueOp::Requeue, skb);
    __netif_schedule(host, q);
}

static SkBuff* dequeue_skb(Host& host, Qdisc* q) {
    TRACE_FUNC(host.sim(), dequeue_skb);
    if (q->dev->queue_stopped) return nullptr; // netif_xmit_frozen_or_stopped
    if (SkBuff* skb = q->gso_skb) {
        q->gso_skb = nullptr;
        --q->qlen;
        q->backlog -= skb->len;
        qdisc_event(host, q, QueueOp::Dequeue, skb);
        return skb;
    }
    return pfifo_fast_dequeue(host, q);
}

// Returns true when the caller may go on dequeuing.
static bool sch_direct_xmit(Host& host, SkBuff* skb, Qdisc* q, NetDevice* dev) {
    TRACE_FUNC_NAMED(scope, host.sim(), sch_direct_xmit, skb);
    skb = validate_xmit_skb(host, skb, dev); // validate_xmit_skb_list
    int ret = static_cast<int>(NetdevTx::Busy);
    if (!dev->queue_stopped) dev_hard_start_xmit(host, skb, dev, &ret);
    if (ret == static_cast<int>(NetdevTx::Busy)) {
        ++dev->stats.tx_busy;
        host.note("driver returned NETDEV_TX_BUSY (or the queue is stopped): requeue", Layer::Qdisc, skb);
        dev_requeue_skb(host, skb, q);
        scope.ret(0);
        return false;
    }
    scope.ret(1);
    return true;
}

static bool qdisc_restart(Host& host, Qdisc* q) {
    TRACE_FUNC_NAMED(scope, host.sim(), qdisc_restart);
    SkBuff* skb = dequeue_skb(host, q);
    if (!skb) return false;
    bool more = sch_direct_xmit(host, skb, q, q->dev);
    scope.ret(more);
    return more;
}

static void __qdisc_run(Host& host, Qdisc* q) {
    TRACE_FUNC(host.sim(), __qdisc_run);
    int quota = host.dev_tx_weight;
    while (qdisc_restart(host, q)) {
        if (--quota <= 0) {
            __netif_schedule(host, q);
            break;
        }
    }
}

void qdisc_run(Host& host, Qdisc* q) {
    TRACE_FUNC(host.sim(), qdisc_run);
    if (q->running) return; // qdisc_run_begin
    q->running = true;
    __qdisc_run(host, q);
    q->running = false;
}

int __dev_xmit_skb(Host& host, SkBuff* skb, Qdisc* q, NetDevice* dev) {
    TRACE_FUNC_NAMED(scope, host.sim(), __dev_xmit_skb, skb, q->qlen);
    if (q->qlen == 0 && !q->running) {
        // TCQ_F_CAN_BYPASS on an empty qdisc: transmit at once, never enqueued.
        q->running = true;
        host.note("qdisc " + q->label + " empty: bypass to sch_direct_xmit", Layer::Qdisc, skb);
        if (sch_direct_xmit(host, skb, q, dev) && q->qlen) __qdisc_run(host, q);
        q->running = false;
        scope.ret(NET_XMIT_SUCCESS);
        return NET_XMIT_SUCCESS;
    }
    int rc = pfifo_fast_enqueue(host, skb, q); // dev_qdisc_enqueue -> q->enqueue
    qdisc_run(host, q);
    scope.ret(rc);
    return rc;
}

void qdisc_reset(Qdisc* q) {
    for (auto& list : q->bands) {
        for (SkBuff* skb : list) kfree_skb(skb);
        list.clear();
    }
    if (q->gso_skb) kfree_skb(q->gso_skb);
    q->gso_skb = nullptr;
    q->qlen = q->backlog = 0;
}

} // namespace skbscope
