// MainWindow: the first skbscope window. It builds the panels (event table in the centre, Call
// stack and Function docks), the File and Step menus, the step toolbar and the status bar, and
// connects them to one Cursor and one DocumentLoader. No logic of its own lives here.
#pragma once
#include <QMainWindow>

#include "ui/tracedocument.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace skbscope::ui {

class CallStackPanel;
class Cursor;
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

    // Start a job on the loader; documentReady() or loadFailed() follows.
    void openTraceFile(const QString& path);
    void runScenarioFile(const QString& path);
    // Errors as a message box (interactive) or only as loadFailed() (screenshot mode, tests).
    void setErrorDialogsEnabled(bool on) { m_errorDialogs = on; }

  signals:
    void documentReady();
    void loadFailed(const QString& message);

  private:
    void createActions();
    void createDocks();
    void createStatusBar();
    void chooseTraceFile();
    void chooseScenarioFile();
    void showDocument(TraceDocumentPtr doc);
    void showError(const QString& message);
    void setBusy(bool busy, const QString& text = {});

    Cursor* m_cursor;
    DocumentLoader* m_loader;
    EventTablePanel* m_eventTable;
    CallStackPanel* m_callStack = nullptr;
    FunctionInfoView* m_functionInfo = nullptr;
    QLabel* m_statusLabel = nullptr;
    QLabel* m_busyLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancelButton = nullptr;
    bool m_errorDialogs = true;
};

} // namespace skbscope::ui
