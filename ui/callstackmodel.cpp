// CallStackModel: resets only when the set of open frames changes, so stepping inside one function
// does not flicker the view.
#include "ui/callstackmodel.h"

#include <QFont>

#include "ui/eventtext.h"

namespace skbscope::ui {

CallStackModel::CallStackModel(QObject* parent) : QAbstractTableModel(parent) {}

void CallStackModel::setDocument(TraceDocumentPtr doc) {
    beginResetModel();
    m_doc = std::move(doc);
    m_frames.clear();
    endResetModel();
}

void CallStackModel::setCurrentEvent(int index) {
    std::vector<uint32_t> frames;
    if (m_doc && index >= 0 && m_doc->isValid(uint32_t(index))) frames = m_doc->callStack(uint32_t(index));
    if (frames == m_frames) return;
    beginResetModel();
    m_frames = std::move(frames);
    endResetModel();
}

int CallStackModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_frames.size());
}

int CallStackModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CallStackModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_doc)
        return {};
    const uint32_t frame = m_frames[size_t(index.row())];
    const std::optional<Fn> fn = m_doc->functionOf(frame);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Function:
            return toQString(m_doc->trace().event_name(m_doc->event(frame)));
        case Layer:
            return toQString(layer_name(m_doc->event(frame).layer));
        case SourceFile:
            return fn ? toQString(fn_info(*fn).source_file) : QString();
        }
        return {};
    case Qt::ToolTipRole:
        return fn ? toQString(fn_info(*fn).explanation) : QString();
    case Qt::FontRole:
        if (index.row() == 0) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case EventIndexRole:
        return int(frame);
    default:
        return {};
    }
}

QVariant CallStackModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Function:
        return QStringLiteral("Function");
    case Layer:
        return QStringLiteral("Layer");
    case SourceFile:
        return QStringLiteral("Kernel source file");
    }
    return {};
}

} // namespace skbscope::ui
