// Link impairments in scenario files: percentages for both directions, per-direction overrides,
// drop rules, their errors (file, line, column, field), and a lab run where a drop rule loses
// one chosen ping.
#include <gtest/gtest.h>

#include "app/lab/lab.h"
#include "app/lab/scenario.h"

using namespace skbscope;
using namespace skbscope::lab;

namespace {

std::string scenario_with_link(const std::string& link_extra) {
    return R"(name: t
seed: 5
duration: 3s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:00:01", address: 10.0.0.1/24 }
    programs:
      - name: ping
        ping: { dst: 10.0.0.2, count: 3, interval: 500ms }
  B:
    interfaces:
      eth0: { mac: "02:00:00:00:00:02", address: 10.0.0.2/24 }
links:
  - a: "A:eth0"
    b: "B:eth0"
)" + link_extra;
}

} // namespace

TEST(ScenarioLink, NoImpairmentsByDefault) {
    auto s = parse_scenario(scenario_with_link(""), "t.yaml");
    ASSERT_TRUE(s.ok()) << s.error().message;
    const LinkSpec& l = s->links[0];
    EXPECT_EQ(l.a_to_b.loss, 0);
    EXPECT_EQ(l.b_to_a.corrupt, 0);
    EXPECT_EQ(l.a_to_b.reorder_delay, kNsPerMs);
    EXPECT_TRUE(l.drops.empty());
}

TEST(ScenarioLink, ParsesImpairmentsOverridesAndDropRules) {
    auto s = parse_scenario(scenario_with_link(R"(    loss: 1%
    duplicate: 0.5%
    reorder: 2%
    reorder_delay: 3ms
    corrupt: 0.1%
    a_to_b: { loss: 10% }
    b_to_a: { reorder: 0%, corrupt: 100% }
    drop: [{dir: a_to_b, match: tcp-data, nth: 3}, {dir: b_to_a, match: icmp, nth: 1}, {nth: 7}]
)"),
                            "t.yaml");
    ASSERT_TRUE(s.ok()) << s.error().message;
    const LinkSpec& l = s->links[0];
    EXPECT_DOUBLE_EQ(l.a_to_b.loss, 0.10); // overridden
    EXPECT_DOUBLE_EQ(l.b_to_a.loss, 0.01);
    EXPECT_DOUBLE_EQ(l.a_to_b.duplicate, 0.005);
    EXPECT_DOUBLE_EQ(l.b_to_a.duplicate, 0.005);
    EXPECT_DOUBLE_EQ(l.a_to_b.reorder, 0.02);
    EXPECT_DOUBLE_EQ(l.b_to_a.reorder, 0.0);
    EXPECT_EQ(l.a_to_b.reorder_delay, 3 * kNsPerMs);
    EXPECT_EQ(l.b_to_a.reorder_delay, 3 * kNsPerMs);
    EXPECT_DOUBLE_EQ(l.a_to_b.corrupt, 0.001);
    EXPECT_DOUBLE_EQ(l.b_to_a.corrupt, 1.0);
    ASSERT_EQ(l.drops.size(), 3u);
    EXPECT_TRUE(l.drops[0].a_to_b);
    EXPECT_EQ(l.drops[0].match, "tcp-data");
    EXPECT_EQ(l.drops[0].nth, 3u);
    EXPECT_FALSE(l.drops[1].a_to_b);
    EXPECT_EQ(l.drops[1].match, "icmp");
    EXPECT_TRUE(l.drops[2].a_to_b); // defaults: a_to_b, any
    EXPECT_EQ(l.drops[2].match, "any");
    EXPECT_EQ(l.drops[2].nth, 7u);
}

struct LinkBadCase {
    const char* extra;
    const char* expect; // the message after "t.yaml:<line>:<col>: "
};

class ScenarioLinkErrors : public ::testing::TestWithParam<LinkBadCase> {};

