// Netfilter hooks (include/linux/netfilter.h): NF_HOOK runs the hook's rules and, on ACCEPT, calls
// okfn. Traced as an NF_HOOK slice whose first argument (a0) is the hook number. A host's rules
// (NfRule, the scenario's `netfilter:` list) stand in for iptables' filter chains.
// SIMPLIFICATION: a flat rule list per host (protocol, addresses with prefix, ports; ACCEPT or DROP;
// first match wins, default ACCEPT), no tables, targets other than ACCEPT/DROP, or conntrack.
#pragma once
#include <optional>
#include <string>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"
#include "core/wire/addr.h"

namespace skbscope {

class Host;

// enum nf_inet_hooks
enum NfInetHook : int {
    NF_INET_PRE_ROUTING = 0,
    NF_INET_LOCAL_IN = 1,
    NF_INET_FORWARD = 2,
    NF_INET_LOCAL_OUT = 3,
    NF_INET_POST_ROUTING = 4,
};
// "PRE_ROUTING", ... (iptables' chain names are PREROUTING, INPUT, ...: see nf_chain_name).
const char* nf_hook_name(int hook);
// iptables' chain for the hook: PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING.
const char* nf_chain_name(int hook);
// The hook for "PRE_ROUTING" ... "POST_ROUTING"; nullopt otherwise.
std::optional<int> nf_hook_from_name(const std::string& name);

// One rule: unset fields match anything. proto is the IP protocol number (0: any).
struct NfRule {
    int hook = NF_INET_PRE_ROUTING;
    uint8_t proto = 0;
    std::optional<wire::Ipv4Addr> src, dst;
    int src_prefix = 32, dst_prefix = 32;
    std::optional<uint16_t> sport, dport;
    bool drop = true; // DROP, else ACCEPT
    // "iptables -A FORWARD -p udp -d 192.168.2.0/24 --dport 9000 -j DROP"
    std::string to_string() const;
};

// nf_hook: the verdict (1 = accept, as Linux's nf_hook returns); on DROP the skb is freed with
// NETFILTER_DROP and -EPERM returned. Traced as NF_HOOK; nf_hook_slow runs only when the host has a
// rule at this hook (as Linux calls it only when hook entries are registered).
int nf_hook(Host& host, int hook, SkBuff* skb);
// The verdict alone, for NF_HOOK (host found from skb->dev's kernel; no host: accept).
int nf_hook_verdict(Sim& sim, int hook, SkBuff* skb);

// NF_HOOK(NFPROTO_IPV4, hook, ..., okfn): the slice encloses okfn, so the timeline shows
// NF_HOOK(POST_ROUTING) -> ip_finish_output.
template <typename OkFn> int NF_HOOK(Sim& sim, int hook, SkBuff* skb, OkFn&& okfn) {
    TRACE_FUNC_NAMED(scope, sim, NF_HOOK, skb, hook);
    int ret = nf_hook_verdict(sim, hook, skb);
    if (ret == 1) ret = okfn(skb);
    scope.ret(ret);
    return ret;
}

} // namespace skbscope
