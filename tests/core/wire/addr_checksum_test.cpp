// Tests for core/wire/addr.h and core/wire/checksum.h: address parsing/printing and the RFC 1071 /
// RFC 1624 arithmetic against the checksums Linux put on real frames.
#include "core/wire/addr.h"
#include "core/wire/bytes.h"
#include "core/wire/checksum.h"
#include "tests/core/wire/fixtures.h"

#include <gtest/gtest.h>

namespace skbscope::wire {
namespace {

TEST(MacAddr, ParsePrintBroadcast) {
    auto m = MacAddr::parse("02:00:00:00:00:01");
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->to_string(), "02:00:00:00:00:01");
    EXPECT_EQ(MacAddr::parse("AA-bb-CC-dd-EE-ff")->to_string(), "aa:bb:cc:dd:ee:ff");
    EXPECT_FALSE(MacAddr::parse("02:00:00:00:00").has_value());
    EXPECT_FALSE(MacAddr::parse("02:00:00:00:00:0g").has_value());
    EXPECT_FALSE(MacAddr::parse("02:00:00:00:00:001").has_value());
    EXPECT_TRUE(MacAddr::broadcast().is_broadcast());
    EXPECT_TRUE(MacAddr::broadcast().is_multicast());
    EXPECT_FALSE(m->is_multicast());
    EXPECT_EQ(MacAddr::broadcast().to_string(), "ff:ff:ff:ff:ff:ff");
    EXPECT_TRUE(MacAddr::zero().is_zero());
}

TEST(Ipv4Addr, ParsePrint) {
    auto a = Ipv4Addr::parse("192.168.1.1");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->value, 0xc0a80101u);
    EXPECT_EQ(a->to_string(), "192.168.1.1");
    EXPECT_EQ(Ipv4Addr::from_octets(10, 0, 0, 255).to_string(), "10.0.0.255");
    for (const char* bad :
         {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "1.2.3.4 ", "1234.1.1.1"})
        EXPECT_FALSE(Ipv4Addr::parse(bad).has_value()) << bad;
    EXPECT_EQ(Ipv4Addr::parse("0.0.0.0")->value, 0u);
    EXPECT_EQ(Ipv4Addr::parse("255.255.255.255")->value, 0xffffffffu);
}

TEST(Ipv4Addr, PrefixAndMask) {
    EXPECT_EQ(Ipv4Addr::mask_from_prefix(24).to_string(), "255.255.255.0");
    EXPECT_EQ(Ipv4Addr::mask_from_prefix(0).value, 0u);
    EXPECT_EQ(Ipv4Addr::mask_from_prefix(32).value, 0xffffffffu);
    EXPECT_EQ(Ipv4Addr::mask_from_prefix(20).to_string(), "255.255.240.0");
    EXPECT_EQ(Ipv4Addr::parse("255.255.255.0")->mask_prefix_len(), 24);
    EXPECT_EQ(Ipv4Addr::parse("0.0.0.0")->mask_prefix_len(), 0);
    EXPECT_FALSE(Ipv4Addr::parse("255.0.255.0")->mask_prefix_len().has_value());
    const auto a = *Ipv4Addr::parse("192.168.1.100");
    EXPECT_EQ(a.masked(24).to_string(), "192.168.1.0");
    EXPECT_TRUE(a.in_subnet(*Ipv4Addr::parse("192.168.1.0"), 24));
    EXPECT_FALSE(a.in_subnet(*Ipv4Addr::parse("192.168.2.0"), 24));
    EXPECT_TRUE(a.in_subnet(*Ipv4Addr::parse("10.0.0.0"), 0));
    EXPECT_TRUE(Ipv4Addr::parse("224.0.0.1")->is_multicast());
    EXPECT_TRUE(Ipv4Addr::parse("127.0.0.1")->is_loopback());
}

TEST(Checksum, Rfc1071Example) {
    // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (folded).
    const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    InetChecksum c;
    c.add(bytes);
    EXPECT_EQ(c.folded(), 0xddf2);
    EXPECT_EQ(c.finish(), 0x220d);
    EXPECT_EQ(ip_compute_csum(bytes), 0x220d);
}

