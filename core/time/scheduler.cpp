// Discrete-event queue ordered by (time, insertion sequence).
#include "core/time/scheduler.h"

namespace skbscope {

Scheduler::EventId Scheduler::schedule_at(TimeNs t, ContextId ctx, Callback cb) {
    if (t < m_now) t = m_now;
    uint64_t id = m_next++;
    m_queue.emplace(Key{t, id}, Entry{ctx, std::move(cb)});
    m_index.emplace(id, t);
    return EventId{id};
}

bool Scheduler::cancel(EventId id) {
    auto it = m_index.find(id.id);
    if (it == m_index.end()) return false;
    m_queue.erase(Key{it->second, id.id});
    m_index.erase(it);
    return true;
}

bool Scheduler::pop(Due& out) {
    if (m_queue.empty()) return false;
    auto it = m_queue.begin();
    m_now = it->first.first;
    out.time = it->first.first;
    out.ctx = it->second.ctx;
    out.cb = std::move(it->second.cb);
    m_index.erase(it->first.second);
    m_queue.erase(it);
    return true;
}

} // namespace skbscope
