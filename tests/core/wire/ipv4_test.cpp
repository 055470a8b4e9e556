// Tests for core/wire/ipv4.h against real frames: deconstruct, construct, emit, round trip,
// length checks like ip_rcv_core(), checksum verification and ip_decrease_ttl.
#include "core/wire/bytes.h"
#include "core/wire/ethernet.h"
#include "core/wire/ipv4.h"
#include "tests/core/wire/fixtures.h"

#include <gtest/gtest.h>

namespace skbscope::wire {
namespace {

std::span<const uint8_t> ip_of(std::span<const uint8_t> frame) {
    return frame.subspan(ETH_HLEN);
}

TEST(Ipv4, DeconstructSyn) {
    auto ip = Ipv4View::new_checked(ip_of(fixtures::kTcpSyn));
    ASSERT_TRUE(ip.ok()) << ip.error().message;
    EXPECT_EQ(ip->version(), 4);
    EXPECT_EQ(ip->ihl(), 5);
    EXPECT_EQ(ip->header_len(), 20u);
    EXPECT_EQ(ip->tos(), 0);
    EXPECT_EQ(ip->tot_len(), 60);
    EXPECT_EQ(ip->id(), 0x479c);
    EXPECT_TRUE(ip->df());
    EXPECT_FALSE(ip->mf());
    EXPECT_EQ(ip->frag_offset(), 0);
    EXPECT_FALSE(ip->is_fragment());
    EXPECT_EQ(ip->ttl(), 64);
    EXPECT_EQ(ip->protocol(), IpProto::Tcp);
    EXPECT_EQ(ip->check(), 0x6e07);
    EXPECT_EQ(ip->saddr().to_string(), "192.168.1.100");
    EXPECT_EQ(ip->daddr().to_string(), "192.168.2.100");
    EXPECT_TRUE(ip->options().empty());
    EXPECT_EQ(ip->payload().size(), 40u);
    EXPECT_TRUE(ip->verify_checksum());
    EXPECT_EQ(ip->compute_checksum(), 0x6e07);
}

TEST(Ipv4, ConstructMatchesFixture) {
    Ipv4Repr r;
    r.saddr = *Ipv4Addr::parse("192.168.2.100");
    r.daddr = *Ipv4Addr::parse("192.168.1.100");
    r.protocol = IpProto::Tcp;
    r.payload_len = 40;
    r.ttl = 64;
    r.id = 0; // LINUX: a SYN-ACK from a request sock goes out with IP ID 0 and DF
    r.df = true;
    std::array<uint8_t, 20> out{};
    r.emit(out);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), fixtures::kTcpSynAckB.begin() + ETH_HLEN));
}

TEST(Ipv4, RoundTripEveryFixture) {
    for (auto frame :
         {std::span<const uint8_t>(fixtures::kTcpSyn), std::span<const uint8_t>(fixtures::kTcpAck),
          std::span<const uint8_t>(fixtures::kUdp), std::span<const uint8_t>(fixtures::kIcmpPortUnreach)}) {
        auto ip = Ipv4View::new_checked(ip_of(frame));
        ASSERT_TRUE(ip.ok());
        auto r = Ipv4Repr::parse(*ip);
        ASSERT_TRUE(r.ok());
        std::vector<uint8_t> out(r->header_len());
        r->emit(out);
        EXPECT_TRUE(std::equal(out.begin(), out.end(), ip->header().begin()));
    }
}

TEST(Ipv4, OptionsRoundTrip) {
    Ipv4Repr r;
    r.saddr = Ipv4Addr::from_octets(10, 0, 0, 1);
    r.daddr = Ipv4Addr::from_octets(10, 0, 0, 2);
    r.protocol = IpProto::Udp;
    r.payload_len = 8;
    r.options = {0x94, 0x04, 0x00, 0x00}; // Router Alert
    r.mf = true;
    r.frag_offset = 1480;
    std::vector<uint8_t> out(r.header_len() + r.payload_len);
    r.emit(out);
    auto v = Ipv4View::new_checked(out);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->ihl(), 6);
    EXPECT_TRUE(v->verify_checksum());
    EXPECT_TRUE(v->is_fragment());
    EXPECT_EQ(v->frag_offset(), 1480);
    EXPECT_EQ(v->frag_off(), IP_MF | 185);
    EXPECT_EQ(*Ipv4Repr::parse(*v), r);
}

TEST(Ipv4, PayloadStopsAtTotLenNotAtPadding) {
    auto frame = fixtures::vec(fixtures::kUdp);
    frame.resize(ETH_ZLEN, 0); // a padded copy of the 47-byte loopback frame
    auto ip = Ipv4View::new_checked(ip_of(frame));
    ASSERT_TRUE(ip.ok());
    EXPECT_EQ(ip->payload().size(), 13u);
}

TEST(Ipv4, LengthChecks) {
    const auto good = fixtures::vec(ip_of(fixtures::kTcpSyn));
    auto check = [](std::vector<uint8_t> b) {
        auto r = Ipv4View::new_checked(b);
        return r.ok() ? std::string("ok") : r.error().message;
    };
    EXPECT_EQ(check(good), "ok");
    EXPECT_EQ(check({good.begin(), good.begin() + 19}), "IPv4: too short for a header (19 < 20 bytes)");
    auto b = good;
    b[0] = 0x44;
    EXPECT_EQ(check(b), "IPv4: header length 16 < 20 bytes");
    b = good;
    b[0] = 0x4f;
    EXPECT_EQ(check({b.begin(), b.begin() + 40}), "IPv4: header length 60 > buffer 40 bytes");
    b = good;
    put_be16(b, 2, 10);
    EXPECT_EQ(check(b), "IPv4: total length 10 < header length 20");
    b = good;
    put_be16(b, 2, 61);
    EXPECT_EQ(check(b), "IPv4: total length 61 > buffer 60 bytes");
    b = good;
    b[0] = 0x65;
    EXPECT_EQ(check(b), "ok"); // lengths fine; the version is parse()'s business
    EXPECT_EQ(Ipv4Repr::parse(Ipv4View(b)).error().message, "IPv4: version 6 != 4");
}

TEST(Ipv4, BadChecksumIsDetected) {
    auto b = fixtures::vec(ip_of(fixtures::kTcpSyn));
    b[11] ^= 1;
    auto v = Ipv4View::new_checked(b);
    ASSERT_TRUE(v.ok());
    EXPECT_FALSE(v->verify_checksum());
    EXPECT_EQ(v->compute_checksum(), 0x6e07);
    EXPECT_TRUE(Ipv4Repr::parse(*v).ok()); // parse leaves the checksum to the caller
}

TEST(Ipv4, DecreaseTtlAsRouterRDid) {
    auto frame = fixtures::vec(fixtures::kTcpSynAckB);
    const auto ip = std::span<uint8_t>(frame).subspan(ETH_HLEN);
    EXPECT_EQ(ip_decrease_ttl(ip), 63);
    // R also rewrote the MAC addresses; the IP header and everything after it is now identical.
    EXPECT_TRUE(std::equal(frame.begin() + ETH_HLEN, frame.end(), fixtures::kTcpSynAckA.begin() + ETH_HLEN));
}

TEST(Ipv4, ProtoNames) {
    EXPECT_EQ(ip_proto_name(1), "ICMP");
    EXPECT_EQ(ip_proto_name(6), "TCP");
    EXPECT_EQ(ip_proto_name(17), "UDP");
    EXPECT_EQ(ip_proto_name(47), "47");
}

} // namespace
} // namespace skbscope::wire
