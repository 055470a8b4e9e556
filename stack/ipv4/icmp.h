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

} // namespace skbscope
