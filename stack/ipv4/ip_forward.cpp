// IPv4 forwarding (net/ipv4/ip_forward.c): ip_forward checks the TTL and the MTU, makes the header
// writable (skb_cow), decrements the TTL with an incremental checksum update (RFC 1624), runs the
// FORWARD hook, then ip_forward_finish -> dst_output -> ip_output as for a local packet.
// SIMPLIFICATION: no redirects, no router alert option.
// LINUX: a packet whose TTL is 1 or less is dropped with IP_INHDR (too_many_hops) after an ICMP time
// exceeded; a DF packet over the MTU gets frag needed with the MTU and is dropped with PKT_TOO_BIG.
#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "core/wire/ipv4.h"
#include "core/wire/icmp.h"
#include "stack/host.h"
#include "stack/ipv4/icmp.h"
#include "stack/ipv4/ip.h"
#include "stack/netfilter/netfilter.h"

namespace skbscope {

// skb_cow: a private header with at least headroom bytes in front of data.
static int skb_cow(Host& host, SkBuff* skb, uint32_t headroom) {
    TRACE_FUNC_NAMED(scope, host.sim(), skb_cow, skb, headroom);
    uint32_t delta = headroom > skb_headroom(skb) ? headroom - skb_headroom(skb) : 0;
    if (delta || skb->cloned) {
        if (!pskb_expand_head(skb, (delta + 31) & ~31u, 0)) {
            scope.ret(-ENOMEM);
            return -ENOMEM;
        }
    }
    scope.ret(0);
    return 0;
}

static void ip_decrease_ttl(Host& host, SkBuff* skb) {
    TRACE_FUNC(host.sim(), ip_decrease_ttl, skb);
    uint8_t ttl = wire::ip_decrease_ttl(std::span<uint8_t>(skb->network_ptr(), wire::IPV4_MIN_HLEN));
    host.note("TTL " + std::to_string(ttl + 1) + " -> " + std::to_string(ttl) + ", checksum patched (RFC 1624)",
              Layer::Ipv4, skb);
}

static int ip_forward_finish(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_forward_finish, skb);
    int ret = dst_output(host, skb);
    scope.ret(ret);
    return ret;
}

int ip_forward(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_forward, skb);
    Rtable* rt = skb_rtable(skb);
    if (skb->pkt_type != PktType::Host) {
        kfree_skb_reason(skb, DropReason::NotSpecified);
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    const uint8_t* iph = skb->network_ptr();
    if (iph[8] <= 1) {
        // too_many_hops
        host.note("TTL " + std::to_string(iph[8]) + ": too many hops", Layer::Ipv4, skb);
        icmp_send(host, skb, wire::IcmpType::TimeExceeded, wire::IcmpCode::ExcTtl, 0);
        kfree_skb_reason(skb, DropReason::IpInhdr);
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    bool df = (iph[6] & 0x40) != 0;
    if (skb->len > rt->mtu && df) {
        // ip_exceeds_mtu
        host.note("DF packet of " + std::to_string(skb->len) + " bytes exceeds the MTU " + std::to_string(rt->mtu),
                  Layer::Ipv4, skb);
        icmp_send(host, skb, wire::IcmpType::DestUnreach, wire::IcmpCode::FragNeeded, rt->mtu);
        kfree_skb_reason(skb, DropReason::PktTooBig);
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    // LL_RESERVED_SPACE(rt->dst.dev) + rt->dst.header_len
    if (skb_cow(host, skb, 16)) {
        kfree_skb_reason(skb, DropReason::NoMem);
        scope.ret(NET_RX_DROP);
        return NET_RX_DROP;
    }
    ip_decrease_ttl(host, skb);
    int ret = NF_HOOK(host.sim(), NF_INET_FORWARD, skb, [&](SkBuff* s) { return ip_forward_finish(host, s); });
    scope.ret(ret);
    return ret;
}

} // namespace skbscope
