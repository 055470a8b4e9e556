// UDP (net/ipv4/udp.c): ports (udp_v4_get_port), sending (udp_sendmsg -> ip_route_output_flow,
// ip_make_skb -> udp_send_skb -> ip_send_skb), receiving (udp_rcv -> __udp4_lib_rcv ->
// __udp4_lib_lookup -> udp_unicast_rcv_skb -> udp_queue_rcv_skb -> __udp_enqueue_schedule_skb ->
// sk_data_ready) and udp_recvmsg; ICMP errors (__udp4_lib_err): a hard error on a connected socket,
// or any error with IP_RECVERR (then also queued by ip_icmp_error), becomes sk_err and wakes the
// reader; recvmsg(MSG_ERRQUEUE) reads the queue (ip_recv_error). connect(): net/ipv4/datagram.c.
// SIMPLIFICATION: no multicast/broadcast fan-out, no UDP-Lite, no GSO/GRO, no SO_REUSEADDR/
// SO_REUSEPORT; ephemeral ports are probed linearly from a random start; FRAG_NEEDED does not
// update a path MTU (ipv4_sk_update_pmtu).
// LINUX: the checksum is verified lazily (udp_lib_checksum_complete inside udp_queue_rcv_skb, or
// before NO_SOCKET); a computed checksum of 0 goes out as 0xffff; the ephemeral range is 32768-60999.
#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "core/wire/bytes.h"
#include "core/wire/checksum.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "core/wire/udp.h"
#include "stack/host.h"
#include "stack/ipv4/icmp.h"
#include "stack/ipv4/ip.h"
#include "stack/ipv4/ip_sockglue.h"
#include "stack/ipv4/tcp.h" // TCP_ESTABLISHED, TCP_CLOSE (include/net/tcp_states.h)
#include "stack/ipv4/udp.h"
#include "stack/socket/sock.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

using wire::Ipv4Addr;

static bool udp_port_used(const Host& host, uint16_t port, Ipv4Addr addr) {
    auto [b, e] = host.udp_table.equal_range(port);
    for (auto it = b; it != e; ++it) {
        Ipv4Addr other = it->second->inet_rcv_saddr;
        if (other.is_any() || addr.is_any() || other == addr) return true;
    }
    return false;
}

static int udp_v4_get_port(Host& host, Sock* sk, uint16_t snum) {
    TRACE_FUNC_NAMED(scope, host.sim(), udp_v4_get_port, nullptr, snum);
    if (snum == 0) {
        const uint32_t low = 32768, high = 60999; // net.ipv4.ip_local_port_range
        uint32_t remaining = high - low + 1;
        uint32_t first = static_cast<uint32_t>(host.sim().rng().uniform(low, high));
        for (uint32_t i = 0; i < remaining; ++i) {
            uint16_t port = static_cast<uint16_t>(low + (first - low + i) % remaining);
            if (!udp_port_used(host, port, sk->inet_rcv_saddr)) {
                snum = port;
                break;
            }
        }
        if (snum == 0) {
            scope.ret(1);
            return 1;
        }
    } else if (udp_port_used(host, snum, sk->inet_rcv_saddr)) {
        scope.ret(1);
        return 1;
    }
    sk->inet_num = snum;
    host.udp_table.emplace(snum, sk);
    host.note(sk->label + " bound to UDP port " + std::to_string(snum), Layer::Udp);
    scope.ret(0);
    return 0;
}

static void udp4_hwcsum(Host& host, SkBuff* skb, Ipv4Addr src, Ipv4Addr dst) {
    TRACE_FUNC(host.sim(), udp4_hwcsum, skb);
    uint8_t* uh = skb->transport_ptr();
    uint32_t len = skb->tail - skb->transport_header;
    std::span<uint8_t> seg(uh, len);
    seg[6] = seg[7] = 0;
    if (skb->dst && skb->dst->dev && (skb->dst->dev->features & NETIF_F_HW_CSUM)) {
        // CHECKSUM_PARTIAL: the field holds the pseudo-header sum; the NIC adds the rest.
        skb->ip_summed = IpSummed::Partial;
        skb->csum_start = skb->transport_header;
        skb->csum_offset = 6; // offsetof(struct udphdr, check)
        const uint64_t pseudo = wire::csum_tcpudp_nofold(src, dst, static_cast<uint16_t>(len), wire::IpProto::Udp);
        wire::put_be16(seg, 6, static_cast<uint16_t>(~wire::csum_fold(pseudo)));
        return;
    }
    uint16_t c = wire::csum_tcpudp(src, dst, wire::IpProto::Udp, seg);
    if (c == 0) c = 0xffff; // CSUM_MANGLED_0
    wire::put_be16(seg, 6, c);
    host.sim().charge_bytes(len);
}

