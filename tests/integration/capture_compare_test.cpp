// The comparator used against Linux's captures must itself be able to fail: Linux's capture
// equals itself, and a copy with one changed frame (flags, a window, a payload length, a missing
// frame) is reported at that frame.
#include <gtest/gtest.h>

#include "core/pcap/pcap_reader.h"
#include "tests/support/capture_compare.h"
#include "tests/support/paths.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {
std::vector<PcapRecord> linux_capture(const char* link) {
    auto r = read_pcap_file(shared_dir() + "/refcaps/linux-tcp10k-" + link + ".pcap");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::vector<PcapRecord>{};
}
} // namespace

TEST(CaptureCompare, LinuxCaptureReducesAsTsharkShowsIt) {
    auto keys = reduce_capture(linux_capture("A"));
    ASSERT_EQ(keys.size(), 22u);
    EXPECT_EQ(keys[0].what, "ARP request");
    EXPECT_EQ(keys[2].to_string(),
              "192.168.1.100 TCP len=74 ttl=64 [SYN] opts=MSS=1460 SACK_PERM TS NOP WS=1024 win=64240 payload=0");
    EXPECT_EQ(keys[5].payload, 1448u);
    EXPECT_EQ(keys[10].window, 68608); // 67 << 10, scaled with B's WS from its SYN-ACK
    EXPECT_EQ(keys[9].flags, "[PSH, ACK]");
}

TEST(CaptureCompare, DetectsEachKindOfDifference) {
    auto base = reduce_capture(linux_capture("B"));
    ASSERT_FALSE(base.empty());
    EXPECT_EQ(compare_captures(base, base), "");
    auto flags = base;
    flags[5].flags = "[URG]";
    EXPECT_NE(compare_captures(flags, base).find("frame 6 differs"), std::string::npos);
    auto win = base;
    win[10].window += 1024;
    EXPECT_NE(compare_captures(win, base).find("frame 11 differs"), std::string::npos);
    auto shorter = base;
    shorter.pop_back();
    EXPECT_NE(compare_captures(shorter, base).find("(none)"), std::string::npos);
    // Linux's two links differ in TTL (the router decremented it): the comparator sees it.
    EXPECT_NE(compare_captures(reduce_capture(linux_capture("A")), base), "");
}
