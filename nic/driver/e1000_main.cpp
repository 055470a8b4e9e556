// e1000 bring-up, interrupt handler and NAPI poll, after drivers/net/ethernet/intel/e1000/
// e1000_main.c: e1000_open, e1000_configure_tx/rx, e1000_setup_rctl, e1000_intr, e1000_clean.
// SIMPLIFICATION: no reset/EEPROM/PHY, no watchdog (LSC only sets get_link_status): the statistics
// registers are read at the end of each completed poll (Linux: e1000_watchdog, every 2 s); static
// ITR only; RAR[0] is written at open (Linux: at reset). The FCS is stripped by the NIC (SECRC).
#include <algorithm>
#include <cerrno>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"
#include "core/util/assert.h"
#include "nic/driver/e1000.h"
#include "nic/driver/e1000_hw.h"

namespace skbscope {

using namespace e1000_hw;

E1000Adapter::E1000Adapter(Sim& sim, MmioBus& mmio, DmaMemory& mem, IrqLine& irq)
    : m_sim(sim), m_mmio(mmio), m_mem(mem), m_irq(irq) {
    name = "eth0";
    napi.dev = this;
    napi.weight = 64; // NAPI_POLL_WEIGHT
    napi.poll = [this](NapiStruct*, int budget) { return e1000_clean(budget); };
}

E1000Adapter::~E1000Adapter() {
    // Teardown after the run: free what the rings still hold without adding events to the trace.
    const bool was = m_sim.rec().enabled();
    m_sim.rec().set_enabled(false);
    for (auto& bi : tx_ring.buffer_info)
        if (bi.skb) kfree_skb(bi.skb);
    for (auto& bi : rx_ring.buffer_info)
        if (bi.skb) kfree_skb(bi.skb);
    m_sim.rec().set_enabled(was);
}

static int ring_count(int wanted) {
    // e1000_set_ringparam: clamp to the hardware's limits, round up to a multiple of 8 (RDLEN/TDLEN
    // must be a multiple of 128 bytes).
    const int n = std::clamp(wanted, E1000Adapter::kMinDesc, E1000Adapter::kMaxDesc);
    return (n + 7) & ~7;
}

int E1000Adapter::e1000_setup_all_tx_resources() {
    TRACE_FUNC_NAMED(scope, m_sim, e1000_setup_all_tx_resources);
    tx_ring.count = ring_count(tx_ring_count);
    tx_ring.size = static_cast<uint32_t>(tx_ring.count) * kDescSize;
    tx_ring.dma = m_mem.alloc_coherent(tx_ring.size, trace_label() + " tx_ring");
    tx_ring.buffer_info.assign(tx_ring.count, E1000TxBuffer{});
    tx_ring.next_to_use = tx_ring.next_to_clean = 0;
    return 0;
}

int E1000Adapter::e1000_setup_all_rx_resources() {
    TRACE_FUNC_NAMED(scope, m_sim, e1000_setup_all_rx_resources);
    rx_ring.count = ring_count(rx_ring_count);
    rx_ring.size = static_cast<uint32_t>(rx_ring.count) * kDescSize;
    rx_ring.dma = m_mem.alloc_coherent(rx_ring.size, trace_label() + " rx_ring");
    rx_ring.buffer_info.assign(rx_ring.count, E1000RxBuffer{});
    rx_ring.next_to_use = rx_ring.next_to_clean = 0;
    // e1000_change_mtu: the smallest hardware buffer size that holds a full frame with its FCS.
    const uint32_t max_frame = mtu + 14 + 4;
    rx_buffer_len = max_frame <= 2048 ? 2048 : max_frame <= 4096 ? 4096 : max_frame <= 8192 ? 8192 : 16384;
    return 0;
}

void E1000Adapter::e1000_rar_set(const wire::MacAddr& addr, uint32_t index) {
    TRACE_FUNC(m_sim, e1000_rar_set, nullptr, index);
    const auto& a = addr.bytes;
    const uint32_t rar_low = a[0] | (a[1] << 8) | (a[2] << 16) | (uint32_t{a[3]} << 24);
    const uint32_t rar_high = a[4] | (a[5] << 8) | E1000_RAH_AV;
    ew32(E1000_RA + 8 * index, rar_low);
    ew32(E1000_RA + 8 * index + 4, rar_high);
}

void E1000Adapter::e1000_set_rx_mode() {
    TRACE_FUNC(m_sim, e1000_set_rx_mode);
    e1000_rar_set(dev_addr, 0); // RAR[0] is the station address
}

void E1000Adapter::e1000_configure_tx() {
    TRACE_FUNC(m_sim, e1000_configure_tx);
    ew32(E1000_TDBAL, static_cast<uint32_t>(tx_ring.dma & 0xffffffffu));
    ew32(E1000_TDBAH, static_cast<uint32_t>(tx_ring.dma >> 32));
    ew32(E1000_TDLEN, tx_ring.size);
    ew32(E1000_TDH, 0);
    ew32(E1000_TDT, 0);
    // Set the Tx Interrupt Delay register
    ew32(E1000_TIDV, tx_int_delay);
    ew32(E1000_TADV, tx_abs_int_delay);
    uint32_t tctl = er32(E1000_TCTL);
    tctl &= ~(E1000_TCTL_CT | E1000_TCTL_COLD);
    tctl |= E1000_TCTL_PSP | E1000_TCTL_RTLC | (E1000_COLLISION_THRESHOLD << E1000_CT_SHIFT) |
            (E1000_FDX_COLLISION_DISTANCE << E1000_COLD_SHIFT) | E1000_TCTL_EN;
    ew32(E1000_TCTL, tctl);
    // Every packet's last descriptor: end of packet, insert FCS, report status (DD write-back).
    txd_cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
    // Only set IDE if we are delaying interrupts using the timers.
    if (tx_int_delay) txd_cmd |= E1000_TXD_CMD_IDE;
}

void E1000Adapter::e1000_setup_rctl() {
    TRACE_FUNC(m_sim, e1000_setup_rctl);
    uint32_t rctl = er32(E1000_RCTL);
    rctl &= ~(3u << E1000_RCTL_MO_SHIFT);
    rctl |= E1000_RCTL_BAM | E1000_RCTL_LBM_NO | E1000_RCTL_RDMTS_HALF | E1000_RCTL_SECRC;
    rctl &= ~E1000_RCTL_SBP;
    if (mtu <= 1500)
        rctl &= ~E1000_RCTL_LPE;
    else
        rctl |= E1000_RCTL_LPE;
    rctl &= ~(E1000_RCTL_SZ_4096 | E1000_RCTL_BSEX);
    switch (rx_buffer_len) {
    case 4096:
        rctl |= E1000_RCTL_SZ_4096 | E1000_RCTL_BSEX;
        break;
    case 8192:
        rctl |= E1000_RCTL_SZ_8192 | E1000_RCTL_BSEX;
        break;
    case 16384:
        rctl |= E1000_RCTL_SZ_16384 | E1000_RCTL_BSEX;
        break;
    default:
        rctl |= E1000_RCTL_SZ_2048;
        break;
    }
    ew32(E1000_RCTL, rctl);
}

void E1000Adapter::e1000_configure_rx() {
    TRACE_FUNC(m_sim, e1000_configure_rx);
    // Disable receives while setting up the descriptors.
    const uint32_t rctl = er32(E1000_RCTL);
    ew32(E1000_RCTL, rctl & ~E1000_RCTL_EN);
    ew32(E1000_RDBAL, static_cast<uint32_t>(rx_ring.dma & 0xffffffffu));
    ew32(E1000_RDBAH, static_cast<uint32_t>(rx_ring.dma >> 32));
    ew32(E1000_RDLEN, rx_ring.size);
    ew32(E1000_RDH, 0);
    ew32(E1000_RDT, 0);
    // Set the Receive Delay Timer register, and the absolute one (irq moderation).
    ew32(E1000_RDTR, rx_int_delay);
    ew32(E1000_RADV, rx_abs_int_delay);
    if (itr != 0) ew32(E1000_ITR, itr);
    ew32(E1000_RCTL, rctl | E1000_RCTL_EN); // enable receives
}

void E1000Adapter::e1000_configure() {
    TRACE_FUNC(m_sim, e1000_configure);
    e1000_set_rx_mode();
    e1000_configure_tx();
    e1000_setup_rctl();
    e1000_configure_rx();
    // Give the NIC every RX buffer it can take.
    e1000_alloc_rx_buffers(e1000_desc_unused(rx_ring));
}

int E1000Adapter::e1000_request_irq() {
    TRACE_FUNC(m_sim, e1000_request_irq);
    kernel->request_irq(this, [this] { e1000_intr(); });
    return 0;
}

void E1000Adapter::e1000_irq_enable() {
    TRACE_FUNC(m_sim, e1000_irq_enable);
    ew32(E1000_IMS, IMS_ENABLE_MASK);
    e1000_write_flush();
}

int E1000Adapter::e1000_open() {
    TRACE_FUNC_NAMED(scope, m_sim, e1000_open);
    SKB_ASSERT(kernel != nullptr); // the stack registers the device before opening it
    if (tx_ring.dma || rx_ring.dma) {
        m_sim.rec().warning(trace_label() + ": e1000_open on an open device", Layer::Driver);
        scope.ret(-EBUSY);
        return -EBUSY;
    }
    if (checksum_offload) features |= NETIF_F_HW_CSUM; // e1000_probe: hw_features, ethtool -K
    if (scatter_gather) features |= NETIF_F_SG;
    e1000_setup_all_tx_resources();
    e1000_setup_all_rx_resources();
    e1000_configure();
    e1000_request_irq();
    e1000_irq_enable();
    queue_stopped = false; // netif_start_queue
    // Fire a link status change interrupt to start the watchdog.
    ew32(E1000_ICS, E1000_ICS_LSC);
    return 0;
}

int E1000Adapter::e1000_intr() {
    TRACE_FUNC_NAMED(scope, m_sim, e1000_intr);
    const uint32_t icr = er32(E1000_ICR); // reading ICR acknowledges the causes
    if (!icr) {
        scope.ret(kIrqNone); // not our interrupt (a shared line)
        return kIrqNone;
    }
    if (icr & (E1000_ICR_RXSEQ | E1000_ICR_LSC)) get_link_status = true; // for the watchdog
    // Disable interrupts: NAPI polls until the work is done, then e1000_irq_enable.
    ew32(E1000_IMC, ~0u);
    e1000_write_flush();
    if (!napi.scheduled) // napi_schedule_prep
        kernel->napi_schedule(&napi);
    else
        e1000_irq_enable(); // "this really should not happen!": already polling
    scope.ret(kIrqHandled);
    return kIrqHandled;
}

int E1000Adapter::e1000_clean(int budget) {
    TRACE_FUNC_NAMED(scope, m_sim, e1000_clean, nullptr, budget);
    const bool tx_clean_complete = e1000_clean_tx_irq();
    int work_done = 0;
    e1000_clean_rx_irq(&work_done, budget);
    if (!tx_clean_complete || work_done == budget) {
        scope.ret(budget); // more work: stay on the poll list
        return budget;
    }
    // Exit polling mode and re-enable interrupts.
    if (kernel->napi_complete_done(&napi, work_done)) {
        e1000_update_stats();
        e1000_irq_enable();
    }
    scope.ret(work_done);
    return work_done;
}

void E1000Adapter::e1000_update_stats() {
    TRACE_FUNC(m_sim, e1000_update_stats);
    // Each read clears the register: the adapter keeps the running totals.
    stats_hw.mpc += er32(E1000_MPC);
    stats_hw.rnbc += er32(E1000_RNBC);
    stats_hw.gprc += er32(E1000_GPRC);
    stats_hw.gptc += er32(E1000_GPTC);
    stats_hw.gorc += er32(E1000_GORCL);
    stats_hw.gotc += er32(E1000_GOTCL);
    stats_hw.tpr += er32(E1000_TPR);
    stats_hw.tpt += er32(E1000_TPT);
    stats.rx_missed_errors = stats_hw.mpc;
}

// ---- helpers shared by e1000_tx.cpp and e1000_rx.cpp ----
uint64_t E1000Adapter::dma_map_single(std::shared_ptr<std::vector<uint8_t>> buf, uint32_t offset,
                                      uint32_t len, const SkBuff* skb, const char* what) {
    TRACE_FUNC_NAMED(scope, m_sim, dma_map_single, skb, len);
    const uint64_t dma =
        m_mem.map_single(std::move(buf), offset, len, trace_label() + " " + what, skb ? skb->flow : 0);
    scope.ret(static_cast<int64_t>(dma));
    return dma;
}

void E1000Adapter::dma_unmap_single(uint64_t dma, uint32_t len, const SkBuff* skb) {
    TRACE_FUNC(m_sim, dma_unmap_single, skb, len);
    if (!m_mem.unmap(dma))
        m_sim.rec().warning(trace_label() + ": dma_unmap_single of an address that is not mapped",
                            Layer::Driver);
}

std::span<uint8_t> E1000Adapter::tx_desc(int i) {
    return m_mem.host_view(tx_ring.dma + uint64_t(i) * kDescSize, kDescSize);
}

std::span<uint8_t> E1000Adapter::rx_desc(int i) {
    return m_mem.host_view(rx_ring.dma + uint64_t(i) * kDescSize, kDescSize);
}

void E1000Adapter::tx_ring_event(uint32_t flow) {
    m_sim.rec().ring("tx_ring", trace_label(), tx_ring.next_to_use, tx_ring.next_to_clean, -1, -1, {}, flow);
}

void E1000Adapter::rx_ring_event(uint32_t flow) {
    m_sim.rec().ring("rx_ring", trace_label(), rx_ring.next_to_use, rx_ring.next_to_clean, -1, -1, {}, flow);
}

} // namespace skbscope
