// The neighbour state machine (net/core/neighbour.c, include/net/neighbour.h): entry creation,
// resolution with the arp_queue, timers, neigh_update, and the output paths (neigh_output,
// neigh_hh_output, neigh_resolve_output with neigh_hh_init).
// SIMPLIFICATION: reachable_time is drawn once per entry (Linux re-draws the table's every 300 s);
// no garbage collection of entries; confirmations come only from ARP (no dst_confirm from TCP).
// LINUX: arp_hh_ops' connected_output is neigh_resolve_output too, so the skbs released by an ARP
// reply leave through neigh_resolve_output (whose first call fills hh_cache), and later packets
// through neigh_hh_output. neigh_probe solicits with a clone of the newest queued skb.
#include <cstring>

#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "core/wire/ethernet.h"
#include "stack/core/dev.h"
#include "stack/core/neighbour.h"
#include "stack/host.h"
#include "stack/ipv4/arp.h"

namespace skbscope {

const char* nud_state_name(uint8_t s) {
    switch (s) {
    case NUD_NONE: return "NONE";
    case NUD_INCOMPLETE: return "INCOMPLETE";
    case NUD_REACHABLE: return "REACHABLE";
    case NUD_STALE: return "STALE";
    case NUD_DELAY: return "DELAY";
    case NUD_PROBE: return "PROBE";
    case NUD_FAILED: return "FAILED";
    case NUD_NOARP: return "NOARP";
    case NUD_PERMANENT: return "PERMANENT";
    default: return "?";
    }
}

Neighbour* NeighTable::lookup(const NetDevice* dev, wire::Ipv4Addr ip) const {
    auto it = entries.find({dev->ifindex, ip.value});
    return it == entries.end() ? nullptr : it->second.get();
}

static void neigh_set_state(Host& host, Neighbour* n, uint8_t state, const SkBuff* skb = nullptr) {
    if (n->nud_state == state) return;
    host.note("neigh " + n->primary_key.to_string() + " dev " + n->dev->name + ": " + nud_state_name(n->nud_state) +
                  " -> " + nud_state_name(state),
              Layer::Neigh, skb);
    n->nud_state = state;
}

static void neigh_timer_handler(Host& host, Neighbour* n);

static void neigh_del_timer(Host& host, Neighbour* n) {
    if (n->timer && host.sim().cancel(n->timer))
        host.sim().rec().timer(n->label, "neigh_timer", TimerOp::Cancel, n->timer_expires, Layer::Neigh);
    n->timer = {};
}

static void neigh_add_timer(Host& host, Neighbour* n, TimeNs when) {
    neigh_del_timer(host, n);
    n->timer_expires = when;
    host.sim().rec().timer(n->label, "neigh_timer", TimerOp::Arm, when, Layer::Neigh);
    n->timer = host.sim().at(when, host.softirq_ctx(), [&host, n] {
        n->timer = {};
        host.sim().rec().timer(n->label, "neigh_timer", TimerOp::Fire, n->timer_expires, Layer::Neigh);
        neigh_timer_handler(host, n);
    });
}

static void arp_queue_event(Host& host, Neighbour* n, QueueOp op, const SkBuff* skb) {
    host.sim().rec().queue("arp_queue", n->label, op, static_cast<int64_t>(n->arp_queue.size()), n->arp_queue_len_bytes,
                           skb, Layer::Neigh);
}

Neighbour* __ipv4_neigh_lookup_noref(Host& host, NetDevice* dev, wire::Ipv4Addr ip) {
    TRACE_FUNC_NAMED(scope, host.sim(), __ipv4_neigh_lookup_noref, nullptr, ip.value);
    Neighbour* n = host.arp_tbl.lookup(dev, ip);
    scope.ret(n ? n->nud_state : -1);
    return n;
}

Neighbour* __neigh_create(Host& host, NetDevice* dev, wire::Ipv4Addr ip) {
    TRACE_FUNC(host.sim(), __neigh_create, nullptr, ip.value);
    auto n = std::make_unique<Neighbour>();
    n->primary_key = ip;
    n->dev = dev;
    n->label = host.name() + ":" + ip.to_string();
    const NeighParms& p = host.arp_tbl.parms;
    // neigh_rand_reach_time: uniform in [base/2, 3*base/2)
    n->reachable_time = (p.base_reachable_time >> 1) + host.sim().rng().uniform(0, p.base_reachable_time - 1);
    n->updated = n->used = host.sim().now();
    Neighbour* raw = n.get();
    host.arp_tbl.entries[{dev->ifindex, ip.value}] = std::move(n);
    host.note("neigh " + ip.to_string() + " dev " + dev->name + " created: NONE", Layer::Neigh);
    // arp_constructor: broadcast keys need no resolution.
    bool bcast = ip.is_broadcast();
    for (const auto& a : host.ifaddrs)
        if (a.dev == dev && a.prefix_len < 31 && a.broadcast() == ip) bcast = true;
    if (dev->flags & (IFF_NOARP | IFF_LOOPBACK)) { // lo: no resolution, its own (zero) address
        raw->ha = dev->dev_addr;
        neigh_set_state(host, raw, NUD_NOARP);
        raw->output_connected = true;
    } else if (bcast) {
        raw->ha = wire::MacAddr::broadcast();
        neigh_set_state(host, raw, NUD_NOARP);
        raw->output_connected = true;
    }
    return raw;
}

// neigh_connect / neigh_suspect: neigh->output = connected_output / output (both neigh_resolve_output
// for ARP); what changes is whether neigh_output may take the hh_cache fast path.
static void neigh_connect(Host& host, Neighbour* n) {
    TRACE_FUNC(host.sim(), neigh_connect);
    n->output_connected = true;
}
static void neigh_suspect(Neighbour* n) { n->output_connected = false; }

static void neigh_hh_init(Host& host, Neighbour* n) {
    TRACE_FUNC(host.sim(), neigh_hh_init);
    // eth_header_cache: the header sits at the end of the 16-byte block (HH_DATA_MOD)
    wire::EthernetRepr eth{n->ha, n->dev->dev_addr, wire::EtherType::Ipv4};
    eth.emit(std::span<uint8_t>(n->hh.hh_data.data() + 2, wire::ETH_HLEN));
    n->hh.hh_len = wire::ETH_HLEN;
}

static void neigh_invalidate(Host& host, Neighbour* n) {
    TRACE_FUNC(host.sim(), neigh_invalidate);
    while (n->nud_state == NUD_FAILED && !n->arp_queue.empty()) {
        SkBuff* skb = n->arp_queue.front();
        n->arp_queue.pop_front();
        n->arp_queue_len_bytes -= skb->truesize;
        arp_queue_event(host, n, QueueOp::Dequeue, skb);
        arp_error_report(host, n, skb);
    }
    n->arp_queue_len_bytes = 0;
}

static void neigh_probe(Host& host, Neighbour* n) {
    TRACE_FUNC(host.sim(), neigh_probe, nullptr, n->probes);
    SkBuff* skb = n->arp_queue.empty() ? nullptr : n->arp_queue.back();
    if (skb) skb = skb_clone(skb); // keep skb alive even if arp_queue overflows
    arp_solicit(host, n, skb);
    ++n->probes;
    if (skb) consume_skb(skb);
}

static int neigh_max_probes(const Host& host, const Neighbour* n) {
    const NeighParms& p = host.arp_tbl.parms;
    return p.ucast_probes + p.app_probes + ((n->nud_state & NUD_PROBE) ? p.mcast_reprobes : p.mcast_probes);
}

static void neigh_timer_handler(Host& host, Neighbour* n) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, neigh_timer_handler, nullptr, n->nud_state);
    const NeighParms& p = host.arp_tbl.parms;
    TimeNs now = sim.now();
    TimeNs next = now + kNsPerSec;
    uint8_t state = n->nud_state;
    if (!(state & NUD_IN_TIMER)) return;
    if (state & NUD_REACHABLE) {
        if (now <= n->confirmed + n->reachable_time) {
            next = n->confirmed + n->reachable_time;
        } else if (now <= n->used + p.delay_probe_time) {
            neigh_set_state(host, n, NUD_DELAY);
            n->updated = now;
            next = now + p.delay_probe_time;
        } else {
            neigh_set_state(host, n, NUD_STALE);
            n->updated = now;
            neigh_suspect(n);
        }
    } else if (state & NUD_DELAY) {
        if (now <= n->confirmed + p.delay_probe_time) {
            neigh_set_state(host, n, NUD_REACHABLE);
            n->updated = now;
            neigh_connect(host, n);
            next = n->confirmed + n->reachable_time;
        } else {
            neigh_set_state(host, n, NUD_PROBE);
            n->updated = now;
            n->probes = 0;
            next = now + std::max<TimeNs>(p.retrans_time, 10 * kNsPerMs);
        }
    } else {
        next = now + std::max<TimeNs>(p.retrans_time, 10 * kNsPerMs); // INCOMPLETE, PROBE
    }
    if ((n->nud_state & (NUD_INCOMPLETE | NUD_PROBE)) && n->probes >= neigh_max_probes(host, n)) {
        host.note("neigh " + n->primary_key.to_string() + ": no reply after " + std::to_string(n->probes) +
                      " probes", Layer::Neigh);
        neigh_set_state(host, n, NUD_FAILED);
        n->updated = now;
        neigh_invalidate(host, n);
        return;
    }
    if (n->nud_state & NUD_IN_TIMER) neigh_add_timer(host, n, std::max(next, now + 10 * kNsPerMs));
    if (n->nud_state & (NUD_INCOMPLETE | NUD_PROBE)) neigh_probe(host, n);
}

