// CallGraph: nodes are keyed by (host, interned function name), so building is one hash lookup per
// FuncEnter; edges by (caller node, callee node). Nodes, edges and clusters come out in the order
// their first event appears in the trace, so the DOT text (and Graphviz's layout) is deterministic.
#include "ui/callgraph.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "ui/layercolors.h"

namespace skbscope::ui {

namespace {

std::string hexColor(const QColor& c) {
    return c.name(QColor::HexRgb).toStdString();
}

QString q(std::string_view s) {
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

} // namespace

uint64_t CallGraph::functionKey(const TraceDocument& doc, uint32_t enter) {
    const TraceEvent& e = doc.event(enter);
    const auto& contexts = doc.trace().contexts;
    const HostId host = e.ctx < contexts.size() ? contexts[e.ctx].host : HostId(0);
    return (uint64_t(host) << 32) | e.name;
}

int CallGraph::nodeFor(const TraceDocument& doc, uint32_t enter, bool inSet, int maxNodes) {
    const uint64_t key = functionKey(doc, enter);
    if (auto it = m_index.find(key); it != m_index.end()) {
        CallGraphNode& n = m_nodes[size_t(it->second)];
        if (inSet) {
            n.outside = false;
            ++n.calls;
        }
        return it->second;
    }
    if (int(m_nodes.size()) >= maxNodes) {
        if (m_omittedKeys.insert(key).second) ++m_omitted;
        return -1;
    }
    const TraceEvent& e = doc.event(enter);
    CallGraphNode n;
    n.firstEvent = enter;
    n.host = HostId(key >> 32);
    n.function = std::string(doc.trace().event_name(e));
    n.layer = e.layer;
    n.calls = inSet ? 1 : 0;
    n.outside = !inSet;
    if (std::none_of(m_hosts.begin(), m_hosts.end(), [&](const auto& h) { return h.first == n.host; }))
        m_hosts.emplace_back(n.host, std::string(doc.trace().host_name(n.host)));
    m_nodes.push_back(std::move(n));
    const int index = int(m_nodes.size()) - 1;
    m_index.emplace(key, index);
    return index;
}

void CallGraph::addEdge(int from, int to) {
    if (from < 0 || to < 0) return;
    auto [it, fresh] = m_edgeIndex.try_emplace({from, to}, int(m_edges.size()));
    if (fresh) m_edges.push_back({from, to, 0});
    ++m_edges[size_t(it->second)].count;
}

uint64_t CallGraph::keyAt(const TraceDocument& doc, uint32_t cursor, CallGraphMode mode) {
    if (!doc.isValid(cursor)) return ~uint64_t(0);
    if (mode == CallGraphMode::Packet) return doc.event(cursor).flow;
    return (uint64_t(1) << 32) | doc.frameOf(cursor);
}

CallGraph CallGraph::build(const TraceDocument& doc, uint32_t cursor, CallGraphMode mode, int maxNodes) {
    CallGraph g;
    g.m_mode = mode;
    maxNodes = std::max(maxNodes, 1);
    if (!doc.isValid(cursor)) {
        g.m_emptyReason = tr("No event selected.");
        return g;
    }
    if (mode == CallGraphMode::Packet) {
        const uint32_t flow = doc.event(cursor).flow;
        if (flow == 0) {
            g.m_emptyReason = tr("The event at the cursor belongs to no packet. Move to an event of a "
                                 "packet, or choose \u201cCalls under this function\u201d.");
            return g;
        }
        uint32_t first = cursor;
        while (doc.previousInFlow(first) != TraceDocument::kNone)
            first = doc.previousInFlow(first);
        for (uint32_t i = first; i != TraceDocument::kNone; i = doc.nextInFlow(i)) {
            if (doc.event(i).kind != EventKind::FuncEnter) continue;
            const int callee = g.nodeFor(doc, i, true, maxNodes);
            const uint32_t p = doc.parent(i);
            // A caller outside the packet (e.g. net_rx_action polling for every packet) is shown
            // dashed for context; its own callers are not followed.
            if (p != TraceDocument::kNone) g.addEdge(g.nodeFor(doc, p, false, maxNodes), callee);
        }
        const auto hosts = g.m_hosts.size();
        g.m_title = tr("Packet %1: %2 functions on %3 host(s)").arg(flow).arg(g.totalNodes()).arg(hosts);
        if (g.empty()) g.m_emptyReason = tr("Packet %1 passed through no traced function.").arg(flow);
    } else {
        const uint32_t root = doc.frameOf(cursor);
        if (root == TraceDocument::kNone) {
            g.m_emptyReason = tr("The cursor is not inside a function: there are no calls under it to "
                                 "show. Move into a function, or choose \u201cThis packet\u201d.");
            return g;
        }
        const uint32_t exit = doc.matching(root); // kNone: the call never returned; go to the context's end
        for (uint32_t j = root; j != TraceDocument::kNone; j = doc.nextInContext(j)) {
            if (doc.event(j).kind == EventKind::FuncEnter) {
                const int callee = g.nodeFor(doc, j, true, maxNodes);
                if (j != root) g.addEdge(g.nodeFor(doc, doc.parent(j), false, maxNodes), callee);
            }
            if (j == exit) break;
        }
        const TraceEvent& r = doc.event(root);
        g.m_title = tr("Calls under %1() on %2 (event %3): %4 functions")
                        .arg(q(doc.trace().event_name(r)), q(doc.hostName(r)))
                        .arg(root)
                        .arg(g.totalNodes());
    }
    return g;
}

int CallGraph::nodeOfEvent(const TraceDocument& doc, uint32_t i) const {
    const uint32_t f = doc.frameOf(i);
    if (f == TraceDocument::kNone) return -1;
    auto it = m_index.find(functionKey(doc, f));
    return it == m_index.end() ? -1 : it->second;
}

int CallGraph::nodeById(std::string_view id) const {
    const std::optional<uint32_t> e = eventOfNodeId(id);
    if (!e) return -1;
    for (size_t n = 0; n < m_nodes.size(); ++n)
        if (m_nodes[n].firstEvent == *e) return int(n);
    return -1;
}

std::optional<uint32_t> CallGraph::eventOfNodeId(std::string_view id) {
    constexpr std::string_view prefix = "fn_";
    if (id.size() <= prefix.size() || id.substr(0, prefix.size()) != prefix) return std::nullopt;
    const std::string_view digits = id.substr(prefix.size());
    uint32_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return value;
}

std::string CallGraph::dotQuote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break; // DOT's centred line break
        default:
            // Other control characters have no DOT spelling: shown as '?', never passed through.
            out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
        }
    }
    out += '"';
    return out;
}

