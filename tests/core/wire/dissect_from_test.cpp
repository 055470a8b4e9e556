// Tests for dissect_from() (core/wire/describe.h): the dissection of bytes that begin at a header
// other than Ethernet, as the packet-bytes panel shows an sk_buff from skb->data. Each case cuts a
// real frame of fixtures.h at a header and checks the offsets shift to that start; transport
// checksums are unverified there; zeros (a header not written yet) and cut-short bytes never read
// out of bounds.
#include "core/wire/describe.h"
#include "tests/core/wire/fixtures.h"

#include <gtest/gtest.h>

#include <vector>

namespace skbscope::wire {
namespace {

const DissectField* find(const DissectField& n, const std::string& name) {
    if (n.name == name) return &n;
    for (const auto& c : n.children)
        if (const DissectField* f = find(c, name)) return f;
    return nullptr;
}

void expect_at(const DissectField& root, const std::string& name, size_t off, size_t len,
               const std::string& value) {
    const DissectField* f = find(root, name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->offset, off) << name;
    EXPECT_EQ(f->length, len) << name;
    EXPECT_EQ(f->value, value) << name;
}

TEST(DissectFrom, EthernetIsDissectFrame) {
    EXPECT_EQ(dissect_to_text(dissect_from(fixtures::kTcpSyn, DissectStart::Ethernet)),
              dissect_to_text(dissect_frame(fixtures::kTcpSyn)));
}

TEST(DissectFrom, Ipv4StartKeepsTheChecksumsItCanCompute) {
    const auto ip = std::span<const uint8_t>(fixtures::kTcpSyn).subspan(14);
    const DissectField root = dissect_from(ip, DissectStart::Ipv4);
    EXPECT_EQ(root.name, "Packet");
    EXPECT_EQ(root.value, "60 bytes from IPv4");
    ASSERT_EQ(root.children.size(), 2u);
    expect_at(root, "Internet Protocol Version 4", 0, 20, "Src: 192.168.1.100, Dst: 192.168.2.100");
    expect_at(root, "Time to Live", 8, 1, "64");
    expect_at(root, "Header Checksum", 10, 2, "0x6e07 [correct]");
    expect_at(root, "Sequence Number", 24, 4, "3722886551");
    expect_at(root, "Checksum", 36, 2, "0x9a48 [correct]"); // addresses are in the bytes
}

TEST(DissectFrom, TcpStartHasNoPseudoHeader) {
    const auto tcp = std::span<const uint8_t>(fixtures::kTcpSyn).subspan(34);
    const DissectField root = dissect_from(tcp, DissectStart::Tcp);
    ASSERT_EQ(root.children.size(), 1u);
    expect_at(root, "Transmission Control Protocol", 0, 40,
              "Src Port: 51322, Dst Port: 8080, Seq: 3722886551 Len: 0");
    expect_at(root, "Checksum", 16, 2, "0x9a48 [unverified]");
    expect_at(root, "Maximum segment size", 20, 4, "1460 bytes");
}

TEST(DissectFrom, UdpIcmpArpStarts) {
    DissectField root = dissect_from(std::span<const uint8_t>(fixtures::kUdp).subspan(34), DissectStart::Udp);
    expect_at(root, "User Datagram Protocol", 0, 8, "Src Port: 40000, Dst Port: 9000");
    expect_at(root, "Checksum", 6, 2, "0x78e3 [unverified]");
    expect_at(root, "Payload", 8, 5, "5 bytes");

    root = dissect_from(std::span<const uint8_t>(fixtures::kIcmpEchoRequest).subspan(34), DissectStart::Icmp);
    expect_at(root, "Checksum", 2, 2, "0x402a [correct]"); // ICMP sums only its own bytes
    expect_at(root, "Payload", 8, 56, "56 bytes");

    root = dissect_from(std::span<const uint8_t>(fixtures::kArpReply).subspan(14), DissectStart::Arp);
    expect_at(root, "Opcode", 6, 2, "reply (2)");
    expect_at(root, "Target IP address", 24, 4, "192.168.1.100");
}

TEST(DissectFrom, HeaderNotWrittenYetAndCutShort) {
    // What skb->data shows right after __tcp_transmit_skb's skb_push: 32 bytes, nothing written.
    const std::vector<uint8_t> zeros(32, 0);
    DissectField root = dissect_from(zeros, DissectStart::Tcp);
    expect_at(root, "Source Port", 0, 2, "0");
    EXPECT_NE(find(root, "Transmission Control Protocol")->value.find("bogus header length 0"),
              std::string::npos);

    for (size_t n = 0; n < 40; ++n) {
        const auto cut = std::span<const uint8_t>(fixtures::kTcpSyn).subspan(34, n);
        root = dissect_from(cut, DissectStart::Tcp);
        for (const auto& layer : root.children)
            EXPECT_LE(layer.offset + layer.length, n) << n;
        root = dissect_from(std::span<const uint8_t>(fixtures::kTcpSyn).subspan(14, n), DissectStart::Ipv4);
        for (const auto& layer : root.children)
            EXPECT_LE(layer.offset + layer.length, n) << n;
    }
}

} // namespace
} // namespace skbscope::wire
