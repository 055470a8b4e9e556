// The receive path's checks, one drop reason each, by injecting frames into B's device.
#include <gtest/gtest.h>

#include "core/wire/checksum.h"
#include "core/wire/ethernet.h"
#include "core/wire/ipv4.h"
#include "core/wire/udp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

struct Inject : TwoHosts {
    // An Ethernet + IPv4 + UDP frame from A to B (valid unless a test breaks it).
    std::vector<uint8_t> frame(uint8_t proto = wire::IpProto::Udp, wire::Ipv4Addr dst = ip("192.168.1.200")) {
        std::vector<uint8_t> f(14 + 20 + 8 + 4, 0);
        wire::EthernetRepr{b_eth0.dev_addr, a_eth0.dev_addr, wire::EtherType::Ipv4}.emit(f);
        wire::Ipv4Repr iph;
        iph.saddr = ip("192.168.1.100");
        iph.daddr = dst;
        iph.protocol = proto;
        iph.payload_len = 12;
        iph.emit(std::span<uint8_t>(f).subspan(14));
        std::span<uint8_t> udp = std::span<uint8_t>(f).subspan(34);
        wire::UdpRepr{1234, 5000}.emit(udp, iph.saddr, iph.daddr);
        return f;
    }
    void refresh_ip_csum(std::vector<uint8_t>& f) {
        f[24] = f[25] = 0;
        uint16_t c = wire::ip_compute_csum(std::span<const uint8_t>(f).subspan(14, 20));
        f[24] = static_cast<uint8_t>(c >> 8);
        f[25] = static_cast<uint8_t>(c);
    }
    DropReason deliver(std::vector<uint8_t> f) {
        size_t from = sim.trace().events.size();
        b_eth0.receive(std::move(f));
        sim.run_until(sim.scheduler().now() + kNsPerMs);
        const Trace& tr = sim.trace();
        // The first drop: skbs consumed on the way (the ARP request B sends before its ICMP error
        // about the frame, icmp_send running before the frame's kfree_skb_reason) do not count.
        for (size_t i = from; i < tr.events.size(); ++i)
            if (tr.events[i].kind == EventKind::SkbFree && tr.events[i].a[0] != static_cast<int64_t>(DropReason::NotDropped))
                return static_cast<DropReason>(tr.events[i].a[0]);
        return DropReason::Count_;
    }
};

TEST(IpRcv, ValidFrameWithNoSocketIsNoSocket) {
    Inject t;
    EXPECT_EQ(t.deliver(t.frame()), DropReason::NoSocket);
}

TEST(IpRcv, OtherHostsMacIsOtherhost) {
    Inject t;
    auto f = t.frame();
    mac("02:00:00:00:00:99").write_to(f);
    EXPECT_EQ(t.deliver(f), DropReason::OtherHost);
}

TEST(IpRcv, BadVersionIsIpInhdr) {
    Inject t;
    auto f = t.frame();
    f[14] = 0x65;
    t.refresh_ip_csum(f);
    EXPECT_EQ(t.deliver(f), DropReason::IpInhdr);
}

TEST(IpRcv, ShortIhlIsIpInhdr) {
    Inject t;
    auto f = t.frame();
    f[14] = 0x44;
    EXPECT_EQ(t.deliver(f), DropReason::IpInhdr);
}

TEST(IpRcv, TruncatedHeaderIsIpInhdr) {
    Inject t;
    auto f = t.frame();
    f.resize(14 + 12);
    EXPECT_EQ(t.deliver(f), DropReason::IpInhdr);
}

TEST(IpRcv, BadHeaderChecksumIsIpCsum) {
    Inject t;
    auto f = t.frame();
    f[24] ^= 0x55;
    EXPECT_EQ(t.deliver(f), DropReason::IpCsum);
}

TEST(IpRcv, TotLenBeyondThePacketIsPktTooSmall) {
    Inject t;
    auto f = t.frame();
    f[16] = 0x01; // tot_len 256+
    t.refresh_ip_csum(f);
    EXPECT_EQ(t.deliver(f), DropReason::PktTooSmall);
}

TEST(IpRcv, EthernetPaddingIsTrimmed) {
    Inject t;
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.b, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    call([&](SysDone d) { libc_bind(*t.b, fd, SockAddrIn{AF_INET, 5000, ip("192.168.1.200")}, d); });
    auto f = t.frame();
    f.resize(60, 0xee); // padding after the datagram
    t.b_eth0.receive(f);
    t.sim.run_until(kNsPerMs);
    auto r = call([&](SysDone d) { libc_recvfrom(*t.b, fd, 100, MSG_DONTWAIT, d); });
    EXPECT_EQ(r.ret, 4);
    EXPECT_EQ(r.from->port, 1234);
}

TEST(IpRcv, BadUdpChecksumIsUdpCsum) {
    Inject t;
    int fd = static_cast<int>(call([&](SysDone d) { libc_socket(*t.b, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    call([&](SysDone d) { libc_bind(*t.b, fd, SockAddrIn{AF_INET, 5000, ip("0.0.0.0")}, d); });
    auto f = t.frame();
    f[f.size() - 1] ^= 0xff; // payload byte: checksum no longer matches
    EXPECT_EQ(t.deliver(f), DropReason::UdpCsum);
}

TEST(IpRcv, UnknownIpProtocolIsIpNoproto) {
    Inject t;
    EXPECT_EQ(t.deliver(t.frame(47)), DropReason::IpNoproto); // GRE
}

TEST(IpRcv, UnknownEthertypeIsUnhandledProto) {
    Inject t;
    auto f = t.frame();
    f[12] = 0x88;
    f[13] = 0xcc; // LLDP
    EXPECT_EQ(t.deliver(f), DropReason::UnhandledProto);
}

TEST(IpRcv, NotForUsWithForwardingOffIsIpInaddrerrors) {
    Inject t;
    auto f = t.frame(wire::IpProto::Udp, ip("10.9.9.9"));
    EXPECT_EQ(t.deliver(f), DropReason::IpInaddrerrors);
    EXPECT_EQ(t.b_eth0.sent.size(), 0u); // no ICMP, no forwarding
}

TEST(IpRcv, CallChainDownToUdp) {
    Inject t;
    t.deliver(t.frame());
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "B"),
                       {"ip_rcv", "ip_rcv_core", "NF_HOOK", "ip_rcv_finish", "ip_rcv_finish_core",
                        "ip_route_input_noref", "ip_route_input_slow", "fib_lookup", "dst_input", "ip_local_deliver",
                        "NF_HOOK", "ip_local_deliver_finish", "ip_protocol_deliver_rcu", "udp_rcv", "__udp4_lib_rcv"}),
              "");
}

} // namespace
} // namespace skbscope::test
