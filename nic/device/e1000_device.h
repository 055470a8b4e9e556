// The emulated Intel 8254x (e1000) NIC: register file, TX and RX DMA engines over descriptor rings
// in host memory, interrupt causes, and a MAC port on a link. Modelled on the 8254x manual and the
// behaviour of QEMU hw/net/e1000.c (our own code).
// The driver reaches it only through MmioBus (registers), DmaMemory (rings, buffers) and IrqLine.
// SIMPLIFICATION: legacy descriptors, one queue, no EEPROM/PHY (MDIC), no flow control, no VLAN,
// FCS stripped on receive (as with RCTL.SECRC), frames fit one RX buffer.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/hw/dma.h"
#include "core/hw/mmio.h"
#include "core/time/scheduler.h"
#include "core/wire/addr.h"
#include "nic/device/e1000_regs.h"
#include "nic/device/interrupts.h"
#include "nic/link/link.h"

namespace skbscope {

class Sim;

class E1000Device final : public MmioBus {
  public:
    // The DMA engine's timing: a documented model (PCIe-like), charged in the NIC's context.
    static constexpr TimeNs kDoorbellNs = 100; // a posted MMIO write (TDT) reaches the device
    static constexpr TimeNs kDmaReadNs = 500;  // a DMA read waits for a bus round trip
    static constexpr TimeNs kDmaWriteNs = 200; // a posted DMA write
    static constexpr uint32_t kDmaBytesPerNs = 2;
    static TimeNs dma_ns(bool read, size_t len) {
        return (read ? kDmaReadNs : kDmaWriteNs) + len / kDmaBytesPerNs;
    }

    // nic_ctx: the NIC's own context (ContextKind::Nic), where the DMA engines run. mem: the host
    // memory the driver allocates rings in. label: the trace instance name ("A:eth0").
    // perm_addr: the address the EEPROM would load into RAL0/RAH0 at reset.
    E1000Device(Sim& sim, ContextId nic_ctx, DmaMemory& mem, IrqLine& irq, std::string label,
                wire::MacAddr perm_addr = {});
    ~E1000Device() override;
    E1000Device(const E1000Device&) = delete;
    E1000Device& operator=(const E1000Device&) = delete;

    // MmioBus: each access emits a Reg event (Layer::Nic) in the caller's context; a bad access
    // (unknown or read-only register, bad value) also emits a Warning, never an abort.
    uint32_t mmio_read(uint32_t offset) override;
    void mmio_write(uint32_t offset, uint32_t value) override;

    // The MAC's port: join it to a Link (Link's constructor takes it).
    LinkPort& port() { return m_port; }
    const std::string& label() const { return m_label; }
    ContextId context() const { return m_ctx; }
    // A register's value without side effects or trace (tests, the GUI's register view).
    uint32_t peek(uint32_t offset) const;
    std::span<const uint8_t> tx_states() const { return m_tx_states; }
    std::span<const uint8_t> rx_states() const { return m_rx_states; }
    const InterruptModerator& moderator() const { return m_moderator; }
    // CTRL.RST: all registers to their power-on values, engines stopped, line lowered.
    void reset();

  private:
    // ---- the register file: one row per register (e1000_device.cpp) ----
    enum class Access : uint8_t { RW, RO, WO, RC }; // RC: read returns and clears
    struct RegDef {
        std::string_view name;
        uint32_t offset;
        Access access;
        uint32_t (E1000Device::*read)(const RegDef&);
        void (E1000Device::*write)(const RegDef&, uint32_t);
    };
    static const RegDef kRegs[];
    static const RegDef* find_reg(uint32_t offset);
    uint32_t& mac(uint32_t offset) { return m_mac[offset / 4]; }
    uint32_t mac(uint32_t offset) const { return m_mac[offset / 4]; }
    void warn(std::string text);
    uint32_t status() const; // STATUS: full duplex, 1000 Mb/s, link up while a link is attached

    uint32_t rd_plain(const RegDef& r);
    uint32_t rd_status(const RegDef& r);
    uint32_t rd_write_only(const RegDef& r);
    void wr_plain(const RegDef& r, uint32_t v);
    void wr_read_only(const RegDef& r, uint32_t v);
    void wr_ctrl(const RegDef& r, uint32_t v);
    void wr_icr(const RegDef& r, uint32_t v);
    void wr_ics(const RegDef& r, uint32_t v);
    void wr_ims(const RegDef& r, uint32_t v);
    void wr_imc(const RegDef& r, uint32_t v);
    void wr_moderation(const RegDef& r, uint32_t v);
    void wr_rctl(const RegDef& r, uint32_t v);
    void wr_tctl(const RegDef& r, uint32_t v);
    void wr_dbal(const RegDef& r, uint32_t v);
    void wr_dlen(const RegDef& r, uint32_t v);
    void wr_dh(const RegDef& r, uint32_t v);
    void wr_tdt(const RegDef& r, uint32_t v);
    void wr_rdt(const RegDef& r, uint32_t v);

