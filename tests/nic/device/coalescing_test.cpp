// Interrupt moderation of the emulated e1000 against a fake driver (as QEMU's qtests drive a device
// model): ITR spaces interrupts, RDTR restarts on each frame, RADV bounds the wait, TIDV delays TXDW
// for IDE descriptors, held causes accumulate in ICR, and the statistics registers clear on read.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/time/sim.h"
#include "nic/device/e1000_device.h"
#include "tests/nic/nic_test_util.h"

namespace skbscope {
namespace {

using namespace e1000_regs;

const wire::MacAddr kMac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}};
const wire::MacAddr kPeer{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}};

struct CoalescingTest : ::testing::Test {
    Sim sim{1};
    HostId host = sim.add_host("A");
    ContextId nic_ctx = sim.add_context(host, ContextKind::Nic, "eth0 NIC");
    ContextId link_ctx = sim.add_context(host, ContextKind::Link, "wire");
    ContextId drv_ctx = sim.add_context(host, ContextKind::Hardirq, "hardirq");
    DmaMemory mem;
    IrqLine irq;
    E1000Device dev{sim, nic_ctx, mem, irq, "A:eth0", kMac};
    std::vector<std::shared_ptr<std::vector<uint8_t>>> buffers;
    uint64_t rx_ring = 0, tx_ring = 0;
    struct Interrupt {
        TimeNs time;
        uint32_t icr;
    };
    std::vector<Interrupt> interrupts; // what the fake driver's handler read
    bool ack = true;                   // the handler reads ICR (acknowledging) 1 us after the line rises

    void SetUp() override {
        irq.connect([this] {
            const TimeNs raised = sim.now();
            if (!ack) {
                interrupts.push_back({raised, dev.peek(ICR)});
                return;
            }
            sim.at(raised + kNsPerUs, drv_ctx, [this, raised] {
                interrupts.push_back({raised, dev.mmio_read(ICR)});
            });
        });
    }
    void setup_rx(uint32_t n, uint32_t posted) {
        rx_ring = mem.alloc_coherent(n * kDescSize, "rx_ring");
        for (uint32_t i = 0; i < n; ++i) {
            auto buf = std::make_shared<std::vector<uint8_t>>(2048, 0);
            buffers.push_back(buf);
            RxDesc d;
            d.buffer_addr = mem.map_single(buf, 0, 2048, "rx buf", 0);
            d.store(mem.host_view(rx_ring + i * kDescSize, kDescSize));
        }
        dev.mmio_write(RDBAL, static_cast<uint32_t>(rx_ring));
        dev.mmio_write(RDBAH, static_cast<uint32_t>(rx_ring >> 32));
        dev.mmio_write(RDLEN, n * kDescSize);
        dev.mmio_write(RDH, 0);
        dev.mmio_write(RDT, posted);
        dev.mmio_write(RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);
    }
    // A 100-byte frame for us arriving from the wire at time t.
    void frame_at(TimeNs t, uint32_t flow) {
        std::vector<uint8_t> f(100, 0x5a);
        kMac.write_to(f);
        kPeer.write_to(std::span(f).subspan(6));
        f[12] = 0x08;
        f[13] = 0x00;
        sim.at(t, link_ctx, [this, f, flow] { dev.port().receive_frame(f, flow); });
    }
    std::vector<TimeNs> deliveries() {
        std::vector<TimeNs> out;
        for (const TraceEvent* e : test::events_of(sim, EventKind::Irq))
            if (e->a[0] == static_cast<int64_t>(IrqOp::Deliver)) out.push_back(e->time);
        return out;
    }
    size_t coalesced(std::string_view what) {
        size_t n = 0;
        for (const TraceEvent* e : test::events_of(sim, EventKind::Irq))
            n += e->a[0] == static_cast<int64_t>(IrqOp::Coalesce) && sim.trace().str(e->name) == what;
        return n;
    }
};

TEST_F(CoalescingTest, AnInterruptNeverComesSoonerThanItrAllows) {
    const uint32_t itr = 391; // 100.096 us
    setup_rx(64, 63);
    dev.mmio_write(ITR, itr);
    dev.mmio_write(IMS, ICR_RXT0);
    for (uint32_t i = 0; i < 40; ++i)
        frame_at(10 * kNsPerUs + i * 10 * kNsPerUs, i + 1); // 400 us of frames
    sim.run_until(kNsPerMs);

    const auto d = deliveries();
    ASSERT_GE(d.size(), 4u);
    EXPECT_LE(d.size(), 6u); // ~400 us / 100 us, not one per frame
    for (size_t i = 1; i < d.size(); ++i)
        EXPECT_GE(d[i] - d[i - 1], TimeNs{itr} * 256) << "interrupt " << i;
    EXPECT_EQ(coalesced("INTA"), d.size() - 1); // every interrupt after the first was held once
    ASSERT_EQ(interrupts.size(), d.size());
    for (const Interrupt& i : interrupts)
        EXPECT_TRUE(i.icr & ICR_RXT0);
    EXPECT_EQ(dev.peek(RDH), 40u); // every frame was received; only the interrupts were fewer
}

