// The emulated e1000 against a fake driver, the way QEMU's qtests drive a device model: the test
// writes registers and descriptors in DMA memory directly and checks what the NIC does.
#include "nic/device/e1000_device.h"

#include <gtest/gtest.h>

#include <memory>

#include "core/time/sim.h"
#include "tests/nic/nic_test_util.h"
#include "tests/support/fake_link_port.h"

namespace skbscope {
namespace {

using namespace e1000_regs;
using test::FakeLinkPort;

const wire::MacAddr kMac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}};
const wire::MacAddr kPeer{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}};

std::vector<uint8_t> make_frame(const wire::MacAddr& dst, size_t len, uint8_t fill) {
    std::vector<uint8_t> f(len, fill);
    dst.write_to(f);
    kPeer.write_to(std::span(f).subspan(6));
    f[12] = 0x08;
    f[13] = 0x00;
    return f;
}

struct E1000DeviceTest : ::testing::Test {
    Sim sim{1};
    HostId host = sim.add_host("A");
    ContextId nic_ctx = sim.add_context(host, ContextKind::Nic, "eth0 NIC");
    ContextId link_ctx = sim.add_context(host, ContextKind::Link, "A:eth0<->peer");
    ContextId drv_ctx = sim.add_context(host, ContextKind::Softirq, "softirq");
    DmaMemory mem;
    IrqLine irq;
    int irq_asserts = 0;
    E1000Device dev{sim, nic_ctx, mem, irq, "A:eth0", kMac};
    FakeLinkPort peer{sim};
    Link link{sim, link_ctx, "A:eth0<->peer", dev.port(), peer};
    uint64_t tx_ring = 0, rx_ring = 0;
    std::vector<std::shared_ptr<std::vector<uint8_t>>> buffers;
    std::vector<uint64_t> rx_bufs;

    void SetUp() override {
        irq.connect([this] { ++irq_asserts; });
    }

    void setup_tx(uint32_t n) {
        tx_ring = mem.alloc_coherent(n * kDescSize, "tx_ring");
        dev.mmio_write(TDBAL, static_cast<uint32_t>(tx_ring));
        dev.mmio_write(TDBAH, static_cast<uint32_t>(tx_ring >> 32));
        dev.mmio_write(TDLEN, n * kDescSize);
        dev.mmio_write(TDH, 0);
        dev.mmio_write(TDT, 0);
        dev.mmio_write(TCTL, TCTL_EN | TCTL_PSP);
    }
    // Puts frame in a mapped buffer and describes it in TX descriptor i.
    uint64_t queue_tx(uint32_t i, const std::vector<uint8_t>& frame, uint32_t flow, uint8_t cmd) {
        auto buf = std::make_shared<std::vector<uint8_t>>(frame);
        buffers.push_back(buf);
        const uint64_t addr = mem.map_single(buf, 0, static_cast<uint32_t>(frame.size()), "tx buf", flow);
        TxDesc d;
        d.buffer_addr = addr;
        d.length = static_cast<uint16_t>(frame.size());
        d.cmd = cmd;
        d.store(mem.host_view(tx_ring + i * kDescSize, kDescSize));
        return addr;
    }
    TxDesc tx_desc(uint32_t i) { return TxDesc::load(mem.host_view(tx_ring + i * kDescSize, kDescSize)); }

