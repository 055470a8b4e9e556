// Interrupt causes and the interrupt line of the 8254x: ICR accumulates causes, IMS masks them,
// the line is asserted while ICR & IMS != 0 and the moderator allows it (8254x manual 13.4.17-21,
// QEMU hw/net/e1000.c set_interrupt_cause). Irq events: Raise (a cause set), Mask/Unmask (IMC/IMS
// writes), Coalesce (held by moderation), Deliver (line asserted), Lower (line deasserted).
// SIMPLIFICATION: one level-triggered legacy line (INTA); no MSI.
#include "core/time/sim.h"
#include "nic/device/e1000_device.h"

namespace skbscope {

using namespace e1000_regs;

static std::string cause_names(uint32_t causes) {
    static constexpr struct {
        uint32_t bit;
        const char* name;
    } kNames[] = {{ICR_TXDW, "TXDW"},     {ICR_TXQE, "TXQE"}, {ICR_LSC, "LSC"},  {0x08, "RXSEQ"},
                  {ICR_RXDMT0, "RXDMT0"}, {ICR_RXO, "RXO"},   {ICR_RXT0, "RXT0"}};
    std::string s;
    for (const auto& n : kNames)
        if (causes & n.bit) {
            if (!s.empty()) s += '|';
            s += n.name;
        }
    return s.empty() ? "ICS" : s;
}

void E1000Device::set_ics(uint32_t causes) {
    TRACE_FUNC(m_sim, nic_set_ics, nullptr, causes);
    mac(ICR) |= causes;
    m_sim.rec().irq(m_label, cause_names(causes), IrqOp::Raise, mac(ICR), mac(IMS), Layer::Nic);
    update_irq();
}

void E1000Device::update_irq() {
    const uint32_t pending = mac(ICR) & mac(IMS);
    if (!pending) {
        m_sim.cancel(m_mod_event);
        m_mod_event = {};
        if (m_irq.level()) {
            m_irq.lower();
            m_sim.rec().irq(m_label, "INTA", IrqOp::Lower, mac(ICR), mac(IMS), Layer::Nic);
        }
        return;
    }
    if (m_irq.level()) return; // already asserted
    const TimeNs now = m_sim.now();
    const TimeNs when = m_moderator.delivery_time(pending, now);
    if (when > now) {
        if (!m_sim.scheduler().pending(m_mod_event)) {
            m_sim.rec().irq(m_label, "INTA", IrqOp::Coalesce, mac(ICR), mac(IMS), Layer::Nic);
            m_mod_event = m_sim.at(when, m_ctx, [this] { moderation_timer(); });
        }
        return;
    }
    m_moderator.delivered(now);
    m_sim.rec().irq(m_label, "INTA", IrqOp::Deliver, mac(ICR), mac(IMS), Layer::Nic);
    m_irq.raise(); // the host's handler (connected by the lab) schedules the hardirq
}

void E1000Device::moderation_timer() {
    m_mod_event = {};
    update_irq();
}

} // namespace skbscope
