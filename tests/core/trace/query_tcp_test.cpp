// TCP counter series: rows per change, values carried forward, unknown sockets listed.
#include <gtest/gtest.h>

#include "core/time/sim.h"
#include "core/trace/query_tcp.h"

using namespace skbscope;

TEST(QueryTcp, FoldsCountersIntoRowsPerChange) {
    Sim sim(1);
    HostId h = sim.add_host("A");
    ContextId ctx = sim.add_context(h, ContextKind::Softirq, "softirq");
    sim.at(1000, ctx, [&] {
        sim.rec().counter("A:sock 3", "cwnd", 10, Layer::Tcp);
        sim.rec().counter("A:sock 3", "ssthresh", 2147483647, Layer::Tcp);
        sim.rec().counter("A:sock 4", "cwnd", 99, Layer::Tcp);
    });
    sim.at(2000, ctx, [&] { sim.rec().counter("A:sock 3", "cwnd", 12, Layer::Tcp); });
    sim.at(3000, ctx, [&] { sim.rec().counter("A:eth0", "cwnd", 7, Layer::Qdisc); }); // not TCP
    sim.run_until(10000);
    auto s = tcp_counter_series(sim.trace(), "A", 3);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_EQ(s->names, (std::vector<std::string>{"cwnd", "ssthresh"}));
    ASSERT_EQ(s->rows.size(), 2u);
    EXPECT_EQ(s->rows[0].time, 1000u);
    EXPECT_EQ(*s->rows[0].values[1], 2147483647);
    EXPECT_EQ(*s->rows[1].values[0], 12);
    EXPECT_EQ(*s->rows[1].values[1], 2147483647) << "values carry forward";
    std::string text = render_counter_series(*s);
    EXPECT_NE(text.find("0.002000"), std::string::npos) << text;
    auto none = tcp_counter_series(sim.trace(), "B", 3);
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.error().message.find("A:sock 3, A:sock 4"), std::string::npos) << none.error().message;
}