TEST_P(ScenarioLinkErrors, NameFileLineColumnAndField) {
    auto s = parse_scenario(scenario_with_link(GetParam().extra), "t.yaml");
    ASSERT_FALSE(s.ok());
    const std::string& m = s.error().message;
    EXPECT_EQ(m.rfind("t.yaml:17:", 0), 0u) << m; // the line of the link's first extra key
    EXPECT_NE(m.find(GetParam().expect), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, ScenarioLinkErrors,
    ::testing::Values(LinkBadCase{"    loss: 1\n", "links[0].loss: expected a percentage like 1%"},
                      LinkBadCase{"    loss: lots%\n", "links[0].loss: expected a percentage like 1%"},
                      LinkBadCase{"    duplicate: 101%\n", "links[0].duplicate: expected a percentage like 1%"},
                      LinkBadCase{"    corrupt: -1%\n", "links[0].corrupt: expected a percentage like 1%"},
                      LinkBadCase{"    reorder_delay: soon\n", "links[0].reorder_delay: expected a duration like 1ms"},
                      LinkBadCase{"    a_to_b: { loss: 1 }\n", "links[0].a_to_b.loss: expected a percentage like 1%"},
                      LinkBadCase{"    b_to_a: { los: 1% }\n", "links[0].b_to_a: unknown key 'los'"},
                      LinkBadCase{"    lost: 1%\n", "links[0]: unknown key 'lost'"},
                      LinkBadCase{"    drop: {nth: 3}\n", "links[0].drop: expected a list"},
                      LinkBadCase{"    drop: [{dir: up, nth: 3}]\n", "links[0].drop[0].dir: expected a_to_b or b_to_a"},
                      LinkBadCase{"    drop: [{match: tcp, nth: 3}]\n",
                                  "links[0].drop[0].match: expected any, tcp-data, tcp-syn, arp, icmp or udp"},
                      LinkBadCase{"    drop: [{match: icmp, nth: 0}]\n", "links[0].drop[0].nth: expected a positive integer"},
                      LinkBadCase{"    drop: [{match: icmp}]\n", "links[0].drop[0].nth: missing"}));

TEST(ScenarioLink, DropRuleLosesTheChosenPingInALabRun) {
    // The 2nd ICMP frame from A to B is the second echo request: B never sees it, A gets 2 replies.
    auto lab = Lab::load_text(scenario_with_link("    drop: [{dir: a_to_b, match: icmp, nth: 2}]\n"), "t.yaml");
    ASSERT_TRUE(lab.ok()) << lab.error().message;
    (*lab)->run();
    const Trace& t = (*lab)->trace();
    int lost_notes = 0, lost_wires = 0;
    for (const TraceEvent& e : t.events) {
        if (e.kind == EventKind::Note &&
            t.str(e.ref) == "LINK_LOSS: frame lost on A:eth0->B:eth0 (rule: 2nd icmp)")
            ++lost_notes;
        if (e.kind == EventKind::Wire && e.a[3] == static_cast<int64_t>(WireFate::Lost)) ++lost_wires;
    }
    EXPECT_EQ(lost_notes, 1);
    EXPECT_EQ(lost_wires, 1);
    std::string out;
    for (const auto& line : (*lab)->program_output())
        out += line + "\n";
    EXPECT_NE(out.find("3 packets transmitted, 2 received"), std::string::npos) << out;
}

TEST(ScenarioLink, SameSeedSameLossesAcrossRuns) {
    auto run = [] {
        auto lab = Lab::load_text(scenario_with_link("    loss: 30%\n"), "t.yaml");
        EXPECT_TRUE(lab.ok());
        (*lab)->run();
        std::vector<int64_t> fates;
        for (const TraceEvent& e : (*lab)->trace().events)
            if (e.kind == EventKind::Wire) fates.push_back(e.a[3]);
        return fates;
    };
    EXPECT_EQ(run(), run());
}
