// The binary .sktrace file: one Trace, saved and loaded. Little-endian, versioned, every field
// written explicitly (never a memcpy of a struct), so the layout is the one documented below and
// not the compiler's. The reader refuses a wrong, old, new, truncated or inconsistent file with a
// message "<file>: <problem>" and never reads out of bounds, whatever the bytes (a fuzz target
// checks this); a trace it accepts has passed Trace::validate().
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope {

// Layout (all integers little-endian):
//   header   "SKBTRACE" | u32 version | u32 fn_count | 9 x { u64 count, u64 bytes }
//   sections in this order, each exactly `bytes` long:
//     hosts         count x { u32 len, bytes }
//     contexts      count x { u16 host, u8 kind, u8 0, u32 len, bytes }
//     strings       count x { u32 len, bytes }           (the first fn_count are trace points)
//     events        count x 68 bytes: u64 time, u16 ctx, u8 kind, u8 layer, u32 name, u32 skb,
//                   u32 flow, u16 depth, u16 pad, u32 ref, u32 ref2, 4 x i64 a
//     snapshots     count x 48 bytes: u64 head_addr, u32 data tail end len data_len truesize,
//                   u16 mac network transport protocol, u8 users cloned nr_frags dataref, u32 bytes
//     blob_offsets  count x u64 (count >= 1, first is 0)
//     blob_data     count bytes
//     seed          1 x u64
//     scenario      1 x raw bytes (no length prefix: the section's byte count is the length)
// fn_count lets a newer build load a trace recorded with an older trace-point registry: names are
// remapped onto the current registry by their text.
constexpr char kTraceMagic[8] = {'S', 'K', 'B', 'T', 'R', 'A', 'C', 'E'};
constexpr uint32_t kTraceFormatVersion = 1;
constexpr size_t kTraceHeaderBytes = 8 + 4 + 4 + 9 * 16;
constexpr size_t kEventRecordBytes = 68;
constexpr size_t kSnapshotRecordBytes = 48;

// The file's bytes, deterministic: the same Trace gives the same bytes.
std::vector<uint8_t> trace_to_bytes(const Trace& trace);

// Writes the trace to path (through a temporary file renamed into place, so a failed save never
// leaves half a file under the real name). Errors read "<path>: <problem>".
Result<void> save_trace(const Trace& trace, const std::string& path);

// Reads and checks a trace file. Errors read "<path>: <problem>", e.g.
//   "t.sktrace: not a skbscope trace (bad magic)"
//   "t.sktrace: format version 2, this build reads 1"
//   "t.sktrace: truncated: section events needs 6800 bytes, 1200 left"
Result<Trace> load_trace(const std::string& path);

// The same from memory; name stands for the file in messages (the fuzz target's entry point).
Result<Trace> load_trace_bytes(std::span<const uint8_t> bytes, const std::string& name);

} // namespace skbscope
