// A fake NIC register window for driver tests: logs every read and write, returns the last value
// written (or one a test planted), and clears read-to-clear registers (ICR) on read.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/hw/mmio.h"

namespace skbscope::test {

class FakeMmio final : public MmioBus {
  public:
    struct Access {
        bool write;
        uint32_t offset;
        uint32_t value;
    };

    uint32_t mmio_read(uint32_t offset) override {
        const uint32_t v = regs[offset];
        if (read_clear.count(offset)) regs[offset] = 0;
        log.push_back({false, offset, v});
        return v;
    }
    void mmio_write(uint32_t offset, uint32_t value) override {
        log.push_back({true, offset, value});
        regs[offset] = value;
    }

    std::vector<uint32_t> writes_to(uint32_t offset) const {
        std::vector<uint32_t> out;
        for (const Access& a : log)
            if (a.write && a.offset == offset) out.push_back(a.value);
        return out;
    }
    std::optional<uint32_t> last_write(uint32_t offset) const {
        auto w = writes_to(offset);
        if (w.empty()) return std::nullopt;
        return w.back();
    }
    // Index in the log of the last write to offset, or -1.
    int last_write_index(uint32_t offset) const {
        for (int i = static_cast<int>(log.size()) - 1; i >= 0; --i)
            if (log[i].write && log[i].offset == offset) return i;
        return -1;
    }

    std::map<uint32_t, uint32_t> regs;
    std::set<uint32_t> read_clear{0x00C0}; // ICR
    std::vector<Access> log;
};

} // namespace skbscope::test
