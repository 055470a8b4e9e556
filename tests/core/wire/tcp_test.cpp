// Tests for core/wire/tcp.h against the reference capture's handshake: header fields, options in
// Linux's exact on-wire layouts, checksums, malformed options.
#include "core/wire/bytes.h"
#include "core/wire/ethernet.h"
#include "core/wire/ipv4.h"
#include "core/wire/tcp.h"
#include "tests/core/wire/fixtures.h"

#include <gtest/gtest.h>

namespace skbscope::wire {
namespace {

const Ipv4Addr kA = *Ipv4Addr::parse("192.168.1.100");
const Ipv4Addr kB = *Ipv4Addr::parse("192.168.2.100");

std::span<const uint8_t> seg_of(std::span<const uint8_t> frame) {
    return Ipv4View::new_checked(frame.subspan(ETH_HLEN))->payload();
}

TEST(Tcp, DeconstructSyn) {
    auto v = TcpView::new_checked(seg_of(fixtures::kTcpSyn));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->src_port(), 51322);
    EXPECT_EQ(v->dst_port(), 8080);
    EXPECT_EQ(v->seq(), 0xdde6bd97u);
    EXPECT_EQ(v->ack_seq(), 0u);
    EXPECT_EQ(v->doff(), 10);
    EXPECT_EQ(v->header_len(), 40u);
    EXPECT_EQ(v->flags(), TcpFlags::Syn);
    EXPECT_TRUE(v->has(TcpFlags::Syn));
    EXPECT_FALSE(v->has(TcpFlags::Ack));
    EXPECT_EQ(v->window(), 64240);
    EXPECT_EQ(v->checksum(), 0x9a48);
    EXPECT_EQ(v->urg_ptr(), 0);
    EXPECT_EQ(v->options().size(), 20u);
    EXPECT_TRUE(v->payload().empty());
    EXPECT_TRUE(v->verify_checksum(kA, kB));
    EXPECT_FALSE(v->verify_checksum(kB, kA.masked(24)));

    auto r = TcpRepr::parse(*v);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const std::vector<TcpOption> want = {TcpOption::make_mss(1460), TcpOption::sack_perm(),
                                         TcpOption::timestamp(0x7703331e, 0), TcpOption::nop(),
                                         TcpOption::make_wscale(10)};
    EXPECT_EQ(r->options, want);
}

TEST(Tcp, LinuxSynLayoutFromTcpOutOptions) {
    TcpOutOptions o;
    o.mss = 1460;
    o.sack_perm = true;
    o.timestamps = true;
    o.tsval = 0x7703331e;
    o.wscale = 10;
    TcpRepr r{51322, 8080, 0xdde6bd97u, 0, TcpFlags::Syn, 64240, 0, tcp_options_layout(o)};
    EXPECT_EQ(r.header_len(), 40u);
    std::vector<uint8_t> out(r.header_len());
    r.emit(out, kA, kB);
    const auto want = seg_of(fixtures::kTcpSyn);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), want.begin(), want.end()));
    // The documented byte pattern with WS=7.
    o.wscale = 7;
    o.tsval = 0x01020304;
    o.tsecr = 0;
    std::vector<uint8_t> opts(tcp_options_len(tcp_options_layout(o)));
    emit_tcp_options(tcp_options_layout(o), opts);
    const std::vector<uint8_t> linux_syn = {0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x01, 0x02,
                                            0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};
    EXPECT_EQ(opts, linux_syn);
}

