// Chrome / Perfetto JSON export. One pass over the events in sequence order with a stack of open
// slices per context, so every E closes the B it belongs to even if a trace was cut short; times on
// a thread never go backwards (clamped), which Perfetto needs to nest slices.
#include "core/trace/export_chrome.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <unordered_map>
#include <unordered_set>

#include "core/trace/export_jsonl.h"
#include "core/trace/json_out.h"
#include "core/trace/trace_names.h"

namespace skbscope {

namespace {

std::string ts_us(uint64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llu.%03llu", static_cast<unsigned long long>(ns / 1000),
                  static_cast<unsigned long long>(ns % 1000));
    return buf;
}

class ChromeWriter {
  public:
    ChromeWriter(const Trace& t, std::ostream& out) : m_t(t), m_out(out) { m_buf.reserve(1 << 20); }
    void write();

  private:
    uint64_t pid_of(ContextId c) const {
        const ContextInfo& ci = m_t.contexts[c];
        if (ci.kind == ContextKind::Link) return m_t.hosts.size() + 1;
        if (ci.kind == ContextKind::Lab || ci.host >= m_t.hosts.size()) return m_t.hosts.size() + 2;
        return ci.host + 1u;
    }
    uint64_t tid_of(ContextId c) const { return c + 1u; }
    // Starts the next element of traceEvents and returns an object with ph, ts, pid, tid set.
    void begin(json::Object& o, std::string_view ph, uint64_t ts, ContextId c) {
        o.str("ph", ph).raw("ts", ts_us(ts)).unum("pid", pid_of(c)).unum("tid", tid_of(c));
    }
    std::string& next() {
        if (!m_first) m_buf += ",\n";
        m_first = false;
        if (m_buf.size() > (1 << 20) - 4096) flush();
        return m_buf;
    }
    void flush() {
        m_out.write(m_buf.data(), static_cast<std::streamsize>(m_buf.size()));
        m_buf.clear();
    }
    void metadata();
    void plan_flows();
    void emit_end(ContextId c, StrId name, uint64_t ts);
    void event(size_t seq);

