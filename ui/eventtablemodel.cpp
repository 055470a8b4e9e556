// EventTableModel: display text from ui/eventtext, colours that make drops and errors stand out
// (dark red on white: readable on a projector), tooltips with the plain-words sentence and the
// function's explanation from the trace-point registry.
#include "ui/eventtablemodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include "ui/eventtext.h"

namespace skbscope::ui {

EventTableModel::EventTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void EventTableModel::setDocument(TraceDocumentPtr doc) {
    beginResetModel();
    m_doc = std::move(doc);
    endResetModel();
}

int EventTableModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() || !m_doc) return 0;
    return int(m_doc->eventCount());
}

int EventTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_doc)
        return {};
    const auto row = uint32_t(index.row());
    const TraceEvent& e = m_doc->event(row);
    switch (role) {
    case Qt::DisplayRole:
        return displayText(row, index.column());
    case EventIndexRole:
        return int(row);
    case Qt::ForegroundRole:
        return foreground(e);
    case Qt::FontRole:
        if (e.kind == EventKind::FuncEnter && index.column() == Name) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Seq || index.column() == Time)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole: {
        QString tip = eventSentence(m_doc->trace(), e);
        if (const auto fn = m_doc->functionOf(row)) {
            const FnInfo& info = fn_info(*fn);
            tip += QStringLiteral("\n%1 (%2): %3")
                       .arg(toQString(info.name), toQString(info.source_file), toQString(info.explanation));
        }
        return tip;
    }
    default:
        return {};
    }
}

QString EventTableModel::displayText(uint32_t row, int column) const {
    const TraceEvent& e = m_doc->event(row);
    switch (column) {
    case Seq:
        return QString::number(row);
    case Time:
        return formatTimeUs(e.time);
    case Host:
        return toQString(m_doc->hostName(e));
    case Context:
        return toQString(m_doc->contextName(e));
    case Layer:
        return toQString(layer_name(e.layer));
    case Kind:
        return toQString(event_kind_name(e.kind));
    case Name:
        return eventNameText(*m_doc, row);
    case Skb:
        return e.skb ? QStringLiteral("skb %1").arg(e.skb) : QString();
    case Packet:
        return e.flow ? QStringLiteral("#%1").arg(e.flow) : QString();
    case Details:
        return eventDetailsText(m_doc->trace(), e);
    default:
        return QString();
    }
}

QVariant EventTableModel::foreground(const TraceEvent& e) const {
    switch (e.kind) {
    case EventKind::SkbFree:
        if (static_cast<DropReason>(e.a[0]) != DropReason::NotDropped)
            return QBrush(QColor(0xa0, 0x00, 0x00));
        return {};
    case EventKind::Error:
        return QBrush(QColor(0xa0, 0x00, 0x00));
    case EventKind::Warning:
        return QBrush(QColor(0x8a, 0x4b, 0x00));
    case EventKind::FuncExit:
        return QBrush(QColor(0x40, 0x40, 0x40));
    default:
        return {};
    }
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
    struct Header {
        const char *title, *tip;
    };
    static const Header headers[ColumnCount] = {
        {"Seq", "The event's sequence number: its place in the recording."},
        {"Time (µs)", "Virtual time in microseconds (ns precision) on the event's context clock."},
        {"Host", "The simulated machine the event happened on."},
        {"Context", "The execution context: a process, softirq, hardirq, the NIC or a link."},
        {"Layer", "The layer of the network stack."},
        {"Function", "The kernel function (→ entered, ← returned), indented by call depth."},
        {"Details", "The event's arguments in words."},
        {"skb", "The sk_buff the event concerns."},
        {"Packet", "The packet (flow) the event belongs to; N and P step through its events."},
        {"Kind", "What kind of event: a function enter/exit, an sk_buff change, a queue, a register..."},
    };
    if (role == Qt::DisplayRole) return QString::fromUtf8(headers[section].title);
    if (role == Qt::ToolTipRole) return QString::fromUtf8(headers[section].tip);
    return {};
}

} // namespace skbscope::ui
