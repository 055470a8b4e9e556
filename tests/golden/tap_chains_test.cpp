// Golden call chains of packet taps (callchains.md, "tcpdump"): a frame a tcpdump tap sees on
// transmit (xmit_one -> dev_queue_xmit_nit -> skb_clone -> packet_rcv -> run_filter, queued and the
// reader woken), one it sees on receive (__netif_receive_skb_core -> deliver_skb -> packet_rcv ->
// run_filter before ip_rcv), and the transmit completion of a tapped frame (e1000_clean_tx_irq
// frees the skb after the NIC wrote DD back). As golden_chains_test.cpp: the documented chain in
// order, then the rendered tree diffed with tests/golden/expected/*.txt.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "tests/support/scenario_run.h"
#include "tests/support/trace_checker.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

// tcpdump on the client A: its own segments to port 8080 match on the way out.
const char* kTapOnSender = R"(name: tap-on-sender
seed: 42
duration: 1s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:00:01", address: 10.0.0.1/24 }
    programs:
      - name: tcpdump
        start: 1ms
        tcpdump: { filter: "tcp and dst port 8080", interface: eth0 }
      - name: client
        start: 2ms
        steps:
          - socket: stream
          - connect: { fd: 3, to: "10.0.0.2:8080" }
          - send: { fd: 3, size: 1000 }
          - close: { fd: 3 }
  B:
    interfaces:
      eth0: { mac: "02:00:00:00:00:02", address: 10.0.0.2/24 }
    programs:
      - name: server
        steps:
          - socket: stream
          - bind: { fd: 3, addr: "0.0.0.0:8080" }
          - listen: { fd: 3, backlog: 1 }
          - accept: { fd: 3 }
          - recv: { fd: 4, len: 65536, until_eof: true }
links:
  - { a: "A:eth0", b: "B:eth0", speed: 1Gbit, delay: 5us }
)";

// Only the two RX rings' (or four, on the shipped A - R - B) buffers are left after a run.
void expect_only_rx_rings_left(lab::Lab& l, int rings) {
    EXPECT_EQ(l.sim().live_skbs(), rings * 256) << "only the RX rings' buffers are left";
}

const Trace& run_text(const char* text, const std::string& name) {
    return run_scenario_text(text, name, [](lab::Lab& l) { expect_only_rx_rings_left(l, 2); }).trace();
}

const Trace& run_shipped() {
    return run_shipped_scenario("tcpdump.yaml", [](lab::Lab& l) { expect_only_rx_rings_left(l, 4); }).trace();
}

} // namespace

TEST(TapChains, OutgoingFrameMatchesTheTapOnTransmit) {
    const Trace& t = run_text(kTapOnSender, "tap-on-sender.yaml");
    expect_names_in_callchains(
        {"xmit_one", "dev_queue_xmit_nit", "packet_rcv", "run_filter", "sk_receive_queue", "sk_data_ready"});
    // A's first data segment: the tap's clone is queued and tcpdump, asleep in recvfrom, is woken.
    auto at = find_call_containing(
        t, "A", "dev_hard_start_xmit",
        {"dev_queue_xmit_nit", "skb_clone", "packet_rcv", "run_filter", "sock_def_readable"});
    ASSERT_TRUE(at);
    EXPECT_EQ(
        check_in_order(calls_inside(t, *at),
                       {"dev_hard_start_xmit", "xmit_one", "dev_queue_xmit_nit", "skb_clone", "packet_rcv",
                        "run_filter", "sock_def_readable", "netdev_start_xmit", "e1000_xmit_frame"}),
        "");
    expect_golden(t, *at, "tap_transmit");
}

TEST(TapChains, IncomingFrameReachesTheTapBeforeIpRcv) {
    const Trace& t = run_shipped();
    expect_names_in_callchains(
        {"__netif_receive_skb_core", "deliver_skb", "packet_rcv", "run_filter", "ip_rcv"});
    // B receives A's SYN: the tap (filter "tcp and dst port 8080") takes a clone, then IP goes on.
    auto at = find_call_containing(
        t, "B", "__netif_receive_skb_core",
        {"deliver_skb", "packet_rcv", "run_filter", "skb_clone", "ip_rcv", "tcp_v4_rcv"});
    ASSERT_TRUE(at);
    EXPECT_EQ(check_in_order(calls_inside(t, *at), {"__netif_receive_skb_core", "deliver_skb", "packet_rcv",
                                                    "run_filter", "skb_clone", "ip_rcv", "tcp_v4_rcv"}),
              "");
    expect_golden(t, *at, "tap_receive");
    // B's own SYN-ACK goes through the tap on transmit and does not match: consumed, not queued.
    auto tx = find_call_containing(t, "B", "dev_queue_xmit_nit", {"skb_clone", "packet_rcv", "run_filter"});
    ASSERT_TRUE(tx);
    auto inside = calls_inside(t, *tx);
    EXPECT_EQ(std::count(inside.begin(), inside.end(), "sock_def_readable"), 0);
}

TEST(TapChains, TransmitCompletionFreesTheTappedSkbAfterDescriptorDone) {
    const Trace& t = run_text(kTapOnSender, "tap-on-sender.yaml");
    expect_names_in_callchains(
        {"e1000_intr", "net_rx_action", "napi_poll", "e1000_clean", "e1000_clean_tx_irq"});
    // The data segment the tap cloned on transmit (A's first matching dev_queue_xmit_nit).
    auto xmit =
        find_call_containing(t, "A", "dev_queue_xmit_nit", {"skb_clone", "packet_rcv", "sock_def_readable"});
    ASSERT_TRUE(xmit);
    const uint32_t skb = t.events[*xmit].skb;
    ASSERT_NE(skb, 0u);
    // The NIC wrote DD back for it; the interrupt's poll reclaims the descriptor and frees the skb.
    std::optional<size_t> at;
    for (int n = 0; !at; ++n) {
        auto c = find_call(t, "A", "e1000_clean_tx_irq", n);
        ASSERT_TRUE(c) << "no e1000_clean_tx_irq frees skb " << skb;
        auto end = matching_exit(t, *c);
        ASSERT_TRUE(end);
        for (size_t i = *c; i < *end; ++i)
            if (t.events[i].kind == EventKind::SkbFree && t.events[i].skb == skb) at = c;
    }
    // The tap's clone still holds the data: dataref was 2 when the driver freed its skb, and the
    // clone is freed later by tcpdump's recvfrom (skb_free_datagram).
    auto freed = find_call(t, "A", "skb_free_datagram");
    ASSERT_TRUE(freed);
    EXPECT_GT(*freed, *xmit);
    EXPECT_EQ(check_in_order(calls_inside(t, *at),
                             {"e1000_clean_tx_irq", "e1000_unmap_and_free_tx_resource", "dma_unmap_single"}),
              "");
    // The descriptor write-back (nic_tx_writeback, DD) comes before the driver frees the skb.
    std::optional<size_t> wb;
    for (size_t i = *xmit; i < *at && !wb; ++i)
        if (t.events[i].kind == EventKind::FuncEnter && t.str(t.events[i].name) == "nic_tx_writeback") wb = i;
    EXPECT_TRUE(wb) << "no DD write-back between the transmit and e1000_clean_tx_irq";
    expect_golden(t, *at, "tap_tx_completion");
}