    // An RX ring of n descriptors, the first `posted` with 2048-byte buffers, RDT = posted.
    void setup_rx(uint32_t n, uint32_t posted, uint32_t rctl = RCTL_EN | RCTL_BAM | RCTL_SECRC) {
        rx_ring = mem.alloc_coherent(n * kDescSize, "rx_ring");
        for (uint32_t i = 0; i < n; ++i) {
            auto buf = std::make_shared<std::vector<uint8_t>>(2048, 0);
            buffers.push_back(buf);
            rx_bufs.push_back(mem.map_single(buf, 0, 2048, "rx buf", 0));
            RxDesc d;
            d.buffer_addr = rx_bufs.back();
            d.store(mem.host_view(rx_ring + i * kDescSize, kDescSize));
        }
        dev.mmio_write(RDBAL, static_cast<uint32_t>(rx_ring));
        dev.mmio_write(RDBAH, static_cast<uint32_t>(rx_ring >> 32));
        dev.mmio_write(RDLEN, n * kDescSize);
        dev.mmio_write(RDH, 0);
        dev.mmio_write(RDT, posted);
        dev.mmio_write(RCTL, rctl);
    }
    RxDesc rx_desc(uint32_t i) { return RxDesc::load(mem.host_view(rx_ring + i * kDescSize, kDescSize)); }
    std::vector<uint8_t> rx_buffer(uint32_t i, size_t len) {
        std::vector<uint8_t> out(len);
        EXPECT_TRUE(mem.read(rx_bufs[i], out));
        return out;
    }
    size_t warnings() { return test::events_of(sim, EventKind::Warning).size(); }
};

TEST_F(E1000DeviceTest, TransmitPutsTheBufferOnTheLinkAndWritesBackDD) {
    setup_tx(8);
    const auto frame = make_frame(kPeer, 100, 0x5a);
    queue_tx(0, frame, 42, TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS);
    dev.mmio_write(TDT, 1);           // doorbell
    EXPECT_TRUE(peer.frames.empty()); // nothing happens before the NIC's context runs
    sim.run_until(kNsPerMs);

    ASSERT_EQ(peer.frames.size(), 1u);
    EXPECT_EQ(peer.frames[0].bytes, frame);
    EXPECT_EQ(peer.frames[0].flow, 42u);
    EXPECT_EQ(tx_desc(0).status & TXD_STAT_DD, TXD_STAT_DD);
    EXPECT_EQ(dev.peek(TDH), 1u);
    EXPECT_EQ(dev.peek(ICR), ICR_TXDW | ICR_TXQE);
    EXPECT_EQ(irq_asserts, 0); // IMS is 0: no interrupt
    EXPECT_FALSE(irq.level());
    EXPECT_EQ(dev.tx_states()[0], static_cast<uint8_t>(DescState::WrittenBack));
    EXPECT_EQ(dev.mmio_read(GPTC), 1u);
    EXPECT_EQ(dev.mmio_read(TPT), 1u);
    EXPECT_EQ(dev.mmio_read(GOTCL), 104u); // with the FCS
    EXPECT_EQ(dev.mmio_read(GPTC), 0u);    // statistics clear on read

    // The engine's work is traced in the NIC's context, in order.
    EXPECT_TRUE(test::in_order(test::entered(sim),
                               {"nic_tx_fetch", "nic_tx_process", "nic_tx_writeback", "nic_set_ics"}));
    for (const TraceEvent* e : test::events_of(sim, EventKind::FuncEnter))
        if (sim.trace().str(e->name) == "nic_tx_fetch") EXPECT_EQ(e->ctx, nic_ctx);
    // Three DMA transfers: descriptor fetch, buffer read (with the frame), write-back.
    auto dmas = test::events_of(sim, EventKind::Dma);
    ASSERT_EQ(dmas.size(), 3u);
    EXPECT_EQ(sim.trace().str(dmas[1]->name), "tx buffer");
    EXPECT_EQ(dmas[1]->a[1], 100);
    EXPECT_EQ(dmas[1]->flow, 42u);
    EXPECT_EQ(dmas[2]->a[2], static_cast<int64_t>(DmaDir::FromDevice));
}

TEST_F(E1000DeviceTest, WithoutRSThereIsNoWriteBackAndNoTXDW) {
    setup_tx(8);
    queue_tx(0, make_frame(kPeer, 60, 1), 1, TXD_CMD_EOP | TXD_CMD_IFCS);
    dev.mmio_write(TDT, 1);
    sim.run_until(kNsPerMs);
    EXPECT_EQ(peer.frames.size(), 1u);
    EXPECT_EQ(tx_desc(0).status, 0);
    EXPECT_EQ(dev.peek(ICR), ICR_TXQE);
}