static int __neigh_event_send(Host& host, Neighbour* n, SkBuff* skb) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, __neigh_event_send, skb, n->nud_state);
    const NeighParms& p = host.arp_tbl.parms;
    bool immediate_probe = false;
    if (n->nud_state & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) return 0;
    if (!(n->nud_state & (NUD_STALE | NUD_INCOMPLETE))) {
        if (p.mcast_probes + p.app_probes) {
            n->probes = p.ucast_probes;
            neigh_del_timer(host, n);
            neigh_set_state(host, n, NUD_INCOMPLETE, skb);
            n->updated = sim.now();
            immediate_probe = true;
            neigh_add_timer(host, n, sim.now() + std::max<TimeNs>(p.retrans_time, 10 * kNsPerMs));
        } else {
            neigh_set_state(host, n, NUD_FAILED, skb);
            kfree_skb_reason(skb, DropReason::NeighFailed);
            scope.ret(1);
            return 1;
        }
    } else if (n->nud_state & NUD_STALE) {
        neigh_del_timer(host, n);
        neigh_set_state(host, n, NUD_DELAY, skb);
        n->updated = sim.now();
        neigh_add_timer(host, n, sim.now() + p.delay_probe_time);
    }
    int rc = 0;
    if (n->nud_state == NUD_INCOMPLETE) {
        if (skb) {
            while (n->arp_queue_len_bytes + skb->truesize > p.queue_len_bytes && !n->arp_queue.empty()) {
                SkBuff* old = n->arp_queue.front();
                n->arp_queue.pop_front();
                n->arp_queue_len_bytes -= old->truesize;
                arp_queue_event(host, n, QueueOp::Drop, old);
                kfree_skb_reason(old, DropReason::NeighQueuefull);
            }
            n->arp_queue.push_back(skb);
            n->arp_queue_len_bytes += skb->truesize;
            arp_queue_event(host, n, QueueOp::Enqueue, skb);
        }
        rc = 1;
    }
    if (immediate_probe) neigh_probe(host, n);
    scope.ret(rc);
    return rc;
}

