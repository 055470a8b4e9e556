// The virtual-time scheduler and the Sim's contexts: ordering, cancellation, per-context clocks,
// costs charged by traced functions, and the seeded generator.
#include <gtest/gtest.h>

#include <vector>

#include "core/time/rng.h"
#include "core/time/sim.h"

using namespace skbscope;

TEST(Scheduler, RunsByTimeThenInsertionOrder) {
    Scheduler s;
    std::vector<int> order;
    s.schedule_at(30, 0, [&] { order.push_back(3); });
    s.schedule_at(10, 0, [&] { order.push_back(1); });
    s.schedule_at(10, 0, [&] { order.push_back(2); });
    s.schedule_at(20, 0, [&] { order.push_back(4); });
    Scheduler::Due d;
    while (s.pop(d)) d.cb();
    EXPECT_EQ(order, (std::vector<int>{1, 2, 4, 3}));
    EXPECT_EQ(s.now(), 30u);
}

TEST(Scheduler, CancelAndPastTimesClampToNow) {
    Scheduler s;
    int ran = 0;
    auto a = s.schedule_at(5, 0, [&] { ran += 1; });
    s.schedule_at(7, 0, [&] { ran += 10; });
    EXPECT_TRUE(s.pending(a));
    EXPECT_TRUE(s.cancel(a));
    EXPECT_FALSE(s.cancel(a));
    Scheduler::Due d;
    ASSERT_TRUE(s.pop(d));
    d.cb();
    EXPECT_EQ(ran, 10);
    s.schedule_at(1, 0, [] {}); // in the past: runs at now
    ASSERT_TRUE(s.pop(d));
    EXPECT_EQ(d.time, 7u);
}

TEST(Sim, ContextsHaveTheirOwnClocksAndCostsWidenSlices) {
    Sim sim(1);
    HostId h = sim.add_host("A");
    ContextId task = sim.add_context(h, ContextKind::Task, "t");
    ContextId irq = sim.add_context(h, ContextKind::Hardirq, "irq");
    TimeNs task_end = 0, irq_start = 0;
    sim.at(100, task, [&] {
        TRACE_FUNC(sim, ip_rcv);
        { TRACE_FUNC(sim, ip_rcv_core); }
        task_end = sim.now();
    });
    sim.at(110, irq, [&] { irq_start = sim.now(); });
    // A second event for the busy task context starts when the context is free, not earlier.
    TimeNs second = 0;
    sim.at(101, task, [&] { second = sim.now(); });
    sim.run_until(1000);
    EXPECT_EQ(task_end, 100 + fn_info(Fn::ip_rcv).cost_ns + fn_info(Fn::ip_rcv_core).cost_ns);
    EXPECT_EQ(irq_start, 110u);
    EXPECT_EQ(second, task_end);
    const auto& ev = sim.trace().events;
    ASSERT_EQ(ev.size(), 4u);
    EXPECT_EQ(ev[0].kind, EventKind::FuncEnter);
    EXPECT_EQ(ev[1].depth, 1);
    EXPECT_EQ(ev[3].kind, EventKind::FuncExit);
    EXPECT_EQ(ev[3].depth, 0);
    EXPECT_GT(ev[3].time, ev[0].time);
}

// Hosts on one shared CPU (network namespaces): their task, softirq and hardirq contexts wait for
// the CPU; a link's context and a host on its own CPU do not.
TEST(Sim, ContextsOnASharedCpuWaitForIt) {
    Sim sim(1);
    HostId a = sim.add_host("A"), b = sim.add_host("B"), c = sim.add_host("C");
    ContextId ta = sim.add_context(a, ContextKind::Task, "a");
    sim.set_host_cpu(a, 0);
    sim.set_host_cpu(b, 0);
    ContextId tb = sim.add_context(b, ContextKind::Task, "b"); // added after: joins the CPU too
    ContextId link = sim.add_context(a, ContextKind::Link, "A:eth0<->B:eth0");
    ContextId tc = sim.add_context(c, ContextKind::Task, "c");
    TimeNs a_end = 0, b_start = 0, link_start = 0, c_start = 0, a_again = 0;
    sim.at(100, ta, [&] {
        TRACE_FUNC(sim, ip_rcv);
        a_end = sim.now() + fn_info(Fn::ip_rcv).cost_ns * 0; // the scope closes after this line
    });
    sim.at(101, tb, [&] { b_start = sim.now(); });
    sim.at(102, link, [&] { link_start = sim.now(); });
    sim.at(103, tc, [&] { c_start = sim.now(); });
    sim.at(104, ta, [&] { a_again = sim.now(); });
    sim.run_until(1000);
    EXPECT_EQ(a_end, 100 + fn_info(Fn::ip_rcv).cost_ns);
    EXPECT_EQ(b_start, a_end) << "B's task waited for A's chain to leave the CPU";
    EXPECT_EQ(link_start, 102u);
    EXPECT_EQ(c_start, 103u);
    EXPECT_EQ(a_again, a_end);
}

TEST(Sim, RunUntilStopsAtTheLimit) {
    Sim sim(1);
    int n = 0;
    for (TimeNs t : {10, 20, 30}) sim.at(t, Sim::kLabContext, [&] { ++n; });
    EXPECT_EQ(sim.run_until(20), 2u);
    EXPECT_EQ(n, 2);
    EXPECT_FALSE(sim.scheduler().empty());
}

TEST(Rng, SeededAndDeterministic) {
    Rng a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) {
        uint64_t x = a.next_u64();
        EXPECT_EQ(x, b.next_u64());
        (void)c;
    }
    Rng d(42), e(43);
    EXPECT_NE(d.next_u64(), e.next_u64()) << "seed 42 vs 43";
    Rng r(7);
    for (int i = 0; i < 1000; ++i) {
        auto v = r.uniform(32768, 60999);
        EXPECT_GE(v, 32768u);
        EXPECT_LE(v, 60999u);
    }
}
