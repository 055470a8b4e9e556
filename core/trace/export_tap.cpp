// Rebuilds a tcpdump program's capture from its pcap_dump events (export_tap.h).
#include "core/trace/export_tap.h"

#include <algorithm>
#include <set>

#include "core/pcap/pcap_writer.h"

namespace skbscope {

namespace {
constexpr std::string_view kTapSuffix = ":tap";

bool is_fn_event(const TraceEvent& e, Fn fn) {
    return e.kind == EventKind::FuncEnter && e.name == static_cast<StrId>(fn);
}
} // namespace

bool is_tap_name(std::string_view name) {
    return name.size() > kTapSuffix.size() && name.substr(name.size() - kTapSuffix.size()) == kTapSuffix;
}

Result<std::vector<TapFrame>> tap_frames(const Trace& t, std::string_view tap) {
    if (!is_tap_name(tap))
        return make_error(std::string("'").append(tap).append("' is not a tap name (HOST:tap, e.g. B:tap)"));
    const std::string_view host = tap.substr(0, tap.size() - kTapSuffix.size());
    std::set<std::string> with_tcpdump;
    bool ran = false;
    std::vector<TapFrame> out;
    for (size_t i = 0; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.kind != EventKind::FuncEnter || e.ctx >= t.contexts.size()) continue;
        const std::string_view h = t.host_name(t.contexts[e.ctx].host);
        if (is_fn_event(e, Fn::tcpdump)) {
            with_tcpdump.insert(std::string(h));
            if (h == host) ran = true;
        }
        if (h != host || !is_fn_event(e, Fn::pcap_dump) || e.ref2 == kNoRef) continue;
        TapFrame f;
        f.time_ns = static_cast<uint64_t>(std::max<int64_t>(e.a[0], 0));
        f.bytes = t.blob(e.ref2);
        f.orig_len = static_cast<uint32_t>(std::max<int64_t>(e.a[1], static_cast<int64_t>(f.bytes.size())));
        f.seq = i;
        out.push_back(f);
    }
    if (!ran) {
        std::string list;
        for (const auto& n : with_tcpdump)
            list += (list.empty() ? "" : ", ") + n + ":tap";
        return make_error("no tcpdump program ran on host '" + std::string(host) +
                          "' (taps in the trace: " + (list.empty() ? std::string("none") : list) + ")");
    }
    return out;
}

Result<void> export_tap_pcap(const Trace& t, std::string_view tap, const std::string& path) {
    auto frames = tap_frames(t, tap);
    if (!frames) return frames.error();
    PcapWriter w;
    if (auto r = w.open(path, 262144); !r) return r; // tcpdump's default snapshot length
    for (const auto& f : *frames)
        if (auto r = w.write(f.bytes, f.time_ns, f.orig_len); !r) return r;
    return w.close();
}

} // namespace skbscope
