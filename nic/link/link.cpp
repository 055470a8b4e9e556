// The link: wire timing, the Wire trace event at departure and delivery at arrival.
// Models a point-to-point full-duplex 802.3 segment (no hub, no collisions, no PHY autoneg).
// SIMPLIFICATION: every frame arrives (fate() is the hook for loss, corruption and reordering).
#include "nic/link/link.h"

#include <algorithm>

#include "core/time/sim.h"
#include "core/util/assert.h"

namespace skbscope {

LinkPort::~LinkPort() = default;

TimeNs LinkPort::transmit(std::span<const uint8_t> frame, uint32_t flow) {
    if (m_link) return m_link->transmit(m_index, frame, flow);
    return 0; // no carrier: the frame is lost, the port is free at once (callers take max with now)
}

Link::Link(Sim& sim, ContextId ctx, std::string name, LinkPort& a, LinkPort& b, LinkParams params)
    : m_sim(sim), m_ctx(ctx), m_name(std::move(name)), m_ports{&a, &b}, m_params(params) {
    SKB_ASSERT(&a != &b);
    SKB_ASSERT(a.m_link == nullptr && b.m_link == nullptr);
    SKB_ASSERT(m_params.speed_bps > 0);
    a.m_link = this;
    a.m_index = 0;
    b.m_link = this;
    b.m_index = 1;
}

Link::~Link() {
    for (LinkPort* p : m_ports)
        p->m_link = nullptr;
}

static TimeNs bits_to_ns(uint64_t bits, uint64_t speed_bps) {
    return (bits * kNsPerSec + speed_bps - 1) / speed_bps;
}

TimeNs Link::serialization_ns(size_t frame_len, uint64_t speed_bps) {
    return bits_to_ns((kPreambleBytes + frame_len + kFcsBytes) * 8, speed_bps);
}

TimeNs Link::wire_time_ns(size_t frame_len, uint64_t speed_bps) {
    return bits_to_ns((kPreambleBytes + frame_len + kFcsBytes + kIfgBytes) * 8, speed_bps);
}

Link::Fate Link::fate(int /*from*/, std::vector<uint8_t>& /*frame*/) {
    // TODO(#3, link impairments): seeded loss (DropReason::LinkLoss), corruption
    // (DropReason::LinkCorrupt, the receiver's CRC check discards) and reordering, drawn from
    // m_sim.rng() so a scenario's seed fixes them.
    return Fate::Deliver;
}

TimeNs Link::transmit(int from, std::span<const uint8_t> frame, uint32_t flow) {
    SKB_ASSERT(from == 0 || from == 1);
    Direction& d = m_dir[from];
    const TimeNs start = std::max(m_sim.now(), d.busy_until);
    const TimeNs arrival =
        start + serialization_ns(frame.size(), m_params.speed_bps) + m_params.propagation_ns;
    d.busy_until = start + wire_time_ns(frame.size(), m_params.speed_bps);
    ++d.frames;
    d.bytes += frame.size();

    auto bytes = std::make_shared<std::vector<uint8_t>>(frame.begin(), frame.end());
    m_sim.at(start, m_ctx, [this, from, bytes, flow, arrival] {
        m_sim.rec().wire(m_name, *bytes, from, arrival, flow);
        if (fate(from, *bytes) != Fate::Deliver) return;
        m_sim.at(arrival, m_ctx,
                 [this, from, bytes, flow] { m_ports[1 - from]->receive_frame(std::move(*bytes), flow); });
    });
    return d.busy_until;
}

} // namespace skbscope
