// Netfilter's hook entry (net/netfilter/core.c, include/linux/netfilter.h): nf_hook runs
// nf_hook_slow when the host has rules at the hook; nf_hook_slow walks them in order (first match
// wins, default ACCEPT) and frees a dropped skb with SKB_DROP_REASON_NETFILTER_DROP.
// LINUX: a DROP verdict makes nf_hook return -EPERM (what sendto returns for an OUTPUT drop); port
// matches never match a non-first fragment (no transport header), as xt_tcpudp's.
#include <cerrno>

#include "core/wire/ipv4.h"
#include "stack/host.h"
#include "stack/netfilter/netfilter.h"

namespace skbscope {

namespace {
const char* const kHookNames[] = {"PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING"};
const char* const kChainNames[] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};

std::string proto_name(uint8_t p) {
    switch (p) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    default: return std::to_string(p);
    }
}

bool rule_matches(const NfRule& r, const SkBuff* skb) {
    if (skb->network_header == kHdrUnset) return false;
    const uint8_t* iph = skb->network_ptr();
    uint8_t proto = iph[9];
    if (r.proto && r.proto != proto) return false;
    auto saddr = wire::Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4));
    auto daddr = wire::Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4));
    if (r.src && saddr.masked(r.src_prefix) != r.src->masked(r.src_prefix)) return false;
    if (r.dst && daddr.masked(r.dst_prefix) != r.dst->masked(r.dst_prefix)) return false;
    if (r.sport || r.dport) {
        if (proto != 6 && proto != 17) return false;
        uint16_t frag_off = static_cast<uint16_t>((iph[6] << 8) | iph[7]);
        if (frag_off & wire::IP_OFFSET) return false;
        const uint8_t* th = iph + (iph[0] & 0xf) * 4u;
        if (th + 4 > skb->head_ptr() + skb->tail) return false;
        uint16_t sport = static_cast<uint16_t>((th[0] << 8) | th[1]);
        uint16_t dport = static_cast<uint16_t>((th[2] << 8) | th[3]);
        if (r.sport && *r.sport != sport) return false;
        if (r.dport && *r.dport != dport) return false;
    }
    return true;
}

// nf_hook_slow: 1 (NF_ACCEPT: continue with okfn) or -EPERM (NF_DROP: skb freed).
int nf_hook_slow(Host& host, int hook, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), nf_hook_slow, skb, hook);
    for (const NfRule& r : host.nf_rules) {
        if (r.hook != hook || !rule_matches(r, skb)) continue;
        host.note(r.to_string() + " matched", Layer::Netfilter, skb);
        if (r.drop) {
            kfree_skb_reason(skb, DropReason::NetfilterDrop);
            scope.ret(-EPERM);
            return -EPERM;
        }
        break;
    }
    scope.ret(1);
    return 1;
}

int run_hook(Host& host, int hook, SkBuff* skb) {
    for (const NfRule& r : host.nf_rules)
        if (r.hook == hook) return nf_hook_slow(host, hook, skb);
    return 1;
}
} // namespace

const char* nf_hook_name(int hook) { return hook >= 0 && hook < 5 ? kHookNames[hook] : "?"; }
const char* nf_chain_name(int hook) { return hook >= 0 && hook < 5 ? kChainNames[hook] : "?"; }

std::optional<int> nf_hook_from_name(const std::string& name) {
    for (int i = 0; i < 5; ++i)
        if (name == kHookNames[i]) return i;
    return std::nullopt;
}

std::string NfRule::to_string() const {
    std::string s = std::string("iptables -A ") + nf_chain_name(hook);
    if (proto) s += " -p " + proto_name(proto);
    if (src) s += " -s " + src->to_string() + (src_prefix == 32 ? "" : "/" + std::to_string(src_prefix));
    if (dst) s += " -d " + dst->to_string() + (dst_prefix == 32 ? "" : "/" + std::to_string(dst_prefix));
    if (sport) s += " --sport " + std::to_string(*sport);
    if (dport) s += " --dport " + std::to_string(*dport);
    s += drop ? " -j DROP" : " -j ACCEPT";
    return s;
}

int nf_hook(Host& host, int hook, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), NF_HOOK, skb, hook);
    int ret = run_hook(host, hook, skb);
    scope.ret(ret);
    return ret;
}

int nf_hook_verdict(Sim&, int hook, SkBuff* skb) {
    Host* host = skb->dev ? dynamic_cast<Host*>(skb->dev->kernel) : nullptr;
    if (!host) return 1;
    return run_hook(*host, hook, skb);
}

} // namespace skbscope
