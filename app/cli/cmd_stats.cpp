// skbscope-cli stats TRACE --host H --dev D: one NIC's statistics like `ethtool -S` (interrupts,
// NAPI polls and packets per poll, repolls, time squeezes, ring drops, the statistics registers,
// interrupt latency), computed from the saved trace alone by core/trace/query_nic.
#include <cstdio>
#include <string>

#include "app/cli/cli.h"
#include "core/trace/query_nic.h"
#include "core/trace/trace_file.h"

namespace skbscope::cli {

int cmd_stats(const std::vector<std::string>& args) {
    std::string err;
    auto a = parse_args(args, {{"--host"}, {"--dev"}}, err);
    if (!a) return usage_error("stats: " + err);
    if (a->positional.size() != 1)
        return usage_error(a->positional.empty() ? "stats: missing TRACE file"
                                                 : "stats: unexpected argument '" + a->positional[1] + "'");
    auto host = a->get("--host");
    if (!host) return usage_error("stats: --host is required");
    const std::string dev = a->get("--dev").value_or("eth0");
    const std::string& path = a->positional[0];
    auto trace = load_trace(path);
    if (!trace) return failure(trace.error().message);
    auto stats = nic_stats(*trace, *host, dev);
    if (!stats) return failure(path + ": " + stats.error().message);
    const std::string text = render_nic_stats(*stats);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
}

} // namespace skbscope::cli
