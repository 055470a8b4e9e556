// The device layer's transmit and receive entry points (net/core/dev.c), the qdisc
// (net/sched/sch_generic.c), softirqs (kernel/softirq.c) and Ethernet helpers (net/ethernet/eth.c).
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "core/netdev/netdevice.h"
#include "core/skb/skbuff.h"
#include "core/wire/addr.h"

namespace skbscope {

class Host;
struct NapiStruct;

// NET_XMIT_* (what dev_queue_xmit returns)
constexpr int NET_XMIT_SUCCESS = 0;
constexpr int NET_XMIT_DROP = 1;
constexpr int NET_RX_SUCCESS = 0;
constexpr int NET_RX_DROP = 1;

// pfifo_fast (net/sched/sch_generic.c): three bands, band 0 first.
// LINUX: each band is a ring of txqueuelen entries, so the limit is per band (skb_array).
struct Qdisc {
    NetDevice* dev = nullptr;
    std::string label; // "A:eth0"
    std::array<std::deque<SkBuff*>, 3> bands;
    SkBuff* gso_skb = nullptr; // a packet the driver refused (dev_requeue_skb), sent first
    uint32_t qlen = 0;         // including gso_skb
    uint32_t backlog = 0;      // bytes
    uint64_t drops = 0;        // qstats.drops: packets refused at enqueue (tc -s qdisc)
    bool running = false;      // qdisc_run_begin / qdisc_run_end
    bool scheduled = false;    // __QDISC_STATE_SCHED: on the output_queue
};

// The per-CPU counters of struct softnet_data that /proc/net/softnet_stat prints.
struct SoftnetStat {
    uint64_t processed = 0;    // packets taken by __netif_receive_skb_core
    uint64_t time_squeeze = 0; // net_rx_action stopped with work left (budget or time ran out)
};

// struct softnet_data with the CPU's softirq state: the receive backlog (input_pkt_queue and its
// NAPI instance), the NAPI poll list, the qdiscs waiting for NET_TX, the pending softirqs and the
// bottom-half disable count. A host has its own (one CPU per host) unless the hosts are network
// namespaces of one kernel (a scenario's `netns: true`): they share one CPU and so one
// softnet_data. A packet a veth pair hands to another namespace then waits on the same
// input_pkt_queue, and the softirq that processes it runs wherever bottom halves are next enabled:
// at the end of the sender's dev_queue_xmit, inside its system call (do_softirq from
// local_bh_enable), as on Linux.
struct SoftnetData {
    std::string label;                   // "A:softnet_data"; "cpu0:softnet_data" when shared
    bool shared = false;                 // several network namespaces run on this CPU
    std::deque<NapiStruct*> poll_list;
    std::deque<SkBuff*> input_pkt_queue; // the backlog netif_rx fills (lo, veth)
    NapiStruct backlog;                  // its NAPI instance (process_backlog)
    std::deque<Qdisc*> output_queue;
    uint32_t softirq_pending = 0;
    bool softirq_scheduled = false;      // a __do_softirq is due in a softirq context
    bool in_softirq = false;
    int bh_disable_count = 0;            // local_bh_disable nesting in process context
    SoftnetStat softnet_stat;            // /proc/net/softnet_stat
};

// ---- softirq.cpp ----
enum SoftirqNr { HI_SOFTIRQ = 0, TIMER_SOFTIRQ = 1, NET_TX_SOFTIRQ = 2, NET_RX_SOFTIRQ = 3 };
void raise_softirq(Host& host, int nr);
void __do_softirq(Host& host);
// local_bh_disable / local_bh_enable (rcu_read_lock_bh / rcu_read_unlock_bh): on a CPU shared by
// network namespaces, enabling bottom halves again in process context runs the pending softirqs
// there and then (do_softirq), in the task's context.
void local_bh_disable(Host& host);
void local_bh_enable(Host& host);

// ---- dev.cpp ----
int dev_queue_xmit(Host& host, SkBuff* skb);
int dev_hard_start_xmit(Host& host, SkBuff* skb, NetDevice* dev, int* ret);
// validate_xmit_skb: makes the skb something dev can take (linear for a device without NETIF_F_SG);
// returns the skb to send, which may be a new one (the old one is freed).
SkBuff* validate_xmit_skb(Host& host, SkBuff* skb, NetDevice* dev);
int netif_receive_skb(Host& host, SkBuff* skb);
void __napi_schedule(Host& host, NapiStruct* n);
void net_rx_action(Host& host);
void net_tx_action(Host& host);
void dev_open(Host& host, NetDevice* dev);
// netif_rx -> enqueue_to_backlog: a packet received without NAPI (lo) waits on the per-CPU
// input_pkt_queue; the backlog NAPI (process_backlog) passes it to __netif_receive_skb.
int netif_rx(Host& host, SkBuff* skb);
int process_backlog(Host& host, NapiStruct* napi, int quota);
// The host (network namespace) a device belongs to: the kernel it was registered with.
Host& dev_net(Host& fallback, const NetDevice* dev);
// __dev_forward_skb (veth_forward_skb's first half): scrubs the skb for another namespace and
// receives it as dev's (eth_type_trans). Returns NET_RX_DROP (skb freed) when dev cannot take it.
int __dev_forward_skb(Host& host, NetDevice* dev, SkBuff* skb);

// ---- loopback.cpp ----
// The loopback device lo (drivers/net/loopback.c): ndo_start_xmit is loopback_xmit.
std::unique_ptr<NetDevice> loopback_dev_create();

// ---- sch_generic.cpp ----
// __dev_xmit_skb: the bypass (empty qdisc: sch_direct_xmit at once) or enqueue + qdisc_run.
int __dev_xmit_skb(Host& host, SkBuff* skb, Qdisc* q, NetDevice* dev);
void qdisc_run(Host& host, Qdisc* q);
void __netif_schedule(Host& host, Qdisc* q);
// Frees every queued skb (device going down, host teardown).
void qdisc_reset(Qdisc* q);

// ---- eth.cpp ----
// eth_header: pushes dst, src, type (dev_hard_header's header_ops->create).
int eth_header(Host& host, SkBuff* skb, NetDevice* dev, uint16_t type, const wire::MacAddr& daddr);
uint16_t eth_type_trans(Host& host, SkBuff* skb, NetDevice* dev);

} // namespace skbscope
