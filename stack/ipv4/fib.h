// The IPv4 forwarding information base (net/ipv4/fib_frontend.c, fib_trie.c): the local table
// (our addresses, broadcast addresses) and the main table (connected routes from addresses, static
// routes, the default route), looked up by longest prefix match, local table first.
// SIMPLIFICATION: a sorted list instead of the LC-trie; no metrics, no multipath, no policy rules.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/util/result.h"
#include "core/wire/addr.h"

namespace skbscope {

class NetDevice;

enum class RtnType : uint8_t { Unicast, Local, Broadcast, Unreachable }; // RTN_*

struct FibRoute {
    wire::Ipv4Addr dst; // network (masked)
    int prefix_len = 0;
    std::optional<wire::Ipv4Addr> gw; // nexthop gateway; none = on-link (scope link)
    NetDevice* dev = nullptr;
    RtnType type = RtnType::Unicast;
    wire::Ipv4Addr prefsrc; // preferred source (connected routes: the address); 0 = none
    bool local_table = false;
    // "192.168.2.0/24 via 192.168.1.1 dev eth0", as `ip route` prints it.
    std::string to_string() const;
};

class Fib {
public:
    // Adds a route; an error when the same prefix is already in the same table.
    Result<void> add(FibRoute r);
    // fib_lookup: the local table, then the main table; longest prefix wins, the earliest added on a tie.
    const FibRoute* lookup(wire::Ipv4Addr daddr) const;
    const std::vector<FibRoute>& routes() const { return m_routes; }

private:
    std::vector<FibRoute> m_routes;
};

} // namespace skbscope
