// Link impairments: seeded loss at its rate, the nth-matching-frame drop rule, reordering,
// duplication and corruption, with the Wire event's fate (a3) and the LINK_LOSS / LINK_CORRUPT
// notes; the same seed gives the same fates.
#include <gtest/gtest.h>

#include "core/time/sim.h"
#include "core/trace/export_pcap.h"
#include "nic/link/link.h"
#include "tests/nic/nic_test_util.h"
#include "tests/support/fake_link_port.h"

namespace skbscope {
namespace {

using test::FakeLinkPort;

// Ethernet + IPv4 (20 bytes) + an upper header. proto 6: a TCP header (20 bytes) with flags and
// `payload` bytes of data; 17: 8 bytes of UDP; 1: 8 bytes of ICMP. ethertype 0x0806: an ARP body.
std::vector<uint8_t> frame(uint8_t proto, uint8_t tcp_flags = 0x10, size_t payload = 0, uint16_t ethertype = 0x0800) {
    std::vector<uint8_t> f(14, 0);
    f[0] = 0x02, f[6] = 0x02, f[11] = 1;
    f[12] = static_cast<uint8_t>(ethertype >> 8);
    f[13] = static_cast<uint8_t>(ethertype);
    if (ethertype != 0x0800) {
        f.resize(14 + 28, 0);
        return f;
    }
    const size_t l4 = proto == 6 ? 20 + payload : 8;
    const size_t tot = 20 + l4;
    std::vector<uint8_t> ip(tot, 0);
    ip[0] = 0x45;
    ip[2] = static_cast<uint8_t>(tot >> 8);
    ip[3] = static_cast<uint8_t>(tot);
    ip[8] = 64;
    ip[9] = proto;
    if (proto == 6) {
        ip[20 + 12] = 5 << 4; // doff 5
        ip[20 + 13] = tcp_flags;
    }
    f.insert(f.end(), ip.begin(), ip.end());
    if (f.size() < 60) f.resize(60, 0); // Ethernet padding: payload() must stop at tot_len
    return f;
}

struct ImpairTest : ::testing::Test {
    Sim sim{42};
    HostId host = sim.add_host("A");
    ContextId ctx = sim.add_context(host, ContextKind::Link, "A:eth0<->B:eth0");
    FakeLinkPort a{sim}, b{sim};

