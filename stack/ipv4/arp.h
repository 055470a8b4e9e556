// ARP (net/ipv4/arp.c): the neighbour table's protocol for IPv4 over Ethernet.
#pragma once
#include "core/skb/skbuff.h"
#include "core/wire/addr.h"

namespace skbscope {

class Host;
struct Neighbour;
// arp_rcv: the ptype handler for ETH_P_ARP.
int arp_rcv(Host& host, SkBuff* skb);
// arp_solicit: neigh->ops->solicit; skb is the packet waiting for resolution (may be nullptr).
void arp_solicit(Host& host, Neighbour* n, SkBuff* skb);
// arp_send: arp_create + arp_xmit. dest_hw nullptr = broadcast; target_hw nullptr = 00:00:00:00:00:00.
void arp_send(Host& host, int type, NetDevice* dev, wire::Ipv4Addr dest_ip, wire::Ipv4Addr src_ip,
              const wire::MacAddr* dest_hw, const wire::MacAddr& src_hw, const wire::MacAddr* target_hw);
// arp_error_report: drops a packet whose neighbour failed (NEIGH_FAILED).
void arp_error_report(Host& host, Neighbour* n, SkBuff* skb);

} // namespace skbscope
