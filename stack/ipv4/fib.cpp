// The FIB's tables and longest-prefix match (net/ipv4/fib_frontend.c, fib_trie.c's fib_table_lookup).
// SIMPLIFICATION: a linear scan over a short list; the local table is searched before main, as the
// default rules (local 0, main 32766) order them.
#include "stack/ipv4/fib.h"

#include "core/netdev/netdevice.h"

namespace skbscope {

std::string FibRoute::to_string() const {
    std::string s;
    if (type == RtnType::Local) s = "local ";
    else if (type == RtnType::Broadcast) s = "broadcast ";
    s += (prefix_len == 0 && !local_table) ? std::string("default") : dst.to_string() + "/" + std::to_string(prefix_len);
    if (gw) s += " via " + gw->to_string();
    if (dev) s += " dev " + dev->name;
    if (!gw && type == RtnType::Unicast) s += " proto kernel scope link";
    if (!prefsrc.is_any()) s += " src " + prefsrc.to_string();
    return s;
}

Result<void> Fib::add(FibRoute r) {
    r.dst = r.dst.masked(r.prefix_len);
    for (const auto& e : m_routes)
        if (e.local_table == r.local_table && e.dst == r.dst && e.prefix_len == r.prefix_len)
            return make_error("route " + r.to_string() + " exists (EEXIST)");
    m_routes.push_back(std::move(r));
    return {};
}

const FibRoute* Fib::lookup(wire::Ipv4Addr daddr) const {
    for (int table = 0; table < 2; ++table) {
        const FibRoute* best = nullptr;
        for (const auto& r : m_routes) {
            if (r.local_table != (table == 0)) continue;
            if (!daddr.in_subnet(r.dst, r.prefix_len)) continue;
            if (!best || r.prefix_len > best->prefix_len) best = &r;
        }
        if (best) return best;
    }
    return nullptr;
}

} // namespace skbscope
