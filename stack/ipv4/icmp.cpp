// ICMP receive and echo (net/ipv4/icmp.c): icmp_rcv checks the checksum and dispatches on the type;
// an echo request is answered by icmp_echo -> icmp_reply -> icmp_push_reply (a new skb through
// ip_append_data and ip_push_pending_frames); an echo reply goes to ping_rcv.
// Errors: icmp_send (__icmp_send) quotes the offending datagram, rate limited by icmpv4_global_allow
// and icmpv4_xrlim_allow in virtual time; icmp_unreach -> icmp_socket_deliver hands received errors
// to the quoted protocol's err_handler.
// SIMPLIFICATION: no timestamp or address-mask messages; errors carry TOS 0 and no IP options.
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
#include "stack/ipv4/tcp.h"
#include "stack/ipv4/udp.h"

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

// ---- errors ----

// icmp_pointers[type].error: the types that are errors (never answered by another error).
static bool icmp_is_error(uint8_t type) { return type == 3 || type == 4 || type == 5 || type == 11 || type == 12; }

// icmp_global_allow: the host-wide bucket; refilled at most every HZ/50 by msgs_per_sec * delta.
static bool icmp_global_allow(Host& host) {
    TRACE_FUNC_NAMED(scope, host.sim(), icmp_global_allow, nullptr, host.icmp_global_credit);
    if (host.icmp_global_credit > 0) {
        scope.ret(1);
        return true;
    }
    TimeNs now = host.sim().now();
    TimeNs delta = host.icmp_global_stamped ? std::min<TimeNs>(now - host.icmp_global_stamp, kNsPerSec) : kNsPerSec;
    if (delta < kNsPerSec / 50) {
        scope.ret(0);
        return false;
    }
    int incr = static_cast<int>(host.sysctl_icmp_msgs_per_sec * delta / kNsPerSec);
    if (!incr) {
        scope.ret(0);
        return false;
    }
    host.icmp_global_stamp = now;
    host.icmp_global_stamped = true;
    host.icmp_global_credit = std::min(host.icmp_global_credit + incr, host.sysctl_icmp_msgs_burst);
    scope.ret(1);
    return true;
}

// icmp_global_consume: one credit on average, randomized (get_random_u32_below(3)).
static void icmp_global_consume(Host& host) {
    int credits = static_cast<int>(host.sim().rng().uniform(0, 2));
    host.icmp_global_credit -= credits; // may go negative, as in Linux
}

// icmpv4_global_allow: types outside icmp_ratemask and FRAG_NEEDED are never limited.
static bool icmpv4_global_allow(Host& host, uint8_t type, uint8_t code, bool* apply_ratelimit) {
    TRACE_FUNC_NAMED(scope, host.sim(), icmpv4_global_allow, nullptr, type, code);
    bool masked = type <= 18 && ((1u << type) & host.sysctl_icmp_ratemask) &&
                  !(type == wire::IcmpType::DestUnreach && code == wire::IcmpCode::FragNeeded);
    if (!masked) {
        scope.ret(1);
        return true;
    }
    if (icmp_global_allow(host)) {
        *apply_ratelimit = true;
        scope.ret(1);
        return true;
    }
    host.note("ICMP rate limit: no global credit (icmp_msgs_per_sec/icmp_msgs_burst), not sent", Layer::Icmp);
    scope.ret(0);
    return false;
}

