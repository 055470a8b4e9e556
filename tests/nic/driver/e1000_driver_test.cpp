// The e1000 driver against a fake device (FakeMmio logs register accesses; the test plays the NIC
// by writing descriptors in DMA memory) and a fake kernel (FakeNetdevKernel records calls).
#include "nic/driver/e1000.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"
#include "nic/driver/e1000_hw.h"
#include "tests/nic/nic_test_util.h"
#include "tests/support/fake_mmio.h"
#include "tests/support/fake_netdev_kernel.h"

namespace skbscope {
namespace {

using namespace e1000_hw;
using test::FakeMmio;
using test::FakeNetdevKernel;

const wire::MacAddr kMac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}};

struct E1000DriverTest : ::testing::Test {
    Sim sim{1};
    HostId host = sim.add_host("A");
    DmaMemory mem;
    FakeMmio mmio;
    IrqLine irq;
    FakeNetdevKernel kernel{sim};
    std::unique_ptr<E1000Adapter> adapter;

    void SetUp() override {
        adapter = std::make_unique<E1000Adapter>(sim, mmio, mem, irq);
        adapter->label = "A:eth0";
        adapter->dev_addr = kMac;
        adapter->kernel = &kernel;
    }
    void TearDown() override {
        adapter.reset();
        // the fake kernel frees what it received in its destructor; the rings are freed above
    }
    void open(int txd = 256, int rxd = 256) {
        adapter->tx_ring_count = txd;
        adapter->rx_ring_count = rxd;
        ASSERT_EQ(adapter->e1000_open(), 0);
    }
    SkBuff* make_skb(uint32_t len, uint32_t flow, uint8_t fill = 0x11) {
        SkBuff* skb = alloc_skb(sim, len + 64);
        skb_reserve(skb, 64);
        std::vector<uint8_t> bytes(len, fill);
        skb_put_data(skb, bytes);
        skb->flow = flow;
        return skb;
    }
    std::span<uint8_t> tx_desc(int i) {
        return mem.host_view(adapter->tx_ring.dma + i * kDescSize, kDescSize);
    }
    std::span<uint8_t> rx_desc(int i) {
        return mem.host_view(adapter->rx_ring.dma + i * kDescSize, kDescSize);
    }
    // The test plays the NIC: sets DD in TX descriptor i.
    void nic_tx_done(int i) {
        E1000TxDesc d = read_tx_desc(tx_desc(i));
        d.upper |= E1000_TXD_STAT_DD;
        write_tx_desc(tx_desc(i), d);
    }
    // The test plays the NIC: writes a frame into RX descriptor i's buffer and writes it back.
    void nic_rx(int i, const std::vector<uint8_t>& frame, uint32_t flow) {
        E1000RxDesc d = read_rx_desc(rx_desc(i));
        ASSERT_TRUE(mem.write(d.buffer_addr, frame));
        mem.set_flow(d.buffer_addr, flow);
        d.length = static_cast<uint16_t>(frame.size());
        d.status = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXD_STAT_IXSM;
        write_rx_desc(rx_desc(i), d);
    }
    std::vector<uint8_t> ipv4_frame(size_t len) {
        std::vector<uint8_t> f(len, 0x77);
        kMac.write_to(f);
        f[12] = 0x08;
        f[13] = 0x00;
        return f;
    }
};

