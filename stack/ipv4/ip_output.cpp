// IPv4 output (net/ipv4/ip_output.c): building a datagram's skb (ip_append_data, __ip_make_skb),
// ip_local_out -> __ip_local_out (tot_len, ip_send_check, LOCAL_OUT hook) -> dst_output -> ip_output
// -> NF_HOOK(POST_ROUTING) -> ip_finish_output -> __ip_finish_output -> ip_finish_output2 -> neighbour.
// SIMPLIFICATION: no fragmentation: a datagram larger than the MTU fails with EMSGSIZE when sent
// locally and is dropped (PKT_TOO_BIG) in __ip_finish_output; no corking across calls (MSG_MORE).
// LINUX: ip_append_data reserves LL_RESERVED_SPACE (16 bytes) of headroom and skb_puts the IP and
// transport headers with the data, so no skb_push happens for them; the Ethernet header is pushed
// into that headroom. An unconnected socket's DF packets carry IP ID 0 (ip_select_ident).
#include <cstring>

#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "core/wire/checksum.h"
#include "core/wire/ethernet.h"
#include "core/wire/ipv4.h"
#include "stack/core/neighbour.h"
#include "stack/host.h"
#include "stack/ipv4/ip.h"
#include "stack/netfilter/netfilter.h"
#include "stack/socket/sock.h"

namespace skbscope {

// LL_RESERVED_SPACE(dev) for Ethernet: ((14 + 0) & ~15) + 16
constexpr uint32_t kHhLen = 16;

int ip_append_data(Host& host, Sock* sk, InetCork& cork, std::span<const uint8_t> transport_hdr,
                   uint32_t transhdrlen, std::span<const uint8_t> data) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, ip_append_data, nullptr, static_cast<int64_t>(transhdrlen + data.size()));
    const uint32_t fragheaderlen = wire::IPV4_MIN_HLEN;
    const uint32_t length = transhdrlen + static_cast<uint32_t>(data.size());
    if (length > 0xFFFF - fragheaderlen || fragheaderlen + length > cork.rt->mtu) {
        host.note("datagram of " + std::to_string(length) + " bytes exceeds the MTU " + std::to_string(cork.rt->mtu) +
                      " (fragmentation is not modelled): EMSGSIZE", Layer::Ipv4);
        scope.ret(-EMSGSIZE);
        return -EMSGSIZE;
    }
    const uint32_t alloclen = fragheaderlen + length;
    // sock_alloc_send_skb(sk, alloclen + hh_len + 15)
    SkBuff* skb = alloc_skb(sim, alloclen + kHhLen + 15);
    skb->flow = sim.new_flow();
    skb->sk = sk;
    skb_reserve(skb, kHhLen);
    uint8_t* p = skb_put(skb, alloclen);
    skb_reset_network_header(skb);
    skb->transport_header = static_cast<uint16_t>(skb->network_header + fragheaderlen);
    uint8_t* th = p + fragheaderlen;
    if (!transport_hdr.empty()) std::memcpy(th, transport_hdr.data(), std::min<size_t>(transport_hdr.size(), transhdrlen));
    if (!data.empty()) std::memcpy(th + transhdrlen, data.data(), data.size()); // getfrag: copy from user
    sim.charge_bytes(length);
    cork.skb = skb;
    cork.df = sk && sk->pmtudisc_want && alloclen <= cork.rt->mtu;
    scope.ret(0);
    return 0;
}

// ip_select_ident
static uint16_t ip_select_ident(Host& host, Sock* sk, bool df) {
    if (sk && !sk->inet_daddr.is_any()) return ++sk->inet_id;
    if (df) return 0;
    return static_cast<uint16_t>(host.sim().rng().next_u32()); // __ip_select_ident: hashed generator
}

SkBuff* __ip_make_skb(Host& host, Sock* sk, InetCork& cork) {
    SkBuff* skb = cork.skb;
    TRACE_FUNC(host.sim(), __ip_make_skb, skb);
    cork.skb = nullptr;
    wire::Ipv4Repr ip;
    ip.saddr = cork.fl4.saddr;
    ip.daddr = cork.fl4.daddr;
    ip.protocol = cork.fl4.proto;
    ip.payload_len = static_cast<uint16_t>(skb->len - wire::IPV4_MIN_HLEN);
    ip.ttl = cork.ttl;
    ip.df = cork.df;
    ip.id = ip_select_ident(host, sk, cork.df);
    std::span<uint8_t> hdr(skb->network_ptr(), wire::IPV4_MIN_HLEN);
    ip.emit(hdr);
    hdr[10] = hdr[11] = 0; // the checksum is computed in __ip_local_out (ip_send_check)
    skb->dst = cork.rt;
    skb->protocol = wire::EtherType::Ipv4;
    return skb;
}

