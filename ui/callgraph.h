// CallGraph: the functions one packet passed through (Packet mode), or the calls nested under the
// function at the cursor (Subtree mode), as a graph of caller -> callee edges counted over every
// call, one node per function and host, grouped per host. It writes the graph as Graphviz DOT; the
// layout into SVG is callgraphlayout.h. No widget: the panel is callgraphview.h.
// SIMPLIFICATION: one node per (host, function), not per call site, so recursion and two callers of
// the same function merge, as gprof's call graph does; a graph past maxNodes keeps the first nodes
// in trace order and says how many it left out.
#pragma once
#include <QCoreApplication>
#include <QString>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ui/tracedocument.h"

namespace skbscope::ui {

enum class CallGraphMode { Packet, Subtree };

struct CallGraphNode {
    uint32_t firstEvent = TraceDocument::kNone; // the FuncEnter a click on the node jumps to
    HostId host = 0;
    std::string function;
    Layer layer = Layer::Lab;
    int calls = 0;        // FuncEnters of this function inside the graph's set
    bool outside = false; // only a caller of the set (Packet mode: called with no packet), shown dashed
    // The DOT/SVG id of the node: "fn_<firstEvent>".
    std::string id() const { return "fn_" + std::to_string(firstEvent); }
};

struct CallGraphEdge {
    int from = 0, to = 0; // node indexes
    int count = 0;        // how many calls went along this edge
};

class CallGraph final {
    Q_DECLARE_TR_FUNCTIONS(CallGraph)
  public:
    static constexpr int kDefaultMaxNodes = 300;

    // Packet: every FuncEnter whose flow is the cursor event's flow, each joined to its caller
    // (TraceDocument::parent). Subtree: the frame at the cursor (TraceDocument::frameOf) and every
    // call nested in it. An empty graph says why in emptyReason(). O(events of the packet) or
    // O(events of the frame's context between its enter and exit); safe on a worker thread.
    static CallGraph build(const TraceDocument& doc, uint32_t cursor, CallGraphMode mode,
                           int maxNodes = kDefaultMaxNodes);

    // What identifies the graph at a cursor position: the flow (Packet) or the root frame (Subtree).
    // Two cursor positions with the same key give the same graph, so the view lays it out once.
    static uint64_t keyAt(const TraceDocument& doc, uint32_t cursor, CallGraphMode mode);

    CallGraphMode mode() const { return m_mode; }
    const std::vector<CallGraphNode>& nodes() const { return m_nodes; }
    const std::vector<CallGraphEdge>& edges() const { return m_edges; }
    bool empty() const { return m_nodes.empty(); }
    const QString& emptyReason() const { return m_emptyReason; }
    // "Packet 3: 41 functions on 3 hosts" / "Subtree of tcp_sendmsg on A (event 120): 25 functions"
    const QString& title() const { return m_title; }
    // Nodes left out by the cap, and the number there would have been without it.
    int omittedNodes() const { return m_omitted; }
    int totalNodes() const { return int(m_nodes.size()) + m_omitted; }
    bool truncated() const { return m_omitted > 0; }

    // The node of the function event i runs in (its frame's host and name), or -1.
    int nodeOfEvent(const TraceDocument& doc, uint32_t i) const;
    // The node with this DOT/SVG id ("fn_123"), or -1.
    int nodeById(std::string_view id) const;

    // The graph as DOT: one cluster per host, boxes filled with the layer's colour, labels
    // "function\nlayer  ×calls", edges labelled with their counts, every node with id and URL.
    std::string toDot() const;

    // A DOT double-quoted string: quotes, backslashes and control characters escaped, so a name
    // never ends the string or becomes a Graphviz escape (\N, \l).
    static std::string dotQuote(std::string_view text);
    // "fn_123" -> 123.
    static std::optional<uint32_t> eventOfNodeId(std::string_view id);

  private:
    // The node of the function entered at `enter`, made if new and the cap allows (else -1). inSet:
    // the call belongs to the packet/subtree (counted), not only a caller of it.
    int nodeFor(const TraceDocument& doc, uint32_t enter, bool inSet, int maxNodes);
    static uint64_t functionKey(const TraceDocument& doc, uint32_t enter);
    void addEdge(int from, int to);

    CallGraphMode m_mode = CallGraphMode::Packet;
    std::vector<CallGraphNode> m_nodes;
    std::vector<CallGraphEdge> m_edges;
    std::vector<std::pair<HostId, std::string>>
        m_hosts; // hosts with nodes (id, name), in order of their first node
    QString m_emptyReason, m_title;
    int m_omitted = 0;
    std::unordered_map<uint64_t, int> m_index;      // (host << 32 | function name) -> node
    std::unordered_set<uint64_t> m_omittedKeys;     // functions left out by the cap
    std::map<std::pair<int, int>, int> m_edgeIndex; // (from, to) -> edge
};

} // namespace skbscope::ui
