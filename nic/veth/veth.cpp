// veth_xmit and veth_forward_skb (drivers/net/veth.c) over the NetdevKernel services.
#include "nic/veth/veth.h"

#include "core/skb/skbuff.h"
#include "core/time/sim.h"

namespace skbscope {

namespace {
constexpr int kNetRxDrop = 1; // NET_RX_DROP
}

void VethDevice::pair(VethDevice& a, VethDevice& b, ContextId link_ctx, const std::string& link_name) {
    a.m_peer = &b;
    b.m_peer = &a;
    a.m_link_ctx = b.m_link_ctx = link_ctx;
    a.m_link_name = b.m_link_name = link_name;
    a.m_port = 0;
    b.m_port = 1;
}

bool VethDevice::ndo_open() {
    TRACE_FUNC(m_sim, veth_open);
    return true;
}

int VethDevice::veth_forward_skb(SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, m_sim, veth_forward_skb, skb);
    // __dev_forward_skb(dev, skb) ?: __netif_rx(skb), both in the peer's kernel (its namespace).
    int ret = m_peer->kernel->dev_forward_skb(m_peer, skb);
    if (ret == 0) ret = m_peer->kernel->netif_rx(skb);
    scope.ret(ret);
    return ret;
}

NetdevTx VethDevice::ndo_start_xmit(SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, m_sim, veth_xmit, skb);
    // rcv = rcu_dereference(priv->peer): none, or down (carrier off); !pskb_may_pull(skb, ETH_HLEN)
    const bool no_peer = !m_peer || !m_peer->up || !m_peer->kernel;
    if (no_peer || !pskb_may_pull(skb, 14)) {
        ++stats.tx_dropped;
        kfree_skb_reason(skb, no_peer ? DropReason::DevReady : DropReason::PktTooSmall);
        scope.ret(static_cast<int>(NetdevTx::Ok));
        return NetdevTx::Ok;
    }
    const uint32_t length = skb->len;
    const uint32_t flow = skb->flow;
    const TimeNs now = m_sim.now();
    uint64_t ev = 0;
    const std::vector<uint8_t> frame = skb->to_bytes();
    m_sim.in_context_at(m_link_ctx, now, [&] { ev = m_sim.rec().wire(m_link_name, frame, m_port, now, flow); });
    skb->wire_event = ev;
    if (veth_forward_skb(skb) == kNetRxDrop) { // the peer freed it: it never arrives
        ++stats.tx_dropped;
        m_sim.rec().wire_arrival(ev, m_sim.now(), WireFate::Lost);
    } else { // dev_sw_netstats_tx_add; the peer counts it received (veth_get_stats64 reads both)
        ++stats.tx_packets;
        stats.tx_bytes += length;
        ++m_peer->stats.rx_packets;
        m_peer->stats.rx_bytes += length;
    }
    scope.ret(static_cast<int>(NetdevTx::Ok));
    return NetdevTx::Ok;
}

} // namespace skbscope
