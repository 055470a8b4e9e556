// Netfilter rules per host: a DROP at each of the five hooks frees the packet with NETFILTER_DROP
// and notes the iptables rule; non-matching rules accept; the first matching rule wins; with no
// rules nf_hook_slow never runs.
#include <gtest/gtest.h>

#include "stack/netfilter/netfilter.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

NfRule udp_rule(int hook, uint16_t dport, bool drop = true) {
    NfRule r;
    r.hook = hook;
    r.proto = 17;
    r.dport = dport;
    r.drop = drop;
    return r;
}

int udp_socket(Task& t) {
    return static_cast<int>(call([&](SysDone d) { libc_socket(t, AF_INET, SOCK_DGRAM, 0, d); }).ret);
}

// A sends one datagram to B:9000 through R (B has a socket bound there); returns sendto's result.
int64_t send_through_router(ThreeHosts& t) {
    int bfd = udp_socket(*t.b);
    call([&](SysDone d) { libc_bind(*t.b, bfd, SockAddrIn{AF_INET, 9000, ip("0.0.0.0")}, d); });
    int afd = udp_socket(*t.a);
    auto r = call([&](SysDone d) { libc_sendto(*t.a, afd, {'h', 'i'}, SockAddrIn{AF_INET, 9000, ip("192.168.2.100")}, 0, d); });
    t.sim.run_until(kNsPerSec);
    return r.ret;
}

int frames_to_b(const ThreeHosts& t) {
    int n = 0;
    for (const auto& f : t.r_eth1.sent)
        if (f.size() > 23 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 17) ++n;
    return n;
}

struct HookCase {
    int hook;
    char host; // where the rule goes
    const char* chain;
};

class NetfilterDrop : public ::testing::TestWithParam<HookCase> {};

TEST_P(NetfilterDrop, DropsAtTheHookWithTheReason) {
    ThreeHosts t;
    const HookCase& c = GetParam();
    Host& h = c.host == 'A' ? t.A : c.host == 'R' ? t.R : t.B;
    h.add_nf_rule(udp_rule(c.hook, 9000));
    int64_t sent = send_through_router(t);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NetfilterDrop), 1);
    EXPECT_EQ(notes_with(t.sim.trace(), std::string("iptables -A ") + c.chain + " -p udp --dport 9000 -j DROP matched"), 1);
    EXPECT_EQ(find_enter(t.sim.trace(), std::string(1, c.host), "nf_hook_slow") != std::string::npos, true);
    if (c.host == 'A') {
        EXPECT_EQ(sent, -EPERM); // an OUTPUT / POSTROUTING drop fails the send, as in Linux
        EXPECT_TRUE(t.r_eth1.sent.empty());
    } else {
        EXPECT_EQ(sent, 2);
    }
    if (c.host == 'R' && c.hook != NF_INET_POST_ROUTING) {
        EXPECT_EQ(frames_to_b(t), 0);
    }
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

INSTANTIATE_TEST_SUITE_P(AllHooks, NetfilterDrop,
                         ::testing::Values(HookCase{NF_INET_PRE_ROUTING, 'R', "PREROUTING"},
                                           HookCase{NF_INET_FORWARD, 'R', "FORWARD"},
                                           HookCase{NF_INET_POST_ROUTING, 'R', "POSTROUTING"},
                                           HookCase{NF_INET_LOCAL_IN, 'B', "INPUT"},
                                           HookCase{NF_INET_LOCAL_OUT, 'A', "OUTPUT"},
                                           HookCase{NF_INET_POST_ROUTING, 'A', "POSTROUTING"}));

TEST(Netfilter, NonMatchingRulesAccept) {
    ThreeHosts t;
    t.R.add_nf_rule(udp_rule(NF_INET_FORWARD, 9001));        // another port
    NfRule tcp = udp_rule(NF_INET_FORWARD, 9000);
    tcp.proto = 6;                                             // another protocol
    t.R.add_nf_rule(tcp);
    NfRule src;
    src.hook = NF_INET_FORWARD;
    src.src = ip("10.0.0.0");
    src.src_prefix = 8;                                        // another source network
    t.R.add_nf_rule(src);
    EXPECT_EQ(send_through_router(t), 2);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NetfilterDrop), 0);
    EXPECT_EQ(frames_to_b(t), 1);
    EXPECT_EQ(notes_with(t.sim.trace(), "matched"), 0);
    EXPECT_NE(find_enter(t.sim.trace(), "R", "nf_hook_slow"), std::string::npos);
}

TEST(Netfilter, FirstMatchWins) {
    ThreeHosts t;
    NfRule accept;
    accept.hook = NF_INET_FORWARD;
    accept.dst = ip("192.168.2.0");
    accept.dst_prefix = 24;
    accept.drop = false;
    t.R.add_nf_rule(accept);
    t.R.add_nf_rule(udp_rule(NF_INET_FORWARD, 9000)); // would drop, but comes second
    EXPECT_EQ(send_through_router(t), 2);
    EXPECT_EQ(drops(t.sim.trace(), DropReason::NetfilterDrop), 0);
    EXPECT_EQ(notes_with(t.sim.trace(), "iptables -A FORWARD -d 192.168.2.0/24 -j ACCEPT matched"), 1);
    EXPECT_EQ(frames_to_b(t), 1);

    ThreeHosts u;
    u.R.add_nf_rule(udp_rule(NF_INET_FORWARD, 9000));
    u.R.add_nf_rule(accept);
    send_through_router(u);
    EXPECT_EQ(drops(u.sim.trace(), DropReason::NetfilterDrop), 1);
    EXPECT_EQ(frames_to_b(u), 0);
}

TEST(Netfilter, NoRulesNoHookSlow) {
    ThreeHosts t;
    EXPECT_EQ(send_through_router(t), 2);
    EXPECT_EQ(find_enter(t.sim.trace(), "R", "nf_hook_slow"), std::string::npos);
    EXPECT_EQ(frames_to_b(t), 1);
}

TEST(Netfilter, RuleText) {
    NfRule r = udp_rule(NF_INET_FORWARD, 9000);
    r.dst = ip("192.168.2.0");
    r.dst_prefix = 24;
    EXPECT_EQ(r.to_string(), "iptables -A FORWARD -p udp -d 192.168.2.0/24 --dport 9000 -j DROP");
    EXPECT_EQ(nf_hook_from_name("LOCAL_OUT"), NF_INET_LOCAL_OUT);
    EXPECT_FALSE(nf_hook_from_name("OUTPUT").has_value());
}

} // namespace
} // namespace skbscope::test
