// A fake link port for device and link tests: records every frame that reaches it, with its packet
// id and the time it arrived.
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
    std::vector<Frame> frames;

  private:
    Sim& m_sim;
};

} // namespace skbscope::test
