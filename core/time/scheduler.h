// Virtual-time discrete-event scheduler. Time is in nanoseconds and never comes from a wall clock.
// Events run in (time, insertion order) order, so equal-time events are deterministic. Each event
// names the execution context it runs in (a task, a softirq, a hardirq, a NIC, a link); the Sim
// switches the recorder to that context before running it.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <utility>

namespace skbscope {

using TimeNs = uint64_t;
using ContextId = uint16_t;

constexpr TimeNs kNsPerUs = 1000;
constexpr TimeNs kNsPerMs = 1000 * 1000;
constexpr TimeNs kNsPerSec = 1000 * 1000 * 1000;

class Scheduler {
public:
    using Callback = std::function<void()>;
    struct EventId {
        uint64_t id = 0;
        explicit operator bool() const { return id != 0; }
    };

    // Schedules cb to run at time t (clamped to now()) in context ctx.
    EventId schedule_at(TimeNs t, ContextId ctx, Callback cb);
    // Removes a pending event; false if it already ran or was cancelled.
    bool cancel(EventId id);
    bool pending(EventId id) const { return m_index.count(id.id) != 0; }

    // Global virtual time: the time of the event being run (or last run).
    TimeNs now() const { return m_now; }
    bool empty() const { return m_queue.empty(); }
    size_t size() const { return m_queue.size(); }
    TimeNs next_time() const { return m_queue.empty() ? m_now : m_queue.begin()->first.first; }

    // Pops the earliest event. Returns false when none is pending.
    struct Due {
        TimeNs time;
        ContextId ctx;
        Callback cb;
    };
    bool pop(Due& out);

private:
    using Key = std::pair<TimeNs, uint64_t>;
    struct Entry {
        ContextId ctx;
        Callback cb;
    };
    std::map<Key, Entry> m_queue;
    std::map<uint64_t, TimeNs> m_index; // event id -> time, for cancel
    uint64_t m_next = 1;
    TimeNs m_now = 0;
};

} // namespace skbscope