SkBuff* ip_make_skb(Host& host, Sock* sk, InetCork& cork, uint32_t transhdrlen, std::span<const uint8_t> data,
                    int* err) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_make_skb, nullptr, static_cast<int64_t>(data.size()));
    *err = ip_append_data(host, sk, cork, {}, transhdrlen, data);
    if (*err) {
        scope.ret(*err);
        return nullptr;
    }
    SkBuff* skb = __ip_make_skb(host, sk, cork);
    scope.ret(skb->id);
    return skb;
}

static void ip_send_check(Host& host, SkBuff* skb) {
    TRACE_FUNC(host.sim(), ip_send_check, skb);
    uint8_t* iph = skb->network_ptr();
    uint32_t ihl = (iph[0] & 0xf) * 4u;
    iph[10] = iph[11] = 0;
    uint16_t c = wire::ip_fast_csum(std::span<const uint8_t>(iph, ihl));
    iph[10] = static_cast<uint8_t>(c >> 8);
    iph[11] = static_cast<uint8_t>(c);
    host.sim().charge_bytes(ihl);
}

static int __ip_local_out(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), __ip_local_out, skb);
    uint8_t* iph = skb->network_ptr();
    iph[2] = static_cast<uint8_t>(skb->len >> 8); // iph_set_totlen
    iph[3] = static_cast<uint8_t>(skb->len);
    ip_send_check(host, skb);
    skb->protocol = wire::EtherType::Ipv4;
    int ret = nf_hook(host, NF_INET_LOCAL_OUT, skb);
    scope.ret(ret);
    return ret;
}

int ip_local_out(Host& host, Sock* sk, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_local_out, skb);
    int err = __ip_local_out(host, skb);
    if (err == 1) err = dst_output(host, skb);
    scope.ret(err);
    return err;
}

int ip_send_skb(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_send_skb, skb);
    int err = ip_local_out(host, skb->sk, skb);
    if (err > 0) err = 0; // net_xmit_errno: congestion notifications are not errors for the sender
    scope.ret(err);
    return err;
}

int ip_push_pending_frames(Host& host, Sock* sk, InetCork& cork) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_push_pending_frames, cork.skb);
    if (!cork.skb) return 0;
    SkBuff* skb = __ip_make_skb(host, sk, cork); // ip_finish_skb
    int err = ip_send_skb(host, skb);
    scope.ret(err);
    return err;
}

static Neighbour* ip_neigh_for_gw(Host& host, const Rtable* rt, SkBuff* skb) {
    TRACE_FUNC(host.sim(), ip_neigh_for_gw, skb);
    wire::Ipv4Addr nexthop = rt->rt_gw4 ? *rt->rt_gw4
                                       : wire::Ipv4Addr::from_bytes(std::span<const uint8_t>(skb->network_ptr() + 16, 4));
    Neighbour* n = __ipv4_neigh_lookup_noref(host, rt->dev, nexthop);
    if (!n) n = __neigh_create(host, rt->dev, nexthop);
    return n;
}

static int ip_finish_output2(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_finish_output2, skb);
    const Rtable* rt = skb_rtable(skb);
    if (skb_headroom(skb) < kHhLen && !pskb_expand_head(skb, kHhLen, 0)) {
        kfree_skb_reason(skb, DropReason::NoMem);
        scope.ret(-ENOMEM);
        return -ENOMEM;
    }
    Neighbour* n = ip_neigh_for_gw(host, rt, skb);
    if (!n) {
        kfree_skb_reason(skb, DropReason::NeighCreatefail);
        scope.ret(-EINVAL);
        return -EINVAL;
    }
    int ret = neigh_output(host, n, skb);
    scope.ret(ret);
    return ret;
}

