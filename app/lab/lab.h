// A Lab is one loaded scenario, wired: hosts (stack), NICs and drivers (nic), links, and the
// programs each host runs; it runs the simulation and owns the resulting trace. The one place
// where concrete hosts, drivers, devices and links meet. No Qt; no exceptions escape.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/time/sim.h"
#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope::lab {

struct Scenario;
class World;

struct LabOptions {
    // "--set HOST.DEV.key=value" / "--set seed=N" overrides, applied after loading.
    std::vector<std::string> sets;
    bool tracing = true;
};

class Lab {
public:
    // Loads and validates a scenario file. Errors name the file, line and field.
    static Result<std::unique_ptr<Lab>> load(const std::string& path, const LabOptions& opts = {});
    static Result<std::unique_ptr<Lab>> load_text(const std::string& text, const std::string& name,
                                                  const LabOptions& opts = {});
    ~Lab();

    // Runs until no event is pending or the scenario's end time; returns events recorded.
    uint64_t run();
    // Interactive mode (the GUI's console): runs one typed call, "A: send 3 4000" (app/lab/console.h),
    // on that host, then the simulation until nothing is pending or kConsoleHorizon of virtual time
    // has passed. The call runs in the task of the host's first scripted program, so that program's
    // fds are there, or in a console task of its own. Returns what the call printed.
    Result<std::vector<std::string>> console(const std::string& line);
    static constexpr TimeNs kConsoleHorizon = kNsPerSec;
    const Trace& trace() const;
    // What the programs printed (ping's reply lines and statistics, failed calls), in program order.
    std::vector<std::string> program_output() const;
    Sim& sim();
    const Scenario& scenario() const;

private:
    Lab();
    std::unique_ptr<Scenario> m_scenario;
    std::unique_ptr<World> m_world;
};

} // namespace skbscope::lab