TEST_F(E1000DriverTest, OpenProgramsRingsReceiveFilterAndInterrupts) {
    open();
    const auto& tx = adapter->tx_ring;
    const auto& rx = adapter->rx_ring;
    EXPECT_EQ(tx.count, 256);
    EXPECT_EQ(mmio.last_write(E1000_TDBAL), static_cast<uint32_t>(tx.dma));
    EXPECT_EQ(mmio.last_write(E1000_TDBAH), static_cast<uint32_t>(tx.dma >> 32));
    EXPECT_EQ(mmio.last_write(E1000_TDLEN), 256u * 16);
    EXPECT_EQ(mmio.last_write(E1000_TDH), 0u);
    EXPECT_EQ(mmio.last_write(E1000_TDT), 0u);
    EXPECT_EQ(mmio.last_write(E1000_RDBAL), static_cast<uint32_t>(rx.dma));
    EXPECT_EQ(mmio.last_write(E1000_RDLEN), 256u * 16);
    EXPECT_EQ(mmio.last_write(E1000_RDH), 0u);
    const uint32_t rctl = *mmio.last_write(E1000_RCTL);
    EXPECT_TRUE(rctl & E1000_RCTL_EN);
    EXPECT_TRUE(rctl & E1000_RCTL_BAM);
    EXPECT_TRUE(rctl & E1000_RCTL_SECRC);
    EXPECT_EQ(rctl & (E1000_RCTL_SZ_4096 | E1000_RCTL_BSEX), E1000_RCTL_SZ_2048); // 2048-byte buffers
    EXPECT_TRUE(*mmio.last_write(E1000_TCTL) & E1000_TCTL_EN);
    EXPECT_EQ(mmio.last_write(E1000_RA), 0x00000002u);
    EXPECT_EQ(mmio.last_write(E1000_RA + 4), 0x0a00u | E1000_RAH_AV);
    EXPECT_EQ(mmio.last_write(E1000_IMS), IMS_ENABLE_MASK);
    EXPECT_EQ(mmio.last_write(E1000_ICS), E1000_ICS_LSC);
    // The RX ring is filled: count - 1 buffers, RDT one behind next_to_use (as Linux writes it).
    EXPECT_EQ(rx.next_to_use, 255);
    EXPECT_EQ(mmio.last_write(E1000_RDT), 254u);
    EXPECT_LT(mmio.last_write_index(E1000_RDLEN), mmio.last_write_index(E1000_RDT));
    for (int i = 0; i < 255; ++i) {
        ASSERT_NE(rx.buffer_info[i].skb, nullptr);
        EXPECT_EQ(read_rx_desc(rx_desc(i)).buffer_addr, rx.buffer_info[i].dma);
    }
    EXPECT_EQ(rx.buffer_info[255].skb, nullptr);
    EXPECT_EQ(kernel.irq_dev, adapter.get());
    EXPECT_TRUE(kernel.irq_handler);
    EXPECT_TRUE(test::in_order(test::entered(sim),
                               {"e1000_open", "e1000_setup_all_tx_resources", "e1000_setup_all_rx_resources",
                                "e1000_configure", "e1000_configure_tx", "e1000_configure_rx",
                                "e1000_alloc_rx_buffers", "e1000_request_irq", "e1000_irq_enable"}));
}

TEST_F(E1000DriverTest, RingSizesAreClampedAndRoundedLikeEthtool) {
    open(10, 100);
    EXPECT_EQ(adapter->tx_ring.count, 48);
    EXPECT_EQ(adapter->rx_ring.count, 104);
}

TEST_F(E1000DriverTest, XmitWritesADescriptorAndRingsTheDoorbell) {
    open();
    SkBuff* skb = make_skb(100, 5);
    EXPECT_EQ(adapter->e1000_xmit_frame(skb), NetdevTx::Ok);
    const E1000TxDesc d = read_tx_desc(tx_desc(0));
    EXPECT_EQ(d.lower, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS | 100u);
    EXPECT_EQ(d.upper, 0u);
    std::vector<uint8_t> seen(100);
    ASSERT_TRUE(mem.read(d.buffer_addr, seen)); // the NIC would read the skb's bytes there
    EXPECT_EQ(seen, std::vector<uint8_t>(100, 0x11));
    EXPECT_EQ(mem.flow_at(d.buffer_addr), 5u);
    EXPECT_EQ(mmio.last_write(E1000_TDT), 1u);
    EXPECT_EQ(adapter->tx_ring.buffer_info[0].skb, skb);
    EXPECT_EQ(adapter->tx_ring.next_to_use, 1);
    EXPECT_TRUE(test::in_order(test::entered(sim),
                               {"e1000_xmit_frame", "e1000_tx_map", "dma_map_single", "e1000_tx_queue"}));
}

TEST_F(E1000DriverTest, ShortFramesArePaddedWithZerosToETH_ZLEN) {
    open();
    SkBuff* skb = make_skb(42, 1);
    adapter->e1000_xmit_frame(skb);
    EXPECT_EQ(skb->len, 60u);
    const E1000TxDesc d = read_tx_desc(tx_desc(0));
    EXPECT_EQ(d.lower & 0xffff, 60u);
    std::vector<uint8_t> seen(60);
    ASSERT_TRUE(mem.read(d.buffer_addr, seen));
    EXPECT_EQ(seen[41], 0x11);
    EXPECT_EQ(seen[42], 0);
    EXPECT_EQ(seen[59], 0);
}

