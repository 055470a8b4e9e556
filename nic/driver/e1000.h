// The e1000 driver's adapter: struct e1000_adapter and its rings (drivers/net/ethernet/intel/
// e1000/e1000.h), as a NetDevice. It reaches the NIC only through MmioBus (registers), DmaMemory
// (rings and buffers) and the kernel only through NetdevKernel. Functions keep e1000_main.c names.
// SIMPLIFICATION: one TX and one RX queue, legacy descriptors (checksum offload by CSO/CSS), no TSO,
// no watchdog/ethtool/ndo_stop; RX buffers are skbs (the pre-4.x e1000 scheme), no page reuse.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/hw/dma.h"
#include "core/hw/mmio.h"
#include "core/netdev/netdevice.h"

namespace skbscope {

class Sim;
class SkBuff;

struct E1000TxBuffer {     // struct e1000_tx_buffer
    SkBuff* skb = nullptr; // set on the packet's last descriptor only
    uint64_t dma = 0;
    uint32_t length = 0;
    int next_to_watch = -1; // on a packet's first buffer: index of its last (EOP) descriptor
    uint32_t bytecount = 0;
    uint16_t segs = 0;
};

struct E1000RxBuffer { // struct e1000_rx_buffer (skb variant)
    SkBuff* skb = nullptr;
    uint64_t dma = 0;
    uint32_t length = 0;
};

template <typename Buffer> struct E1000Ring { // struct e1000_tx_ring / e1000_rx_ring
    uint64_t dma = 0;                         // bus address of the descriptors
    uint32_t size = 0;                        // bytes
    int count = 0;                            // descriptors
    int next_to_use = 0, next_to_clean = 0;
    std::vector<Buffer> buffer_info;
};
using E1000TxRing = E1000Ring<E1000TxBuffer>;
using E1000RxRing = E1000Ring<E1000RxBuffer>;

// E1000_DESC_UNUSED: free slots, always leaving one so that next_to_use == next_to_clean means empty.
template <typename R> int e1000_desc_unused(const R& r) {
    return ((r.next_to_clean > r.next_to_use) ? 0 : r.count) + r.next_to_clean - r.next_to_use - 1;
}

class E1000Adapter final : public NetDevice {
  public:
    static constexpr int kDefaultTxd = 256, kDefaultRxd = 256; // E1000_DEFAULT_TXD/RXD
    static constexpr int kMinDesc = 48, kMaxDesc = 4096;       // E1000_MIN_TXD, E1000_MAX_82544_TXD
    static constexpr int kMaxSkbFrags = 17;                    // MAX_SKB_FRAGS
    static constexpr int kTxWakeThreshold = 32;                // TX_WAKE_THRESHOLD
    static constexpr int kRxBufferWrite = 16;                  // E1000_RX_BUFFER_WRITE
    static constexpr int kIrqNone = 0, kIrqHandled = 1;        // irqreturn_t

    // mmio: the NIC's BAR; mem: the host memory the NIC can DMA to; irq: the NIC's line (the lab
    // connects it to the host's interrupt entry; the driver registers e1000_intr via request_irq).
    E1000Adapter(Sim& sim, MmioBus& mmio, DmaMemory& mem, IrqLine& irq);
    ~E1000Adapter() override; // frees the skbs still in the rings, untraced

    bool ndo_open() override { return e1000_open() == 0; }
    NetdevTx ndo_start_xmit(SkBuff* skb) override { return e1000_xmit_frame(skb); }
    std::string driver_name() const override { return "e1000"; }
    IrqLine& irq_line() { return m_irq; }

    // Settings read by e1000_open (ethtool -G, module parameter copybreak).
    int tx_ring_count = kDefaultTxd, rx_ring_count = kDefaultRxd;
    uint32_t copybreak = 256; // frames shorter than this are copied into a fresh small skb
    // Interrupt moderation in the registers' units (module parameters of e1000_param.c, ethtool -C):
    // itr: ITR, 256 ns (0 = off; Linux keeps ints/s and writes 10^9 / (rate * 256));
    // rx_int_delay/rx_abs_int_delay: RDTR/RADV, tx_int_delay/tx_abs_int_delay: TIDV/TADV, 1.024 us.
    // SIMPLIFICATION: static values (no dynamic ITR, e1000_set_itr); all 0 by default, where Linux
    // starts at 20000 ints/s with RADV 8, TIDV 8, TADV 32.
    uint32_t itr = 0, rx_int_delay = 0, rx_abs_int_delay = 0, tx_int_delay = 0, tx_abs_int_delay = 0;
    // ethtool -K tx on: NETIF_F_HW_CSUM, the NIC inserts TCP/UDP checksums (legacy IC/CSS/CSO).
    bool checksum_offload = false;
    bool scatter_gather = true; // NETIF_F_SG (e1000 has it; ethtool -K sg off turns it off)

