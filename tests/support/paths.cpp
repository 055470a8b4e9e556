// Paths for tests: compile-time source dir, ../shared beside the checkout, per-test temp dirs.
#include "tests/support/paths.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace skbscope::test {

std::string source_dir() { return SKBSCOPE_SOURCE_DIR; }
std::string shared_dir() { return SKBSCOPE_SHARED_DIR; }

std::string temp_dir(const std::string& tag) {
    static std::atomic<int> n{0};
    auto p = std::filesystem::temp_directory_path() /
             ("skbscope-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p.string();
}

bool have_tshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

} // namespace skbscope::test