TEST_F(CoalescingTest, RdtrRestartsOnEachFrame) {
    setup_rx(64, 63);
    dev.mmio_write(RDTR, 10); // 10.24 us after the last frame
    dev.mmio_write(IMS, ICR_RXT0);
    const TimeNs first = 10 * kNsPerUs, gap = 5 * kNsPerUs;
    for (uint32_t i = 0; i < 10; ++i)
        frame_at(first + i * gap, i + 1); // closer than RDTR: keeps restarting
    sim.run_until(kNsPerMs);

    const auto d = deliveries();
    ASSERT_EQ(d.size(), 1u); // one interrupt for the whole train
    const TimeNs last = first + 9 * gap;
    EXPECT_GE(d[0], last + 10 * 1024);
    EXPECT_LT(d[0], last + 10 * 1024 + 2 * kNsPerUs); // the last frame's DMA, then exactly RDTR
    EXPECT_EQ(coalesced("RXT0"), 1u);
    size_t rdtr_arms = 0;
    for (const TraceEvent* e : test::events_of(sim, EventKind::Timer))
        rdtr_arms += sim.trace().str(e->name) == "RDTR" && e->a[0] == static_cast<int64_t>(TimerOp::Arm);
    EXPECT_EQ(rdtr_arms, 10u); // restarted by every frame
}

TEST_F(CoalescingTest, RadvBoundsTheWait) {
    setup_rx(64, 63);
    dev.mmio_write(RDTR, 10); // would wait for the stream to stop
    dev.mmio_write(RADV, 30); // but no longer than 30.72 us after the first frame
    dev.mmio_write(IMS, ICR_RXT0);
    const TimeNs first = 10 * kNsPerUs, gap = 5 * kNsPerUs;
    for (uint32_t i = 0; i < 30; ++i)
        frame_at(first + i * gap, i + 1); // 150 us of frames
    sim.run_until(kNsPerMs);

    const auto d = deliveries();
    ASSERT_GE(d.size(), 4u); // every ~31 us during the stream, then one after it
    EXPECT_GE(d[0], first + 30 * 1024);
    EXPECT_LT(d[0], first + 30 * 1024 + 2 * kNsPerUs);
    EXPECT_LT(d[0], first + 29 * gap); // long before the stream ends
    for (size_t i = 1; i + 1 < d.size(); ++i)
        EXPECT_LE(d[i] - d[i - 1], 30 * 1024 + gap + 2 * kNsPerUs);
}

TEST_F(CoalescingTest, TidvDelaysTxdwOnlyForIdeDescriptors) {
    tx_ring = mem.alloc_coherent(8 * kDescSize, "tx_ring");
    dev.mmio_write(TDBAL, static_cast<uint32_t>(tx_ring));
    dev.mmio_write(TDBAH, static_cast<uint32_t>(tx_ring >> 32));
    dev.mmio_write(TDLEN, 8 * kDescSize);
    dev.mmio_write(TCTL, TCTL_EN | TCTL_PSP);
    dev.mmio_write(TIDV, 20); // 20.48 us
    dev.mmio_write(IMS, ICR_TXDW);
    ack = false; // only record when the line rises
    auto queue = [&](uint32_t i, uint8_t cmd) {
        auto buf = std::make_shared<std::vector<uint8_t>>(60, 0x11);
        buffers.push_back(buf);
        TxDesc d;
        d.buffer_addr = mem.map_single(buf, 0, 60, "tx buf", i + 1);
        d.length = 60;
        d.cmd = cmd;
        d.store(mem.host_view(tx_ring + i * kDescSize, kDescSize));
    };
    queue(0, TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS | TXD_CMD_IDE);
    dev.mmio_write(TDT, 1);
    sim.run_until(10 * kNsPerUs);
    EXPECT_EQ(dev.peek(ICR) & ICR_TXDW, 0u); // written back, but TXDW waits for TIDV
    EXPECT_EQ(coalesced("TXDW"), 1u);
    sim.run_until(100 * kNsPerUs);
    ASSERT_EQ(interrupts.size(), 1u);
    EXPECT_GE(interrupts[0].time, 20 * 1024u);
    EXPECT_TRUE(interrupts[0].icr & ICR_TXDW);

    dev.mmio_read(ICR);
    queue(1, TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS); // no IDE: at once
    sim.in_context(drv_ctx, [&] { dev.mmio_write(TDT, 2); });
    const TimeNs doorbell = sim.scheduler().now();
    sim.run_until(200 * kNsPerUs);
    ASSERT_EQ(interrupts.size(), 2u);
    EXPECT_LT(interrupts[1].time, doorbell + 5 * kNsPerUs);
}

