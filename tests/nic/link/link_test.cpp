// The link: wire time from the documented formula, arrival = departure + serialization +
// propagation, order, full duplex, Wire events.
#include "nic/link/link.h"

#include <gtest/gtest.h>

#include "core/time/sim.h"
#include "tests/nic/nic_test_util.h"
#include "tests/support/fake_link_port.h"

namespace skbscope {
namespace {

using test::FakeLinkPort;

struct LinkTest : ::testing::Test {
    Sim sim{1};
    HostId host = sim.add_host("A");
    ContextId ctx = sim.add_context(host, ContextKind::Link, "A:eth0<->B:eth0");
    FakeLinkPort a{sim}, b{sim};
};

TEST_F(LinkTest, WireTimeFollowsThe8023Formula) {
    // (preamble 8 + frame + FCS 4 + IFG 12) * 8 bits at 1 Gbit/s = 1 ns per bit.
    EXPECT_EQ(Link::wire_time_ns(60, 1'000'000'000), (8u + 60 + 4 + 12) * 8); // 672 ns
    EXPECT_EQ(Link::serialization_ns(60, 1'000'000'000), (8u + 60 + 4) * 8);  // 576 ns
    EXPECT_EQ(Link::wire_time_ns(1514, 1'000'000'000), 12304u);
    EXPECT_EQ(Link::wire_time_ns(60, 100'000'000), 6720u);
    EXPECT_EQ(Link::wire_time_ns(60, 3'000'000'000), 224u); // rounded up to whole ns
}

TEST_F(LinkTest, FrameArrivesAfterSerializationAndPropagation) {
    Link link(sim, ctx, "A:eth0<->B:eth0", a, b);
    std::vector<uint8_t> frame(60, 0xab);
    EXPECT_EQ(a.transmit(frame, 7), 672u); // busy until the gap after the frame
    sim.run_until(kNsPerMs);
    ASSERT_EQ(b.frames.size(), 1u);
    EXPECT_EQ(b.frames[0].bytes, frame);
    EXPECT_EQ(b.frames[0].flow, 7u);
    EXPECT_EQ(b.frames[0].time, 576u + 1000u); // 1 us default propagation
    EXPECT_TRUE(a.frames.empty());

    auto wires = test::events_of(sim, EventKind::Wire);
    ASSERT_EQ(wires.size(), 1u);
    const TraceEvent& w = *wires[0];
    EXPECT_EQ(w.time, 0u);
    EXPECT_EQ(w.ctx, ctx);
    EXPECT_EQ(w.flow, 7u);
    EXPECT_EQ(w.a[0], 60);
    EXPECT_EQ(w.a[1], 0); // from port 0
    EXPECT_EQ(w.a[2], 1576);
    EXPECT_EQ(sim.trace().str(w.ref), "A:eth0<->B:eth0");
    auto blob = sim.trace().blob(w.ref2);
    EXPECT_EQ(std::vector<uint8_t>(blob.begin(), blob.end()), frame);
}

TEST_F(LinkTest, BackToBackFramesWaitForTheWireAndArriveInOrder) {
    Link link(sim, ctx, "l", a, b, LinkParams{1'000'000'000, 5 * kNsPerUs});
    for (uint8_t i = 0; i < 3; ++i)
        a.transmit(std::vector<uint8_t>(100, i), i + 1u);
    EXPECT_EQ(link.busy_until(0), 3 * Link::wire_time_ns(100, 1'000'000'000));
    sim.run_until(kNsPerMs);
    ASSERT_EQ(b.frames.size(), 3u);
    for (uint8_t i = 0; i < 3; ++i) {
        EXPECT_EQ(b.frames[i].bytes[0], i);
        EXPECT_EQ(b.frames[i].time, i * Link::wire_time_ns(100, 1'000'000'000) +
                                        Link::serialization_ns(100, 1'000'000'000) + 5 * kNsPerUs);
    }
    auto wires = test::events_of(sim, EventKind::Wire);
    ASSERT_EQ(wires.size(), 3u);
    EXPECT_EQ(wires[1]->time, Link::wire_time_ns(100, 1'000'000'000)); // departure of the second
    EXPECT_EQ(link.frames_sent(0), 3u);
    EXPECT_EQ(link.bytes_sent(0), 300u);
}

TEST_F(LinkTest, FullDuplexDirectionsDoNotWaitForEachOther) {
    Link link(sim, ctx, "l", a, b);
    a.transmit(std::vector<uint8_t>(1000, 1), 1);
    b.transmit(std::vector<uint8_t>(1000, 2), 2);
    sim.run_until(kNsPerMs);
    ASSERT_EQ(a.frames.size(), 1u);
    ASSERT_EQ(b.frames.size(), 1u);
    EXPECT_EQ(a.frames[0].time, b.frames[0].time);
    EXPECT_EQ(a.frames[0].flow, 2u);
}

TEST_F(LinkTest, PortsHaveCarrierOnlyWhileLinked) {
    EXPECT_FALSE(a.carrier());
    EXPECT_EQ(a.transmit(std::vector<uint8_t>(60), 1), 0u); // lost: no link
    {
        Link link(sim, ctx, "l", a, b);
        EXPECT_TRUE(a.carrier());
        EXPECT_EQ(a.link(), &link);
        EXPECT_EQ(b.index(), 1);
    }
    EXPECT_FALSE(b.carrier());
    sim.run_until(kNsPerMs);
    EXPECT_TRUE(b.frames.empty());
}

} // namespace
} // namespace skbscope
