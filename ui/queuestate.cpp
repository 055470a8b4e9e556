// QueueState: one pass over the events files each Queue and Ring event under its track; lookups
// are binary searches over those sorted event indexes, so stepping the cursor costs O(log n) per
// queue and O(descriptors) per ring, never O(events).
#include "ui/queuestate.h"

#include <algorithm>

namespace skbscope::ui {

const char* slotStateName(SlotState s) {
    switch (s) {
    case SlotState::Empty: return "empty (driver's)";
    case SlotState::Posted: return "posted (NIC's)";
    case SlotState::Fetched: return "fetched by NIC";
    case SlotState::Processed: return "processed by NIC";
    case SlotState::WrittenBack: return "DD written back";
    case SlotState::Cleaned: return "cleaned by driver";
    }
    return "?";
}

int RingValue::stateCount(SlotState s) const {
    return int(std::count(descStates.begin(), descStates.end(), s));
}

void QueueState::setDocument(TraceDocumentPtr doc) {
    m_doc = std::move(doc);
    m_queues.clear();
    m_rings.clear();
    m_hosts.clear();
    m_queueByKey.clear();
    m_ringByKey.clear();
    if (!m_doc) return;

    const Trace& t = m_doc->trace();
    auto hostOf = [&t](const TraceEvent& e) -> HostId {
        return e.ctx < t.contexts.size() ? t.contexts[e.ctx].host : HostId(0);
    };
    std::vector<bool> hostSeen;
    auto noteHost = [&](HostId h) {
        if (h >= hostSeen.size()) hostSeen.resize(size_t(h) + 1, false);
        hostSeen[h] = true;
    };

    for (uint32_t i = 0; i < m_doc->eventCount(); ++i) {
        const TraceEvent& e = m_doc->event(i);
        if (e.kind == EventKind::Queue) {
            auto [it, inserted] = m_queueByKey.try_emplace(key(e.name, e.ref), int(m_queues.size()));
            if (inserted) {
                QueueTrack q;
                q.kind = std::string(t.str(e.name));
                q.instance = std::string(t.str(e.ref));
                q.host = hostOf(e);
                noteHost(q.host);
                m_queues.push_back(std::move(q));
            }
            QueueTrack& q = m_queues[size_t(it->second)];
            q.samples.push_back({i, static_cast<QueueOp>(e.a[0] & 0xff), e.a[1], e.a[2]});
            q.maxQlen = std::max(q.maxQlen, e.a[1]);
            q.maxBytes = std::max(q.maxBytes, e.a[2]);
        } else if (e.kind == EventKind::Ring) {
            auto [it, inserted] = m_ringByKey.try_emplace(key(e.name, e.ref), int(m_rings.size()));
            if (inserted) {
                RingTrack r;
                r.ring = std::string(t.str(e.name));
                r.dev = std::string(t.str(e.ref));
                r.host = hostOf(e);
                r.tx = r.ring.rfind("tx", 0) == 0;
                noteHost(r.host);
                m_rings.push_back(std::move(r));
            }
            RingTrack& r = m_rings[size_t(it->second)];
            // The device's events carry its registers and the states; the driver's its indexes.
            if (e.a[2] >= 0 || e.a[3] >= 0) {
                r.deviceEvents.push_back(i);
                if (e.ref2 != kNoRef)
                    r.count = std::max(r.count, uint32_t(t.blob(e.ref2).size()));
            } else {
                r.driverEvents.push_back(i);
            }
        }
    }
    for (HostId h = 0; h < hostSeen.size(); ++h)
        if (hostSeen[h]) m_hosts.push_back(h);
}

std::vector<int> QueueState::queuesOfHost(HostId h) const {
    std::vector<int> out;
    for (size_t i = 0; i < m_queues.size(); ++i)
        if (m_queues[i].host == h) out.push_back(int(i));
    // Grouped by owner (socket, device, softnet_data), in order of first appearance within it.
    std::stable_sort(out.begin(), out.end(),
                     [this](int a, int b) { return m_queues[size_t(a)].instance < m_queues[size_t(b)].instance; });
    return out;
}

std::vector<int> QueueState::ringsOfHost(HostId h) const {
    std::vector<int> out;
    for (size_t i = 0; i < m_rings.size(); ++i)
        if (m_rings[i].host == h) out.push_back(int(i));
    std::stable_sort(out.begin(), out.end(), [this](int a, int b) {
        const RingTrack &ra = m_rings[size_t(a)], &rb = m_rings[size_t(b)];
        return ra.dev != rb.dev ? ra.dev < rb.dev : ra.tx > rb.tx; // per device: TX, then RX
    });
    return out;
}

namespace {
// The last element of a sorted index list that is <= index, or nullptr.
const uint32_t* lastAtOrBefore(const std::vector<uint32_t>& v, uint32_t index) {
    auto it = std::upper_bound(v.begin(), v.end(), index);
    return it == v.begin() ? nullptr : &*(it - 1);
}

// Slot i lies in the circular range [from, to) of a ring of n.
bool inRange(int64_t i, int64_t from, int64_t to, int64_t n) {
    if (from < 0 || to < 0 || n <= 0) return false;
    const int64_t used = ((to - from) % n + n) % n;
    const int64_t off = ((i - from) % n + n) % n;
    return off < used;
}
} // namespace

QueueValue QueueState::queueAt(int track, uint32_t index) const {
    QueueValue v;
    if (track < 0 || size_t(track) >= m_queues.size()) return v;
    const auto& s = m_queues[size_t(track)].samples;
    auto it = std::upper_bound(s.begin(), s.end(), index,
                               [](uint32_t idx, const QueueSample& q) { return idx < q.event; });
    if (it == s.begin()) return v;
    const QueueSample& q = *(it - 1);
    v.known = true;
    v.event = q.event;
    v.op = q.op;
    v.qlen = q.qlen;
    v.bytes = q.bytes;
    return v;
}

RingValue QueueState::ringAt(int track, uint32_t index) const {
    RingValue v;
    if (track < 0 || size_t(track) >= m_rings.size() || !m_doc) return v;
    const RingTrack& r = m_rings[size_t(track)];
    v.descStates.assign(r.count, SlotState::Empty);
    if (const uint32_t* d = lastAtOrBefore(r.driverEvents, index)) {
        const TraceEvent& e = m_doc->event(*d);
        v.driverEvent = *d;
        v.nextToUse = e.a[0];
        v.nextToClean = e.a[1];
    }
    if (const uint32_t* d = lastAtOrBefore(r.deviceEvents, index)) {
        const TraceEvent& e = m_doc->event(*d);
        v.deviceEvent = *d;
        v.head = e.a[2];
        v.tail = e.a[3];
        const auto states = e.ref2 == kNoRef ? std::span<const uint8_t>() : m_doc->trace().blob(e.ref2);
        for (size_t i = 0; i < states.size() && i < v.descStates.size(); ++i)
            v.descStates[i] = states[i] <= uint8_t(SlotState::WrittenBack) ? SlotState(states[i]) : SlotState::Empty;
    }
    // LINUX: e1000's driver has work in [next_to_clean, next_to_use): descriptors given to the NIC
    // and not yet cleaned. A descriptor the NIC finished (written back, or processed without DD: only
    // a packet's last descriptor asks for status with RS) outside that range has been reclaimed.
    if (v.nextToUse >= 0 && v.nextToClean >= 0) {
        for (size_t i = 0; i < v.descStates.size(); ++i)
            if ((v.descStates[i] == SlotState::WrittenBack || v.descStates[i] == SlotState::Processed) &&
                !inRange(int64_t(i), v.nextToClean, v.nextToUse, int64_t(v.descStates.size())))
                v.descStates[i] = SlotState::Cleaned;
    }
    return v;
}

int QueueState::queueTouchedBy(uint32_t index) const {
    if (!m_doc || !m_doc->isValid(index)) return kNone;
    const TraceEvent& e = m_doc->event(index);
    if (e.kind != EventKind::Queue) return kNone;
    auto it = m_queueByKey.find(key(e.name, e.ref));
    return it == m_queueByKey.end() ? kNone : it->second;
}

int QueueState::ringTouchedBy(uint32_t index) const {
    if (!m_doc || !m_doc->isValid(index)) return kNone;
    const TraceEvent& e = m_doc->event(index);
    if (e.kind != EventKind::Ring) return kNone;
    auto it = m_ringByKey.find(key(e.name, e.ref));
    return it == m_ringByKey.end() ? kNone : it->second;
}

int QueueState::findQueue(std::string_view kind, std::string_view instance) const {
    for (size_t i = 0; i < m_queues.size(); ++i)
        if (m_queues[i].kind == kind && m_queues[i].instance == instance) return int(i);
    return kNone;
}

int QueueState::findRing(std::string_view ring, std::string_view dev) const {
    for (size_t i = 0; i < m_rings.size(); ++i)
        if (m_rings[i].ring == ring && m_rings[i].dev == dev) return int(i);
    return kNone;
}

} // namespace skbscope::ui