    std::vector<int64_t> fates() const {
        std::vector<int64_t> out;
        for (const TraceEvent* e : test::events_of(sim, EventKind::Wire))
            out.push_back(e->a[3]);
        return out;
    }
};

TEST(FrameMatch, ClassifiesFrames) {
    const auto data = frame(6, 0x18, 100), syn = frame(6, 0x02), synack = frame(6, 0x12), ack = frame(6, 0x10);
    const auto udp = frame(17), icmp = frame(1), arp = frame(0, 0, 0, 0x0806);
    EXPECT_TRUE(frame_matches(FrameMatch::TcpData, data));
    EXPECT_FALSE(frame_matches(FrameMatch::TcpData, ack)); // padded to 60 bytes, yet no payload
    EXPECT_FALSE(frame_matches(FrameMatch::TcpData, syn));
    EXPECT_TRUE(frame_matches(FrameMatch::TcpSyn, syn));
    EXPECT_TRUE(frame_matches(FrameMatch::TcpSyn, synack));
    EXPECT_FALSE(frame_matches(FrameMatch::TcpSyn, data));
    EXPECT_TRUE(frame_matches(FrameMatch::Udp, udp));
    EXPECT_TRUE(frame_matches(FrameMatch::Icmp, icmp));
    EXPECT_TRUE(frame_matches(FrameMatch::Arp, arp));
    EXPECT_FALSE(frame_matches(FrameMatch::Arp, udp));
    EXPECT_TRUE(frame_matches(FrameMatch::Any, arp));
    EXPECT_FALSE(frame_matches(FrameMatch::Udp, std::vector<uint8_t>(5, 0))); // runt: no match, no overread
    for (auto m : {FrameMatch::Any, FrameMatch::TcpData, FrameMatch::TcpSyn, FrameMatch::Arp, FrameMatch::Icmp,
                   FrameMatch::Udp})
        EXPECT_EQ(frame_match_from_name(frame_match_name(m)), m);
    EXPECT_FALSE(frame_match_from_name("tcp"));
}

TEST_F(ImpairTest, NoImpairmentsDeliverEverythingAsBefore) {
    Link link(sim, ctx, "A:eth0<->B:eth0", a, b);
    for (int i = 0; i < 50; ++i)
        a.transmit(frame(17), i + 1u);
    sim.run_until(kNsPerSec);
    EXPECT_EQ(b.frames.size(), 50u);
    for (int64_t f : fates())
        EXPECT_EQ(f, 0);
    EXPECT_TRUE(test::texts_of(sim, EventKind::Note).empty());
}

TEST_F(ImpairTest, LossRateIsWithinToleranceAndEachLossIsTraced) {
    LinkParams p;
    p.a_to_b.loss = 0.05;
    Link link(sim, ctx, "A:eth0<->B:eth0", a, b, p);
    const int n = 10000;
    for (int i = 0; i < n; ++i) {
        a.transmit(frame(17), i + 1u);
        sim.run_until(sim.now() + 10 * kNsPerUs);
    }
    sim.run_until(sim.now() + kNsPerSec);
    const size_t lost = n - b.frames.size();
    // Binomial(10000, 0.05): mean 500, sd 21.8; 5 sd either way.
    EXPECT_NEAR(double(lost), 500.0, 110.0) << "seed " << sim.seed();
    EXPECT_EQ(link.frames_lost(0), lost);
    const auto notes = test::texts_of(sim, EventKind::Note);
    EXPECT_EQ(notes.size(), lost);
    EXPECT_EQ(notes[0], "LINK_LOSS: frame lost on A:eth0->B:eth0 (random, loss 5%)");
    size_t lost_wires = 0;
    for (int64_t f : fates())
        lost_wires += f == static_cast<int64_t>(WireFate::Lost);
    EXPECT_EQ(lost_wires, lost);
    EXPECT_EQ(fates().size(), size_t(n)); // every frame did leave: one Wire event each
    // The other direction is untouched.
    b.transmit(frame(17), 1);
    sim.run_until(sim.now() + kNsPerMs);
    EXPECT_EQ(a.frames.size(), 1u);
}

TEST_F(ImpairTest, TheSameSeedGivesTheSameFates) {
    auto run = [](uint64_t seed) {
        Sim s(seed);
        ContextId c = s.add_context(s.add_host("A"), ContextKind::Link, "l");
        FakeLinkPort pa{s}, pb{s};
        LinkParams p;
        p.a_to_b = {0.1, 0.1, 0.1, kNsPerMs, 0.1};
        Link link(s, c, "A:eth0<->B:eth0", pa, pb, p);
        for (int i = 0; i < 300; ++i) {
            pa.transmit(frame(17), i + 1u);
            s.run_until(s.now() + 5 * kNsPerUs);
        }
        s.run_until(s.now() + kNsPerSec);
        std::vector<int64_t> out;
        for (const TraceEvent& e : s.trace().events)
            if (e.kind == EventKind::Wire) out.push_back(e.a[3] * 100000 + e.flow);
        return out;
    };
    EXPECT_EQ(run(7), run(7));
    EXPECT_NE(run(7), run(8));
}

TEST_F(ImpairTest, DropRuleDropsExactlyTheNthMatchingFrame) {
    LinkParams p;
    p.drops.push_back({0, FrameMatch::TcpData, 3});
    Link link(sim, ctx, "A:eth0<->B:eth0", a, b, p);
    // flows 1..8: SYN, ACK, data, data, ACK, data (the 3rd data segment: flow 6), data, data
    const std::vector<uint8_t> kinds = {0x02, 0x10, 0x18, 0x18, 0x10, 0x18, 0x18, 0x18};
    for (size_t i = 0; i < kinds.size(); ++i)
        a.transmit(frame(6, kinds[i], kinds[i] == 0x18 ? 100 : 0), static_cast<uint32_t>(i + 1));
    b.transmit(frame(6, 0x18, 100), 100); // the other direction does not count
    sim.run_until(kNsPerSec);
    std::vector<uint32_t> got;
    for (auto& f : b.frames)
        got.push_back(f.flow);
    EXPECT_EQ(got, (std::vector<uint32_t>{1, 2, 3, 4, 5, 7, 8}));
    EXPECT_EQ(a.frames.size(), 1u);
    const auto notes = test::texts_of(sim, EventKind::Note);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0], "LINK_LOSS: frame lost on A:eth0->B:eth0 (rule: 3rd tcp-data)");
    const TraceEvent* note = test::events_of(sim, EventKind::Note)[0];
    EXPECT_EQ(note->flow, 6u);
    EXPECT_EQ(note->ctx, ctx);
    EXPECT_EQ(note->layer, Layer::Link);
    std::vector<int64_t> a_to_b;
    for (const TraceEvent* w : test::events_of(sim, EventKind::Wire))
        if (w->a[1] == 0) a_to_b.push_back(w->a[3]);
    EXPECT_EQ(a_to_b, (std::vector<int64_t>{0, 0, 0, 0, 0, 1, 0, 0}));
}

