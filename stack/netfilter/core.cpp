// Netfilter's hook entry (net/netfilter/core.c, include/linux/netfilter.h).
// SIMPLIFICATION: no rules are registered yet, so nf_hook_slow never runs and every hook accepts.
#include "stack/host.h"
#include "stack/netfilter/netfilter.h"

namespace skbscope {

int nf_hook(Host& host, int hook, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), NF_HOOK, skb, hook);
    scope.ret(1);
    return 1; // NF_ACCEPT: the caller continues with okfn
}

} // namespace skbscope
