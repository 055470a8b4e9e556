// The link: wire timing, the Wire trace event at departure, delivery at arrival, and the
// impairments a scenario asks for (fate()).
// Models a point-to-point full-duplex 802.3 segment (no hub, no collisions, no PHY autoneg).
// SIMPLIFICATION: impairments are a lab's knobs, not physics: a duplicate copy takes no wire
// time from the sender; a reordered frame is simply held back; a corrupted frame has one byte
// flipped and is discarded by the receiving MAC's CRC check (receive_bad_fcs_frame), as any
// single-byte error would be.
#include "nic/link/link.h"

#include <algorithm>
#include <cstdio>

#include "core/time/sim.h"
#include "core/util/assert.h"
#include "core/wire/ethernet.h"
#include "core/wire/ipv4.h"
#include "core/wire/tcp.h"

namespace skbscope {

LinkPort::~LinkPort() = default;

void LinkPort::receive_bad_fcs_frame(std::vector<uint8_t> /*frame*/, uint32_t /*flow*/) {}

TimeNs LinkPort::transmit(std::span<const uint8_t> frame, uint32_t flow) {
    if (m_link) return m_link->transmit(m_index, frame, flow);
    return 0; // no carrier: the frame is lost, the port is free at once (callers take max with now)
}

// ---- drop-rule filters ----

namespace {
constexpr std::string_view kMatchNames[] = {"any", "tcp-data", "tcp-syn", "arp", "icmp", "udp"};
} // namespace

std::string_view frame_match_name(FrameMatch m) {
    auto i = static_cast<size_t>(m);
    return i < std::size(kMatchNames) ? kMatchNames[i] : std::string_view("?");
}

std::optional<FrameMatch> frame_match_from_name(std::string_view name) {
    for (size_t i = 0; i < std::size(kMatchNames); ++i)
        if (kMatchNames[i] == name) return static_cast<FrameMatch>(i);
    return std::nullopt;
}

bool frame_matches(FrameMatch m, std::span<const uint8_t> frame) {
    if (m == FrameMatch::Any) return true;
    auto eth = wire::EthernetView::new_checked(frame);
    if (!eth) return false;
    if (m == FrameMatch::Arp) return eth->ethertype() == wire::EtherType::Arp;
    if (eth->ethertype() != wire::EtherType::Ipv4) return false;
    auto ip = wire::Ipv4View::new_checked(eth->payload());
    if (!ip) return false;
    switch (m) {
    case FrameMatch::Icmp:
        return ip->protocol() == wire::IpProto::Icmp;
    case FrameMatch::Udp:
        return ip->protocol() == wire::IpProto::Udp;
    case FrameMatch::TcpData:
    case FrameMatch::TcpSyn: {
        if (ip->protocol() != wire::IpProto::Tcp || ip->frag_offset() != 0) return false;
        auto tcp = wire::TcpView::new_checked(ip->payload());
        if (!tcp) return false;
        return m == FrameMatch::TcpSyn ? tcp->has(wire::TcpFlags::Syn) : !tcp->payload().empty();
    }
    default:
        return false;
    }
}

// ---- the link ----

namespace {
// The link's own seed: the scenario's seed mixed with a hash of its name (FNV-1a), so a link's
// impairments depend on nothing else: adding a link, or traffic elsewhere, changes no other fate.
uint64_t link_seed(uint64_t sim_seed, std::string_view name, int direction) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : name)
        h = (h ^ c) * 0x100000001b3ULL;
    return sim_seed ^ h ^ (0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(direction + 1));
}

std::string percent(double p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g%%", p * 100);
    return buf;
}

std::string ordinal(uint64_t n) {
    const char* suffix = "th";
    if (n % 100 < 11 || n % 100 > 13) {
        if (n % 10 == 1) suffix = "st";
        else if (n % 10 == 2) suffix = "nd";
        else if (n % 10 == 3) suffix = "rd";
    }
    return std::to_string(n) + suffix;
}
} // namespace

