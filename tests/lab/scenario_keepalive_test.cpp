// Keepalive from a scenario (issue #3): TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT and SO_KEEPALIVE
// as setsockopt steps; the link loses A's three probes (drop rules), so A's recv() fails with
// ETIMEDOUT one interval after the third, A resets the connection and B's recv() sees ECONNRESET.
// A bad value is a load error naming the file and the field.
#include <gtest/gtest.h>

#include <algorithm>

#include "app/lab/lab.h"

using namespace skbscope;
using namespace skbscope::lab;

namespace {

const char* kScenario = R"(name: keepalive-dead-peer
description: A enables keepalive (idle 1 s, interval 1 s, 3 probes) and waits in recv; the link loses A's probes.
seed: 1
duration: 10s
hosts:
  A:
    interfaces:
      eth0: { mac: "02:00:00:00:01:64", address: 192.168.1.100/24 }
    programs:
      - name: client
        start: 1ms
        steps:
          - socket: stream
          - setsockopt: { fd: 3, opt: TCP_KEEPIDLE, value: 1 }
          - setsockopt: { fd: 3, opt: TCP_KEEPINTVL, value: 1 }
          - setsockopt: { fd: 3, opt: TCP_KEEPCNT, value: 3 }
          - setsockopt: { fd: 3, opt: SO_KEEPALIVE, value: true }
          - connect: { fd: 3, to: "192.168.1.200:8080" }
          - recv: { fd: 3, len: 100 }
          - close: { fd: 3 }
  B:
    interfaces:
      eth0: { mac: "02:00:00:00:01:c8", address: 192.168.1.200/24 }
    programs:
      - name: server
        steps:
          - socket: stream
          - bind: { fd: 3, addr: "0.0.0.0:8080" }
          - listen: { fd: 3, backlog: 1 }
          - accept: { fd: 3 }
          - recv: { fd: 4, len: 100 }
links:
  - { a: "A:eth0", b: "B:eth0", drop: [{ dir: a_to_b, match: any, nth: 4 }, { dir: a_to_b, match: any, nth: 5 }, { dir: a_to_b, match: any, nth: 6 }] }
)";

bool has_line(const std::vector<std::string>& out, const std::string& text) {
    return std::any_of(out.begin(), out.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

} // namespace

TEST(ScenarioKeepalive, LostProbesEndTheConnectionWithEtimedout) {
    auto l = Lab::load_text(kScenario, "keepalive.yaml");
    ASSERT_TRUE(l.ok()) << l.error().message;
    (*l)->run();
    auto out = (*l)->program_output();
    EXPECT_TRUE(has_line(out, "client: recv() failed: ETIMEDOUT"));
    EXPECT_TRUE(has_line(out, "server: recv() failed: ECONNRESET"));
    const Trace& t = (*l)->trace();
    std::vector<TimeNs> probes;
    TimeNs reset = 0;
    for (const auto& e : t.events) {
        if (e.kind != EventKind::FuncEnter || t.host_name(t.contexts[e.ctx].host) != "A") continue;
        if (t.str(e.name) == "tcp_xmit_probe_skb") probes.push_back(e.time);
        if (t.str(e.name) == "tcp_send_active_reset") reset = e.time;
    }
    ASSERT_EQ(probes.size(), 3u);
    EXPECT_GE(probes[0], 1 * kNsPerSec); // TCP_KEEPIDLE 1 s after the handshake (at ~1 ms)
    EXPECT_LT(probes[0], 1 * kNsPerSec + 10 * kNsPerMs);
    EXPECT_NEAR(static_cast<double>(probes[1] - probes[0]), 1e9, 1e6); // TCP_KEEPINTVL
    EXPECT_NEAR(static_cast<double>(probes[2] - probes[1]), 1e9, 1e6);
    EXPECT_NEAR(static_cast<double>(reset - probes[2]), 1e9, 1e6); // TCP_KEEPCNT 3 reached
}

TEST(ScenarioKeepalive, BadKeepaliveValueIsALoadError) {
    std::string text = kScenario;
    auto at = text.find("opt: TCP_KEEPCNT, value: 3");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, std::string("opt: TCP_KEEPCNT, value: 3").size(), "opt: TCP_KEEPCNT, value: -2");
    auto l = Lab::load_text(text, "keepalive.yaml");
    ASSERT_FALSE(l.ok());
    EXPECT_NE(l.error().message.find("keepalive.yaml"), std::string::npos) << l.error().message;
    EXPECT_NE(l.error().message.find("value"), std::string::npos) << l.error().message;
}