TEST_F(E1000DriverTest, CleanTxFreesOnlyPacketsWhoseDescriptorsHaveDD) {
    open();
    for (int i = 0; i < 3; ++i)
        adapter->e1000_xmit_frame(make_skb(100, 10 + i));
    const int64_t live = sim.live_skbs();
    const size_t regions = mem.region_count();
    nic_tx_done(0);
    nic_tx_done(1);
    EXPECT_TRUE(adapter->e1000_clean_tx_irq());
    EXPECT_EQ(kernel.freed, 2);
    EXPECT_EQ(sim.live_skbs(), live - 2);
    EXPECT_EQ(mem.region_count(), regions - 2); // unmapped
    EXPECT_EQ(adapter->tx_ring.next_to_clean, 2);
    EXPECT_EQ(adapter->stats.tx_packets, 2u);
    EXPECT_EQ(adapter->stats.tx_bytes, 200u);
    EXPECT_EQ(read_tx_desc(tx_desc(0)).upper, 0u); // status cleared for reuse
    EXPECT_NE(adapter->tx_ring.buffer_info[2].skb, nullptr);
}

TEST_F(E1000DriverTest, AFullRingStopsTheQueueReturnsBusyAndCleaningWakesIt) {
    open(48, 48);
    // 47 usable slots; the queue stops when fewer than MAX_SKB_FRAGS + 2 = 19 are left.
    int sent = 0;
    while (!adapter->queue_stopped) {
        ASSERT_EQ(adapter->e1000_xmit_frame(make_skb(100, 1)), NetdevTx::Ok);
        ++sent;
    }
    EXPECT_EQ(sent, 29);
    EXPECT_EQ(kernel.stops, 1);
    // A stack that still calls: accepted while 1 + 2 descriptors are free, then BUSY (skb not taken).
    while (e1000_desc_unused(adapter->tx_ring) >= 3)
        adapter->e1000_xmit_frame(make_skb(100, 1));
    SkBuff* refused = make_skb(100, 1);
    EXPECT_EQ(adapter->e1000_xmit_frame(refused), NetdevTx::Busy);
    EXPECT_EQ(refused->users, 1);
    kfree_skb(refused);
    // The NIC completes everything: cleaning frees the ring and wakes the queue.
    for (int i = 0; i < adapter->tx_ring.next_to_use; ++i)
        nic_tx_done(i);
    adapter->e1000_clean_tx_irq();
    EXPECT_FALSE(adapter->queue_stopped);
    EXPECT_EQ(kernel.wakes, 1);
    EXPECT_EQ(adapter->restart_queue, 1u);
}

TEST_F(E1000DriverTest, CleanRxHandsTheFrameUpAndRefillsWithOneRdtWrite) {
    open();
    const auto frame = ipv4_frame(1000);
    SkBuff* rxbuf = adapter->rx_ring.buffer_info[0].skb;
    nic_rx(0, frame, 77);
    const size_t rdt_writes = mmio.writes_to(E1000_RDT).size();
    int work = 0;
    EXPECT_TRUE(adapter->e1000_clean_rx_irq(&work, 64));
    EXPECT_EQ(work, 1);
    ASSERT_EQ(kernel.received.size(), 1u);
    SkBuff* skb = kernel.received[0];
    EXPECT_EQ(skb, rxbuf);           // no copybreak for a large frame: the DMA buffer is the skb
    EXPECT_EQ(skb->len, 1000u - 14); // eth_type_trans pulled the Ethernet header
    EXPECT_EQ(skb->protocol, 0x0800);
    EXPECT_EQ(skb->flow, 77u);
    EXPECT_EQ(skb->mac_header + 14u, skb->data);
    EXPECT_EQ(skb->ip_summed, IpSummed::None);
    EXPECT_TRUE(skb->check_invariants());
    EXPECT_EQ(adapter->stats.rx_packets, 1u);
    EXPECT_EQ(adapter->stats.rx_bytes, 1000u);
    EXPECT_EQ(adapter->rx_ring.next_to_clean, 1);
    // Refill: slot 255 gets a fresh buffer, RDT moves to it (one behind next_to_use 0).
    EXPECT_EQ(mmio.writes_to(E1000_RDT).size(), rdt_writes + 1);
    EXPECT_EQ(mmio.last_write(E1000_RDT), 255u);
    EXPECT_NE(adapter->rx_ring.buffer_info[255].skb, nullptr);
    EXPECT_EQ(adapter->rx_ring.buffer_info[0].skb, nullptr);
    EXPECT_EQ(read_rx_desc(rx_desc(0)).status, 0); // handed back to software
    EXPECT_TRUE(
        test::in_order(test::entered(sim), {"e1000_clean_rx_irq", "dma_unmap_single", "e1000_rx_checksum",
                                            "e1000_receive_skb", "e1000_alloc_rx_buffers"}));
}

