// Two hosts' NICs and drivers joined by a link, with fake kernels standing in for the stack: what
// app/lab wires, end to end. A frame sent by A's driver reaches B's kernel with the same bytes and
// packet id, through doorbell, DMA, wire, interrupts and NAPI, and A's skb is freed on completion.
#include <gtest/gtest.h>

#include <memory>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"
#include "nic/device/e1000_device.h"
#include "nic/driver/e1000.h"
#include "nic/link/link.h"
#include "tests/nic/nic_test_util.h"
#include "tests/support/fake_netdev_kernel.h"

namespace skbscope {
namespace {

using test::FakeNetdevKernel;

// One host's side, wired the way the lab wires it.
struct Side {
    Side(Sim& sim, const std::string& host_name, wire::MacAddr mac)
        : host(sim.add_host(host_name)), nic_ctx(sim.add_context(host, ContextKind::Nic, "eth0 NIC")),
          hardirq(sim.add_context(host, ContextKind::Hardirq, "hardirq")),
          softirq(sim.add_context(host, ContextKind::Softirq, "softirq")), kernel(sim),
          device(sim, nic_ctx, mem, irq, host_name + ":eth0", mac), adapter(sim, device, mem, irq) {
        adapter.name = "eth0";
        adapter.label = host_name + ":eth0";
        adapter.dev_addr = mac;
        adapter.kernel = &kernel; // the stack's register_netdev
        kernel.softirq_ctx = softirq;
        // The host's interrupt controller: an asserted line runs the registered handler in hardirq.
        irq.connect([&sim, this] { sim.after(0, hardirq, [this] { kernel.irq_handler(); }); });
    }
    HostId host;
    ContextId nic_ctx, hardirq, softirq;
    DmaMemory mem;
    IrqLine irq;
    FakeNetdevKernel kernel;
    E1000Device device;
    E1000Adapter adapter;
};

const wire::MacAddr kMacA{{0x02, 0, 0, 0, 0, 0x0a}};
const wire::MacAddr kMacB{{0x02, 0, 0, 0, 0, 0x0b}};

struct E1000PairTest : ::testing::Test {
    Sim sim{1};
    std::unique_ptr<Side> a = std::make_unique<Side>(sim, "A", kMacA);
    std::unique_ptr<Side> b = std::make_unique<Side>(sim, "B", kMacB);
    ContextId link_ctx = sim.add_context(a->host, ContextKind::Link, "A:eth0<->B:eth0");
    Link link{sim, link_ctx, "A:eth0<->B:eth0", a->device.port(), b->device.port()};