TEST_F(ImpairTest, DropRuleInTheOtherDirection) {
    LinkParams p;
    p.drops.push_back({1, FrameMatch::Any, 1});
    Link link(sim, ctx, "A:eth0<->B:eth0", a, b, p);
    a.transmit(frame(17), 1);
    b.transmit(frame(17), 2);
    b.transmit(frame(17), 3);
    sim.run_until(kNsPerSec);
    ASSERT_EQ(b.frames.size(), 1u);
    ASSERT_EQ(a.frames.size(), 1u);
    EXPECT_EQ(a.frames[0].flow, 3u);
    EXPECT_EQ(test::texts_of(sim, EventKind::Note)[0], "LINK_LOSS: frame lost on B:eth0->A:eth0 (rule: 1st any)");
}

TEST_F(ImpairTest, ReorderedFrameArrivesLaterByTheReorderDelay) {
    LinkParams p;
    p.a_to_b.reorder = 1.0;
    p.a_to_b.reorder_delay = 100 * kNsPerUs;
    Link link(sim, ctx, "A:eth0<->B:eth0", a, b, p);
    a.transmit(frame(17), 1);
    b.transmit(frame(17), 2); // the other direction keeps its timing
    sim.run_until(kNsPerSec);
    const TimeNs normal = Link::serialization_ns(60, 1'000'000'000) + 1 * kNsPerUs;
    ASSERT_EQ(b.frames.size(), 1u);
    EXPECT_EQ(b.frames[0].time, normal + 100 * kNsPerUs);
    ASSERT_EQ(a.frames.size(), 1u);
    EXPECT_EQ(a.frames[0].time, normal);
    for (const TraceEvent* w : test::events_of(sim, EventKind::Wire)) {
        if (w->a[1] != 0) continue;
        EXPECT_EQ(w->a[3], static_cast<int64_t>(WireFate::Reordered));
        EXPECT_EQ(w->a[2], static_cast<int64_t>(normal + 100 * kNsPerUs));
    }
    EXPECT_TRUE(test::any_contains(test::texts_of(sim, EventKind::Note), "held back 100 us on A:eth0->B:eth0"));
}

TEST_F(ImpairTest, SomeFramesAreReorderedAtTheirRate) {
    LinkParams p;
    p.a_to_b.reorder = 0.2;
    p.a_to_b.reorder_delay = 50 * kNsPerUs;
    Link link(sim, ctx, "A:eth0<->B:eth0", a, b, p);
    for (uint32_t i = 1; i <= 200; ++i) {
        a.transmit(frame(17), i);
        sim.run_until(sim.now() + 10 * kNsPerUs);
    }
    sim.run_until(sim.now() + kNsPerSec);
    ASSERT_EQ(b.frames.size(), 200u);
    int out_of_order = 0;
    for (size_t i = 1; i < b.frames.size(); ++i)
        out_of_order += b.frames[i].flow < b.frames[i - 1].flow;
    // A held-back frame is overtaken by the ~5 frames sent in the next 50 us.
    EXPECT_GT(out_of_order, 10) << "seed " << sim.seed();
    EXPECT_LT(out_of_order, 80) << "seed " << sim.seed();
}

TEST_F(ImpairTest, DuplicateDeliversTwice) {
    LinkParams p;
    p.a_to_b.duplicate = 1.0;
    Link link(sim, ctx, "A:eth0<->B:eth0", a, b, p);
    const auto f = frame(17);
    a.transmit(f, 9);
    sim.run_until(kNsPerSec);
    ASSERT_EQ(b.frames.size(), 2u);
    EXPECT_EQ(b.frames[0].bytes, f);
    EXPECT_EQ(b.frames[1].bytes, f);
    EXPECT_EQ(b.frames[1].flow, 9u);
    EXPECT_EQ(b.frames[1].time, b.frames[0].time + Link::wire_time_ns(f.size(), 1'000'000'000));
    EXPECT_EQ(fates(), (std::vector<int64_t>{0, 3}));
    EXPECT_EQ(link.frames_sent(0), 1u);
}

TEST_F(ImpairTest, CorruptedFrameNeverReachesThePortIntact) {
    LinkParams p;
    p.a_to_b.corrupt = 1.0;
    Link link(sim, ctx, "A:eth0<->B:eth0", a, b, p);
    const auto f = frame(6, 0x18, 200);
    for (uint32_t i = 1; i <= 20; ++i)
        a.transmit(f, i);
    sim.run_until(kNsPerSec);
    EXPECT_TRUE(b.frames.empty()); // the MAC's CRC check: nothing reaches receive_frame
    ASSERT_EQ(b.bad_fcs.size(), 20u);
    for (auto& bad : b.bad_fcs) {
        ASSERT_EQ(bad.bytes.size(), f.size());
        int diff = 0;
        for (size_t i = 0; i < f.size(); ++i)
            diff += bad.bytes[i] != f[i];
        EXPECT_EQ(diff, 1); // exactly one byte flipped
    }
    EXPECT_EQ(link.frames_corrupted(0), 20u);
    auto wires = test::events_of(sim, EventKind::Wire);
    ASSERT_EQ(wires.size(), 20u);
    EXPECT_EQ(wires[0]->a[3], static_cast<int64_t>(WireFate::Corrupted));
    auto blob = sim.trace().blob(wires[0]->ref2);
    EXPECT_EQ(std::vector<uint8_t>(blob.begin(), blob.end()), f); // recorded as sent
    const auto notes = test::texts_of(sim, EventKind::Note);
    ASSERT_EQ(notes.size(), 20u);
    EXPECT_EQ(notes[0].rfind("LINK_CORRUPT: byte ", 0), 0u) << notes[0];
    EXPECT_NE(notes[0].find("B:eth0's CRC check discards it"), std::string::npos) << notes[0];
    // The note is at arrival, when the receiver's check runs.
    EXPECT_EQ(test::events_of(sim, EventKind::Note)[0]->time, static_cast<TimeNs>(wires[0]->a[2]));
}

TEST_F(ImpairTest, PcapShowsALostFrameAsSentButNotReceived) {
    LinkParams p;
    p.drops.push_back({0, FrameMatch::Any, 2});
    p.b_to_a.duplicate = 1.0;
    Link link(sim, ctx, "A:eth0<->B:eth0", a, b, p);
    a.transmit(frame(17), 1);
    a.transmit(frame(17), 2);
    b.transmit(frame(17), 3);
    sim.run_until(kNsPerSec);
    auto at_a = interface_frames(sim.trace(), "A:eth0");
    auto at_b = interface_frames(sim.trace(), "B:eth0");
    ASSERT_TRUE(at_a && at_b);
    auto summary = [](const std::vector<CapturedFrame>& v) {
        std::vector<std::pair<bool, uint32_t>> out;
        for (auto& f : v)
            out.emplace_back(f.sent, f.flow);
        std::sort(out.begin(), out.end());
        return out;
    };
    // A sent 1 and 2, received 3 twice (the link's duplicate); B received only 1, sent 3 once.
    using V = std::vector<std::pair<bool, uint32_t>>;
    EXPECT_EQ(summary(*at_a), (V{{false, 3}, {false, 3}, {true, 1}, {true, 2}}));
    EXPECT_EQ(summary(*at_b), (V{{false, 1}, {true, 3}}));
}

} // namespace
} // namespace skbscope
