// JSON Lines export: one event per line, every id resolved to its name, for jq, pandas and diff.
//   {"seq":12,"t_ns":1530,"host":"A","ctx":"ping (pid 100)","ctx_kind":"task","kind":"enter",
//    "layer":"udp","name":"udp_sendmsg","skb":0,"flow":0,"depth":9,"file":"net/ipv4/udp.c",...}
// The kind-specific fields follow the table in trace.h under readable names (see the .cpp).
#pragma once
#include <ostream>
#include <string>

#include "core/trace/json_out.h"
#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope {

// Appends the fields that depend on e's kind (JSONL lines and Chrome "args" share them).
void append_event_fields(const Trace& t, const TraceEvent& e, json::Object& o);

void write_jsonl(const Trace& t, std::ostream& out);
// Errors read "<path>: <problem>".
Result<void> export_jsonl(const Trace& t, const std::string& path);

} // namespace skbscope