TEST_F(E1000DeviceTest, InterruptIsRaisedOnlyWhenUnmaskedAndReadingICRClearsIt) {
    setup_tx(8);
    dev.mmio_write(IMS, ICR_TXDW);
    queue_tx(0, make_frame(kPeer, 60, 1), 1, TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS);
    dev.mmio_write(TDT, 1);
    sim.run_until(kNsPerMs);
    EXPECT_EQ(irq_asserts, 1);
    EXPECT_TRUE(irq.level());
    EXPECT_EQ(dev.mmio_read(ICR), ICR_TXDW | ICR_TXQE);
    EXPECT_FALSE(irq.level());
    EXPECT_EQ(dev.mmio_read(ICR), 0u);

    bool delivered = false, lowered = false;
    for (const TraceEvent* e : test::events_of(sim, EventKind::Irq)) {
        delivered |= e->a[0] == static_cast<int64_t>(IrqOp::Deliver);
        lowered |= e->a[0] == static_cast<int64_t>(IrqOp::Lower);
    }
    EXPECT_TRUE(delivered);
    EXPECT_TRUE(lowered);
}

TEST_F(E1000DeviceTest, ImsSetsAndImcClearsMaskBits) {
    dev.mmio_write(IMS, ICR_RXT0 | ICR_TXDW);
    EXPECT_EQ(dev.mmio_read(IMS), ICR_RXT0 | ICR_TXDW);
    dev.mmio_write(IMC, ICR_TXDW);
    EXPECT_EQ(dev.peek(IMS), ICR_RXT0);
    dev.mmio_write(ICS, ICR_TXDW); // masked cause: pending, no interrupt
    EXPECT_EQ(irq_asserts, 0);
    dev.mmio_write(IMS, ICR_TXDW); // unmasking a pending cause interrupts at once
    EXPECT_EQ(irq_asserts, 1);
    dev.mmio_write(IMC, ~0u); // masking everything deasserts the line
    EXPECT_FALSE(irq.level());
    EXPECT_EQ(dev.peek(ICR), ICR_TXDW); // the cause stays until ICR is read
    dev.mmio_write(ICR, ICR_TXDW);      // or written with 1s
    EXPECT_EQ(dev.peek(ICR), 0u);
}

TEST_F(E1000DeviceTest, ReceiveWritesFrameDescriptorAndRaisesRXT0) {
    setup_rx(8, 4);
    dev.mmio_write(IMS, ICR_RXT0);
    const auto frame = make_frame(kMac, 200, 0x33);
    peer.transmit(frame, 9);
    sim.run_until(kNsPerMs);

    EXPECT_EQ(rx_buffer(0, frame.size()), frame);
    const RxDesc d = rx_desc(0);
    EXPECT_EQ(d.length, 200);
    EXPECT_EQ(d.status & (RXD_STAT_DD | RXD_STAT_EOP), RXD_STAT_DD | RXD_STAT_EOP);
    EXPECT_EQ(d.errors, 0);
    EXPECT_EQ(dev.peek(RDH), 1u);
    EXPECT_TRUE(dev.peek(ICR) & ICR_RXT0);
    EXPECT_EQ(irq_asserts, 1);
    EXPECT_EQ(mem.flow_at(rx_bufs[0]), 9u); // the packet id follows the bytes
    EXPECT_EQ(dev.rx_states()[0], static_cast<uint8_t>(DescState::WrittenBack));
    EXPECT_EQ(dev.rx_states()[1], static_cast<uint8_t>(DescState::Posted));
    EXPECT_EQ(dev.mmio_read(GPRC), 1u);
    EXPECT_EQ(dev.mmio_read(GORCL), 204u);
    EXPECT_EQ(dev.mmio_read(TPR), 1u);
    EXPECT_TRUE(test::in_order(test::entered(sim), {"nic_rx_frame", "nic_rx_fetch", "nic_rx_writeback"}));
}

