// The TCP state machine, every transition Linux makes, each driven by real segments between two
// hosts and read back from the trace's TcpState events (tcp_set_state / inet_sk_state_store):
// passive and active open, simultaneous open (crossed SYNs), active and passive close, simultaneous
// close (CLOSING), TIME_WAIT and the orphaned FIN_WAIT2 timeouts, RST to a SYN, an abort (close
// with unread data sends RST) and the peer's RST, and a listener closed. A last test runs them all
// and checks that together they cover the whole diagram.
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "stack/ipv4/tcp.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

using Transition = std::pair<int, int>; // old, new

// Every TcpState event of sockets whose label starts with `prefix` ("" = all), in order.
std::vector<Transition> transitions(const Trace& t, const std::string& prefix = "") {
    std::vector<Transition> out;
    for (const auto& e : t.events)
        if (e.kind == EventKind::TcpState && std::string(t.str(e.ref)).rfind(prefix, 0) == 0)
            out.emplace_back(static_cast<int>(e.a[0]), static_cast<int>(e.a[1]));
    return out;
}

std::string name(int s) { return std::string(tcp_state_name(s)); }

std::string show(const std::vector<Transition>& v) {
    std::string s;
    for (auto [a, b] : v) s += name(a) + "->" + name(b) + " ";
    return s;
}

std::set<Transition>& covered() {
    static std::set<Transition> all;
    return all;
}

struct Pair : TwoHosts {
    void record() {
        for (auto t : transitions(sim.trace())) covered().insert(t);
    }
    ~Pair() { record(); }

    int socket(Task* t) {
        return static_cast<int>(call([&](SysDone d) { libc_socket(*t, AF_INET, SOCK_STREAM, 0, d); }).ret);
    }
    int listener(Task* t, uint16_t port) {
        int fd = socket(t);
        EXPECT_EQ(call([&](SysDone d) { libc_bind(*t, fd, SockAddrIn{AF_INET, port, ip("0.0.0.0")}, d); }).ret, 0);
        EXPECT_EQ(call([&](SysDone d) { libc_listen(*t, fd, 4, d); }).ret, 0);
        return fd;
    }
    // Runs a call in the task's context at time `at` (so two calls can happen at the same moment).
    void at(TimeNs when, Task* t, std::function<void()> fn) { sim.at(when, t->ctx, std::move(fn)); }
};

const std::string kA = "A:", kB = "B:";

// Establishes A fd 3 -> B (listener fd 3, accepted fd 4); returns when both are ESTABLISHED.
struct Connected : Pair {
    int lfd = -1, afd = -1, cfd = -1;
    Connected() {
        lfd = listener(b, 8080);
        libc_accept(*b, lfd, 0, [this](const SysResult& r) { afd = static_cast<int>(r.ret); });
        cfd = socket(a);
        libc_connect(*a, cfd, SockAddrIn{AF_INET, 8080, ip("192.168.1.200")}, [](const SysResult& r) {
            EXPECT_EQ(r.ret, 0) << errno_name(r.err);
        });
        sim.run_until(sim.now() + 100 * kNsPerMs);
        EXPECT_GE(afd, 0);
    }
};

void PassiveAndActiveOpen() {
    Connected c;
    auto a = transitions(c.sim.trace(), kA);
    EXPECT_EQ(a, (std::vector<Transition>{{TCP_CLOSE, TCP_SYN_SENT}, {TCP_SYN_SENT, TCP_ESTABLISHED}})) << show(a);
    // B: the listener enters LISTEN; the child is born in SYN_RECV and the ACK makes it ESTABLISHED.
    auto b = transitions(c.sim.trace(), kB);
    EXPECT_EQ(b, (std::vector<Transition>{{TCP_CLOSE, TCP_LISTEN}, {TCP_CLOSE, TCP_SYN_RECV}, {TCP_SYN_RECV, TCP_ESTABLISHED}}))
        << show(b);
}

