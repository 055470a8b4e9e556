// Tests for core/wire/icmp.h and core/wire/udp.h against real frames (ping and a UDP
// datagram to a closed port, answered with port unreachable).
#include "core/wire/bytes.h"
#include "core/wire/ethernet.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "core/wire/udp.h"
#include "tests/core/wire/fixtures.h"

#include <gtest/gtest.h>

namespace skbscope::wire {
namespace {

const Ipv4Addr kA = Ipv4Addr::from_octets(192, 168, 1, 100);
const Ipv4Addr kR = Ipv4Addr::from_octets(192, 168, 1, 1);

std::span<const uint8_t> l4_of(std::span<const uint8_t> frame) {
    return Ipv4View::new_checked(frame.subspan(ETH_HLEN))->payload();
}

std::vector<uint8_t> ping_data() {
    std::vector<uint8_t> d = {0, 1, 2, 3, 4, 5, 6, 7};
    for (uint8_t b = 0x10; b < 0x40; ++b)
        d.push_back(b);
    return d;
}

TEST(Icmp, DeconstructEchoRequest) {
    auto v = IcmpView::new_checked(l4_of(fixtures::kIcmpEchoRequest));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->type(), IcmpType::Echo);
    EXPECT_EQ(v->code(), 0);
    EXPECT_EQ(v->checksum(), 0x402a);
    EXPECT_EQ(v->echo_id(), 1);
    EXPECT_EQ(v->echo_seq(), 1);
    EXPECT_EQ(v->data().size(), 56u);
    EXPECT_TRUE(v->verify_checksum());
    auto r = IcmpRepr::parse(*v);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, IcmpRepr::echo_request(1, 1, ping_data()));
}

TEST(Icmp, ConstructEchoReplyMatchesKernel) {
    const auto r = IcmpRepr::echo_reply(1, 1, ping_data());
    std::vector<uint8_t> out(r.buffer_len());
    r.emit(out);
    const auto want = l4_of(fixtures::kIcmpEchoReply);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), want.begin(), want.end()));
}

TEST(Icmp, PortUnreachableQuotesLikeLinux) {
    const auto original = std::span(fixtures::kUdp).subspan(ETH_HLEN); // the 33-byte IP datagram
    const auto r = IcmpRepr::dest_unreachable(IcmpCode::PortUnreach, original);
    EXPECT_EQ(r.data.size(), 33u); // Linux quotes it all, not just header + 8
    std::vector<uint8_t> out(r.buffer_len());
    r.emit(out);
    const auto want = l4_of(fixtures::kIcmpPortUnreach);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), want.begin(), want.end()));

    auto parsed = IcmpRepr::parse(*IcmpView::new_checked(want));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, r);
    EXPECT_EQ(IcmpRepr::dest_unreachable(3, original, IcmpQuote::Rfc792).data.size(), 28u);
}

TEST(Icmp, LinuxQuoteIsCappedAt548Bytes) {
    std::vector<uint8_t> big(1500, 0);
    big[0] = 0x45;
    EXPECT_EQ(IcmpRepr::time_exceeded(IcmpCode::ExcTtl, big).data.size(), 548u);
}

TEST(Icmp, FragNeededAndTimeExceededRoundTrip) {
    const auto original = std::span(fixtures::kTcpSyn).subspan(ETH_HLEN);
    for (const auto& r :
         {IcmpRepr::frag_needed(1400, original), IcmpRepr::time_exceeded(IcmpCode::ExcTtl, original)}) {
        std::vector<uint8_t> out(r.buffer_len());
        r.emit(out);
        auto v = IcmpView::new_checked(out);
        ASSERT_TRUE(v.ok());
        EXPECT_TRUE(v->verify_checksum());
        auto p = IcmpRepr::parse(*v);
        ASSERT_TRUE(p.ok());
        EXPECT_EQ(*p, r);
    }
    const auto fn = IcmpRepr::frag_needed(1400, original);
    std::vector<uint8_t> out(fn.buffer_len());
    fn.emit(out);
    EXPECT_EQ(out[0], 3);
    EXPECT_EQ(out[1], 4);
    EXPECT_EQ(get_be16(out, 4), 0);
    EXPECT_EQ(get_be16(out, 6), 1400);
}

