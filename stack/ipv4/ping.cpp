// Ping sockets (net/ipv4/ping.c): socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), as iputils ping uses
// them without privileges. The user writes the ICMP header and payload; the kernel puts the
// socket's port in the echo identifier, computes the checksum and sends (ping_v4_sendmsg); echo
// replies are matched back by identifier (ping_rcv -> ping_lookup -> ping_queue_rcv_skb).
// ICMP errors quoting one of our requests (ping_err): with IP_RECVERR, queued by ip_icmp_error and
// reported in sk_err (the blocked recvmsg fails, then ping reads MSG_ERRQUEUE); without it, only a
// hard error on a connected socket is reported. connect() is ip4_datagram_connect.
// SIMPLIFICATION: IPv4 only; FRAG_NEEDED does not update a path MTU (ipv4_sk_update_pmtu).
// LINUX: identifiers come from a rover starting at 1 (not random); the user's identifier is replaced.
#include <cstring>

#include "core/time/sim.h"
#include "core/wire/checksum.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "stack/host.h"
#include "stack/ipv4/icmp.h"
#include "stack/ipv4/ip.h"
#include "stack/ipv4/ip_sockglue.h"
#include "stack/ipv4/tcp.h" // TCP_ESTABLISHED, TCP_CLOSE (include/net/tcp_states.h)
#include "stack/socket/sock.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

using wire::Ipv4Addr;

static int ping_get_port(Host& host, Sock* sk, uint16_t ident) {
    TRACE_FUNC_NAMED(scope, host.sim(), ping_get_port, nullptr, ident);
    if (ident == 0) {
        uint16_t result = static_cast<uint16_t>(host.ping_port_rover + 1);
        for (uint32_t i = 0; i < (1u << 16); ++i, ++result) {
            if (!result) ++result; // avoid zero
            if (!host.ping_table.count(result)) {
                ident = result;
                host.ping_port_rover = result;
                break;
            }
        }
        if (!ident) {
            scope.ret(1);
            return 1;
        }
    } else if (host.ping_table.count(ident)) {
        scope.ret(1);
        return 1;
    }
    sk->inet_num = ident;
    host.ping_table[ident] = sk;
    host.note(sk->label + " gets ICMP echo identifier " + std::to_string(ident), Layer::Icmp);
    scope.ret(0);
    return 0;
}

static int ping_bind(Host& host, Sock* sk, const SockAddrIn& addr) {
    TRACE_FUNC_NAMED(scope, host.sim(), ping_bind, nullptr, addr.addr.value, addr.port);
    int err = 0;
    if (addr.family != AF_INET) err = -EAFNOSUPPORT;
    else if (!addr.addr.is_any() && !host.is_local_addr(addr.addr)) err = -EADDRNOTAVAIL;
    else if (sk->inet_num) err = -EINVAL;
    else {
        sk->inet_rcv_saddr = addr.addr;
        if (ping_get_port(host, sk, addr.port)) {
            sk->inet_rcv_saddr = {};
            err = -EADDRINUSE;
        }
    }
    scope.ret(err);
    return err;
}

static int ping_v4_push_pending_frames(Host& host, Sock* sk, InetCork& cork) {
    TRACE_FUNC_NAMED(scope, host.sim(), ping_v4_push_pending_frames, cork.skb);
    SkBuff* skb = cork.skb;
    uint8_t* icmph = skb->transport_ptr();
    uint32_t len = skb->tail - skb->transport_header;
    uint16_t c = wire::ip_compute_csum(std::span<const uint8_t>(icmph, len)); // csum_fold(pfh->wcheck)
    icmph[2] = static_cast<uint8_t>(c >> 8);
    icmph[3] = static_cast<uint8_t>(c);
    int err = ip_push_pending_frames(host, sk, cork);
    scope.ret(err);
    return err;
}

