// libFuzzer target for scenario files: any text must load or be refused with an error naming the
// file; never a crash (yaml-cpp's exceptions are caught at the loader's boundary).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/lab/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto s = skbscope::lab::parse_scenario(text, "fuzz.yaml");
    if (!s.ok() && s.error().message.rfind("fuzz.yaml", 0) != 0) std::abort();
    return 0;
}
