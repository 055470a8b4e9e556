// Reports over a whole trace: one packet's journey (its events grouped into hops, one hop per stay
// in a context) and the summary `skbscope-cli info` prints (counts, frames, sk_buffs, drops with
// their Linux reasons and the function that dropped).
#include "core/trace/query.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_set>

#include "core/trace/trace_names.h"

namespace skbscope {

namespace {
constexpr size_t kMaxIndent = 40;

std::string pad(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

// The function a drop happened in: the innermost enclosing call outside the sk_buff layer (the
// caller of kfree_skb_reason, not kfree_skb_reason itself).
std::string dropping_function(const Trace& t, const CallIndex& idx, size_t i) {
    size_t cur = idx.parent(i);
    size_t guard = 0;
    while (cur != kNoEvent && t.events[cur].layer == Layer::Mem && guard++ < 64)
        cur = idx.parent(cur);
    if (cur == kNoEvent) return std::string(t.str(t.events[i].name));
    return std::string(t.str(t.events[cur].name));
}
} // namespace

Result<PacketJourney> packet_journey(const Trace& t, uint32_t flow) {
    PacketJourney j;
    j.flow = flow;
    uint32_t max_flow = 0;
    for (size_t i = 0; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        max_flow = std::max(max_flow, e.flow);
        if (flow == 0 || e.flow != flow) continue;
        if (j.hops.empty() || j.hops.back().ctx != e.ctx) j.hops.push_back(JourneyHop{e.ctx, {}});
        j.hops.back().events.push_back(i);
        std::string_view host = context_host_name(t, e.ctx);
        auto it = std::find_if(j.hosts.begin(), j.hosts.end(),
                               [&](const HostSummary& h) { return h.host == host; });
        if (it == j.hosts.end()) {
            j.hosts.push_back(HostSummary{std::string(host), 0, e.time, e.time, 0, 0});
            it = j.hosts.end() - 1;
        }
        it->first_ns = std::min(it->first_ns, e.time);
        it->last_ns = std::max(it->last_ns, e.time);
        if (e.kind == EventKind::FuncEnter) ++it->functions;
        if (e.kind == EventKind::Wire) ++it->frames_sent;
        if (e.kind == EventKind::SkbFree && e.a[0] != static_cast<int64_t>(DropReason::NotDropped))
            ++it->drops;
    }
    if (j.hops.empty())
        return make_error(
            "no packet " + std::to_string(flow) + " in the trace" +
            (max_flow ? " (packets are 1.." + std::to_string(max_flow) + ")" : " (it has no packets)"));
    return j;
}

std::string render_journey(const Trace& t, const PacketJourney& j) {
    std::string out = "# packet " + std::to_string(j.flow) + ": " + std::to_string(j.hops.size()) + " hops\n";
    for (size_t h = 0; h < j.hops.size(); ++h) {
        const JourneyHop& hop = j.hops[h];
        const TraceEvent& first = t.events[hop.events.front()];
        out += "\n[" + std::to_string(h + 1) + "] " + std::string(context_host_name(t, hop.ctx)) + " / " +
               std::string(context_name(t, hop.ctx)) + "  @" + format_time(first.time) + "\n";
        uint16_t base = 0xffff;
        for (size_t i : hop.events)
            base = std::min(base, t.events[i].depth);
        for (size_t i : hop.events) {
            const TraceEvent& e = t.events[i];
            if (e.kind == EventKind::FuncExit || e.kind == EventKind::SkbPtr || e.kind == EventKind::Counter)
                continue;
            size_t indent = std::min<size_t>(e.depth - base, kMaxIndent);
            std::string text = describe_event(t, i);
            if (e.kind == EventKind::SkbFree && e.a[0] != static_cast<int64_t>(DropReason::NotDropped))
                text = "DROPPED: " + text + " (" +
                       std::string(drop_reason_explanation(static_cast<DropReason>(e.a[0]))) + ")";
            out += "  " + pad(format_time(e.time), 14) + std::string(2 * indent, ' ') +
                   (e.kind == EventKind::FuncEnter ? "" : "- ") + text + "\n";
        }
    }
    out += "\n# summary\n";
    for (const HostSummary& s : j.hosts) {
        out += "  " + pad(s.host, 8) + std::to_string(s.functions) + " functions, " +
               format_time(s.first_ns) + " .. " + format_time(s.last_ns);
        if (s.frames_sent) out += ", " + std::to_string(s.frames_sent) + " frame(s) on the wire";
        if (s.drops) out += ", DROPPED " + std::to_string(s.drops) + " time(s)";
        out += "\n";
    }
    return out;
}

TraceInfo trace_info(const Trace& t) {
    TraceInfo info;
    info.events = t.events.size();
    info.events_per_context.assign(t.contexts.size(), 0);
    info.per_kind.assign(static_cast<size_t>(EventKind::Count_), 0);
    info.per_layer.assign(kLayerCount, 0);
    std::unordered_set<uint32_t> allocated, freed, flows;
    CallIndex idx(t);
    for (size_t i = 0; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        info.duration_ns = std::max(info.duration_ns, e.time);
        if (e.ctx < info.events_per_context.size()) ++info.events_per_context[e.ctx];
        if (static_cast<size_t>(e.kind) < info.per_kind.size()) ++info.per_kind[static_cast<size_t>(e.kind)];
        if (static_cast<size_t>(e.layer) < info.per_layer.size())
            ++info.per_layer[static_cast<size_t>(e.layer)];
        if (e.flow) flows.insert(e.flow);
        switch (e.kind) {
        case EventKind::Wire: {
            auto& l = info.links[std::string(e.ref != kNoRef ? t.str(e.ref) : t.str(e.name))];
            ++l.frames;
            l.bytes += static_cast<uint64_t>(std::max<int64_t>(e.a[0], 0));
            break;
        }
        case EventKind::SkbAlloc:
            ++info.skbs_allocated;
            allocated.insert(e.skb);
            break;
        case EventKind::SkbFree:
            ++info.skbs_freed;
            freed.insert(e.skb);
            if (e.a[0] != static_cast<int64_t>(DropReason::NotDropped)) {
                ++info.drop_count;
                ++info.drops[drop_reason_linux_name(e.a[0])][dropping_function(t, idx, i)];
            }
            break;
        case EventKind::Warning:
            ++info.warnings;
            break;
        case EventKind::Error:
            ++info.errors;
            break;
        default:
            break;
        }
    }
    for (uint32_t id : allocated)
        if (!freed.count(id)) ++info.skbs_live;
    info.packets = flows.size();
    return info;
}

std::string render_info(const Trace& t, const TraceInfo& info) {
    std::string out;
    out += "scenario:  " + (t.scenario.empty() ? std::string("(none)") : t.scenario) + "\n";
    out += "seed:      " + std::to_string(t.seed) + "\n";
    out += "events:    " + std::to_string(info.events) + "\n";
    out += "duration:  " + format_time(info.duration_ns) + " (virtual)\n";
    out += "packets:   " + std::to_string(info.packets) + "\n";
    out += "\nhosts and contexts:\n";
    // Group contexts by the name of their host, hosts in their order, then links and the lab.
    std::vector<std::string> groups(t.hosts.begin(), t.hosts.end());
    groups.push_back("lab");
    for (const std::string& g : groups) {
        bool header = false;
        for (ContextId c = 0; c < t.contexts.size(); ++c) {
            if (context_host_name(t, c) != g) continue;
            if (t.contexts[c].kind == ContextKind::Lab && info.events_per_context[c] == 0) continue;
            if (!header) out += "  " + g + "\n";
            header = true;
            out += "    " + pad(t.contexts[c].name, 28) +
                   pad(std::string(context_kind_name(t.contexts[c].kind)), 9) +
                   std::to_string(info.events_per_context[c]) + " events\n";
        }
        if (!header && g != "lab") out += "  " + g + "\n    (no contexts)\n";
    }
    out += "\nevents per kind:\n";
    for (size_t k = 0; k < info.per_kind.size(); ++k)
        if (info.per_kind[k])
            out += "  " + pad(std::string(event_kind_name(static_cast<EventKind>(k))), 12) +
                   std::to_string(info.per_kind[k]) + "\n";
    out += "\nevents per layer:\n";
    for (size_t l = 0; l < info.per_layer.size(); ++l)
        if (info.per_layer[l])
            out += "  " + pad(std::string(layer_name(static_cast<Layer>(l))), 12) +
                   std::to_string(info.per_layer[l]) + "\n";
    out += "\nframes per link:\n";
    if (info.links.empty()) out += "  (none)\n";
    for (const auto& [name, l] : info.links)
        out += "  " + pad(name, 28) + std::to_string(l.frames) + " frames, " + std::to_string(l.bytes) +
               " bytes\n";
    out += "\nsk_buffs:  " + std::to_string(info.skbs_allocated) + " allocated, " +
           std::to_string(info.skbs_freed) + " freed, " + std::to_string(info.skbs_live) +
           " live at the end\n";
    out += "drops:     " + std::to_string(info.drop_count) + "\n";
    for (const auto& [reason, fns] : info.drops)
        for (const auto& [fn, n] : fns)
            out += "  " + pad(reason, 40) + pad(std::to_string(n), 6) + "in " + fn + "\n";
    out +=
        "warnings:  " + std::to_string(info.warnings) + "\nerrors:    " + std::to_string(info.errors) + "\n";
    return out;
}

} // namespace skbscope