std::string CallGraph::toDot() const {
    std::string dot;
    dot += "digraph callgraph {\n";
    dot += "  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=12, nodesep=0.25, ranksep=0.4];\n";
    dot += "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11, "
           "margin=\"0.10,0.04\"];\n";
    dot += "  edge [fontname=\"Helvetica\", fontsize=10, color=\"#505050\", arrowsize=0.7];\n";
    for (const auto& [host, hostName] : m_hosts) {
        dot += "  subgraph cluster_host" + std::to_string(host) + " {\n";
        dot += "    label=" + dotQuote("Host " + hostName) + ";\n";
        dot += "    style=\"rounded\"; color=\"#8090a8\"; fontsize=13;\n";
        for (const CallGraphNode& n : m_nodes) {
            if (n.host != host) continue;
            std::string label = n.function + "\n" + std::string(layer_name(n.layer));
            if (n.calls > 1) label += "  \xc3\x97" + std::to_string(n.calls);
            const std::string id = n.id();
            dot += "    " + id + " [id=" + dotQuote(id) +
                   ", URL=" + dotQuote("event:" + std::to_string(n.firstEvent)) +
                   ", label=" + dotQuote(label);
            if (n.outside)
                dot += ", style=\"rounded,dashed\", fillcolor=\"#ffffff\", color=\"#909090\", "
                       "fontcolor=\"#606060\"";
            else
                dot += ", fillcolor=\"" + hexColor(layerColor(n.layer)) + "\", color=\"" +
                       hexColor(layerOutlineColor(n.layer)) + "\"";
            dot += "];\n";
        }
        dot += "  }\n";
    }
    for (const CallGraphEdge& e : m_edges) {
        const double width = std::min(1.0 + std::log2(double(e.count)), 4.0);
        char pen[16];
        std::snprintf(pen, sizeof pen, "%.1f", width);
        dot += "  " + m_nodes[size_t(e.from)].id() + " -> " + m_nodes[size_t(e.to)].id() +
               " [label=" + dotQuote(std::to_string(e.count)) + ", penwidth=" + pen + "];\n";
    }
    dot += "}\n";
    return dot;
}

} // namespace skbscope::ui
