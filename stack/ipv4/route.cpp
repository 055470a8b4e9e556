// Route lookups (net/ipv4/route.c): output routes for locally generated packets and input routes
// that decide between local delivery, forwarding and an error route (ip_error).
// A packet to one of our own addresses (a local route, 127.0.0.0/8 included) goes out through lo.
// SIMPLIFICATION: no route cache or nexthop exceptions (PMTU, redirects); no multicast routing.
// LINUX: with forwarding off, a packet for another host gets an error route (EHOSTUNREACH) and is
// dropped by ip_error as IP_INADDRERRORS without any ICMP, as ip_error does.
#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/ipv4/ip.h"

namespace skbscope {

using wire::Ipv4Addr;

Ipv4Addr inet_select_addr(const Host& host, const NetDevice* dev, Ipv4Addr dst) {
    const InIfaddr* primary = nullptr;
    for (const auto& a : host.ifaddrs) {
        if (a.dev != dev) continue;
        if (!primary) primary = &a;
        if (dst.in_subnet(a.local, a.prefix_len)) return a.local;
    }
    if (primary) return primary->local;
    // inet_select_addr falls back to any address of the host with a wider scope (not lo's: scope host)
    for (const auto& a : host.ifaddrs)
        if (!(a.dev->flags & IFF_LOOPBACK)) return a.local;
    return Ipv4Addr{};
}

static const FibRoute* fib_lookup(Host& host, Ipv4Addr daddr) {
    TRACE_FUNC_NAMED(scope, host.sim(), fib_lookup, nullptr, daddr.value);
    const FibRoute* r = host.fib.lookup(daddr);
    if (r) host.note("fib_lookup " + daddr.to_string() + ": " + r->to_string(), Layer::Ipv4);
    else host.note("fib_lookup " + daddr.to_string() + ": no route", Layer::Ipv4);
    scope.ret(r ? 0 : -ENETUNREACH);
    return r;
}

static std::shared_ptr<Rtable> ip_route_output_key_hash(Host& host, Flowi4& fl4, int* err) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_route_output_key_hash, nullptr, fl4.daddr.value);
    *err = 0;
    const FibRoute* res = fib_lookup(host, fl4.daddr);
    if (!res) {
        *err = -ENETUNREACH;
        scope.ret(*err);
        return nullptr;
    }
    if (res->type == RtnType::Local) {
        // RTN_LOCAL: out through lo (dev_out = net->loopback_dev); the route's input is
        // ip_local_deliver, used when lo hands the packet back (rt_dst_alloc for RTN_LOCAL).
        NetDevice* lo = host.loopback_dev();
        auto rt = std::make_shared<Rtable>();
        rt->dev = lo;
        rt->mtu = lo->mtu;
        rt->rt_type = RtnType::Local;
        rt->input = Rtable::Input::LocalDeliver;
        rt->spec_dst = fl4.daddr;
        if (fl4.saddr.is_any()) fl4.saddr = res->prefsrc.is_any() ? fl4.daddr : res->prefsrc;
        scope.ret(0);
        return rt;
    }
    auto rt = std::make_shared<Rtable>();
    rt->dev = res->dev;
    rt->mtu = res->dev->mtu;
    rt->rt_type = res->type;
    rt->rt_gw4 = res->gw;
    if (fl4.saddr.is_any()) {
        if (!res->prefsrc.is_any()) fl4.saddr = res->prefsrc;
        else fl4.saddr = inet_select_addr(host, res->dev, res->gw ? *res->gw : fl4.daddr);
    }
    scope.ret(0);
    return rt;
}

std::shared_ptr<Rtable> ip_route_output_flow(Host& host, Flowi4& fl4, int* err) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_route_output_flow, nullptr, fl4.daddr.value);
    auto rt = ip_route_output_key_hash(host, fl4, err);
    scope.ret(*err);
    return rt;
}

std::shared_ptr<Rtable> ip_route_output_key(Host& host, Flowi4& fl4, int* err) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_route_output_key, nullptr, fl4.daddr.value);
    auto rt = ip_route_output_flow(host, fl4, err);
    scope.ret(*err);
    return rt;
}

static int ip_route_input_slow(Host& host, SkBuff* skb, Ipv4Addr daddr, Ipv4Addr saddr, NetDevice* dev) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_route_input_slow, skb, daddr.value);
    auto rt = std::make_shared<Rtable>();
    rt->dev = dev;
    rt->mtu = dev ? dev->mtu : 1500;
    // Martian source: multicast or limited broadcast.
    if (saddr.is_multicast() || saddr.is_broadcast()) {
        host.note("martian source " + saddr.to_string(), Layer::Ipv4, skb);
        scope.ret(-EINVAL);
        return -EINVAL;
    }
    auto local_input = [&](RtnType type) {
        rt->rt_type = type;
        rt->input = Rtable::Input::LocalDeliver;
        rt->spec_dst = host.is_local_addr(daddr) ? daddr : inet_select_addr(host, dev, saddr);
    };
    auto no_route = [&](int err) {
        rt->rt_type = RtnType::Unreachable;
        rt->input = Rtable::Input::Error;
        rt->error = -err;
    };
    if (daddr.is_broadcast()) {
        local_input(RtnType::Broadcast); // brd_input
    } else if (const FibRoute* res = fib_lookup(host, daddr); !res) {
        no_route(host.ip_forward_enabled ? -ENETUNREACH : -EHOSTUNREACH);
    } else if (res->type == RtnType::Broadcast || res->type == RtnType::Local) {
        local_input(res->type);
    } else if (!host.ip_forward_enabled) {
        no_route(-EHOSTUNREACH);
    } else {
        // ip_mkroute_input: a forwarding route out of res->dev
        rt->rt_type = RtnType::Unicast;
        rt->input = Rtable::Input::Forward;
        rt->dev = res->dev;
        rt->mtu = res->dev->mtu;
        rt->rt_gw4 = res->gw;
    }
    skb->dst = rt;
    scope.ret(0);
    return 0;
}

int ip_route_input_noref(Host& host, SkBuff* skb, Ipv4Addr daddr, Ipv4Addr saddr, NetDevice* dev) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_route_input_noref, skb, daddr.value);
    int err = ip_route_input_slow(host, skb, daddr, saddr, dev);
    scope.ret(err);
    return err;
}

} // namespace skbscope