static int udp_send_skb(Host& host, SkBuff* skb, const Flowi4& fl4) {
    TRACE_FUNC_NAMED(scope, host.sim(), udp_send_skb, skb);
    std::span<uint8_t> uh(skb->transport_ptr(), wire::UDP_HDR_LEN);
    uint16_t len = static_cast<uint16_t>(skb->tail - skb->transport_header);
    wire::put_be16(uh, 0, fl4.sport);
    wire::put_be16(uh, 2, fl4.dport);
    wire::put_be16(uh, 4, len);
    wire::put_be16(uh, 6, 0);
    udp4_hwcsum(host, skb, fl4.saddr, fl4.daddr);
    int err = ip_send_skb(host, skb);
    scope.ret(err);
    return err;
}

static int64_t udp_sendmsg(Host& host, Sock* sk, SysCall& sc) {
    TRACE_FUNC_NAMED(scope, host.sim(), udp_sendmsg, nullptr, static_cast<int64_t>(sc.ubuf.size()));
    auto fail = [&](int err) {
        host.note("udp_sendmsg: " + errno_name(-err), Layer::Udp);
        scope.ret(err);
        return err;
    };
    size_t len = sc.ubuf.size();
    if (len > 0xFFFF - 28) return fail(-EMSGSIZE);
    Flowi4 fl4;
    if (sc.addr) {
        if (sc.addr->family != AF_INET && sc.addr->family != AF_UNSPEC) return fail(-EAFNOSUPPORT);
        fl4.daddr = sc.addr->addr;
        fl4.dport = sc.addr->port;
        if (fl4.dport == 0) return fail(-EINVAL);
    } else {
        if (sk->inet_daddr.is_any()) return fail(-EDESTADDRREQ);
        fl4.daddr = sk->inet_daddr;
        fl4.dport = sk->inet_dport;
    }
    fl4.saddr = sk->inet_rcv_saddr;
    fl4.proto = wire::IpProto::Udp;
    fl4.sport = sk->inet_num;
    int err = 0;
    auto rt = ip_route_output_flow(host, fl4, &err);
    if (!rt) return fail(err);
    if (rt->rt_type == RtnType::Broadcast) return fail(-EACCES); // no SO_BROADCAST
    InetCork cork;
    cork.rt = rt;
    cork.fl4 = fl4;
    cork.ttl = sk->uc_ttl;
    SkBuff* skb = ip_make_skb(host, sk, cork, wire::UDP_HDR_LEN, sc.ubuf, &err);
    if (!skb) return fail(err);
    err = udp_send_skb(host, skb, fl4);
    int64_t r = err ? err : static_cast<int64_t>(len);
    scope.ret(r);
    return r;
}

// udp_lib_checksum_complete: true when the checksum is wrong.
static bool udp_lib_checksum_complete(Host& host, SkBuff* skb) {
    const uint8_t* iph = skb->network_ptr();
    auto saddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4));
    auto daddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4));
    host.sim().charge_bytes(skb->len);
    return !wire::UdpView(skb->linear()).verify_checksum(saddr, daddr);
}

static int __udp_enqueue_schedule_skb(Host& host, Sock* sk, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), __udp_enqueue_schedule_skb, skb);
    if (sk->sk_rmem_alloc > sk->sk_rcvbuf) {
        host.note(sk->label + ": receive buffer full (" + std::to_string(sk->sk_rmem_alloc) + " > " +
                      std::to_string(sk->sk_rcvbuf) + ")", Layer::Udp, skb);
        scope.ret(-ENOMEM);
        return -ENOMEM;
    }
    sk_receive_queue_tail(host, sk, skb);
    if (!sk->dead) sk->sk_data_ready(host, sk);
    return 0;
}

