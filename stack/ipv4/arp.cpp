// ARP (net/ipv4/arp.c): solicitation for the neighbour table (arp_solicit -> arp_send -> arp_create,
// arp_xmit) and the receive side (arp_rcv -> arp_process), which answers requests for our addresses
// and updates the table from requests and replies.
// SIMPLIFICATION: arp_ignore/arp_announce/arp_filter at their defaults (0); no proxy ARP; the ARP
// netfilter hooks (arptables) are not shown; gratuitous ARP only updates existing entries.
// LINUX: the target of a request learns the sender (neigh_event_ns, STALE) and replies unicast, so it
// needs no request of its own to answer; a reply makes the entry REACHABLE only when unicast to us.
#include <cstring>

#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "core/wire/arp.h"
#include "core/wire/ethernet.h"
#include "core/wire/icmp.h"
#include "stack/core/dev.h"
#include "stack/core/neighbour.h"
#include "stack/host.h"
#include "stack/ipv4/arp.h"
#include "stack/ipv4/icmp.h"

namespace skbscope {

using wire::ArpRepr;
using wire::Ipv4Addr;
using wire::MacAddr;

static SkBuff* arp_create(Host& host, int type, NetDevice* dev, Ipv4Addr dest_ip, Ipv4Addr src_ip,
                          const MacAddr* dest_hw, const MacAddr& src_hw, const MacAddr* target_hw) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, arp_create, nullptr, type);
    // alloc_skb(arp_hdr_len(dev) + LL_ALLOCATED_SPACE(dev)); skb_reserve(LL_RESERVED_SPACE(dev))
    SkBuff* skb = alloc_skb(sim, wire::ARP_ETH_IP_LEN + 16);
    skb->flow = sim.new_flow();
    skb_reserve(skb, 16);
    skb_reset_network_header(skb);
    uint8_t* p = skb_put(skb, wire::ARP_ETH_IP_LEN);
    skb->dev = dev;
    skb->protocol = wire::EtherType::Arp;
    MacAddr dst = dest_hw ? *dest_hw : MacAddr::broadcast();
    ArpRepr arp{static_cast<uint16_t>(type), src_hw, src_ip, target_hw ? *target_hw : MacAddr::zero(), dest_ip};
    arp.emit(std::span<uint8_t>(p, wire::ARP_ETH_IP_LEN));
    eth_header(host, skb, dev, wire::EtherType::Arp, dst); // dev_hard_header
    return skb;
}

static void arp_xmit(Host& host, SkBuff* skb) {
    TRACE_FUNC(host.sim(), arp_xmit, skb);
    dev_queue_xmit(host, skb); // NF_HOOK(NFPROTO_ARP, NF_ARP_OUT) -> arp_xmit_finish
}

void arp_send(Host& host, int type, NetDevice* dev, Ipv4Addr dest_ip, Ipv4Addr src_ip, const MacAddr* dest_hw,
              const MacAddr& src_hw, const MacAddr* target_hw) {
    TRACE_FUNC(host.sim(), arp_send, nullptr, type);
    std::string what = type == wire::ARPOP_REQUEST
                           ? "ARP request: who has " + dest_ip.to_string() + "? tell " + src_ip.to_string() +
                                 (dest_hw ? " (unicast probe)" : " (broadcast)")
                           : "ARP reply: " + src_ip.to_string() + " is at " + src_hw.to_string() + ", to " +
                                 dest_ip.to_string();
    host.note(what, Layer::Neigh);
    SkBuff* skb = arp_create(host, type, dev, dest_ip, src_ip, dest_hw, src_hw, target_hw);
    arp_xmit(host, skb);
}

void arp_solicit(Host& host, Neighbour* n, SkBuff* skb) {
    TRACE_FUNC(host.sim(), arp_solicit, skb, n->probes);
    NetDevice* dev = n->dev;
    const NeighParms& p = host.arp_tbl.parms;
    Ipv4Addr saddr;
    // arp_announce 0: the queued packet's source if it is ours, else an address on the device.
    if (skb && skb->network_header != kHdrUnset) {
        Ipv4Addr s = Ipv4Addr::from_bytes(std::span<const uint8_t>(skb->network_ptr() + 12, 4));
        if (host.is_local_addr(s)) saddr = s;
    }
    if (saddr.is_any()) saddr = inet_select_addr(host, dev, n->primary_key);
    int probes = n->probes - p.ucast_probes;
    const MacAddr* dst_hw = nullptr;
    MacAddr ha = n->ha;
    if (probes < 0) {
        dst_hw = &ha; // unicast probe to the address we have (PROBE state)
    } else if (probes - p.app_probes < 0) {
        return; // neigh_app_ns: user-space resolver (not modelled)
    }
    arp_send(host, wire::ARPOP_REQUEST, dev, n->primary_key, saddr, dst_hw, dev->dev_addr, nullptr);
}

