// ICMP errors (icmp_send): port unreachable for a closed UDP port quoting the datagram, time
// exceeded and frag needed from the router, the rate limits (global bucket and per destination, in
// virtual time), and no error about an ICMP error.
#include <gtest/gtest.h>

#include "core/wire/ethernet.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "core/wire/udp.h"
#include "stack/ipv4/icmp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

// The IPv4 packets (from the IP header on) of the ICMP frames a device sent.
std::vector<std::vector<uint8_t>> icmp_packets(const FakeNetDevice& d) {
    std::vector<std::vector<uint8_t>> out;
    for (const auto& f : d.sent) {
        auto e = wire::EthernetView(f);
        if (e.ethertype() != wire::EtherType::Ipv4) continue;
        auto ipv = wire::Ipv4View::new_checked(e.payload());
        if (!ipv || ipv->protocol() != wire::IpProto::Icmp) continue;
        auto p = e.payload();
        out.emplace_back(p.begin(), p.begin() + ipv->tot_len());
    }
    return out;
}

std::vector<uint8_t> ip_packet_of(const FakeNetDevice& d, uint8_t proto) {
    for (const auto& f : d.sent) {
        auto e = wire::EthernetView(f);
        if (e.ethertype() != wire::EtherType::Ipv4) continue;
        auto ipv = wire::Ipv4View::new_checked(e.payload());
        if (ipv && ipv->protocol() == proto) return {e.payload().begin(), e.payload().begin() + ipv->tot_len()};
    }
    return {};
}

// A raw frame from A into R's eth0: IPv4 with the given TTL, DF and protocol/payload.
std::vector<uint8_t> frame_into_r(ThreeHosts& t, uint8_t ttl, bool df, uint8_t proto, std::vector<uint8_t> payload) {
    std::vector<uint8_t> f(14 + 20 + payload.size(), 0);
    wire::EthernetRepr{t.r_eth0.dev_addr, t.a_eth0.dev_addr, wire::EtherType::Ipv4}.emit(f);
    wire::Ipv4Repr iph;
    iph.saddr = ip("192.168.1.100");
    iph.daddr = ip("192.168.2.100");
    iph.protocol = proto;
    iph.payload_len = static_cast<uint16_t>(payload.size());
    iph.ttl = ttl;
    iph.df = df;
    iph.id = 0x1234;
    iph.emit(std::span<uint8_t>(f).subspan(14));
    std::copy(payload.begin(), payload.end(), f.begin() + 34);
    return f;
}

std::vector<uint8_t> udp_payload(uint16_t len) {
    std::vector<uint8_t> u(len, 0xab);
    u[0] = 0x30, u[1] = 0x39, u[2] = 0x23, u[3] = 0x28; // 12345 -> 9000
    u[4] = static_cast<uint8_t>(len >> 8), u[5] = static_cast<uint8_t>(len), u[6] = u[7] = 0; // no checksum
    return u;
}

int udp_socket(Task& t) {
    return static_cast<int>(call([&](SysDone d) { libc_socket(t, AF_INET, SOCK_DGRAM, 0, d); }).ret);
}

