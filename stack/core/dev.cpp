// The device layer (net/core/dev.c): transmit entry (dev_queue_xmit -> __dev_queue_xmit ->
// __dev_xmit_skb, then dev_hard_start_xmit -> xmit_one -> netdev_start_xmit -> ndo_start_xmit),
// receive (netif_receive_skb -> __netif_receive_skb -> __netif_receive_skb_core and its EtherType
// dispatch), NAPI (__napi_schedule, net_rx_action with its budget, napi_poll with the weight) and
// net_tx_action for qdiscs scheduled on the output queue; the per-CPU backlog for lo (netif_rx ->
// enqueue_to_backlog, process_backlog as the backlog's NAPI poll) and noqueue transmit for lo.
// Packet taps: dev_add_pack puts ETH_P_ALL handlers on ptype_all (or a device's list); xmit_one
// gives them a clone (dev_queue_xmit_nit) and __netif_receive_skb_core the received skb.
// SIMPLIFICATION: one TX queue per device; no RPS/RFS, no busy polling, no GRO; net_rx_action's
// time limit is virtual; protocol handlers (ptype_base) are plain functions, one per EtherType.
// LINUX: the last matching handler is called directly, not through deliver_skb (which only serves
// taps and earlier handlers), as __netif_receive_skb_core/one_core and dev_queue_xmit_nit do: with
// one tap, a received frame reaches it through deliver_skb, an outgoing clone directly. A frame no
// protocol handler wants is not an UNHANDLED_PROTO drop when a tap took it.
#include <cstdio>

#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "stack/core/dev.h"
#include "stack/host.h"
#include "stack/socket/af_packet.h"

namespace skbscope {

// ---- transmit ----

static int netdev_start_xmit(Host& host, SkBuff* skb, NetDevice* dev) {
    TRACE_FUNC_NAMED(scope, host.sim(), netdev_start_xmit, skb);
    NetdevTx rc = dev->ndo_start_xmit(skb); // e1000_xmit_frame
    scope.ret(static_cast<int>(rc));
    return static_cast<int>(rc);
}

static int xmit_one(Host& host, SkBuff* skb, NetDevice* dev) {
    TRACE_FUNC_NAMED(scope, host.sim(), xmit_one, skb);
    if (dev_nit_active(host, dev)) dev_queue_xmit_nit(host, skb, dev);
    int rc = netdev_start_xmit(host, skb, dev);
    scope.ret(rc);
    return rc;
}

int dev_hard_start_xmit(Host& host, SkBuff* skb, NetDevice* dev, int* ret) {
    TRACE_FUNC_NAMED(scope, host.sim(), dev_hard_start_xmit, skb);
    *ret = xmit_one(host, skb, dev);
    scope.ret(*ret);
    return *ret;
}

static int netdev_core_pick_tx(Host& host, SkBuff* skb) {
    TRACE_FUNC(host.sim(), netdev_core_pick_tx, skb);
    return 0; // one queue
}

// skb_segment for a device without scatter-gather: the segment is built as one linear buffer,
// __alloc_skb(payload + headers + the GSO skb's headroom), headers and payload copied in.
static SkBuff* skb_segment_linear(Host& host, SkBuff* skb) {
    TRACE_FUNC(host.sim(), skb_segment, skb, skb->gso_segs);
    SkBuff* nskb = skb_copy_linear(skb, skb_headroom(skb), 0, Fn::skb_segment);
    nskb->sk = skb->sk;   // tcp_gso_segment: each segment is charged to the socket (tcp_wfree)
    nskb->gso_segs = 0;   // a segment is a plain packet
    host.note("segment copied into one linear buffer: " + skb->dev->label + " has no scatter-gather (sg off)",
              Layer::Dev, nskb);
    consume_skb(skb); // the GSO skb is done with once segmented
    return nskb;
}

// validate_xmit_skb: what the device cannot take is fixed in software first. A paged skb for a
// device without NETIF_F_SG becomes linear: a GSO packet's segments as skb_segment builds them,
// a lone skb by __skb_linearize (a head grown by the data it lacks room for, plus 128 bytes).
// SIMPLIFICATION: no software checksum here (our stack checksums in software unless the device
// has NETIF_F_HW_CSUM), no VLAN or encapsulation offloads.
SkBuff* validate_xmit_skb(Host& host, SkBuff* skb, NetDevice* dev) {
    if (!skb->is_nonlinear() || (dev->features & NETIF_F_SG)) return skb;
    TRACE_FUNC(host.sim(), validate_xmit_skb, skb);
    if (skb->gso_segs > 1) return skb_segment_linear(host, skb);
    TRACE_FUNC(host.sim(), __skb_linearize, skb);
    const int64_t eat = static_cast<int64_t>(skb->tail) + skb->data_len - skb->end;
    if (eat > 0 || (skb->cloned && skb->dataref() != 1))
        pskb_expand_head(skb, 0, eat > 0 ? static_cast<uint32_t>(eat) + 128 : 0);
    pskb_may_pull(skb, skb->len); // __pskb_pull_tail: the frags' bytes move into the head
    return skb;
}

static int __dev_queue_xmit(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), __dev_queue_xmit, skb);
    NetDevice* dev = skb->dev;
    skb_reset_mac_header(skb);
    netdev_core_pick_tx(host, skb);
    Qdisc* q = host.qdisc(dev);
    if (dev->up && !q) {
        // noqueue (lo, veth): no qdisc, straight to the driver.
        skb = validate_xmit_skb(host, skb, dev);
        int rc = NET_XMIT_SUCCESS;
        dev_hard_start_xmit(host, skb, dev, &rc);
        scope.ret(rc);
        return rc;
    }
    if (!dev->up) {
        host.note("device " + dev->label + " is down", Layer::Dev, skb);
        ++dev->stats.tx_dropped;
        kfree_skb_reason(skb, DropReason::DevReady);
        scope.ret(-ENETDOWN);
        return -ENETDOWN;
    }
    int rc = __dev_xmit_skb(host, skb, q, dev);
    scope.ret(rc);
    return rc;
}

