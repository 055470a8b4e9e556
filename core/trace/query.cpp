// Call matching, one-line event descriptions and call trees. The journey and the trace summary
// are in query_report.cpp. An exit closes the innermost open call of the same name in its context,
// so a trace cut in the middle of a chain (or a hostile file) still gives well-formed answers.
#include "core/trace/query.h"

#include <algorithm>

#include "core/trace/trace_names.h"
#include "core/wire/describe.h"

namespace skbscope {

namespace {
constexpr uint32_t kNone = 0xffffffffu;
} // namespace

CallIndex::CallIndex(const Trace& t)
    : m_partner(t.events.size(), kNone), m_parent(t.events.size(), kNone), m_call(t.events.size(), 0) {
    std::vector<std::vector<uint32_t>> open(t.contexts.size());
    for (size_t i = 0; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.ctx >= open.size()) continue;
        auto& st = open[e.ctx];
        m_parent[i] = st.empty() ? kNone : st.back();
        if (e.kind == EventKind::FuncEnter) {
            m_call[i] = 1;
            st.push_back(static_cast<uint32_t>(i));
        } else if (e.kind == EventKind::FuncExit) {
            m_call[i] = 2;
            size_t k = st.size();
            while (k > 0 && t.events[st[k - 1]].name != e.name)
                --k;
            if (k == 0) continue;
            uint32_t enter = st[k - 1];
            m_partner[enter] = static_cast<uint32_t>(i);
            m_partner[i] = enter;
            m_parent[i] = m_parent[enter];
            st.resize(k - 1);
        }
    }
}

std::vector<size_t> CallIndex::stack_at(size_t i) const {
    std::vector<size_t> frames;
    if (i >= m_parent.size()) return frames;
    size_t cur = kNoEvent;
    if (m_call[i] == 1)
        cur = i;
    else if (m_call[i] == 2 && m_partner[i] != kNone)
        cur = m_partner[i];
    else
        cur = widen(m_parent[i]);
    while (cur != kNoEvent && frames.size() <= m_parent.size()) {
        frames.push_back(cur);
        cur = widen(m_parent[cur]);
    }
    std::reverse(frames.begin(), frames.end());
    return frames;
}

size_t matching_exit(const Trace& t, size_t enter) {
    if (enter >= t.events.size() || t.events[enter].kind != EventKind::FuncEnter) return kNoEvent;
    const TraceEvent& en = t.events[enter];
    std::vector<StrId> open{en.name};
    for (size_t i = enter + 1; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.ctx != en.ctx) continue;
        if (e.kind == EventKind::FuncEnter) {
            open.push_back(e.name);
        } else if (e.kind == EventKind::FuncExit) {
            size_t k = open.size();
            while (k > 0 && open[k - 1] != e.name)
                --k;
            if (k == 0) continue;
            if (k == 1) return i;
            open.resize(k - 1);
        }
    }
    return kNoEvent;
}

size_t matching_enter(const Trace& t, size_t exit) {
    if (exit >= t.events.size() || t.events[exit].kind != EventKind::FuncExit) return kNoEvent;
    // Cheap in the usual case (the enter is close), exact in every case: the index decides.
    CallIndex idx(t);
    return idx.partner(exit);
}

