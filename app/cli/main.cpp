// skbscope-cli: run a scenario and inspect or export its trace without the GUI.
//   skbscope-cli run SCENARIO [--trace FILE] [--pcap HOST:DEV=FILE]... ; chain, path, info, export, describe
// Dispatch, argument parsing and usage live here; the subcommands are in cmd_run.cpp and cmd_trace.cpp.
#include <charconv>
#include <cstdio>
#include <exception>
#include <iostream>

#include "app/cli/cli.h"

namespace skbscope::cli {

namespace {
constexpr const char* kUsage =
    R"(usage: skbscope-cli COMMAND [ARGS]

Commands:
  run SCENARIO [--trace FILE] [--pcap HOST:DEV=FILE]... [--pcapng HOST:DEV=FILE]...
               [--set KEY=VALUE]... [--no-trace]
      Run a scenario (YAML), save its trace and captures, print a summary. --pcap HOST:tap=FILE
      writes what the scenario's tcpdump program on HOST captured through its filter.
  chain TRACE --host H --syscall NAME [--index N] [--functions-only]
      The call tree of host H's Nth call of NAME (0 = first), e.g. --host A --syscall sendto.
  path TRACE --packet N
      Packet N's journey across hosts and contexts, hop by hop.
  info TRACE
      Scenario, seed, counts per kind and layer, frames per link, sk_buffs, drops with reasons.
  export TRACE [--chrome FILE] [--jsonl FILE] [--pcap HOST:DEV=FILE]... [--pcapng HOST:DEV=FILE]...
      Chrome/Perfetto JSON, JSON Lines, and pcap/pcapng of one interface (e.g. A:eth0), or
      pcap of a host's tcpdump tap (e.g. B:tap).
  tcp TRACE --host H --socket FD
      A TCP socket's state over time: cwnd, ssthresh, srtt, rto, snd_una, snd_nxt, ... per change.
  describe TRACE --packet N [--verbose]
      The frames of packet N on the wire, tshark-like (--verbose: full dissection).
  stats TRACE --host H [--dev D]
      One NIC's statistics like ethtool -S: interrupts, NAPI polls, packets per poll, repolls,
      time squeezes, ring drops, statistics registers, interrupt latency (D defaults to eth0).
  help, --help
      This text.

Exit status: 0 success, 1 a bad file or a failed run, 2 a usage error.
)";
} // namespace

void print_usage(bool to_stderr) {
    std::fputs(kUsage, to_stderr ? stderr : stdout);
}

int usage_error(const std::string& message) {
    std::fprintf(stderr, "skbscope-cli: %s\n\n", message.c_str());
    print_usage(true);
    return kExitUsage;
}

int failure(const std::string& message) {
    std::fprintf(stderr, "%s\n", message.c_str());
    return kExitFailure;
}

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = opts.find(name);
    if (it == opts.end()) return std::nullopt;
    return it->second;
}

std::vector<std::string> Args::all(const std::string& name) const {
    std::vector<std::string> out;
    auto [b, e] = opts.equal_range(name);
    for (auto it = b; it != e; ++it)
        out.push_back(it->second);
    return out;
}

std::optional<Args> parse_args(const std::vector<std::string>& args, const std::vector<OptSpec>& specs,
                               std::string& err) {
    Args out;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.size() < 2 || a.compare(0, 2, "--") != 0 || a == "--") {
            if (a.size() > 1 && a[0] == '-' && a != "--") {
                err = "unknown option '" + a + "'";
                return std::nullopt;
            }
            out.positional.push_back(a);
            continue;
        }
        std::string name = a, value;
        bool inline_value = false;
        if (auto eq = a.find('='); eq != std::string::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            inline_value = true;
        }
        const OptSpec* spec = nullptr;
        for (const auto& s : specs)
            if (s.name == name) spec = &s;
        if (!spec) {
            err = "unknown option '" + name + "'";
            return std::nullopt;
        }
        if (spec->takes_value && !inline_value) {
            if (i + 1 >= args.size()) {
                err = "option " + name + " needs a value";
                return std::nullopt;
            }
            value = args[++i];
        } else if (!spec->takes_value && inline_value) {
            err = "option " + name + " takes no value";
            return std::nullopt;
        }
        if (!spec->repeatable && out.has(name)) {
            err = "option " + name + " given twice";
            return std::nullopt;
        }
        out.opts.emplace(name, value);
    }
    return out;
}

std::optional<uint64_t> parse_uint(const std::string& s) {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<std::pair<std::string, std::string>> parse_iface_file(const std::string& s) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) return std::nullopt;
    std::string iface = s.substr(0, eq);
    auto colon = iface.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == iface.size()) return std::nullopt;
    return std::make_pair(iface, s.substr(eq + 1));
}

} // namespace skbscope::cli

int main(int argc, char** argv) {
    using namespace skbscope::cli;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage_error("no command given");
    const std::string cmd = args.front();
    args.erase(args.begin());
    try {
        bool help = cmd == "help" || cmd == "--help" || cmd == "-h";
        for (const auto& a : args)
            help = help || a == "--help" || a == "-h";
        if (help) {
            print_usage(false);
            return kExitOk;
        }
        if (cmd == "run") return cmd_run(args);
        if (cmd == "chain") return cmd_chain(args);
        if (cmd == "path") return cmd_path(args);
        if (cmd == "info") return cmd_info(args);
        if (cmd == "tcp") return cmd_tcp(args);
        if (cmd == "export") return cmd_export(args);
        if (cmd == "describe") return cmd_describe(args);
        if (cmd == "stats") return cmd_stats(args);
        return usage_error("unknown command '" + cmd + "'");
    } catch (const std::exception& e) {
        // Core returns Result; this is a last resort (out of memory, a bug), never the normal path.
        std::fprintf(stderr, "skbscope-cli: internal error: %s\n", e.what());
        return kExitFailure;
    }
}
