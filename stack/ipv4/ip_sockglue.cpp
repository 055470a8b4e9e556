// IP-level socket options and the error queue (net/ipv4/ip_sockglue.c): do_ip_setsockopt for
// IP_TTL, IP_RECVERR and IP_MTU_DISCOVER; ip_icmp_error and ip_local_error queue sock_exterr_skb's
// on sk_error_queue for a socket with IP_RECVERR; ip_recv_error hands one to recvmsg(MSG_ERRQUEUE)
// with its sock_extended_err and the offender's address, as iputils ping reads them.
// SIMPLIFICATION: no IP_PMTUDISC_INTERFACE/OMIT, no ancillary IP_PKTINFO/IP_RECVTTL with the error,
// no IP options dumped after the error; TCP's recvmsg does not read the error queue (inet_recv_error).
// LINUX: the ICMP error's msg_name is the quoted packet's destination; the offender (SO_EE_OFFENDER)
// is the host that sent the ICMP message; a local error has no offender.
#include "stack/ipv4/ip_sockglue.h"

#include "core/time/sim.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "stack/host.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

using wire::Ipv4Addr;

static int do_ip_setsockopt(Host& host, Sock* sk, int optname, int64_t val) {
    TRACE_FUNC_NAMED(scope, host.sim(), do_ip_setsockopt, nullptr, optname, val);
    int err = 0;
    switch (optname) {
    case IP_TTL:
        if (val == -1) val = 64; // sysctl_ip_default_ttl
        if (val < 1 || val > 255)
            err = -EINVAL;
        else
            sk->uc_ttl = static_cast<uint8_t>(val);
        break;
    case IP_RECVERR:
        sk->recverr = val != 0;
        if (!sk->recverr && !sk->sk_error_queue.empty()) { // skb_errqueue_purge
            while (SkBuff* skb = sock_dequeue_err_skb(host, sk))
                kfree_skb(skb);
        }
        break;
    case IP_MTU_DISCOVER:
        if (val < IP_PMTUDISC_DONT || val > IP_PMTUDISC_PROBE)
            err = -EINVAL;
        else {
            sk->pmtudisc_want = val == IP_PMTUDISC_WANT;
            sk->pmtudisc_do = val >= IP_PMTUDISC_DO;
        }
        break;
    default:
        err = -ENOPROTOOPT;
    }
    if (!err) {
        const char* name = optname == IP_TTL       ? "IP_TTL"
                           : optname == IP_RECVERR ? "IP_RECVERR"
                                                   : "IP_MTU_DISCOVER";
        host.note(sk->label + ": " + name + " = " + std::to_string(val), Layer::Ipv4);
    }
    scope.ret(err);
    return err;
}

int ip_setsockopt(Host& host, Sock* sk, int optname, int64_t val) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_setsockopt, nullptr, optname, val);
    int err = do_ip_setsockopt(host, sk, optname, val);
    scope.ret(err);
    return err;
}

int ip_getsockopt(Host& host, Sock* sk, int optname, int64_t* val) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_getsockopt, nullptr, optname);
    int err = 0;
    switch (optname) {
    case IP_TTL:
        *val = sk->uc_ttl;
        break;
    case IP_RECVERR:
        *val = sk->recverr ? 1 : 0;
        break;
    case IP_MTU_DISCOVER:
        *val = sk->pmtudisc_do ? IP_PMTUDISC_DO : sk->pmtudisc_want ? IP_PMTUDISC_WANT : IP_PMTUDISC_DONT;
        break;
    default:
        err = -ENOPROTOOPT;
    }
    scope.ret(err);
    return err;
}

void ip_icmp_error(Host& host, Sock* sk, SkBuff* skb, int err, uint16_t port, uint32_t info,
                   const uint8_t* payload) {
    if (!sk->recverr) return;
    TRACE_FUNC(host.sim(), ip_icmp_error, skb, err, info);
    const uint8_t* icmph = skb->transport_ptr(); // icmp_hdr(skb)
    uint8_t type = icmph[0], code = icmph[1];
    const uint8_t* inner = skb->data_ptr(); // the quoted IP header
    uint32_t pull = static_cast<uint32_t>(payload - inner);
    SkBuff* clone = skb_clone(skb);
    if (!clone) return;
    SockExterrSkb& serr = SKB_EXT_ERR(clone);
    serr.ee = SockExtendedErr{};
    serr.ee.ee_errno = static_cast<uint32_t>(err);
    serr.ee.ee_origin = SO_EE_ORIGIN_ICMP;
    serr.ee.ee_type = type;
    serr.ee.ee_code = code;
    serr.ee.ee_info = info;
    serr.addr_offset = static_cast<uint16_t>(clone->data - clone->network_header + 16); // the quoted daddr
    serr.port = port;
    skb_reset_transport_header(clone);
    if (pull <= clone->len && skb_pull(clone, pull)) {
        skb_reset_transport_header(clone);
        if (sock_queue_err_skb(host, sk, clone) == 0) return;
    }
    kfree_skb(clone);
}

