// Rebuilds a capture of one interface from Wire events and writes it with core/pcap's writers.
#include "core/trace/export_pcap.h"

#include <algorithm>
#include <set>

#include "core/pcap/pcap_writer.h"

namespace skbscope {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

std::string_view wire_link_name(const Trace& t, const TraceEvent& e) {
    return e.ref != kNoRef ? t.str(e.ref) : t.str(e.name);
}
} // namespace

bool split_link_name(std::string_view link, std::string& left, std::string& right) {
    size_t p = link.find("<->");
    if (p == std::string_view::npos) return false;
    left = trim(link.substr(0, p));
    right = trim(link.substr(p + 3));
    return !left.empty() && !right.empty();
}

std::vector<std::string> trace_interfaces(const Trace& t) {
    std::set<std::string> names;
    std::set<StrId> links;
    for (const TraceEvent& e : t.events)
        if (e.kind == EventKind::Wire) links.insert(e.ref != kNoRef ? e.ref : e.name);
    for (StrId id : links) {
        std::string l, r;
        if (!split_link_name(t.str(id), l, r)) continue;
        names.insert(l);
        names.insert(r);
    }
    return {names.begin(), names.end()};
}

Result<std::vector<CapturedFrame>> interface_frames(const Trace& t, std::string_view iface) {
    std::vector<CapturedFrame> out;
    bool known = false;
    std::string l, r;
    StrId cached = kNoRef;
    bool left = false, right = false;
    for (size_t i = 0; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.kind != EventKind::Wire) continue;
        StrId link = e.ref != kNoRef ? e.ref : e.name;
        if (link != cached) {
            cached = link;
            left = right = false;
            if (split_link_name(wire_link_name(t, e), l, r)) {
                left = l == iface;
                right = r == iface;
            }
        }
        if (!left && !right) continue;
        known = true;
        int port = static_cast<int>(e.a[1]);
        bool sent = (left && port == 0) || (right && port == 1);
        bool received = (left && port == 1) || (right && port == 0);
        auto bytes = e.ref2 == kNoRef ? std::span<const uint8_t>() : t.blob(e.ref2);
        // A duplicate copy was made by the link: the sender sent it once (its original's event).
        // A frame the link lost, or corrupted (the receiving MAC's CRC check discards it), is
        // sent but never received.
        const auto fate = static_cast<WireFate>(e.a[3]);
        if (sent && fate != WireFate::Duplicate) out.push_back(CapturedFrame{e.time, i, true, e.flow, bytes});
        if (received && wire_fate_arrives(e.a[3]))
            out.push_back(CapturedFrame{static_cast<uint64_t>(e.a[2]), i, false, e.flow, bytes});
    }
    if (!known) {
        auto all = trace_interfaces(t);
        std::string list;
        for (const auto& n : all)
            list += (list.empty() ? "" : ", ") + n;
        return make_error("no interface '" + std::string(iface) + "' in the trace (available: " +
                          (list.empty() ? std::string("none, the trace has no frames") : list) + ")");
    }
    std::stable_sort(out.begin(), out.end(), [](const CapturedFrame& a, const CapturedFrame& b) {
        return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.seq < b.seq;
    });
    return out;
}

Result<void> export_pcap(const Trace& t, std::string_view iface, const std::string& path) {
    auto frames = interface_frames(t, iface);
    if (!frames) return frames.error();
    PcapWriter w;
    if (auto r = w.open(path); !r) return r;
    for (const auto& f : *frames)
        if (auto r = w.write(f.bytes, f.time_ns); !r) return r;
    return w.close();
}

Result<void> export_pcapng(const Trace& t, std::string_view iface, const std::string& path) {
    auto frames = interface_frames(t, iface);
    if (!frames) return frames.error();
    PcapngWriter w;
    if (auto r = w.open(path); !r) return r;
    auto id = w.add_interface(iface);
    if (!id) return id.error();
    for (const auto& f : *frames)
        if (auto r = w.write(*id, f.bytes, f.time_ns, "skbscope event #" + std::to_string(f.seq)); !r)
            return r;
    return w.close();
}

} // namespace skbscope
