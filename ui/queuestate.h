// QueueState: the state of every queue and every descriptor ring of a trace at any cursor index, for
// the queues panel. Built once per document (one pass over the events): each queue instance keeps
// its Queue events as a sorted list of (event index, qlen, bytes), each ring its Ring events, so the
// state at an index is a binary search. No widget: the tests read it directly.
//
// A ring has two writers: the driver records next_to_use/next_to_clean (head and tail -1), the device
// records its head/tail registers and one DescState byte per descriptor (next_to_use/clean -1), see
// nic/device/e1000_regs.h. The state at an index combines the latest event of each.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ui/tracedocument.h"

namespace skbscope::ui {

// The states of nic/device/e1000_regs.h's DescState (the byte in the Ring event's blob), plus
// Cleaned: finished by the NIC and since reclaimed by the driver (next_to_clean moved past it).
// Processed without DD is a descriptor of a multi-descriptor packet that is not its last: the NIC
// writes status back only where the driver set RS (e1000 sets it on the packet's last descriptor).
enum class SlotState : uint8_t { Empty = 0, Posted = 1, Fetched = 2, Processed = 3, WrittenBack = 4, Cleaned = 5 };
constexpr int kSlotStateCount = 6;
const char* slotStateName(SlotState s); // "empty (driver's)", "posted (NIC's)", ...

struct QueueSample {
    uint32_t event = 0; // index of the Queue event
    QueueOp op = QueueOp::Enqueue;
    int64_t qlen = 0;
    int64_t bytes = 0;
};

// One queue instance: a kind ("qdisc", "sk_write_queue", "poll_list") of one owner ("A:eth0").
struct QueueTrack {
    std::string kind;
    std::string instance;
    HostId host = 0;
    int64_t maxQlen = 0, maxBytes = 0; // over the whole trace: the scale of the bars
    std::vector<QueueSample> samples;  // in event order
};

// One descriptor ring ("tx_ring" of "A:eth0"): the indexes of its driver and device Ring events.
struct RingTrack {
    std::string ring;
    std::string dev;
    HostId host = 0;
    bool tx = false;
    uint32_t count = 0; // descriptors (the device's state blob size)
    std::vector<uint32_t> driverEvents, deviceEvents;
};

// A queue at an index; known is false before its first event.
struct QueueValue {
    bool known = false;
    uint32_t event = TraceDocument::kNone;
    QueueOp op = QueueOp::Enqueue;
    int64_t qlen = 0, bytes = 0;
};

// A ring at an index: -1 for what no event has told yet.
struct RingValue {
    uint32_t driverEvent = TraceDocument::kNone, deviceEvent = TraceDocument::kNone;
    int64_t nextToUse = -1, nextToClean = -1, head = -1, tail = -1;
    std::vector<SlotState> descStates; // count entries; Empty before the device's first event
    // Descriptors per state (indexed by SlotState), and how many the driver has handed to the NIC.
    int stateCount(SlotState s) const;
};

class QueueState final {
  public:
    static constexpr int kNone = -1;

    void setDocument(TraceDocumentPtr doc);
    const TraceDocumentPtr& document() const { return m_doc; }

    const std::vector<QueueTrack>& queues() const { return m_queues; }
    const std::vector<RingTrack>& rings() const { return m_rings; }
    // Hosts that have a queue or a ring, in host id order; the queues and rings of one host.
    const std::vector<HostId>& hosts() const { return m_hosts; }
    std::vector<int> queuesOfHost(HostId h) const;
    std::vector<int> ringsOfHost(HostId h) const;

    // The state after event index (events 0..index applied).
    QueueValue queueAt(int track, uint32_t index) const;
    RingValue ringAt(int track, uint32_t index) const;

    // The queue / ring event index changes, or kNone.
    int queueTouchedBy(uint32_t index) const;
    int ringTouchedBy(uint32_t index) const;
    // Find a track by kind and instance ("qdisc", "A:eth0") / ring and device; kNone when absent.
    int findQueue(std::string_view kind, std::string_view instance) const;
    int findRing(std::string_view ring, std::string_view dev) const;

  private:
    static uint64_t key(StrId a, StrId b) { return (uint64_t(a) << 32) | b; }

    TraceDocumentPtr m_doc;
    std::vector<QueueTrack> m_queues;
    std::vector<RingTrack> m_rings;
    std::vector<HostId> m_hosts;
    std::unordered_map<uint64_t, int> m_queueByKey, m_ringByKey; // (name, ref) -> track
};

} // namespace skbscope::ui
