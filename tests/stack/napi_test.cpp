// NAPI as net/core/dev.c runs it: napi_poll with the device weight (64), repoll while a poll uses
// its whole weight, napi_complete_done ending the polling (the next interrupt schedules again),
// net_rx_action's budget (netdev_budget) and time limit (netdev_budget_usecs) with time_squeeze.
#include <gtest/gtest.h>

#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

// n frames for B of an EtherType nobody handles: each is polled, then dropped by the stack.
void burst(TwoHosts& t, int n) {
    for (int i = 0; i < n; ++i) {
        std::vector<uint8_t> f(60, 0);
        t.b_eth0.dev_addr.write_to(f);
        t.a_eth0.dev_addr.write_to(std::span(f).subspan(6));
        f[12] = 0x88;
        f[13] = 0xb5; // IEEE local experimental
        t.b_eth0.receive(f);
    }
}

// The work of each NAPI poll of B:eth0 (the napi_poll Counter, Linux's napi:napi_poll tracepoint).
std::vector<int64_t> poll_work(const Trace& t) {
    std::vector<int64_t> out;
    for (const auto& e : t.events)
        if (e.kind == EventKind::Counter && t.str(e.name) == "napi_poll" && t.str(e.ref) == "B:eth0")
            out.push_back(e.a[0]);
    return out;
}

int count_enters(const Trace& t, const std::string& host, const std::string& fn) {
    int n = 0;
    for (const auto& name : calls_on(t, host))
        n += name == fn;
    return n;
}

TEST(Napi, WeightBoundsEachPollAndAFullPollIsRepolled) {
    TwoHosts t;
    burst(t, 200);
    t.sim.run_until(10 * kNsPerMs);
    EXPECT_EQ(poll_work(t.sim.trace()), (std::vector<int64_t>{64, 64, 64, 8}));
    EXPECT_EQ(notes_with(t.sim.trace(), "used its weight 64: repoll"), 3);
    EXPECT_EQ(count_enters(t.sim.trace(), "B", "napi_complete_done"), 1); // only the last poll completes
    EXPECT_EQ(t.B.sd().softnet_stat.processed, 200u);
    EXPECT_EQ(t.B.sd().softnet_stat.time_squeeze, 0u); // 64 < 300: each round polls once, budget left
    EXPECT_FALSE(t.b_eth0.napi.scheduled);
    EXPECT_TRUE(t.B.sd().poll_list.empty());
    // Each repoll is a new NET_RX_SOFTIRQ round: net_rx_action ran once per poll.
    EXPECT_EQ(count_enters(t.sim.trace(), "B", "net_rx_action"), 4);
}

TEST(Napi, AfterNapiCompleteDoneTheNextInterruptSchedulesAgain) {
    TwoHosts t;
    burst(t, 3);
    t.sim.run_until(5 * kNsPerMs);
    EXPECT_EQ(poll_work(t.sim.trace()), (std::vector<int64_t>{3}));
    burst(t, 2);
    t.sim.run_until(10 * kNsPerMs);
    EXPECT_EQ(poll_work(t.sim.trace()), (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(count_enters(t.sim.trace(), "B", "napi_complete_done"), 2);
    EXPECT_EQ(count_enters(t.sim.trace(), "B", "__napi_schedule"), 2);
}

TEST(Napi, BudgetExhaustedCountsTimeSqueeze) {
    TwoHosts t;
    t.B.netdev_budget = 50; // less than one full poll
    burst(t, 200);
    t.sim.run_until(10 * kNsPerMs);
    EXPECT_EQ(poll_work(t.sim.trace()), (std::vector<int64_t>{64, 64, 64, 8}));
    EXPECT_EQ(t.B.sd().softnet_stat.time_squeeze, 3u); // the three full polls each used the budget up
    EXPECT_EQ(notes_with(t.sim.trace(), "time_squeeze"), 3);
    int64_t last = 0;
    for (const auto& e : t.sim.trace().events)
        if (e.kind == EventKind::Counter && t.sim.trace().str(e.name) == "time_squeeze") last = e.a[0];
    EXPECT_EQ(last, 3);
    EXPECT_EQ(t.B.sd().softnet_stat.processed, 200u); // squeezed, not lost: the rest waits for the next round
}

TEST(Napi, TimeLimitCountsTimeSqueeze) {
    TwoHosts t;
    t.B.netdev_budget_usecs = 0; // every poll runs out of time
    burst(t, 10);
    t.sim.run_until(10 * kNsPerMs);
    EXPECT_EQ(poll_work(t.sim.trace()), (std::vector<int64_t>{10}));
    EXPECT_EQ(t.B.sd().softnet_stat.time_squeeze, 1u);
    EXPECT_EQ(notes_with(t.sim.trace(), "netdev_budget_usecs 0 passed"), 1);
}

} // namespace
} // namespace skbscope::test