static int64_t ping_v4_sendmsg(Host& host, Sock* sk, SysCall& sc) {
    TRACE_FUNC_NAMED(scope, host.sim(), ping_v4_sendmsg, nullptr, static_cast<int64_t>(sc.ubuf.size()));
    auto fail = [&](int err) {
        host.note("ping_v4_sendmsg: " + errno_name(-err), Layer::Icmp);
        scope.ret(err);
        return err;
    };
    size_t len = sc.ubuf.size();
    if (len > 0xFFFF) return fail(-EMSGSIZE);
    Flowi4 fl4;
    if (sc.addr) {
        if (sc.addr->family != AF_INET) return fail(-EAFNOSUPPORT);
        fl4.daddr = sc.addr->addr;
    } else {
        if (sk->inet_daddr.is_any()) return fail(-EDESTADDRREQ);
        fl4.daddr = sk->inet_daddr;
    }
    // ping_common_sendmsg: the user's header must be an echo request with code 0
    if (len < wire::ICMP_HDR_LEN) return fail(-EINVAL);
    if (sc.ubuf[0] != wire::IcmpType::Echo || sc.ubuf[1] != 0) return fail(-EINVAL);
    fl4.saddr = sk->inet_rcv_saddr;
    fl4.proto = wire::IpProto::Icmp;
    int err = 0;
    auto rt = ip_route_output_flow(host, fl4, &err);
    if (!rt) return fail(err);
    if (rt->rt_type == RtnType::Broadcast) return fail(-EACCES);
    // pfh.icmph: the user's type, code and sequence; our identifier; checksum 0 for now
    uint8_t hdr[wire::ICMP_HDR_LEN] = {sc.ubuf[0], sc.ubuf[1], 0, 0, static_cast<uint8_t>(sk->inet_num >> 8),
                                       static_cast<uint8_t>(sk->inet_num), sc.ubuf[6], sc.ubuf[7]};
    InetCork cork;
    cork.rt = rt;
    cork.fl4 = fl4;
    cork.ttl = sk->uc_ttl;
    err = ip_append_data(host, sk, cork, hdr, wire::ICMP_HDR_LEN,
                         std::span<const uint8_t>(sc.ubuf).subspan(wire::ICMP_HDR_LEN)); // ping_getfrag
    if (err) return fail(err);
    err = ping_v4_push_pending_frames(host, sk, cork);
    int64_t r = err ? err : static_cast<int64_t>(len);
    scope.ret(r);
    return r;
}

static Sock* ping_lookup(Host& host, SkBuff* skb, uint16_t ident) {
    TRACE_FUNC_NAMED(scope, host.sim(), ping_lookup, skb, ident);
    auto it = host.ping_table.find(ident);
    Sock* sk = nullptr;
    if (it != host.ping_table.end()) {
        auto daddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(skb->network_ptr() + 16, 4));
        if (it->second->inet_rcv_saddr.is_any() || it->second->inet_rcv_saddr == daddr) sk = it->second;
    }
    scope.ret(sk ? 1 : 0);
    return sk;
}

static int ping_queue_rcv_skb(Host& host, Sock* sk, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), ping_queue_rcv_skb, skb);
    int err = sock_queue_rcv_skb(host, sk, skb);
    if (err < 0) kfree_skb_reason(skb, DropReason::SocketRcvbuff);
    scope.ret(err);
    return err;
}

DropReason ping_rcv(Host& host, SkBuff* skb) {
    TRACE_FUNC(host.sim(), ping_rcv, skb);
    skb_push(skb, wire::ICMP_HDR_LEN); // push the ICMP header back
    uint16_t ident = static_cast<uint16_t>((skb->data_ptr()[4] << 8) | skb->data_ptr()[5]);
    Sock* sk = ping_lookup(host, skb, ident);
    if (!sk) {
        host.note("no ping socket with identifier " + std::to_string(ident), Layer::Icmp, skb);
        return DropReason::NoSocket;
    }
    SkBuff* skb2 = skb_clone(skb);
    ping_queue_rcv_skb(host, sk, skb2);
    return DropReason::NotDropped;
}

