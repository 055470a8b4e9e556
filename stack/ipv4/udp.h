// UDP (net/ipv4/udp.c): the protocol's operations and its IPv4 handler.
#pragma once
#include "core/skb/skbuff.h"
#include "stack/socket/sock.h"

namespace skbscope {

class Host;
extern const Proto udp_prot;
// udp_rcv: the inet_protos handler for IPPROTO_UDP.
int udp_rcv(Host& host, SkBuff* skb);
// __udp4_lib_err (udp_err): an ICMP error quoting one of our datagrams (skb->data at the quoted IP
// header, its IP header and 8 bytes pulled).
void __udp4_lib_err(Host& host, SkBuff* skb, uint8_t type, uint8_t code, uint32_t info);

} // namespace skbscope
