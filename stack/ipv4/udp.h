// UDP (net/ipv4/udp.c): the protocol's operations and its IPv4 handler.
#pragma once
#include "core/skb/skbuff.h"
#include "stack/socket/sock.h"

namespace skbscope {

class Host;
extern const Proto udp_prot;
// udp_rcv: the inet_protos handler for IPPROTO_UDP.
int udp_rcv(Host& host, SkBuff* skb);

} // namespace skbscope
