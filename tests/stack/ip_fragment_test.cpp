// IPv4 fragmentation and reassembly: a 4000-byte UDP datagram over an MTU of 1500 leaves as three
// fragments (offsets, MF, one ID, lengths, checksums parsed with core/wire) and is reassembled byte
// for byte; fragments out of order; an overlap drops the queue; the 30 s timeout; DF and EMSGSIZE.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/wire/checksum.h"
#include "core/wire/ethernet.h"
#include "core/wire/ipv4.h"
#include "core/wire/udp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

std::vector<uint8_t> payload(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + (i >> 8));
    return v;
}

struct UdpFrag : TwoHosts {
    int afd = -1, bfd = -1;
    UdpFrag() {
        bfd = static_cast<int>(call([&](SysDone d) { libc_socket(*b, AF_INET, SOCK_DGRAM, 0, d); }).ret);
        EXPECT_EQ(call([&](SysDone d) { libc_bind(*b, bfd, SockAddrIn{AF_INET, 5000, ip("0.0.0.0")}, d); }).ret, 0);
        afd = static_cast<int>(call([&](SysDone d) { libc_socket(*a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    }
    SysResult send(const std::vector<uint8_t>& data) {
        return call([&](SysDone d) { libc_sendto(*a, afd, data, SockAddrIn{AF_INET, 5000, ip("192.168.1.200")}, 0, d); });
    }
    SysResult recv() { return call([&](SysDone d) { libc_recvfrom(*b, bfd, 65536, MSG_DONTWAIT, d); }); }
    // The IPv4 frames A sent (ARP left out).
    std::vector<std::vector<uint8_t>> ip_frames() const {
        std::vector<std::vector<uint8_t>> out;
        for (const auto& f : a_eth0.sent)
            if (wire::EthernetView::new_checked(f)->ethertype() == wire::EtherType::Ipv4) out.push_back(f);
        return out;
    }
};

// The fragments of one 4000-byte datagram, captured from a first run.
std::vector<std::vector<uint8_t>> captured_fragments() {
    UdpFrag t;
    EXPECT_EQ(t.send(payload(4000)).ret, 4000);
    t.sim.run_until(10 * kNsPerMs);
    return t.ip_frames();
}

void set_frag_off(std::vector<uint8_t>& frame, uint16_t frag_off) {
    uint8_t* iph = frame.data() + wire::ETH_HLEN;
    iph[6] = static_cast<uint8_t>(frag_off >> 8);
    iph[7] = static_cast<uint8_t>(frag_off);
    iph[10] = iph[11] = 0;
    uint16_t c = wire::ip_fast_csum(std::span<const uint8_t>(iph, 20));
    iph[10] = static_cast<uint8_t>(c >> 8);
    iph[11] = static_cast<uint8_t>(c);
}

TEST(IpFragment, FourThousandBytesLeaveAsThreeFragments) {
    UdpFrag t;
    ASSERT_EQ(t.send(payload(4000)).ret, 4000);
    t.sim.run_until(10 * kNsPerMs);
    auto frames = t.ip_frames();
    ASSERT_EQ(frames.size(), 3u);
    const uint16_t offsets[] = {0, 1480, 2960};
    const uint16_t tot[] = {1500, 1500, 1068};
    uint16_t id = 0;
    std::vector<uint8_t> joined;
    for (size_t i = 0; i < 3; ++i) {
        auto e = *wire::EthernetView::new_checked(frames[i]);
        auto v = *wire::Ipv4View::new_checked(e.payload());
        EXPECT_TRUE(v.verify_checksum()) << i;
        EXPECT_EQ(v.tot_len(), tot[i]) << i;
        EXPECT_EQ(v.frag_offset(), offsets[i]) << i;
        EXPECT_EQ(v.mf(), i < 2) << i;
        EXPECT_FALSE(v.df()) << i; // LINUX: an unconnected socket's datagram over the MTU goes without DF
        EXPECT_EQ(v.protocol(), wire::IpProto::Udp);
        if (i == 0) id = v.id();
        EXPECT_EQ(v.id(), id) << i;
        auto p = v.payload();
        joined.insert(joined.end(), p.begin(), p.end());
    }
    ASSERT_EQ(joined.size(), 4008u);
    auto u = *wire::UdpView::new_checked(joined);
    EXPECT_EQ(u.len(), 4008);
    EXPECT_TRUE(u.verify_checksum(ip("192.168.1.100"), ip("192.168.1.200")));
    // The next datagram to the same destination takes the next ID of the same counter.
    ASSERT_EQ(t.send(payload(3000)).ret, 3000);
    t.sim.run_until(20 * kNsPerMs);
    auto more = t.ip_frames();
    ASSERT_EQ(more.size(), 6u);
    auto v2 = *wire::Ipv4View::new_checked(wire::EthernetView::new_checked(more[3])->payload());
    EXPECT_EQ(v2.id(), static_cast<uint16_t>(id + 1));

    // Reassembled at B, byte for byte.
    auto r = t.recv();
    ASSERT_EQ(r.ret, 4000);
    EXPECT_EQ(r.data, payload(4000));
    auto r2 = t.recv();
    ASSERT_EQ(r2.ret, 3000);
    EXPECT_EQ(r2.data, payload(3000));
    const Trace& tr = t.sim.trace();
    EXPECT_NE(find_enter(tr, "A", "ip_do_fragment"), std::string::npos);
    EXPECT_NE(find_enter(tr, "B", "ip_frag_reasm"), std::string::npos);
    EXPECT_EQ(drops(tr, DropReason::NotSpecified), 0);
    t.sim.run_until(40 * kNsPerSec);
    EXPECT_EQ(drops(tr, DropReason::FragReasmTimeout), 0); // the timer was stopped on reassembly
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(IpFragment, PartialChecksumIsFinishedInSoftwareBeforeFragmenting) {
    UdpFrag t;
    t.a_eth0.features |= NETIF_F_HW_CSUM; // udp4_hwcsum leaves CHECKSUM_PARTIAL
    ASSERT_EQ(t.send(payload(4000)).ret, 4000);
    t.sim.run_until(10 * kNsPerMs);
    EXPECT_NE(find_enter(t.sim.trace(), "A", "skb_checksum_help"), std::string::npos);
    std::vector<uint8_t> joined;
    for (const auto& f : t.ip_frames()) {
        auto v = *wire::Ipv4View::new_checked(wire::EthernetView::new_checked(f)->payload());
        auto p = v.payload();
        joined.insert(joined.end(), p.begin(), p.end());
    }
    ASSERT_EQ(joined.size(), 4008u);
    EXPECT_TRUE(wire::UdpView::new_checked(joined)->verify_checksum(ip("192.168.1.100"), ip("192.168.1.200")));
    EXPECT_EQ(t.recv().ret, 4000);
}

TEST(IpFragment, TimeoutWithTheFirstFragmentSendsTimeExceeded) {
    auto frags = captured_fragments();
    UdpFrag t;
    t.b_eth0.receive(frags[0]);
    t.sim.run_until(t.sim.now() + 31 * kNsPerSec);
    EXPECT_NE(find_enter(t.sim.trace(), "B", "icmp_send"), std::string::npos);
}

TEST(IpFragment, OutOfOrderFragmentsReassemble) {
    auto frags = captured_fragments();
    ASSERT_EQ(frags.size(), 3u);
    UdpFrag t;
    t.b_eth0.receive(frags[2]);
    t.b_eth0.receive(frags[0]);
    t.sim.run_until(t.sim.now() + kNsPerMs);
    EXPECT_EQ(t.recv().err, EAGAIN);
    t.b_eth0.receive(frags[1]);
    t.sim.run_until(t.sim.now() + kNsPerMs);
    auto r = t.recv();
    ASSERT_EQ(r.ret, 4000);
    EXPECT_EQ(r.data, payload(4000));
    EXPECT_TRUE(t.B.ipfrag.queues.empty());
    EXPECT_EQ(t.B.ipfrag.mem, 0u);
}

TEST(IpFragment, ExactDuplicateDropsOnlyItself) {
    auto frags = captured_fragments();
    UdpFrag t;
    t.b_eth0.receive(frags[0]);
    t.b_eth0.receive(frags[0]);
    t.b_eth0.receive(frags[1]);
    t.b_eth0.receive(frags[2]);
    t.sim.run_until(t.sim.now() + kNsPerMs);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::DupFrag), 1);
    EXPECT_EQ(t.recv().ret, 4000);
}

TEST(IpFragment, OverlappingFragmentDropsTheQueue) {
    auto frags = captured_fragments();
    UdpFrag t;
    auto bad = frags[1];
    set_frag_off(bad, wire::IP_MF | (1472 / 8)); // starts 8 bytes inside the first fragment
    t.b_eth0.receive(frags[0]);
    t.b_eth0.receive(bad);
    t.sim.run_until(t.sim.now() + kNsPerMs);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::DupFrag), 2); // the overlapping one and the queued one
    EXPECT_TRUE(t.B.ipfrag.queues.empty());
    EXPECT_GE(notes_with(t.sim.trace(), "RFC 5722"), 1);
    // The rest arrives into a new queue that can never complete: it times out.
    t.b_eth0.receive(frags[2]);
    t.sim.run_until(t.sim.now() + 31 * kNsPerSec);
    EXPECT_EQ(t.recv().err, EAGAIN);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::FragReasmTimeout), 1);
}

