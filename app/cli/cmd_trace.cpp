// The subcommands that read a saved trace: chain, path, info, export, describe. Each loads the
// .sktrace (a bad file is one line "<path>: <problem>" and exit 1) and prints a query's rendering.
#include <cstdio>
#include <string>

#include "app/cli/cli.h"
#include "core/trace/export_chrome.h"
#include "core/trace/export_jsonl.h"
#include "core/trace/export_pcap.h"
#include "core/trace/export_tap.h"
#include "core/trace/query.h"
#include "core/trace/query_tcp.h"
#include "core/trace/trace_file.h"
#include "core/trace/trace_names.h"
#include "core/wire/describe.h"

namespace skbscope::cli {

namespace {

// Parses the options of a command that takes exactly one TRACE argument.
std::optional<Args> parse_trace_cmd(const std::string& cmd, const std::vector<std::string>& args,
                                    const std::vector<OptSpec>& specs, int& code) {
    std::string err;
    auto parsed = parse_args(args, specs, err);
    if (!parsed) {
        code = usage_error(cmd + ": " + err);
        return std::nullopt;
    }
    if (parsed->positional.empty()) {
        code = usage_error(cmd + ": missing TRACE file");
        return std::nullopt;
    }
    if (parsed->positional.size() > 1) {
        code = usage_error(cmd + ": unexpected argument '" + parsed->positional[1] + "'");
        return std::nullopt;
    }
    return parsed;
}

std::optional<uint32_t> packet_option(const std::string& cmd, const Args& a, int& code) {
    auto v = a.get("--packet");
    if (!v) {
        code = usage_error(cmd + ": missing --packet N");
        return std::nullopt;
    }
    auto n = parse_uint(*v);
    if (!n || *n == 0 || *n > 0xffffffffULL) {
        code = usage_error(cmd + ": --packet needs a packet number (1, 2, ...), not '" + *v + "'");
        return std::nullopt;
    }
    return static_cast<uint32_t>(*n);
}

void print(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
}

} // namespace

int cmd_chain(const std::vector<std::string>& args) {
    int code = 0;
    auto a = parse_trace_cmd("chain", args,
                             {{"--host"}, {"--syscall"}, {"--index"}, {"--functions-only", false}}, code);
    if (!a) return code;
    auto host = a->get("--host");
    auto name = a->get("--syscall");
    if (!host) return usage_error("chain: missing --host H");
    if (!name) return usage_error("chain: missing --syscall NAME");
    uint64_t index = 0;
    if (auto v = a->get("--index")) {
        auto n = parse_uint(*v);
        if (!n) return usage_error("chain: --index needs a number (0 = the first call), not '" + *v + "'");
        index = *n;
    }
    const std::string& path = a->positional[0];
    auto trace = load_trace(path);
    if (!trace) return failure(trace.error().message);
    auto tree = call_tree(*trace, *host, *name, index);
    if (!tree) return failure(path + ": " + tree.error().message);
    CallTreeOptions opts;
    opts.events = !a->has("--functions-only");
    print(render_call_tree(*trace, *tree, opts));
    return kExitOk;
}

int cmd_path(const std::vector<std::string>& args) {
    int code = 0;
    auto a = parse_trace_cmd("path", args, {{"--packet"}}, code);
    if (!a) return code;
    auto flow = packet_option("path", *a, code);
    if (!flow) return code;
    const std::string& path = a->positional[0];
    auto trace = load_trace(path);
    if (!trace) return failure(trace.error().message);
    auto j = packet_journey(*trace, *flow);
    if (!j) return failure(path + ": " + j.error().message);
    print(render_journey(*trace, *j));
    return kExitOk;
}

int cmd_tcp(const std::vector<std::string>& args) {
    int code = 0;
    auto a = parse_trace_cmd("tcp", args, {{"--host"}, {"--socket"}}, code);
    if (!a) return code;
    auto host = a->get("--host");
    auto sock = a->get("--socket");
    if (!host || !sock) return usage_error("tcp: --host and --socket are required");
    auto fd = parse_uint(*sock);
    if (!fd) return usage_error("tcp: --socket takes a file descriptor number, got '" + *sock + "'");
    const std::string& path = a->positional[0];
    auto trace = load_trace(path);
    if (!trace) return failure(trace.error().message);
    auto series = tcp_counter_series(*trace, *host, *fd);
    if (!series) return failure(path + ": " + series.error().message);
    print(render_counter_series(*series));
    return kExitOk;
}

int cmd_info(const std::vector<std::string>& args) {
    int code = 0;
    auto a = parse_trace_cmd("info", args, {}, code);
    if (!a) return code;
    const std::string& path = a->positional[0];
    auto trace = load_trace(path);
    if (!trace) return failure(trace.error().message);
    print("trace:     " + path + "\n" + render_info(*trace, trace_info(*trace)));
    return kExitOk;
}

int cmd_export(const std::vector<std::string>& args) {
    int code = 0;
    auto a = parse_trace_cmd(
        "export", args, {{"--chrome"}, {"--jsonl"}, {"--pcap", true, true}, {"--pcapng", true, true}}, code);
    if (!a) return code;
    if (a->opts.empty())
        return usage_error("export: nothing to export (give --chrome, --jsonl, --pcap or --pcapng)");
    std::vector<std::pair<std::string, std::string>> pcaps, pcapngs;
    for (auto* list : {&pcaps, &pcapngs})
        for (const auto& v : a->all(list == &pcaps ? "--pcap" : "--pcapng")) {
            auto p = parse_iface_file(v);
            if (!p) return usage_error("export: expected HOST:DEV=FILE, got '" + v + "'");
            list->push_back(*p);
        }
    const std::string& path = a->positional[0];
    auto trace = load_trace(path);
    if (!trace) return failure(trace.error().message);
    if (auto f = a->get("--chrome"))
        if (auto r = export_chrome(*trace, *f); !r) return failure(r.error().message);
    if (auto f = a->get("--jsonl"))
        if (auto r = export_jsonl(*trace, *f); !r) return failure(r.error().message);
    // An unknown interface is a problem of the trace ("<trace>: no interface ..."), checked before
    // anything is written; a write error names the capture file.
    for (const auto* list : {&pcaps, &pcapngs})
        for (const auto& [iface, file] : *list)
            if (is_tap_name(iface)) { // HOST:tap: what a tcpdump program on HOST captured
                if (list == &pcapngs) return failure("--pcapng " + iface + ": a tap is exported as pcap only (--pcap)");
                if (auto fr = tap_frames(*trace, iface); !fr) return failure(path + ": " + fr.error().message);
            } else if (auto fr = interface_frames(*trace, iface); !fr)
                return failure(path + ": " + fr.error().message);
    for (const auto& [iface, file] : pcaps)
        if (auto r = is_tap_name(iface) ? export_tap_pcap(*trace, iface, file) : export_pcap(*trace, iface, file); !r)
            return failure(r.error().message);
    for (const auto& [iface, file] : pcapngs)
        if (auto r = export_pcapng(*trace, iface, file); !r) return failure(r.error().message);
    return kExitOk;
}

int cmd_describe(const std::vector<std::string>& args) {
    int code = 0;
    auto a = parse_trace_cmd("describe", args, {{"--packet"}, {"--verbose", false}}, code);
    if (!a) return code;
    auto flow = packet_option("describe", *a, code);
    if (!flow) return code;
    const std::string& path = a->positional[0];
    auto trace = load_trace(path);
    if (!trace) return failure(trace.error().message);
    const Trace& t = *trace;
    size_t n = 0;
    for (size_t i = 0; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.kind != EventKind::Wire || e.flow != *flow) continue;
        auto frame = e.ref2 == kNoRef ? std::span<const uint8_t>() : t.blob(e.ref2);
        std::string link(e.ref == kNoRef ? std::string_view() : t.str(e.ref));
        std::string l, r;
        std::string dir =
            split_link_name(link, l, r) ? (e.a[1] == 0 ? l + " -> " + r : r + " -> " + l) : link;
        print("#" + std::to_string(i) + "  " + format_time(e.time) + "  " + dir + "  " +
              wire::describe_frame(frame) + "\n");
        if (a->has("--verbose")) print(wire::dissect_to_text(wire::dissect_frame(frame)) + "\n");
        ++n;
    }
    if (n == 0) {
        auto j = packet_journey(t, *flow);
        if (!j) return failure(path + ": " + j.error().message);
        print("packet " + std::to_string(*flow) + " never reached the wire\n");
    }
    return kExitOk;
}

} // namespace skbscope::cli