int dev_queue_xmit(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), dev_queue_xmit, skb);
    // LINUX: __dev_queue_xmit runs under rcu_read_lock_bh(); its rcu_read_unlock_bh() is where
    // a softirq the transmission raised (a veth peer's netif_rx) runs on a shared CPU.
    local_bh_disable(host);
    int rc = __dev_queue_xmit(host, skb);
    local_bh_enable(host);
    scope.ret(rc);
    return rc;
}

void dev_open(Host& host, NetDevice* dev) {
    TRACE_FUNC_NAMED(scope, host.sim(), dev_open, nullptr, dev->ifindex);
    bool ok = dev->ndo_open();
    dev->up = ok;
    host.note("ip link set " + dev->name + " up: " + (ok ? "UP" : "ndo_open failed"), Layer::Dev);
    scope.ret(ok ? 0 : -EIO);
}

// ---- packet taps (ptype_all) ----

static std::vector<PacketType*>* ptype_head(Host& host, const PacketType* pt) {
    return pt->dev ? &host.dev_ptype_all[pt->dev] : &host.ptype_all;
}

void dev_add_pack(Host& host, PacketType* pt) {
    TRACE_FUNC(host.sim(), dev_add_pack, nullptr, pt->type, pt->dev ? pt->dev->ifindex : 0);
    auto* head = ptype_head(host, pt);
    head->insert(head->begin(), pt); // list_add_rcu: at the head
    host.note(std::string("packet tap added on ") + (pt->dev ? pt->dev->label + "'s ptype_all" : "ptype_all (every device)") +
                  ": " + std::to_string(head->size()) + " there now",
              Layer::Dev);
}

void dev_remove_pack(Host& host, PacketType* pt) {
    TRACE_FUNC(host.sim(), dev_remove_pack, nullptr, pt->type, pt->dev ? pt->dev->ifindex : 0);
    auto* head = ptype_head(host, pt);
    std::erase(*head, pt);
}

bool dev_nit_active(Host& host, const NetDevice* dev) {
    if (!host.ptype_all.empty()) return true;
    auto it = host.dev_ptype_all.find(dev);
    return it != host.dev_ptype_all.end() && !it->second.empty();
}