TEST_F(E1000DeviceTest, FewFreeDescriptorsRaiseRXDMT0) {
    setup_rx(8, 7);
    for (int i = 0; i < 2; ++i)
        peer.transmit(make_frame(kMac, 60, 1), 1);
    sim.run_until(kNsPerMs);
    EXPECT_EQ(dev.peek(RDH), 2u);
    EXPECT_FALSE(dev.peek(ICR) & ICR_RXDMT0); // hardware still owns 5 of 8: above half
    dev.mmio_write(ICR, ~0u);
    peer.transmit(make_frame(kMac, 60, 1), 1);
    sim.run_until(2 * kNsPerMs);
    EXPECT_TRUE(dev.peek(ICR) & ICR_RXDMT0); // 4 of 8: the RDMTS threshold (1/2)
}

TEST_F(E1000DeviceTest, NoFreeDescriptorCountsMissedPackets) {
    setup_rx(8, 0); // RDH == RDT: hardware owns nothing
    dev.mmio_write(IMS, ICR_RXO);
    peer.transmit(make_frame(kMac, 60, 1), 5);
    sim.run_until(kNsPerMs);
    EXPECT_EQ(dev.peek(RDH), 0u);
    EXPECT_EQ(rx_desc(0).status, 0);
    EXPECT_TRUE(dev.peek(ICR) & ICR_RXO);
    EXPECT_EQ(irq_asserts, 1);
    EXPECT_TRUE(test::any_contains(test::texts_of(sim, EventKind::Note), "NIC_RX_MISSED"));
    auto counters = test::events_of(sim, EventKind::Counter);
    ASSERT_EQ(counters.size(), 1u);
    EXPECT_EQ(sim.trace().str(counters[0]->name), "MPC");
    EXPECT_EQ(counters[0]->a[0], 1);
    EXPECT_EQ(dev.mmio_read(MPC), 1u);
    EXPECT_EQ(dev.mmio_read(MPC), 0u);
}

TEST_F(E1000DeviceTest, AddressFilterAcceptsOursBroadcastWithBamAndAllWithUpe) {
    setup_rx(8, 7, RCTL_EN);                                         // no BAM
    peer.transmit(make_frame(kPeer, 60, 1), 1);                      // not ours
    peer.transmit(make_frame(wire::MacAddr::broadcast(), 60, 1), 1); // broadcast, BAM off
    sim.run_until(kNsPerMs);
    EXPECT_EQ(dev.peek(RDH), 0u);
    dev.mmio_write(RCTL, RCTL_EN | RCTL_BAM);
    peer.transmit(make_frame(wire::MacAddr::broadcast(), 60, 1), 1);
    sim.run_until(2 * kNsPerMs);
    EXPECT_EQ(dev.peek(RDH), 1u);
    dev.mmio_write(RCTL, RCTL_EN | RCTL_UPE);
    peer.transmit(make_frame(kPeer, 60, 1), 1);
    sim.run_until(3 * kNsPerMs);
    EXPECT_EQ(dev.peek(RDH), 2u);
    dev.mmio_write(RCTL, 0); // receiver off
    peer.transmit(make_frame(kMac, 60, 1), 1);
    sim.run_until(4 * kNsPerMs);
    EXPECT_EQ(dev.peek(RDH), 2u);
}

TEST_F(E1000DeviceTest, BadRegisterAccessesAreWarningsAndStoreWhatHardwareWould) {
    const size_t before = warnings();
    dev.mmio_write(RDLEN, 200); // not a multiple of 128
    EXPECT_EQ(dev.peek(RDLEN), 128u);
    dev.mmio_write(STATUS, 0); // read-only
    EXPECT_TRUE(dev.peek(STATUS) & STATUS_LU);
    dev.mmio_write(0x1234, 1);            // unknown
    EXPECT_EQ(dev.mmio_read(0x1234), 0u); // unknown
    EXPECT_EQ(dev.mmio_read(IMC), 0u);    // write-only
    dev.mmio_write(TDBAL, 0x1008);        // not 16-byte aligned
    EXPECT_EQ(dev.peek(TDBAL), 0x1000u);
    dev.mmio_write(GPRC, 5); // statistics are read-only
    EXPECT_EQ(warnings() - before, 7u);
    EXPECT_TRUE(test::any_contains(test::texts_of(sim, EventKind::Warning), "RDLEN"));
    // A TX ring pointing at unmapped memory stops the engine with a warning, no abort.
    dev.mmio_write(TDLEN, 8 * kDescSize);
    dev.mmio_write(TCTL, TCTL_EN);
    dev.mmio_write(TDT, 1);
    sim.run_until(kNsPerMs);
    EXPECT_TRUE(test::any_contains(test::texts_of(sim, EventKind::Warning), "outside mapped memory"));
    EXPECT_TRUE(peer.frames.empty());
}

