// Event text: one function per column or sentence, each a pure function of the recorded event, so
// the table computes its cells lazily and a later panel (timeline tooltips, lessons) reuses them.
// TCP states are spelled as Linux's include/net/tcp_states.h (core's tcp_state_name).
#include "ui/eventtext.h"

#include "core/trace/trace_names.h"
#include "ui/tracedocument.h"

namespace skbscope::ui {

namespace {

QString tcpStateName(int64_t s) {
    return toQString(tcp_state_name(s));
}

QString refStr(const Trace& trace, uint32_t ref) {
    return ref == kNoRef ? QString() : toQString(trace.str(ref));
}

QString hex(uint64_t v) {
    return QStringLiteral("0x") + QString::number(v, 16);
}

// "data=0xffff888100000040, len=42" from an event's snapshot.
QString geometry(const Trace& trace, const TraceEvent& e) {
    const SkbSnapshot* s = e.ref == kNoRef ? nullptr : trace.snapshot(e.ref);
    if (!s) return QString();
    return QStringLiteral("data=%1, len=%2").arg(formatAddress(s->head_addr + s->data)).arg(s->len);
}

DropReason dropReason(const TraceEvent& e) {
    return static_cast<DropReason>(e.a[0]);
}

} // namespace

QString formatTimeUs(TimeNs ns) {
    return QStringLiteral("%1.%2").arg(ns / 1000).arg(ns % 1000, 3, 10, QLatin1Char('0'));
}

QString formatAddress(uint64_t addr) {
    return QStringLiteral("0x%1").arg(addr, 16, 16, QLatin1Char('0'));
}

QString eventNameText(const TraceDocument& doc, uint32_t i) {
    const TraceEvent& e = doc.event(i);
    QString indent(qMin<int>(e.depth, 40) * 2, QLatin1Char(' '));
    switch (e.kind) {
    case EventKind::FuncEnter:
        return indent + QStringLiteral("→ ") + toQString(doc.trace().event_name(e));
    case EventKind::FuncExit:
        return indent + QStringLiteral("← ") + toQString(doc.trace().event_name(e));
    case EventKind::Note:
    case EventKind::Warning:
    case EventKind::Error:
        return indent + toQString(event_kind_name(e.kind)); // the text itself goes to the details column
    default:
        return indent + toQString(doc.trace().event_name(e));
    }
}

QString eventDetailsText(const Trace& trace, const TraceEvent& e) {
    const QString name = toQString(trace.event_name(e));
    switch (e.kind) {
    case EventKind::FuncEnter: {
        QString text;
        if (e.a[0] || e.a[1]) text = QStringLiteral("args %1, %2").arg(e.a[0]).arg(e.a[1]);
        const QString note = refStr(trace, e.ref);
        if (!note.isEmpty()) text += (text.isEmpty() ? QString() : QStringLiteral(" — ")) + note;
        return text;
    }
    case EventKind::FuncExit:
        return QStringLiteral("returns %1").arg(e.a[0]);
    case EventKind::SkbAlloc:
        return QStringLiteral("size %1, truesize %2 -> head=%3")
            .arg(e.a[0])
            .arg(e.a[1])
            .arg(formatAddress(trace.snapshot(e.ref) ? trace.snapshot(e.ref)->head_addr : 0));
    case EventKind::SkbFree: {
        const DropReason r = dropReason(e);
        if (r == DropReason::NotDropped)
            return QStringLiteral("consumed (not a drop), len=%1")
                .arg(trace.snapshot(e.ref) ? trace.snapshot(e.ref)->len : 0);
        return QStringLiteral("dropped: %1").arg(toQString(drop_reason_name(r)));
    }
    case EventKind::SkbPtr:
        return QStringLiteral("%1 %2 -> %3").arg(name).arg(e.a[0]).arg(geometry(trace, e));
    case EventKind::Queue:
        return QStringLiteral("%1 %2 %3 qlen=%4 bytes=%5")
            .arg(toQString(queue_op_name(static_cast<QueueOp>(e.a[0]))), name, refStr(trace, e.ref))
            .arg(e.a[1])
            .arg(e.a[2]);
    case EventKind::Ring:
        return QStringLiteral("%1 %2 next_to_use=%3 next_to_clean=%4 head=%5 tail=%6")
            .arg(refStr(trace, e.ref), name)
            .arg(e.a[0])
            .arg(e.a[1])
            .arg(e.a[2])
            .arg(e.a[3]);
    case EventKind::Reg:
        return QStringLiteral("%1 %2 %3 = %4 (offset %5)")
            .arg(e.a[1] == int64_t(RegAccess::Write) ? QStringLiteral("write") : QStringLiteral("read"),
                 refStr(trace, e.ref), name, hex(uint64_t(e.a[0])), hex(uint64_t(e.a[2])));
    case EventKind::Dma:
        return QStringLiteral("%1: %2 bytes %3 bus %4 (%5)")
            .arg(name)
            .arg(e.a[1])
            .arg(e.a[2] == int64_t(DmaDir::ToDevice) ? QStringLiteral("memory -> device")
                                                     : QStringLiteral("device -> memory"),
                 hex(uint64_t(e.a[0])), refStr(trace, e.ref));
    case EventKind::Irq:
        return QStringLiteral("%1 %2 on %3, ICR=%4 IMS=%5")
            .arg(toQString(irq_op_name(static_cast<IrqOp>(e.a[0]))), name, refStr(trace, e.ref),
                 hex(uint64_t(e.a[1])), hex(uint64_t(e.a[2])));
    case EventKind::Timer:
        return QStringLiteral("%1 %2 (%3), expires at %4 µs")
            .arg(toQString(timer_op_name(static_cast<TimerOp>(e.a[0]))), name, refStr(trace, e.ref),
                 formatTimeUs(TimeNs(e.a[1])));
    case EventKind::TcpState:
        return QStringLiteral("%1: %2 -> %3")
            .arg(refStr(trace, e.ref), tcpStateName(e.a[0]), tcpStateName(e.a[1]));
    case EventKind::Counter:
        return QStringLiteral("%1: %2 = %3").arg(refStr(trace, e.ref), name).arg(e.a[0]);
    case EventKind::Wire:
        return QStringLiteral("%1-byte frame leaves port %2, arrives at %3 µs")
            .arg(e.a[0])
            .arg(e.a[1])
            .arg(formatTimeUs(TimeNs(e.a[2])));
    case EventKind::Note:
    case EventKind::Warning:
    case EventKind::Error:
        return refStr(trace, e.ref);
    case EventKind::Count_:
        break;
    }
    return QString();
}

QString eventSentence(const Trace& trace, const TraceEvent& e) {
    const QString name = toQString(trace.event_name(e));
    switch (e.kind) {
    case EventKind::FuncEnter:
        return QStringLiteral("The kernel calls %1.").arg(name);
    case EventKind::FuncExit:
        return QStringLiteral("%1 returns %2 to its caller.").arg(name).arg(e.a[0]);
    case EventKind::SkbAlloc:
        return QStringLiteral("A new sk_buff is allocated: %1 bytes of buffer.").arg(e.a[0]);
    case EventKind::SkbFree: {
        const DropReason r = dropReason(e);
        if (r == DropReason::NotDropped)
            return QStringLiteral("The sk_buff is freed after normal use (consumed, not a drop).");
        return QStringLiteral("The packet is dropped. Reason SKB_DROP_REASON_%1: %2.")
            .arg(toQString(drop_reason_name(r)), toQString(drop_reason_explanation(r)));
    }
    case EventKind::SkbPtr:
        return QStringLiteral("%1 moves the sk_buff's pointers: %2.").arg(name, geometry(trace, e));
    case EventKind::Queue:
        return QStringLiteral("A packet queue changes (%1 on %2).")
            .arg(toQString(queue_op_name(static_cast<QueueOp>(e.a[0]))), refStr(trace, e.ref));
    case EventKind::Ring:
        return QStringLiteral("The NIC's descriptor ring %1 changes state.").arg(name);
    case EventKind::Reg:
        return QStringLiteral("The driver or device accesses the NIC register %1.").arg(name);
    case EventKind::Dma:
        return QStringLiteral("The NIC's DMA engine copies bytes between memory and the device.");
    case EventKind::Irq:
        return QStringLiteral("Interrupt: %1 (%2).")
            .arg(name, toQString(irq_op_name(static_cast<IrqOp>(e.a[0]))));
    case EventKind::Timer:
        return QStringLiteral("A kernel timer (%1): %2.")
            .arg(name, toQString(timer_op_name(static_cast<TimerOp>(e.a[0]))));
    case EventKind::TcpState:
        return QStringLiteral("The TCP socket changes state from %1 to %2.")
            .arg(tcpStateName(e.a[0]), tcpStateName(e.a[1]));
    case EventKind::Counter:
        return QStringLiteral("A counter is updated: %1 = %2.").arg(name).arg(e.a[0]);
    case EventKind::Wire:
        return QStringLiteral("A %1-byte frame goes onto the link %2.").arg(e.a[0]).arg(name);
    case EventKind::Note:
        return refStr(trace, e.ref);
    case EventKind::Warning:
        return QStringLiteral("Warning: ") + refStr(trace, e.ref);
    case EventKind::Error:
        return QStringLiteral("Error: ") + refStr(trace, e.ref);
    case EventKind::Count_:
        break;
    }
    return QString();
}

QString cursorStatusText(const TraceDocument& doc, int index) {
    if (doc.eventCount() == 0) return QStringLiteral("the trace is empty");
    if (index < 0 || !doc.isValid(uint32_t(index))) return QStringLiteral("%1 events").arg(doc.eventCount());
    const TraceEvent& e = doc.event(uint32_t(index));
    return QStringLiteral("event %1 of %2, t = %3 µs — %4, %5")
        .arg(index)
        .arg(doc.eventCount())
        .arg(formatTimeUs(e.time), toQString(doc.hostName(e)), toQString(doc.contextName(e)));
}

std::optional<int> resolveEventSpec(const TraceDocument& doc, const QString& spec, QString* error) {
    auto fail = [&](const QString& why) -> std::optional<int> {
        if (error) *error = QStringLiteral("--goto %1: %2").arg(spec, why);
        return std::nullopt;
    };
    bool isNumber = false;
    const qlonglong number = spec.toLongLong(&isNumber);
    if (isNumber) {
        if (number < 0 || number >= qlonglong(doc.eventCount()))
            return fail(
                QStringLiteral("no event %1 (the trace has %2 events)").arg(number).arg(doc.eventCount()));
        return int(number);
    }
    const qsizetype hash = spec.indexOf(QLatin1Char('#'));
    const QString function = hash < 0 ? spec : spec.left(hash);
    int n = 1;
    if (hash >= 0) {
        bool ok = false;
        n = spec.mid(hash + 1).toInt(&ok);
        if (!ok || n < 1) return fail(QStringLiteral("expected FUNCTION#N with N >= 1"));
    }
    const std::string name = function.toStdString();
    if (!fn_from_name(name)) return fail(QStringLiteral("'%1' is not a traced function").arg(function));
    const std::optional<uint32_t> index = doc.findFunctionEnter(name, n);
    if (!index) return fail(QStringLiteral("%1 is entered fewer than %2 times").arg(function).arg(n));
    return int(*index);
}

} // namespace skbscope::ui