Link::Link(Sim& sim, ContextId ctx, std::string name, LinkPort& a, LinkPort& b, LinkParams params)
    : m_sim(sim), m_ctx(ctx), m_name(std::move(name)), m_ports{&a, &b}, m_params(std::move(params)) {
    SKB_ASSERT(&a != &b);
    SKB_ASSERT(a.m_link == nullptr && b.m_link == nullptr);
    SKB_ASSERT(m_params.speed_bps > 0);
    a.m_link = this;
    a.m_index = 0;
    b.m_link = this;
    b.m_index = 1;
    for (int d = 0; d < 2; ++d) {
        m_dir[d].rng.reseed(link_seed(sim.seed(), m_name, d));
        m_dir[d].rule_counts.assign(m_params.drops.size(), 0);
    }
    for (const LinkDropRule& r : m_params.drops)
        SKB_ASSERT((r.from == 0 || r.from == 1) && r.nth >= 1);
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

std::string Link::direction_name(int from) const {
    const size_t p = m_name.find("<->");
    if (p == std::string::npos) return m_name + (from == 0 ? " (a->b)" : " (b->a)");
    const std::string a = m_name.substr(0, p), b = m_name.substr(p + 3);
    return from == 0 ? a + "->" + b : b + "->" + a;
}

Link::Fate Link::fate(int from, std::span<const uint8_t> frame) {
    Direction& d = m_dir[from];
    Fate f;
    // Drop rules count every matching frame of their direction, whatever else befalls it.
    for (size_t i = 0; i < m_params.drops.size(); ++i) {
        const LinkDropRule& r = m_params.drops[i];
        if (r.from != from || !frame_matches(r.match, frame)) continue;
        if (++d.rule_counts[i] == r.nth && f.kind == Fate::Deliver) {
            f.kind = Fate::Lost;
            f.why = "rule: " + ordinal(r.nth) + " " + std::string(frame_match_name(r.match));
        }
    }
    const LinkImpairments& imp = from == 0 ? m_params.a_to_b : m_params.b_to_a;
    if (!imp.any()) return f;
    // Always the same draws per frame, so one knob never shifts the randomness of another.
    const bool lose = d.rng.chance(imp.loss);
    const bool corrupt = d.rng.chance(imp.corrupt);
    const bool reorder = d.rng.chance(imp.reorder);
    const bool duplicate = d.rng.chance(imp.duplicate);
    const uint64_t where = d.rng.next_u64();
    if (f.kind == Fate::Lost) return f;
    if (lose) {
        f.kind = Fate::Lost;
        f.why = "random, loss " + percent(imp.loss);
        return f;
    }
    if (corrupt && !frame.empty()) {
        f.kind = Fate::Corrupted;
        f.corrupt_byte = static_cast<size_t>(where % frame.size());
        f.corrupt_xor = static_cast<uint8_t>(1 + (where >> 32) % 255); // never 0: a real change
        f.why = "corrupt " + percent(imp.corrupt);
        return f;
    }
    if (reorder) f.extra_delay = imp.reorder_delay;
    f.duplicate = duplicate;
    return f;
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
        Recorder& rec = m_sim.rec();
        const std::vector<uint8_t>& sent = *bytes; // as it left the port
        Fate f = fate(from, sent);
        LinkPort* to = m_ports[1 - from];
        const std::string dir = direction_name(from);
        switch (f.kind) {
        case Fate::Lost:
            ++m_dir[from].lost;
            rec.wire(m_name, sent, from, arrival, flow, WireFate::Lost);
            rec.note_flow(std::string(drop_reason_name(DropReason::LinkLoss)) + ": frame lost on " + dir + " (" +
                              f.why + ")",
                          Layer::Link, flow);
            return;
        case Fate::Corrupted:
            ++m_dir[from].corrupted;
            rec.wire(m_name, sent, from, arrival, flow, WireFate::Corrupted);
            m_sim.at(arrival, m_ctx, [this, bytes, flow, to, dir, f] {
                (*bytes)[f.corrupt_byte] ^= f.corrupt_xor;
                const size_t other = dir.find("->");
                m_sim.rec().note_flow(std::string(drop_reason_name(DropReason::LinkCorrupt)) + ": byte " +
                                          std::to_string(f.corrupt_byte) + " of the frame was flipped on " + dir +
                                          " (" + f.why + "); " + dir.substr(other + 2) +
                                          "'s CRC check discards it",
                                      Layer::Link, flow);
                to->receive_bad_fcs_frame(std::move(*bytes), flow);
            });
            return;
        case Fate::Deliver:
            break;
        }
        const TimeNs when = arrival + f.extra_delay;
        rec.wire(m_name, sent, from, when, flow, f.extra_delay ? WireFate::Reordered : WireFate::Delivered);
        if (f.extra_delay)
            rec.note_flow("link: frame held back " + std::to_string(f.extra_delay / kNsPerUs) + " us on " + dir +
                              ": the frames after it overtake it (reorder)",
                          Layer::Link, flow);
        if (f.duplicate) {
            const TimeNs copy_at = when + wire_time_ns(sent.size(), m_params.speed_bps);
            rec.wire(m_name, sent, from, copy_at, flow, WireFate::Duplicate);
            rec.note_flow("link: frame duplicated on " + dir + ": a second copy arrives behind it", Layer::Link, flow);
            auto copy = std::make_shared<std::vector<uint8_t>>(*bytes);
            m_sim.at(copy_at, m_ctx, [to, copy, flow] { to->receive_frame(std::move(*copy), flow); });
        }
        m_sim.at(when, m_ctx, [to, bytes, flow] { to->receive_frame(std::move(*bytes), flow); });
    });
    return d.busy_until;
}

} // namespace skbscope