int deliver_skb(Host& host, SkBuff* skb, PacketType* pt, NetDevice* orig_dev) {
    TRACE_FUNC_NAMED(scope, host.sim(), deliver_skb, skb, skb->users + 1);
    ++skb->users; // refcount_inc(&skb->users)
    int ret = pt->func(host, skb, skb->dev, pt, orig_dev);
    scope.ret(ret);
    return ret;
}

void dev_queue_xmit_nit(Host& host, SkBuff* skb, NetDevice* dev) {
    TRACE_FUNC(host.sim(), dev_queue_xmit_nit, skb);
    PacketType* pt_prev = nullptr;
    SkBuff* skb2 = nullptr;
    const bool was_cloned = skb->cloned;
    std::vector<PacketType*> lists[2] = {host.ptype_all, {}};
    if (auto it = host.dev_ptype_all.find(dev); it != host.dev_ptype_all.end()) lists[1] = it->second;
    for (const auto& list : lists) {
        for (PacketType* ptype : list) {
            if (ptype->ignore_outgoing) continue;
            if (ptype->af_packet_priv && ptype->af_packet_priv == skb->sk) continue; // skb_loop_sk
            if (pt_prev) {
                deliver_skb(host, skb2, pt_prev, skb->dev);
                pt_prev = ptype;
                continue;
            }
            skb2 = skb_clone(skb); // need to clone skb, done only once
            skb_reset_mac_header(skb2);
            if (skb2->network_header == kHdrUnset || skb2->network_header < skb2->data ||
                skb2->network_header > skb2->tail) {
                host.note("protocol " + std::to_string(skb2->protocol) + " is buggy, dev " + dev->name, Layer::Dev, skb2);
                skb_reset_network_header(skb2);
            }
            skb2->transport_header = skb2->network_header;
            skb2->pkt_type = PktType::Outgoing;
            pt_prev = ptype;
        }
    }
    if (pt_prev) pt_prev->func(host, skb2, skb->dev, pt_prev, skb->dev);
    // LINUX: skb_cloned() is `cloned && dataref != 1`: once the taps have freed their clone (no
    // filter matched) the data is the driver's alone again, so padding need not copy it.
    if (!was_cloned && skb->dataref() == 1) skb->cloned = false;
}

// ---- receive ----

static int __netif_receive_skb_core(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), __netif_receive_skb_core, skb, skb->protocol);
    ++host.sd().softnet_stat.processed;
    if (skb->wire_event) { // a veth frame: it reaches the peer now (where a capture on it sees it)
        host.sim().rec().wire_arrival(skb->wire_event, host.sim().now(), WireFate::Delivered);
        skb->wire_event = 0;
    }
    skb_reset_network_header(skb);
    if (skb->transport_header == kHdrUnset) skb_reset_transport_header(skb);
    NetDevice* orig_dev = skb->dev;
    PacketType* pt_prev = nullptr;
    int ret = NET_RX_DROP;
    if (!host.ptype_all.empty() || !host.dev_ptype_all.empty()) {
        std::vector<PacketType*> lists[2] = {host.ptype_all, {}};
        if (auto d = host.dev_ptype_all.find(skb->dev); d != host.dev_ptype_all.end()) lists[1] = d->second;
        for (const auto& list : lists)
            for (PacketType* ptype : list) {
                if (pt_prev) ret = deliver_skb(host, skb, pt_prev, orig_dev);
                pt_prev = ptype;
            }
    }
    auto it = host.ptype_base.find(skb->protocol);
    if (it != host.ptype_base.end() && pt_prev) {
        ret = deliver_skb(host, skb, pt_prev, orig_dev); // the taps before the protocol's handler
        pt_prev = nullptr;
    }
    if (it == host.ptype_base.end() && pt_prev) { // only taps want it: the last one gets our reference
        ret = pt_prev->func(host, skb, skb->dev, pt_prev, orig_dev);
        scope.ret(ret);
        return ret;
    }
    if (it == host.ptype_base.end()) {
        if (skb->dev) ++skb->dev->stats.rx_dropped;
        host.note("no handler for EtherType 0x" + [&] {
            char b[8];
            std::snprintf(b, sizeof b, "%04x", skb->protocol);
            return std::string(b);
        }(), Layer::Dev, skb);
        kfree_skb_reason(skb, DropReason::UnhandledProto);
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    ret = it->second(host, skb); // pt_prev->func: ip_rcv, arp_rcv
    scope.ret(ret);
    return ret;
}

