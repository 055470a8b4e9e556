// `skbscope-cli run`: load a scenario into a Lab, run it, save the trace and the captures, and print
// a one-paragraph summary (events, virtual duration, frames, drops with their reasons).
#include <algorithm>
#include <cstdio>
#include <string>

#include "app/cli/cli.h"
#include "app/lab/lab.h"
#include "core/trace/export_pcap.h"
#include "core/trace/export_tap.h"
#include "core/trace/query.h"
#include "core/trace/trace_file.h"
#include "core/trace/trace_names.h"

namespace skbscope::cli {

int cmd_run(const std::vector<std::string>& args) {
    std::string err;
    auto a = parse_args(args,
                        {{"--trace"},
                         {"--pcap", true, true},
                         {"--pcapng", true, true},
                         {"--set", true, true},
                         {"--no-trace", false}},
                        err);
    if (!a) return usage_error("run: " + err);
    if (a->positional.empty()) return usage_error("run: missing SCENARIO file");
    if (a->positional.size() > 1) return usage_error("run: unexpected argument '" + a->positional[1] + "'");
    bool tracing = !a->has("--no-trace");
    if (!tracing && (a->has("--trace") || a->has("--pcap") || a->has("--pcapng")))
        return usage_error("run: --no-trace records nothing to save; drop --trace, --pcap and --pcapng");
    std::vector<std::pair<std::string, std::string>> pcaps, pcapngs;
    for (auto* list : {&pcaps, &pcapngs})
        for (const auto& v : a->all(list == &pcaps ? "--pcap" : "--pcapng")) {
            auto p = parse_iface_file(v);
            if (!p) return usage_error("run: expected HOST:DEV=FILE, got '" + v + "'");
            list->push_back(*p);
        }
    for (const auto& s : a->all("--set"))
        if (s.find('=') == std::string::npos || s.front() == '=')
            return usage_error("run: --set expects KEY=VALUE, got '" + s + "'");

    const std::string& scenario = a->positional[0];
    lab::LabOptions opts;
    opts.sets = a->all("--set");
    opts.tracing = tracing;
    auto lab = lab::Lab::load(scenario, opts);
    if (!lab) return failure(lab.error().message);
    (*lab)->run();
    const Trace& t = (*lab)->trace();

    if (auto path = a->get("--trace"))
        if (auto r = save_trace(t, *path); !r) return failure(r.error().message);
    for (const auto* list : {&pcaps, &pcapngs})
        for (const auto& [iface, file] : *list)
            if (is_tap_name(iface)) { // HOST:tap: what a tcpdump program on HOST captured
                if (list == &pcapngs) return failure("--pcapng " + iface + ": a tap is exported as pcap only (--pcap)");
                if (auto fr = tap_frames(t, iface); !fr) return failure(scenario + ": " + fr.error().message);
            } else if (auto fr = interface_frames(t, iface); !fr)
                return failure(scenario + ": " + fr.error().message);
    for (const auto& [iface, file] : pcaps)
        if (auto r = is_tap_name(iface) ? export_tap_pcap(t, iface, file) : export_pcap(t, iface, file); !r)
            return failure(r.error().message);
    for (const auto& [iface, file] : pcapngs)
        if (auto r = export_pcapng(t, iface, file); !r) return failure(r.error().message);

    TraceInfo info = trace_info(t);
    size_t frames = 0;
    for (const auto& [name, l] : info.links)
        frames += l.frames;
    uint64_t duration = std::max<uint64_t>(info.duration_ns, (*lab)->sim().scheduler().now());
    std::string out = scenario + ": " +
                      (tracing ? std::to_string(info.events) + " events, " : "tracing off, ") +
                      format_time(duration) + " virtual, " + std::to_string(frames) + " frames, " +
                      std::to_string(info.drop_count) + " drops\n";
    for (const auto& [reason, fns] : info.drops)
        for (const auto& [fn, n] : fns)
            out += "  drop: " + reason + " x" + std::to_string(n) + " in " + fn + "\n";
    if (info.errors || info.warnings)
        out +=
            "  " + std::to_string(info.errors) + " errors, " + std::to_string(info.warnings) + " warnings\n";
    if (auto path = a->get("--trace")) out += "  trace: " + *path + "\n";
    for (const auto* list : {&pcaps, &pcapngs})
        for (const auto& [iface, file] : *list)
            out += "  capture of " + iface + ": " + file + "\n";
    // What the programs printed (ping's replies, bytes received, failed calls).
    for (const auto& line : (*lab)->program_output()) out += "  | " + line + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kExitOk;
}

} // namespace skbscope::cli
