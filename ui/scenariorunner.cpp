// ScenarioRunner: Lab::load -> run -> copy of the trace. The copy keeps the Lab's own trace intact
// while the Lab is torn down (its destructor may still record frees).
// SIMPLIFICATION: a running scenario cannot be interrupted; cancelling abandons its result.
#include "ui/scenariorunner.h"

#include "app/lab/lab.h"

namespace skbscope::ui {

Result<Trace> ScenarioRunner::run(const std::string& scenarioPath) {
    auto lab = lab::Lab::load(scenarioPath);
    if (!lab) return lab.error();
    (*lab)->run();
    Trace trace = (*lab)->trace();
    if (trace.scenario.empty()) trace.scenario = scenarioPath;
    return trace;
}

} // namespace skbscope::ui