std::string describe_event(const Trace& t, size_t i) {
    if (i >= t.events.size()) return "?";
    const TraceEvent& e = t.events[i];
    auto ref = [&](uint32_t r) { return std::string(r == kNoRef ? std::string_view() : t.str(r)); };
    std::string name(t.str(e.name));
    std::string skb = e.skb ? " skb#" + std::to_string(e.skb) : std::string();
    auto geometry = [&]() -> std::string {
        const SkbSnapshot* s = e.ref == kNoRef ? nullptr : t.snapshot(e.ref);
        if (!s) return {};
        return ": data=" + std::to_string(s->data) + " tail=" + std::to_string(s->tail) +
               " end=" + std::to_string(s->end) + " len=" + std::to_string(s->len) +
               " data_len=" + std::to_string(s->data_len);
    };
    switch (e.kind) {
    case EventKind::FuncEnter: {
        std::string s = name + "  [" + std::string(layer_name(e.layer));
        if (auto f = event_source_file(t, e); !f.empty()) s += ", " + std::string(f);
        return s + "]" + skb;
    }
    case EventKind::FuncExit:
        return "return from " + name + " = " + std::to_string(e.a[0]);
    case EventKind::SkbAlloc:
        return "alloc" + skb + " in " + name + " size=" + std::to_string(e.a[0]) + geometry();
    case EventKind::SkbFree:
        if (e.a[0] == static_cast<int64_t>(DropReason::NotDropped)) return "consume" + skb + " in " + name;
        return "drop" + skb + " in " + name + ": " + drop_reason_linux_name(e.a[0]);
    case EventKind::SkbPtr:
        return name + skb + (e.a[0] >= 0 ? " +" : " ") + std::to_string(e.a[0]) + geometry();
    case EventKind::Queue:
        return std::string(queue_op_name(static_cast<QueueOp>(e.a[0] & 0xff))) + skb + " on " + name + " " +
               ref(e.ref) + ": qlen=" + std::to_string(e.a[1]) + " bytes=" + std::to_string(e.a[2]);
    case EventKind::Ring:
        return "ring " + name + " " + ref(e.ref) + ": next_to_use=" + std::to_string(e.a[0]) +
               " next_to_clean=" + std::to_string(e.a[1]) + " head=" + std::to_string(e.a[2]) +
               " tail=" + std::to_string(e.a[3]);
    case EventKind::Reg:
        return std::string(e.a[1] == static_cast<int64_t>(RegAccess::Write) ? "write " : "read ") +
               ref(e.ref) + " " + name + " = " + hex(static_cast<uint64_t>(e.a[0]));
    case EventKind::Dma:
        return std::string("DMA ") + (e.a[2] == static_cast<int64_t>(DmaDir::ToDevice) ? "to" : "from") +
               " device " + ref(e.ref) + ": " + name + ", " + std::to_string(e.a[1]) + " bytes at " +
               hex(static_cast<uint64_t>(e.a[0]));
    case EventKind::Irq:
        return "irq " + std::string(irq_op_name(static_cast<IrqOp>(e.a[0] & 0xff))) + " " + ref(e.ref) + " " +
               name + ": causes=" + hex(static_cast<uint64_t>(e.a[1])) +
               " ims=" + hex(static_cast<uint64_t>(e.a[2]));
    case EventKind::Timer:
        return "timer " + std::string(timer_op_name(static_cast<TimerOp>(e.a[0] & 0xff))) + " " + name +
               " (" + ref(e.ref) + ") expires @" + format_time(static_cast<uint64_t>(e.a[1]));
    case EventKind::TcpState:
        return "tcp_set_state " + ref(e.ref) + ": " + std::string(tcp_state_name(e.a[0])) + " -> " +
               std::string(tcp_state_name(e.a[1]));
    case EventKind::Counter:
        return ref(e.ref) + " " + name + " = " + std::to_string(e.a[0]);
    case EventKind::Wire: {
        auto frame = e.ref2 == kNoRef ? std::span<const uint8_t>() : t.blob(e.ref2);
        return "wire " + ref(e.ref) + " port " + std::to_string(e.a[1]) + ", " + std::to_string(e.a[0]) +
               " bytes, " +
               (e.a[3] == 0 ? std::string("arrives")
                            : std::string(wire_fate_name(static_cast<WireFate>(e.a[3]))) + (wire_fate_arrives(e.a[3]) ? ", arrives" : ", was due")) +
               " @" + format_time(static_cast<uint64_t>(e.a[2])) +
               (frame.empty() ? std::string() : ": " + wire::describe_frame(frame));
    }
    case EventKind::Note:
        return "note: " + ref(e.ref);
    case EventKind::Warning:
        return "warning: " + ref(e.ref);
    case EventKind::Error:
        return "error: " + ref(e.ref);
    default:
        return "?";
    }
}

std::vector<size_t> find_calls(const Trace& t, std::string_view host, std::string_view name, bool user_only) {
    std::vector<size_t> out;
    for (size_t i = 0; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.kind != EventKind::FuncEnter || t.str(e.name) != name) continue;
        if (context_host_name(t, e.ctx) != host) continue;
        if (user_only && (e.layer != Layer::User || t.contexts[e.ctx].kind != ContextKind::Task)) continue;
        out.push_back(i);
    }
    return out;
}

