// DocumentLoader: loads a .sktrace file or runs a scenario on a worker thread and builds the
// TraceDocument's indexes there too, so the GUI thread never blocks. Emits started() when a job
// begins and exactly one of loaded()/failed() when it ends. cancel() abandons the running job:
// its result is discarded when it arrives (loading and running have no interruption point yet).
#pragma once
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

#include "core/trace/trace.h"
#include "core/util/result.h"
#include "ui/tracedocument.h"

class QThread;

namespace skbscope::ui {

class LabSession;

class DocumentLoader final : public QObject {
    Q_OBJECT
  public:
    explicit DocumentLoader(QObject* parent = nullptr);
    ~DocumentLoader() override; // waits for a running job's thread

    void loadTraceFile(const QString& path);
    // Runs a scenario and keeps its lab for the console (hasSession()).
    void runScenario(const QString& path);
    // Interactive mode: one typed call in the running scenario's lab ("A: send 3 4000"); ends in
    // consoleFinished (the grown trace, the index of its first new event, the call's output) or
    // consoleFailed (a bad line, no scenario running), never in loaded/failed.
    void runConsole(const QString& line);
    bool hasSession() const { return m_session != nullptr; }
    // Builds a document from a trace already in memory (tests, the CLI's in-process hand-over).
    void loadTrace(Trace trace, const QString& name);

    bool isBusy() const { return m_busy; }
    void cancel();

  signals:
    void started(const QString& description);
    void loaded(skbscope::ui::TraceDocumentPtr doc);
    void failed(const QString& message);
    void cancelled();
    void consoleFinished(skbscope::ui::TraceDocumentPtr doc, int firstNewEvent, const QStringList& output);
    void consoleFailed(const QString& message);

  private:
    using Job = std::function<Result<Trace>()>;
    // source: the file (or name) the document comes from; errors that do not name it get it prefixed.
    void start(const QString& description, const QString& source, Job job);

    std::shared_ptr<LabSession> m_session;
    QList<QThread*> m_threads;
    quint64 m_generation = 0;
    bool m_busy = false;
};

} // namespace skbscope::ui