void arp_error_report(Host& host, Neighbour* n, SkBuff* skb) {
    TRACE_FUNC(host.sim(), arp_error_report, skb);
    // dst_link_failure -> ipv4_link_failure -> icmp_send(ICMP_HOST_UNREACH) for the sender.
    // SIMPLIFICATION: only for forwarded packets; a local sender would get it through loopback.
    if (skb && skb->network_header != kHdrUnset) {
        auto s = Ipv4Addr::from_bytes(std::span<const uint8_t>(skb->network_ptr() + 12, 4));
        if (!host.is_local_addr(s)) icmp_send(host, skb, wire::IcmpType::DestUnreach, wire::IcmpCode::HostUnreach, 0);
    }
    kfree_skb_reason(skb, DropReason::NeighFailed);
}

static int arp_process(Host& host, SkBuff* skb) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, arp_process, skb);
    NetDevice* dev = skb->dev;
    auto view = wire::ArpView::new_checked(skb->linear());
    auto parsed = view ? ArpRepr::parse(*view) : Result<ArpRepr>(make_error("short"));
    if (!parsed) {
        kfree_skb_reason(skb, DropReason::NotSpecified);
        return 0;
    }
    const ArpRepr arp = *parsed;
    Ipv4Addr sip = arp.spa, tip = arp.tpa;
    if (tip.is_multicast() || tip.is_loopback() || sip.is_multicast()) {
        kfree_skb_reason(skb, DropReason::NotSpecified);
        return 0;
    }
    if (sip.is_any()) {
        // Duplicate address detection probe: answer if the address is ours.
        if (arp.oper == wire::ARPOP_REQUEST && host.is_local_addr(tip))
            arp_send(host, wire::ARPOP_REPLY, dev, sip, tip, &arp.sha, dev->dev_addr, &arp.sha);
        consume_skb(skb);
        return 0;
    }
    if (arp.oper == wire::ARPOP_REQUEST && ip_route_input_noref(host, skb, tip, sip, dev) == 0 &&
        skb_rtable(skb)->rt_type == RtnType::Local) {
        if (Neighbour* n = neigh_event_ns(host, dev, arp.sha, sip)) {
            (void)n;
            arp_send(host, wire::ARPOP_REPLY, dev, sip, tip, &arp.sha, dev->dev_addr, &arp.sha);
        }
        consume_skb(skb);
        return 0;
    }
    // Update our ARP table from what the sender said about itself.
    if (Neighbour* n = host.arp_tbl.lookup(dev, sip)) {
        uint8_t state = (arp.oper == wire::ARPOP_REPLY && skb->pkt_type == PktType::Host) ? NUD_REACHABLE : NUD_STALE;
        bool override = sim.now() > n->updated + host.arp_tbl.parms.locktime;
        neigh_update(host, n, &arp.sha, state, override ? NEIGH_UPDATE_F_OVERRIDE : 0);
    }
    consume_skb(skb);
    return 0;
}

int arp_rcv(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), arp_rcv, skb);
    if (skb->pkt_type == PktType::OtherHost) {
        consume_skb(skb); // not for us: no drop in Linux either
        return 0;
    }
    if (!pskb_may_pull(skb, wire::ARP_ETH_IP_LEN)) {
        kfree_skb_reason(skb, DropReason::PktTooSmall);
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    const uint8_t* a = skb->data_ptr();
    if (a[4] != 6 || a[5] != 4) { // ar_hln != dev->addr_len || ar_pln != 4
        kfree_skb_reason(skb, DropReason::NotSpecified);
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    int ret = arp_process(host, skb);
    scope.ret(ret);
    return ret;
}

} // namespace skbscope
