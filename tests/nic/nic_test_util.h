// Small trace queries shared by the nic tests.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/time/sim.h"

namespace skbscope::test {

inline std::vector<const TraceEvent*> events_of(const Sim& sim, EventKind kind) {
    std::vector<const TraceEvent*> out;
    for (const TraceEvent& e : sim.trace().events)
        if (e.kind == kind) out.push_back(&e);
    return out;
}

// Text of Note/Warning/Error events of a kind.
inline std::vector<std::string> texts_of(const Sim& sim, EventKind kind) {
    std::vector<std::string> out;
    for (const TraceEvent* e : events_of(sim, kind))
        out.emplace_back(sim.trace().str(e->ref));
    return out;
}

inline bool any_contains(const std::vector<std::string>& texts, std::string_view needle) {
    for (const auto& t : texts)
        if (t.find(needle) != std::string::npos) return true;
    return false;
}

// The names of FuncEnter events, in order.
inline std::vector<std::string> entered(const Sim& sim) {
    std::vector<std::string> out;
    for (const TraceEvent* e : events_of(sim, EventKind::FuncEnter))
        out.emplace_back(sim.trace().str(e->name));
    return out;
}

// True when `chain` appears in `names` in order (other names may come between).
inline bool in_order(const std::vector<std::string>& names, const std::vector<std::string>& chain) {
    size_t j = 0;
    for (const auto& n : names)
        if (j < chain.size() && n == chain[j]) ++j;
    return j == chain.size();
}

} // namespace skbscope::test