    void SetUp() override {
        ASSERT_TRUE(a->adapter.ndo_open());
        ASSERT_TRUE(b->adapter.ndo_open());
        sim.run_until(kNsPerMs); // the LSC interrupts of open
    }
    SkBuff* frame_skb(size_t len, uint32_t flow) {
        SkBuff* skb = alloc_skb(sim, static_cast<uint32_t>(len) + 64);
        skb_reserve(skb, 64);
        std::vector<uint8_t> f(len, 0x42);
        kMacB.write_to(f);
        kMacA.write_to(std::span(f).subspan(6));
        f[12] = 0x08;
        f[13] = 0x00;
        skb_put_data(skb, f);
        skb->flow = flow;
        return skb;
    }
};

TEST_F(E1000PairTest, AFrameTravelsFromDriverToDriver) {
    const size_t first_event = sim.trace().events.size();
    SkBuff* skb = frame_skb(600, 1234);
    const std::vector<uint8_t> sent = skb->to_bytes();
    const int64_t live_before = sim.live_skbs();
    EXPECT_EQ(a->adapter.ndo_start_xmit(skb), NetdevTx::Ok);
    sim.run_until(10 * kNsPerMs);

    ASSERT_EQ(b->kernel.received.size(), 1u);
    SkBuff* got = b->kernel.received[0];
    EXPECT_EQ(got->flow, 1234u);
    EXPECT_EQ(got->protocol, 0x0800);
    std::vector<uint8_t> payload(sent.begin() + 14, sent.end());
    EXPECT_EQ(got->to_bytes(), payload);
    // A's skb was freed after TXDW; B's ring buffer became the received skb and was replaced.
    EXPECT_EQ(a->kernel.freed, 1);
    EXPECT_EQ(sim.live_skbs(), live_before); // -1 sent, +1 refill on B
    EXPECT_EQ(a->adapter.stats.tx_packets, 1u);
    EXPECT_EQ(b->adapter.stats.rx_packets, 1u);
    EXPECT_FALSE(a->adapter.napi.scheduled);
    EXPECT_FALSE(b->adapter.napi.scheduled);

    std::vector<std::string> names;
    for (size_t i = first_event; i < sim.trace().events.size(); ++i) {
        const TraceEvent& e = sim.trace().events[i];
        if (e.kind == EventKind::FuncEnter) names.emplace_back(sim.trace().str(e.name));
    }
    EXPECT_TRUE(test::in_order(names, {"e1000_xmit_frame", "e1000_tx_map", "e1000_tx_queue", "nic_tx_fetch",
                                       "nic_tx_process", "nic_tx_writeback", "nic_rx_frame",
                                       "nic_rx_writeback", "e1000_intr", "e1000_clean", "e1000_clean_rx_irq",
                                       "e1000_receive_skb", "e1000_alloc_rx_buffers"}));
    EXPECT_TRUE(test::in_order(names, {"nic_tx_writeback", "e1000_intr", "e1000_clean", "e1000_clean_tx_irq",
                                       "e1000_unmap_and_free_tx_resource"}));
    // The packet id is on the DMA, ring and wire events of both hosts.
    int tagged_dma = 0;
    for (const TraceEvent* e : test::events_of(sim, EventKind::Dma))
        tagged_dma += e->flow == 1234u;
    EXPECT_GE(tagged_dma, 6); // A: fetch, buffer, write-back; B: fetch, buffer, write-back
    auto wires = test::events_of(sim, EventKind::Wire);
    ASSERT_EQ(wires.size(), 1u);
    EXPECT_EQ(wires[0]->flow, 1234u);
    EXPECT_TRUE(test::texts_of(sim, EventKind::Warning).empty());
}

TEST_F(E1000PairTest, TimeAdvancesThroughDmaWireAndInterrupts) {
    SkBuff* skb = frame_skb(1514, 7);
    sim.in_context(a->softirq, [&] { a->adapter.ndo_start_xmit(skb); });
    sim.run_until(10 * kNsPerMs);
    ASSERT_EQ(b->kernel.received.size(), 1u);
    TimeNs wire = 0, rx = 0;
    for (const TraceEvent& e : sim.trace().events) {
        if (e.kind == EventKind::Wire) wire = e.time;
        if (e.kind == EventKind::FuncEnter && sim.trace().str(e.name) == "e1000_receive_skb") rx = e.time;
    }
    // The frame left after the doorbell and two DMA reads, and reached B's stack after its last bit.
    EXPECT_GT(wire, E1000Device::kDoorbellNs + 2 * E1000Device::kDmaReadNs);
    EXPECT_GT(rx, wire + Link::serialization_ns(1514, 1'000'000'000) + link.params().propagation_ns);
}

TEST_F(E1000PairTest, ManyFramesFillTheRingAndAllArrive) {
    int busy = 0;
    for (int i = 0; i < 400; ++i) {
        SkBuff* skb = frame_skb(1000, 100 + i);
        if (a->adapter.ndo_start_xmit(skb) == NetdevTx::Busy) {
            ++busy;
            kfree_skb(skb);
        }
        if (a->adapter.queue_stopped) sim.run_until(sim.scheduler().now() + 100 * kNsPerUs);
    }
    sim.run_until(100 * kNsPerMs);
    EXPECT_EQ(busy, 0); // the stack-like loop waited while the queue was stopped
    EXPECT_EQ(b->kernel.received.size(), 400u);
    EXPECT_EQ(b->device.peek(e1000_regs::MPC), 0u);
    for (size_t i = 0; i < b->kernel.received.size(); ++i)
        EXPECT_EQ(b->kernel.received[i]->flow, 100 + i);
    EXPECT_GE(a->kernel.stops, 1);
    EXPECT_EQ(a->kernel.stops, a->kernel.wakes);
}

// The same run twice gives the same trace, event for event (DESIGN: deterministic).
TEST(E1000PairDeterminism, TheSameRunGivesTheSameTrace) {
    auto run = [] {
        auto sim = std::make_unique<Sim>(7);
        std::vector<std::string> out;
        {
            Side a(*sim, "A", kMacA), b(*sim, "B", kMacB);
            const ContextId lc = sim->add_context(a.host, ContextKind::Link, "l");
            Link link(*sim, lc, "l", a.device.port(), b.device.port());
            a.adapter.ndo_open();
            b.adapter.ndo_open();
            for (int i = 0; i < 5; ++i) {
                SkBuff* skb = alloc_skb(*sim, 200);
                std::vector<uint8_t> f(100 + 10 * i, 1);
                kMacB.write_to(f);
                skb_put_data(skb, f);
                skb->flow = sim->new_flow();
                a.adapter.ndo_start_xmit(skb);
            }
            sim->run_until(10 * kNsPerMs);
            for (const TraceEvent& e : sim->trace().events)
                out.push_back(std::to_string(e.time) + " " + std::to_string(e.ctx) + " " +
                              std::string(sim->trace().str(e.name)) + " " + std::to_string(e.a[0]) + " " +
                              std::to_string(e.a[1]) + " " + std::to_string(e.a[2]) + " " +
                              std::to_string(e.flow));
        }
        return out;
    };
    const auto first = run();
    EXPECT_GT(first.size(), 100u);
    EXPECT_EQ(first, run());
}

} // namespace
} // namespace skbscope
