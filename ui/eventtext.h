// Text for trace events, shared by every panel: times in µs, the name column (indented by depth,
// with an arrow for enter/exit), the details column built from the kind and its arguments (see the
// kinds/args table in core/trace/trace.h), plain-words sentences for students, and event specs
// (the other direction: text that names an event).
#pragma once
#include <QString>

#include <optional>
#include <string_view>

#include "core/trace/trace.h"

namespace skbscope::ui {

class TraceDocument;

inline QString toQString(std::string_view s) {
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

// Virtual ns as µs with ns precision: 12345 -> "12.345".
QString formatTimeUs(TimeNs ns);
// "0xffff888100000040"
QString formatAddress(uint64_t addr);

// "  → ip_rcv" / "  ← ip_rcv" / "skb_push": indented two spaces per depth.
QString eventNameText(const TraceDocument& doc, uint32_t i);
// e.g. "skb_push 20 -> data=0xffff…, len=42", "enqueue qdisc A:eth0 qlen=1", "dropped: NO_SOCKET".
QString eventDetailsText(const Trace& trace, const TraceEvent& e);
// A sentence about what the event is, in plain words (for the function pane and tooltips).
QString eventSentence(const Trace& trace, const TraceEvent& e);
// Status bar: "event 12 of 340, t = 1.234 µs — A, ping (pid 100)".
QString cursorStatusText(const TraceDocument& doc, int index);

// Event specs, as `skbscope --goto SPEC` and lessons name an event: a sequence number ("120") or
// the N-th entry of a kernel function ("ip_rcv#1", 1-based; "ip_rcv" alone means "#1"). Returns
// the event index, or nullopt with *error saying why.
std::optional<int> resolveEventSpec(const TraceDocument& doc, const QString& spec, QString* error);

} // namespace skbscope::ui
