// A fake link port for device and link tests: records every frame that reaches it, with its packet
// id and the time it arrived (and, apart, those that arrive with a bad FCS).
#pragma once
#include <cstdint>
#include <vector>

#include "core/time/sim.h"
#include "nic/link/link.h"

namespace skbscope::test {

class FakeLinkPort final : public LinkPort {
  public:
    struct Frame {
        std::vector<uint8_t> bytes;
        uint32_t flow;
        TimeNs time;
    };
    explicit FakeLinkPort(Sim& sim) : m_sim(sim) {}
    void receive_frame(std::vector<uint8_t> frame, uint32_t flow) override {
        frames.push_back({std::move(frame), flow, m_sim.now()});
    }
    // Frames that arrived with a bad FCS (a real MAC would discard them).
    void receive_bad_fcs_frame(std::vector<uint8_t> frame, uint32_t flow) override {
        bad_fcs.push_back({std::move(frame), flow, m_sim.now()});
    }
    std::vector<Frame> frames;
    std::vector<Frame> bad_fcs;

  private:
    Sim& m_sim;
};

} // namespace skbscope::test