void ActiveCloseThroughTimeWaitAndPassiveCloseThroughLastAck() {
    Connected c;
    const size_t from = c.sim.trace().events.size();
    const TimeNs t_close = c.sim.now();
    c.at(t_close, c.a, [&] { libc_close(*c.a, c.cfd, [](const SysResult&) {}); });
    c.sim.run_until(c.sim.now() + 10 * kNsPerMs);
    // B reads EOF, then closes.
    c.at(c.sim.now(), c.b, [&] {
        libc_recv(*c.b, c.afd, 100, 0, [&](const SysResult& r) {
            EXPECT_EQ(r.ret, 0);
            libc_close(*c.b, c.afd, [](const SysResult&) {});
        });
    });
    c.sim.run_until(c.sim.now() + 10 * kNsPerMs);
    std::vector<Transition> a, b;
    const Trace& t = c.sim.trace();
    for (size_t i = from; i < t.events.size(); ++i) {
        const auto& e = t.events[i];
        if (e.kind != EventKind::TcpState) continue;
        (std::string(t.str(e.ref)).rfind(kA, 0) == 0 ? a : b).emplace_back(int(e.a[0]), int(e.a[1]));
    }
    EXPECT_EQ(a, (std::vector<Transition>{{TCP_ESTABLISHED, TCP_FIN_WAIT1}, {TCP_FIN_WAIT1, TCP_FIN_WAIT2},
                                          {TCP_FIN_WAIT2, TCP_TIME_WAIT}}))
        << show(a);
    EXPECT_EQ(b, (std::vector<Transition>{{TCP_ESTABLISHED, TCP_CLOSE_WAIT}, {TCP_CLOSE_WAIT, TCP_LAST_ACK},
                                          {TCP_LAST_ACK, TCP_CLOSE}}))
        << show(b);
    // TIME_WAIT lasts TCP_TIMEWAIT_LEN (60 s), then CLOSE. (run_until's limits are absolute: the
    // clock stays at the last event when nothing is due before the limit.)
    c.sim.run_until(t_close + 59 * kNsPerSec);
    EXPECT_EQ(transitions(t, kA).back(), Transition(TCP_FIN_WAIT2, TCP_TIME_WAIT));
    c.sim.run_until(t_close + 61 * kNsPerSec);
    EXPECT_EQ(transitions(t, kA).back(), Transition(TCP_TIME_WAIT, TCP_CLOSE));
    EXPECT_EQ(c.sim.live_skbs(), 0);
}

void SimultaneousCloseGoesThroughClosing() {
    Connected c;
    const TimeNs t0 = c.sim.now() + kNsPerMs;
    c.at(t0, c.a, [&] { libc_close(*c.a, c.cfd, [](const SysResult&) {}); });
    c.at(t0, c.b, [&] { libc_close(*c.b, c.afd, [](const SysResult&) {}); });
    c.sim.run_until(t0 + 10 * kNsPerMs);
    for (const std::string& host : {kA, kB}) {
        auto v = transitions(c.sim.trace(), host);
        ASSERT_GE(v.size(), 3u) << host << show(v);
        std::vector<Transition> tail(v.end() - 3, v.end());
        EXPECT_EQ(tail, (std::vector<Transition>{{TCP_ESTABLISHED, TCP_FIN_WAIT1}, {TCP_FIN_WAIT1, TCP_CLOSING},
                                                 {TCP_CLOSING, TCP_TIME_WAIT}}))
            << host << show(v);
    }
}