Result<CallNode> call_tree(const Trace& t, std::string_view host, std::string_view name, size_t index) {
    bool host_known = host == "lab" || std::find(t.hosts.begin(), t.hosts.end(), host) != t.hosts.end();
    if (!host_known) {
        std::string list;
        for (const auto& h : t.hosts)
            list += (list.empty() ? "" : ", ") + h;
        return make_error("no host '" + std::string(host) + "' (hosts: " + (list.empty() ? "none" : list) +
                          ")");
    }
    std::vector<size_t> calls = find_calls(t, host, name, true);
    if (calls.empty()) calls = find_calls(t, host, name, false);
    if (calls.empty()) {
        std::vector<std::string> seen;
        for (size_t i = 0; i < t.events.size(); ++i) {
            const TraceEvent& e = t.events[i];
            if (e.kind == EventKind::FuncEnter && e.layer == Layer::User &&
                context_host_name(t, e.ctx) == host &&
                std::find(seen.begin(), seen.end(), t.str(e.name)) == seen.end())
                seen.emplace_back(t.str(e.name));
        }
        std::string list;
        for (const auto& s : seen)
            list += (list.empty() ? "" : ", ") + s;
        return make_error("host " + std::string(host) + " never called '" + std::string(name) +
                          "' (its user calls: " + (list.empty() ? "none" : list) + ")");
    }
    if (index >= calls.size())
        return make_error("host " + std::string(host) + " called " + std::string(name) + " " +
                          std::to_string(calls.size()) + (calls.size() == 1 ? " time" : " times") +
                          "; index " + std::to_string(index) + " is out of range");
    return call_tree_at(t, calls[index]);
}

CallNode call_tree_at(const Trace& t, size_t enter) {
    CallNode root;
    root.enter = enter;
    if (enter >= t.events.size() || t.events[enter].kind != EventKind::FuncEnter) return root;
    const ContextId ctx = t.events[enter].ctx;
    std::vector<CallNode*> stack{&root};
    size_t folded = 0; // enters below kMaxCallTreeDepth, kept as events
    for (size_t i = enter + 1; i < t.events.size() && !stack.empty(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.ctx != ctx) continue;
        CallNode* top = stack.back();
        if (e.kind == EventKind::FuncEnter) {
            if (stack.size() >= kMaxCallTreeDepth) {
                ++folded;
                top->events.push_back(i);
                continue;
            }
            top->children.emplace_back().enter = i;
            stack.push_back(&top->children.back());
        } else if (e.kind == EventKind::FuncExit) {
            if (folded > 0) {
                --folded;
                top->events.push_back(i);
                continue;
            }
            size_t k = stack.size();
            while (k > 0 && t.events[stack[k - 1]->enter].name != e.name)
                --k;
            if (k == 0) {
                top->events.push_back(i); // an exit with no open call of its name
                continue;
            }
            stack[k - 1]->exit = i;
            stack.resize(k - 1);
        } else {
            top->events.push_back(i);
        }
    }
    return root;
}

namespace {
void render_node(const Trace& t, const CallNode& n, size_t level, const CallTreeOptions& opts,
                 std::string& out, size_t& lines) {
    auto line = [&](size_t lvl, const std::string& text) {
        if (opts.max_lines && lines >= opts.max_lines) return;
        out.append(2 * lvl, ' ');
        out += text;
        out += '\n';
        ++lines;
    };
    const TraceEvent& en = t.events[n.enter];
    std::string head = describe_event(t, n.enter) + "  @" + format_time(en.time);
    if (n.exit != kNoEvent) {
        const TraceEvent& ex = t.events[n.exit];
        head +=
            " +" + format_time(ex.time >= en.time ? ex.time - en.time : 0) + " = " + std::to_string(ex.a[0]);
    } else {
        head += " (no return in the trace)";
    }
    line(level, head);
    size_t c = 0, k = 0;
    while (c < n.children.size() || (opts.events && k < n.events.size())) {
        bool child = c < n.children.size() &&
                     (!opts.events || k >= n.events.size() || n.children[c].enter < n.events[k]);
        if (child) {
            render_node(t, n.children[c++], level + 1, opts, out, lines);
        } else {
            size_t i = n.events[k++];
            line(level + 1, "- " + describe_event(t, i));
        }
    }
}
} // namespace

std::string render_call_tree(const Trace& t, const CallNode& root, const CallTreeOptions& opts) {
    std::string out;
    if (root.enter >= t.events.size()) return out;
    const TraceEvent& e = t.events[root.enter];
    out += "# " + std::string(t.str(e.name)) + " on host " + std::string(context_host_name(t, e.ctx)) + ", " +
           std::string(context_name(t, e.ctx)) + ", event #" + std::to_string(root.enter) + "\n";
    size_t lines = 0;
    render_node(t, root, 0, opts, out, lines);
    if (opts.max_lines && lines >= opts.max_lines)
        out += "... (output cut at " + std::to_string(lines) + " lines)\n";
    return out;
}

} // namespace skbscope
