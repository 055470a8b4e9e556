// Scenario runs shared by the golden and lab tests: load a scenario (text or a shipped file under
// lessons/scenarios/), run it to its end, and keep the Lab for the rest of the test binary, so the
// tests that read one trace run the simulation once. Header-only: only tests that link
// skbscope_lab include it (the support library itself stays below app/).
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "app/lab/lab.h"
#include "tests/support/paths.h"

namespace skbscope::test {

// Called once, right after the first run (e.g. to check that nothing leaked).
using AfterRun = std::function<void(lab::Lab&)>;

// Loads or fails: a scenario that does not load fails the current test and aborts the binary, since
// every test that reads its trace would only fail again.
inline std::unique_ptr<lab::Lab> load_or_abort(Result<std::unique_ptr<lab::Lab>> r) {
    if (!r.ok()) {
        ADD_FAILURE() << r.error().message;
        std::abort();
    }
    return std::move(*r);
}

// The Lab of scenario `text` (`name`: the file name its messages and trace give), run once.
inline lab::Lab& run_scenario_text(const std::string& text, const std::string& name,
                                   const AfterRun& after = {}) {
    static std::map<std::pair<std::string, std::string>, std::unique_ptr<lab::Lab>> labs;
    auto& l = labs[{name, text}];
    if (!l) {
        l = load_or_abort(lab::Lab::load_text(text, name));
        l->run();
        if (after) after(*l);
    }
    return *l;
}

// The text of lessons/scenarios/<file> (for tests that run a variant of it); "" when unreadable.
inline std::string shipped_scenario_text(const std::string& file) {
    std::ifstream in(source_dir() + "/lessons/scenarios/" + file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The Lab of lessons/scenarios/<file>, run once.
inline lab::Lab& run_shipped_scenario(const std::string& file, const AfterRun& after = {}) {
    static std::map<std::string, std::unique_ptr<lab::Lab>> labs;
    auto& l = labs[file];
    if (!l) {
        l = load_or_abort(lab::Lab::load(source_dir() + "/lessons/scenarios/" + file));
        l->run();
        if (after) after(*l);
    }
    return *l;
}

} // namespace skbscope::test