// icmpv4_xrlim_allow -> inet_peer_xrlim_allow: a token bucket per destination (XRLIM_BURST_FACTOR 6).
static bool icmpv4_xrlim_allow(Host& host, const Rtable& rt, const Flowi4& fl4, bool apply_ratelimit) {
    TRACE_FUNC_NAMED(scope, host.sim(), icmpv4_xrlim_allow, nullptr, fl4.daddr.value);
    bool rc = true;
    if (apply_ratelimit && !(rt.dev && rt.dev->name == "lo")) {
        const TimeNs timeout = host.sysctl_icmp_ratelimit;
        TimeNs now = host.sim().now();
        auto [it, fresh] = host.inet_peers.try_emplace(fl4.daddr.value);
        Host::InetPeer& peer = it->second;
        if (fresh) peer.rate_last = now - 60 * kNsPerSec; // inet_getpeer: the first check finds a full bucket
        TimeNs token = peer.rate_tokens + (now - peer.rate_last);
        peer.rate_last = now;
        token = std::min<TimeNs>(token, 6 * timeout);
        rc = token >= timeout;
        if (rc) token -= timeout;
        peer.rate_tokens = token;
        if (!rc)
            host.note("ICMP rate limit for " + fl4.daddr.to_string() + " (icmp_ratelimit): not sent", Layer::Icmp);
    }
    if (rc && apply_ratelimit) icmp_global_consume(host);
    scope.ret(rc ? 1 : 0);
    return rc;
}

void icmp_send(Host& host, SkBuff* skb_in, uint8_t type, uint8_t code, uint32_t info) {
    TRACE_FUNC_NAMED(scope, host.sim(), icmp_send, skb_in, type, code);
    Rtable* rt = skb_rtable(skb_in);
    auto skip = [&](const std::string& why) {
        host.note("icmp_send: " + why + ": no ICMP error", Layer::Icmp, skb_in);
        scope.ret(0);
    };
    if (!rt || skb_in->network_header == kHdrUnset) return skip("no route");
    const uint8_t* iph = skb_in->network_ptr();
    if (iph + wire::IPV4_MIN_HLEN > skb_in->head_ptr() + skb_in->tail) return skip("no IP header");
    if (skb_in->pkt_type != PktType::Host) return skip("not addressed to us");
    if (rt->rt_type == RtnType::Broadcast || Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4)).is_multicast())
        return skip("broadcast or multicast");
    uint16_t frag_off = static_cast<uint16_t>((iph[6] << 8) | iph[7]);
    if (frag_off & wire::IP_OFFSET) return skip("a fragment other than the first");
    uint32_t ihl = (iph[0] & 0xfu) * 4u;
    if (icmp_is_error(type) && iph[9] == wire::IpProto::Icmp) {
        const uint8_t* itp = iph + ihl;
        if (itp >= skb_in->head_ptr() + skb_in->tail) return skip("no inner ICMP type");
        if (*itp > 18 || icmp_is_error(*itp)) return skip("the packet is itself an ICMP error");
    }
    bool apply_ratelimit = false;
    if (!icmpv4_global_allow(host, type, code, &apply_ratelimit)) {
        scope.ret(0);
        return;
    }
    // Source address: the packet's destination when it was for us, else the output route's choice.
    Flowi4 fl4;
    fl4.daddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4));
    if (rt->rt_type == RtnType::Local) fl4.saddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4));
    fl4.proto = wire::IpProto::Icmp;
    int err = 0;
    auto ort = ip_route_output_key(host, fl4, &err); // icmp_route_lookup
    if (!ort) return skip("no route back to " + fl4.daddr.to_string());
    if (!icmpv4_xrlim_allow(host, *ort, fl4, apply_ratelimit)) {
        scope.ret(0);
        return;
    }
    // The quote: from the IP header on, as much as fits a 576-byte reply (room).
    std::vector<uint8_t> quote(iph, static_cast<const uint8_t*>(skb_in->data_ptr()));
    std::vector<uint8_t> rest = skb_in->to_bytes();
    quote.insert(quote.end(), rest.begin(), rest.end());
    uint32_t room = std::min<uint32_t>(ort->mtu ? ort->mtu : 576, 576) - wire::IPV4_MIN_HLEN - wire::ICMP_HDR_LEN;
    if (quote.size() > room) quote.resize(room);
    IcmpBxm param;
    param.type = type;
    param.code = code;
    param.id = static_cast<uint16_t>(info >> 16); // icmph.un.gateway = htonl(info)
    param.seq = static_cast<uint16_t>(info);
    param.data = std::move(quote);
    host.note("ICMP " + wire::icmp_type_name(type, code) + " to " + fl4.daddr.to_string() + " from " +
                  fl4.saddr.to_string() + ", quoting " + std::to_string(param.data.size()) + " bytes",
              Layer::Icmp, skb_in);
    InetCork cork;
    cork.rt = ort;
    cork.fl4 = fl4;
    cork.ttl = 64; // sysctl_ip_default_ttl
    icmp_push_reply(host, param, cork);
    scope.ret(1);
}

