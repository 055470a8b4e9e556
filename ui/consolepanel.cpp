// ConsolePanel: widgets, history, and the loader's console signals shown as a transcript.
#include "ui/consolepanel.h"

#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QVBoxLayout>

#include "app/lab/console.h"
#include "ui/documentloader.h"

namespace skbscope::ui {

ConsolePanel::ConsolePanel(DocumentLoader* loader, QWidget* parent)
    : QWidget(parent), m_loader(loader), m_output(new QPlainTextEdit(this)), m_input(new QLineEdit(this)) {
    setObjectName(QStringLiteral("consolePanel"));
    m_output->setReadOnly(true);
    m_output->setObjectName(QStringLiteral("consoleOutput"));
    m_output->setMaximumBlockCount(5000);
    m_input->setObjectName(QStringLiteral("consoleInput"));
    m_input->setPlaceholderText(tr("HOST: call args    e.g.  A: send 3 4000    B: recv 4 65536"));
    m_input->installEventFilter(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_output, 1);
    layout->addWidget(m_input);
    append(tr("Calls: %1").arg(QString::fromStdString(lab::console_help())), QStringLiteral("#666"));

    connect(m_input, &QLineEdit::returnPressed, this, [this] {
        const QString line = m_input->text().trimmed();
        m_input->clear();
        if (!line.isEmpty()) submit(line);
    });
    connect(m_loader, &DocumentLoader::consoleFinished, this,
            [this](const TraceDocumentPtr&, int, const QStringList& output) {
                for (const QString& l : output) append(l);
            });
    connect(m_loader, &DocumentLoader::consoleFailed, this,
            [this](const QString& message) { append(message, QStringLiteral("#b00020")); });
}

void ConsolePanel::submit(const QString& line) {
    if (m_history.isEmpty() || m_history.last() != line) m_history << line;
    m_historyPos = int(m_history.size());
    append(QStringLiteral("> ") + line, QStringLiteral("#1a5fb4"));
    m_loader->runConsole(line);
}

void ConsolePanel::append(const QString& text, const QString& colour) {
    const QString escaped = text.toHtmlEscaped();
    m_output->appendHtml(colour.isEmpty() ? QStringLiteral("<span>%1</span>").arg(escaped)
                                          : QStringLiteral("<span style=\"color:%1\">%2</span>").arg(colour, escaped));
}

bool ConsolePanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_input && event->type() == QEvent::KeyPress && !m_history.isEmpty()) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Up || key == Qt::Key_Down) {
            m_historyPos = std::clamp(m_historyPos + (key == Qt::Key_Up ? -1 : 1), 0, int(m_history.size()));
            m_input->setText(m_historyPos < m_history.size() ? m_history[m_historyPos] : QString());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace skbscope::ui
