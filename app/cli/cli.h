// skbscope-cli: shared pieces of the subcommands. Exit codes: 0 success, 1 a bad file or a failed
// run ("<path>: <problem>" on one line of stderr), 2 a usage error (message and usage on stderr).
// Argument parsing accepts "--opt value" and "--opt=value"; each subcommand lists its options.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace skbscope::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct OptSpec {
    std::string name; // "--trace"
    bool takes_value = true;
    bool repeatable = false;
};

struct Args {
    std::vector<std::string> positional;
    std::multimap<std::string, std::string> opts;

    bool has(const std::string& name) const { return opts.count(name) != 0; }
    std::optional<std::string> get(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;
};

// Parses args against specs; nullopt with err set on an unknown option, a missing value or a repeat.
std::optional<Args> parse_args(const std::vector<std::string>& args, const std::vector<OptSpec>& specs,
                               std::string& err);
// A whole unsigned decimal number, nothing else.
std::optional<uint64_t> parse_uint(const std::string& s);
// "A:eth0=out/a.pcap" -> {"A:eth0", "out/a.pcap"}; nullopt when it is not of that form.
std::optional<std::pair<std::string, std::string>> parse_iface_file(const std::string& s);

// Each returns an exit code; usage problems are reported through usage_error() below.
int cmd_run(const std::vector<std::string>& args);
int cmd_chain(const std::vector<std::string>& args);
int cmd_path(const std::vector<std::string>& args);
int cmd_info(const std::vector<std::string>& args);
int cmd_tcp(const std::vector<std::string>& args);
int cmd_export(const std::vector<std::string>& args);
int cmd_describe(const std::vector<std::string>& args);
int cmd_stats(const std::vector<std::string>& args);

// Prints "skbscope-cli: <message>" and the usage to stderr; returns kExitUsage.
int usage_error(const std::string& message);
// Prints one line to stderr; returns kExitFailure.
int failure(const std::string& message);
void print_usage(bool to_stderr);

} // namespace skbscope::cli
