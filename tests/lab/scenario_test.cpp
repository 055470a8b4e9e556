// Scenario loading: the shipped files load; every malformed field gets an error naming the file,
// line, column and field; --set overrides; missing and binary files are refused clearly.
#include <gtest/gtest.h>

#include <fstream>

#include "app/lab/lab.h"
#include "app/lab/scenario.h"
#include "tests/support/paths.h"

using namespace skbscope;
using namespace skbscope::lab;
using skbscope::test::source_dir;
using skbscope::test::temp_dir;

namespace {

const char* kGood = R"(name: t
seed: 3
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:00:01", address: 10.0.0.1/24 }
    routes:
      - { dst: default, via: 10.0.0.254, dev: eth0 }
    programs:
      - name: p
        steps:
          - socket: dgram
          - sendto: { fd: 3, to: "10.0.0.2:9", size: 10 }
  B:
    interfaces:
      eth0: { mac: "02:00:00:00:00:02", address: 10.0.0.2/24 }
links:
  - { a: "A:eth0", b: "B:eth0", speed: 100Mbit, delay: 1ms }
)";

std::string replace(std::string s, const std::string& from, const std::string& to) {
    auto p = s.find(from);
    EXPECT_NE(p, std::string::npos) << from;
    return s.replace(p, from.size(), to);
}

} // namespace

TEST(Scenario, ParsesAllFields) {
    auto s = parse_scenario(kGood, "t.yaml");
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->seed, 3u);
    ASSERT_EQ(s->hosts.size(), 2u);
    const HostSpec& a = *s->host("A");
    EXPECT_EQ(a.interfaces[0].address->to_string(), "10.0.0.1");
    EXPECT_EQ(a.interfaces[0].prefix_len, 24);
    ASSERT_EQ(a.routes.size(), 1u);
    EXPECT_EQ(a.routes[0].prefix_len, 0);
    EXPECT_EQ(a.routes[0].via->to_string(), "10.0.0.254");
    ASSERT_EQ(a.programs[0].steps.size(), 2u);
    EXPECT_EQ(a.programs[0].steps[1].data.size(), 10u);
    EXPECT_EQ(a.programs[0].steps[1].port, 9);
    EXPECT_EQ(s->links[0].speed_bps, 100'000'000u);
    EXPECT_EQ(s->links[0].delay, 1'000'000u);
}

struct BadCase {
    const char* from;
    const char* to;
    const char* expect; // substring of the message, after "t.yaml:"
};

class ScenarioErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ScenarioErrors, NameFileLineAndField) {
    std::string text = replace(kGood, GetParam().from, GetParam().to);
    auto s = parse_scenario(text, "t.yaml");
    ASSERT_FALSE(s.ok());
    const std::string& m = s.error().message;
    EXPECT_EQ(m.rfind("t.yaml:", 0), 0u) << m;
    EXPECT_NE(m.find(GetParam().expect), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, ScenarioErrors,
    ::testing::Values(BadCase{"10.0.0.1/24", "10.0.0.300/24", "hosts.A.interfaces.eth0.address: expected A.B.C.D/N"},
                      BadCase{"02:00:00:00:00:01", "02:00:00:zz:00:01", "hosts.A.interfaces.eth0.mac: not a MAC"},
                      BadCase{"02:00:00:00:00:02", "02:00:00:00:00:01", "is used twice"},
                      BadCase{"via: 10.0.0.254, dev: eth0", "via: 10.0.0.254, dev: eth9", "routes[0].dev: no interface 'eth9'"},
                      BadCase{"speed: 100Mbit", "speed: fast", "links[0].speed: expected a rate"},
                      BadCase{"\"B:eth0\"", "\"C:eth0\"", "links[0].b: no host 'C'"},
                      BadCase{"socket: dgram", "socket: raw", "steps[0].socket.type: expected stream, dgram or icmp"},
                      BadCase{"sendto: { fd: 3,", "sendto: { fd: x,", "steps[1].sendto.fd"},
                      BadCase{"- socket: dgram", "- poll: {fd: 3}", "unknown call 'poll'"},
                      BadCase{"- socket: dgram", "- connect: {fd: 3}", "steps[0].connect.to: missing"},
                      BadCase{"- socket: dgram", "- listen: {fd: 3, backlog: -1}", "steps[0].listen.backlog: expected 0..4096"},
                      BadCase{"- socket: dgram", "- shutdown: {fd: 3, how: SHUT_XX}", "expected SHUT_RD, SHUT_WR or SHUT_RDWR"},
                      BadCase{"seed: 3", "seed: -3", "seed: expected a non-negative integer"},
                      BadCase{"seed: 3", "sed: 3", "unknown key 'sed'"},
                      BadCase{"hosts:", "hosts: [\n", "not valid YAML"},
                      BadCase{"size: 10", "size: 70000", "size: expected a size"}));

TEST(Scenario, ErrorsCarryTheLineOfTheField) {
    auto s = parse_scenario(replace(kGood, "10.0.0.1/24", "10.0.0.300/24"), "t.yaml");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message.rfind("t.yaml:6:", 0), 0u) << s.error().message;
}

