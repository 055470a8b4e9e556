// Shared set-ups for the stack tests: two hosts on one link (A 192.168.1.100, B 192.168.1.200) and
// the default topology A - R - B (192.168.1.0/24, 192.168.2.0/24, R forwarding), built from Hosts
// and FakeNetDevices, plus small readers of the trace.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/time/sim.h"
#include "core/trace/trace.h"
#include "core/wire/addr.h"
#include "stack/host.h"
#include "stack/syscall/libc.h"
#include "stack/socket/sock.h"
#include "tests/support/fake_net_device.h"

namespace skbscope::test {

inline wire::Ipv4Addr ip(const char* s) { return *wire::Ipv4Addr::parse(s); }
inline wire::MacAddr mac(const char* s) { return *wire::MacAddr::parse(s); }

// Runs a libc call that must not sleep and returns its result.
template <typename F> SysResult call(F&& f) {
    std::optional<SysResult> out;
    f([&](const SysResult& r) { out = r; });
    EXPECT_TRUE(out.has_value()) << "the call did not return at once";
    if (out) return *out;
    SysResult failed;
    failed.ret = -1;
    failed.err = -1;
    return failed;
}

inline void wire_host(Host& h, FakeNetDevice& d) {
    h.register_netdev(&d);
    d.irq = h.irq_handler_for(&d);
}

struct TwoHosts {
    Sim sim{42};
    FakeNetDevice a_eth0{sim, "eth0", mac("02:00:00:00:00:0a")};
    FakeNetDevice b_eth0{sim, "eth0", mac("02:00:00:00:00:0b")};
    Host A{sim, "A"};
    Host B{sim, "B"};
    Task* a = nullptr;
    Task* b = nullptr;
    TwoHosts() {
        FakeNetDevice::connect(sim, a_eth0, b_eth0, "A:eth0 <-> B:eth0");
        wire_host(A, a_eth0);
        wire_host(B, b_eth0);
        EXPECT_TRUE(A.add_address("eth0", ip("192.168.1.100"), 24).ok());
        EXPECT_TRUE(B.add_address("eth0", ip("192.168.1.200"), 24).ok());
        A.open_devices();
        B.open_devices();
        a = A.spawn_task("client", 100);
        b = B.spawn_task("server", 200);
    }
};

struct ThreeHosts {
    Sim sim{7};
    FakeNetDevice a_eth0{sim, "eth0", mac("02:00:00:00:01:0a")};
    FakeNetDevice r_eth0{sim, "eth0", mac("02:00:00:00:01:01")};
    FakeNetDevice r_eth1{sim, "eth1", mac("02:00:00:00:02:01")};
    FakeNetDevice b_eth0{sim, "eth0", mac("02:00:00:00:02:0b")};
    Host A{sim, "A"};
    Host R{sim, "R"};
    Host B{sim, "B"};
    Task* a = nullptr;
    Task* b = nullptr;
    ThreeHosts() {
        FakeNetDevice::connect(sim, a_eth0, r_eth0, "A:eth0 <-> R:eth0");
        FakeNetDevice::connect(sim, r_eth1, b_eth0, "R:eth1 <-> B:eth0");
        wire_host(A, a_eth0);
        wire_host(R, r_eth0);
        wire_host(R, r_eth1);
        wire_host(B, b_eth0);
        EXPECT_TRUE(A.add_address("eth0", ip("192.168.1.100"), 24).ok());
        EXPECT_TRUE(R.add_address("eth0", ip("192.168.1.1"), 24).ok());
        EXPECT_TRUE(R.add_address("eth1", ip("192.168.2.1"), 24).ok());
        EXPECT_TRUE(B.add_address("eth0", ip("192.168.2.100"), 24).ok());
        EXPECT_TRUE(A.add_route(ip("0.0.0.0"), 0, ip("192.168.1.1"), "eth0").ok());
        EXPECT_TRUE(B.add_route(ip("0.0.0.0"), 0, ip("192.168.2.1"), "eth0").ok());
        R.set_ip_forward(true);
        A.open_devices();
        R.open_devices();
        B.open_devices();
        a = A.spawn_task("ping", 100);
        b = B.spawn_task("server", 200);
    }
};

// Number of skbs freed with this drop reason.
inline int drops(const Trace& t, DropReason r) {
    int n = 0;
    for (const auto& e : t.events)
        if (e.kind == EventKind::SkbFree && e.a[0] == static_cast<int64_t>(r)) ++n;
    return n;
}

// FuncEnter names on one host, in trace order (optionally from event index `from`).
inline std::vector<std::string> calls_on(const Trace& t, const std::string& host, size_t from = 0) {
    std::vector<std::string> out;
    for (size_t i = from; i < t.events.size(); ++i) {
        const auto& e = t.events[i];
        if (e.kind != EventKind::FuncEnter) continue;
        if (t.host_name(t.contexts[e.ctx].host) != host) continue;
        out.emplace_back(t.str(e.name));
    }
    return out;
}

// Checks expected appears in order in actual; "" or the first missing name.
inline std::string in_order(const std::vector<std::string>& actual, const std::vector<std::string>& expected) {
    size_t j = 0;
    for (const auto& a : actual)
        if (j < expected.size() && a == expected[j]) ++j;
    if (j == expected.size()) return "";
    return "missing (in order) '" + expected[j] + "' after '" + (j ? expected[j - 1] : std::string("<start>")) + "'";
}

// Notes containing text.
inline int notes_with(const Trace& t, const std::string& text) {
    int n = 0;
    for (const auto& e : t.events)
        if (e.kind == EventKind::Note && std::string(t.str(e.ref)).find(text) != std::string::npos) ++n;
    return n;
}

// Index of the first FuncEnter of fn on host at or after from; npos if none.
inline size_t find_enter(const Trace& t, const std::string& host, const std::string& fn, size_t from = 0) {
    for (size_t i = from; i < t.events.size(); ++i) {
        const auto& e = t.events[i];
        if (e.kind == EventKind::FuncEnter && t.str(e.name) == fn && t.host_name(t.contexts[e.ctx].host) == host)
            return i;
    }
    return std::string::npos;
}

// The FuncExit closing the FuncEnter at i (same context and depth).
inline size_t find_exit(const Trace& t, size_t i) {
    const auto& en = t.events[i];
    for (size_t j = i + 1; j < t.events.size(); ++j) {
        const auto& e = t.events[j];
        if (e.ctx == en.ctx && e.kind == EventKind::FuncExit && e.depth == en.depth && e.name == en.name) return j;
    }
    return std::string::npos;
}

} // namespace skbscope::test
