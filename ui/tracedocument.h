// TraceDocument: the GUI's narrow, read-only view of one recorded trace. It owns the Trace and the
// indexes every panel needs for navigation (matching enter/exit, enclosing function, next/previous
// event of the same context and of the same packet), built once, off the GUI thread, by build().
// Panels never see a live sk_buff: only these recorded events, snapshots and blobs.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/trace/query.h"
#include "core/trace/trace.h"

namespace skbscope::ui {

class TraceDocument final {
  public:
    static constexpr uint32_t kNone = 0xffffffffu;

    // Takes the trace and builds the indexes: O(events), safe to call on a worker thread. The result
    // is immutable, so any thread may read it afterwards.
    static std::shared_ptr<const TraceDocument> build(Trace trace, std::string sourceName = {});

    const Trace& trace() const { return m_trace; }
    // The file or scenario it came from, for the window title and messages.
    const std::string& sourceName() const { return m_sourceName; }

    uint32_t eventCount() const { return static_cast<uint32_t>(m_trace.events.size()); }
    const TraceEvent& event(uint32_t i) const { return m_trace.events[i]; }
    bool isValid(uint32_t i) const { return i < eventCount(); }

    // For a FuncEnter: its FuncExit; for a FuncExit: its FuncEnter; else (or unmatched) kNone.
    uint32_t matching(uint32_t i) const { return narrow(m_calls->partner(i)); }
    // The FuncEnter of the function open around event i in i's context (for an enter or an exit:
    // the caller's enter), or kNone at the top level.
    uint32_t parent(uint32_t i) const { return narrow(m_calls->parent(i)); }
    uint32_t nextInContext(uint32_t i) const { return m_nextCtx[i]; }
    uint32_t previousInContext(uint32_t i) const { return m_prevCtx[i]; }
    // Next/previous event of the same packet (flow); kNone when i has no packet or none follows.
    uint32_t nextInFlow(uint32_t i) const { return m_nextFlow[i]; }
    uint32_t previousInFlow(uint32_t i) const { return m_prevFlow[i]; }

    // The function frame event i belongs to: i itself for an enter, its enter for an exit, else
    // the enclosing function (kNone at top level).
    uint32_t frameOf(uint32_t i) const;
    // The open frames at event i, innermost first (each a FuncEnter index).
    std::vector<uint32_t> callStack(uint32_t i) const;
    // The trace point of a Func/Skb event whose name is a registered function.
    std::optional<Fn> functionOf(uint32_t i) const;

    // The n-th (1-based) FuncEnter of the named function, or nullopt.
    std::optional<uint32_t> findFunctionEnter(std::string_view function, int n) const;

    std::string_view hostName(const TraceEvent& e) const;
    std::string_view contextName(const TraceEvent& e) const;

  private:
    TraceDocument() = default;
    void buildIndexes();

    Trace m_trace;
    std::string m_sourceName;
    static uint32_t narrow(size_t i) { return i == kNoEvent ? kNone : static_cast<uint32_t>(i); }

    std::optional<CallIndex> m_calls;
    std::vector<uint32_t> m_nextCtx, m_prevCtx;
    std::vector<uint32_t> m_nextFlow, m_prevFlow;
};

using TraceDocumentPtr = std::shared_ptr<const TraceDocument>;

} // namespace skbscope::ui
