// DocumentLoader: one QThread per job (QThread::create). The job's outcome is written by the worker
// and read on the GUI thread after QThread::finished, which is queued to this object: the event
// queue orders the two. A generation number tells a current job from an abandoned one.
#include "ui/documentloader.h"

#include <QThread>

#include <memory>

#include "core/trace/trace_file.h"
#include "ui/scenariorunner.h"

namespace skbscope::ui {

namespace {
struct Outcome {
    TraceDocumentPtr doc;
    QString error;
};
} // namespace

DocumentLoader::DocumentLoader(QObject* parent) : QObject(parent) {}

DocumentLoader::~DocumentLoader() {
    for (QThread* t : std::as_const(m_threads)) {
        t->wait();
        delete t;
    }
}

void DocumentLoader::loadTraceFile(const QString& path) {
    const std::string file = path.toStdString();
    m_session.reset(); // a trace file has no live lab behind it
    start(tr("Loading %1...").arg(path), path, [file] { return load_trace(file); });
}

void DocumentLoader::runScenario(const QString& path) {
    const std::string file = path.toStdString();
    // The worker fills the slot; the GUI thread reads it after the job's thread has finished.
    auto slot = std::make_shared<std::shared_ptr<LabSession>>();
    m_session.reset();
    start(tr("Running scenario %1...").arg(path), path, [file, slot]() -> Result<Trace> {
        auto session = LabSession::start(file);
        if (!session) return session.error();
        *slot = *session;
        return (*session)->trace();
    });
    const quint64 generation = m_generation;
    connect(this, &DocumentLoader::loaded, this, [this, slot, generation] {
        if (generation == m_generation) m_session = *slot;
    }, Qt::SingleShotConnection);
}

void DocumentLoader::runConsole(const QString& line) {
    if (!m_session) {
        emit consoleFailed(tr("No scenario is running: run one first (File > Run scenario), then type calls."));
        return;
    }
    if (m_busy) {
        emit consoleFailed(tr("Busy: wait for the current job to finish."));
        return;
    }
    m_busy = true;
    const quint64 generation = ++m_generation;
    struct ConsoleOutcome {
        TraceDocumentPtr doc;
        int firstNew = 0;
        QStringList output;
        QString error;
    };
    auto outcome = std::make_shared<ConsoleOutcome>();
    QThread* thread = QThread::create([outcome, session = m_session, text = line.toStdString()] {
        const int before = int(session->eventCount());
        auto lines = session->console(text);
        if (!lines) {
            outcome->error = QString::fromStdString(lines.error().message);
            return;
        }
        for (const std::string& l : *lines) outcome->output << QString::fromStdString(l);
        outcome->firstNew = before;
        Trace trace = session->trace();
        const std::string name = trace.scenario;
        outcome->doc = TraceDocument::build(std::move(trace), name);
    });
    m_threads.append(thread);
    connect(thread, &QThread::finished, this, [this, thread, outcome, generation] {
        m_threads.removeOne(thread);
        thread->deleteLater();
        if (generation != m_generation) return;
        m_busy = false;
        if (outcome->doc)
            emit consoleFinished(outcome->doc, outcome->firstNew, outcome->output);
        else
            emit consoleFailed(outcome->error);
    });
    emit started(tr("Running %1...").arg(line));
    thread->start();
}

void DocumentLoader::loadTrace(Trace trace, const QString& name) {
    m_session.reset();
    auto shared = std::make_shared<Trace>(std::move(trace));
    start(tr("Indexing %1...").arg(name), name, [shared]() -> Result<Trace> { return std::move(*shared); });
}

void DocumentLoader::cancel() {
    if (!m_busy) return;
    ++m_generation;
    m_busy = false;
    emit cancelled();
}

void DocumentLoader::start(const QString& description, const QString& source, Job job) {
    const quint64 generation = ++m_generation;
    m_busy = true;
    auto outcome = std::make_shared<Outcome>();
    QThread* thread = QThread::create([outcome, job = std::move(job), source = source.toStdString()] {
        Result<Trace> trace = job();
        if (trace)
            outcome->doc = TraceDocument::build(std::move(*trace), source);
        else
            outcome->error = QString::fromStdString(trace.error().message);
        if (!trace && !outcome->error.contains(QString::fromStdString(source)))
            outcome->error = QString::fromStdString(source) + QStringLiteral(": ") + outcome->error;
    });
    m_threads.append(thread);
    connect(thread, &QThread::finished, this, [this, thread, outcome, generation] {
        m_threads.removeOne(thread);
        thread->deleteLater();
        if (generation != m_generation) return; // abandoned by cancel() or superseded by a newer job
        m_busy = false;
        if (outcome->doc)
            emit loaded(outcome->doc);
        else
            emit failed(outcome->error);
    });
    emit started(description);
    thread->start();
}

} // namespace skbscope::ui
