// The loopback device lo (drivers/net/loopback.c): every Host has it as ifindex 1 with 127.0.0.1/8,
// MTU 65536, IFF_LOOPBACK | IFF_NOARP and no qdisc (noqueue). loopback_xmit hands the packet back
// to the same host with __netif_rx: it waits on the per-CPU backlog until NET_RX_SOFTIRQ runs
// process_backlog, which passes it to __netif_receive_skb -> ip_rcv.
// SIMPLIFICATION: no checksum offload (the checksum is computed in software, where Linux marks
// lo's packets CHECKSUM_PARTIAL/UNNECESSARY); no GSO; lo is up from the start (no dev_open event).
// LINUX: the skb keeps its output route (skb_dst_force), so ip_rcv_finish looks no input route up.
#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "stack/core/dev.h"
#include "stack/host.h"

namespace skbscope {

namespace {

class LoopbackDev final : public NetDevice {
public:
    LoopbackDev() {
        name = "lo";
        mtu = 65536; // LOOPBACK_MTU (64 KiB + headers)
        tx_queue_len = 0;
        flags = IFF_LOOPBACK | IFF_NOARP;
        features = NETIF_F_SG;
        up = true;
    }
    bool ndo_open() override { return true; }
    NetdevTx ndo_start_xmit(SkBuff* skb) override;
    std::string driver_name() const override { return "loopback"; }
};

// loopback_xmit
NetdevTx LoopbackDev::ndo_start_xmit(SkBuff* skb) {
    Host& host = *static_cast<Host*>(kernel);
    TRACE_FUNC_NAMED(scope, host.sim(), loopback_xmit, skb);
    skb->sk = nullptr; // skb_orphan
    const uint32_t len = skb->len;
    skb->protocol = skbscope::eth_type_trans(host, skb, this);
    if (netif_rx(host, skb) == NET_RX_SUCCESS) { // __netif_rx
        ++stats.tx_packets;
        stats.tx_bytes += len;
        ++stats.rx_packets;
        stats.rx_bytes += len;
    } else {
        ++stats.tx_dropped;
    }
    scope.ret(0);
    return NetdevTx::Ok;
}

} // namespace

std::unique_ptr<NetDevice> loopback_dev_create() { return std::make_unique<LoopbackDev>(); }

} // namespace skbscope
