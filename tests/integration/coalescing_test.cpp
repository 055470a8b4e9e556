// irq-coalescing.yaml with and without ITR on B:eth0: with ITR fewer interrupts, more packets per
// poll and a higher latency per frame (the numbers are printed). Also the transmit side under
// pressure (a small TX ring: the driver stops the queue, the qdisc holds packets, completion wakes
// it) and checksum offload (the NIC fills the UDP checksums the stack left partial).
#include <gtest/gtest.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "app/lab/lab.h"
#include "core/trace/query_nic.h"
#include "tests/support/paths.h"
#include "tests/support/trace_checker.h"

namespace skbscope {
namespace {

std::unique_ptr<lab::Lab> run(std::vector<std::string> sets) {
    lab::LabOptions opts;
    opts.sets = std::move(sets);
    auto r = lab::Lab::load(test::source_dir() + "/lessons/scenarios/irq-coalescing.yaml", opts);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return nullptr;
    (*r)->run();
    return std::move(*r);
}

NicStats stats(const lab::Lab& l, const char* host) {
    auto s = nic_stats(l.trace(), host, "eth0");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : NicStats{};
}

// check_in_order over the functions host ran, in trace order (all its contexts).
std::string check_chain(const Trace& t, const std::string& host, const std::vector<std::string>& chain) {
    std::vector<std::string> names;
    for (const auto& e : t.events)
        if (e.kind == EventKind::FuncEnter && t.host_name(t.contexts[e.ctx].host) == host)
            names.emplace_back(t.str(e.name));
    return test::check_in_order(names, chain);
}

void print(const char* what, const NicStats& s) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%-22s interrupts %5llu  polls %5llu  packets/poll %6.2f  frames/interrupt %6.2f  "
                  "latency us mean %7.3f min %7.3f max %7.3f\n",
                  what, static_cast<unsigned long long>(s.interrupts),
                  static_cast<unsigned long long>(s.polls), s.packets_per_poll(), s.packets_per_interrupt(),
                  s.latency_mean_ns / 1e3, static_cast<double>(s.latency_min) / 1e3,
                  static_cast<double>(s.latency_max) / 1e3);
    std::cout << buf;
}

TEST(Coalescing, ItrTradesInterruptsForLatency) {
    auto with = run({});
    auto without = run({"B.eth0.itr=0"});
    ASSERT_TRUE(with && without);
    const NicStats w = stats(*with, "B"), n = stats(*without, "B");
    print("B:eth0 itr=100us", w);
    print("B:eth0 itr=0", n);

    // Both received every frame: the burst, the warm-up datagram and A's ARP request.
    EXPECT_EQ(w.poll_packets, 1002u);
    EXPECT_EQ(n.poll_packets, 1002u);
    EXPECT_EQ(w.latency_count, 1002u);
    EXPECT_EQ(n.latency_count, 1002u);
    for (const auto& [name, v] : w.registers)
        if (name == "GPRC") EXPECT_EQ(v, 1002u); // read-to-clear reads add up to every frame
    // Without ITR: about one interrupt per frame and one or two frames per poll.
    EXPECT_GE(n.interrupts, 950u);
    EXPECT_LE(n.packets_per_poll(), 2.0);
    // With ITR: many frames per interrupt, fewer interrupts, more per poll, a higher latency.
    EXPECT_LT(w.interrupts * 5, n.interrupts);
    EXPECT_GT(w.packets_per_poll(), 5 * n.packets_per_poll());
    EXPECT_GT(w.latency_mean_ns, 10 * n.latency_mean_ns);
    EXPECT_GT(w.itr_holds, 0u);
    EXPECT_EQ(n.itr_holds, 0u);
    EXPECT_LE(w.latency_max, 391u * 256 + 5 * kNsPerUs); // never more than one ITR interval (+ the poll)

    // Every interrupt is handled as callchains.md says: e1000_intr reads ICR and masks, NAPI polls,
    // napi_complete_done, then the IMS write re-enables the interrupt.
    EXPECT_EQ(check_chain(with->trace(), "B",
                          {"e1000_intr", "napi_schedule", "__napi_schedule", "net_rx_action", "napi_poll",
                           "e1000_clean", "e1000_clean_rx_irq", "napi_complete_done", "e1000_update_stats",
                           "e1000_irq_enable"}),
              "");
}

TEST(Coalescing, TxRingFullStopsTheQueueAndTheQdiscHoldsPackets) {
    auto l = run({"A.eth0.tx_ring=48"});
    ASSERT_TRUE(l);
    const NicStats a = stats(*l, "A");
    std::cout << "A:eth0 tx_ring=48: queue stops " << a.queue_stops << ", wakes " << a.queue_wakes
              << ", qdisc max backlog " << a.qdisc_max_backlog << " bytes, requeues " << a.qdisc_requeues
              << ", qdisc drops " << a.qdisc_drops << "\n";
    EXPECT_GT(a.queue_stops, 10u);
    EXPECT_EQ(a.queue_wakes, a.queue_stops); // every stop is undone by a completion
    EXPECT_GT(a.qdisc_max_backlog, 100'000u);
    EXPECT_EQ(a.qdisc_drops, 0u); // 1000 packets fit txqueuelen 1000
    const NicStats b = stats(*l, "B");
    EXPECT_EQ(b.poll_packets, 1002u); // nothing lost on the way (1001 datagrams + the ARP request)
    // Completion wakes the queue: e1000_clean_tx_irq -> netif_tx_wake_queue -> __netif_schedule ->
    // NET_TX_SOFTIRQ -> net_tx_action -> qdisc_run -> the driver again.
    EXPECT_EQ(check_chain(l->trace(), "A",
                          {"e1000_maybe_stop_tx", "netif_tx_stop_queue", "e1000_clean_tx_irq",
                           "netif_tx_wake_queue", "__netif_schedule", "raise_softirq", "net_tx_action",
                           "qdisc_run", "dequeue_skb", "e1000_xmit_frame"}),
              "");
}

TEST(Coalescing, ChecksumOffloadLetsTheNicFillUdpChecksums) {
    auto l = run({"A.eth0.checksum_offload=on"});
    ASSERT_TRUE(l);
    EXPECT_EQ(stats(*l, "B").poll_packets, 1002u);
    size_t bad_csum = 0;
    for (const auto& e : l->trace().events)
        bad_csum += e.kind == EventKind::SkbFree && e.a[0] == static_cast<int64_t>(DropReason::UdpCsum);
    EXPECT_EQ(bad_csum, 0u); // B's UDP verified every checksum the NIC inserted
    EXPECT_EQ(check_chain(l->trace(), "A",
                          {"udp4_hwcsum", "e1000_xmit_frame", "e1000_tx_csum", "e1000_tx_queue",
                           "nic_tx_process", "nic_tx_csum"}),
              "");
    size_t csums = 0;
    for (const auto& e : l->trace().events)
        csums += e.kind == EventKind::FuncEnter && l->trace().str(e.name) == "nic_tx_csum";
    EXPECT_EQ(csums, 1001u);
}

} // namespace
} // namespace skbscope
