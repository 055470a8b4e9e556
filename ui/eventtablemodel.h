// EventTableModel: every event of a TraceDocument as one table row (seq, time, host, context,
// layer, function, details, skb, packet, kind). Cells are computed when the view asks for them, so
// a trace of millions of events costs nothing up front.
#pragma once
#include <QAbstractTableModel>

#include "ui/tracedocument.h"

namespace skbscope::ui {

class EventTableModel final : public QAbstractTableModel {
    Q_OBJECT
  public:
    // In the order shown: what a student reads first (where, which function, what it did) on the left.
    enum Column { Seq, Time, Host, Context, Layer, Name, Details, Skb, Packet, Kind, ColumnCount };
    // The event index of a row (rows and events are the same today; a filter proxy may differ).
    static constexpr int EventIndexRole = Qt::UserRole + 1;

    explicit EventTableModel(QObject* parent = nullptr);

    void setDocument(TraceDocumentPtr doc);
    const TraceDocumentPtr& document() const { return m_doc; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  private:
    QString displayText(uint32_t row, int column) const;
    QVariant foreground(const TraceEvent& e) const;

    TraceDocumentPtr m_doc;
};

} // namespace skbscope::ui
