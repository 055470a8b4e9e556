// IPv4 output (net/ipv4/ip_output.c): building a datagram's skb (ip_append_data, __ip_make_skb),
// ip_local_out -> __ip_local_out (tot_len, ip_send_check, LOCAL_OUT hook) -> dst_output -> ip_output
// -> NF_HOOK(POST_ROUTING) -> ip_finish_output -> __ip_finish_output -> ip_finish_output2 -> neighbour.
// Fragmentation: __ip_finish_output -> ip_fragment -> ip_do_fragment (the slow path: ip_frag_init,
// ip_frag_next allocating each fragment, copying the IP header, MF and the offset in 8-byte units,
// ip_send_check, then ip_finish_output2 for each).
// SIMPLIFICATION: ip_append_data builds one skb for the whole datagram, even over the MTU, and
// __ip_finish_output fragments it (Linux's UDP path builds one skb per fragment in ip_append_data and
// chains them on frag_list for ip_do_fragment's fast path); no corking across calls (MSG_MORE).
// LINUX: ip_append_data reserves LL_RESERVED_SPACE (16 bytes) of headroom and skb_puts the IP and
// transport headers with the data, so no skb_push happens for them; the Ethernet header is pushed
// into that headroom. An unconnected socket's DF packets carry IP ID 0 (ip_select_ident). A datagram
// over the MTU with IP_PMTUDISC_DO fails with EMSGSIZE and, with IP_RECVERR, ip_local_error queues it
// with the MTU; a pending sk_err fails the send in sock_alloc_send_skb.
#include <cstring>

#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "core/wire/checksum.h"
#include "core/wire/ethernet.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "stack/core/neighbour.h"
#include "stack/host.h"
#include "stack/ipv4/icmp.h"
#include "stack/ipv4/ip.h"
#include "stack/ipv4/ip_sockglue.h"
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
    // maxnonfragsize: the MTU with IP_PMTUDISC_DO (ip_dont_fragment), else IP_MAX_MTU (fragments allowed).
    const uint32_t maxnonfragsize = (sk && sk->pmtudisc_do) ? cork.rt->mtu : 0xFFFF;
    if (length > maxnonfragsize - fragheaderlen) {
        if (sk) ip_local_error(host, sk, EMSGSIZE, cork.fl4.daddr, sk->inet_dport, cork.rt->mtu); // IP_RECVERR only
        host.note("datagram of " + std::to_string(length) + " bytes exceeds " +
                      (sk && sk->pmtudisc_do ? "the MTU " + std::to_string(cork.rt->mtu) + " with DF (IP_PMTUDISC_DO)"
                                             : std::string("65535 bytes")) + ": EMSGSIZE",
                  Layer::Ipv4);
        scope.ret(-EMSGSIZE);
        return -EMSGSIZE;
    }
    const uint32_t alloclen = fragheaderlen + length;
    SkBuff* skb = nullptr;
    if (sk && transhdrlen) {
        // sock_alloc_send_skb(sk, alloclen + hh_len + 15) -> sock_alloc_send_pskb: a pending error
        // (an ICMP error reported to the socket) fails the send, and is cleared by taking it.
        TRACE_FUNC_NAMED(alloc, sim, sock_alloc_send_skb, nullptr, static_cast<int64_t>(alloclen + kHhLen + 15));
        if (int err = sock_error(host, sk)) {
            alloc.ret(err);
            scope.ret(err);
            return err;
        }
        skb = alloc_skb(sim, alloclen + kHhLen + 15);
        alloc.ret(skb->id);
    } else {
        skb = alloc_skb(sim, alloclen + kHhLen + 15);
    }
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
    cork.df = sk && (sk->pmtudisc_do || (sk->pmtudisc_want && alloclen <= cork.rt->mtu));
    scope.ret(0);
    return 0;
}

