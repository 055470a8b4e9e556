// ConsolePanel: interactive mode. The user types socket calls for a host ("A: send 3 4000"); the
// loader runs each in the scenario's live lab until quiet, and the grown trace replaces the shown
// one with the cursor on the call's first event. Up/Down walk the history of typed lines.
#pragma once
#include <QStringList>
#include <QWidget>

class QLineEdit;
class QPlainTextEdit;

namespace skbscope::ui {

class DocumentLoader;

class ConsolePanel final : public QWidget {
    Q_OBJECT
  public:
    ConsolePanel(DocumentLoader* loader, QWidget* parent = nullptr);

    QLineEdit* input() const { return m_input; }
    QPlainTextEdit* output() const { return m_output; }
    // Runs a line as if typed and Enter pressed.
    void submit(const QString& line);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    void append(const QString& text, const QString& colour = {});

    DocumentLoader* m_loader;
    QPlainTextEdit* m_output;
    QLineEdit* m_input;
    QStringList m_history;
    int m_historyPos = 0;
};

} // namespace skbscope::ui
