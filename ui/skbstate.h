// SkbStateIndex: the sk_buff at a cursor position, for the sk_buff and Packet panels. Built once
// per document (O(events)): per sk_buff id, the events that carry a snapshot (SkbAlloc, SkbPtr,
// SkbFree: ref = snapshot) with what earlier snapshots tell about it (SkbHints), and per data
// buffer (head_addr) the sk_buffs using it and when. A cursor lookup is a binary search.
// SIMPLIFICATION: the building header is inferred from the layer of the innermost open protocol
// function and skb->data (no per-function list): a header written in place before any mark is set
// (UDP's, in ip_append_data's room) shows only once a later snapshot has the marks.
#pragma once
#include <QString>

#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "ui/skblayout.h"
#include "ui/tracedocument.h"

namespace skbscope::ui {

// The header the function at the cursor is building (transmit path): its layer's header
// (headerBuiltByLayer) when that header starts at skb->data (pushed), or when skb->data still
// points at a higher layer's header (about to be pushed in front of it).
struct SkbBuilding {
    SkbHeader header = SkbHeader::Other;
    uint32_t offset = 0, length = 0; // from head; length 0 when not pushed yet
    bool pushed = false;
    uint32_t function = TraceDocument::kNone; // the FuncEnter of the building function
};

struct SkbState {
    uint32_t skb = 0;                              // 0: no sk_buff at the cursor
    uint32_t event = TraceDocument::kNone;         // the event whose snapshot is shown
    uint32_t previousEvent = TraceDocument::kNone; // the same skb's snapshot before it
    const SkbSnapshot* snapshot = nullptr;
    const SkbSnapshot* previous = nullptr;
    std::span<const uint8_t> bytes; // the snapshot's bytes from head + data
    const SkbHints* hints = nullptr;
    std::vector<SkbHeaderSpan> headers; // identifySkbHeaders of the snapshot
    std::optional<SkbBuilding> building;
    std::vector<uint32_t> sharing; // other skbs on the same data buffer now

    bool valid() const { return snapshot != nullptr; }
    // "skb_push 40", "__alloc_skb", "kfree_skb (dropped)": the event whose snapshot is shown.
    QString lastOpText(const TraceDocument& doc) const;
};

class SkbStateIndex final {
  public:
    void build(const TraceDocumentPtr& doc);
    void clear();

    // The sk_buff of event `cursor` (or, when it names none, of the innermost enclosing function
    // that names one) in its latest snapshot at or before the cursor.
    SkbState stateAt(int cursor) const;
    // The sk_buff ids with snapshots, for tests.
    size_t skbCount() const { return m_perSkb.size(); }
    // The snapshot events of one sk_buff, in trace order.
    const std::vector<uint32_t>* snapshotEvents(uint32_t skb) const;

  private:
    struct PerSkb {
        std::vector<uint32_t> events;
        std::vector<SkbHints> hints; // parallel to events
    };
    struct HeadUse {
        uint32_t skb = 0;
        uint32_t first = 0, last = 0; // events during which skb used this buffer
    };
    // The latest snapshot index of skb at or before cursor in its PerSkb, or -1.
    int latestAt(const PerSkb& p, uint32_t cursor) const;
    std::optional<SkbBuilding> buildingAt(uint32_t cursor, const SkbState& st) const;

    TraceDocumentPtr m_doc;
    std::unordered_map<uint32_t, PerSkb> m_perSkb;
    std::unordered_map<uint64_t, std::vector<HeadUse>> m_heads;
};

} // namespace skbscope::ui