static int __netif_receive_skb(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), __netif_receive_skb, skb);
    int ret = __netif_receive_skb_core(host, skb);
    scope.ret(ret);
    return ret;
}

int netif_receive_skb(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), netif_receive_skb, skb);
    int ret = __netif_receive_skb(host, skb);
    scope.ret(ret);
    return ret;
}

// ---- the per-CPU backlog (non-NAPI receive: lo, veth) ----

Host& dev_net(Host& fallback, const NetDevice* dev) {
    auto* h = dev ? dynamic_cast<Host*>(dev->kernel) : nullptr;
    return h ? *h : fallback;
}

int __dev_forward_skb(Host& host, NetDevice* dev, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), __dev_forward_skb, skb, dev->ifindex);
    // ____dev_forward_skb: is_skb_forwardable (up, and no longer than the MTU plus the link header)
    if (!dev->up || skb->len > dev->mtu + 14 + 4) {
        ++dev->stats.rx_dropped;
        kfree_skb_reason(skb, dev->up ? DropReason::PktTooBig : DropReason::DevReady);
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    // skb_scrub_packet(skb, xnet): the packet leaves its namespace; what belonged there goes.
    skb->pkt_type = PktType::Host;
    skb->dst.reset(); // skb_dst_drop
    skb->priority = 0;
    // LINUX: the sending socket stays the skb's owner (skb->sk) until ip_rcv_core orphans it.
    eth_type_trans(dev_net(host, dev), skb, dev); // skb->dev = dev, protocol, pkt_type by destination
    scope.ret(NET_RX_SUCCESS);
    return NET_RX_SUCCESS;
}

static int enqueue_to_backlog(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), enqueue_to_backlog, skb);
    if (host.sd().input_pkt_queue.size() >= static_cast<size_t>(host.netdev_max_backlog)) {
        if (skb->dev) ++skb->dev->stats.rx_dropped;
        kfree_skb_reason(skb, DropReason::CpuBacklog);
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    host.sd().input_pkt_queue.push_back(skb);
    host.sim().rec().queue("input_pkt_queue", host.sd().label, QueueOp::Enqueue,
                           static_cast<int64_t>(host.sd().input_pkt_queue.size()), skb->len, skb, Layer::Dev);
    if (!host.sd().backlog.scheduled) { // napi_schedule_rps -> ____napi_schedule(sd, &sd->backlog)
        host.sd().backlog.scheduled = true;
        __napi_schedule(host, &host.sd().backlog);
    }
    scope.ret(NET_RX_SUCCESS);
    return NET_RX_SUCCESS;
}

int netif_rx(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), netif_rx, skb);
    int ret = enqueue_to_backlog(host, skb); // __netif_rx -> netif_rx_internal
    scope.ret(ret);
    return ret;
}

int process_backlog(Host& host, NapiStruct* napi, int quota) {
    TRACE_FUNC_NAMED(scope, host.sim(), process_backlog, nullptr, quota);
    int work = 0;
    while (work < quota && !host.sd().input_pkt_queue.empty()) {
        SkBuff* skb = host.sd().input_pkt_queue.front();
        host.sd().input_pkt_queue.pop_front();
        host.sim().rec().queue("input_pkt_queue", host.sd().label, QueueOp::Dequeue,
                               static_cast<int64_t>(host.sd().input_pkt_queue.size()), skb->len, skb, Layer::Dev);
        __netif_receive_skb(dev_net(host, skb->dev), skb); // the namespace of the device it arrived on
        ++work;
    }
    if (work < quota) napi->scheduled = false; // the queue is empty: napi->state = 0
    scope.ret(work);
    return work;
}

// ---- NAPI and the softirqs ----

static void poll_list_event(Host& host, QueueOp op) {
    host.sim().rec().queue("poll_list", host.sd().label, op, static_cast<int64_t>(host.sd().poll_list.size()),
                           0, nullptr, Layer::Softirq);
}