// ip_idents_reserve: one of 2048 counters chosen by a keyed hash of (daddr, saddr, protocol).
// SIMPLIFICATION: the key is derived from the host's name (deterministic runs), the hash is FNV-1a
// instead of siphash, and the counter does not jump by a random delta with time.
static uint16_t __ip_select_ident(Host& host, const uint8_t* iph) {
    uint64_t h = 1469598103934665603ull;
    for (char c : host.name()) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    for (int i : {16, 17, 18, 19, 12, 13, 14, 15, 9}) h = (h ^ iph[i]) * 1099511628211ull;
    uint32_t& counter = host.ip_idents[h % host.ip_idents.size()];
    uint32_t base = static_cast<uint32_t>(h >> 32);
    return static_cast<uint16_t>(base + counter++);
}

// ip_select_ident: a connected socket counts its inet_id; a DF packet of an unconnected socket
// carries 0; anything that may be fragmented takes the per-destination counter.
static uint16_t ip_select_ident(Host& host, Sock* sk, bool df, const uint8_t* iph) {
    if (sk && !sk->inet_daddr.is_any()) return ++sk->inet_id;
    if (df) return 0;
    return __ip_select_ident(host, iph);
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
    std::span<uint8_t> hdr(skb->network_ptr(), wire::IPV4_MIN_HLEN);
    ip.emit(hdr);
    uint16_t id = ip_select_ident(host, sk, cork.df, hdr.data());
    hdr[4] = static_cast<uint8_t>(id >> 8);
    hdr[5] = static_cast<uint8_t>(id);
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

// skb_checksum_help: a CHECKSUM_PARTIAL packet gets its transport checksum in software (the device
// cannot finish it once the payload is split across fragments).
static int skb_checksum_help(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), skb_checksum_help, skb);
    const uint32_t start = skb->csum_start;
    const uint32_t len = skb->tail - start;
    std::span<uint8_t> seg(skb->head_ptr() + start, len);
    uint16_t c = wire::ip_compute_csum(seg); // the field holds the pseudo-header sum
    if (c == 0 && skb->csum_offset == 6) c = 0xffff; // UDP: CSUM_MANGLED_0
    seg[skb->csum_offset] = static_cast<uint8_t>(c >> 8);
    seg[skb->csum_offset + 1] = static_cast<uint8_t>(c);
    skb->ip_summed = IpSummed::None;
    host.sim().charge_bytes(len);
    scope.ret(0);
    return 0;
}

// struct ip_frag_state
struct IpFragStateOut {
    bool df_mf = false; // the original was itself a fragment with MF (not the last)
    uint32_t hlen = 0, ll_rs = 0, mtu = 0, left = 0, ptr = 0;
    uint32_t offset = 0; // in bytes
    uint16_t not_last_frag = 0;
};

static void ip_frag_init(Host& host, SkBuff* skb, uint32_t hlen, uint32_t ll_rs, uint32_t mtu, IpFragStateOut* st) {
    TRACE_FUNC(host.sim(), ip_frag_init, skb);
    const uint8_t* iph = skb->network_ptr();
    uint16_t frag_off = static_cast<uint16_t>((iph[6] << 8) | iph[7]);
    st->hlen = hlen;
    st->ll_rs = ll_rs;
    st->mtu = mtu;
    st->left = skb->len - hlen;
    st->ptr = hlen;
    st->offset = (frag_off & wire::IP_OFFSET) * 8u;
    st->not_last_frag = frag_off & wire::IP_MF;
}