TEST_F(E1000DeviceTest, EveryAccessIsARegEventInTheCallersContext) {
    sim.in_context(drv_ctx, [&] {
        dev.mmio_write(IMS, 0x80);
        dev.mmio_read(STATUS);
    });
    auto regs = test::events_of(sim, EventKind::Reg);
    ASSERT_EQ(regs.size(), 2u);
    EXPECT_EQ(sim.trace().str(regs[0]->name), "IMS");
    EXPECT_EQ(regs[0]->a[0], 0x80);
    EXPECT_EQ(regs[0]->a[1], static_cast<int64_t>(RegAccess::Write));
    EXPECT_EQ(regs[0]->a[2], static_cast<int64_t>(IMS));
    EXPECT_EQ(regs[0]->ctx, drv_ctx);
    EXPECT_EQ(regs[0]->layer, Layer::Nic);
    EXPECT_EQ(sim.trace().str(regs[1]->name), "STATUS");
    EXPECT_EQ(regs[1]->a[1], static_cast<int64_t>(RegAccess::Read));
}

TEST_F(E1000DeviceTest, RingEventsFollowHeadAndTail) {
    setup_tx(8);
    queue_tx(0, make_frame(kPeer, 1000, 1), 3, TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS);
    queue_tx(1, make_frame(kPeer, 1000, 2), 4, TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS);
    dev.mmio_write(TDT, 2);
    auto rings = test::events_of(sim, EventKind::Ring);
    ASSERT_FALSE(rings.empty());
    const TraceEvent* doorbell = rings.back();
    EXPECT_EQ(sim.trace().str(doorbell->name), "tx_ring");
    EXPECT_EQ(doorbell->a[2], 0); // TDH
    EXPECT_EQ(doorbell->a[3], 2); // TDT
    auto st = sim.trace().blob(doorbell->ref2);
    ASSERT_EQ(st.size(), 8u);
    EXPECT_EQ(st[0], static_cast<uint8_t>(DescState::Posted));
    EXPECT_EQ(st[2], static_cast<uint8_t>(DescState::Empty));
    sim.run_until(kNsPerMs);
    rings = test::events_of(sim, EventKind::Ring);
    EXPECT_EQ(rings.back()->a[2], 2); // TDH caught up
    EXPECT_EQ(rings.back()->flow, 4u);
    // Line rate: the second frame was fetched while the first was on the wire, and follows it
    // after exactly one wire time (preamble, frame, FCS, gap).
    ASSERT_EQ(peer.frames.size(), 2u);
    EXPECT_EQ(peer.frames[1].time - peer.frames[0].time, Link::wire_time_ns(1000, 1'000'000'000));
}

TEST_F(E1000DeviceTest, ResetRestoresPowerOnValues) {
    setup_tx(8);
    dev.mmio_write(IMS, 0xff);
    dev.mmio_write(CTRL, CTRL_RST);
    EXPECT_EQ(dev.peek(IMS), 0u);
    EXPECT_EQ(dev.peek(TDLEN), 0u);
    EXPECT_EQ(dev.peek(RAH0), 0x0a00u | RAH_AV); // the EEPROM address again
    EXPECT_EQ(dev.peek(RAL0), 0x02u);
}

} // namespace
} // namespace skbscope
