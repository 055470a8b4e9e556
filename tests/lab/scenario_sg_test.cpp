// Scatter-gather off (sg: false, --set HOST.DEV.sg=off, as ethtool -K DEV sg off): the device
// takes only linear skbs, so validate_xmit_skb copies TCP's paged segments into one buffer each
// (skb_segment for a GSO packet's segments). What reaches the wire and the peer is the same.
#include <gtest/gtest.h>

#include "app/lab/lab.h"
#include "app/lab/scenario.h"
#include "core/trace/export_pcap.h"
#include "tests/support/paths.h"

using namespace skbscope;
using namespace skbscope::lab;

namespace {

std::unique_ptr<Lab> send_walk(std::vector<std::string> sets) {
    LabOptions opts;
    opts.sets = std::move(sets);
    auto l = Lab::load(test::source_dir() + "/lessons/scenarios/send-walk.yaml", opts);
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
    if (!l.ok()) return nullptr;
    (*l)->run();
    return std::move(*l);
}

size_t calls(const Trace& t, std::string_view fn) {
    size_t n = 0;
    for (const auto& e : t.events) n += e.kind == EventKind::FuncEnter && t.str(e.name) == fn;
    return n;
}

} // namespace

TEST(ScatterGather, OffLinearizesSegmentsAndChangesNothingOnTheWire) {
    auto on = send_walk({});
    auto off = send_walk({"A.eth0.sg=off"});
    ASSERT_TRUE(on && off);
    EXPECT_EQ(calls(on->trace(), "validate_xmit_skb"), 0u);
    EXPECT_EQ(calls(on->trace(), "skb_segment"), 0u);
    // 4000 bytes: one GSO packet of three segments, each copied into a linear skb.
    EXPECT_EQ(calls(off->trace(), "skb_segment"), 3u);
    EXPECT_EQ(on->program_output(), off->program_output()) << "B reads the same bytes";
    auto a = interface_frames(on->trace(), "A:eth0"), b = interface_frames(off->trace(), "A:eth0");
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), b->size());
    for (size_t i = 0; i < a->size(); ++i)
        EXPECT_EQ(std::vector<uint8_t>((*a)[i].bytes.begin(), (*a)[i].bytes.end()),
                  std::vector<uint8_t>((*b)[i].bytes.begin(), (*b)[i].bytes.end()))
            << "frame " << i;
    EXPECT_EQ(off->sim().live_skbs(), on->sim().live_skbs()) << "the paged originals are freed";
}

TEST(ScatterGather, ScenarioKeyAndOverride) {
    const std::string text = R"(name: sg
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:01:64", address: 192.168.1.100/24, sg: maybe }
)";
    auto bad = parse_scenario(text, "sg.yaml");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "sg.yaml:5:72: hosts.A.interfaces.eth0.sg: expected on or off, got 'maybe'");
    std::string good = text;
    good.replace(good.find("maybe"), 5, "false");
    auto s = parse_scenario(good, "sg.yaml");
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_FALSE(s->hosts[0].interfaces[0].sg);
    ASSERT_TRUE(apply_override(*s, "A.eth0.sg=on").ok());
    EXPECT_TRUE(s->hosts[0].interfaces[0].sg);
}
