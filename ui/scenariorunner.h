// ScenarioRunner: the ui's one door to the lab's control interface (app/lab/lab.h): load a scenario
// file, run it until quiet, hand back the recorded trace. No Qt, no live simulation objects leave
// it: the caller gets a Trace value. Runs on a worker thread (DocumentLoader).
#pragma once
#include <string>

#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope::ui {

class ScenarioRunner final {
  public:
    // Errors name the file (and, from the lab, the line and field).
    static Result<Trace> run(const std::string& scenarioPath);
};

} // namespace skbscope::ui