static int udp_queue_rcv_skb(Host& host, Sock* sk, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), udp_queue_rcv_skb, skb);
    // udp_queue_rcv_one_skb
    if (udp_lib_checksum_complete(host, skb)) {
        host.note("bad UDP checksum", Layer::Udp, skb);
        kfree_skb_reason(skb, DropReason::UdpCsum);
        scope.ret(-1);
        return -1;
    }
    if (__udp_enqueue_schedule_skb(host, sk, skb) < 0) {
        kfree_skb_reason(skb, DropReason::SocketRcvbuff);
        scope.ret(-1);
        return -1;
    }
    return 0;
}

static int udp_unicast_rcv_skb(Host& host, Sock* sk, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), udp_unicast_rcv_skb, skb);
    int ret = udp_queue_rcv_skb(host, sk, skb);
    scope.ret(ret);
    return 0;
}

static Sock* __udp4_lib_lookup(Host& host, Ipv4Addr saddr, uint16_t sport, Ipv4Addr daddr, uint16_t dport) {
    TRACE_FUNC_NAMED(scope, host.sim(), __udp4_lib_lookup, nullptr, daddr.value, dport);
    Sock* best = nullptr;
    int best_score = -1;
    auto [b, e] = host.udp_table.equal_range(dport);
    for (auto it = b; it != e; ++it) {
        Sock* sk = it->second;
        int score = 0; // compute_score: each exact match (local address, peer address, peer port) scores
        if (!sk->inet_rcv_saddr.is_any()) {
            if (sk->inet_rcv_saddr != daddr) continue;
            score += 4;
        }
        if (!sk->inet_daddr.is_any()) { // connected: only its peer's datagrams
            if (sk->inet_daddr != saddr) continue;
            score += 4;
        }
        if (sk->inet_dport) {
            if (sk->inet_dport != sport) continue;
            score += 4;
        }
        if (score > best_score) {
            best = sk;
            best_score = score;
        }
    }
    scope.ret(best ? 1 : 0);
    return best;
}

static int __udp4_lib_rcv(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), __udp4_lib_rcv, skb);
    if (!pskb_may_pull(skb, wire::UDP_HDR_LEN)) {
        kfree_skb_reason(skb, DropReason::PktTooSmall);
        return 0;
    }
    const uint8_t* uh = skb->data_ptr();
    uint16_t sport = static_cast<uint16_t>((uh[0] << 8) | uh[1]);
    uint16_t dport = static_cast<uint16_t>((uh[2] << 8) | uh[3]);
    uint16_t ulen = static_cast<uint16_t>((uh[4] << 8) | uh[5]);
    if (ulen > skb->len || ulen < wire::UDP_HDR_LEN) {
        host.note("UDP length " + std::to_string(ulen) + " does not fit the packet", Layer::Udp, skb);
        kfree_skb_reason(skb, DropReason::PktTooSmall); // short_packet
        return 0;
    }
    skb_trim(skb, ulen); // pskb_trim_rcsum
    const uint8_t* iph = skb->network_ptr();
    auto saddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4));
    auto daddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4));
    if (Sock* sk = __udp4_lib_lookup(host, saddr, sport, daddr, dport)) {
        int ret = udp_unicast_rcv_skb(host, sk, skb);
        scope.ret(ret);
        return ret;
    }
    if (udp_lib_checksum_complete(host, skb)) {
        kfree_skb_reason(skb, DropReason::UdpCsum);
        return 0;
    }
    host.note("no socket on UDP port " + std::to_string(dport), Layer::Udp, skb);
    icmp_send(host, skb, wire::IcmpType::DestUnreach, wire::IcmpCode::PortUnreach, 0);
    kfree_skb_reason(skb, DropReason::NoSocket);
    return 0;
}

