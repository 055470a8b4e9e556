// Trace tables: names of the enums and the reference validation the reader relies on.
#include "core/trace/trace.h"

namespace skbscope {

std::string_view event_kind_name(EventKind k) {
    static constexpr std::string_view names[] = {"enter", "exit",  "skb_alloc", "skb_free", "skb_ptr",
                                                 "queue", "ring",  "reg",       "dma",      "irq",
                                                 "timer", "tcp_state", "counter", "wire",   "note",
                                                 "warning", "error"};
    auto i = static_cast<unsigned>(k);
    return i < std::size(names) ? names[i] : std::string_view("?");
}

std::string_view queue_op_name(QueueOp op) {
    static constexpr std::string_view names[] = {"enqueue", "dequeue", "drop", "purge", "requeue"};
    auto i = static_cast<unsigned>(op);
    return i < std::size(names) ? names[i] : std::string_view("?");
}

std::string_view irq_op_name(IrqOp op) {
    static constexpr std::string_view names[] = {"raise", "coalesce", "mask", "unmask", "deliver", "lower"};
    auto i = static_cast<unsigned>(op);
    return i < std::size(names) ? names[i] : std::string_view("?");
}

std::string_view timer_op_name(TimerOp op) {
    static constexpr std::string_view names[] = {"arm", "fire", "cancel"};
    auto i = static_cast<unsigned>(op);
    return i < std::size(names) ? names[i] : std::string_view("?");
}

std::string_view wire_fate_name(WireFate f) {
    static constexpr std::string_view names[] = {"delivered", "lost", "corrupted", "duplicate", "reordered"};
    auto i = static_cast<unsigned>(f);
    return i < std::size(names) ? names[i] : std::string_view("?");
}

std::string_view context_kind_name(ContextKind k) {
    static constexpr std::string_view names[] = {"task", "softirq", "hardirq", "nic", "link", "lab"};
    auto i = static_cast<unsigned>(k);
    return i < std::size(names) ? names[i] : std::string_view("?");
}

Trace::Trace() {
    strings.reserve(kFnCount + 64);
    for (uint32_t i = 0; i < kFnCount; ++i) strings.emplace_back(fn_info(static_cast<Fn>(i)).name);
    blob_offsets.push_back(0);
}

std::span<const uint8_t> Trace::blob(uint32_t id) const {
    if (id >= blob_count()) return {};
    uint64_t b = blob_offsets[id], e = blob_offsets[id + 1];
    if (b > e || e > blob_data.size()) return {};
    return std::span<const uint8_t>(blob_data.data() + b, e - b);
}

namespace {
bool uses_str_ref(EventKind k) {
    switch (k) {
    case EventKind::FuncEnter:
    case EventKind::Queue:
    case EventKind::Ring:
    case EventKind::Reg:
    case EventKind::Dma:
    case EventKind::Irq:
    case EventKind::Timer:
    case EventKind::TcpState:
    case EventKind::Counter:
    case EventKind::Wire:
    case EventKind::Note:
    case EventKind::Warning:
    case EventKind::Error:
        return true;
    default:
        return false;
    }
}
bool uses_snapshot_ref(EventKind k) {
    return k == EventKind::SkbAlloc || k == EventKind::SkbFree || k == EventKind::SkbPtr;
}
// FuncEnter: pcap_dump keeps the frame it wrote (a tap's capture, core/trace/export_tap.h).
bool uses_blob_ref2(EventKind k) {
    return k == EventKind::Ring || k == EventKind::Dma || k == EventKind::Wire || k == EventKind::FuncEnter;
}
} // namespace

std::string Trace::validate() const {
    if (strings.size() < kFnCount) return "string table is shorter than the trace-point registry";
    for (size_t i = 1; i < blob_offsets.size(); ++i)
        if (blob_offsets[i] < blob_offsets[i - 1] || blob_offsets[i] > blob_data.size())
            return "blob index " + std::to_string(i) + " is out of range";
    for (const auto& c : contexts)
        if (c.host >= hosts.size() && !(c.kind == ContextKind::Lab))
            return "context '" + c.name + "' names host " + std::to_string(c.host) + " of " +
                   std::to_string(hosts.size());
    for (const auto& s : snapshots)
        if (s.bytes != kNoRef && s.bytes >= blob_count()) return "snapshot refers to a missing blob";
    for (size_t i = 0; i < events.size(); ++i) {
        const TraceEvent& e = events[i];
        auto bad = [&](const char* what) { return "event " + std::to_string(i) + ": " + what; };
        if (static_cast<unsigned>(e.kind) >= static_cast<unsigned>(EventKind::Count_)) return bad("unknown kind");
        if (static_cast<unsigned>(e.layer) >= kLayerCount) return bad("unknown layer");
        if (e.ctx >= contexts.size()) return bad("context out of range");
        if (e.name >= strings.size()) return bad("name out of range");
        if (e.ref != kNoRef) {
            if (uses_str_ref(e.kind) && e.ref >= strings.size()) return bad("string reference out of range");
            if (uses_snapshot_ref(e.kind) && e.ref >= snapshots.size()) return bad("snapshot out of range");
        }
        if (e.ref2 != kNoRef && uses_blob_ref2(e.kind) && e.ref2 >= blob_count()) return bad("blob out of range");
    }
    return {};
}

} // namespace skbscope
