// SkbStateIndex: per-skb snapshot lists and hints built once per document, looked up per cursor
// move with a binary search over one skb's snapshots (plus the open frames for the building header).
#include "ui/skbstate.h"

#include <algorithm>

#include "ui/eventtext.h"

namespace skbscope::ui {

namespace {

constexpr size_t kMaxPushes = 8; // a packet has a handful of headers; older pushes are forgotten

bool carriesSnapshot(EventKind k) {
    return k == EventKind::SkbAlloc || k == EventKind::SkbPtr || k == EventKind::SkbFree;
}

// The IPv4 Protocol byte of a snapshot whose blob holds the IPv4 header: at the network mark, or
// (receive, before ip_rcv sets the mark) right after a pulled Ethernet header. 0 when unknown.
uint8_t ipProtoOf(const SkbSnapshot& s, std::span<const uint8_t> bytes) {
    uint32_t off = 0xffffffffu;
    if (s.network_header != 0xffff && s.network_header >= s.data)
        off = s.network_header;
    else if (s.mac_header != 0xffff && s.mac_header + 14u == s.data)
        off = s.data;
    if (off == 0xffffffffu || off - s.data + 20 > bytes.size()) return 0;
    const uint8_t* ip = bytes.data() + (off - s.data);
    if ((ip[0] >> 4) != 4 || (ip[0] & 0xf) < 5) return 0;
    return ip[9];
}

} // namespace

void SkbStateIndex::clear() {
    m_doc.reset();
    m_perSkb.clear();
    m_heads.clear();
}

void SkbStateIndex::build(const TraceDocumentPtr& doc) {
    clear();
    m_doc = doc;
    if (!doc) return;
    const Trace& t = doc->trace();
    for (uint32_t i = 0; i < doc->eventCount(); ++i) {
        const TraceEvent& e = doc->event(i);
        if (!carriesSnapshot(e.kind) || e.skb == 0) continue;
        const SkbSnapshot* s = t.snapshot(e.ref);
        if (!s) continue;
        PerSkb& p = m_perSkb[e.skb];
        SkbHints h = (p.hints.empty() || e.kind == EventKind::SkbAlloc) ? SkbHints{} : p.hints.back();
        if (e.kind == EventKind::SkbPtr && e.a[0] > 0 && t.str(e.name) == "skb_push") {
            // The header a push makes is the header of the layer of the function that pushed.
            SkbPush push{s->data, uint32_t(e.a[0]), SkbHeader::Other};
            if (const auto fn = doc->functionOf(doc->frameOf(i)))
                push.header = headerBuiltByLayer(fn_info(*fn).layer).value_or(SkbHeader::Other);
            h.pushes.push_back(push);
            if (h.pushes.size() > kMaxPushes) h.pushes.erase(h.pushes.begin());
        }
        const auto bytes = s->bytes < t.blob_count() ? t.blob(s->bytes) : std::span<const uint8_t>();
        if (const uint8_t proto = ipProtoOf(*s, bytes)) h.ipProto = proto;
        p.events.push_back(i);
        p.hints.push_back(std::move(h));
    }
    // Which skb uses which data buffer when: a use runs from its first snapshot with that head to
    // the snapshot before the head changes (pskb_expand_head), or to the free, or to the end.
    for (const auto& [skb, p] : m_perSkb) {
        HeadUse* open = nullptr;
        uint64_t head = 0;
        for (uint32_t ev : p.events) {
            const TraceEvent& e = doc->event(ev);
            const SkbSnapshot* s = t.snapshot(e.ref);
            if (!open || s->head_addr != head) {
                if (open) open->last = ev - 1;
                head = s->head_addr;
                auto& uses = m_heads[head];
                uses.push_back(HeadUse{skb, ev, doc->eventCount()});
                open = &uses.back();
            }
            if (e.kind == EventKind::SkbFree) open->last = ev;
        }
    }
}

const std::vector<uint32_t>* SkbStateIndex::snapshotEvents(uint32_t skb) const {
    const auto it = m_perSkb.find(skb);
    return it == m_perSkb.end() ? nullptr : &it->second.events;
}

int SkbStateIndex::latestAt(const PerSkb& p, uint32_t cursor) const {
    const auto it = std::upper_bound(p.events.begin(), p.events.end(), cursor);
    return int(it - p.events.begin()) - 1;
}

SkbState SkbStateIndex::stateAt(int cursor) const {
    SkbState st;
    if (!m_doc || cursor < 0 || !m_doc->isValid(uint32_t(cursor))) return st;
    const auto c = uint32_t(cursor);
    std::vector<uint32_t> candidates{m_doc->event(c).skb};
    for (uint32_t frame : m_doc->callStack(c))
        candidates.push_back(m_doc->event(frame).skb);
    const Trace& t = m_doc->trace();
    for (uint32_t skb : candidates) {
        if (skb == 0) continue;
        const auto it = m_perSkb.find(skb);
        if (it == m_perSkb.end()) continue;
        const int k = latestAt(it->second, c);
        if (k < 0) continue;
        st.skb = skb;
        st.event = it->second.events[size_t(k)];
        st.snapshot = t.snapshot(m_doc->event(st.event).ref);
        st.hints = &it->second.hints[size_t(k)];
        if (k > 0) {
            st.previousEvent = it->second.events[size_t(k - 1)];
            st.previous = t.snapshot(m_doc->event(st.previousEvent).ref);
        }
        break;
    }
    if (!st.snapshot) return st;
    if (st.snapshot->bytes < t.blob_count()) st.bytes = t.blob(st.snapshot->bytes);
    st.headers = identifySkbHeaders(*st.snapshot, st.bytes, *st.hints);
    st.building = buildingAt(c, st);
    if (st.snapshot->cloned || st.snapshot->dataref > 1) {
        const auto uses = m_heads.find(st.snapshot->head_addr);
        if (uses != m_heads.end())
            for (const HeadUse& u : uses->second)
                if (u.skb != st.skb && u.first <= c && c <= u.last) st.sharing.push_back(u.skb);
        std::sort(st.sharing.begin(), st.sharing.end());
    }
    return st;
}

std::optional<SkbBuilding> SkbStateIndex::buildingAt(uint32_t cursor, const SkbState& st) const {
    if (m_doc->event(st.event).kind == EventKind::SkbFree) return std::nullopt;
    // The innermost open function that is not an skb helper (skb_clone...) or a netfilter hook.
    uint32_t f = m_doc->frameOf(cursor);
    std::optional<Fn> fn;
    for (; f != TraceDocument::kNone; f = m_doc->parent(f)) {
        fn = m_doc->functionOf(f);
        if (fn && fn_info(*fn).layer != Layer::Mem && fn_info(*fn).layer != Layer::Netfilter) break;
    }
    if (f == TraceDocument::kNone || !fn) return std::nullopt;
    const Layer layer = fn_info(*fn).layer;
    // netdev and the driver send what is built; only protocol layers (and neighbour) build.
    if (layer == Layer::Dev) return std::nullopt;
    const std::optional<SkbHeader> k = headerBuiltByLayer(layer);
    if (!k) return std::nullopt;
    const SkbSnapshot& s = *st.snapshot;
    // A header left before data means the packet came up from below: it is parsed, not built.
    for (const SkbHeaderSpan& h : st.headers)
        if (h.marked && h.offset < s.data) return std::nullopt;
    const auto atData = std::find_if(st.headers.begin(), st.headers.end(),
                                     [&](const SkbHeaderSpan& h) { return h.offset == s.data; });
    if (atData != st.headers.end() && atData->header == *k)
        return SkbBuilding{*k, atData->offset, atData->length, true, f};
    // data still at a higher layer's header: this layer pushes its own in front next. (UDP and ICMP
    // write theirs in place, in room ip_append_data made: no header at data, no claim.)
    if (atData != st.headers.end() && skbHeaderRank(atData->header) > skbHeaderRank(*k))
        return SkbBuilding{*k, s.data, 0, false, f};
    return std::nullopt;
}

QString SkbState::lastOpText(const TraceDocument& doc) const {
    if (!valid()) return {};
    const TraceEvent& e = doc.event(event);
    const QString name = toQString(doc.trace().event_name(e));
    switch (e.kind) {
    case EventKind::SkbPtr:
        return QStringLiteral("%1 %2").arg(name).arg(e.a[0]);
    case EventKind::SkbAlloc:
        return QStringLiteral("%1 (%2 bytes)").arg(name).arg(e.a[0]);
    case EventKind::SkbFree:
        if (e.a[0] < 0 || e.a[0] >= int64_t(kDropReasonCount)) return name;
        return QStringLiteral("%1 (%2)").arg(name, toQString(drop_reason_name(DropReason(e.a[0]))));
    default:
        return name;
    }
}

} // namespace skbscope::ui
