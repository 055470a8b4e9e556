// Pure queries over a recorded Trace, shared by the CLI and the GUI: the call tree of one user call,
// a packet's journey across hosts and contexts, a summary of the whole trace, and the matching of
// function enters and exits (call stacks). Each query returns plain data; a render_* function turns
// it into the text the CLI prints and the golden tests diff. Queries accept any trace that passed
// Trace::validate(): unbalanced enters and exits (a cut trace) give partial answers, never a crash.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope {

constexpr size_t kNoEvent = static_cast<size_t>(-1);

// ---- (d) matching enters and exits ----
// One pass over the trace: for every event its enclosing call, and for every enter/exit its partner.
// An exit closes the innermost open call of its name in its context (calls left open above it are
// closed with it, as a cut trace needs).
class CallIndex {
  public:
    explicit CallIndex(const Trace& t);
    // The FuncExit of a FuncEnter or the FuncEnter of a FuncExit; kNoEvent when there is none.
    size_t partner(size_t i) const { return i < m_partner.size() ? widen(m_partner[i]) : kNoEvent; }
    // The FuncEnter of the call that event i happens inside (for an enter: its caller).
    size_t parent(size_t i) const { return i < m_parent.size() ? widen(m_parent[i]) : kNoEvent; }
    // The calls open at event i, outermost first, as FuncEnter indices. At an enter or exit the
    // call itself is the innermost frame.
    std::vector<size_t> stack_at(size_t i) const;

  private:
    static size_t widen(uint32_t v) { return v == 0xffffffffu ? kNoEvent : v; }
    std::vector<uint32_t> m_partner;
    std::vector<uint32_t> m_parent;
    std::vector<uint8_t> m_call; // 1 = enter, 2 = exit, 0 = other
};
// The same for a single lookup, without building an index (a scan from i).
size_t matching_exit(const Trace& t, size_t enter);
size_t matching_enter(const Trace& t, size_t exit);

// One line about any event, e.g. "skb_push skb#3 +14: data=50 len=42", "wire A:eth0 <-> R:eth0
// port 0, 42 bytes: ARP 42 Who has 192.168.1.1? Tell 192.168.1.100", "drop SKB_DROP_REASON_NO_SOCKET".
std::string describe_event(const Trace& t, size_t i);

// ---- (a) the call tree of one call ----
struct CallNode {
    size_t enter = kNoEvent;
    size_t exit = kNoEvent;         // kNoEvent when the call never returned in the trace
    std::vector<CallNode> children; // nested calls, in order
    std::vector<size_t> events;     // non-function events directly inside this call, in order
};
// Nesting deeper than this is folded into the deepest node's events (a guard against hostile files).
constexpr size_t kMaxCallTreeDepth = 512;

// Calls of function `name` made on host `host`: by default user-layer calls in task contexts
// (a program's sendto), else any call of that name in any context of the host (ip_rcv). Sorted.
std::vector<size_t> find_calls(const Trace& t, std::string_view host, std::string_view name, bool user_only);

// The index-th call (0-based) of name on host, with everything nested in it. Errors name what is
// missing: "no host 'C' (hosts: A, R, B)", "host A never called 'recvfrom' (its user calls: socket,
// sendto)", "host A called sendto 1 time; --index 3 is out of range".
Result<CallNode> call_tree(const Trace& t, std::string_view host, std::string_view name, size_t index);
// The tree under one FuncEnter.
CallNode call_tree_at(const Trace& t, size_t enter);

struct CallTreeOptions {
    bool events = true;   // also list the non-function events inside each call
    size_t max_lines = 0; // 0 = all
};
// "sendto  [user, user program]  @1.000 us +2.345 us = 32" with two spaces of indent per level.
std::string render_call_tree(const Trace& t, const CallNode& root, const CallTreeOptions& opts = {});

// ---- (b) a packet's journey ----
struct JourneyHop {
    ContextId ctx = 0;
    std::vector<size_t> events; // this packet's events in this context, in sequence order
};
struct HostSummary {
    std::string host;
    size_t functions = 0;
    uint64_t first_ns = 0, last_ns = 0;
    size_t frames_sent = 0;
    size_t drops = 0;
};
struct PacketJourney {
    uint32_t flow = 0;
    std::vector<JourneyHop> hops;
    std::vector<HostSummary> hosts; // in order of first visit
};
// Error: "no packet 7 in the trace (packets are 1..4)".
Result<PacketJourney> packet_journey(const Trace& t, uint32_t flow);
std::string render_journey(const Trace& t, const PacketJourney& j);

// ---- (c) the whole trace ----
struct TraceInfo {
    size_t events = 0;
    uint64_t duration_ns = 0;
    std::vector<size_t> events_per_context;
    std::vector<size_t> per_kind;  // indexed by EventKind
    std::vector<size_t> per_layer; // indexed by Layer
    struct LinkStats {
        size_t frames = 0;
        uint64_t bytes = 0;
    };
    std::map<std::string, LinkStats> links;
    size_t skbs_allocated = 0, skbs_freed = 0, skbs_live = 0;
    size_t packets = 0; // distinct flow ids
    // drop reason (Linux name) -> function that dropped -> count
    std::map<std::string, std::map<std::string, size_t>> drops;
    size_t drop_count = 0;
    size_t warnings = 0, errors = 0;
};
TraceInfo trace_info(const Trace& t);
std::string render_info(const Trace& t, const TraceInfo& info);

} // namespace skbscope
