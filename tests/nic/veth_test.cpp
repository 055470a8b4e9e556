// The veth driver against a fake kernel on each end: veth_xmit hands the very skb to the peer's
// kernel (__dev_forward_skb, then netif_rx), records the frame on the pair's link track with the
// arrival to be filled in by the peer's stack, counts it on both ends, and drops with DEV_READY
// when the peer is down.
#include <gtest/gtest.h>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"
#include "nic/veth/veth.h"
#include "tests/support/fake_netdev_kernel.h"

namespace skbscope::test {
namespace {

struct Pair {
    Sim sim{1};
    FakeNetdevKernel ka{sim}, kb{sim};
    VethDevice a{sim}, b{sim};
    ContextId task = 0, link = 0;
    Pair() {
        HostId h = sim.add_host("A");
        task = sim.add_context(h, ContextKind::Task, "t (pid 1)");
        link = sim.add_context(h, ContextKind::Link, "A:eth0<->B:eth0");
        a.name = b.name = "eth0";
        a.kernel = &ka;
        b.kernel = &kb;
        a.up = b.up = true;
        VethDevice::pair(a, b, link, "A:eth0<->B:eth0");
    }
    SkBuff* frame(uint32_t len) {
        SkBuff* skb = alloc_skb(sim, 128 + len);
        skb_reserve(skb, 64);
        uint8_t* p = skb_put(skb, len);
        for (uint32_t i = 0; i < len; ++i) p[i] = static_cast<uint8_t>(i);
        if (len >= 14) {
            p[12] = 0x08; // IPv4
            p[13] = 0x00;
        }
        skb->dev = &a;
        return skb;
    }
};

TEST(Veth, XmitHandsTheSameSkbToThePeer) {
    Pair p;
    SkBuff* skb = p.frame(60);
    p.sim.in_context(p.task, [&] { EXPECT_EQ(p.a.ndo_start_xmit(skb), NetdevTx::Ok); });
    ASSERT_EQ(p.kb.received.size(), 1u);
    EXPECT_EQ(p.kb.received[0], skb) << "no copy: the sender's skb crosses";
    EXPECT_EQ(skb->dev, &p.b);
    EXPECT_EQ(skb->protocol, 0x0800);
    EXPECT_EQ(skb->len, 46u) << "eth_type_trans pulled the Ethernet header";
    EXPECT_EQ(p.a.stats.tx_packets, 1u);
    EXPECT_EQ(p.a.stats.tx_bytes, 60u);
    EXPECT_EQ(p.b.stats.rx_packets, 1u);
    // One Wire event on the pair's track, from port 0, arrival to be filled in on receive.
    size_t wires = 0;
    for (const auto& e : p.sim.trace().events)
        if (e.kind == EventKind::Wire) {
            ++wires;
            EXPECT_EQ(e.ctx, p.link);
            EXPECT_EQ(e.a[0], 60);
            EXPECT_EQ(e.a[1], 0);
        }
    EXPECT_EQ(wires, 1u);
    EXPECT_NE(skb->wire_event, 0u);
    p.sim.rec().wire_arrival(skb->wire_event, 12345, WireFate::Delivered);
    EXPECT_EQ(p.sim.trace().events[skb->wire_event - 1].a[2], 12345);
}

TEST(Veth, PeerDownDropsWithDevReady) {
    Pair p;
    p.b.up = false;
    SkBuff* skb = p.frame(60);
    p.sim.in_context(p.task, [&] { p.a.ndo_start_xmit(skb); });
    EXPECT_TRUE(p.kb.received.empty());
    EXPECT_EQ(p.a.stats.tx_dropped, 1u);
    EXPECT_EQ(p.sim.live_skbs(), 0);
    bool dev_ready = false;
    for (const auto& e : p.sim.trace().events)
        if (e.kind == EventKind::SkbFree && e.a[0] == static_cast<int64_t>(DropReason::DevReady)) dev_ready = true;
    EXPECT_TRUE(dev_ready);
}

TEST(Veth, RuntFrameIsDroppedNotRead) {
    Pair p;
    SkBuff* skb = p.frame(10); // shorter than an Ethernet header
    p.sim.in_context(p.task, [&] { p.a.ndo_start_xmit(skb); });
    EXPECT_TRUE(p.kb.received.empty());
    EXPECT_EQ(p.a.stats.tx_dropped, 1u);
    EXPECT_EQ(p.sim.live_skbs(), 0);
}

} // namespace
} // namespace skbscope::test
