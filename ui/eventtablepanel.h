// EventTablePanel: the list of every recorded event (a QTableView over EventTableModel) with its
// caption. The selected row follows the Cursor, and choosing a row (click, arrow keys) moves it.
#pragma once
#include <QWidget>

class QModelIndex;
class QTableView;

namespace skbscope::ui {

class Cursor;
class EventTableModel;

class EventTablePanel final : public QWidget {
    Q_OBJECT
  public:
    explicit EventTablePanel(Cursor* cursor, QWidget* parent = nullptr);

    QTableView* tableView() const { return m_view; }
    EventTableModel* model() const { return m_model; }

  private:
    void onDocumentChanged();
    void onCursorMoved(int index);
    void onCurrentRowChanged(const QModelIndex& current);
    void setColumnWidths();

    Cursor* m_cursor;
    EventTableModel* m_model;
    QTableView* m_view;
};

} // namespace skbscope::ui
