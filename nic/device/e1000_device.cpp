// The 8254x register file as a table (one row per register: name, offset, access, handlers), the
// way QEMU hw/net/e1000.c keeps its macreg_readops/macreg_writeops, plus the ring and DMA helpers
// the TX and RX engines share. A bad register access is stored as hardware would and reported as a
// Warning event (QEMU logs it), never an abort.
// SIMPLIFICATION: only the registers a legacy-descriptor driver uses; 32-bit statistics (no GORCH).
#include "nic/device/e1000_device.h"

#include <cstdio>
#include <iterator>

#include "core/time/sim.h"

namespace skbscope {

using namespace e1000_regs;
using D = E1000Device;

// clang-format off
const E1000Device::RegDef E1000Device::kRegs[] = {
    {"CTRL",   CTRL,   Access::RW, &D::rd_plain,      &D::wr_ctrl},
    {"STATUS", STATUS, Access::RO, &D::rd_status,     &D::wr_read_only},
    {"ICR",    ICR,    Access::RC, &D::rd_plain,      &D::wr_icr},
    {"ITR",    ITR,    Access::RW, &D::rd_plain,      &D::wr_moderation},
    {"ICS",    ICS,    Access::WO, &D::rd_write_only, &D::wr_ics},
    {"IMS",    IMS,    Access::RW, &D::rd_plain,      &D::wr_ims},
    {"IMC",    IMC,    Access::WO, &D::rd_write_only, &D::wr_imc},
    {"RCTL",   RCTL,   Access::RW, &D::rd_plain,      &D::wr_rctl},
    {"TCTL",   TCTL,   Access::RW, &D::rd_plain,      &D::wr_tctl},
    {"RDBAL",  RDBAL,  Access::RW, &D::rd_plain,      &D::wr_dbal},
    {"RDBAH",  RDBAH,  Access::RW, &D::rd_plain,      &D::wr_plain},
    {"RDLEN",  RDLEN,  Access::RW, &D::rd_plain,      &D::wr_dlen},
    {"RDH",    RDH,    Access::RW, &D::rd_plain,      &D::wr_dh},
    {"RDT",    RDT,    Access::RW, &D::rd_plain,      &D::wr_rdt},
    {"RDTR",   RDTR,   Access::RW, &D::rd_plain,      &D::wr_moderation},
    {"RADV",   RADV,   Access::RW, &D::rd_plain,      &D::wr_moderation},
    {"TDBAL",  TDBAL,  Access::RW, &D::rd_plain,      &D::wr_dbal},
    {"TDBAH",  TDBAH,  Access::RW, &D::rd_plain,      &D::wr_plain},
    {"TDLEN",  TDLEN,  Access::RW, &D::rd_plain,      &D::wr_dlen},
    {"TDH",    TDH,    Access::RW, &D::rd_plain,      &D::wr_dh},
    {"TDT",    TDT,    Access::RW, &D::rd_plain,      &D::wr_tdt},
    {"TIDV",   TIDV,   Access::RW, &D::rd_plain,      &D::wr_moderation},
    {"TADV",   TADV,   Access::RW, &D::rd_plain,      &D::wr_moderation},
    {"MPC",    MPC,    Access::RC, &D::rd_plain,      &D::wr_read_only},
    {"GPRC",   GPRC,   Access::RC, &D::rd_plain,      &D::wr_read_only},
    {"GPTC",   GPTC,   Access::RC, &D::rd_plain,      &D::wr_read_only},
    {"GORCL",  GORCL,  Access::RC, &D::rd_plain,      &D::wr_read_only},
    {"GOTCL",  GOTCL,  Access::RC, &D::rd_plain,      &D::wr_read_only},
    {"RNBC",   RNBC,   Access::RC, &D::rd_plain,      &D::wr_read_only},
    {"TPR",    TPR,    Access::RC, &D::rd_plain,      &D::wr_read_only},
    {"TPT",    TPT,    Access::RC, &D::rd_plain,      &D::wr_read_only},
    {"RAL0",   RAL0,   Access::RW, &D::rd_plain,      &D::wr_plain},
    {"RAH0",   RAH0,   Access::RW, &D::rd_plain,      &D::wr_plain},
};
// clang-format on

static std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

E1000Device::E1000Device(Sim& sim, ContextId nic_ctx, DmaMemory& mem, IrqLine& irq, std::string label,
                         wire::MacAddr perm_addr)
    : m_sim(sim), m_ctx(nic_ctx), m_mem(mem), m_irq(irq), m_label(std::move(label)), m_perm_addr(perm_addr),
      m_port(*this) {
    reset();
}

E1000Device::~E1000Device() {
    m_sim.cancel(m_tx_event);
    m_sim.cancel(m_mod_event);
}

void E1000Device::reset() {
    m_sim.cancel(m_tx_event);
    m_sim.cancel(m_mod_event);
    m_mac.fill(0);
    mac(CTRL) = CTRL_FD | CTRL_SLU;
    if (!m_perm_addr.is_zero()) {
        const auto& b = m_perm_addr.bytes;
        mac(RAL0) = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t{b[3]} << 24);
        mac(RAH0) = b[4] | (b[5] << 8) | RAH_AV;
    }
    m_tx_states.clear();
    m_rx_states.clear();
    m_moderator = InterruptModerator{};
    m_mod_event = {};
    m_itr_held = false;
    m_tx_running = false;
    m_tx_frame.clear();
    m_tx_flow = 0;
    m_tx_bad = false;
    m_tx_csum = {};
    m_tx_wire_free = 0;
    m_tx_fifo_free = 0;
    m_irq.lower();
}

