// The seam between a driver and a device: 32-bit register reads and writes at offsets in the
// device's MMIO BAR, and the interrupt line. The driver holds an MmioBus&, the device implements
// it; the driver never sees the device's class (QEMU's MemoryRegionOps in miniature). Register
// accesses are traced by the device (it knows the register names), in the caller's context.
#pragma once
#include <cstdint>
#include <functional>

namespace skbscope {

class MmioBus {
public:
    virtual ~MmioBus() = default;
    virtual uint32_t mmio_read(uint32_t offset) = 0;
    virtual void mmio_write(uint32_t offset, uint32_t value) = 0;
};

// A level-triggered interrupt line from a device to a host's interrupt controller. The device
// raises it; the host's handler (set by request_irq) is run in the host's hardirq context.
class IrqLine {
public:
    using Handler = std::function<void()>;
    // The host side: what to do when the line is asserted (schedule the hardirq handler).
    void connect(Handler on_assert) { m_on_assert = std::move(on_assert); }
    void raise() {
        bool was = m_level;
        m_level = true;
        if (!was && m_on_assert) m_on_assert();
    }
    void lower() { m_level = false; }
    bool level() const { return m_level; }

private:
    Handler m_on_assert;
    bool m_level = false;
};

} // namespace skbscope
