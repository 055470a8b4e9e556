// CallStackPanel: the dock that shows the call stack at the cursor (CallStackModel) under a caption
// naming the host and context. Activating a frame moves the cursor to that function's entry.
#pragma once
#include <QWidget>

class QLabel;
class QTableView;

namespace skbscope::ui {

class CallStackModel;
class Cursor;

class CallStackPanel final : public QWidget {
    Q_OBJECT
  public:
    explicit CallStackPanel(Cursor* cursor, QWidget* parent = nullptr);

    CallStackModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }

  private:
    void onCursorMoved(int index);

    Cursor* m_cursor;
    CallStackModel* m_model;
    QLabel* m_contextLabel;
    QTableView* m_view;
};

} // namespace skbscope::ui