TEST(Checksum, SplitSpansOfOddLengthGiveTheSameSum) {
    const auto& f = fixtures::kIcmpEchoRequest;
    const std::span<const uint8_t> icmp(f.data() + 34, f.size() - 34);
    const uint16_t whole = ip_compute_csum(icmp);
    for (size_t cut = 0; cut <= icmp.size(); ++cut) {
        InetChecksum c;
        c.add(icmp.first(cut));
        c.add(icmp.subspan(cut));
        EXPECT_EQ(c.finish(), whole) << "cut at " << cut;
    }
    EXPECT_EQ(whole, 0); // the captured message carries a correct checksum
    const uint8_t odd[] = {0x01};
    EXPECT_EQ(ip_compute_csum(odd), static_cast<uint16_t>(~0x0100));
}

TEST(Checksum, Ipv4HeaderOfRealFrame) {
    const auto& f = fixtures::kTcpSyn;
    std::array<uint8_t, 20> hdr{};
    std::copy(f.begin() + 14, f.begin() + 34, hdr.begin());
    EXPECT_EQ(ip_fast_csum(hdr), 0);
    hdr[10] = hdr[11] = 0;
    EXPECT_EQ(ip_fast_csum(hdr), 0x6e07); // what Linux wrote
}

TEST(Checksum, TcpUdpPseudoHeader) {
    const auto& f = fixtures::kTcpSyn;
    const auto s = *Ipv4Addr::parse("192.168.1.100");
    const auto d = *Ipv4Addr::parse("192.168.2.100");
    std::vector<uint8_t> seg(f.begin() + 34, f.end());
    EXPECT_EQ(csum_tcpudp(s, d, 6, seg), 0);
    seg[16] = seg[17] = 0;
    EXPECT_EQ(csum_tcpudp(s, d, 6, seg), 0x9a48);
    // The nofold variant plus the segment's own sum gives the same.
    InetChecksum c;
    c.add(seg);
    EXPECT_EQ(csum_fold(csum_tcpudp_nofold(s, d, static_cast<uint16_t>(seg.size()), 6, c.folded())), 0x9a48);
}

TEST(Checksum, Rfc1624IncrementalUpdateMatchesRouter) {
    // B sent the SYN-ACK with TTL 64 and check b5a3; router R forwarded it with TTL 63, check b6a3.
    const uint16_t before = get_be16(fixtures::kTcpSynAckB, 24);
    const uint16_t after = get_be16(fixtures::kTcpSynAckA, 24);
    EXPECT_EQ(before, 0xb5a3);
    EXPECT_EQ(after, 0xb6a3);
    EXPECT_EQ(csum_replace2(before, 0x4006, 0x3f06), after);
    // RFC 1624 section 4: HC = 0xdd2f, m = 0x5555 -> m' = 0x3285; eqn. 3 gives 0x0000.
    EXPECT_EQ(csum_replace2(0xdd2f, 0x5555, 0x3285), 0x0000);
    // Recomputing from scratch agrees with the incremental update for every TTL.
    std::array<uint8_t, 20> hdr{};
    std::copy(fixtures::kTcpSynAckB.begin() + 14, fixtures::kTcpSynAckB.begin() + 34, hdr.begin());
    for (int ttl = 255; ttl > 0; --ttl) {
        hdr[8] = static_cast<uint8_t>(ttl);
        hdr[10] = hdr[11] = 0;
        const uint16_t full = ip_fast_csum(hdr);
        put_be16(hdr, 10, full);
        const uint16_t inc = csum_replace2(full, static_cast<uint16_t>(ttl << 8 | 6),
                                           static_cast<uint16_t>((ttl - 1) << 8 | 6));
        hdr[8] = static_cast<uint8_t>(ttl - 1);
        hdr[10] = hdr[11] = 0;
        EXPECT_EQ(inc, ip_fast_csum(hdr)) << "ttl " << ttl;
    }
}

TEST(Checksum, Replace4ForAnAddressRewrite) {
    std::vector<uint8_t> seg(fixtures::kTcpSyn.begin() + 34, fixtures::kTcpSyn.end());
    const auto s = *Ipv4Addr::parse("192.168.1.100");
    const auto d = *Ipv4Addr::parse("192.168.2.100");
    const auto nat = *Ipv4Addr::parse("10.9.8.7");
    const uint16_t patched = csum_replace4(get_be16(seg, 16), s.value, nat.value);
    put_be16(seg, 16, patched);
    EXPECT_EQ(csum_tcpudp(nat, d, 6, seg), 0);
}

} // namespace
} // namespace skbscope::wire
