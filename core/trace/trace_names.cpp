// Names and formats shared by the exporters, the queries and the CLI.
#include "core/trace/trace_names.h"

#include <cstdio>

namespace skbscope {

std::string_view context_host_name(const Trace& t, ContextId ctx) {
    if (ctx >= t.contexts.size()) return "?";
    const ContextInfo& c = t.contexts[ctx];
    if (c.kind == ContextKind::Lab) return "lab";
    return t.host_name(c.host);
}

std::string_view context_name(const Trace& t, ContextId ctx) {
    return ctx < t.contexts.size() ? std::string_view(t.contexts[ctx].name) : std::string_view("?");
}

std::string drop_reason_linux_name(int64_t reason) {
    if (reason == static_cast<int64_t>(DropReason::NotDropped)) return "SKB_CONSUMED";
    if (reason < 0 || reason >= static_cast<int64_t>(kDropReasonCount)) return "SKB_DROP_REASON_?";
    return "SKB_DROP_REASON_" + std::string(drop_reason_name(static_cast<DropReason>(reason)));
}

std::string_view tcp_state_name(int64_t state) {
    static constexpr std::string_view names[] = {"?",
                                                 "TCP_ESTABLISHED",
                                                 "TCP_SYN_SENT",
                                                 "TCP_SYN_RECV",
                                                 "TCP_FIN_WAIT1",
                                                 "TCP_FIN_WAIT2",
                                                 "TCP_TIME_WAIT",
                                                 "TCP_CLOSE",
                                                 "TCP_CLOSE_WAIT",
                                                 "TCP_LAST_ACK",
                                                 "TCP_LISTEN",
                                                 "TCP_CLOSING",
                                                 "TCP_NEW_SYN_RECV"};
    return state > 0 && state < static_cast<int64_t>(std::size(names)) ? names[state] : names[0];
}

std::string_view event_source_file(const Trace& t, const TraceEvent& e) {
    bool fn_kind = e.kind == EventKind::FuncEnter || e.kind == EventKind::FuncExit ||
                   e.kind == EventKind::SkbAlloc || e.kind == EventKind::SkbFree;
    if (!fn_kind || !t.is_fn(e.name)) return {};
    return fn_info(static_cast<Fn>(e.name)).source_file;
}

std::string format_time(uint64_t ns) {
    char buf[48];
    if (ns < 1000)
        std::snprintf(buf, sizeof buf, "%llu ns", static_cast<unsigned long long>(ns));
    else if (ns < 1000000)
        std::snprintf(buf, sizeof buf, "%llu.%03llu us", static_cast<unsigned long long>(ns / 1000),
                      static_cast<unsigned long long>(ns % 1000));
    else
        std::snprintf(buf, sizeof buf, "%llu.%06llu ms", static_cast<unsigned long long>(ns / 1000000),
                      static_cast<unsigned long long>(ns % 1000000));
    return buf;
}

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace skbscope