TEST(IpFragment, IncompleteQueueTimesOutAfterThirtySeconds) {
    auto frags = captured_fragments();
    UdpFrag t;
    t.b_eth0.receive(frags[0]);
    t.b_eth0.receive(frags[2]);
    const TimeNs start = t.sim.now();
    t.sim.run_until(start + 29 * kNsPerSec);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::FragReasmTimeout), 0);
    EXPECT_EQ(t.B.ipfrag.queues.size(), 1u);
    t.sim.run_until(start + 31 * kNsPerSec);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::FragReasmTimeout), 2);
    EXPECT_NE(find_enter(t.sim.trace(), "B", "ip_expire"), std::string::npos);
    EXPECT_TRUE(t.B.ipfrag.queues.empty());
    EXPECT_EQ(t.B.ipfrag.mem, 0u);
    EXPECT_EQ(t.recv().err, EAGAIN);
}

TEST(IpFragment, DatagramOver65535BytesIsRefused) {
    auto frags = captured_fragments();
    UdpFrag t;
    auto far = frags[2];
    set_frag_off(far, 8100); // 64800 + 1048 bytes > 65535
    t.b_eth0.receive(frags[0]);
    t.b_eth0.receive(far);
    t.sim.run_until(t.sim.now() + kNsPerMs);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::PktTooBig), 2);
    EXPECT_TRUE(t.B.ipfrag.queues.empty());
}

