// Where the tests find the source tree (scenarios, callchains.md in ../shared) and scratch space.
#pragma once
#include <string>

namespace skbscope::test {

std::string source_dir();
std::string shared_dir();
// A fresh directory under the system temp dir, unique per call within a test run.
std::string temp_dir(const std::string& tag);
// Whether tshark is on the PATH (make test installs it; a bare build may not have it).
bool have_tshark();

} // namespace skbscope::test