TEST(IcmpError, PortUnreachableQuotesTheDatagram) {
    TwoHosts t;
    int fd = udp_socket(*t.a);
    call([&](SysDone d) { libc_sendto(*t.a, fd, {'h', 'e', 'l', 'l', 'o'}, SockAddrIn{AF_INET, 9, ip("192.168.1.200")}, 0, d); });
    t.sim.run_until(kNsPerSec);
    auto sent = ip_packet_of(t.a_eth0, wire::IpProto::Udp);
    ASSERT_EQ(sent.size(), 33u);
    auto icmps = icmp_packets(t.b_eth0);
    ASSERT_EQ(icmps.size(), 1u);
    auto ipv = *wire::Ipv4View::new_checked(icmps[0]);
    EXPECT_TRUE(ipv.verify_checksum());
    EXPECT_EQ(ipv.saddr(), ip("192.168.1.200")); // the address the datagram was sent to
    EXPECT_EQ(ipv.daddr(), ip("192.168.1.100"));
    EXPECT_EQ(ipv.ttl(), 64);
    auto view = *wire::IcmpView::new_checked(ipv.payload());
    EXPECT_TRUE(view.verify_checksum());
    auto repr = *wire::IcmpRepr::parse(view);
    EXPECT_EQ(repr.type, wire::IcmpType::DestUnreach);
    EXPECT_EQ(repr.code, wire::IcmpCode::PortUnreach);
    EXPECT_EQ(repr.data, sent); // Linux quotes the whole small datagram
    EXPECT_EQ(repr, wire::IcmpRepr::dest_unreachable(wire::IcmpCode::PortUnreach, sent));
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NoSocket), 1);
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "B"), {"udp_rcv", "__udp4_lib_rcv", "__udp4_lib_lookup", "icmp_send",
                                                        "icmpv4_global_allow", "ip_route_output_key",
                                                        "icmpv4_xrlim_allow", "icmp_push_reply",
                                                        "ip_push_pending_frames"}),
              "");
    // A hands the error to UDP, which finds the socket (unconnected: nothing reported, as Linux).
    EXPECT_EQ(in_order(calls_on(t.sim.trace(), "A"), {"icmp_rcv", "icmp_unreach", "icmp_socket_deliver", "__udp4_lib_err",
                                                        "__udp4_lib_lookup"}),
              "");
    EXPECT_EQ(notes_with(t.sim.trace(), "ECONNREFUSED (hard) not reported"), 1);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(IcmpError, LongDatagramQuotedUpTo576Bytes) {
    TwoHosts t;
    int fd = udp_socket(*t.a);
    call([&](SysDone d) { libc_sendto(*t.a, fd, std::vector<uint8_t>(1000, 7), SockAddrIn{AF_INET, 9, ip("192.168.1.200")}, 0, d); });
    t.sim.run_until(kNsPerSec);
    auto icmps = icmp_packets(t.b_eth0);
    ASSERT_EQ(icmps.size(), 1u);
    EXPECT_EQ(icmps[0].size(), 576u);
    auto sent = ip_packet_of(t.a_eth0, wire::IpProto::Udp);
    EXPECT_TRUE(std::equal(icmps[0].begin() + 28, icmps[0].end(), sent.begin()));
}

TEST(IcmpError, TimeExceededFromTheRouter) {
    ThreeHosts t;
    auto f = frame_into_r(t, 1, false, wire::IpProto::Udp, udp_payload(12));
    t.r_eth0.receive(f);
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::IpInhdr), 1);
    EXPECT_TRUE(t.r_eth1.sent.empty());
    auto icmps = icmp_packets(t.r_eth0);
    ASSERT_EQ(icmps.size(), 1u);
    auto ipv = *wire::Ipv4View::new_checked(icmps[0]);
    EXPECT_EQ(ipv.saddr(), ip("192.168.1.1")); // R's address toward A
    EXPECT_EQ(ipv.daddr(), ip("192.168.1.100"));
    auto repr = *wire::IcmpRepr::parse(*wire::IcmpView::new_checked(ipv.payload()));
    EXPECT_EQ(repr.type, wire::IcmpType::TimeExceeded);
    EXPECT_EQ(repr.code, wire::IcmpCode::ExcTtl);
    EXPECT_EQ(repr.data, std::vector<uint8_t>(f.begin() + 14, f.end())); // TTL 1 as received
    EXPECT_EQ(notes_with(t.sim.trace(), "Time to live exceeded"), 2); // R sends, A receives
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(IcmpError, FragNeededCarriesTheMtu) {
    ThreeHosts t;
    t.r_eth1.mtu = 1000;
    auto f = frame_into_r(t, 64, true, wire::IpProto::Udp, udp_payload(1200));
    t.r_eth0.receive(f);
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::PktTooBig), 1);
    auto icmps = icmp_packets(t.r_eth0);
    ASSERT_EQ(icmps.size(), 1u);
    auto ipv = *wire::Ipv4View::new_checked(icmps[0]);
    auto view = *wire::IcmpView::new_checked(ipv.payload());
    EXPECT_EQ(view.type(), wire::IcmpType::DestUnreach);
    EXPECT_EQ(view.code(), wire::IcmpCode::FragNeeded);
    EXPECT_EQ(view.next_hop_mtu(), 1000);
    EXPECT_EQ(icmps[0].size(), 576u);
    EXPECT_EQ(notes_with(t.sim.trace(), "next-hop MTU 1000"), 1); // A's icmp_unreach
}

