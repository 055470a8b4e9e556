// A full-duplex Ethernet link (a cable) joining two ports, with a speed and a propagation delay.
// Timing follows IEEE 802.3: each frame occupies the wire for preamble+SFD (8 bytes), the frame,
// the FCS (4 bytes) and the inter-frame gap (12 bytes).
// SIMPLIFICATION: frames carry no FCS bytes (as a Linux capture shows them): the FCS is counted in
// the timing only. No collisions, no autonegotiation. Impairments (a lesson's lossy link: loss,
// duplication, reordering, corruption, or one chosen frame dropped) are decided in one place,
// Link::fate(), from the link's own generator, seeded from the scenario's seed and the link's name.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time/rng.h"
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
    // A frame whose FCS does not match (the link corrupted it), at its arrival. A MAC discards
    // such a frame before anything above it sees it; the default does just that. (A device model
    // may count it, as an 8254x counts CRCERRS.)
    virtual void receive_bad_fcs_frame(std::vector<uint8_t> frame, uint32_t flow);

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

// What a link does to the frames of one direction. Probabilities are per frame, 0..1, each drawn
// on its own (a frame can be reordered and duplicated at once; a lost frame is nothing else).
struct LinkImpairments {
    double loss = 0;      // the frame vanishes (LINK_LOSS)
    double duplicate = 0; // a second copy arrives right behind the first
    double reorder = 0;   // the frame is held back reorder_delay, so the frames after it overtake it
    TimeNs reorder_delay = 1 * kNsPerMs;
    double corrupt = 0;   // one byte is flipped; the receiver's CRC check discards it (LINK_CORRUPT)
    bool any() const { return loss > 0 || duplicate > 0 || reorder > 0 || corrupt > 0; }
};

// Which frames a drop rule counts. tcp-data: TCP with payload; tcp-syn: SYN or SYN-ACK.
enum class FrameMatch : uint8_t { Any, TcpData, TcpSyn, Arp, Icmp, Udp };
std::string_view frame_match_name(FrameMatch m); // "any", "tcp-data", "tcp-syn", "arp", "icmp", "udp"
std::optional<FrameMatch> frame_match_from_name(std::string_view name);
bool frame_matches(FrameMatch m, std::span<const uint8_t> frame);

// Drops the nth frame (from 1) of one direction that matches: "the 3rd tcp-data A->B".
struct LinkDropRule {
    int from = 0; // the sending port: 0 = a_to_b, 1 = b_to_a
    FrameMatch match = FrameMatch::Any;
    uint64_t nth = 1;
};

struct LinkParams {
    uint64_t speed_bps = 1'000'000'000; // 1 Gbit/s
    // 1 us: about 200 m of cable. Small against a full frame's 12.3 us at 1 Gbit/s, but visible.
    TimeNs propagation_ns = 1 * kNsPerUs;
    LinkImpairments a_to_b, b_to_a; // from port 0 to port 1, and back
    std::vector<LinkDropRule> drops;
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
    // With impairments the Wire event's a3 (WireFate) tells the frame's fate, and:
    //   lost       a Note "LINK_LOSS: frame lost on A:eth0->R:eth0 (...)" at departure; no arrival.
    //   corrupted  at arrival a Note "LINK_CORRUPT: ..." and receive_bad_fcs_frame (flipped byte).
    //   reordered  a Note at departure; arrival (and the Wire event's a2) later by reorder_delay.
    //   duplicate  a Note and a second Wire event (WireFate::Duplicate) for the copy, arriving
    //              right behind the original (one wire time later).
    TimeNs transmit(int from, std::span<const uint8_t> frame, uint32_t flow);

    const std::string& name() const { return m_name; }
    const LinkParams& params() const { return m_params; }
    ContextId context() const { return m_ctx; }
    TimeNs busy_until(int port) const { return m_dir[port].busy_until; }
    uint64_t frames_sent(int port) const { return m_dir[port].frames; }
    uint64_t bytes_sent(int port) const { return m_dir[port].bytes; }
    // Frames the link lost (loss and drop rules) or corrupted, from a port.
    uint64_t frames_lost(int port) const { return m_dir[port].lost; }
    uint64_t frames_corrupted(int port) const { return m_dir[port].corrupted; }
    // "A:eth0->R:eth0" for port 0 (the link's name split at "<->"), "R:eth0->A:eth0" for port 1.
    std::string direction_name(int from) const;

  private:
    // What becomes of a frame on its way: the one place for loss, corruption, reordering and
    // duplication, drawn from the direction's generator and the drop rules.
    struct Fate {
        enum Kind { Deliver, Lost, Corrupted } kind = Deliver;
        TimeNs extra_delay = 0;     // reordering: held back this long
        bool duplicate = false;     // a second copy follows
        std::string why;            // for the trace: "rule: 3rd tcp-data", "loss 1%", ...
        size_t corrupt_byte = 0;    // corruption: frame[corrupt_byte] ^= corrupt_xor
        uint8_t corrupt_xor = 0;
    };
    Fate fate(int from, std::span<const uint8_t> frame);

    struct Direction {
        TimeNs busy_until = 0;
        uint64_t frames = 0, bytes = 0;
        uint64_t lost = 0, corrupted = 0;
        Rng rng;                              // this direction's impairments only
        std::vector<uint64_t> rule_counts;    // matching frames seen, per drop rule
    };
    Sim& m_sim;
    ContextId m_ctx;
    std::string m_name;
    LinkPort* m_ports[2];
    LinkParams m_params;
    Direction m_dir[2];
};

} // namespace skbscope
