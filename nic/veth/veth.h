// A virtual Ethernet pair (drivers/net/veth.c): two net_devices, usually in two network namespaces
// of one kernel, joined with no wire: what one transmits the other receives, as the same sk_buff.
// veth_xmit hands the skb to the peer (__dev_forward_skb: scrub, eth_type_trans) and queues it on
// the CPU's backlog with netif_rx; the peer's stack takes it from there in the NET_RX softirq.
// For the trace and the pcaps each frame is a Wire event on the pair's link track, sent when
// veth_xmit runs and arriving when the peer's __netif_receive_skb_core takes it (what a capture
// on each end sees: dumpcap on a veth timestamps a received frame there).
// SIMPLIFICATION: no XDP and no veth NAPI (GRO off: the default), one queue; the MTU check is
// __dev_forward_skb's; no carrier events (both ends come up with the scenario).
#pragma once
#include <string>

#include "core/netdev/netdevice.h"
#include "core/time/scheduler.h"

namespace skbscope {

class VethDevice : public NetDevice {
  public:
    explicit VethDevice(Sim& sim) : m_sim(sim) {}
    bool ndo_open() override;                     // veth_open
    NetdevTx ndo_start_xmit(SkBuff* skb) override; // veth_xmit
    std::string driver_name() const override { return "veth"; }
    VethDevice* peer() const { return m_peer; }

    // veth_newlink: joins a and b; link_ctx and link_name are the pair's track in the trace
    // ("A:eth0<->R:eth0"), a the left end (port 0), b the right (port 1).
    static void pair(VethDevice& a, VethDevice& b, ContextId link_ctx, const std::string& link_name);

  private:
    int veth_forward_skb(SkBuff* skb);
    Sim& m_sim;
    VethDevice* m_peer = nullptr;
    ContextId m_link_ctx = 0;
    std::string m_link_name;
    int m_port = 0;
};

} // namespace skbscope