int neigh_event_send(Host& host, Neighbour* n, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), neigh_event_send, skb, n->nud_state);
    n->used = host.sim().now();
    int rc = 0;
    if (!(n->nud_state & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE))) rc = __neigh_event_send(host, n, skb);
    scope.ret(rc);
    return rc;
}

static int dev_hard_header(Host& host, SkBuff* skb, NetDevice* dev, uint16_t type, const wire::MacAddr& daddr) {
    TRACE_FUNC_NAMED(scope, host.sim(), dev_hard_header, skb, type);
    int ret = eth_header(host, skb, dev, type, daddr);
    scope.ret(ret);
    return ret;
}

int neigh_resolve_output(Host& host, Neighbour* n, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), neigh_resolve_output, skb);
    int rc = 0;
    if (!neigh_event_send(host, n, skb)) {
        if (!n->hh.hh_len) neigh_hh_init(host, n);
        if (dev_hard_header(host, skb, n->dev, skb->protocol, n->ha) >= 0) {
            rc = dev_queue_xmit(host, skb);
        } else {
            kfree_skb_reason(skb, DropReason::NotSpecified);
            rc = -EINVAL;
        }
    }
    scope.ret(rc);
    return rc;
}

static int neigh_hh_output(Host& host, const HhCache& hh, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), neigh_hh_output, skb);
    uint8_t* p = skb_push(skb, hh.hh_len);
    if (!p) {
        kfree_skb_reason(skb, DropReason::NotSpecified);
        return -ENOMEM;
    }
    std::memcpy(p, hh.hh_data.data() + (16 - hh.hh_len), hh.hh_len);
    skb_reset_mac_header(skb);
    int rc = dev_queue_xmit(host, skb);
    scope.ret(rc);
    return rc;
}