// ip_frag_next: the next fragment, with a copy of the header and up to mtu - hlen bytes (a multiple
// of 8 except for the last).
static SkBuff* ip_frag_next(Host& host, SkBuff* skb, IpFragStateOut* st) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_frag_next, skb, st->offset);
    uint32_t len = st->left;
    if (len > st->mtu) len = st->mtu;
    if (len < st->left) len &= ~7u;
    SkBuff* skb2 = alloc_skb(host.sim(), len + st->hlen + st->ll_rs);
    skb2->flow = skb->flow;
    skb2->dst = skb->dst;
    skb2->dev = skb->dev;
    skb2->sk = skb->sk;
    skb2->protocol = skb->protocol;
    skb2->priority = skb->priority;
    skb_reserve(skb2, st->ll_rs);
    uint8_t* p = skb_put(skb2, len + st->hlen);
    skb_reset_network_header(skb2);
    skb2->transport_header = static_cast<uint16_t>(skb2->network_header + st->hlen);
    std::memcpy(p, skb->network_ptr(), st->hlen);                          // the IP header
    std::memcpy(p + st->hlen, skb->network_ptr() + st->ptr, len);          // skb_copy_bits
    host.sim().charge_bytes(len + st->hlen);
    st->left -= len;
    // iph->frag_off = htons(offset >> 3) with MF unless last (or the original had MF); keep DF.
    uint16_t frag_off = static_cast<uint16_t>((p[6] << 8 | p[7]) & wire::IP_DF);
    frag_off |= static_cast<uint16_t>(st->offset >> 3);
    if (st->left > 0 || st->not_last_frag) frag_off |= wire::IP_MF;
    p[6] = static_cast<uint8_t>(frag_off >> 8);
    p[7] = static_cast<uint8_t>(frag_off);
    const uint32_t tot = len + st->hlen;
    p[2] = static_cast<uint8_t>(tot >> 8);
    p[3] = static_cast<uint8_t>(tot);
    st->ptr += len;
    st->offset += len;
    scope.ret(skb2->id);
    return skb2;
}

// ip_do_fragment: the slow path, one new skb per fragment.
static int ip_do_fragment(Host& host, SkBuff* skb, int (*output)(Host&, SkBuff*)) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_do_fragment, skb);
    if (skb->ip_summed == IpSummed::Partial) skb_checksum_help(host, skb);
    const uint32_t hlen = (skb->network_ptr()[0] & 0xf) * 4u;
    const uint32_t mtu = skb_rtable(skb)->mtu - hlen; // room for data in each fragment
    IpFragStateOut st;
    ip_frag_init(host, skb, hlen, kHhLen, mtu, &st);
    int err = 0, n = 0;
    const uint32_t total = skb->len;
    while (st.left > 0) {
        SkBuff* skb2 = ip_frag_next(host, skb, &st);
        ip_send_check(host, skb2);
        ++n;
        err = output(host, skb2);
        if (err < 0) break; // the rest is not sent (IPSTATS_MIB_FRAGFAILS)
    }
    host.note("ip_do_fragment: " + std::to_string(total) + " bytes sent as " + std::to_string(n) +
                  " fragments of at most " + std::to_string(skb_rtable(skb)->mtu) + " (FRAGOKS)",
              Layer::Ipv4, skb);
    consume_skb(skb);
    scope.ret(err);
    return err;
}

// ip_fragment: DF set (and not ignore_df) means the packet may not be split.
static int ip_fragment(Host& host, SkBuff* skb, uint32_t mtu, int (*output)(Host&, SkBuff*)) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_fragment, skb, mtu);
    const uint8_t* iph = skb->network_ptr();
    if (iph[6] & (wire::IP_DF >> 8)) {
        icmp_send(host, skb, wire::IcmpType::DestUnreach, wire::IcmpCode::FragNeeded, mtu); // icmp_ndo_send
        host.note("packet of " + std::to_string(skb->len) + " bytes with DF exceeds the MTU " + std::to_string(mtu),
                  Layer::Ipv4, skb);
        kfree_skb_reason(skb, DropReason::PktTooBig);
        scope.ret(-EMSGSIZE);
        return -EMSGSIZE;
    }
    int ret = ip_do_fragment(host, skb, output);
    scope.ret(ret);
    return ret;
}

static int __ip_finish_output(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), __ip_finish_output, skb);
    uint32_t mtu = skb_rtable(skb)->mtu; // ip_skb_dst_mtu
    if (skb->len > mtu) {
        int ret = ip_fragment(host, skb, mtu, ip_finish_output2);
        scope.ret(ret);
        return ret;
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
