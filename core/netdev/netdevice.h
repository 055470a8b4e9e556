// struct net_device and struct napi_struct as the seam between the stack and a driver
// (include/linux/netdevice.h). A driver derives from NetDevice and implements the ndo_* ops; the
// stack implements NetdevKernel, the services a driver calls (napi_schedule, netif_receive_skb,
// eth_type_trans, ...). Neither side includes the other.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "core/wire/addr.h"

namespace skbscope {

class Sim;
class SkBuff;
class NetDevice;

enum class NetdevTx { Ok = 0, Busy = 0x10 }; // NETDEV_TX_OK, NETDEV_TX_BUSY
// netdev_features_t bits (include/linux/netdev_features.h) that the model uses.
constexpr uint32_t NETIF_F_SG = 1u << 0;      // scatter-gather: the device takes paged skbs (ethtool -K sg)
constexpr uint32_t NETIF_F_HW_CSUM = 1u << 3; // the device inserts any TCP/UDP checksum (csum_start/offset)
// dev->priv_flags bits (enum netdev_priv_flags) that the model uses.
constexpr uint32_t IFF_NO_QUEUE = 1u << 21;   // no qdisc: the noqueue discipline (veth, lo's behaviour)
// dev->flags bits (include/uapi/linux/if.h) that the model uses.
constexpr uint32_t IFF_LOOPBACK = 0x8;
constexpr uint32_t IFF_NOARP = 0x80;

// struct rtnl_link_stats64 (the counters `ip -s link` prints).
struct NetDevStats {
    uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
    uint64_t rx_errors = 0, tx_errors = 0, rx_dropped = 0, tx_dropped = 0;
    uint64_t rx_missed_errors = 0, rx_crc_errors = 0, tx_busy = 0;
};

struct NapiStruct {
    NetDevice* dev = nullptr;
    int weight = 64; // NAPI_POLL_WEIGHT
    bool scheduled = false; // NAPI_STATE_SCHED
    // The driver's poll (e1000_clean): returns work done, at most budget.
    std::function<int(NapiStruct*, int budget)> poll;
};

// What a driver may call in the kernel. Implemented by the stack's net core (one per host).
class NetdevKernel {
public:
    virtual ~NetdevKernel() = default;
    virtual Sim& sim() = 0;
    // The host's hardirq context: drivers' interrupt handlers run there.
    virtual void request_irq(NetDevice* dev, std::function<void()> handler) = 0;
    virtual void napi_schedule(NapiStruct* napi) = 0;
    virtual bool napi_complete_done(NapiStruct* napi, int work_done) = 0;
    // napi_gro_receive / netif_receive_skb: the driver hands a received skb to the stack.
    virtual void napi_gro_receive(NapiStruct* napi, SkBuff* skb) = 0;
    // eth_type_trans: pulls the Ethernet header, sets pkt_type; returns skb->protocol.
    virtual uint16_t eth_type_trans(SkBuff* skb, NetDevice* dev) = 0;
    virtual void netif_stop_queue(NetDevice* dev) = 0;
    virtual void netif_wake_queue(NetDevice* dev) = 0;
    virtual void dev_kfree_skb_any(SkBuff* skb) = 0;
    // __dev_forward_skb: a virtual device (veth) hands the skb to dev, its peer in this kernel:
    // scrubbed for dev's namespace and classified by eth_type_trans. NET_RX_DROP (1) when it was freed.
    virtual int dev_forward_skb(NetDevice* dev, SkBuff* skb) = 0;
    // netif_rx: queues the skb on this CPU's backlog (non-NAPI receive). NET_RX_DROP (1) when freed.
    virtual int netif_rx(SkBuff* skb) = 0;
};

class NetDevice {
public:
    virtual ~NetDevice() = default;
    // ndo_open: allocate rings, program the device, enable interrupts.
    virtual bool ndo_open() = 0;
    // ndo_start_xmit: queue the skb for transmission; Busy when the ring is full (skb not taken).
    virtual NetdevTx ndo_start_xmit(SkBuff* skb) = 0;
    virtual std::string driver_name() const = 0;

    std::string name;        // "eth0"
    std::string label;       // "A:eth0", for trace instance names
    int ifindex = 0;
    wire::MacAddr dev_addr;
    uint32_t mtu = 1500;
    uint32_t tx_queue_len = 1000; // txqueuelen, the qdisc's limit
    uint32_t features = 0;        // NETIF_F_*
    uint32_t flags = 0;           // IFF_* (IFF_LOOPBACK for lo)
    uint32_t priv_flags = 0;      // IFF_NO_QUEUE
    bool up = false;
    bool queue_stopped = false;   // __QUEUE_STATE_DRV_XOFF
    NetDevStats stats;
    NetdevKernel* kernel = nullptr; // set when the stack registers the device
};

} // namespace skbscope
