// BreakpointsPanel: the list of breakpoints (check to enable, Delete to remove) and one search box
// for functions: it completes every function the trace recorded; Enter jumps to the function's
// next entry after the cursor, "Break" adds a breakpoint on it (or on a layer: "layer tcp").
#pragma once
#include <QWidget>

class QLineEdit;
class QListWidget;
class QLabel;

namespace skbscope::ui {

class Breakpoints;
class Cursor;

class BreakpointsPanel final : public QWidget {
    Q_OBJECT
  public:
    BreakpointsPanel(Cursor* cursor, Breakpoints* breakpoints, QWidget* parent = nullptr);

    QLineEdit* searchBox() const { return m_search; }
    QListWidget* list() const { return m_list; }

    // The search box's actions, public for tests: jump to the next entry of the typed function
    // (wrapping to the first), and add a breakpoint from the typed text.
    bool findNext();
    bool addFromSearch();

  private:
    void refill();
    void updateCompleter();

    Cursor* m_cursor;
    Breakpoints* m_breakpoints;
    QLineEdit* m_search;
    QListWidget* m_list;
    QLabel* m_message;
};

} // namespace skbscope::ui
