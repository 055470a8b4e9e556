// The trace: what one simulation run recorded. Plain data, read by the exporters, the CLI and the
// GUI (through its TraceModel); written by the Recorder; saved and loaded by trace_file.
//
// Each TraceEvent is a small fixed record (Perfetto-like): virtual time, the context (track) it
// happened in, kind, layer, an interned name, the sk_buff and packet (flow) it concerns, nesting
// depth, four typed arguments and two references into side tables (strings, skb snapshots, blobs).
// What a0..a3 and ref/ref2 mean depends on the kind; see the table below.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time/scheduler.h"
#include "core/trace/tracepoints.h"

namespace skbscope {

using HostId = uint16_t;
using StrId = uint32_t;
constexpr uint32_t kNoRef = 0xffffffffu;

// kind           name              a0          a1          a2          a3         ref          ref2
// FuncEnter      function (Fn)     arg         arg         -           -          note str     - (pcap_dump: blob, the frame)
// FuncExit       function (Fn)     return      -           -           -          -            -
// SkbAlloc       allocator fn      size        truesize    -           -          snapshot     -
// SkbFree        freeing fn        DropReason  -           -           -          snapshot     -
// SkbPtr         op (skb_push...)  delta       -           -           -          snapshot     -
// Queue          queue kind        QueueOp     qlen        bytes       -          instance str -
// Ring           ring name         next_to_use next_to_clean head reg  tail reg   dev str      blob (states)
// Reg            register name     value       RegAccess   offset      -          device str   -
// Dma            purpose           bus addr    length      DmaDir      -          device str   blob (bytes)
// Irq            cause/line        IrqOp       ICR causes  IMS         -          device str   -
// Timer          timer name        TimerOp     expires     -           -          owner str    -
// TcpState       "tcp_set_state"   old state   new state   -           -          socket str   -
// Counter        counter name      value       -           -           -          owner str    -
// Wire           link name         length      port(0/1)   arrival ns  WireFate   link str     blob (frame)
// Note           -                 -           -           -           -          text         -
// Warning/Error  -                 -           -           -           -          text         -
// Syscall/task state changes are Notes; CPU registers (rax) are Reg events on device "cpu".
enum class EventKind : uint8_t {
    FuncEnter,
    FuncExit,
    SkbAlloc,
    SkbFree,
    SkbPtr,
    Queue,
    Ring,
    Reg,
    Dma,
    Irq,
    Timer,
    TcpState,
    Counter,
    Wire,
    Note,
    Warning,
    Error,
    Count_
};
std::string_view event_kind_name(EventKind k);

enum class QueueOp : uint8_t { Enqueue, Dequeue, Drop, Purge, Requeue };
enum class RegAccess : uint8_t { Read, Write };
enum class DmaDir : uint8_t { ToDevice, FromDevice };
enum class IrqOp : uint8_t { Raise, Coalesce, Mask, Unmask, Deliver, Lower };
enum class TimerOp : uint8_t { Arm, Fire, Cancel };
std::string_view queue_op_name(QueueOp op);
std::string_view irq_op_name(IrqOp op);
std::string_view timer_op_name(TimerOp op);
// What the link did with a frame (Wire a3): delivered; lost (never arrives: a LINK_LOSS Note says
// why); corrupted (arrives with a flipped byte, the receiver's CRC check discards it: LINK_CORRUPT);
// a duplicate copy the link made (arrives, was never sent); delivered late (held back: reordered).
enum class WireFate : uint8_t { Delivered = 0, Lost = 1, Corrupted = 2, Duplicate = 3, Reordered = 4 };
std::string_view wire_fate_name(WireFate f); // "delivered", "lost", "corrupted", "duplicate", "reordered"
// True when the other end receives the frame (Delivered, Duplicate, Reordered).
inline bool wire_fate_arrives(int64_t a3) { return a3 == 0 || a3 == 3 || a3 == 4; }

struct TraceEvent {
    TimeNs time = 0;
    ContextId ctx = 0;
    EventKind kind = EventKind::Note;
    Layer layer = Layer::Lab;
    StrId name = 0;
    uint32_t skb = 0;  // sk_buff id, 0 = none
    uint32_t flow = 0; // packet id, 0 = none
    uint16_t depth = 0;
    uint16_t pad = 0;
    uint32_t ref = kNoRef;
    uint32_t ref2 = kNoRef;
    int64_t a[4] = {0, 0, 0, 0};
};

enum class ContextKind : uint8_t { Task, Softirq, Hardirq, Nic, Link, Lab };
std::string_view context_kind_name(ContextKind k);

struct ContextInfo {
    HostId host = 0;
    ContextKind kind = ContextKind::Lab;
    std::string name; // "ping (pid 100)", "softirq", "hardirq", "eth0 NIC", "A:eth0 <-> R:eth0"
};

// An sk_buff's geometry at one moment: what the sk_buff diagram draws. Offsets are from head;
// 0xffff marks an unset header offset, as Linux's (typeof)~0U.
struct SkbSnapshot {
    uint64_t head_addr = 0;
    uint32_t data = 0, tail = 0, end = 0;
    uint32_t len = 0, data_len = 0, truesize = 0;
    uint16_t mac_header = 0xffff, network_header = 0xffff, transport_header = 0xffff;
    uint16_t protocol = 0;
    uint8_t users = 1, cloned = 0, nr_frags = 0, dataref = 1;
    uint32_t bytes = kNoRef; // blob: bytes from head+data, up to kSnapshotBytes
};
constexpr uint32_t kSnapshotBytes = 256;

struct Trace {
    std::vector<std::string> hosts;
    std::vector<ContextInfo> contexts;
    std::vector<std::string> strings; // ids 0..kFnCount-1 are the trace points
    std::vector<TraceEvent> events;
    std::vector<SkbSnapshot> snapshots;
    std::vector<uint64_t> blob_offsets; // blob i = blob_data[off[i], off[i+1])
    std::vector<uint8_t> blob_data;
    uint64_t seed = 0;
    std::string scenario; // the scenario file's name, for the header of reports

    Trace();
    std::string_view str(StrId id) const {
        return id < strings.size() ? std::string_view(strings[id]) : std::string_view("?");
    }
    size_t blob_count() const { return blob_offsets.empty() ? 0 : blob_offsets.size() - 1; }
    std::span<const uint8_t> blob(uint32_t id) const;
    const SkbSnapshot* snapshot(uint32_t id) const { return id < snapshots.size() ? &snapshots[id] : nullptr; }
    std::string_view host_name(HostId h) const {
        return h < hosts.size() ? std::string_view(hosts[h]) : std::string_view("?");
    }
    std::string_view event_name(const TraceEvent& e) const { return str(e.name); }
    // The trace point of a Func/Skb event when its name is a Fn.
    bool is_fn(StrId name) const { return name < kFnCount; }
    // Checks every reference in every event (context, name, snapshot, blob). The reader calls it so
    // that nothing downstream can index out of bounds; returns "" or the first problem found.
    std::string validate() const;
};

} // namespace skbscope
