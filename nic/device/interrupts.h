// Interrupt moderation of the 8254x: when a pending, unmasked cause may reach the host.
// Mirrors the ITR/RDTR/RADV/TIDV/TADV logic of QEMU hw/net/e1000.c (mit_* timers) and the 8254x
// manual 13.4.18-13.4.22 and 13.4.39-13.4.40.
// SIMPLIFICATION: only immediate delivery is implemented; the registers are stored (later issue:
// interrupt coalescing).
#pragma once
#include <cstdint>

#include "core/time/scheduler.h"

namespace skbscope {

// THE RULE (what the coalescing issue implements here, nowhere else):
//   ITR:  at most one interrupt per ITR * 256 ns; a cause set earlier waits for the interval.
//   RDTR: RXT0 waits RDTR * 1.024 us after the last frame (each new frame restarts the wait),
//   RADV: but no longer than RADV * 1.024 us after the first undelivered frame.
//   TIDV/TADV: the same pair for TXDW, for descriptors written with IDE set.
// Today every register is 0 in effect: an unmasked cause is delivered at once.
class InterruptModerator {
  public:
    struct Regs {
        uint32_t itr = 0, rdtr = 0, radv = 0, tidv = 0, tadv = 0;
    };

    // The earliest time the causes (already unmasked) may be delivered; == now means at once.
    TimeNs delivery_time(uint32_t causes, TimeNs now) const {
        (void)causes;
        return now;
    }
    // The line was asserted at `now` (the ITR interval counts from here).
    void delivered(TimeNs now) {
        m_last_delivery = now;
        ++m_deliveries;
    }

    Regs regs; // written by the ITR/RDTR/RADV/TIDV/TADV handlers
    uint64_t deliveries() const { return m_deliveries; }
    TimeNs last_delivery() const { return m_last_delivery; }

  private:
    TimeNs m_last_delivery = 0;
    uint64_t m_deliveries = 0;
};

} // namespace skbscope
