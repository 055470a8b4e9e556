// ScenarioRunner: the ui's one door to the lab's control interface (app/lab/lab.h): load a scenario
// file, run it until quiet, hand back the recorded trace. No Qt, no live simulation objects leave
// it: the caller gets a Trace value. Runs on a worker thread (DocumentLoader).
// LabSession keeps the scenario's lab alive after its run for the console (interactive mode):
// typed calls run in it and the caller gets the grown trace, again as a value.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope::lab {
class Lab;
}

namespace skbscope::ui {

class ScenarioRunner final {
  public:
    // Errors name the file (and, from the lab, the line and field).
    static Result<Trace> run(const std::string& scenarioPath);
};

class LabSession final {
  public:
    // Loads and runs the scenario; the lab stays alive for console().
    static Result<std::shared_ptr<LabSession>> start(const std::string& scenarioPath);
    ~LabSession();

    // A copy of the trace so far (the lab keeps recording into its own).
    Trace trace() const;
    size_t eventCount() const;
    // One typed call ("A: send 3 4000"), then the lab runs until quiet; returns what it printed.
    // Calls are serialized: one worker at a time may use the session.
    Result<std::vector<std::string>> console(const std::string& line);

  private:
    LabSession() = default;
    std::unique_ptr<lab::Lab> m_lab;
    std::string m_path;
    mutable std::mutex m_mutex;
};

} // namespace skbscope::ui