TEST(Scenario, ShippedScenariosLoad) {
    for (const char* f : {"udp-hello.yaml", "ping-router.yaml"}) {
        auto s = load_scenario_file(source_dir() + "/lessons/scenarios/" + f);
        EXPECT_TRUE(s.ok()) << f << ": " << (s.ok() ? "" : s.error().message);
    }
}

TEST(Scenario, MissingEmptyAndBinaryFiles) {
    auto m = load_scenario_file("/nonexistent/x.yaml");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().message, "/nonexistent/x.yaml: cannot open scenario file");
    std::string dir = temp_dir("scenario");
    std::ofstream(dir + "/empty.yaml");
    auto e = load_scenario_file(dir + "/empty.yaml");
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.error().message.find("empty.yaml"), std::string::npos);
    {
        std::ofstream b(dir + "/bin.yaml", std::ios::binary);
        b.write("\x89PNG\r\n\x1a\n\0\0\0", 11);
    }
    auto b = load_scenario_file(dir + "/bin.yaml");
    ASSERT_FALSE(b.ok());
    EXPECT_NE(b.error().message.find("bin.yaml"), std::string::npos);
}

TEST(Scenario, Overrides) {
    auto s = parse_scenario(kGood, "t.yaml");
    ASSERT_TRUE(s.ok());
    EXPECT_TRUE(apply_override(*s, "seed=99").ok());
    EXPECT_EQ(s->seed, 99u);
    EXPECT_TRUE(apply_override(*s, "A.eth0.mtu=1400").ok());
    EXPECT_EQ(s->host("A")->interfaces[0].mtu, 1400u);
    EXPECT_TRUE(apply_override(*s, "link.0.speed=10Mbit").ok());
    EXPECT_EQ(s->links[0].speed_bps, 10'000'000u);
    EXPECT_TRUE(apply_override(*s, "B.ip_forward=true").ok());
    EXPECT_TRUE(s->host("B")->ip_forward);
    EXPECT_FALSE(apply_override(*s, "A.eth1.mtu=1400").ok());
    EXPECT_FALSE(apply_override(*s, "A.eth0.mtu=20").ok());
    EXPECT_FALSE(apply_override(*s, "nonsense").ok());
    EXPECT_FALSE(apply_override(*s, "link.7.speed=1Gbit").ok());
}

TEST(Scenario, DurationsAndRates) {
    EXPECT_EQ(parse_duration("1s"), 1'000'000'000u);
    EXPECT_EQ(parse_duration("2.5ms"), 2'500'000u);
    EXPECT_EQ(parse_duration("10us"), 10'000u);
    EXPECT_FALSE(parse_duration("fast"));
    EXPECT_FALSE(parse_duration("1h"));
    EXPECT_EQ(parse_rate("1Gbit"), 1'000'000'000u);
    EXPECT_FALSE(parse_rate("0Mbit"));
    EXPECT_FALSE(parse_rate("1Tbit"));
}

TEST(Lab, LoadErrorsFromWiringNameTheFile) {
    // A route whose gateway is not on-link is refused by the stack; the lab names the file.
    std::string text = replace(kGood, "via: 10.0.0.254", "via: 172.16.0.1");
    auto l = Lab::load_text(text, "t.yaml");
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(l.error().message.rfind("t.yaml", 0), 0u) << l.error().message;
}
