// Names and formats shared by the exporters, the queries and the CLI: the host a context belongs
// to, Linux's spelling of drop reasons and TCP states, times and hex numbers as reports print them.
// Every function accepts any value (out-of-range ids give "?"), so a report never indexes out of
// bounds even on a trace that only just passed validate().
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/trace/trace.h"

namespace skbscope {

// The context's host name; "lab" for the lab's own context (which belongs to no host).
std::string_view context_host_name(const Trace& t, ContextId ctx);
std::string_view context_name(const Trace& t, ContextId ctx);
// "SKB_DROP_REASON_NEIGH_QUEUEFULL"; "SKB_CONSUMED" for a buffer freed after normal use.
std::string drop_reason_linux_name(int64_t reason);
// include/net/tcp_states.h: 1 = "TCP_ESTABLISHED" ... 11 = "TCP_CLOSING", 12 = "TCP_NEW_SYN_RECV".
std::string_view tcp_state_name(int64_t state);
// The kernel source file of a function event's name, or "" when the name is not a trace point.
std::string_view event_source_file(const Trace& t, const TraceEvent& e);
// "12.345 us" style, exact: ns below 1 us, else us with 3 decimals, ms with 6 decimals from 1 ms.
std::string format_time(uint64_t ns);
// "0x" followed by lowercase hex digits.
std::string hex(uint64_t v);

} // namespace skbscope
