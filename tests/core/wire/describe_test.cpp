// Tests for core/wire/describe.h: one-line summaries (compared with tshark's for the same real
// frames), dissection trees with exact byte offsets, and robustness on truncated and random bytes.
#include "core/wire/bytes.h"
#include "core/wire/describe.h"
#include "core/wire/ethernet.h"
#include "tests/core/wire/fixtures.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

namespace skbscope::wire {
namespace {

TEST(DescribeFrame, Arp) {
    EXPECT_EQ(describe_frame(fixtures::kArpRequest), "ARP 42 Who has 192.168.1.1? Tell 192.168.1.100");
    EXPECT_EQ(describe_frame(fixtures::kArpReply), "ARP 42 192.168.1.1 is at 02:00:00:00:01:01");
}

TEST(DescribeFrame, Icmp) {
    EXPECT_EQ(describe_frame(fixtures::kIcmpEchoRequest),
              "192.168.1.100 -> 192.168.1.1 ICMP 98 Echo (ping) request id=0x0001, seq=1, ttl=64");
    EXPECT_EQ(describe_frame(fixtures::kIcmpEchoReply),
              "192.168.1.1 -> 192.168.1.100 ICMP 98 Echo (ping) reply id=0x0001, seq=1, ttl=64");
    EXPECT_EQ(describe_frame(fixtures::kIcmpPortUnreach),
              "192.168.1.1 -> 192.168.1.100 ICMP 75 Destination unreachable (Port unreachable)");
}

TEST(DescribeFrame, Udp) {
    EXPECT_EQ(describe_frame(fixtures::kUdp), "192.168.1.100 -> 192.168.1.1 UDP 47 40000 -> 9000 Len=5");
    auto padded = fixtures::vec(fixtures::kUdp);
    padded.resize(ETH_ZLEN, 0);
    EXPECT_EQ(describe_frame(padded), "192.168.1.100 -> 192.168.1.1 UDP 60 40000 -> 9000 Len=5");
}

TEST(DescribeFrame, Tcp) {
    EXPECT_EQ(describe_frame(fixtures::kTcpSyn),
              "192.168.1.100 -> 192.168.2.100 TCP 74 51322 -> 8080 [SYN] Seq=3722886551 Win=64240 Len=0 "
              "MSS=1460 SACK_PERM TSval=1996698398 TSecr=0 WS=1024");
    EXPECT_EQ(describe_frame(fixtures::kTcpSynAckA),
              "192.168.2.100 -> 192.168.1.100 TCP 74 8080 -> 51322 [SYN, ACK] Seq=899840295 Ack=3722886552 "
              "Win=65160 Len=0 MSS=1460 SACK_PERM TSval=1993498167 TSecr=1996698398 WS=1024");
    EXPECT_EQ(describe_frame(fixtures::kTcpAck),
              "192.168.1.100 -> 192.168.2.100 TCP 66 51322 -> 8080 [ACK] Seq=3722886552 Ack=899840296 Win=63 "
              "Len=0 TSval=1996698399 TSecr=1993498167");
}

TEST(DescribeFrame, MalformedAndBadChecksums) {
    EXPECT_EQ(describe_frame(std::vector<uint8_t>{1, 2, 3}),
              "[Malformed Packet: Ethernet: frame too short (3 < 14 bytes)]");
    EXPECT_EQ(describe_frame(std::span(fixtures::kTcpSyn).first(40)),
              "[Malformed Packet: IPv4: total length 60 > buffer 26 bytes]");
    EXPECT_EQ(describe_frame(std::span(fixtures::kArpRequest).first(30)),
              "ARP 30 [Malformed Packet: ARP: addresses truncated (16 < 28 bytes)]");
    auto f = fixtures::vec(fixtures::kTcpSyn);
    f[34 + 20 + 1] = 0; // MSS option length 0
    EXPECT_EQ(describe_frame(f),
              "192.168.1.100 -> 192.168.2.100 TCP 74 51322 -> 8080 [SYN] Seq=3722886551 "
              "Win=64240 Len=0 [Malformed Packet: TCP option kind 2 at offset 0: length 0 < 2]");
    f = fixtures::vec(fixtures::kTcpSyn);
    f[24] ^= 0x10;      // IP checksum
    f[34 + 16] ^= 0x01; // TCP checksum
    const std::string d = describe_frame(f);
    EXPECT_NE(d.find("[TCP checksum incorrect] [IPv4 checksum incorrect]"), std::string::npos) << d;
    f = fixtures::vec(fixtures::kUdp);
    put_be16(f, 34 + 4, 4);
    EXPECT_EQ(describe_frame(f),
              "192.168.1.100 -> 192.168.1.1 UDP 47 [Malformed Packet: UDP: length field 4 < 8]");
}

TEST(DescribeFrame, OtherTypesAndFragments) {
    auto f = fixtures::vec(fixtures::kTcpSyn);
    put_be16(f, 12, 0x86dd);
    EXPECT_EQ(describe_frame(f), "02:00:00:00:01:64 -> 02:00:00:00:01:01 IPv6 74 Ethernet II");
    f = fixtures::vec(fixtures::kUdp);
    put_be16(f, 14 + 6, 0x2000 | 185); // MF, offset 1480
    EXPECT_EQ(describe_frame(f), "192.168.1.100 -> 192.168.1.1 IPv4 47 Fragmented IP protocol (proto=UDP 17, "
                                 "off=1480, ID=1d80) [IPv4 checksum incorrect]");
}

// ---- dissection ----

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

TEST(DissectFrame, TcpSynLayersAndOffsets) {
    const DissectField root = dissect_frame(fixtures::kTcpSyn);
    EXPECT_EQ(root.name, "Frame");
    EXPECT_EQ(root.length, 74u);
    ASSERT_EQ(root.children.size(), 3u); // no payload
    EXPECT_EQ(root.children[0].name, "Ethernet II");
    EXPECT_EQ(root.children[1].name, "Internet Protocol Version 4");
    EXPECT_EQ(root.children[2].name, "Transmission Control Protocol");
    expect_at(root, "Destination", 0, 6, "02:00:00:00:01:01");
    expect_at(root, "Type", 12, 2, "IPv4 (0x0800)");
    expect_at(root, "Internet Protocol Version 4", 14, 20, "Src: 192.168.1.100, Dst: 192.168.2.100");
    expect_at(root, "Total Length", 16, 2, "60");
    expect_at(root, "Don't fragment", 20, 1, "Set");
    expect_at(root, "Time to Live", 22, 1, "64");
    expect_at(root, "Protocol", 23, 1, "TCP (6)");
    expect_at(root, "Header Checksum", 24, 2, "0x6e07 [correct]");
    expect_at(root, "Destination Address", 30, 4, "192.168.2.100");
    expect_at(root, "Sequence Number", 38, 4, "3722886551");
    expect_at(root, "Header Length", 14, 1, "20 bytes (5)"); // the first match is IPv4's
    expect_at(root, "Flags", 20, 1, "0x2, Don't fragment");
    expect_at(root, "Window", 48, 2, "64240");
    expect_at(root, "Checksum", 50, 2, "0x9a48 [correct]");
    expect_at(root, "Options", 54, 20, "20 bytes");
    expect_at(root, "Maximum segment size", 54, 4, "1460 bytes");
    expect_at(root, "SACK permitted", 58, 2, "");
    expect_at(root, "Timestamps", 60, 10, "TSval=1996698398 TSecr=0");
    expect_at(root, "No-Operation (NOP)", 70, 1, "");
    expect_at(root, "Window scale", 71, 3, "10 (WS=1024)");
    const DissectField& tcp = root.children[2];
    expect_at(tcp, "Flags", 46, 2, "0x002 [SYN]");
    expect_at(tcp, "Syn", 47, 1, "Set");
    expect_at(tcp, "Header Length", 46, 1, "40 bytes (10)");
}

TEST(DissectFrame, ArpIcmpUdpPayloadAndPadding) {
    DissectField root = dissect_frame(fixtures::kArpReply);
    ASSERT_EQ(root.children.size(), 2u);
    expect_at(root, "Opcode", 20, 2, "reply (2)");
    expect_at(root, "Sender MAC address", 22, 6, "02:00:00:00:01:01");
    expect_at(root, "Target IP address", 38, 4, "192.168.1.100");

    root = dissect_frame(fixtures::kIcmpEchoRequest);
    ASSERT_EQ(root.children.size(), 4u);
    expect_at(root, "Internet Control Message Protocol", 34, 8, "Echo (ping) request");
    expect_at(root, "Identifier", 38, 2, "0x0001 (1)");
    expect_at(root, "Checksum", 36, 2, "0x402a [correct]");
    expect_at(root, "Payload", 42, 56, "56 bytes");

    root = dissect_frame(fixtures::kIcmpPortUnreach);
    expect_at(root, "Internet Protocol Version 4 (quoted)", 42, 20, "Src: 192.168.1.100, Dst: 192.168.1.1");
    expect_at(root, "Quoted data", 62, 13, "13 bytes");

    auto padded = fixtures::vec(fixtures::kUdp);
    padded.resize(ETH_ZLEN, 0);
    root = dissect_frame(padded);
    expect_at(root, "Checksum", 40, 2, "0x78e3 [correct]");
    expect_at(root, "Payload", 42, 5, "5 bytes");
    expect_at(root, "Padding", 47, 13, "13 bytes");
    expect_at(root, "User Datagram Protocol", 34, 8, "Src Port: 40000, Dst Port: 9000");
}

TEST(DissectFrame, TruncatedAndNonsense) {
    DissectField root = dissect_frame(std::span(fixtures::kTcpSyn).first(10));
    ASSERT_EQ(root.children.size(), 1u);
    EXPECT_EQ(root.children[0].value, "[truncated: 10 of 14 bytes]");
    EXPECT_EQ(root.children[0].children.size(), 1u); // only Destination fits

    root = dissect_frame(std::span(fixtures::kTcpSyn).first(30));
    ASSERT_EQ(root.children.size(), 2u);
    EXPECT_NE(root.children[1].value.find("[truncated: 16 of 20 bytes]"), std::string::npos);

    auto f = fixtures::vec(fixtures::kTcpSyn);
    f[14] = 0x42; // ihl 2
    root = dissect_frame(f);
    ASSERT_EQ(root.children.size(), 2u);
    EXPECT_NE(root.children[1].value.find("[bogus header length 8, must be >= 20]"), std::string::npos);
    expect_at(root, "Header Checksum", 24, 2, "0x6e07 [unverified]");

    f = fixtures::vec(fixtures::kTcpSyn);
    f[34 + 12] = 0xf0; // doff 15: 60 bytes, only 40 there
    root = dissect_frame(f);
    ASSERT_EQ(root.children.size(), 3u);
    EXPECT_NE(root.children[2].value.find("[truncated: 40 of 60 bytes]"), std::string::npos);

    f = fixtures::vec(fixtures::kTcpSyn);
    f[34 + 20 + 7] = 200; // TS option (at 60) length 200
    root = dissect_frame(f);
    expect_at(root, "Malformed option", 60, 14, "kind 8, length 200");
}

TEST(DissectFrame, TextRendering) {
    const std::string text = dissect_to_text(dissect_frame(fixtures::kArpRequest));
    EXPECT_EQ(text.substr(0, text.find('\n', text.find('\n') + 1)),
              "Frame: 42 bytes [0+42]\n  Ethernet II: Src: 02:00:00:00:01:64, Dst: ff:ff:ff:ff:ff:ff [0+14]");
}

void check_fields_inside(const DissectField& n, size_t size) {
    EXPECT_LE(n.offset + n.length, size) << n.name;
    for (const auto& c : n.children)
        check_fields_inside(c, size);
}

// Every prefix of every fixture, and fixtures with random bytes flipped, must describe and dissect
// without reading out of bounds (the sanitizer build catches any stray read) and with every field
// inside the frame.
TEST(DissectFrame, NeverReadsOutOfBounds) {
    const std::vector<std::span<const uint8_t>> all = {
        fixtures::kArpRequest,      fixtures::kArpReply,        fixtures::kTcpSyn,
        fixtures::kTcpSynAckA,      fixtures::kTcpAck,          fixtures::kTcpFinAck,
        fixtures::kIcmpEchoRequest, fixtures::kIcmpPortUnreach, fixtures::kUdp};
    for (auto frame : all) {
        for (size_t n = 0; n <= frame.size(); ++n) {
            const auto prefix = fixtures::vec(frame.first(n));
            EXPECT_FALSE(describe_frame(prefix).empty());
            check_fields_inside(dissect_frame(prefix), n);
        }
    }
    const uint32_t seed = std::random_device{}();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    for (int i = 0; i < 3000; ++i) {
        auto f = fixtures::vec(all[rng() % all.size()]);
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k)
            f[rng() % f.size()] = static_cast<uint8_t>(rng());
        f.resize(rng() % (f.size() + 1));
        EXPECT_FALSE(describe_frame(f).empty());
        check_fields_inside(dissect_frame(f), f.size());
    }
}

} // namespace
} // namespace skbscope::wire
