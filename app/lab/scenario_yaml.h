// The YAML reading helpers shared by the scenario parser's files (scenario.cpp: the file, hosts,
// links and --set; scenario_steps.cpp: the programs' steps). Internal to app/lab.
#pragma once
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "app/lab/scenario.h"
#include "core/util/result.h"

namespace skbscope::lab {

// Returns the error of a Result<...> expression from the enclosing parser.
#define TRY(expr)                                                                                                \
    do {                                                                                                         \
        auto _r = (expr);                                                                                        \
        if (!_r) return _r.error();                                                                              \
    } while (0)


// Where an error is: "<file>:<line>:<col>: <path>: <what>".
struct Ctx {
    const std::string& file;
    Error err(const YAML::Node& n, const std::string& path, const std::string& what) const {
        auto m = n.Mark();
        std::string pos = file;
        if (!m.is_null()) pos += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
        return Error{pos + ": " + path + ": " + what};
    }
};

inline std::string scalar(const YAML::Node& n) { return n.IsScalar() ? n.Scalar() : std::string(); }

template <typename T> std::optional<T> parse_int(const std::string& s) {
    T v{};
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<bool> parse_bool(const std::string& s);
// Checks that a map holds only the allowed keys.
Result<void> only_keys(const Ctx& c, const YAML::Node& n, const std::string& path,
                       std::initializer_list<const char*> allowed);
std::optional<std::pair<wire::Ipv4Addr, int>> parse_cidr(const std::string& s);
std::optional<std::pair<wire::Ipv4Addr, uint16_t>> parse_endpoint(const std::string& s);
// One step of a program: "- send: {fd: 3, size: 4000}" (scenario_steps.cpp).
Result<StepSpec> parse_step(const Ctx& c, const YAML::Node& n, const std::string& path);

} // namespace skbscope::lab