void __udp4_lib_err(Host& host, SkBuff* skb, uint8_t type, uint8_t code, uint32_t info) {
    TRACE_FUNC_NAMED(scope, host.sim(), __udp4_lib_err, skb, type, code);
    const uint8_t* iph = skb->data_ptr();
    const uint8_t* uh = iph + (iph[0] & 0xfu) * 4u;
    auto saddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4)); // ours
    auto daddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4));
    uint16_t sport = static_cast<uint16_t>((uh[0] << 8) | uh[1]);
    uint16_t dport = static_cast<uint16_t>((uh[2] << 8) | uh[3]);
    Sock* sk = __udp4_lib_lookup(host, daddr, dport, saddr, sport);
    if (!sk) {
        host.note("no UDP socket for the quoted datagram (ICMP_MIB_INERRORS)", Layer::Udp, skb);
        scope.ret(-ENOENT);
        return;
    }
    int err = 0;
    bool harderr = false;
    switch (type) {
    case wire::IcmpType::DestUnreach:
        if (code == wire::IcmpCode::FragNeeded) { // path MTU discovery
            if (!sk->pmtudisc_want && !sk->pmtudisc_do) { // IP_PMTUDISC_DONT
                scope.ret(0);
                return;
            }
            err = EMSGSIZE;
            harderr = true;
            break;
        }
        err = icmp_err_errno(type, code, &harderr);
        break;
    case 4: // ICMP_SOURCE_QUENCH
    case 5: // ICMP_REDIRECT (ipv4_sk_redirect)
        scope.ret(0);
        return;
    case 12: // ICMP_PARAMETERPROB
        err = EPROTO;
        harderr = true;
        break;
    default: err = EHOSTUNREACH; // ICMP_TIME_EXCEEDED
    }
    // RFC 1122 4.1.3.3: without IP_RECVERR only a hard error on a connected socket is reported.
    if (!sk->recverr) {
        if (!harderr || sk->sk_state != TCP_ESTABLISHED) {
            host.note(sk->label + ": " + errno_name(err) + (harderr ? " (hard)" : " (soft)") + " not reported: " +
                          (harderr ? "the socket is not connected" : "a soft error") + " and has no IP_RECVERR",
                      Layer::Udp, skb);
            scope.ret(0);
            return;
        }
    } else {
        ip_icmp_error(host, sk, skb, err, dport, info, uh + wire::UDP_HDR_LEN);
    }
    sk->sk_err = err;
    host.note(sk->label + ": sk_err = " + errno_name(err) + ": the next call on the socket fails with it", Layer::Udp,
              skb);
    sk_error_report(host, sk);
    scope.ret(0);
}

int udp_rcv(Host& host, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), udp_rcv, skb);
    int ret = __udp4_lib_rcv(host, skb);
    scope.ret(ret);
    return ret;
}

static void udp_recvmsg(Host& host, Task& task, Sock* sk, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::udp_recvmsg, nullptr, static_cast<int64_t>(sc->len));
    if (sc->flags & MSG_ERRQUEUE) {
        int r = ip_recv_error(host, sk, *sc);
        task.frames.close(Fn::udp_recvmsg, r);
        return ret(r);
    }
    __skb_recv_datagram(host, task, sk, sc->flags, [&host, &task, sk, sc, ret](SkBuff* skb, int err) {
        if (!skb) {
            task.frames.close(Fn::udp_recvmsg, err);
            ret(err);
            return;
        }
        uint32_t ulen = skb->len - wire::UDP_HDR_LEN;
        uint32_t copied = std::min<uint32_t>(static_cast<uint32_t>(sc->len), ulen);
        sc->ubuf.clear();
        skb_copy_datagram_iter(host, skb, wire::UDP_HDR_LEN, sc->ubuf, copied);
        const uint8_t* iph = skb->network_ptr();
        SockAddrIn from;
        from.addr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4));
        from.port = static_cast<uint16_t>((skb->data_ptr()[0] << 8) | skb->data_ptr()[1]);
        sc->addr = from;
        {
            TRACE_FUNC(host.sim(), skb_consume_udp, skb);
            consume_skb(skb);
        }
        int64_t r = (sc->flags & MSG_TRUNC) ? ulen : copied;
        task.frames.close(Fn::udp_recvmsg, r);
        ret(r);
    });
}

static void udp_lib_close(Host& host, Sock* sk) {
    TRACE_FUNC(host.sim(), udp_lib_close);
    auto [b, e] = host.udp_table.equal_range(sk->inet_num);
    for (auto it = b; it != e; ++it)
        if (it->second == sk) {
            host.udp_table.erase(it); // udp_lib_unhash
            break;
        }
    sk_common_release(host, sk);
}

const Proto udp_prot = {"UDP", udp_v4_get_port, nullptr, udp_sendmsg, udp_recvmsg, udp_lib_close,
                        ip4_datagram_connect, udp_disconnect};

} // namespace skbscope