TEST(Tcp, SynAckAndEstablishedMatchFixtures) {
    TcpOutOptions o;
    o.mss = 1460;
    o.sack_perm = true;
    o.timestamps = true;
    o.tsval = 0x76d25e37;
    o.tsecr = 0x7703331e;
    o.wscale = 10;
    TcpRepr synack{8080,  51322, 0x35a27927u,          0xdde6bd98u, TcpFlags::Syn | TcpFlags::Ack,
                   65160, 0,     tcp_options_layout(o)};
    std::vector<uint8_t> out(synack.header_len());
    synack.emit(out, kB, kA);
    auto want = seg_of(fixtures::kTcpSynAckA);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), want.begin(), want.end()));

    TcpOutOptions est;
    est.timestamps = true;
    est.tsval = 0x7703331f;
    est.tsecr = 0x76d25e37;
    const auto layout = tcp_options_layout(est);
    ASSERT_EQ(layout.size(), 3u); // NOP NOP TS: 12 bytes
    EXPECT_EQ(tcp_options_len(layout), 12u);
    TcpRepr ack{51322, 8080, 0xdde6bd98u, 0x35a27928u, TcpFlags::Ack, 63, 0, layout};
    out.assign(ack.header_len(), 0);
    ack.emit(out, kA, kB);
    want = seg_of(fixtures::kTcpAck);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), want.begin(), want.end()));
}

TEST(Tcp, RoundTripWithPayload) {
    auto v = TcpView::new_checked(seg_of(fixtures::kTcpFinAck));
    ASSERT_TRUE(v.ok());
    auto r = TcpRepr::parse(*v);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->flags, TcpFlags::Fin | TcpFlags::Ack);
    // Add five bytes of payload and check the emitted segment verifies.
    std::vector<uint8_t> seg(r->header_len() + 5, 0x61);
    r->emit(seg, kA, kB);
    auto v2 = TcpView::new_checked(seg);
    ASSERT_TRUE(v2.ok());
    EXPECT_TRUE(v2->verify_checksum(kA, kB));
    EXPECT_EQ(v2->payload().size(), 5u);
    EXPECT_EQ(*TcpRepr::parse(*v2), *r);
    // Without payload it is byte-identical to the capture.
    std::vector<uint8_t> same(r->header_len());
    r->emit(same, kA, kB);
    EXPECT_TRUE(std::equal(same.begin(), same.end(), seg_of(fixtures::kTcpFinAck).begin()));
}

TEST(Tcp, OtherLayouts) {
    TcpOutOptions o; // SYN without timestamps: MSS, NOP WS, NOP NOP SACK_PERM
    o.mss = 1460;
    o.sack_perm = true;
    o.wscale = 7;
    std::vector<uint8_t> b(tcp_options_len(tcp_options_layout(o)));
    emit_tcp_options(tcp_options_layout(o), b);
    EXPECT_EQ(b, (std::vector<uint8_t>{2, 4, 5, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2}));

    TcpOutOptions s; // timestamps plus two SACK blocks: NOP NOP TS NOP NOP SACK
    s.timestamps = true;
    s.tsval = 1;
    s.tsecr = 2;
    s.sacks = {{100, 200}, {300, 400}};
    const auto layout = tcp_options_layout(s);
    EXPECT_EQ(tcp_options_len(layout), 32u);
    b.assign(32, 0xee);
    emit_tcp_options(layout, b);
    EXPECT_EQ(b[12], 1);
    EXPECT_EQ(b[14], 5);
    EXPECT_EQ(b[15], 18);
    EXPECT_EQ(get_be32(b, 16), 100u);
    EXPECT_EQ(get_be32(b, 28), 400u);
    EXPECT_EQ(*parse_tcp_options(b), layout);
    EXPECT_EQ(layout.back().to_string(), "SLE=100 SRE=200 SLE=300 SRE=400");
}

