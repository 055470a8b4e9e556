// Queries over a trace: call matching and stacks, the call tree of a user call, a packet's journey
// grouped into hops, and the trace summary with drops counted by Linux reason and function.
#include <gtest/gtest.h>

#include "core/trace/query.h"
#include "tests/core/trace/sample_trace.h"

namespace skbscope {
namespace {

size_t find_enter(const Trace& t, std::string_view name) {
    for (size_t i = 0; i < t.events.size(); ++i)
        if (t.events[i].kind == EventKind::FuncEnter && t.str(t.events[i].name) == name) return i;
    return kNoEvent;
}

std::vector<std::string> names(const Trace& t, const std::vector<size_t>& idx) {
    std::vector<std::string> out;
    for (size_t i : idx)
        out.emplace_back(t.str(t.events[i].name));
    return out;
}

TEST(Query, MatchesEntersAndExitsAndBuildsStacks) {
    auto sim = testing::make_sample();
    const Trace& t = sim->trace();
    CallIndex idx(t);
    size_t sendto = find_enter(t, "sendto");
    size_t dqx = find_enter(t, "dev_queue_xmit");
    ASSERT_NE(sendto, kNoEvent);
    size_t exit = idx.partner(sendto);
    ASSERT_NE(exit, kNoEvent);
    EXPECT_EQ(t.events[exit].kind, EventKind::FuncExit);
    EXPECT_EQ(t.events[exit].a[0], 28);
    EXPECT_EQ(idx.partner(exit), sendto);
    EXPECT_EQ(matching_exit(t, sendto), exit);
    EXPECT_EQ(matching_enter(t, exit), sendto);
    EXPECT_EQ(
        names(t, idx.stack_at(dqx + 1)),
        (std::vector<std::string>{"sendto", "__libc_sendto", "udp_sendmsg", "ip_output", "dev_queue_xmit"}));
    EXPECT_EQ(names(t, idx.stack_at(idx.partner(dqx))), names(t, idx.stack_at(dqx)));
    EXPECT_EQ(names(t, idx.stack_at(sendto)), (std::vector<std::string>{"sendto"}));
    EXPECT_TRUE(idx.stack_at(exit + 1).empty() || t.events[exit + 1].ctx != t.events[sendto].ctx);
    EXPECT_EQ(idx.partner(t.events.size() + 5), kNoEvent);
}

TEST(Query, CallTreeOfTheFirstSendto) {
    auto sim = testing::make_sample();
    const Trace& t = sim->trace();
    auto tree = call_tree(t, "A", "sendto", 0);
    ASSERT_TRUE(tree.ok()) << tree.error().message;
    ASSERT_EQ(tree->children.size(), 1u);
    EXPECT_EQ(t.str(t.events[tree->children[0].enter].name), "__libc_sendto");
    CallTreeOptions fo;
    fo.events = false;
    std::string text = render_call_tree(t, *tree, fo);
    // Each function one level deeper than its caller, in call order, with times and returns.
    std::vector<std::string> lines;
    for (size_t p = 0, q; (q = text.find('\n', p)) != std::string::npos; p = q + 1)
        lines.push_back(text.substr(p, q - p));
    ASSERT_EQ(lines.size(), 6u) << text;
    EXPECT_EQ(lines[0].rfind("# sendto on host A, app (pid 100)", 0), 0u);
    EXPECT_EQ(lines[1].rfind("sendto  [user, user program]", 0), 0u) << lines[1];
    EXPECT_NE(lines[1].find("= 28"), std::string::npos);
    EXPECT_EQ(lines[2].rfind("  __libc_sendto  [libc, ", 0), 0u) << lines[2];
    EXPECT_EQ(lines[3].rfind("    udp_sendmsg  [udp, net/ipv4/udp.c]", 0), 0u) << lines[3];
    EXPECT_EQ(lines[4].rfind("      ip_output  [ipv4, ", 0), 0u) << lines[4];
    EXPECT_EQ(lines[5].rfind("        dev_queue_xmit  [netdev, ", 0), 0u) << lines[5];
    std::string full = render_call_tree(t, *tree);
    EXPECT_NE(full.find("      - alloc skb#1 in __alloc_skb size=256"), std::string::npos) << full;
    EXPECT_NE(full.find("          - enqueue skb#1 on pfifo_fast A:eth0: qlen=1"), std::string::npos) << full;
}

TEST(Query, CallTreeErrorsSayWhatIsMissing) {
    auto sim = testing::make_sample();
    const Trace& t = sim->trace();
    EXPECT_EQ(call_tree(t, "C", "sendto", 0).error().message, "no host 'C' (hosts: A, B)");
    EXPECT_EQ(call_tree(t, "A", "recvfrom", 0).error().message,
              "host A never called 'recvfrom' (its user calls: sendto)");
    EXPECT_EQ(call_tree(t, "A", "sendto", 1).error().message,
              "host A called sendto 1 time; index 1 is out of range");
    // Not a user call: any call of that name on the host.
    auto rx = call_tree(t, "B", "udp_rcv", 0);
    ASSERT_TRUE(rx.ok());
    EXPECT_NE(render_call_tree(t, *rx).find("drop skb#2 in kfree_skb_reason: SKB_DROP_REASON_NO_SOCKET"),
              std::string::npos);
}

TEST(Query, PacketJourneyGroupsHops) {
    auto sim = testing::make_sample();
    const Trace& t = sim->trace();
    auto j = packet_journey(t, 1);
    ASSERT_TRUE(j.ok());
    std::vector<std::string> hops;
    for (const auto& h : j->hops)
        hops.push_back(t.contexts[h.ctx].name);
    EXPECT_EQ(hops, (std::vector<std::string>{"app (pid 100)", "softirq", "A:eth0 <-> B:eth0", "softirq"}));
    ASSERT_EQ(j->hosts.size(), 2u);
    EXPECT_EQ(j->hosts[0].host, "A");
    EXPECT_EQ(j->hosts[0].frames_sent, 1u);
    EXPECT_EQ(j->hosts[1].host, "B");
    EXPECT_EQ(j->hosts[1].drops, 1u);
    std::string text = render_journey(t, *j);
    EXPECT_NE(text.find("[4] B / softirq"), std::string::npos) << text;
    EXPECT_NE(text.find("DROPPED: drop skb#2 in kfree_skb_reason: SKB_DROP_REASON_NO_SOCKET"),
              std::string::npos);
    EXPECT_NE(text.find("ARP 42 Who has 192.168.1.1? Tell 192.168.1.100"), std::string::npos);
    EXPECT_EQ(packet_journey(t, 9).error().message, "no packet 9 in the trace (packets are 1..2)");
}

TEST(Query, InfoCountsEverything) {
    auto sim = testing::make_sample();
    const Trace& t = sim->trace();
    TraceInfo info = trace_info(t);
    EXPECT_EQ(info.events, t.events.size());
    EXPECT_EQ(info.duration_ns, t.events.back().time);
    EXPECT_EQ(info.skbs_allocated, 2u);
    EXPECT_EQ(info.skbs_freed, 2u);
    EXPECT_EQ(info.skbs_live, 0u);
    EXPECT_EQ(info.drop_count, 1u);
    ASSERT_EQ(info.drops.size(), 1u);
    EXPECT_EQ(info.drops.at("SKB_DROP_REASON_NO_SOCKET").at("udp_rcv"), 1u);
    EXPECT_EQ(info.links.at("A:eth0 <-> B:eth0").frames, 2u);
    EXPECT_EQ(info.links.at("A:eth0 <-> B:eth0").bytes, 84u);
    EXPECT_EQ(info.warnings, 1u);
    EXPECT_EQ(info.packets, 2u);
    EXPECT_EQ(info.per_kind[static_cast<size_t>(EventKind::FuncEnter)],
              info.per_kind[static_cast<size_t>(EventKind::FuncExit)]);
    std::string text = render_info(t, info);
    EXPECT_NE(text.find("scenario:  hand-made.yaml"), std::string::npos) << text;
    EXPECT_NE(text.find("SKB_DROP_REASON_NO_SOCKET"), std::string::npos);
    EXPECT_NE(text.find("in udp_rcv"), std::string::npos);
    EXPECT_NE(text.find("2 allocated, 2 freed, 0 live"), std::string::npos);
}

TEST(Query, SurvivesUnbalancedCalls) {
    auto sim = testing::make_sample();
    Trace t = sim->trace();
    // Drop every exit: nothing returns, and queries still answer.
    std::erase_if(t.events, [](const TraceEvent& e) { return e.kind == EventKind::FuncExit; });
    auto tree = call_tree(t, "A", "sendto", 0);
    ASSERT_TRUE(tree.ok());
    EXPECT_NE(render_call_tree(t, *tree).find("(no return in the trace)"), std::string::npos);
    CallIndex idx(t);
    for (size_t i = 0; i < t.events.size(); ++i)
        idx.stack_at(i);
    EXPECT_FALSE(render_info(t, trace_info(t)).empty());
    // And a chain deeper than the tree's guard is folded, not recursed into.
    Trace deep;
    deep.hosts = {"A"};
    deep.contexts.push_back(ContextInfo{0, ContextKind::Task, "t"});
    for (int i = 0; i < 5000; ++i) {
        TraceEvent e;
        e.kind = EventKind::FuncEnter;
        e.layer = Layer::User;
        e.name = static_cast<StrId>(Fn::sendto);
        deep.events.push_back(e);
    }
    auto dt = call_tree(deep, "A", "sendto", 0);
    ASSERT_TRUE(dt.ok());
    EXPECT_FALSE(render_call_tree(deep, *dt).empty());
}

} // namespace
} // namespace skbscope
