// Tests for core/pcap: pcap and pcapng round trips through files, nanosecond timestamps, comments,
// an outside check by tshark (when installed), and clear one-line errors for bad files.
#include "core/pcap/pcap_reader.h"
#include "core/pcap/pcap_writer.h"
#include "core/wire/ethernet.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "core/wire/tcp.h"
#include "core/wire/udp.h"
#include "tests/core/wire/fixtures.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace skbscope {
namespace {

namespace fs = std::filesystem;
namespace fx = wire::fixtures;

class PcapTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "skbscope-pcap-XXXXXX").string();
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
        m_dir = tmpl;
    }
    void TearDown() override { fs::remove_all(m_dir); }
    std::string path(const char* name) const { return (m_dir / name).string(); }

    static void write_bytes(const std::string& p, const std::vector<uint8_t>& b) {
        std::ofstream(p, std::ios::binary)
            .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    }
    static std::vector<uint8_t> read_bytes(const std::string& p) {
        std::ifstream in(p, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    fs::path m_dir;
};

// Frames built by our own emitters, so tshark judges the emit code, not just the captured fixtures.
std::vector<std::vector<uint8_t>> built_frames() {
    using namespace wire;
    const MacAddr a = *MacAddr::parse("02:00:00:00:01:64");
    const MacAddr r = *MacAddr::parse("02:00:00:00:01:01");
    const Ipv4Addr ia = *Ipv4Addr::parse("192.168.1.100");
    const Ipv4Addr ib = *Ipv4Addr::parse("192.168.2.100");
    std::vector<std::vector<uint8_t>> out;
    auto ip_frame = [&](uint8_t proto, size_t l4_len, const std::function<void(std::span<uint8_t>)>& l4) {
        std::vector<uint8_t> f(eth_frame_len(20 + l4_len), 0);
        EthernetRepr{r, a, EtherType::Ipv4}.emit(f);
        Ipv4Repr ip;
        ip.saddr = ia;
        ip.daddr = ib;
        ip.protocol = proto;
        ip.payload_len = static_cast<uint16_t>(l4_len);
        ip.df = true;
        ip.id = 0x1234;
        ip.emit(std::span(f).subspan(ETH_HLEN));
        l4(std::span(f).subspan(ETH_HLEN + 20, l4_len));
        out.push_back(std::move(f));
    };
    ip_frame(IpProto::Udp, 13, [&](std::span<uint8_t> d) {
        std::copy_n("hello", 5, d.begin() + 8);
        UdpRepr{40000, 9000}.emit(d, ia, ib);
    });
    TcpOutOptions o;
    o.timestamps = true;
    o.tsval = 7;
    o.tsecr = 9;
    o.sacks = {{1000, 2000}, {3000, 4000}};
    TcpRepr tcp{51322, 8080, 1, 1, TcpFlags::Ack, 501, 0, tcp_options_layout(o)};
    ip_frame(IpProto::Tcp, tcp.header_len() + 100, [&](std::span<uint8_t> s) { tcp.emit(s, ia, ib); });
    const auto orig = std::span(fx::kTcpSyn).subspan(ETH_HLEN);
    for (const auto& icmp :
         {IcmpRepr::frag_needed(1400, orig), IcmpRepr::time_exceeded(IcmpCode::ExcTtl, orig),
          IcmpRepr::echo_request(7, 3, std::vector<uint8_t>(32, 0xab))})
        ip_frame(IpProto::Icmp, icmp.buffer_len(), [&](std::span<uint8_t> m) { icmp.emit(m); });
    return out;
}

std::vector<std::vector<uint8_t>> all_frames() {
    std::vector<std::vector<uint8_t>> v = {
        fx::vec(fx::kArpRequest),      fx::vec(fx::kArpReply), fx::vec(fx::kTcpSyn),
        fx::vec(fx::kTcpSynAckA),      fx::vec(fx::kTcpAck),   fx::vec(fx::kTcpFinAck),
        fx::vec(fx::kIcmpEchoRequest), fx::vec(fx::kUdp),      fx::vec(fx::kIcmpPortUnreach)};
    for (auto& f : built_frames())
        v.push_back(std::move(f));
    return v;
}

// Runs tshark with checksum validation; returns its output, or nullopt when tshark is absent.
std::optional<std::string> tshark(const std::string& file, const std::string& extra = "") {
    if (!fs::exists("/usr/bin/tshark")) return std::nullopt;
    const std::string cmd =
        "/usr/bin/tshark -r '" + file +
        "' -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE " + extra +
        " 2>&1";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return std::nullopt;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    pclose(p);
    return out;
}

void expect_clean(const std::string& out) {
    std::string lower = out;
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(lower.find("malformed"), std::string::npos) << out;
    EXPECT_EQ(lower.find("incorrect"), std::string::npos) << out;
    EXPECT_EQ(lower.find("bad checksum"), std::string::npos) << out;
    EXPECT_EQ(lower.find("tshark:"), std::string::npos) << out; // tshark's own errors
}

TEST_F(PcapTest, PcapRoundTripWithNanoseconds) {
    const auto frames = all_frames();
    PcapWriter w;
    ASSERT_TRUE(w.open(path("a.pcap")).ok());
    for (size_t i = 0; i < frames.size(); ++i)
        ASSERT_TRUE(w.write(frames[i], 1'700'000'000'123'456'789ull + i * 1001).ok());
    ASSERT_TRUE(w.close().ok());

    const auto raw = read_bytes(path("a.pcap"));
    ASSERT_GE(raw.size(), 24u);
    EXPECT_EQ(raw[0] | raw[1] << 8 | raw[2] << 16 | raw[3] << 24, 0xa1b23c4d); // nanosecond magic

    auto recs = read_pcap_file(path("a.pcap"));
    ASSERT_TRUE(recs.ok()) << recs.error().message;
    ASSERT_EQ(recs->size(), frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ((*recs)[i].bytes, frames[i]);
        EXPECT_EQ((*recs)[i].orig_len, frames[i].size());
        EXPECT_EQ((*recs)[i].time_ns, 1'700'000'000'123'456'789ull + i * 1001);
    }
}

TEST_F(PcapTest, PcapSnaplenCutsFrames) {
    PcapWriter w;
    ASSERT_TRUE(w.open(path("s.pcap"), 20).ok());
    ASSERT_TRUE(w.write(fx::kTcpSyn, 5).ok());
    ASSERT_TRUE(w.close().ok());
    auto recs = read_pcap_file(path("s.pcap"));
    ASSERT_TRUE(recs.ok());
    EXPECT_EQ((*recs)[0].bytes.size(), 20u);
    EXPECT_EQ((*recs)[0].orig_len, 74u);
}

TEST_F(PcapTest, PcapngRoundTripTwoInterfacesAndComments) {
    const auto frames = all_frames();
    {
        PcapngWriter w;
        ASSERT_TRUE(w.open(path("a.pcapng")).ok());
        auto if0 = w.add_interface("A:eth0");
        auto if1 = w.add_interface("R:eth0");
        ASSERT_TRUE(if0.ok() && if1.ok());
        EXPECT_EQ(*if0, 0u);
        EXPECT_EQ(*if1, 1u);
        for (size_t i = 0; i < frames.size(); ++i)
            ASSERT_TRUE(w.write(i % 2 ? *if1 : *if0, frames[i], 5'000'000'000ull + i * 7,
                                i == 2 ? "events 17,18,19" : "")
                            .ok());
        // The destructor closes the file.
    }
    auto recs = read_pcap_file(path("a.pcapng"));
    ASSERT_TRUE(recs.ok()) << recs.error().message;
    ASSERT_EQ(recs->size(), frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ((*recs)[i].bytes, frames[i]);
        EXPECT_EQ((*recs)[i].time_ns, 5'000'000'000ull + i * 7);
    }
    const auto raw = read_bytes(path("a.pcapng"));
    EXPECT_EQ(raw.size() % 4, 0u);
    const auto out = tshark(path("a.pcapng"), "-V");
    if (!out) GTEST_SKIP() << "tshark not installed: outside check skipped";
    expect_clean(*out);
    EXPECT_NE(out->find("events 17,18,19"), std::string::npos);
    EXPECT_NE(out->find("A:eth0"), std::string::npos);
    EXPECT_NE(out->find("R:eth0"), std::string::npos);
}

TEST_F(PcapTest, TsharkFindsNoMalformedFrameOrBadChecksum) {
    PcapWriter w;
    ASSERT_TRUE(w.open(path("t.pcap")).ok());
    uint64_t t = 1000;
    for (const auto& f : all_frames())
        ASSERT_TRUE(w.write(f, t += 1000).ok());
    ASSERT_TRUE(w.close().ok());
    const auto out = tshark(path("t.pcap"));
    if (!out) GTEST_SKIP() << "tshark not installed: outside check skipped";
    expect_clean(*out);
    EXPECT_NE(out->find("Time-to-live exceeded"), std::string::npos) << *out;
    EXPECT_NE(out->find("Fragmentation needed"), std::string::npos) << *out;
    EXPECT_NE(out->find("TSval=7 TSecr=9 SLE="), std::string::npos) << *out; // SACK blocks shown relative

    // And the check itself works: a corrupted TCP checksum is reported.
    auto bad = fx::vec(fx::kTcpSyn);
    bad[50] ^= 0xff;
    ASSERT_TRUE(w.open(path("bad.pcap")).ok());
    ASSERT_TRUE(w.write(bad, 1).ok());
    ASSERT_TRUE(w.close().ok());
    const auto bad_out = tshark(path("bad.pcap"));
    EXPECT_NE(bad_out->find("INCORRECT"), std::string::npos) << *bad_out;
}

TEST_F(PcapTest, ReadsTheReferenceCaptureWhenPresent) {
    const std::string ref = "/work/shared/refcaps/linux-tcp10k-A.pcap";
    if (!fs::exists(ref)) GTEST_SKIP() << ref << " not present";
    auto recs = read_pcap_file(ref);
    ASSERT_TRUE(recs.ok()) << recs.error().message;
    ASSERT_EQ(recs->size(), 22u);
    EXPECT_EQ((*recs)[0].bytes, fx::vec(fx::kArpRequest));
    EXPECT_EQ((*recs)[2].bytes, fx::vec(fx::kTcpSyn));
    EXPECT_EQ((*recs)[0].time_ns % 1000, 0u); // a microsecond file scaled to nanoseconds
}

TEST_F(PcapTest, MissingFile) {
    auto r = read_pcap_file(path("nope.pcap"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, path("nope.pcap") + ": No such file or directory");
}

TEST_F(PcapTest, NotAPcap) {
    write_bytes(path("x.txt"), std::vector<uint8_t>(100, 'x'));
    auto r = read_pcap_file(path("x.txt"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, path("x.txt") + ": unknown file format");
}

TEST_F(PcapTest, EmptyAndTruncatedHeader) {
    write_bytes(path("empty.pcap"), {});
    auto r = read_pcap_file(path("empty.pcap"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message.rfind(path("empty.pcap") + ": ", 0), 0u) << r.error().message;

    PcapWriter w;
    ASSERT_TRUE(w.open(path("full.pcap")).ok());
    ASSERT_TRUE(w.write(fx::kArpRequest, 1).ok());
    ASSERT_TRUE(w.close().ok());
    auto raw = read_bytes(path("full.pcap"));
    write_bytes(path("hdr.pcap"), {raw.begin(), raw.begin() + 10});
    r = read_pcap_file(path("hdr.pcap"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(path("hdr.pcap") + ": truncated dump file"), std::string::npos)
        << r.error().message;
}

TEST_F(PcapTest, TruncatedRecordIsAnErrorNotASilentStop) {
    PcapWriter w;
    ASSERT_TRUE(w.open(path("full.pcap")).ok());
    ASSERT_TRUE(w.write(fx::kArpRequest, 1).ok());
    ASSERT_TRUE(w.write(fx::kTcpSyn, 2).ok());
    ASSERT_TRUE(w.close().ok());
    auto raw = read_bytes(path("full.pcap"));
    raw.resize(raw.size() - 30); // cut into the second record's bytes
    write_bytes(path("cut.pcap"), raw);
    auto r = read_pcap_file(path("cut.pcap"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              path("cut.pcap") +
                  ": record 2: truncated dump file; tried to read 74 captured bytes, only got 44");

    // The streaming reader hands out the good record first.
    PcapReader reader;
    ASSERT_TRUE(reader.open(path("cut.pcap")).ok());
    EXPECT_EQ(reader.linktype(), 1);
    auto first = reader.next();
    ASSERT_TRUE(first.ok() && first->has_value());
    EXPECT_EQ((*first)->bytes, fx::vec(fx::kArpRequest));
    EXPECT_FALSE(reader.next().ok());
}

TEST_F(PcapTest, NonEthernetLinkType) {
    PcapngWriter w;
    ASSERT_TRUE(w.open(path("raw.pcapng")).ok());
    auto id = w.add_interface("tun0", 101 /* LINKTYPE_RAW */);
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(w.write(*id, std::span(fx::kTcpSyn).subspan(14), 1).ok());
    ASSERT_TRUE(w.close().ok());
    auto r = read_pcap_file(path("raw.pcapng"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(path("raw.pcapng") + ": link type"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("is not Ethernet"), std::string::npos);
}

TEST_F(PcapTest, WritersNameThePathOnOpenFailure) {
    const std::string bad = path("no/such/dir/x.pcap");
    PcapWriter w;
    auto r = w.open(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message.rfind(bad + ": ", 0), 0u) << r.error().message;
    EXPECT_FALSE(w.is_open());
    PcapngWriter ng;
    auto r2 = ng.open(bad);
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(r2.error().message, bad + ": No such file or directory");
}

} // namespace
} // namespace skbscope
