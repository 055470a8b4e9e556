// One NIC's statistics as `ethtool -S` would print them, computed from a trace alone: interrupts
// (Irq Deliver events and the causes they carried), NAPI polls (the napi_poll Counter, Linux's
// napi:napi_poll tracepoint) with packets per poll, repolls, time squeezes, ring drops (nic_rx_missed),
// the statistics registers the driver read (Reg reads: read-to-clear, so their sum is the total),
// the qdisc's drops and requeues, and the interrupt latency of each frame: from its arrival at the
// NIC (nic_rx_frame) to its handling in the NAPI poll (e1000_receive_skb, matched by packet id).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope {

struct NicStats {
    std::string label; // "B:eth0"

    uint64_t interrupts = 0;                                        // line asserted (Irq Deliver, Layer::Nic)
    std::vector<std::pair<std::string, uint64_t>> causes;           // per ICR cause: interrupts carrying it
    uint64_t itr_holds = 0, rx_timer_holds = 0, tx_timer_holds = 0; // Irq Coalesce "INTA"/"RXT0"/"TXDW"

    uint64_t polls = 0, poll_packets = 0, repolls = 0;            // napi_poll Counter: work per poll
    std::vector<std::pair<std::string, uint64_t>> poll_histogram; // "0", "1", "2-3", ..., "64"
    uint64_t time_squeeze = 0;                                    // the host's softnet_stat

    uint64_t rx_frames = 0, rx_missed = 0;                   // nic_rx_frame, nic_rx_missed (MPC drops)
    std::vector<std::pair<std::string, uint64_t>> registers; // summed reads of MPC, RNBC, GPRC, ...

    uint64_t qdisc_drops = 0, qdisc_requeues = 0, qdisc_max_backlog = 0; // Queue events of the qdisc
    uint64_t queue_stops = 0, queue_wakes = 0; // netif_tx_stop_queue / netif_tx_wake_queue on the host

    uint64_t latency_count = 0; // frames matched arrival -> poll
    TimeNs latency_min = 0, latency_max = 0;
    double latency_mean_ns = 0;

    double packets_per_poll() const { return polls ? static_cast<double>(poll_packets) / polls : 0.0; }
    double packets_per_interrupt() const {
        return interrupts ? static_cast<double>(rx_frames) / interrupts : 0.0;
    }
};

// The statistics of host's device dev ("B", "eth0"); an error names the devices the host has.
Result<NicStats> nic_stats(const Trace& t, const std::string& host, const std::string& dev);
// ethtool -S style: one "name: value" line per statistic, the histogram and the latency.
std::string render_nic_stats(const NicStats& s);

} // namespace skbscope