    // struct e1000_hw_stats (the part we model): the NIC's read-to-clear statistics registers,
    // accumulated by e1000_update_stats (what `ethtool -S` prints).
    struct HwStats {
        uint64_t mpc = 0, rnbc = 0, gprc = 0, gptc = 0, gorc = 0, gotc = 0, tpr = 0, tpt = 0;
    } stats_hw;

    NapiStruct napi; // weight 64; poll = e1000_clean
    E1000TxRing tx_ring;
    E1000RxRing rx_ring;
    uint32_t rx_buffer_len = 2048;
    uint32_t txd_cmd = 0;
    uint64_t alloc_rx_buff_failed = 0, restart_queue = 0;
    bool get_link_status = false;

    // ---- e1000_main.cpp: bring-up, interrupts, NAPI ----
    int e1000_open();
    int e1000_setup_all_tx_resources();
    int e1000_setup_all_rx_resources();
    void e1000_configure();
    void e1000_set_rx_mode();
    void e1000_rar_set(const wire::MacAddr& addr, uint32_t index);
    void e1000_configure_tx();
    void e1000_setup_rctl();
    void e1000_configure_rx();
    int e1000_request_irq();
    void e1000_irq_enable();
    int e1000_intr();            // the hardirq handler: kIrqNone or kIrqHandled
    int e1000_clean(int budget); // the NAPI poll
    void e1000_update_stats();   // reads (and so clears) the statistics registers into stats_hw

    // ---- e1000_tx.cpp ----
    NetdevTx e1000_xmit_frame(SkBuff* skb);
    int eth_skb_pad(SkBuff* skb);
    int e1000_maybe_stop_tx(int size);
    int e1000_tx_map(SkBuff* skb, int first);
    void e1000_tx_queue(int count, uint32_t flow, uint32_t csum_bits);
    // CHECKSUM_PARTIAL: the CSS/CSO/IC bits of the packet's descriptors (0: none).
    uint32_t e1000_tx_csum(const SkBuff* skb);
    bool e1000_clean_tx_irq();
    void e1000_unmap_and_free_tx_resource(E1000TxBuffer& bi);

    // ---- e1000_rx.cpp ----
    bool e1000_clean_rx_irq(int* work_done, int work_to_do);
    void e1000_alloc_rx_buffers(int cleaned_count);
    SkBuff* e1000_copybreak(const SkBuff* rxbuf, uint32_t length);
    void e1000_rx_checksum(uint8_t status, uint8_t errors, SkBuff* skb);
    void e1000_receive_skb(uint8_t status, uint16_t special, SkBuff* skb);

  private:
    uint32_t er32(uint32_t reg) { return m_mmio.mmio_read(reg); }
    void ew32(uint32_t reg, uint32_t value) { m_mmio.mmio_write(reg, value); }
    void e1000_write_flush() { er32(0x00008); } // E1000_WRITE_FLUSH: a read of STATUS posts the writes
    // dma_map_single / dma_unmap_single (traced), through DmaMemory.
    uint64_t dma_map_single(std::shared_ptr<std::vector<uint8_t>> buf, uint32_t offset, uint32_t len,
                            const SkBuff* skb, const char* what);
    void dma_unmap_single(uint64_t dma, uint32_t len, const SkBuff* skb);
    SkBuff* napi_alloc_skb(uint32_t length);
    std::span<uint8_t> tx_desc(int i);
    std::span<uint8_t> rx_desc(int i);
    void tx_ring_event(uint32_t flow);
    void rx_ring_event(uint32_t flow);
    const std::string& trace_label() const { return label.empty() ? name : label; }

    Sim& m_sim;
    MmioBus& m_mmio;
    DmaMemory& m_mem;
    IrqLine& m_irq;
};

} // namespace skbscope