// icmp_err_convert[code]: errno and whether the error is fatal (hard).
struct IcmpErrConvert {
    int errnum;
    bool fatal;
};
static const IcmpErrConvert icmp_err_convert[] = {
    {ENETUNREACH, false}, {EHOSTUNREACH, false}, {ENOPROTOOPT, true}, {ECONNREFUSED, true},
    {EMSGSIZE, false},    {EOPNOTSUPP, false},   {ENETUNREACH, true}, {EHOSTDOWN, true},
    {ENONET, true},       {ENETUNREACH, true},   {EHOSTUNREACH, true}, {ENETUNREACH, false},
    {EHOSTUNREACH, false}, {EHOSTUNREACH, true}, {EHOSTUNREACH, true}, {EHOSTUNREACH, true},
};

int icmp_err_errno(uint8_t type, uint8_t code, bool* harderr) {
    *harderr = false;
    if (type == wire::IcmpType::DestUnreach && code < 16) {
        *harderr = icmp_err_convert[code].fatal;
        return icmp_err_convert[code].errnum;
    }
    return EHOSTUNREACH; // ICMP_TIME_EXCEEDED and the rest
}

// icmp_socket_deliver: the quoted protocol's err_handler.
static void icmp_socket_deliver(Host& host, SkBuff* skb, uint8_t type, uint8_t code, uint32_t info) {
    TRACE_FUNC(host.sim(), icmp_socket_deliver, skb, info);
    const uint8_t* iph = skb->data_ptr();
    uint32_t ihl = (iph[0] & 0xfu) * 4u;
    if (!pskb_may_pull(skb, ihl + 8)) return; // ICMP_MIB_INERRORS
    iph = skb->data_ptr();
    switch (iph[9]) {
    case wire::IpProto::Udp: __udp4_lib_err(host, skb, type, code, info); break;
    case wire::IpProto::Icmp: ping_err(host, skb, type, code, info); break;
    case wire::IpProto::Tcp: tcp_v4_err(host, skb, type, code, info); break;
    default: break;
    }
}

DropReason icmp_unreach(Host& host, SkBuff* skb) {
    TRACE_FUNC(host.sim(), icmp_unreach, skb);
    const uint8_t* icmph = skb->transport_ptr();
    uint8_t type = icmph[0], code = icmph[1];
    if (!pskb_may_pull(skb, wire::IPV4_MIN_HLEN)) return DropReason::PktTooSmall;
    const uint8_t* iph = skb->data_ptr();
    if ((iph[0] & 0xf) < 5) return DropReason::IpInhdr; // mangled header
    uint32_t info = 0;
    if (type == wire::IcmpType::DestUnreach && code == wire::IcmpCode::FragNeeded)
        info = static_cast<uint32_t>((icmph[6] << 8) | icmph[7]); // ip_no_pmtu_disc 0: un.frag.mtu
    auto src = Ipv4Addr::from_bytes(std::span<const uint8_t>(skb->network_ptr() + 12, 4));
    auto qdst = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4));
    host.note("From " + src.to_string() + ": " + wire::icmp_type_name(type, code) + " about a packet to " +
                  qdst.to_string() + (info ? " (next-hop MTU " + std::to_string(info) + ")" : ""),
              Layer::Icmp, skb);
    icmp_socket_deliver(host, skb, type, code, info);
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
    } else if (type == wire::IcmpType::DestUnreach || type == wire::IcmpType::TimeExceeded) {
        reason = icmp_unreach(host, skb);
    } else {
        host.note(wire::icmp_type_name(type, 0) + ": discarded (icmp_discard)", Layer::Icmp, skb);
    }
    if (reason == DropReason::NotDropped) consume_skb(skb);
    else kfree_skb_reason(skb, reason);
    return 0;
}

} // namespace skbscope