TEST_F(CoalescingTest, HeldCausesAccumulateAndOneInterruptCarriesThemAll) {
    setup_rx(16, 15);
    dev.mmio_write(ITR, 1000); // 256 us
    dev.mmio_write(IMS, ICR_RXT0 | ICR_LSC);
    frame_at(10 * kNsPerUs, 1);                                               // the first interrupt: at once
    frame_at(30 * kNsPerUs, 2);                                               // held by ITR ...
    sim.at(40 * kNsPerUs, drv_ctx, [this] { dev.mmio_write(ICS, ICR_LSC); }); // ... with another cause
    sim.run_until(kNsPerMs);

    ASSERT_EQ(interrupts.size(), 2u);
    EXPECT_EQ(interrupts[0].icr, ICR_RXT0);
    EXPECT_EQ(interrupts[1].icr & (ICR_RXT0 | ICR_LSC), ICR_RXT0 | ICR_LSC);
    EXPECT_GE(interrupts[1].time - interrupts[0].time, 1000u * 256);
    // The Deliver event carries the causes (a1) that the handler then reads.
    uint32_t carried = 0;
    for (const TraceEvent* e : test::events_of(sim, EventKind::Irq))
        if (e->a[0] == static_cast<int64_t>(IrqOp::Deliver)) carried = static_cast<uint32_t>(e->a[1]);
    EXPECT_EQ(carried & (ICR_RXT0 | ICR_LSC), ICR_RXT0 | ICR_LSC);
}

TEST_F(CoalescingTest, StatisticsRegistersClearOnReadAndCountMissedFrames) {
    setup_rx(8, 2); // two descriptors for the NIC
    for (uint32_t i = 0; i < 5; ++i)
        frame_at(10 * kNsPerUs + i * 5 * kNsPerUs, i + 1);
    sim.run_until(kNsPerMs);
    EXPECT_EQ(dev.mmio_read(GPRC), 2u);
    EXPECT_EQ(dev.mmio_read(TPR), 5u); // every frame for us, received or not
    EXPECT_EQ(dev.mmio_read(MPC), 3u);
    EXPECT_EQ(dev.mmio_read(RNBC), 3u);
    EXPECT_EQ(dev.mmio_read(GORCL), 2u * 104);
    for (uint32_t r : {GPRC, TPR, MPC, RNBC, GORCL})
        EXPECT_EQ(dev.mmio_read(r), 0u) << std::hex << r;
    EXPECT_EQ(test::texts_of(sim, EventKind::Warning).size(), 0u);
    size_t missed = 0;
    for (const auto& n : test::entered(sim))
        missed += n == "nic_rx_missed";
    EXPECT_EQ(missed, 3u);
    // Writing a statistics register is a driver mistake: stored as hardware would (not at all), warned.
    dev.mmio_write(MPC, 7);
    EXPECT_EQ(dev.peek(MPC), 0u);
    EXPECT_EQ(test::texts_of(sim, EventKind::Warning).size(), 1u);
}

TEST(InterruptModerator, TheRuleInIsolation) {
    InterruptModerator m;
    m.regs.rdtr = 2;
    m.regs.radv = 5;
    EXPECT_FALSE(m.rx_writeback(1000));
    EXPECT_EQ(m.rx_timers().packet, 1000 + 2048u);
    EXPECT_EQ(m.rx_timers().absolute, 1000 + 5120u);
    EXPECT_FALSE(m.rx_writeback(2000)); // restarts the packet timer only
    EXPECT_EQ(m.rx_timers().packet, 2000 + 2048u);
    EXPECT_EQ(m.rx_timers().absolute, 1000 + 5120u);
    EXPECT_EQ(m.expire(4000, ICR_RXT0, ICR_TXDW), 0u);
    EXPECT_EQ(m.expire(4048, ICR_RXT0, ICR_TXDW), ICR_RXT0);
    EXPECT_FALSE(m.rx_timers().armed());
    EXPECT_TRUE(m.tx_writeback(5000, false)); // no IDE: at once
    m.regs.itr = 4;                           // 1024 ns
    EXPECT_EQ(m.delivery_time(100), 100u);    // nothing delivered yet
    m.delivered(100);
    EXPECT_EQ(m.delivery_time(500), 1124u);
    EXPECT_EQ(m.delivery_time(2000), 2000u);
}

} // namespace
} // namespace skbscope
