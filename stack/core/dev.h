// The device layer's transmit and receive entry points (net/core/dev.c), the qdisc
// (net/sched/sch_generic.c), softirqs (kernel/softirq.c) and Ethernet helpers (net/ethernet/eth.c).
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

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

// ---- softirq.cpp ----
enum SoftirqNr { HI_SOFTIRQ = 0, TIMER_SOFTIRQ = 1, NET_TX_SOFTIRQ = 2, NET_RX_SOFTIRQ = 3 };
void raise_softirq(Host& host, int nr);
void __do_softirq(Host& host);

// ---- dev.cpp ----
int dev_queue_xmit(Host& host, SkBuff* skb);
int dev_hard_start_xmit(Host& host, SkBuff* skb, NetDevice* dev, int* ret);
int netif_receive_skb(Host& host, SkBuff* skb);
void __napi_schedule(Host& host, NapiStruct* n);
void net_rx_action(Host& host);
void net_tx_action(Host& host);
void dev_open(Host& host, NetDevice* dev);
// netif_rx -> enqueue_to_backlog: a packet received without NAPI (lo) waits on the per-CPU
// input_pkt_queue; the backlog NAPI (process_backlog) passes it to __netif_receive_skb.
int netif_rx(Host& host, SkBuff* skb);
int process_backlog(Host& host, NapiStruct* napi, int quota);

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