const E1000Device::RegDef* E1000Device::find_reg(uint32_t offset) {
    for (const RegDef& r : kRegs)
        if (r.offset == offset) return &r;
    return nullptr;
}

uint32_t E1000Device::peek(uint32_t offset) const {
    if (offset == STATUS) return status();
    return offset / 4 < m_mac.size() ? mac(offset & ~3u) : 0;
}

uint32_t E1000Device::status() const {
    return STATUS_FD | STATUS_SPEED_1000 | (m_port.carrier() ? STATUS_LU : 0);
}

void E1000Device::warn(std::string text) {
    m_sim.rec().warning(m_label + ": " + text, Layer::Nic);
}

uint32_t E1000Device::mmio_read(uint32_t offset) {
    const RegDef* r = find_reg(offset);
    if (!r) {
        m_sim.rec().reg(m_label, "reg " + hex(offset), RegAccess::Read, offset, 0, Layer::Nic);
        warn("read of unknown register " + hex(offset) + " returns 0");
        return 0;
    }
    const uint32_t v = (this->*r->read)(*r);
    m_sim.rec().reg(m_label, r->name, RegAccess::Read, offset, v, Layer::Nic);
    if (r->access == Access::RC) {
        mac(offset) = 0;
        if (offset == ICR) update_irq(); // reading ICR acknowledges: the line goes down
    }
    return v;
}

void E1000Device::mmio_write(uint32_t offset, uint32_t value) {
    const RegDef* r = find_reg(offset);
    if (!r) {
        m_sim.rec().reg(m_label, "reg " + hex(offset), RegAccess::Write, offset, value, Layer::Nic);
        warn("write of " + hex(value) + " to unknown register " + hex(offset) + " ignored");
        return;
    }
    m_sim.rec().reg(m_label, r->name, RegAccess::Write, offset, value, Layer::Nic);
    (this->*r->write)(*r, value);
}

// ---- read handlers ----
uint32_t E1000Device::rd_plain(const RegDef& r) {
    return mac(r.offset);
}

uint32_t E1000Device::rd_status(const RegDef&) {
    return status();
}

uint32_t E1000Device::rd_write_only(const RegDef& r) {
    warn(std::string("read of write-only register ") + std::string(r.name) + " returns 0");
    return 0;
}

// ---- write handlers ----
void E1000Device::wr_plain(const RegDef& r, uint32_t v) {
    mac(r.offset) = v;
}

void E1000Device::wr_read_only(const RegDef& r, uint32_t v) {
    warn("write of " + hex(v) + " to read-only register " + std::string(r.name) + " ignored");
}

void E1000Device::wr_ctrl(const RegDef& r, uint32_t v) {
    if (v & CTRL_RST) {
        m_sim.rec().note(m_label + ": CTRL.RST: the NIC resets every register and stops its engines",
                         Layer::Nic);
        reset();
        return; // RST self-clears
    }
    mac(r.offset) = v;
}

void E1000Device::wr_icr(const RegDef& r, uint32_t v) {
    mac(r.offset) &= ~v; // writing 1s clears those causes
    update_irq();
}

void E1000Device::wr_ics(const RegDef&, uint32_t v) {
    set_ics(v);
}

void E1000Device::wr_ims(const RegDef&, uint32_t v) {
    mac(IMS) |= v;
    m_sim.rec().irq(m_label, "IMS", IrqOp::Unmask, mac(ICR), mac(IMS), Layer::Nic);
    update_irq();
}

void E1000Device::wr_imc(const RegDef&, uint32_t v) {
    mac(IMS) &= ~v;
    m_sim.rec().irq(m_label, "IMC", IrqOp::Mask, mac(ICR), mac(IMS), Layer::Nic);
    update_irq();
}

void E1000Device::wr_moderation(const RegDef& r, uint32_t v) {
    v &= 0xFFFF;
    mac(r.offset) = v;
    auto& m = m_moderator.regs;
    switch (r.offset) {
    case ITR:
        m.itr = v;
        break;
    case RDTR:
        m.rdtr = v;
        break;
    case RADV:
        m.radv = v;
        break;
    case TIDV:
        m.tidv = v;
        break;
    case TADV:
        m.tadv = v;
        break;
    default:
        break;
    }
}

void E1000Device::wr_rctl(const RegDef& r, uint32_t v) {
    if ((v & RCTL_BSEX) && (v & RCTL_BSIZE_MASK) == 0)
        warn("RCTL: BSEX with BSIZE 00 is reserved; the NIC uses 2048-byte buffers");
    mac(r.offset) = v;
}

