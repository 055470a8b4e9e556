// tcp10k.yaml runs the program of ../shared/refcaps (Linux 6.18, two namespaces and a router): A
// connects, sends 10000 bytes with one send() and closes. Its frames must match Linux's capture of
// the same program where skbscope models what decides them: the ARP exchange and the handshake,
// and A's data segments in order - sizes, options, windows, TTLs and where PSH is. Linux 6.18
// builds one 10000-byte GSO skb (size_goal 22 MSS), tcp_write_xmit sends it as two GSO packets,
// 5 segments (tcp_cwnd_test: at most half of cwnd 10) and 2, and __tcp_transmit_skb forces PSH on
// the last segment of each: PSH on the 5th and the 7th segment.
// Not compared: where the peer's ACKs fall between A's segments. In the capture A's second GSO
// packet leaves only after all five ACKs, because A, R and B shared one CPU: the NET_RX softirq
// raised by veth_xmit ran R's and B's stacks inside A's dev_queue_xmit (rcu_read_unlock_bh), and
// the ACKs waited in A's socket backlog (A's sendmsg held the socket lock). skbscope's hosts are
// separate machines on wires, so their ACKs interleave with A's segments by the wire's timing.
#include <gtest/gtest.h>

#include "app/lab/lab.h"
#include "core/pcap/pcap_reader.h"
#include "core/trace/export_pcap.h"
#include "tests/support/capture_compare.h"
#include "tests/support/paths.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

// The frames the client A sent with a TCP payload, in order.
std::vector<FrameKey> data_from_a(const std::vector<FrameKey>& frames) {
    std::vector<FrameKey> out;
    for (const auto& f : frames)
        if (f.from == "192.168.1.100" && f.what == "TCP" && f.payload > 0) out.push_back(f);
    return out;
}

struct Captures {
    std::vector<FrameKey> ours, linux_;
};

Captures captures(const std::string& link) {
    Captures c;
    auto l = lab::Lab::load(source_dir() + "/lessons/scenarios/tcp10k.yaml");
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
    if (!l.ok()) return c;
    (*l)->run();
    std::string ours_path = temp_dir("tcp10k") + "/ours-" + link + ".pcap";
    EXPECT_TRUE(export_pcap((*l)->trace(), link + ":eth0", ours_path).ok());
    auto ours = read_pcap_file(ours_path);
    EXPECT_TRUE(ours.ok()) << (ours.ok() ? "" : ours.error().message);
    auto linux_ = read_pcap_file(shared_dir() + "/refcaps/linux-tcp10k-" + link + ".pcap");
    EXPECT_TRUE(linux_.ok()) << (linux_.ok() ? "" : linux_.error().message);
    if (ours.ok()) c.ours = reduce_capture(*ours);
    if (linux_.ok()) c.linux_ = reduce_capture(*linux_);
    return c;
}

} // namespace

class Tcp10k : public ::testing::TestWithParam<const char*> {};

TEST_P(Tcp10k, ArpAndHandshakeMatchLinuxCapture) {
    auto c = captures(GetParam());
    ASSERT_GE(c.ours.size(), 5u);
    ASSERT_GE(c.linux_.size(), 5u);
    std::vector<FrameKey> ours(c.ours.begin(), c.ours.begin() + 5), linux_(c.linux_.begin(), c.linux_.begin() + 5);
    EXPECT_EQ(compare_captures(ours, linux_), "") << "link of " << GetParam();
}

TEST_P(Tcp10k, DataSegmentsAndPshMatchLinuxCapture) {
    auto c = captures(GetParam());
    auto ours = data_from_a(c.ours), linux_ = data_from_a(c.linux_);
    ASSERT_EQ(linux_.size(), 7u);
    EXPECT_EQ(compare_captures(ours, linux_), "") << "link of " << GetParam();
    ASSERT_EQ(ours.size(), 7u);
    for (size_t i = 0; i < ours.size(); ++i)
        EXPECT_EQ(ours[i].flags, i == 4 || i == 6 ? "[PSH, ACK]" : "[ACK]") << "data segment " << i + 1;
}

INSTANTIATE_TEST_SUITE_P(BothLinks, Tcp10k, ::testing::Values("A", "B"));
