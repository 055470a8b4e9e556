// Netfilter hooks (include/linux/netfilter.h): NF_HOOK runs the hook's rules and, on ACCEPT, calls
// okfn. Traced as an NF_HOOK slice whose first argument (a0) is the hook number.
// SIMPLIFICATION: no rules yet (a later issue): every hook accepts.
#pragma once
#include "core/skb/skbuff.h"
#include "core/time/sim.h"

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

// nf_hook: the verdict alone (1 = accept, as Linux's nf_hook returns); traced as NF_HOOK.
int nf_hook(Host& host, int hook, SkBuff* skb);

// NF_HOOK(NFPROTO_IPV4, hook, ..., okfn): the slice encloses okfn, so the timeline shows
// NF_HOOK(POST_ROUTING) -> ip_finish_output.
template <typename OkFn> int NF_HOOK(Sim& sim, int hook, SkBuff* skb, OkFn&& okfn) {
    TRACE_FUNC_NAMED(scope, sim, NF_HOOK, skb, hook);
    int ret = okfn(skb); // verdict NF_ACCEPT: no rules are registered
    scope.ret(ret);
    return ret;
}

} // namespace skbscope
