// Folding Counter events into per-socket rows (see query_tcp.h).
#include "core/trace/query_tcp.h"

#include <algorithm>
#include <cstdio>

namespace skbscope {

std::vector<std::string> tcp_counter_owners(const Trace& t) {
    std::vector<std::string> owners;
    for (const TraceEvent& e : t.events) {
        if (e.kind != EventKind::Counter || e.layer != Layer::Tcp) continue;
        std::string o(t.str(e.ref));
        if (std::find(owners.begin(), owners.end(), o) == owners.end()) owners.push_back(o);
    }
    return owners;
}

Result<CounterSeries> tcp_counter_series(const Trace& t, const std::string& host, uint64_t fd) {
    CounterSeries s;
    s.owner = host + ":sock " + std::to_string(fd);
    std::vector<std::optional<int64_t>> current;
    for (size_t i = 0; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.kind != EventKind::Counter || e.layer != Layer::Tcp || t.str(e.ref) != s.owner) continue;
        std::string name(t.str(e.name));
        auto it = std::find(s.names.begin(), s.names.end(), name);
        size_t col = static_cast<size_t>(it - s.names.begin());
        if (it == s.names.end()) {
            s.names.push_back(name);
            current.emplace_back();
            for (auto& r : s.rows) r.values.emplace_back();
        }
        current[col] = e.a[0];
        if (s.rows.empty() || s.rows.back().time != e.time) s.rows.push_back({e.time, i, {}});
        s.rows.back().values = current;
    }
    if (s.names.empty()) {
        std::string list;
        for (const auto& o : tcp_counter_owners(t)) list += (list.empty() ? "" : ", ") + o;
        return Error{"no TCP counters for socket " + s.owner + (list.empty() ? " (the trace has no TCP sockets)"
                                                                            : " (sockets with counters: " + list + ")")};
    }
    return s;
}

std::string render_counter_series(const CounterSeries& s) {
    std::vector<size_t> width;
    for (const auto& n : s.names) width.push_back(std::max<size_t>(n.size(), 8));
    std::string out = "# TCP state of " + s.owner + " over time (virtual ms; a row per change)\n";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%14s", "time_ms");
    out += buf;
    for (size_t c = 0; c < s.names.size(); ++c) {
        std::snprintf(buf, sizeof buf, " %*s", static_cast<int>(width[c]), s.names[c].c_str());
        out += buf;
    }
    out += "\n";
    for (const auto& r : s.rows) {
        std::snprintf(buf, sizeof buf, "%14.6f", static_cast<double>(r.time) / 1e6);
        out += buf;
        for (size_t c = 0; c < s.names.size(); ++c) {
            std::string v = c < r.values.size() && r.values[c] ? std::to_string(*r.values[c]) : "-";
            std::snprintf(buf, sizeof buf, " %*s", static_cast<int>(width[c]), v.c_str());
            out += buf;
        }
        out += "\n";
    }
    return out;
}

} // namespace skbscope
