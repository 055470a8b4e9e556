// The scenario's per-host netfilter rules: a full rule parses into its fields, rules keep their
// order, and each malformed field is reported as "<file>:<line>:<col>: hosts.R.netfilter[i].<field>".
#include <gtest/gtest.h>

#include "app/lab/lab.h"
#include "app/lab/scenario.h"

using namespace skbscope;
using namespace skbscope::lab;

namespace {

std::string scenario_with(const std::string& rules) {
    return R"(name: nf
hosts:
  R:
    interfaces:
      eth0: { mac: "02:00:00:00:00:01", address: 10.0.0.1/24 }
    netfilter:
)" + rules;
}

TEST(ScenarioNetfilter, ParsesRulesInOrder) {
    auto s = parse_scenario(scenario_with(R"(      - {hook: FORWARD, proto: udp, dst: 192.168.2.0/24, dport: 9000, verdict: DROP}
      - {hook: LOCAL_IN, proto: icmp, src: 10.0.0.7, verdict: ACCEPT}
      - {hook: POST_ROUTING, verdict: DROP}
)"), "t.yaml");
    ASSERT_TRUE(s.ok()) << s.error().message;
    const auto& nf = s->host("R")->netfilter;
    ASSERT_EQ(nf.size(), 3u);
    EXPECT_EQ(nf[0].hook, 2);
    EXPECT_EQ(nf[0].proto, 17);
    EXPECT_EQ(nf[0].dst->to_string(), "192.168.2.0");
    EXPECT_EQ(nf[0].dst_prefix, 24);
    EXPECT_EQ(*nf[0].dport, 9000);
    EXPECT_FALSE(nf[0].sport.has_value());
    EXPECT_TRUE(nf[0].drop);
    EXPECT_EQ(nf[1].hook, 1);
    EXPECT_EQ(nf[1].proto, 1);
    EXPECT_EQ(nf[1].src->to_string(), "10.0.0.7");
    EXPECT_EQ(nf[1].src_prefix, 32);
    EXPECT_FALSE(nf[1].drop);
    EXPECT_EQ(nf[2].hook, 4);
    EXPECT_EQ(nf[2].proto, 0);
}

struct Bad {
    const char* rule;
    const char* expected; // the message after "t.yaml:L:C: "
};

class ScenarioNetfilterErrors : public ::testing::TestWithParam<Bad> {};

TEST_P(ScenarioNetfilterErrors, NameFileLineAndField) {
    auto s = parse_scenario(scenario_with(GetParam().rule), "t.yaml");
    ASSERT_FALSE(s.ok());
    const std::string& m = s.error().message;
    EXPECT_EQ(m.rfind("t.yaml:7:", 0), 0u) << m;
    EXPECT_NE(m.find(GetParam().expected), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    All, ScenarioNetfilterErrors,
    ::testing::Values(
        Bad{"      - {hook: INPUT, verdict: DROP}\n",
            "hosts.R.netfilter[0].hook: expected one of PRE_ROUTING, LOCAL_IN, FORWARD, LOCAL_OUT, POST_ROUTING, got 'INPUT'"},
        Bad{"      - {verdict: DROP}\n", "hosts.R.netfilter[0].hook: missing"},
        Bad{"      - {hook: FORWARD, proto: sctp, verdict: DROP}\n", "hosts.R.netfilter[0].proto: expected one of udp"},
        Bad{"      - {hook: FORWARD, dst: 10.0.0.0/33, verdict: DROP}\n", "hosts.R.netfilter[0].dst: expected A.B.C.D"},
        Bad{"      - {hook: FORWARD, proto: udp, dport: 70000, verdict: DROP}\n",
            "hosts.R.netfilter[0].dport: expected a port from 1 to 65535"},
        Bad{"      - {hook: FORWARD, dport: 53, verdict: DROP}\n", "hosts.R.netfilter[0].dport: a port match needs proto"},
        Bad{"      - {hook: FORWARD, verdict: REJECT}\n", "hosts.R.netfilter[0].verdict: expected ACCEPT or DROP"},
        Bad{"      - {hook: FORWARD}\n", "hosts.R.netfilter[0].verdict: missing"},
        Bad{"      - {hook: FORWARD, verdict: DROP, iface: eth0}\n", "hosts.R.netfilter[0]: unknown key 'iface'"}));

TEST(ScenarioNetfilter, NotAList) {
    auto s = parse_scenario(scenario_with("      {hook: FORWARD}\n"), "t.yaml");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("hosts.R.netfilter: expected a list"), std::string::npos) << s.error().message;
}

TEST(ScenarioNetfilter, LabInstallsTheRules) {
    const char* text = R"(name: nf-lab
seed: 1
duration: 1s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:00:01", address: 10.0.0.1/24 }
    programs:
      - name: p
        steps:
          - socket: dgram
          - sendto: { fd: 3, to: "10.0.0.2:9000", size: 10 }
  B:
    interfaces:
      eth0: { mac: "02:00:00:00:00:02", address: 10.0.0.2/24 }
    netfilter:
      - {hook: LOCAL_IN, proto: udp, dport: 9000, verdict: DROP}
links:
  - { a: "A:eth0", b: "B:eth0", speed: 1Gbit, delay: 5us }
)";
    auto l = lab::Lab::load_text(text, "nf-lab.yaml");
    ASSERT_TRUE(l.ok()) << l.error().message;
    (*l)->run();
    const Trace& t = (*l)->trace();
    int drops = 0, notes = 0;
    for (const auto& e : t.events) {
        if (e.kind == EventKind::SkbFree && e.a[0] == static_cast<int64_t>(DropReason::NetfilterDrop)) ++drops;
        if (e.kind == EventKind::Note && std::string(t.str(e.ref)).find("iptables -A INPUT -p udp --dport 9000 -j DROP matched") != std::string::npos) ++notes;
    }
    EXPECT_EQ(drops, 1);
    EXPECT_EQ(notes, 1);
}

} // namespace