int neigh_output(Host& host, Neighbour* n, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), neigh_output, skb, n->nud_state);
    int rc = (n->nud_state & NUD_CONNECTED) && n->hh.hh_len ? neigh_hh_output(host, n->hh, skb)
                                                           : neigh_resolve_output(host, n, skb);
    scope.ret(rc);
    return rc;
}

int neigh_update(Host& host, Neighbour* n, const wire::MacAddr* lladdr, uint8_t new_state, uint32_t flags) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, neigh_update, nullptr, new_state, flags);
    uint8_t old = n->nud_state;
    if (!(new_state & NUD_VALID)) {
        neigh_del_timer(host, n);
        if (old & NUD_CONNECTED) neigh_suspect(n);
        neigh_set_state(host, n, new_state);
        if ((old & (NUD_INCOMPLETE | NUD_PROBE)) && (new_state & NUD_FAILED)) neigh_invalidate(host, n);
        return 0;
    }
    wire::MacAddr addr;
    if (lladdr) {
        addr = *lladdr;
    } else {
        if (!(old & NUD_VALID)) {
            scope.ret(-EINVAL);
            return -EINVAL;
        }
        addr = n->ha;
    }
    bool same_ha = (old & NUD_VALID) && addr == n->ha;
    if (new_state & NUD_CONNECTED) n->confirmed = sim.now();
    if (old & NUD_VALID) {
        if (!same_ha && !(flags & NEIGH_UPDATE_F_OVERRIDE)) return 0;
        if (same_ha && new_state == NUD_STALE) new_state = old;
    }
    bool ha_changes = !(old & NUD_VALID) || !same_ha;
    if (new_state != old || ha_changes) n->updated = sim.now();
    if (new_state != old) {
        neigh_del_timer(host, n);
        if (new_state & NUD_PROBE) n->probes = 0;
        if (new_state & NUD_IN_TIMER)
            neigh_add_timer(host, n, sim.now() + ((new_state & NUD_REACHABLE) ? n->reachable_time : 0));
        neigh_set_state(host, n, new_state);
    }
    if (ha_changes) {
        n->ha = addr;
        host.note("neigh " + n->primary_key.to_string() + " lladdr " + addr.to_string(), Layer::Neigh);
        if (n->hh.hh_len) neigh_hh_init(host, n); // neigh_update_hhs
        if (!(new_state & NUD_CONNECTED)) n->confirmed = sim.now() - std::min(sim.now(), 2 * host.arp_tbl.parms.base_reachable_time);
    }
    if (new_state == old) return 0;
    if (new_state & NUD_CONNECTED) neigh_connect(host, n);
    else neigh_suspect(n);
    if (!(old & NUD_VALID)) {
        // Send what waited for the address, through neigh->output.
        while ((n->nud_state & NUD_VALID) && !n->arp_queue.empty()) {
            SkBuff* skb = n->arp_queue.front();
            n->arp_queue.pop_front();
            n->arp_queue_len_bytes -= skb->truesize;
            arp_queue_event(host, n, QueueOp::Dequeue, skb);
            neigh_resolve_output(host, n, skb);
        }
        n->arp_queue_len_bytes = 0;
    }
    return 0;
}

Neighbour* neigh_event_ns(Host& host, NetDevice* dev, const wire::MacAddr& lladdr, wire::Ipv4Addr ip) {
    TRACE_FUNC(host.sim(), neigh_event_ns, nullptr, ip.value);
    Neighbour* n = host.arp_tbl.lookup(dev, ip);
    if (!n) n = __neigh_create(host, dev, ip);
    neigh_update(host, n, &lladdr, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
    return n;
}

} // namespace skbscope
