// CallStackModel: the function frames open at the cursor's event, innermost first, with each
// function's layer and kernel source file from the trace-point registry (fn_info), the way a
// debugger shows a backtrace. Only the cursor's context: depth is per execution context.
#pragma once
#include <QAbstractTableModel>

#include <vector>

#include "ui/tracedocument.h"

namespace skbscope::ui {

class CallStackModel final : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column { Function, Layer, SourceFile, ColumnCount };
    // The FuncEnter event index of a frame.
    static constexpr int EventIndexRole = Qt::UserRole + 1;

    explicit CallStackModel(QObject* parent = nullptr);

    void setDocument(TraceDocumentPtr doc);
    // Shows the frames open at event index (-1: none).
    void setCurrentEvent(int index);
    // The frames shown, innermost first (FuncEnter indexes).
    const std::vector<uint32_t>& frames() const { return m_frames; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  private:
    TraceDocumentPtr m_doc;
    std::vector<uint32_t> m_frames;
};

} // namespace skbscope::ui
