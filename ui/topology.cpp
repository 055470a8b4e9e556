// Topology: interfaces are gathered from three records, in this order, so the scenario's order is
// kept: the NIC contexts ("eth0 NIC", one per interface as the lab builds them), the lab's
// "ip addr show" Notes (MAC and address), and the ends of the links.
#include "ui/topology.h"

#include <algorithm>
#include <set>

namespace skbscope::ui {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

// "A:eth0" -> host "A", device "eth0".
bool splitEnd(std::string_view end, std::string_view* host, std::string_view* dev) {
    const size_t colon = end.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == end.size()) return false;
    *host = end.substr(0, colon);
    *dev = end.substr(colon + 1);
    return true;
}

// The word after `key ` in text, or empty.
std::string_view wordAfter(std::string_view text, std::string_view key) {
    const size_t at = text.find(key);
    if (at == std::string_view::npos) return {};
    std::string_view rest = text.substr(at + key.size());
    return rest.substr(0, rest.find(' '));
}

} // namespace

bool Topology::parseLinkName(std::string_view name, std::string_view* a, std::string_view* b) {
    const size_t arrow = name.find("<->");
    if (arrow == std::string_view::npos) return false;
    *a = trim(name.substr(0, arrow));
    *b = trim(name.substr(arrow + 3));
    return !a->empty() && !b->empty();
}

bool Topology::parseAddrNote(std::string_view text, std::string* dev, std::string* mac,
                             std::string* address) {
    constexpr std::string_view prefix = "ip addr show ";
    if (text.substr(0, prefix.size()) != prefix) return false;
    const std::string_view rest = text.substr(prefix.size());
    const size_t colon = rest.find(": ");
    if (colon == std::string_view::npos || colon == 0) return false;
    *dev = std::string(rest.substr(0, colon));
    const std::string_view fields = rest.substr(colon + 1);
    *mac = std::string(wordAfter(fields, " link/ether "));
    *address = std::string(wordAfter(fields, " inet "));
    return true;
}

bool Topology::parseVethNote(std::string_view text, std::string* dev, std::string* peer) {
    constexpr std::string_view prefix = "ip link add ";
    if (text.substr(0, prefix.size()) != prefix) return false;
    const std::string_view rest = text.substr(prefix.size());
    const size_t sp = rest.find(' ');
    if (sp == std::string_view::npos || sp == 0 || rest.substr(sp, 11) != " type veth ") return false;
    const std::string_view peerDev = wordAfter(rest, " peer name "), peerHost = wordAfter(rest, " netns ");
    if (peerDev.empty() || peerHost.empty()) return false;
    *dev = std::string(rest.substr(0, sp));
    *peer = std::string(peerHost) + ":" + std::string(peerDev);
    return true;
}

int Topology::hostIndex(HostId id) const {
    for (size_t h = 0; h < m_hosts.size(); ++h)
        if (m_hosts[h].id == id) return int(h);
    return -1;
}

int Topology::interfaceIndex(HostId host, std::string_view name) const {
    for (size_t i = 0; i < m_interfaces.size(); ++i)
        if (m_interfaces[i].host == host && m_interfaces[i].name == name) return int(i);
    return -1;
}

int Topology::linkOfContext(ContextId ctx) const {
    for (size_t l = 0; l < m_links.size(); ++l)
        if (m_links[l].ctx == ctx) return int(l);
    return -1;
}

int Topology::addInterface(HostId host, std::string_view name) {
    if (const int existing = interfaceIndex(host, name); existing >= 0) return existing;
    const int h = hostIndex(host);
    if (h < 0) return -1;
    m_interfaces.push_back(TopoInterface{host, std::string(name), {}, {}});
    const int index = int(m_interfaces.size()) - 1;
    m_hosts[size_t(h)].interfaces.push_back(index);
    return index;
}