void SimultaneousOpenGoesThroughSynRecv() {
    Pair p;
    int fa = p.socket(p.a), fb = p.socket(p.b);
    ASSERT_EQ(call([&](SysDone d) { libc_bind(*p.a, fa, SockAddrIn{AF_INET, 5000, ip("0.0.0.0")}, d); }).ret, 0);
    ASSERT_EQ(call([&](SysDone d) { libc_bind(*p.b, fb, SockAddrIn{AF_INET, 6000, ip("0.0.0.0")}, d); }).ret, 0);
    // ARP first, so that both SYNs leave at the same moment and cross on the wire.
    int ua = static_cast<int>(call([&](SysDone d) { libc_socket(*p.a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
    libc_sendto(*p.a, ua, std::vector<uint8_t>(1, 0), SockAddrIn{AF_INET, 9, ip("192.168.1.200")}, 0,
                [](const SysResult&) {});
    p.sim.run_until(p.sim.now() + 10 * kNsPerMs);
    int ra = -1, rb = -1;
    const TimeNs t0 = p.sim.now() + kNsPerMs;
    p.at(t0, p.a, [&] {
        libc_connect(*p.a, fa, SockAddrIn{AF_INET, 6000, ip("192.168.1.200")}, [&](const SysResult& r) { ra = int(r.ret); });
    });
    p.at(t0, p.b, [&] {
        libc_connect(*p.b, fb, SockAddrIn{AF_INET, 5000, ip("192.168.1.100")}, [&](const SysResult& r) { rb = int(r.ret); });
    });
    p.sim.run_until(t0 + 100 * kNsPerMs);
    EXPECT_EQ(ra, 0);
    EXPECT_EQ(rb, 0);
    for (const std::string& host : {kA, kB}) {
        auto v = transitions(p.sim.trace(), host);
        EXPECT_EQ(v, (std::vector<Transition>{{TCP_CLOSE, TCP_SYN_SENT}, {TCP_SYN_SENT, TCP_SYN_RECV},
                                              {TCP_SYN_RECV, TCP_ESTABLISHED}}))
            << host << show(v);
    }
    // Data flows both ways on the connection the crossed SYNs made.
    std::vector<uint8_t> got;
    libc_send(*p.a, fa, std::vector<uint8_t>(3000, 7), 0, [](const SysResult& r) { EXPECT_EQ(r.ret, 3000); });
    std::function<void()> read = [&] {
        libc_recv(*p.b, fb, 65536, 0, [&](const SysResult& r) {
            if (r.ret > 0) got.insert(got.end(), r.data.begin(), r.data.end());
            if (got.size() < 3000 && r.ret > 0) read();
        });
    };
    read();
    p.sim.run_until(p.sim.now() + 100 * kNsPerMs);
    EXPECT_EQ(got.size(), 3000u);
}

void RstAnswersASynAndConnectGoesBackToClose() {
    Pair p;
    int fd = p.socket(p.a);
    int err = 0;
    libc_connect(*p.a, fd, SockAddrIn{AF_INET, 9999, ip("192.168.1.200")}, [&](const SysResult& r) { err = r.err; });
    p.sim.run_until(100 * kNsPerMs);
    EXPECT_EQ(err, ECONNREFUSED);
    auto v = transitions(p.sim.trace(), kA);
    EXPECT_EQ(v, (std::vector<Transition>{{TCP_CLOSE, TCP_SYN_SENT}, {TCP_SYN_SENT, TCP_CLOSE}})) << show(v);
}

void ClosingAListenerGoesToClose() {
    Pair p;
    int fd = p.listener(p.b, 8080);
    EXPECT_EQ(call([&](SysDone d) { libc_close(*p.b, fd, d); }).ret, 0);
    auto v = transitions(p.sim.trace(), kB);
    EXPECT_EQ(v, (std::vector<Transition>{{TCP_CLOSE, TCP_LISTEN}, {TCP_LISTEN, TCP_CLOSE}})) << show(v);
}

void CloseWithUnreadDataAbortsWithRstAndThePeerResets() {
    Connected c;
    c.at(c.sim.now(), c.a, [&] {
        libc_send(*c.a, c.cfd, std::vector<uint8_t>(1000, 1), 0, [](const SysResult& r) { EXPECT_EQ(r.ret, 1000); });
    });
    c.sim.run_until(c.sim.now() + 10 * kNsPerMs);
    // B closes without reading: Linux sends RST (tcp_close: data was lost) and goes to CLOSE.
    c.at(c.sim.now(), c.b, [&] { libc_close(*c.b, c.afd, [](const SysResult&) {}); });
    c.sim.run_until(c.sim.now() + 10 * kNsPerMs);
    EXPECT_EQ(transitions(c.sim.trace(), kB).back(), Transition(TCP_ESTABLISHED, TCP_CLOSE));
    // A's socket, still ESTABLISHED, receives the RST: tcp_reset -> CLOSE, and recv reports it.
    EXPECT_EQ(transitions(c.sim.trace(), kA).back(), Transition(TCP_ESTABLISHED, TCP_CLOSE));
    int err = 0;
    libc_recv(*c.a, c.cfd, 100, 0, [&](const SysResult& r) { err = r.err; });
    c.sim.run_until(c.sim.now() + kNsPerMs);
    EXPECT_EQ(err, ECONNRESET);
}

void OrphanedFinWait2TimesOut() {
    Connected c;
    // A closes; B never does: A's orphan waits tcp_fin_timeout (60 s) in FIN_WAIT2, then CLOSE.
    // B's ACK of the FIN is delayed (pingpong mode after a FIN), so give it the delayed-ACK time.
    const TimeNs t_close = c.sim.now();
    c.at(t_close, c.a, [&] { libc_close(*c.a, c.cfd, [](const SysResult&) {}); });
    c.sim.run_until(t_close + 300 * kNsPerMs);
    EXPECT_EQ(transitions(c.sim.trace(), kA).back(), Transition(TCP_FIN_WAIT1, TCP_FIN_WAIT2));
    c.sim.run_until(t_close + 59 * kNsPerSec);
    EXPECT_EQ(transitions(c.sim.trace(), kA).back(), Transition(TCP_FIN_WAIT1, TCP_FIN_WAIT2));
    c.sim.run_until(t_close + 61 * kNsPerSec);
    EXPECT_EQ(transitions(c.sim.trace(), kA).back(), Transition(TCP_FIN_WAIT2, TCP_CLOSE));
}

TEST(TcpStates, PassiveAndActiveOpen) { PassiveAndActiveOpen(); }
TEST(TcpStates, ActiveCloseThroughTimeWaitAndPassiveCloseThroughLastAck) { ActiveCloseThroughTimeWaitAndPassiveCloseThroughLastAck(); }
TEST(TcpStates, SimultaneousCloseGoesThroughClosing) { SimultaneousCloseGoesThroughClosing(); }
TEST(TcpStates, SimultaneousOpenGoesThroughSynRecv) { SimultaneousOpenGoesThroughSynRecv(); }
TEST(TcpStates, RstAnswersASynAndConnectGoesBackToClose) { RstAnswersASynAndConnectGoesBackToClose(); }
TEST(TcpStates, ClosingAListenerGoesToClose) { ClosingAListenerGoesToClose(); }
TEST(TcpStates, CloseWithUnreadDataAbortsWithRstAndThePeerResets) { CloseWithUnreadDataAbortsWithRstAndThePeerResets(); }
TEST(TcpStates, OrphanedFinWait2TimesOut) { OrphanedFinWait2TimesOut(); }

TEST(TcpStates, EveryTransitionIsCovered) {
    // Each scenario again, in this process: together they must make every transition of Linux's
    // TCP state machine (the RFC 793 diagram as tcp_rcv_state_process and tcp_close implement it).
    covered().clear();
    PassiveAndActiveOpen();
    ActiveCloseThroughTimeWaitAndPassiveCloseThroughLastAck();
    SimultaneousCloseGoesThroughClosing();
    SimultaneousOpenGoesThroughSynRecv();
    RstAnswersASynAndConnectGoesBackToClose();
    ClosingAListenerGoesToClose();
    CloseWithUnreadDataAbortsWithRstAndThePeerResets();
    OrphanedFinWait2TimesOut();
    const std::vector<Transition> diagram = {
        {TCP_CLOSE, TCP_LISTEN},          {TCP_LISTEN, TCP_CLOSE},         {TCP_CLOSE, TCP_SYN_SENT},
        {TCP_SYN_SENT, TCP_ESTABLISHED},  {TCP_SYN_SENT, TCP_SYN_RECV},    {TCP_SYN_SENT, TCP_CLOSE},
        {TCP_CLOSE, TCP_SYN_RECV},        {TCP_SYN_RECV, TCP_ESTABLISHED}, {TCP_ESTABLISHED, TCP_FIN_WAIT1},
        {TCP_FIN_WAIT1, TCP_FIN_WAIT2},   {TCP_FIN_WAIT1, TCP_CLOSING},    {TCP_FIN_WAIT2, TCP_TIME_WAIT},
        {TCP_FIN_WAIT2, TCP_CLOSE},       {TCP_CLOSING, TCP_TIME_WAIT},    {TCP_TIME_WAIT, TCP_CLOSE},
        {TCP_ESTABLISHED, TCP_CLOSE_WAIT}, {TCP_CLOSE_WAIT, TCP_LAST_ACK}, {TCP_LAST_ACK, TCP_CLOSE},
        {TCP_ESTABLISHED, TCP_CLOSE},
    };
    std::string missing;
    for (auto t : diagram)
        if (!covered().count(t)) missing += name(t.first) + "->" + name(t.second) + " ";
    EXPECT_EQ(missing, "");
}

} // namespace
} // namespace skbscope::test