TEST(IcmpError, RateLimitedPerDestination) {
    TwoHosts t;
    int fd = udp_socket(*t.a);
    for (int i = 0; i < 100; ++i)
        call([&](SysDone d) { libc_sendto(*t.a, fd, {'x'}, SockAddrIn{AF_INET, 9, ip("192.168.1.200")}, 0, d); });
    t.sim.run_until(kNsPerSec / 2);
    size_t burst = icmp_packets(t.b_eth0).size();
    // inet_peer_xrlim_allow: a new peer's bucket holds 6 tokens of icmp_ratelimit; the global burst is 50.
    EXPECT_EQ(burst, 6u);
    EXPECT_LE(burst, 50u);
    // Then one per second per destination.
    for (int s = 1; s <= 3; ++s) {
        // Ten more, sent by the task at s + 0.1 seconds.
        t.sim.at(static_cast<TimeNs>(s) * kNsPerSec + kNsPerSec / 10, t.a->ctx, [&] {
            for (int i = 0; i < 10; ++i)
                call([&](SysDone d) { libc_sendto(*t.a, fd, {'x'}, SockAddrIn{AF_INET, 9, ip("192.168.1.200")}, 0, d); });
        });
        t.sim.run_until(static_cast<TimeNs>(s) * kNsPerSec + kNsPerSec / 2);
        EXPECT_EQ(icmp_packets(t.b_eth0).size(), burst + s) << "second " << s;
    }
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NoSocket), 130);
    EXPECT_GT(notes_with(t.sim.trace(), "ICMP rate limit for 192.168.1.100"), 100);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(IcmpError, GlobalBucketCapsBurstsToManyDestinations) {
    // 120 sources (one inet_peer each) whose TTL runs out at R at once: every peer bucket allows
    // one, but the global bucket (burst 50, each message takes 0..2 credits) stops most of them.
    ThreeHosts r;
    for (int i = 0; i < 120; ++i) {
        auto f = frame_into_r(r, 1, false, wire::IpProto::Udp, udp_payload(12));
        // a different source each time (192.168.1.10 + i): one inet_peer each
        f[14 + 15] = static_cast<uint8_t>(10 + i);
        f[14 + 10] = f[14 + 11] = 0;
        uint16_t c = 0;
        {
            uint32_t sum = 0;
            for (int k = 0; k < 20; k += 2) sum += (f[14 + k] << 8) | f[14 + k + 1];
            while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
            c = static_cast<uint16_t>(~sum);
        }
        f[14 + 10] = static_cast<uint8_t>(c >> 8);
        f[14 + 11] = static_cast<uint8_t>(c);
        r.r_eth0.receive(f);
    }
    r.sim.run_until(kNsPerSec / 2);
    int sends = 0;
    for (const auto& e : r.sim.trace().events)
        if (e.kind == EventKind::FuncEnter && r.sim.trace().str(e.name) == "icmp_push_reply") ++sends;
    EXPECT_GE(sends, 20);
    EXPECT_LE(sends, 100);
    EXPECT_GT(notes_with(r.sim.trace(), "no global credit"), 0);
}

TEST(IcmpError, NoErrorAboutAnIcmpError) {
    ThreeHosts t;
    // A port unreachable (itself an error) with TTL 1 through R: R must not answer it.
    std::vector<uint8_t> icmp(8 + 28, 0);
    icmp[0] = wire::IcmpType::DestUnreach;
    icmp[1] = wire::IcmpCode::PortUnreach;
    t.r_eth0.receive(frame_into_r(t, 1, false, wire::IpProto::Icmp, icmp));
    // An echo request with TTL 1 does get time exceeded.
    std::vector<uint8_t> echo(16, 0);
    echo[0] = wire::IcmpType::Echo;
    t.r_eth0.receive(frame_into_r(t, 1, false, wire::IpProto::Icmp, echo));
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(notes_with(t.sim.trace(), "the packet is itself an ICMP error"), 1);
    EXPECT_EQ(icmp_packets(t.r_eth0).size(), 1u);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::IpInhdr), 2);
}

TEST(IcmpError, ProtocolUnreachable) {
    TwoHosts t;
    std::vector<uint8_t> f(14 + 20 + 8, 0);
    wire::EthernetRepr{t.b_eth0.dev_addr, t.a_eth0.dev_addr, wire::EtherType::Ipv4}.emit(f);
    wire::Ipv4Repr iph;
    iph.saddr = ip("192.168.1.100");
    iph.daddr = ip("192.168.1.200");
    iph.protocol = 132; // SCTP: no handler
    iph.payload_len = 8;
    iph.emit(std::span<uint8_t>(f).subspan(14));
    t.b_eth0.receive(f);
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::IpNoproto), 1);
    auto icmps = icmp_packets(t.b_eth0);
    ASSERT_EQ(icmps.size(), 1u);
    auto view = *wire::IcmpView::new_checked(wire::Ipv4View::new_checked(icmps[0])->payload());
    EXPECT_EQ(view.code(), wire::IcmpCode::ProtUnreach);
}

} // namespace
} // namespace skbscope::test
