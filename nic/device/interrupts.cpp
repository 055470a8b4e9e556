// Interrupt causes and the line of the 8254x: ICR accumulates causes, IMS masks them, the line is
// asserted while ICR & IMS != 0 and InterruptModerator allows it (its rule: interrupts.h; QEMU
// hw/net/e1000.c set_interrupt_cause). Irq events: Raise, Mask/Unmask (IMC/IMS), Coalesce (a cause
// held: "RXT0"/"TXDW" by delay timers, "INTA" by ITR), Deliver (a1 = the ICR causes carried),
// Lower; Timer Arm/Fire for RDTR, RADV, TIDV, TADV, ITR.
// SIMPLIFICATION: one level-triggered legacy line (INTA); no MSI.
#include <algorithm>

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

bool E1000Device::moderate_rx_writeback() {
    const TimeNs now = m_sim.now();
    const bool was_armed = m_moderator.rx_timers().armed();
    const TimeNs abs_before = m_moderator.rx_timers().absolute;
    if (m_moderator.rx_writeback(now)) return true;
    const auto& t = m_moderator.rx_timers();
    if (!was_armed) m_sim.rec().irq(m_label, "RXT0", IrqOp::Coalesce, mac(ICR), mac(IMS), Layer::Nic);
    m_sim.rec().timer(m_label, "RDTR", TimerOp::Arm, t.packet, Layer::Nic);
    if (t.absolute != abs_before) m_sim.rec().timer(m_label, "RADV", TimerOp::Arm, t.absolute, Layer::Nic);
    arm_moderation();
    return false;
}

bool E1000Device::moderate_tx_writeback(bool ide) {
    const TimeNs now = m_sim.now();
    const bool was_armed = m_moderator.tx_timers().armed();
    const TimeNs abs_before = m_moderator.tx_timers().absolute;
    if (m_moderator.tx_writeback(now, ide)) return true;
    const auto& t = m_moderator.tx_timers();
    if (!was_armed) m_sim.rec().irq(m_label, "TXDW", IrqOp::Coalesce, mac(ICR), mac(IMS), Layer::Nic);
    m_sim.rec().timer(m_label, "TIDV", TimerOp::Arm, t.packet, Layer::Nic);
    if (t.absolute != abs_before) m_sim.rec().timer(m_label, "TADV", TimerOp::Arm, t.absolute, Layer::Nic);
    arm_moderation();
    return false;
}

void E1000Device::update_irq() {
    const uint32_t pending = mac(ICR) & mac(IMS);
    if (!pending) {
        m_itr_held = false;
        if (m_irq.level()) {
            m_irq.lower();
            m_sim.rec().irq(m_label, "INTA", IrqOp::Lower, mac(ICR), mac(IMS), Layer::Nic);
        }
        arm_moderation();
        return;
    }
    if (m_irq.level()) return; // already asserted
    const TimeNs now = m_sim.now();
    const TimeNs when = m_moderator.delivery_time(now);
    if (when > now) {
        if (!m_itr_held) {
            m_itr_held = true;
            m_sim.rec().irq(m_label, "INTA", IrqOp::Coalesce, mac(ICR), mac(IMS), Layer::Nic);
            m_sim.rec().timer(m_label, "ITR", TimerOp::Arm, when, Layer::Nic);
        }
        arm_moderation();
        return;
    }
    if (m_itr_held) {
        m_itr_held = false;
        m_sim.rec().timer(m_label, "ITR", TimerOp::Fire, now, Layer::Nic);
    }
    m_moderator.delivered(now);
    m_sim.rec().irq(m_label, "INTA", IrqOp::Deliver, mac(ICR), mac(IMS), Layer::Nic);
    arm_moderation();
    m_irq.raise(); // the host's handler (connected by the lab) schedules the hardirq
}

void E1000Device::arm_moderation() {
    TimeNs when = m_moderator.next_expiry();
    if (m_itr_held) when = std::min(when, m_moderator.delivery_time(m_sim.now()));
    if (when == InterruptModerator::kNever) {
        m_sim.cancel(m_mod_event);
        m_mod_event = {};
        return;
    }
    if (m_sim.scheduler().pending(m_mod_event) && m_mod_time == when) return;
    m_sim.cancel(m_mod_event);
    m_mod_time = when;
    m_mod_event = m_sim.at(when, m_ctx, [this] { moderation_timer(); });
}

void E1000Device::moderation_timer() {
    m_mod_event = {};
    const TimeNs now = m_sim.now();
    auto fired = [&](const InterruptModerator::DelayTimers& t, const char* pkt, const char* abs) {
        if (t.armed() && t.next() <= now)
            m_sim.rec().timer(m_label, t.packet <= t.absolute ? pkt : abs, TimerOp::Fire, t.next(),
                              Layer::Nic);
    };
    fired(m_moderator.rx_timers(), "RDTR", "RADV");
    fired(m_moderator.tx_timers(), "TIDV", "TADV");
    const uint32_t causes = m_moderator.expire(now, ICR_RXT0, ICR_TXDW);
    if (causes)
        set_ics(causes);
    else
        update_irq();
}

} // namespace skbscope