    const Trace& m_t;
    std::ostream& m_out;
    std::string m_buf;
    bool m_first = true;
    std::vector<std::vector<StrId>> m_open; // open slices per context
    std::vector<uint64_t> m_last_ts;        // last ts written per context
    struct FlowStep {
        uint32_t flow;
        char ph;
    };
    std::unordered_map<size_t, FlowStep> m_flow_at; // seq of a FuncEnter -> its flow step
};

void ChromeWriter::metadata() {
    auto name_meta = [&](const char* what, uint64_t pid, uint64_t tid, std::string_view name, uint64_t sort) {
        {
            json::Object o(next());
            o.str("name", what).str("ph", "M").unum("pid", pid).unum("tid", tid);
            json::Object(o.nested("args")).str("name", name);
        }
        json::Object o(next());
        o.str("name", std::string(what) == "process_name" ? "process_sort_index" : "thread_sort_index");
        o.str("ph", "M").unum("pid", pid).unum("tid", tid);
        json::Object(o.nested("args")).unum("sort_index", sort);
    };
    std::unordered_set<uint64_t> pids;
    for (ContextId c = 0; c < m_t.contexts.size(); ++c)
        pids.insert(pid_of(c));
    for (size_t h = 0; h < m_t.hosts.size(); ++h)
        if (pids.count(h + 1)) name_meta("process_name", h + 1, 0, m_t.hosts[h], h + 1);
    if (pids.count(m_t.hosts.size() + 1)) name_meta("process_name", m_t.hosts.size() + 1, 0, "links", 1000);
    if (pids.count(m_t.hosts.size() + 2)) name_meta("process_name", m_t.hosts.size() + 2, 0, "lab", 1001);
    for (ContextId c = 0; c < m_t.contexts.size(); ++c)
        name_meta("thread_name", pid_of(c), tid_of(c), m_t.contexts[c].name, c);
}

// A packet's arrows join its first function slice in each context it visits, in sequence order.
void ChromeWriter::plan_flows() {
    std::unordered_map<uint32_t, std::vector<size_t>> steps;
    std::unordered_set<uint64_t> seen; // (flow << 16) | ctx
    std::vector<uint32_t> order;
    for (size_t i = 0; i < m_t.events.size(); ++i) {
        const TraceEvent& e = m_t.events[i];
        if (e.kind != EventKind::FuncEnter || e.flow == 0) continue;
        if (!seen.insert((uint64_t{e.flow} << 16) | e.ctx).second) continue;
        auto& v = steps[e.flow];
        if (v.empty()) order.push_back(e.flow);
        v.push_back(i);
    }
    for (uint32_t flow : order) {
        const auto& v = steps[flow];
        if (v.size() < 2) continue;
        for (size_t k = 0; k < v.size(); ++k)
            m_flow_at[v[k]] = FlowStep{flow, k == 0 ? 's' : (k + 1 == v.size() ? 'f' : 't')};
    }
}

void ChromeWriter::emit_end(ContextId c, StrId name, uint64_t ts) {
    json::Object o(next());
    o.str("name", m_t.str(name));
    begin(o, "E", ts, c);
}

void ChromeWriter::event(size_t seq) {
    const TraceEvent& e = m_t.events[seq];
    const ContextId c = e.ctx;
    const uint64_t ts = m_last_ts[c] = std::max(m_last_ts[c], e.time);
    auto& open = m_open[c];
    switch (e.kind) {
    case EventKind::FuncEnter: {
        {
            json::Object o(next());
            o.str("name", m_t.str(e.name)).str("cat", layer_name(e.layer));
            begin(o, "B", ts, c);
            json::Object args(o.nested("args"));
            args.unum("seq", seq).unum("skb", e.skb).unum("flow", e.flow);
            append_event_fields(m_t, e, args);
        }
        open.push_back(e.name);
        if (auto it = m_flow_at.find(seq); it != m_flow_at.end()) {
            json::Object o(next());
            o.str("name", "packet " + std::to_string(it->second.flow)).str("cat", "packet");
            begin(o, std::string_view(&it->second.ph, 1), ts, c);
            o.unum("id", it->second.flow);
            if (it->second.ph != 's') o.str("bp", "e");
        }
        return;
    }
    case EventKind::FuncExit: {
        size_t k = open.size();
        while (k > 0 && open[k - 1] != e.name)
            --k;
        if (k == 0) return; // an exit without its enter: nothing to close
        while (open.size() >= k) {
            emit_end(c, open.back(), ts);
            open.pop_back();
        }
        return;
    }
    case EventKind::Counter:
    case EventKind::Queue: {
        json::Object o(next());
        std::string owner(e.ref == kNoRef ? std::string_view() : m_t.str(e.ref));
        if (e.kind == EventKind::Counter)
            o.str("name", owner + " " + std::string(m_t.str(e.name)));
        else
            o.str("name", owner + " (" + std::string(m_t.str(e.name)) + ")");
        begin(o, "C", ts, c);
        json::Object args(o.nested("args"));
        if (e.kind == EventKind::Counter)
            args.num("value", e.a[0]);
        else
            args.num("qlen", e.a[1]).num("bytes", e.a[2]);
        if (e.kind == EventKind::Counter) return;
        break; // a queue change is also an instant with its op
    }
    default:
        break;
    }
    json::Object o(next());
    std::string_view name = m_t.str(e.name);
    if (name.size() > 80) name = name.substr(0, 80);
    o.str("name", name).str("cat", event_kind_name(e.kind));
    begin(o, "i", ts, c);
    o.str("s", "t");
    json::Object args(o.nested("args"));
    args.unum("seq", seq).str("layer", layer_name(e.layer)).unum("skb", e.skb).unum("flow", e.flow);
    append_event_fields(m_t, e, args);
}

void ChromeWriter::write() {
    m_open.assign(m_t.contexts.size(), {});
    m_last_ts.assign(m_t.contexts.size(), 0);
    plan_flows();
    m_buf += "{\"traceEvents\":[\n";
    metadata();
    for (size_t i = 0; i < m_t.events.size(); ++i)
        if (m_t.events[i].ctx < m_t.contexts.size()) event(i);
    for (ContextId c = 0; c < m_open.size(); ++c)
        while (!m_open[c].empty()) {
            emit_end(c, m_open[c].back(), m_last_ts[c]);
            m_open[c].pop_back();
        }
    m_buf += "\n],\"displayTimeUnit\":\"ns\",\"otherData\":";
    {
        json::Object o(m_buf);
        o.str("scenario", m_t.scenario).str("seed", std::to_string(m_t.seed)).str("generator", "skbscope");
    }
    m_buf += "}\n";
    flush();
}

} // namespace

void write_chrome_json(const Trace& t, std::ostream& out) {
    ChromeWriter(t, out).write();
}

Result<void> export_chrome(const Trace& t, const std::string& path) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) return make_error(path + ": cannot write: " + std::strerror(errno));
    write_chrome_json(t, f);
    f.flush();
    if (!f) return make_error(path + ": cannot write: " + std::strerror(errno));
    return {};
}

} // namespace skbscope