TEST_F(E1000DriverTest, SmallFramesAreCopiedAndTheirBufferReused) {
    open();
    SkBuff* rxbuf = adapter->rx_ring.buffer_info[0].skb;
    nic_rx(0, ipv4_frame(100), 3);
    int work = 0;
    adapter->e1000_clean_rx_irq(&work, 64);
    ASSERT_EQ(kernel.received.size(), 1u);
    EXPECT_NE(kernel.received[0], rxbuf);
    EXPECT_EQ(kernel.received[0]->len, 86u);
    EXPECT_EQ(kernel.received[0]->flow, 3u);
    EXPECT_EQ(kernel.received[0]->data_ptr()[0], 0x77);
    EXPECT_EQ(adapter->rx_ring.buffer_info[0].skb, rxbuf); // kept for the next refill of slot 0
    EXPECT_TRUE(test::in_order(test::entered(sim), {"e1000_copybreak", "napi_alloc_skb"}));
}

TEST_F(E1000DriverTest, CleanRxStopsAtTheBudget) {
    open();
    for (int i = 0; i < 10; ++i)
        nic_rx(i, ipv4_frame(500), 1);
    int work = 0;
    adapter->e1000_clean_rx_irq(&work, 4);
    EXPECT_EQ(work, 4);
    EXPECT_EQ(kernel.received.size(), 4u);
    EXPECT_EQ(adapter->rx_ring.next_to_clean, 4);
}

TEST_F(E1000DriverTest, IntrReadsIcrMasksAndSchedulesNapi) {
    open();
    mmio.regs[E1000_ICR] = E1000_ICR_RXT0;
    EXPECT_EQ(adapter->e1000_intr(), E1000Adapter::kIrqHandled);
    EXPECT_EQ(mmio.last_write(E1000_IMC), ~0u);
    EXPECT_EQ(kernel.napi_schedules, 1);
    EXPECT_TRUE(adapter->napi.scheduled);
    // A shared line with nothing for us: ICR reads 0.
    EXPECT_EQ(adapter->e1000_intr(), E1000Adapter::kIrqNone);
    EXPECT_EQ(kernel.napi_schedules, 1);
}

TEST_F(E1000DriverTest, PollUnderBudgetCompletesAndReenablesInterrupts) {
    open();
    mmio.regs[E1000_ICR] = E1000_ICR_TXDW;
    kernel.irq_handler();
    const size_t ims_writes = mmio.writes_to(E1000_IMS).size();
    EXPECT_EQ(adapter->napi.poll(&adapter->napi, 64), 0);
    EXPECT_EQ(kernel.napi_completes, 1);
    EXPECT_FALSE(adapter->napi.scheduled);
    EXPECT_EQ(mmio.writes_to(E1000_IMS).size(), ims_writes + 1);
    EXPECT_TRUE(test::in_order(test::entered(sim), {"e1000_intr", "e1000_clean", "e1000_clean_tx_irq",
                                                    "e1000_clean_rx_irq", "e1000_irq_enable"}));
}

TEST_F(E1000DriverTest, PollAtBudgetStaysScheduled) {
    open();
    for (int i = 0; i < 70; ++i)
        nic_rx(i, ipv4_frame(500), 1);
    adapter->napi.scheduled = true;
    EXPECT_EQ(adapter->e1000_clean(64), 64);
    EXPECT_EQ(kernel.napi_completes, 0);
    EXPECT_EQ(adapter->e1000_clean(64), 6);
    EXPECT_EQ(kernel.napi_completes, 1);
}

TEST_F(E1000DriverTest, DestructorFreesRingSkbsWithoutTracing) {
    open(48, 48);
    adapter->e1000_xmit_frame(make_skb(100, 1));
    const size_t events = sim.trace().events.size();
    adapter.reset();
    EXPECT_EQ(sim.live_skbs(), 0);
    EXPECT_EQ(sim.trace().events.size(), events);
}

} // namespace
} // namespace skbscope
