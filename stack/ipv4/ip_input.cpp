// IPv4 receive (net/ipv4/ip_input.c): ip_rcv -> ip_rcv_core (header checks) -> NF_HOOK(PRE_ROUTING)
// -> ip_rcv_finish -> route -> dst_input -> ip_local_deliver -> NF_HOOK(LOCAL_IN) ->
// ip_local_deliver_finish -> ip_protocol_deliver_rcu -> the protocol's handler; or ip_forward.
// Fragments addressed to us are reassembled first (ip_defrag, ip_fragment.cpp).
// SIMPLIFICATION: no IP options processing, no raw sockets.
// LINUX: ip_rcv_core's drop reasons and their order (OTHERHOST, IP_INHDR, IP_CSUM, PKT_TOO_SMALL).
#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "core/wire/checksum.h"
#include "core/wire/ipv4.h"
#include "stack/host.h"
#include "stack/ipv4/icmp.h"
#include "stack/ipv4/ip.h"
#include "stack/ipv4/ip_fragment.h"
#include "stack/netfilter/netfilter.h"

namespace skbscope {

// pskb_trim_rcsum: drop Ethernet padding beyond tot_len.
static void pskb_trim_rcsum(SkBuff* skb, uint32_t len) {
    if (skb->len > len) skb_trim(skb, len);
}

static SkBuff* ip_rcv_core(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_rcv_core, skb);
    DropReason reason = DropReason::NotSpecified;
    if (skb->pkt_type == PktType::OtherHost) {
        if (skb->dev) ++skb->dev->stats.rx_dropped; // rx_otherhost_dropped
        kfree_skb_reason(skb, DropReason::OtherHost);
        scope.ret(0);
        return nullptr;
    }
    auto inhdr_error = [&](DropReason r) {
        kfree_skb_reason(skb, r == DropReason::NotSpecified ? DropReason::IpInhdr : r);
        scope.ret(0);
        return nullptr;
    };
    if (!pskb_may_pull(skb, wire::IPV4_MIN_HLEN)) return inhdr_error(reason);
    const uint8_t* iph = skb->data_ptr();
    uint8_t version = iph[0] >> 4, ihl = iph[0] & 0xf;
    if (ihl < 5 || version != 4) return inhdr_error(reason);
    if (!pskb_may_pull(skb, ihl * 4u)) return inhdr_error(reason);
    iph = skb->data_ptr();
    if (wire::ip_fast_csum(std::span<const uint8_t>(iph, ihl * 4u)) != 0) {
        host.note("bad IPv4 header checksum", Layer::Ipv4, skb);
        return inhdr_error(DropReason::IpCsum);
    }
    uint32_t len = (uint32_t{iph[2]} << 8) | iph[3];
    if (skb->len < len) {
        kfree_skb_reason(skb, DropReason::PktTooSmall);
        scope.ret(0);
        return nullptr;
    }
    if (len < ihl * 4u) return inhdr_error(reason);
    pskb_trim_rcsum(skb, len);
    skb->transport_header = static_cast<uint16_t>(skb->network_header + ihl * 4u);
    skb->sk = nullptr; // skb_orphan: "Must drop socket now because of tproxy" (a veth peer's skb was still its sender's)
    scope.ret(1);
    return skb;
}

static int ip_error(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_error, skb);
    Rtable* rt = skb_rtable(skb);
    DropReason reason = DropReason::NotSpecified;
    if (!host.ip_forward_enabled) {
        // not a router: no ICMP, just count
        if (rt->error == EHOSTUNREACH) reason = DropReason::IpInaddrerrors;
        else if (rt->error == ENETUNREACH) reason = DropReason::IpInnoroutes;
        host.note("not for us and ip_forward is off: dropped", Layer::Ipv4, skb);
    } else if (rt->error == ENETUNREACH) {
        reason = DropReason::IpInnoroutes;
        host.note("no route to forward this packet", Layer::Ipv4, skb);
        icmp_send(host, skb, 3 /* ICMP_DEST_UNREACH */, 0 /* ICMP_NET_UNREACH */, 0);
    }
    kfree_skb_reason(skb, reason);
    scope.ret(0);
    return 0;
}

static int ip_protocol_deliver_rcu(Host& host, SkBuff* skb, uint8_t protocol) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_protocol_deliver_rcu, skb, protocol);
    auto it = host.inet_protos.find(protocol);
    if (it == host.inet_protos.end()) {
        host.note("no handler for IP protocol " + std::to_string(protocol), Layer::Ipv4, skb);
        icmp_send(host, skb, 3 /* ICMP_DEST_UNREACH */, 2 /* ICMP_PROT_UNREACH */, 0);
        kfree_skb_reason(skb, DropReason::IpNoproto);
        scope.ret(0);
        return 0;
    }
    int ret = it->second(host, skb);
    scope.ret(ret);
    return ret;
}

static int ip_local_deliver_finish(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_local_deliver_finish, skb);
    uint8_t protocol = skb->network_ptr()[9];
    skb_pull(skb, skb->transport_header - skb->network_header); // __skb_pull(skb, skb_network_header_len(skb))
    int ret = ip_protocol_deliver_rcu(host, skb, protocol);
    scope.ret(ret);
    return ret;
}

static int ip_local_deliver(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_local_deliver, skb);
    const uint8_t* iph = skb->network_ptr();
    uint16_t frag_off = static_cast<uint16_t>((iph[6] << 8) | iph[7]);
    if (frag_off & (wire::IP_MF | wire::IP_OFFSET)) { // ip_is_fragment
        if (ip_defrag(host, &skb) != 0) {                 // queued or dropped: the fragment is consumed
            scope.ret(0);
            return 0;
        }
    }
    int ret = NF_HOOK(host.sim(), NF_INET_LOCAL_IN, skb, [&](SkBuff* s) { return ip_local_deliver_finish(host, s); });
    scope.ret(ret);
    return ret;
}

int dst_input(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), dst_input, skb);
    int ret = 0;
    switch (skb_rtable(skb)->input) {
    case Rtable::Input::LocalDeliver: ret = ip_local_deliver(host, skb); break;
    case Rtable::Input::Forward: ret = ip_forward(host, skb); break;
    default: ret = ip_error(host, skb); break;
    }
    scope.ret(ret);
    return ret;
}

static int ip_rcv_finish_core(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_rcv_finish_core, skb);
    const uint8_t* iph = skb->network_ptr();
    auto daddr = wire::Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4));
    auto saddr = wire::Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4));
    int err = 0;
    if (!skb->dst) err = ip_route_input_noref(host, skb, daddr, saddr, skb->dev);
    if (err) {
        kfree_skb_reason(skb, err == -EINVAL ? DropReason::IpInvalidSource : DropReason::NotSpecified);
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    scope.ret(NET_RX_SUCCESS);
    return NET_RX_SUCCESS;
}

static int ip_rcv_finish(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_rcv_finish, skb);
    int ret = ip_rcv_finish_core(host, skb);
    if (ret != NET_RX_DROP) ret = dst_input(host, skb);
    scope.ret(ret);
    return ret;
}

int ip_rcv(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_rcv, skb);
    skb = ip_rcv_core(host, skb);
    if (!skb) {
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    int ret = NF_HOOK(host.sim(), NF_INET_PRE_ROUTING, skb, [&](SkBuff* s) { return ip_rcv_finish(host, s); });
    scope.ret(ret);
    return ret;
}

} // namespace skbscope
