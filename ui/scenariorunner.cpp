// ScenarioRunner: Lab::load -> run -> copy of the trace. The copy keeps the Lab's own trace intact
// while the Lab is torn down (its destructor may still record frees).
// SIMPLIFICATION: a running scenario cannot be interrupted; cancelling abandons its result.
#include "ui/scenariorunner.h"

#include "app/lab/lab.h"

namespace skbscope::ui {

Result<Trace> ScenarioRunner::run(const std::string& scenarioPath) {
    auto session = LabSession::start(scenarioPath);
    if (!session) return session.error();
    return (*session)->trace();
}

Result<std::shared_ptr<LabSession>> LabSession::start(const std::string& scenarioPath) {
    auto lab = lab::Lab::load(scenarioPath);
    if (!lab) return lab.error();
    (*lab)->run();
    std::shared_ptr<LabSession> session(new LabSession());
    session->m_lab = std::move(*lab);
    session->m_path = scenarioPath;
    return session;
}

LabSession::~LabSession() = default;

Trace LabSession::trace() const {
    std::lock_guard lock(m_mutex);
    Trace trace = m_lab->trace();
    if (trace.scenario.empty()) trace.scenario = m_path;
    return trace;
}

size_t LabSession::eventCount() const {
    std::lock_guard lock(m_mutex);
    return m_lab->trace().events.size();
}

Result<std::vector<std::string>> LabSession::console(const std::string& line) {
    std::lock_guard lock(m_mutex);
    return m_lab->console(line);
}

} // namespace skbscope::ui
