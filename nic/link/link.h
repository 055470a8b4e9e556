// A full-duplex Ethernet link (a cable) joining two ports, with a speed and a propagation delay.
// Timing follows IEEE 802.3: each frame occupies the wire for preamble+SFD (8 bytes), the frame,
// the FCS (4 bytes) and the inter-frame gap (12 bytes).
// SIMPLIFICATION: frames carry no FCS bytes (as a Linux capture shows them): the FCS is counted in
// the timing only. No collisions, no autonegotiation. Loss, corruption and reordering go into one
// hook, Link::fate(), which delivers every frame for now (later issue: link impairments).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/time/scheduler.h"

namespace skbscope {

class Sim;
class Link;

// One end of a link: a NIC's MAC (the device's port adapter), a pcap replay/record port, ...
// A port knows nothing of what is behind the other end.
class LinkPort {
  public:
    virtual ~LinkPort();
    // Called in the link's context at the time the last bit of a frame reaches this port.
    virtual void receive_frame(std::vector<uint8_t> frame, uint32_t flow) = 0;

    // True while a link is attached (the PHY sees a carrier).
    bool carrier() const { return m_link != nullptr; }
    // Puts a frame on the wire from this port, starting at the caller's now (or when the port's
    // previous frame has left). Returns the time the port may start its next frame. Without a link
    // the frame is lost (no carrier) and the port is free at once.
    TimeNs transmit(std::span<const uint8_t> frame, uint32_t flow);
    Link* link() const { return m_link; }
    int index() const { return m_index; }

  private:
    friend class Link;
    Link* m_link = nullptr;
    int m_index = 0;
};

struct LinkParams {
    uint64_t speed_bps = 1'000'000'000; // 1 Gbit/s
    // 1 us: about 200 m of cable. Small against a full frame's 12.3 us at 1 Gbit/s, but visible.
    TimeNs propagation_ns = 1 * kNsPerUs;
};

class Link {
  public:
    static constexpr uint32_t kPreambleBytes = 8; // preamble + start frame delimiter
    static constexpr uint32_t kFcsBytes = 4;
    static constexpr uint32_t kIfgBytes = 12; // inter-frame gap

    // Joins ports a (index 0) and b (index 1). ctx is the link's own context (ContextKind::Link),
    // name its instance name in the trace, e.g. "A:eth0<->R:eth0".
    Link(Sim& sim, ContextId ctx, std::string name, LinkPort& a, LinkPort& b, LinkParams params = {});
    ~Link(); // detaches both ports (they lose carrier)
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;

    // Time the frame's bits take on the wire: (8 + frame_len + 4) * 8 / speed, rounded up to ns.
    static TimeNs serialization_ns(size_t frame_len, uint64_t speed_bps);
    // How long the sending port is busy: (8 + frame_len + 4 + 12) * 8 / speed, rounded up to ns.
    // At 1 Gbit/s a minimum frame (60 bytes + FCS) takes (8 + 60 + 4 + 12) * 8 = 672 ns.
    static TimeNs wire_time_ns(size_t frame_len, uint64_t speed_bps);

    // Sends a frame from port `from` (0 or 1). It departs at max(now, the port's busy_until):
    // a Wire event (arrival = departure + serialization + propagation) is recorded at departure in
    // the link's context, and the other port's receive_frame runs at arrival, in the link's
    // context. Returns the new busy_until of the port. Full duplex: each direction has its own.
    TimeNs transmit(int from, std::span<const uint8_t> frame, uint32_t flow);

    const std::string& name() const { return m_name; }
    const LinkParams& params() const { return m_params; }
    ContextId context() const { return m_ctx; }
    TimeNs busy_until(int port) const { return m_dir[port].busy_until; }
    uint64_t frames_sent(int port) const { return m_dir[port].frames; }
    uint64_t bytes_sent(int port) const { return m_dir[port].bytes; }

  private:
    // What becomes of a frame on its way. The one place for loss, corruption and reordering.
    enum class Fate { Deliver };
    Fate fate(int from, std::vector<uint8_t>& frame);

    struct Direction {
        TimeNs busy_until = 0;
        uint64_t frames = 0, bytes = 0;
    };
    Sim& m_sim;
    ContextId m_ctx;
    std::string m_name;
    LinkPort* m_ports[2];
    LinkParams m_params;
    Direction m_dir[2];
};

} // namespace skbscope
