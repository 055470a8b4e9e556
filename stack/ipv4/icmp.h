// ICMP (net/ipv4/icmp.c) and ping sockets (net/ipv4/ping.c).
#pragma once
#include "core/skb/skbuff.h"
#include "core/trace/tracepoints.h"
#include "stack/socket/sock.h"

namespace skbscope {

class Host;
// icmp_rcv: the inet_protos handler for IPPROTO_ICMP.
int icmp_rcv(Host& host, SkBuff* skb);
// ping sockets: socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)
extern const Proto ping_prot;
// ping_rcv: an echo reply for one of our ping sockets; NotDropped when queued, else the reason.
DropReason ping_rcv(Host& host, SkBuff* skb);
// icmp_send (__icmp_send): an ICMP error about skb_in to its source (type, code, info = the
// next-hop MTU for FRAG_NEEDED). Does not free skb_in. Rate limited as Linux (icmp_global_allow,
// icmpv4_xrlim_allow).
void icmp_send(Host& host, SkBuff* skb_in, uint8_t type, uint8_t code, uint32_t info);
// icmp_unreach: a received DEST_UNREACH / TIME_EXCEEDED (skb->data at the quoted IP header).
DropReason icmp_unreach(Host& host, SkBuff* skb);
// icmp_err_convert: the errno for an error (EHOSTUNREACH for time exceeded), *harderr its fatality.
int icmp_err_errno(uint8_t type, uint8_t code, bool* harderr);
// ping_err: an ICMP error quoting one of our echo requests (skb->data at the quoted IP header).
void ping_err(Host& host, SkBuff* skb, uint8_t type, uint8_t code, uint32_t info);

} // namespace skbscope