TEST(IpFragment, HighThreshRefusesNewQueues) {
    auto frags = captured_fragments();
    UdpFrag t;
    t.B.ipfrag.high_thresh = 0;
    t.b_eth0.receive(frags[0]);
    t.sim.run_until(t.sim.now() + kNsPerMs);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NoMem), 1);
    EXPECT_TRUE(t.B.ipfrag.queues.empty());
}

TEST(IpFragment, DontFragmentAndTooBigIsEmsgsize) {
    UdpFrag t;
    t.a->fdtable.at(t.afd)->sk->pmtudisc_do = true; // setsockopt(IP_MTU_DISCOVER, IP_PMTUDISC_DO)
    EXPECT_EQ(t.send(payload(4000)).err, EMSGSIZE);
    EXPECT_EQ(t.send(payload(1472)).ret, 1472); // 1472 + 8 + 20 = 1500 fits
    t.sim.run_until(10 * kNsPerMs);
    auto frames = t.ip_frames();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_TRUE(wire::Ipv4View::new_checked(wire::EthernetView::new_checked(frames[0])->payload())->df());
}

TEST(IpFragment, OversizeDatagramIsEmsgsize) {
    UdpFrag t;
    EXPECT_EQ(t.send(payload(65508)).err, EMSGSIZE);
    EXPECT_EQ(t.send(payload(65507)).ret, 65507);
    t.sim.run_until(10 * kNsPerMs);
    EXPECT_EQ(t.ip_frames().size(), 45u); // ceil(65515 / 1480)
    auto r = t.recv();
    ASSERT_EQ(r.ret, 65507);
    EXPECT_EQ(r.data, payload(65507));
}

} // namespace
} // namespace skbscope::test
