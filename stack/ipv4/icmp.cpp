// ICMP receive and echo (net/ipv4/icmp.c): icmp_rcv checks the checksum and dispatches on the type;
// an echo request is answered by icmp_echo -> icmp_reply -> icmp_push_reply (a new skb through
// ip_append_data and ip_push_pending_frames); an echo reply goes to ping_rcv.
// SIMPLIFICATION: no ICMP errors yet (icmp_send, icmp_unreach: a later issue); no rate limiting
// (echo replies are not rate limited in Linux either); no timestamp or address-mask messages.
// LINUX: echo requests to a broadcast address are ignored (icmp_echo_ignore_broadcasts = 1); the
// reply comes from the address the request was sent to (fib_compute_spec_dst), TTL 64, no DF.
#include <cstring>

#include "core/time/sim.h"
#include "core/wire/checksum.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "stack/host.h"
#include "stack/ipv4/icmp.h"
#include "stack/ipv4/ip.h"

namespace skbscope {

using wire::Ipv4Addr;

struct IcmpBxm {
    uint8_t type = 0, code = 0;
    uint16_t id = 0, seq = 0;
    std::vector<uint8_t> data;
};

static void icmp_push_reply(Host& host, const IcmpBxm& param, InetCork& cork) {
    TRACE_FUNC(host.sim(), icmp_push_reply);
    uint8_t hdr[wire::ICMP_HDR_LEN] = {param.type, param.code, 0, 0, static_cast<uint8_t>(param.id >> 8),
                                       static_cast<uint8_t>(param.id), static_cast<uint8_t>(param.seq >> 8),
                                       static_cast<uint8_t>(param.seq)};
    if (ip_append_data(host, nullptr, cork, hdr, wire::ICMP_HDR_LEN, param.data) < 0) return;
    SkBuff* skb = cork.skb;
    uint8_t* icmph = skb->transport_ptr();
    uint32_t len = skb->tail - skb->transport_header;
    uint16_t c = wire::ip_compute_csum(std::span<const uint8_t>(icmph, len)); // icmp_glue_bits' csum, folded
    icmph[2] = static_cast<uint8_t>(c >> 8);
    icmph[3] = static_cast<uint8_t>(c);
    host.sim().charge_bytes(len);
    ip_push_pending_frames(host, nullptr, cork);
}

static void icmp_reply(Host& host, const IcmpBxm& param, SkBuff* skb) {
    TRACE_FUNC(host.sim(), icmp_reply, skb);
    const uint8_t* iph = skb->network_ptr();
    Flowi4 fl4;
    fl4.daddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4));
    fl4.saddr = skb_rtable(skb)->spec_dst; // fib_compute_spec_dst
    fl4.proto = wire::IpProto::Icmp;
    int err = 0;
    auto rt = ip_route_output_key(host, fl4, &err);
    if (!rt) {
        host.note("icmp_reply: no route back to " + fl4.daddr.to_string(), Layer::Icmp, skb);
        return;
    }
    InetCork cork;
    cork.rt = rt;
    cork.fl4 = fl4;
    cork.ttl = 64; // the per-netns ICMP socket: ip_default_ttl, IP_PMTUDISC_DONT
    icmp_push_reply(host, param, cork);
}

static DropReason icmp_echo(Host& host, SkBuff* skb) {
    TRACE_FUNC(host.sim(), icmp_echo, skb);
    const uint8_t* icmph = skb->transport_ptr();
    IcmpBxm param;
    param.type = wire::IcmpType::EchoReply;
    param.id = static_cast<uint16_t>((icmph[4] << 8) | icmph[5]);
    param.seq = static_cast<uint16_t>((icmph[6] << 8) | icmph[7]);
    auto lin = skb->linear(); // after the 8-byte header
    param.data.assign(lin.begin(), lin.end());
    host.note("echo request id " + std::to_string(param.id) + " seq " + std::to_string(param.seq) + ": reply",
              Layer::Icmp, skb);
    icmp_reply(host, param, skb);
    return DropReason::NotDropped;
}

int icmp_rcv(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), icmp_rcv, skb);
    if (skb->len < wire::ICMP_HDR_LEN || !pskb_may_pull(skb, wire::ICMP_HDR_LEN)) {
        kfree_skb_reason(skb, DropReason::PktTooSmall);
        return 0;
    }
    host.sim().charge_bytes(skb->len);
    if (wire::ip_compute_csum(skb->linear()) != 0) { // skb_checksum_simple_validate
        host.note("bad ICMP checksum", Layer::Icmp, skb);
        kfree_skb_reason(skb, DropReason::IcmpCsum);
        return 0;
    }
    uint8_t type = skb->data_ptr()[0];
    skb_pull(skb, wire::ICMP_HDR_LEN); // pskb_pull(skb, sizeof(*icmph))
    DropReason reason = DropReason::NotDropped;
    Rtable* rt = skb_rtable(skb);
    if (rt && rt->rt_type == RtnType::Broadcast && type == wire::IcmpType::Echo) {
        host.note("echo request to a broadcast address ignored (icmp_echo_ignore_broadcasts)", Layer::Icmp, skb);
        reason = DropReason::NotSpecified;
    } else if (type == wire::IcmpType::Echo) {
        reason = icmp_echo(host, skb);
    } else if (type == wire::IcmpType::EchoReply) {
        reason = ping_rcv(host, skb);
    } else {
        // TODO(#4, ICMP errors): icmp_unreach for DEST_UNREACH / TIME_EXCEEDED
        host.note(wire::icmp_type_name(type, 0) + ": not handled yet", Layer::Icmp, skb);
    }
    if (reason == DropReason::NotDropped) consume_skb(skb);
    else kfree_skb_reason(skb, reason);
    return 0;
}

} // namespace skbscope
