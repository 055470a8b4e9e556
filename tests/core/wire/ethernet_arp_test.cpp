// Tests for core/wire/ethernet.h and core/wire/arp.h against the ARP exchange of the reference
// capture: deconstruct, construct, emit, round trip, truncated and malformed input.
#include "core/wire/arp.h"
#include "core/wire/ethernet.h"
#include "tests/core/wire/fixtures.h"

#include <gtest/gtest.h>

namespace skbscope::wire {
namespace {

const MacAddr kMacA = *MacAddr::parse("02:00:00:00:01:64");
const MacAddr kMacR = *MacAddr::parse("02:00:00:00:01:01");
const Ipv4Addr kIpA = *Ipv4Addr::parse("192.168.1.100");
const Ipv4Addr kIpR = *Ipv4Addr::parse("192.168.1.1");

TEST(Ethernet, Deconstruct) {
    auto eth = EthernetView::new_checked(fixtures::kArpRequest);
    ASSERT_TRUE(eth.ok()) << eth.error().message;
    EXPECT_TRUE(eth->dst().is_broadcast());
    EXPECT_EQ(eth->src(), kMacA);
    EXPECT_EQ(eth->ethertype(), EtherType::Arp);
    EXPECT_EQ(eth->payload().size(), 28u);
    auto repr = EthernetRepr::parse(*eth);
    ASSERT_TRUE(repr.ok());
    EXPECT_EQ(*repr, (EthernetRepr{MacAddr::broadcast(), kMacA, EtherType::Arp}));
}

TEST(Ethernet, ConstructMatchesFixture) {
    std::array<uint8_t, ETH_HLEN> out{};
    EthernetRepr{kMacR, kMacA, EtherType::Ipv4}.emit(out);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), fixtures::kTcpSyn.begin()));
}

TEST(Ethernet, TooShort) {
    for (size_t n = 0; n < ETH_HLEN; ++n) {
        auto eth = EthernetView::new_checked(std::span(fixtures::kArpRequest).first(n));
        ASSERT_FALSE(eth.ok());
        EXPECT_NE(eth.error().message.find("Ethernet: frame too short"), std::string::npos);
    }
    EXPECT_TRUE(EthernetView::new_checked(std::span(fixtures::kArpRequest).first(ETH_HLEN)).ok());
}

TEST(Ethernet, NamesAndPadding) {
    EXPECT_EQ(ethertype_name(EtherType::Ipv4), "IPv4");
    EXPECT_EQ(ethertype_name(EtherType::Arp), "ARP");
    EXPECT_EQ(ethertype_name(0x88cc), "0x88cc");
    EXPECT_EQ(eth_frame_len(28), ETH_ZLEN);
    EXPECT_EQ(eth_frame_len(1500), ETH_FRAME_LEN);
}

TEST(Arp, DeconstructRequest) {
    auto arp = ArpView::new_checked(std::span(fixtures::kArpRequest).subspan(ETH_HLEN));
    ASSERT_TRUE(arp.ok());
    EXPECT_EQ(arp->htype(), ARPHRD_ETHER);
    EXPECT_EQ(arp->ptype(), EtherType::Ipv4);
    EXPECT_EQ(arp->hlen(), 6);
    EXPECT_EQ(arp->plen(), 4);
    EXPECT_EQ(arp->oper(), ARPOP_REQUEST);
    auto repr = ArpRepr::parse(*arp);
    ASSERT_TRUE(repr.ok());
    EXPECT_EQ(*repr, ArpRepr::request(kMacA, kIpA, kIpR));
    EXPECT_TRUE(repr->tha.is_zero());
}

TEST(Arp, ConstructRequestAndReplyMatchFixtures) {
    std::array<uint8_t, 42> req{};
    EthernetRepr{MacAddr::broadcast(), kMacA, EtherType::Arp}.emit(req);
    ArpRepr::request(kMacA, kIpA, kIpR).emit(std::span(req).subspan(ETH_HLEN));
    EXPECT_EQ(req, fixtures::kArpRequest);

    std::array<uint8_t, 42> rep{};
    EthernetRepr{kMacA, kMacR, EtherType::Arp}.emit(rep);
    ArpRepr::reply(kMacR, kIpR, kMacA, kIpA).emit(std::span(rep).subspan(ETH_HLEN));
    EXPECT_EQ(rep, fixtures::kArpReply);
}

TEST(Arp, RoundTrip) {
    auto repr = ArpRepr::parse(*ArpView::new_checked(std::span(fixtures::kArpReply).subspan(ETH_HLEN)));
    ASSERT_TRUE(repr.ok());
    std::array<uint8_t, ARP_ETH_IP_LEN> out{};
    repr->emit(out);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), fixtures::kArpReply.begin() + ETH_HLEN));
}

TEST(Arp, TruncatedAndMalformed) {
    const auto body = std::span(fixtures::kArpRequest).subspan(ETH_HLEN);
    for (size_t n = 0; n < ARP_ETH_IP_LEN; ++n)
        EXPECT_FALSE(ArpView::new_checked(body.first(n)).ok()) << n;

    auto with = [&](size_t off, uint8_t v) {
        auto b = fixtures::vec(body);
        b[off] = v;
        return b;
    };
    auto bad_htype = with(1, 6);
    auto r = ArpRepr::parse(ArpView(bad_htype));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "ARP: hardware type 6 is not Ethernet (1)");
    auto bad_op = with(7, 9);
    EXPECT_EQ(ArpRepr::parse(ArpView(bad_op)).error().message, "ARP: unsupported operation 9");
    // A huge hlen is caught by the length check, not read past the buffer.
    auto huge = with(4, 200);
    auto v = ArpView::new_checked(huge);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().message, "ARP: addresses truncated (28 < 416 bytes)");
    auto small = with(4, 2); // hlen 2: fits, but is not Ethernet
    ASSERT_TRUE(ArpView::new_checked(small).ok());
    EXPECT_EQ(ArpRepr::parse(ArpView(small)).error().message, "ARP: address lengths 2/4 are not 6/4");
}

} // namespace
} // namespace skbscope::wire