void E1000Device::wr_tctl(const RegDef& r, uint32_t v) {
    const bool was_on = mac(r.offset) & TCTL_EN;
    mac(r.offset) = v;
    if (!was_on && (v & TCTL_EN)) tx_kick();
}

void E1000Device::wr_dbal(const RegDef& r, uint32_t v) {
    if (v & 0xF)
        warn(std::string(r.name) + " " + hex(v) + " is not 16-byte aligned: the low 4 bits are ignored");
    mac(r.offset) = v & ~0xFu;
}

void E1000Device::wr_dlen(const RegDef& r, uint32_t v) {
    const uint32_t stored = v & 0xFFF80; // bits 19:7: a multiple of 128 bytes (8 descriptors)
    if (stored != v)
        warn(std::string(r.name) + " " + hex(v) + " is not a multiple of 128 bytes: the NIC uses " +
             hex(stored));
    mac(r.offset) = stored;
    const RingRegs& ring = r.offset == TDLEN ? kTxRing : kRxRing;
    states(ring).assign(ring_count(ring), static_cast<uint8_t>(DescState::Empty));
    ring_event(ring);
}

void E1000Device::wr_dh(const RegDef& r, uint32_t v) {
    const RingRegs& ring = r.offset == TDH ? kTxRing : kRxRing;
    mac(r.offset) = v & 0xFFFF;
    if ((v & 0xFFFF) >= ring_count(ring) && ring_count(ring) != 0)
        warn(std::string(r.name) + " " + std::to_string(v) + " is beyond the ring (" +
             std::to_string(ring_count(ring)) + " descriptors)");
    ring_event(ring);
}

void E1000Device::wr_tdt(const RegDef& r, uint32_t v) {
    const uint32_t old = mac(TDT);
    mac(r.offset) = v & 0xFFFF;
    if ((v & 0xFFFF) >= ring_count(kTxRing))
        warn("TDT " + std::to_string(v) + " is beyond the ring (" + std::to_string(ring_count(kTxRing)) +
             " descriptors)");
    post_slots(kTxRing, old, mac(TDT));
    ring_event(kTxRing);
    tx_kick();
}

void E1000Device::wr_rdt(const RegDef& r, uint32_t v) {
    const uint32_t old = mac(RDT);
    mac(r.offset) = v & 0xFFFF;
    if ((v & 0xFFFF) >= ring_count(kRxRing))
        warn("RDT " + std::to_string(v) + " is beyond the ring (" + std::to_string(ring_count(kRxRing)) +
             " descriptors)");
    post_slots(kRxRing, old, mac(RDT));
    ring_event(kRxRing);
}

// ---- rings and DMA ----
uint64_t E1000Device::desc_addr(const RingRegs& r, uint32_t index) const {
    const uint64_t base = (uint64_t{mac(r.bah)} << 32) | mac(r.bal);
    return base + uint64_t{index} * kDescSize;
}

void E1000Device::post_slots(const RingRegs& r, uint32_t old_tail, uint32_t new_tail) {
    const uint32_t n = ring_count(r);
    if (n == 0 || old_tail >= n || new_tail >= n) return;
    for (uint32_t i = old_tail; i != new_tail; i = (i + 1) % n)
        set_state(r, i, DescState::Posted);
}

void E1000Device::set_state(const RingRegs& r, uint32_t index, DescState s) {
    auto& st = states(r);
    if (index < st.size()) st[index] = static_cast<uint8_t>(s);
}

void E1000Device::ring_event(const RingRegs& r, uint32_t flow) {
    m_sim.rec().ring(r.name, m_label, -1, -1, mac(r.head), mac(r.tail), states(r), flow);
}

bool E1000Device::dma_read(std::string_view purpose, uint64_t addr, std::span<uint8_t> out, uint32_t flow) {
    m_sim.charge(dma_ns(true, out.size()));
    if (!m_mem.read(addr, out)) {
        warn("DMA read of " + std::to_string(out.size()) + " bytes at " + hex(addr) + " (" +
             std::string(purpose) + ") is outside mapped memory");
        return false;
    }
    m_sim.rec().dma(m_label, purpose, DmaDir::ToDevice, addr, out, flow);
    return true;
}

bool E1000Device::dma_write(std::string_view purpose, uint64_t addr, std::span<const uint8_t> in,
                            uint32_t flow) {
    m_sim.charge(dma_ns(false, in.size()));
    if (!m_mem.write(addr, in)) {
        warn("DMA write of " + std::to_string(in.size()) + " bytes at " + hex(addr) + " (" +
             std::string(purpose) + ") is outside mapped memory");
        return false;
    }
    m_sim.rec().dma(m_label, purpose, DmaDir::FromDevice, addr, in, flow);
    return true;
}

void E1000Device::stat_add(uint32_t reg, uint64_t n) {
    const uint64_t v = uint64_t{mac(reg)} + n;
    mac(reg) = v > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(v); // statistics saturate
}

} // namespace skbscope
