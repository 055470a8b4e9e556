// MainWindow: the first skbscope window. It builds the panels (event table in the centre, Call
// stack and Function docks), the File and Step menus, the step toolbar and the status bar, and
// connects them to one Cursor and one DocumentLoader. No logic of its own lives here.
#pragma once
#include <QMainWindow>

#include "ui/tracedocument.h"

class QDockWidget;
class QLabel;
class QProgressBar;
class QPushButton;

namespace skbscope::ui {

class Breakpoints;
class BreakpointsPanel;
class CallStackPanel;
class ConsolePanel;
class Cursor;
class Playback;
class DocumentLoader;
class EventTablePanel;
class FunctionInfoView;

class MainWindow final : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);

    Cursor* traceCursor() const { return m_cursor; }
    DocumentLoader* loader() const { return m_loader; }
    EventTablePanel* eventTablePanel() const { return m_eventTable; }
    CallStackPanel* callStackPanel() const { return m_callStack; }
    FunctionInfoView* functionInfoView() const { return m_functionInfo; }
    Breakpoints* breakpoints() const { return m_breakpoints; }
    Playback* playback() const { return m_playback; }
    ConsolePanel* consolePanel() const { return m_console; }
    // The panel with this object name ("timelinePanel", "skbPanel", ...), or nullptr.
    QWidget* panel(const QString& objectName) const;

    // Start a job on the loader; documentReady() or loadFailed() follows.
    void openTraceFile(const QString& path);
    void runScenarioFile(const QString& path);
    // Errors as a message box (interactive) or only as loadFailed() (screenshot mode, tests).
    void setErrorDialogsEnabled(bool on) { m_errorDialogs = on; }
    // Animations between cursor steps (the sk_buff pointer's slide); off for screenshots.
    void setAnimationsEnabled(bool on);

  signals:
    void documentReady();
    void loadFailed(const QString& message);

  private:
    void createActions();
    void createDocks();
    void createStatusBar();
    void chooseTraceFile();
    void chooseScenarioFile();
    void saveTraceAs();
    void exportChrome();
    void exportPcaps();
    void exportPanel();
    void addDock(QWidget* panel, const QString& title, Qt::DockWidgetArea area, QDockWidget* tabifyWith = nullptr,
                 bool scroll = false);
    void showDocument(TraceDocumentPtr doc);
    void showConsoleResult(TraceDocumentPtr doc, int firstNewEvent);
    void showError(const QString& message);
    void setBusy(bool busy, const QString& text = {});

    Cursor* m_cursor;
    DocumentLoader* m_loader;
    EventTablePanel* m_eventTable;
    CallStackPanel* m_callStack = nullptr;
    FunctionInfoView* m_functionInfo = nullptr;
    Breakpoints* m_breakpoints = nullptr;
    Playback* m_playback = nullptr;
    BreakpointsPanel* m_breakpointsPanel = nullptr;
    ConsolePanel* m_console = nullptr;
    QWidget* m_timeline = nullptr;
    QList<QDockWidget*> m_docks;
    QLabel* m_statusLabel = nullptr;
    QLabel* m_busyLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancelButton = nullptr;
    bool m_errorDialogs = true;
};

} // namespace skbscope::ui
