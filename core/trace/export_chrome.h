// Chrome / Perfetto trace JSON export ({"traceEvents":[...],"displayTimeUnit":"ns"}), which the
// Perfetto UI and chrome://tracing open. A host is a process, an execution context a thread;
// function calls are B/E slices (strictly nested per thread; calls still open at the end of the
// trace are closed there), counters are "C" tracks, every other event an instant with its fields
// as args, and each packet (flow) gets flow arrows joining its first slice in every context it
// visits, so Perfetto draws the packet's way across hosts. Links and the lab are pseudo-processes.
// Times are virtual: ts is in microseconds with exactly three decimals (the ns).
#pragma once
#include <ostream>
#include <string>

#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope {

void write_chrome_json(const Trace& t, std::ostream& out);
// Errors read "<path>: <problem>".
Result<void> export_chrome(const Trace& t, const std::string& path);

} // namespace skbscope
