// TraceDocument: index building (core's CallIndex for calls, one more pass for the context and packet
// links) and the small queries the cursor and the panels ask. A trace that ends with functions still
// open leaves those events unmatched (kNone) rather than failing: the viewer shows what a file holds.
#include "ui/tracedocument.h"

#include <algorithm>
#include <unordered_map>

namespace skbscope::ui {

std::shared_ptr<const TraceDocument> TraceDocument::build(Trace trace, std::string sourceName) {
    std::shared_ptr<TraceDocument> doc(new TraceDocument());
    doc->m_trace = std::move(trace);
    doc->m_sourceName = std::move(sourceName);
    doc->buildIndexes();
    return doc;
}

void TraceDocument::buildIndexes() {
    m_calls.emplace(m_trace);
    const uint32_t n = eventCount();
    m_nextCtx.assign(n, kNone);
    m_prevCtx.assign(n, kNone);
    m_nextFlow.assign(n, kNone);
    m_prevFlow.assign(n, kNone);

    size_t contextCount = m_trace.contexts.size();
    for (const TraceEvent& e : m_trace.events)
        contextCount = std::max<size_t>(contextCount, size_t(e.ctx) + 1);
    std::vector<uint32_t> lastInContext(contextCount, kNone);
    std::unordered_map<uint32_t, uint32_t> lastInFlow;

    for (uint32_t i = 0; i < n; ++i) {
        const TraceEvent& e = m_trace.events[i];
        uint32_t& last = lastInContext[e.ctx];
        if (last != kNone) {
            m_nextCtx[last] = i;
            m_prevCtx[i] = last;
        }
        last = i;

        if (e.flow != 0) {
            auto [it, inserted] = lastInFlow.try_emplace(e.flow, i);
            if (!inserted) {
                m_nextFlow[it->second] = i;
                m_prevFlow[i] = it->second;
                it->second = i;
            }
        }
    }
}

uint32_t TraceDocument::frameOf(uint32_t i) const {
    if (!isValid(i)) return kNone;
    const TraceEvent& e = event(i);
    if (e.kind == EventKind::FuncEnter) return i;
    if (e.kind == EventKind::FuncExit && matching(i) != kNone) return matching(i);
    return parent(i);
}

std::vector<uint32_t> TraceDocument::callStack(uint32_t i) const {
    std::vector<uint32_t> frames;
    for (uint32_t f = frameOf(i); f != kNone; f = parent(f))
        frames.push_back(f);
    return frames;
}

std::optional<Fn> TraceDocument::functionOf(uint32_t i) const {
    if (!isValid(i)) return std::nullopt;
    const TraceEvent& e = event(i);
    switch (e.kind) {
    case EventKind::FuncEnter:
    case EventKind::FuncExit:
    case EventKind::SkbAlloc:
    case EventKind::SkbFree:
        if (m_trace.is_fn(e.name)) return static_cast<Fn>(e.name);
        return std::nullopt;
    default:
        return std::nullopt;
    }
}

std::optional<uint32_t> TraceDocument::findFunctionEnter(std::string_view function, int n) const {
    const std::optional<Fn> fn = fn_from_name(function);
    if (!fn || n < 1) return std::nullopt;
    const auto id = static_cast<StrId>(*fn);
    int seen = 0;
    for (uint32_t i = 0; i < eventCount(); ++i) {
        const TraceEvent& e = event(i);
        if (e.kind == EventKind::FuncEnter && e.name == id && ++seen == n) return i;
    }
    return std::nullopt;
}

std::string_view TraceDocument::hostName(const TraceEvent& e) const {
    if (e.ctx >= m_trace.contexts.size()) return "?";
    const ContextInfo& c = m_trace.contexts[e.ctx];
    if (c.kind == ContextKind::Lab) return "lab";
    return m_trace.host_name(c.host);
}

std::string_view TraceDocument::contextName(const TraceEvent& e) const {
    if (e.ctx >= m_trace.contexts.size()) return "?";
    return m_trace.contexts[e.ctx].name;
}

} // namespace skbscope::ui