TEST(Icmp, TruncatedAndMalformed) {
    const auto msg = l4_of(fixtures::kIcmpEchoRequest);
    for (size_t n = 0; n < ICMP_HDR_LEN; ++n)
        EXPECT_FALSE(IcmpView::new_checked(msg.first(n)).ok());
    auto b = fixtures::vec(msg);
    b[0] = 13; // timestamp request
    EXPECT_EQ(IcmpRepr::parse(IcmpView(b)).error().message, "ICMP: unsupported type 13");
    const std::vector<uint8_t> short_err = {3, 3, 0, 0, 0, 0, 0, 0, 0x45, 0};
    EXPECT_EQ(IcmpRepr::parse(IcmpView(short_err)).error().message,
              "ICMP: error message quotes 2 bytes, less than an IPv4 header");
    b = fixtures::vec(msg);
    b[20] ^= 0xff;
    EXPECT_FALSE(IcmpView(b).verify_checksum());
}

TEST(Icmp, TypeNames) {
    EXPECT_EQ(icmp_type_name(8, 0), "Echo (ping) request");
    EXPECT_EQ(icmp_type_name(3, 3), "Destination unreachable (Port unreachable)");
    EXPECT_EQ(icmp_type_name(3, 4), "Destination unreachable (Fragmentation needed)");
    EXPECT_EQ(icmp_type_name(11, 0), "Time-to-live exceeded (Time to live exceeded in transit)");
}

TEST(Udp, Deconstruct) {
    auto v = UdpView::new_checked(l4_of(fixtures::kUdp));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->src_port(), 40000);
    EXPECT_EQ(v->dst_port(), 9000);
    EXPECT_EQ(v->len(), 13);
    EXPECT_EQ(v->checksum(), 0x78e3);
    EXPECT_EQ(std::string(v->payload().begin(), v->payload().end()), "hello");
    EXPECT_TRUE(v->verify_checksum(kA, kR));
    EXPECT_FALSE(v->verify_checksum(kR, kA.masked(24)));
    EXPECT_EQ(*UdpRepr::parse(*v), (UdpRepr{40000, 9000}));
}

TEST(Udp, ConstructMatchesFixture) {
    std::vector<uint8_t> dgram(UDP_HDR_LEN);
    for (char c : std::string("hello"))
        dgram.push_back(static_cast<uint8_t>(c));
    UdpRepr{40000, 9000}.emit(dgram, kA, kR);
    const auto want = l4_of(fixtures::kUdp);
    EXPECT_TRUE(std::equal(dgram.begin(), dgram.end(), want.begin(), want.end()));
}

TEST(Udp, ZeroChecksumMeansNoneAndIsNeverEmitted) {
    auto b = fixtures::vec(l4_of(fixtures::kUdp));
    b[6] = b[7] = 0;
    EXPECT_TRUE(UdpView(b).verify_checksum(kA, kR));
    // Find a payload whose checksum computes to 0: it must go out as 0xffff (and still verify).
    std::vector<uint8_t> d(UDP_HDR_LEN + 2);
    bool seen = false;
    for (uint32_t x = 0; x <= 0xffff && !seen; ++x) {
        put_be16(d, 8, static_cast<uint16_t>(x));
        UdpRepr{1, 2}.emit(d, kA, kR);
        if (get_be16(d, 6) == 0xffff) {
            seen = true;
            EXPECT_TRUE(UdpView(d).verify_checksum(kA, kR));
        }
        EXPECT_NE(get_be16(d, 6), 0);
    }
    EXPECT_TRUE(seen);
}

TEST(Udp, LengthChecks) {
    const auto good = fixtures::vec(l4_of(fixtures::kUdp));
    EXPECT_EQ(UdpView::new_checked(std::span(good).first(7)).error().message,
              "UDP: too short for a header (7 < 8 bytes)");
    auto b = good;
    put_be16(b, 4, 7);
    EXPECT_EQ(UdpView::new_checked(b).error().message, "UDP: length field 7 < 8");
    put_be16(b, 4, 14);
    EXPECT_EQ(UdpView::new_checked(b).error().message, "UDP: length field 14 > buffer 13 bytes");
    put_be16(b, 4, 9);
    auto v = UdpView::new_checked(b);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->payload().size(), 1u);
}

} // namespace
} // namespace skbscope::wire