void ping_err(Host& host, SkBuff* skb, uint8_t type, uint8_t code, uint32_t info) {
    TRACE_FUNC(host.sim(), ping_err, skb, type, code);
    const uint8_t* iph = skb->data_ptr();
    const uint8_t* icmph = iph + (iph[0] & 0xfu) * 4u;
    if (icmph[0] != wire::IcmpType::Echo) return; // only errors about our echo requests
    uint16_t ident = static_cast<uint16_t>((icmph[4] << 8) | icmph[5]);
    uint16_t seq = static_cast<uint16_t>((icmph[6] << 8) | icmph[7]);
    Sock* sk = ping_lookup(host, skb, ident);
    if (!sk) return;
    int err = 0;
    bool harderr = false;
    switch (type) {
    case wire::IcmpType::DestUnreach:
        if (code == wire::IcmpCode::FragNeeded) { // path MTU discovery
            if (!sk->pmtudisc_want && !sk->pmtudisc_do) return; // IP_PMTUDISC_DONT
            err = EMSGSIZE;
            harderr = true;
            break;
        }
        err = icmp_err_errno(type, code, &harderr);
        break;
    case 4: // ICMP_SOURCE_QUENCH: not a real error, but ping wants to see it
    case 5: // ICMP_REDIRECT (ipv4_sk_redirect)
        err = EREMOTEIO;
        break;
    case 12: // ICMP_PARAMETERPROB
        err = EPROTO;
        harderr = true;
        break;
    default: err = EHOSTUNREACH; // ICMP_TIME_EXCEEDED
    }
    if (!sk->recverr) {
        if (!harderr || sk->sk_state != TCP_ESTABLISHED) {
            host.note(sk->label + ": icmp_seq " + std::to_string(seq) + " " + errno_name(err) +
                          " not reported: no IP_RECVERR" + (harderr ? " and not connected" : ""),
                      Layer::Icmp, skb);
            return;
        }
    } else {
        ip_icmp_error(host, sk, skb, err, 0, info, icmph); // no remote port; the quoted echo header on
    }
    sk->sk_err = err;
    host.note(sk->label + ": icmp_seq " + std::to_string(seq) + ": sk_err = " + errno_name(err), Layer::Icmp, skb);
    sk_error_report(host, sk);
}

static void ping_recvmsg(Host& host, Task& task, Sock* sk, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::ping_recvmsg, nullptr, static_cast<int64_t>(sc->len));
    if (sc->flags & MSG_ERRQUEUE) {
        int r = ip_recv_error(host, sk, *sc);
        task.frames.close(Fn::ping_recvmsg, r);
        return ret(r);
    }
    __skb_recv_datagram(host, task, sk, sc->flags, [&host, &task, sc, ret](SkBuff* skb, int err) {
        if (!skb) {
            task.frames.close(Fn::ping_recvmsg, err);
            ret(err);
            return;
        }
        uint32_t full = skb->len;
        uint32_t copied = std::min<uint32_t>(static_cast<uint32_t>(sc->len), full);
        sc->ubuf.clear();
        skb_copy_datagram_iter(host, skb, 0, sc->ubuf, copied);
        SockAddrIn from;
        from.addr = Ipv4Addr::from_bytes(std::span<const uint8_t>(skb->network_ptr() + 12, 4));
        sc->addr = from;
        consume_skb(skb); // skb_free_datagram
        int64_t r = (sc->flags & MSG_TRUNC) ? full : copied;
        task.frames.close(Fn::ping_recvmsg, r);
        ret(r);
    });
}

static void ping_close(Host& host, Sock* sk) {
    TRACE_FUNC(host.sim(), ping_close);
    auto it = host.ping_table.find(sk->inet_num);
    if (it != host.ping_table.end() && it->second == sk) host.ping_table.erase(it); // ping_unhash
    sk_common_release(host, sk);
}

const Proto ping_prot = {"PING", ping_get_port, ping_bind, ping_v4_sendmsg, ping_recvmsg, ping_close,
                         ip4_datagram_connect, udp_disconnect};

} // namespace skbscope