void __napi_schedule(Host& host, NapiStruct* n) {
    TRACE_FUNC(host.sim(), __napi_schedule);
    host.sd().poll_list.push_back(n);
    poll_list_event(host, QueueOp::Enqueue);
    raise_softirq(host, NET_RX_SOFTIRQ);
}

// __napi_poll + napi_poll: one instance's poll with its weight. A poll that used its whole weight
// still owns the instance (the driver did not call napi_complete_done): it goes on `repoll`.
static int napi_poll(Host& host, NapiStruct* n, std::deque<NapiStruct*>& repoll) {
    TRACE_FUNC_NAMED(scope, host.sim(), napi_poll, nullptr, n->weight);
    const int weight = n->weight;
    int work = 0;
    if (n->scheduled && n->poll) {
        work = n->poll(n, weight); // e1000_clean
        // LINUX: trace_napi_poll(n, work, weight), the napi:napi_poll tracepoint, as a Counter.
        if (n->dev) host.sim().rec().counter(n->dev->label, "napi_poll", work, Layer::Softirq);
    }
    if (work > weight) {
        host.sim().rec().warning(host.name() + ": NAPI poll returned " + std::to_string(work) + " > weight " +
                                     std::to_string(weight), Layer::Softirq);
        work = weight;
    }
    // Under the weight the driver has called napi_complete_done; a full poll stays scheduled.
    if (work == weight && n->scheduled) {
        repoll.push_back(n);
        host.note("napi_poll: " + (n->dev ? n->dev->label : std::string("napi")) + " used its weight " +
                      std::to_string(weight) + ": repoll",
                  Layer::Softirq);
    }
    scope.ret(work);
    return work;
}

void net_rx_action(Host& host) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, net_rx_action, nullptr, host.netdev_budget);
    // LINUX: the time limit is jiffies + usecs_to_jiffies(netdev_budget_usecs); here virtual ns in
    // the softirq context, whose clock the polls advance.
    const TimeNs time_limit = sim.now() + static_cast<TimeNs>(host.netdev_budget_usecs) * kNsPerUs;
    int budget = host.netdev_budget;
    std::deque<NapiStruct*> list, repoll;
    list.swap(host.sd().poll_list);
    while (!list.empty()) {
        NapiStruct* n = list.front();
        list.pop_front();
        sim.rec().queue("poll_list", host.sd().label, QueueOp::Dequeue,
                        static_cast<int64_t>(list.size()), 0, nullptr, Layer::Softirq);
        budget -= napi_poll(host, n, repoll);
        // If the softirq window is exhausted then punt (the rest waits for the next round).
        if (budget <= 0 || sim.now() >= time_limit) {
            ++host.sd().softnet_stat.time_squeeze;
            sim.rec().counter(host.sd().label, "time_squeeze",
                              static_cast<int64_t>(host.sd().softnet_stat.time_squeeze), Layer::Softirq);
            host.note(std::string("net_rx_action: ") +
                          (budget <= 0 ? "budget " + std::to_string(host.netdev_budget) + " used"
                                       : "netdev_budget_usecs " + std::to_string(host.netdev_budget_usecs) +
                                             " passed") +
                          ": stop polling (time_squeeze)",
                      Layer::Softirq);
            break;
        }
    }
    // Not polled yet, newly scheduled, then the repolls: back on poll_list, and raise again.
    for (NapiStruct* n : host.sd().poll_list) list.push_back(n);
    for (NapiStruct* n : repoll) list.push_back(n);
    host.sd().poll_list.swap(list);
    if (!host.sd().poll_list.empty()) {
        poll_list_event(host, QueueOp::Requeue);
        raise_softirq(host, NET_RX_SOFTIRQ);
    }
}

void net_tx_action(Host& host) {
    TRACE_FUNC(host.sim(), net_tx_action);
    std::deque<Qdisc*> head;
    head.swap(host.sd().output_queue);
    for (Qdisc* q : head) {
        q->scheduled = false; // clear_bit(__QDISC_STATE_SCHED)
        qdisc_run(dev_net(host, q->dev), q);
    }
}

} // namespace skbscope
