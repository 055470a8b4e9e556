// IP-level socket options and the IP_RECVERR error queue (net/ipv4/ip_sockglue.c), and the
// connect of datagram sockets (net/ipv4/datagram.c).
#pragma once
#include <cstdint>

#include "core/skb/skbuff.h"
#include "core/wire/addr.h"
#include "stack/socket/sock.h"

namespace skbscope {

class Host;
struct SysCall;

// ip_setsockopt -> do_ip_setsockopt: IP_TTL (1..255, -1 = default), IP_RECVERR (0/1; off purges the
// error queue), IP_MTU_DISCOVER (IP_PMTUDISC_DONT..PROBE). 0 or -errno (EINVAL, ENOPROTOOPT).
int ip_setsockopt(Host& host, Sock* sk, int optname, int64_t val);
// ip_getsockopt -> do_ip_getsockopt: the same options' values in *val; 0 or -ENOPROTOOPT.
int ip_getsockopt(Host& host, Sock* sk, int optname, int64_t* val);
// ip_icmp_error: with IP_RECVERR, queues a clone of the ICMP skb (skb->data at the quoted IP header)
// on sk_error_queue as a sock_exterr_skb (origin ICMP, the ICMP type/code, err, info), its data
// pulled to payload (what follows the quoted transport header). Nothing without IP_RECVERR.
void ip_icmp_error(Host& host, Sock* sk, SkBuff* skb, int err, uint16_t port, uint32_t info,
                   const uint8_t* payload);
// ip_local_error: with IP_RECVERR, queues a local error (origin LOCAL, e.g. EMSGSIZE with the MTU in
// info) about a datagram to daddr:port. Nothing without IP_RECVERR.
void ip_local_error(Host& host, Sock* sk, int err, wire::Ipv4Addr daddr, uint16_t port, uint32_t info);
// ip_recv_error: recvmsg(MSG_ERRQUEUE). Takes the oldest error skb: its data into sc.ubuf (up to
// sc.len, MSG_TRUNC beyond), the address it concerns into sc.addr, the error and the offender (the
// ICMP sender) into sc.ee / sc.ee_offender, MSG_ERRQUEUE into sc.msg_flags. Bytes copied, or -EAGAIN.
int ip_recv_error(Host& host, Sock* sk, SysCall& sc);

// ---- net/ipv4/datagram.c ----
// ip4_datagram_connect -> __ip4_datagram_connect: routes to addr, takes the route's source address
// when unbound, sets inet_daddr/inet_dport and sk_state = TCP_ESTABLISHED. 0 or -errno.
int ip4_datagram_connect(Host& host, Sock* sk, const SockAddrIn& addr);
// udp_disconnect -> __udp_disconnect (connect to AF_UNSPEC): TCP_CLOSE, no peer.
int udp_disconnect(Host& host, Sock* sk);

} // namespace skbscope