static int __ip_finish_output(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), __ip_finish_output, skb);
    uint32_t mtu = skb_rtable(skb)->mtu;
    if (skb->len > mtu) {
        // TODO(#4, fragments): ip_fragment -> ip_do_fragment
        host.note("packet of " + std::to_string(skb->len) + " bytes exceeds the MTU; fragmentation is not modelled",
                  Layer::Ipv4, skb);
        kfree_skb_reason(skb, DropReason::PktTooBig);
        scope.ret(-EMSGSIZE);
        return -EMSGSIZE;
    }
    int ret = ip_finish_output2(host, skb);
    scope.ret(ret);
    return ret;
}

static int ip_finish_output(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_finish_output, skb);
    int ret = __ip_finish_output(host, skb);
    scope.ret(ret);
    return ret;
}

int ip_output(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_output, skb);
    skb->dev = skb_rtable(skb)->dev;
    skb->protocol = wire::EtherType::Ipv4;
    int ret = NF_HOOK(host.sim(), NF_INET_POST_ROUTING, skb, [&](SkBuff* s) { return ip_finish_output(host, s); });
    scope.ret(ret);
    return ret;
}

int dst_output(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), dst_output, skb);
    int ret = ip_output(host, skb); // skb_dst(skb)->output
    scope.ret(ret);
    return ret;
}

// ---- TCP's output (ip_queue_xmit) and packets built without a full socket ----

static void ip_fill_header(SkBuff* skb, wire::Ipv4Addr saddr, wire::Ipv4Addr daddr, uint8_t ttl, uint16_t id) {
    wire::Ipv4Repr ip;
    ip.saddr = saddr;
    ip.daddr = daddr;
    ip.protocol = wire::IpProto::Tcp;
    ip.payload_len = static_cast<uint16_t>(skb->len - wire::IPV4_MIN_HLEN);
    ip.ttl = ttl;
    ip.df = true; // IP_PMTUDISC_WANT and the packet fits
    ip.id = id;
    std::span<uint8_t> hdr(skb->network_ptr(), wire::IPV4_MIN_HLEN);
    ip.emit(hdr);
    hdr[10] = hdr[11] = 0; // ip_send_check in __ip_local_out
}

static int __ip_queue_xmit(Host& host, Sock* sk, SkBuff* skb, std::shared_ptr<Rtable>& dst, const Flowi4& fl4_in) {
    TRACE_FUNC_NAMED(scope, host.sim(), __ip_queue_xmit, skb);
    if (!dst) {
        // ip_route_output_ports
        Flowi4 fl4 = fl4_in;
        int err = 0;
        dst = ip_route_output_flow(host, fl4, &err);
        if (!dst) {
            kfree_skb_reason(skb, DropReason::IpOutnoroutes);
            scope.ret(-EHOSTUNREACH);
            return -EHOSTUNREACH;
        }
    }
    skb->dst = dst;
    skb_push(skb, wire::IPV4_MIN_HLEN);
    skb_reset_network_header(skb);
    // ip_select_ident_segs: a connected socket's DF packets count its inet_id up.
    uint16_t id = sk ? sk->inet_id++ : 0;
    ip_fill_header(skb, fl4_in.saddr, fl4_in.daddr, sk ? sk->uc_ttl : 64, id);
    skb->protocol = wire::EtherType::Ipv4;
    int err = ip_local_out(host, sk, skb);
    if (err > 0) err = 0; // net_xmit_eval
    scope.ret(err);
    return err;
}

int ip_queue_xmit(Host& host, Sock* sk, SkBuff* skb, std::shared_ptr<Rtable>& dst, const Flowi4& fl4) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_queue_xmit, skb);
    int err = __ip_queue_xmit(host, sk, skb, dst, fl4);
    scope.ret(err);
    return err;
}

int ip_build_and_send_pkt(Host& host, SkBuff* skb, std::shared_ptr<Rtable> rt, wire::Ipv4Addr saddr,
                          wire::Ipv4Addr daddr, uint8_t ttl) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_build_and_send_pkt, skb);
    skb->dst = std::move(rt);
    skb_push(skb, wire::IPV4_MIN_HLEN);
    skb_reset_network_header(skb);
    ip_fill_header(skb, saddr, daddr, ttl, 0);
    skb->protocol = wire::EtherType::Ipv4;
    int err = ip_local_out(host, nullptr, skb);
    if (err > 0) err = 0;
    scope.ret(err);
    return err;
}

} // namespace skbscope