void Topology::setDocument(TraceDocumentPtr doc) {
    m_doc = std::move(doc);
    m_hosts.clear();
    m_interfaces.clear();
    m_links.clear();
    m_wires.clear();
    m_longestFlight = 0;
    if (!m_doc) return;
    const Trace& t = m_doc->trace();
    for (size_t h = 0; h < t.hosts.size(); ++h)
        m_hosts.push_back(TopoHost{HostId(h), t.hosts[h], {}});

    constexpr std::string_view nicSuffix = " NIC";
    for (const ContextInfo& c : t.contexts) {
        const std::string_view name = c.name;
        if (c.kind == ContextKind::Nic && name.size() > nicSuffix.size() &&
            name.substr(name.size() - nicSuffix.size()) == nicSuffix)
            addInterface(c.host, name.substr(0, name.size() - nicSuffix.size()));
    }
    std::set<std::string> vethEnds; // "A:eth0" of each veth pair's first end
    for (uint32_t i = 0; i < m_doc->eventCount(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.kind == EventKind::Wire) {
            m_wires.push_back(i);
            const TimeNs arrival = TimeNs(std::max<int64_t>(e.a[2], 0));
            if (arrival > e.time) m_longestFlight = std::max(m_longestFlight, arrival - e.time);
            continue;
        }
        if (e.kind != EventKind::Note || e.layer != Layer::Lab) continue;
        if (e.ctx >= t.contexts.size() || t.contexts[e.ctx].kind == ContextKind::Lab) continue;
        std::string dev, mac, address, peer;
        if (parseVethNote(t.str(e.ref), &dev, &peer)) {
            vethEnds.insert(std::string(t.host_name(t.contexts[e.ctx].host)) + ":" + dev);
            continue;
        }
        if (!parseAddrNote(t.str(e.ref), &dev, &mac, &address)) continue;
        const int itf = addInterface(t.contexts[e.ctx].host, dev);
        if (itf < 0) continue;
        m_interfaces[size_t(itf)].mac = mac;
        m_interfaces[size_t(itf)].address = address;
    }
    std::stable_sort(m_wires.begin(), m_wires.end(),
                     [&](uint32_t a, uint32_t b) { return t.events[a].time < t.events[b].time; });

    for (size_t c = 0; c < t.contexts.size(); ++c) {
        if (t.contexts[c].kind != ContextKind::Link) continue;
        TopoLink link;
        link.name = t.contexts[c].name;
        link.ctx = ContextId(c);
        std::string_view ends[2];
        if (parseLinkName(link.name, &ends[0], &ends[1])) {
            link.veth = vethEnds.count(std::string(ends[0])) != 0;
            for (int side = 0; side < 2; ++side) {
                std::string_view host, dev;
                if (!splitEnd(ends[side], &host, &dev)) continue;
                const auto it = std::find(t.hosts.begin(), t.hosts.end(), host);
                if (it != t.hosts.end()) link.ends[side] = addInterface(HostId(it - t.hosts.begin()), dev);
            }
        }
        m_links.push_back(std::move(link));
    }
}

std::vector<FrameInFlight> Topology::framesInFlight(TimeNs t) const {
    std::vector<FrameInFlight> frames;
    if (!m_doc) return frames;
    const Trace& trace = m_doc->trace();
    const TimeNs earliest = t > m_longestFlight ? t - m_longestFlight : 0;
    auto it = std::lower_bound(m_wires.begin(), m_wires.end(), earliest,
                               [&](uint32_t i, TimeNs v) { return trace.events[i].time < v; });
    for (; it != m_wires.end() && trace.events[*it].time <= t; ++it) {
        const TraceEvent& e = trace.events[*it];
        const TimeNs sent = e.time;
        const TimeNs arrival = TimeNs(std::max<int64_t>(e.a[2], 0));
        if (arrival <= t) continue;
        FrameInFlight f;
        f.event = *it;
        f.link = linkOfContext(e.ctx);
        f.fromPort = e.a[1] == 1 ? 1 : 0;
        f.fraction = double(t - sent) / double(arrival - sent);
        f.fate = e.a[3] >= 0 && e.a[3] <= 4 ? WireFate(e.a[3]) : WireFate::Delivered;
        f.flow = e.flow;
        f.length = e.a[0];
        frames.push_back(f);
    }
    return frames;
}

int Topology::hostOfEvent(uint32_t i) const {
    if (!m_doc || !m_doc->isValid(i)) return -1;
    const TraceEvent& e = m_doc->event(i);
    const auto& contexts = m_doc->trace().contexts;
    if (e.ctx >= contexts.size() || contexts[e.ctx].kind == ContextKind::Lab || linkOfEvent(i) >= 0)
        return -1;
    return hostIndex(contexts[e.ctx].host);
}

int Topology::linkOfEvent(uint32_t i) const {
    if (!m_doc || !m_doc->isValid(i)) return -1;
    return linkOfContext(m_doc->event(i).ctx);
}

} // namespace skbscope::ui
