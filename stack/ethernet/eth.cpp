// Ethernet helpers (net/ethernet/eth.c): eth_header builds the link-layer header in front of the
// packet; eth_type_trans pulls it on receive and classifies the frame (skb->pkt_type, protocol).
// SIMPLIFICATION: no 802.3 length/LLC frames (EtherType < 0x600 is taken as ETH_P_802_3 and dropped
// later as an unhandled protocol), no DSA tags, no VLAN offload.
#include <cstring>

#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "core/wire/ethernet.h"
#include "stack/core/dev.h"
#include "stack/host.h"

namespace skbscope {

int eth_header(Host& host, SkBuff* skb, NetDevice* dev, uint16_t type, const wire::MacAddr& daddr) {
    TRACE_FUNC_NAMED(scope, host.sim(), eth_header, skb, type);
    uint8_t* p = skb_push(skb, wire::ETH_HLEN);
    if (!p) {
        scope.ret(-static_cast<int>(wire::ETH_HLEN));
        return -static_cast<int>(wire::ETH_HLEN);
    }
    wire::EthernetRepr{daddr, dev->dev_addr, type}.emit(std::span<uint8_t>(p, wire::ETH_HLEN));
    skb_reset_mac_header(skb);
    scope.ret(static_cast<int>(wire::ETH_HLEN));
    return static_cast<int>(wire::ETH_HLEN);
}

uint16_t eth_type_trans(Host& host, SkBuff* skb, NetDevice* dev) {
    TRACE_FUNC_NAMED(scope, host.sim(), eth_type_trans, skb);
    skb->dev = dev;
    skb_reset_mac_header(skb);
    if (skb->len < wire::ETH_HLEN) {
        // LINUX: eth_type_trans assumes ETH_HLEN bytes; drivers never pass shorter frames.
        skb->protocol = 0;
        scope.ret(0);
        return 0;
    }
    auto dst = wire::MacAddr::from_bytes(std::span<const uint8_t>(skb->data_ptr(), 6));
    uint16_t proto = static_cast<uint16_t>((skb->data_ptr()[12] << 8) | skb->data_ptr()[13]);
    skb_pull(skb, wire::ETH_HLEN);
    if (dst.is_multicast()) skb->pkt_type = dst.is_broadcast() ? PktType::Broadcast : PktType::Multicast;
    else if (dst != dev->dev_addr) skb->pkt_type = PktType::OtherHost;
    else skb->pkt_type = PktType::Host;
    skb->protocol = proto >= 0x600 ? proto : 0x0001; // ETH_P_802_3
    scope.ret(skb->protocol);
    return skb->protocol;
}

} // namespace skbscope