    // ---- rings (shared by tx.cpp and rx.cpp) ----
    struct RingRegs {
        uint32_t bal, bah, len, head, tail;
        const char* name;
    };
    static constexpr RingRegs kTxRing{e1000_regs::TDBAL, e1000_regs::TDBAH, e1000_regs::TDLEN,
                                      e1000_regs::TDH,   e1000_regs::TDT,   "tx_ring"};
    static constexpr RingRegs kRxRing{e1000_regs::RDBAL, e1000_regs::RDBAH, e1000_regs::RDLEN,
                                      e1000_regs::RDH,   e1000_regs::RDT,   "rx_ring"};
    uint32_t ring_count(const RingRegs& r) const { return mac(r.len) / e1000_regs::kDescSize; }
    uint64_t desc_addr(const RingRegs& r, uint32_t index) const;
    std::vector<uint8_t>& states(const RingRegs& r) {
        return r.head == e1000_regs::TDH ? m_tx_states : m_rx_states;
    }
    // Marks slots [old_tail, new_tail) Posted, after a tail write.
    void post_slots(const RingRegs& r, uint32_t old_tail, uint32_t new_tail);
    void set_state(const RingRegs& r, uint32_t index, DescState s);
    // A Ring event with head, tail and every slot's state (the driver's events carry its indices).
    void ring_event(const RingRegs& r, uint32_t flow = 0);
    // DMA with its modelled cost and a Dma event; false (and a Warning) outside mapped memory.
    bool dma_read(std::string_view purpose, uint64_t addr, std::span<uint8_t> out, uint32_t flow);
    bool dma_write(std::string_view purpose, uint64_t addr, std::span<const uint8_t> in, uint32_t flow);

    // ---- transmit (tx.cpp) ----
    void tx_kick(); // doorbell: start the engine unless it is running
    void tx_step(); // one descriptor, in the NIC's context
    void tx_send_frame();
    void tx_insert_checksum(); // CMD.IC: the checksum from CSS to the end, stored at CSO

    // ---- receive (rx.cpp) ----
    void rx_frame(std::vector<uint8_t> frame, uint32_t flow);
    bool rx_address_match(std::span<const uint8_t> frame) const;
    void stat_add(uint32_t reg, uint64_t n);

    // ---- interrupts (interrupts.cpp) ----
    void set_ics(uint32_t causes);
    void update_irq(); // asserts or deasserts the line from ICR & IMS and the moderator
    // A descriptor was written back: true when RXT0 / TXDW is due now; false when the delay
    // timers hold it (traced: Coalesce, Timer Arm), to be set by moderation_timer (interrupts.h).
    bool moderate_rx_writeback();
    bool moderate_tx_writeback(bool ide);
    void arm_moderation(); // one event at the next delay-timer expiry or ITR delivery time
    void moderation_timer();

    class Port final : public LinkPort {
      public:
        explicit Port(E1000Device& dev) : m_dev(dev) {}
        void receive_frame(std::vector<uint8_t> frame, uint32_t flow) override;

      private:
        E1000Device& m_dev;
    };

    Sim& m_sim;
    ContextId m_ctx;
    DmaMemory& m_mem;
    IrqLine& m_irq;
    std::string m_label;
    wire::MacAddr m_perm_addr;
    std::array<uint32_t, 0x6000 / 4> m_mac{};
    std::vector<uint8_t> m_tx_states, m_rx_states;
    InterruptModerator m_moderator;
    Port m_port;

    bool m_tx_running = false;
    std::vector<uint8_t> m_tx_frame; // bytes gathered from descriptors until EOP
    uint32_t m_tx_flow = 0;
    TimeNs m_tx_wire_free = 0; // when the wire has finished the last frame handed to it
    TimeNs m_tx_fifo_free = 0; // when the frame before it left: the one-frame FIFO has room
    bool m_tx_bad = false;     // a buffer of the frame could not be read: it is not sent
    struct TxCsum {
        bool insert = false;
        uint8_t cso = 0, css = 0;
    } m_tx_csum; // from the frame's descriptor with IC set
    Scheduler::EventId m_tx_event, m_mod_event;
    TimeNs m_mod_time = 0;  // when m_mod_event runs
    bool m_itr_held = false; // pending causes wait for the ITR interval (a Coalesce was traced)
};

} // namespace skbscope