TEST(Tcp, UnknownAndEolAndPadding) {
    // Kind 30 (MPTCP) with 2 data bytes, then EOL and zero padding.
    const std::vector<uint8_t> area = {30, 4, 0xab, 0xcd, 1, 0, 0, 0};
    auto opts = parse_tcp_options(area);
    ASSERT_TRUE(opts.ok());
    ASSERT_EQ(opts->size(), 3u);
    EXPECT_EQ((*opts)[0], TcpOption::unknown(30, {0xab, 0xcd}));
    EXPECT_EQ((*opts)[1], TcpOption::nop());
    EXPECT_EQ((*opts)[2], TcpOption::eol());
    std::vector<uint8_t> out(tcp_options_len(*opts));
    emit_tcp_options(*opts, out);
    EXPECT_EQ(out, area);
    // An odd-length list is padded with EOL bytes.
    std::vector<TcpOption> ws = {TcpOption::make_wscale(2)};
    EXPECT_EQ(tcp_options_len(ws), 4u);
    out.assign(4, 0xff);
    emit_tcp_options(ws, out);
    EXPECT_EQ(out, (std::vector<uint8_t>{3, 3, 2, 0}));
}

TEST(Tcp, MalformedOptionsAreErrors) {
    auto err = [](std::vector<uint8_t> area) {
        auto r = parse_tcp_options(area);
        return r.ok() ? std::string("ok") : r.error().message;
    };
    EXPECT_EQ(err({2, 0, 0, 0}), "TCP option kind 2 at offset 0: length 0 < 2");
    EXPECT_EQ(err({1, 8, 1, 0}), "TCP option kind 8 at offset 1: length 1 < 2");
    EXPECT_EQ(err({1, 1, 1, 2}), "TCP option kind 2 at offset 3: length byte missing");
    EXPECT_EQ(err({8, 10, 0, 0}),
              "TCP option kind 8 at offset 0: length 10 runs past the options (4 bytes left)");
    EXPECT_EQ(err({2, 3, 5, 1}), "TCP option kind 2 at offset 0: bad length 3 for MSS");
    EXPECT_EQ(err({5, 6, 0, 0, 0, 0, 1, 1}), "TCP option kind 5 at offset 0: bad length 6 for SACK");
    EXPECT_EQ(err({99, 255, 0, 0}),
              "TCP option kind 99 at offset 0: length 255 runs past the options (4 bytes left)");
    EXPECT_EQ(err({}), "ok");
    EXPECT_EQ(err({0, 2, 0, 0}), "ok"); // after EOL, nothing is read

    auto seg = fixtures::vec(seg_of(fixtures::kTcpSyn));
    seg[20 + 1] = 0; // MSS length 0
    auto r = TcpRepr::parse(TcpView(seg));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "TCP option kind 2 at offset 0: length 0 < 2");
}

TEST(Tcp, LengthChecks) {
    const auto good = fixtures::vec(seg_of(fixtures::kTcpSyn));
    EXPECT_EQ(TcpView::new_checked(std::span(good).first(19)).error().message,
              "TCP: too short for a header (19 < 20 bytes)");
    auto b = good;
    b[12] = 0x40;
    EXPECT_EQ(TcpView::new_checked(b).error().message, "TCP: header length 16 < 20 bytes");
    EXPECT_EQ(TcpView::new_checked(std::span(good).first(39)).error().message,
              "TCP: header length 40 > segment 39 bytes");
}

TEST(Tcp, FlagNames) {
    EXPECT_EQ(tcp_flags_to_string(TcpFlags::Syn), "[SYN]");
    EXPECT_EQ(tcp_flags_to_string(TcpFlags::Syn | TcpFlags::Ack), "[SYN, ACK]");
    EXPECT_EQ(tcp_flags_to_string(TcpFlags::Fin | TcpFlags::Psh | TcpFlags::Ack), "[FIN, PSH, ACK]");
    EXPECT_EQ(tcp_flags_to_string(TcpFlags::Syn | TcpFlags::Ece | TcpFlags::Cwr), "[SYN, ECE, CWR]");
    EXPECT_EQ(tcp_flags_to_string(0), "[<None>]");
    EXPECT_EQ(TcpOption::make_wscale(7).to_string(), "WS=128");
}

} // namespace
} // namespace skbscope::wire
