// Interrupt moderation of the 8254x: when a receive or transmit completion sets its cause in ICR,
// and when a pending, unmasked cause may assert the line. After the 8254x manual 3.2.7.1 (packet
// and absolute receive timers, figure 3-3) and the ITR, RDTR, RADV (13.4.31), TIDV and TADV
// register pages; QEMU hw/net/e1000.c models only part of it (RADV/TADV/ITR in its mit_timer).
// Pure state: E1000Device drives it and traces what it decides.
// SIMPLIFICATION: no RDTR.FPD/TIDV.FPD flush bits; the timers count in virtual ns, not in ticks.
#pragma once
#include <cstdint>
#include <limits>

#include "core/time/scheduler.h"

namespace skbscope {

// THE RULE (everything the NIC does to make several completions share one interrupt):
//   RDTR (units of 1.024 us): each frame written back restarts the packet timer; RXT0 is set in ICR
//         when it expires. RDTR == 0: RXT0 is set at once and RADV is not used.
//   RADV (units of 1.024 us): the first frame written back while RXT0 is not yet set starts the
//         absolute timer; later frames do not restart it, so it bounds the wait of a steady stream.
//         RXT0 is set by whichever of the two timers expires first; then both stop.
//   TIDV/TADV: the same pair for TXDW, for descriptors written back with IDE set in their command;
//         a descriptor without IDE (or TIDV == 0) sets TXDW at once.
//   ITR (units of 256 ns): the line is asserted no sooner than ITR * 256 ns after the previous
//         assertion, whatever the cause. Causes set in the meantime accumulate in ICR and the one
//         interrupt, when it comes, carries them all. ITR == 0: no minimum interval.
//   Other causes (TXQE, LSC, RXDMT0, RXO) have no delay timer: only ITR holds them back.
class InterruptModerator {
  public:
    static constexpr TimeNs kNever = std::numeric_limits<TimeNs>::max();
    static constexpr TimeNs kDelayUnitNs = 1024; // RDTR, RADV, TIDV, TADV
    static constexpr TimeNs kItrUnitNs = 256;    // ITR

    struct Regs {
        uint32_t itr = 0, rdtr = 0, radv = 0, tidv = 0, tadv = 0;
    };
    // One delay pair (RDTR/RADV or TIDV/TADV): when each timer expires, kNever when stopped.
    struct DelayTimers {
        TimeNs packet = kNever, absolute = kNever;
        bool armed() const { return packet != kNever || absolute != kNever; }
        TimeNs next() const { return packet < absolute ? packet : absolute; }
    };

    // A receive descriptor was written back at `now`. True: RXT0 is due at once (RDTR == 0);
    // false: it waits for the timers (restarted as the rule says).
    bool rx_writeback(TimeNs now) { return writeback(m_rx, regs.rdtr, regs.radv, now); }
    // A transmit descriptor with RS was written back; ide: its IDE command bit.
    bool tx_writeback(TimeNs now, bool ide) { return !ide || writeback(m_tx, regs.tidv, regs.tadv, now); }
    // The cause bits (rx_cause and/or tx_cause) whose timers have expired by `now`; those stop.
    uint32_t expire(TimeNs now, uint32_t rx_cause, uint32_t tx_cause) {
        uint32_t causes = 0;
        if (m_rx.armed() && m_rx.next() <= now) {
            causes |= rx_cause;
            m_rx = {};
        }
        if (m_tx.armed() && m_tx.next() <= now) {
            causes |= tx_cause;
            m_tx = {};
        }
        return causes;
    }
    // The earliest delay timer expiry, or kNever.
    TimeNs next_expiry() const {
        const TimeNs r = m_rx.next(), t = m_tx.next();
        return r < t ? r : t;
    }
    // ITR: the earliest time the line may be asserted; == now means at once.
    TimeNs delivery_time(TimeNs now) const {
        if (regs.itr == 0 || m_deliveries == 0) return now;
        const TimeNs earliest = m_last_delivery + TimeNs{regs.itr} * kItrUnitNs;
        return earliest > now ? earliest : now;
    }
    // The line was asserted at `now` (the ITR interval counts from here).
    void delivered(TimeNs now) {
        m_last_delivery = now;
        ++m_deliveries;
    }

    Regs regs; // written by the ITR/RDTR/RADV/TIDV/TADV handlers
    uint64_t deliveries() const { return m_deliveries; }
    TimeNs last_delivery() const { return m_last_delivery; }
    const DelayTimers& rx_timers() const { return m_rx; }
    const DelayTimers& tx_timers() const { return m_tx; }

  private:
    static bool writeback(DelayTimers& t, uint32_t delay, uint32_t abs_delay, TimeNs now) {
        if (delay == 0) return true;
        t.packet = now + TimeNs{delay} * kDelayUnitNs;
        if (t.absolute == kNever && abs_delay != 0) t.absolute = now + TimeNs{abs_delay} * kDelayUnitNs;
        return false;
    }

    DelayTimers m_rx, m_tx;
    TimeNs m_last_delivery = 0;
    uint64_t m_deliveries = 0;
};

} // namespace skbscope
