// tcp10k.yaml runs the program of ../shared/refcaps (Linux 6.18: three network namespaces on one
// CPU joined by veth pairs, A and B on either side of the router R): A connects, sends 10000 bytes
// with one send() and closes; B reads until EOF. Its frames on each link must match Linux's
// capture of the same program, frame by frame, in the README's terms: order and direction, sizes,
// ARP, TTLs, TCP flags, options (kinds in order, values but timestamps), windows after scaling and
// payload lengths. What decides them in Linux, and so in skbscope:
//  - Linux 6.18 builds one 10000-byte GSO skb (size_goal 22 MSS); tcp_write_xmit sends it as two
//    GSO packets, 5 segments (tcp_cwnd_test: at most half of cwnd 10) and 2; __tcp_transmit_skb
//    forces PSH on the last segment of each.
//  - The namespaces share one CPU: veth_xmit queues each segment on that CPU's backlog, and the
//    NET_RX softirq runs R's and B's stacks when A's dev_queue_xmit re-enables bottom halves,
//    inside A's send(). B acks each segment at once (quick-ack at the start of a connection), and
//    the ACKs reach A while A's sendmsg holds the socket lock: they wait in A's socket backlog,
//    so A's second GSO packet leaves before A has seen one of them, and all five ACKs come first.
//  - B's windows follow its receive buffer. Offloads were off (sg off): validate_xmit_skb has
//    skb_segment copy each segment into one linear kmalloc-2048 buffer (truesize 2304; its
//    headroom is MAX_TCP_HEADER's, 192 on that kernel), which veth hands to B as it is. B cannot
//    coalesce them (no room in the tail, no page head to take), so each charges 2304 bytes:
//    scaling_ratio 160, and from the 5th segment on the free space, not rcv_ssthresh, decides.
//  - B's reader runs only when A's task is done with the CPU, after A's close: it reads all, sees
//    EOF and closes, and its FIN carries the ACK of A's FIN.
#include <gtest/gtest.h>

#include <algorithm>

#include "app/lab/lab.h"
#include "core/pcap/pcap_reader.h"
#include "core/trace/export_pcap.h"
#include "tests/support/capture_compare.h"
#include "tests/support/paths.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

struct Captures {
    std::vector<FrameKey> ours, linux_;
};

std::unique_ptr<lab::Lab> run_tcp10k() {
    auto l = lab::Lab::load(source_dir() + "/lessons/scenarios/tcp10k.yaml");
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
    if (!l.ok()) return nullptr;
    (*l)->run();
    return std::move(*l);
}

Captures captures(const std::string& link) {
    Captures c;
    auto l = run_tcp10k();
    if (!l) return c;
    std::string ours_path = temp_dir("tcp10k") + "/ours-" + link + ".pcap";
    EXPECT_TRUE(export_pcap(l->trace(), link + ":eth0", ours_path).ok());
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

// The whole capture, every frame, every compared field.
TEST_P(Tcp10k, EveryFrameMatchesLinuxCapture) {
    auto c = captures(GetParam());
    ASSERT_EQ(c.linux_.size(), 22u);
    EXPECT_EQ(compare_captures(c.ours, c.linux_), "") << "link of " << GetParam();
}

// What the comparison rests on, spelled out: seven data segments with PSH on the 5th and 7th.
TEST_P(Tcp10k, DataSegmentsAndPsh) {
    auto c = captures(GetParam());
    std::vector<FrameKey> data;
    for (const auto& f : c.ours)
        if (f.from == "192.168.1.100" && f.what == "TCP" && f.payload > 0) data.push_back(f);
    ASSERT_EQ(data.size(), 7u);
    for (size_t i = 0; i < data.size(); ++i) {
        EXPECT_EQ(data[i].payload, i == 6 ? 1312u : 1448u) << "data segment " << i + 1;
        EXPECT_EQ(data[i].flags, i == 4 || i == 6 ? "[PSH, ACK]" : "[ACK]") << "data segment " << i + 1;
    }
}

INSTANTIATE_TEST_SUITE_P(BothLinks, Tcp10k, ::testing::Values("A", "B"));

namespace {
// The events of one call of fn in context ctx: [enter, exit].
struct Span {
    size_t begin = 0, end = 0;
};
std::vector<Span> calls(const Trace& t, std::string_view fn, ContextId ctx) {
    std::vector<Span> out;
    for (size_t i = 0; i < t.events.size(); ++i) {
        const auto& e = t.events[i];
        if (e.kind != EventKind::FuncEnter || e.ctx != ctx || t.str(e.name) != fn) continue;
        size_t j = i + 1;
        while (j < t.events.size() && !(t.events[j].ctx == ctx && t.events[j].depth == e.depth &&
                                        t.events[j].kind == EventKind::FuncExit))
            ++j;
        out.push_back({i, j});
    }
    return out;
}
} // namespace

// The mechanism, read from the trace: B's stack runs inside A's send(), in A's task context,
// from do_softirq; B's ACKs wait on A's socket backlog until A's sendmsg releases the lock.
TEST(Tcp10kMechanism, PeersRunInsideSendAndAcksWaitInTheSocketBacklog) {
    auto l = run_tcp10k();
    ASSERT_TRUE(l);
    const Trace& t = l->trace();
    ContextId client = 0;
    for (size_t i = 0; i < t.contexts.size(); ++i)
        if (t.contexts[i].name == "client (pid 100)") client = static_cast<ContextId>(i);
    ASSERT_NE(client, 0);
    auto sends = calls(t, "send", client);
    ASSERT_EQ(sends.size(), 1u);
    int softirqs = 0, tcp_rcv = 0, backlog_adds = 0, release_rcv = 0;
    for (size_t i = sends[0].begin; i < sends[0].end; ++i) {
        const auto& e = t.events[i];
        if (e.ctx != client || e.kind != EventKind::FuncEnter) continue;
        const std::string_view name = t.str(e.name);
        if (name == "do_softirq") ++softirqs;
        if (name == "tcp_v4_rcv") ++tcp_rcv;
        if (name == "tcp_add_backlog") ++backlog_adds;
        if (name == "sk_backlog_rcv") ++release_rcv;
    }
    EXPECT_EQ(softirqs, 2) << "one softirq run per GSO packet";
    EXPECT_EQ(backlog_adds, 7) << "each of B's seven ACKs waits on A's socket backlog";
    EXPECT_EQ(release_rcv, 7) << "release_sock feeds them to tcp_v4_do_rcv before send() returns";
    EXPECT_EQ(tcp_rcv, 14) << "B's stack takes A's 7 segments and A's takes B's 7 ACKs, all inside A's send()";
}