void ip_local_error(Host& host, Sock* sk, int err, Ipv4Addr daddr, uint16_t port, uint32_t info) {
    if (!sk->recverr) return;
    TRACE_FUNC(host.sim(), ip_local_error, nullptr, err, info);
    SkBuff* skb = alloc_skb(host.sim(), wire::IPV4_MIN_HLEN);
    uint8_t* iph = skb_put(skb, wire::IPV4_MIN_HLEN);
    skb_reset_network_header(skb);
    daddr.write_to(std::span<uint8_t>(iph + 16, 4)); // iph->daddr
    SockExterrSkb& serr = SKB_EXT_ERR(skb);
    serr.ee = SockExtendedErr{};
    serr.ee.ee_errno = static_cast<uint32_t>(err);
    serr.ee.ee_origin = SO_EE_ORIGIN_LOCAL;
    serr.ee.ee_info = info;
    serr.addr_offset = 16;
    serr.port = port;
    skb_pull(skb, wire::IPV4_MIN_HLEN); // __skb_pull(skb, skb_tail_pointer(skb) - skb->data)
    skb_reset_transport_header(skb);
    host.note(sk->label + ": local error " + errno_name(err) +
                  (info ? " (info " + std::to_string(info) + ")" : "") +
                  " queued on sk_error_queue (IP_RECVERR)",
              Layer::Ipv4);
    if (sock_queue_err_skb(host, sk, skb)) kfree_skb(skb);
}

int ip_recv_error(Host& host, Sock* sk, SysCall& sc) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_recv_error, nullptr, static_cast<int64_t>(sc.len));
    SkBuff* skb = sock_dequeue_err_skb(host, sk);
    if (!skb) {
        scope.ret(-EAGAIN);
        return -EAGAIN;
    }
    uint32_t copied = skb->len;
    if (copied > sc.len) {
        sc.msg_flags |= MSG_TRUNC;
        copied = static_cast<uint32_t>(sc.len);
    }
    sc.ubuf.clear();
    skb_copy_datagram_iter(host, skb, 0, sc.ubuf, copied); // skb_copy_datagram_msg
    const SockExterrSkb& serr = SKB_EXT_ERR(skb);
    const uint8_t* nh = skb->network_ptr();
    // ipv4_datagram_support_addr: ICMP and local errors name the address they concern
    SockAddrIn sin;
    sin.addr = Ipv4Addr::from_bytes(std::span<const uint8_t>(nh + serr.addr_offset, 4));
    sin.port = serr.port;
    sc.addr = sin;
    sc.ee = serr.ee;
    sc.ee_offender.reset();
    if (serr.ee.ee_origin == SO_EE_ORIGIN_ICMP) { // ipv4_datagram_support_cmsg: the ICMP sender
        SockAddrIn off;
        off.addr = Ipv4Addr::from_bytes(std::span<const uint8_t>(nh + 12, 4)); // ip_hdr(skb)->saddr
        sc.ee_offender = off;
    }
    {
        TRACE_FUNC(host.sim(), put_cmsg, nullptr, SOL_IP, IP_RECVERR);
        host.sim().charge_bytes(16 + 16 + 16); // cmsghdr, sock_extended_err, sockaddr_in
    }
    sc.msg_flags |= MSG_ERRQUEUE;
    host.note(sk->label + ": error queue -> " + errno_name(static_cast<int>(serr.ee.ee_errno)) +
                  (sc.ee_offender ? " from " + sc.ee_offender->addr.to_string() : std::string(" (local)")) +
                  " about " + sin.addr.to_string(),
              Layer::Ipv4, skb);
    consume_skb(skb);
    scope.ret(copied);
    return static_cast<int>(copied);
}

} // namespace skbscope
