// SkbLayout: the sk_buff diagram as geometry, no widget. From one SkbSnapshot (core/trace/trace.h)
// it finds the headers in the buffer and lays the buffer out along x, to scale:
//
//   head          data                     tail         end
//    |             |                         |            |
//    v             v                         v            v
//    +-------------+-----+-----+-----+-------+------------+-----------------+  +------------+
//    |  headroom   | eth | ip  | tcp |payload|  tailroom  | skb_shared_info |  | page frags |
//    +-------------+-----+-----+-----+-------+------------+-----------------+  +------------+
//
// Headers are found from the mac/network/transport marks, the protocol bytes in the snapshot and
// the pushes that built them (SkbHints: a pushed header is named by the layer of the function that
// pushed it, before any mark is set). Tests check the geometry with data-driven Qt Tests.
#pragma once
#include <QString>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/trace/trace.h"

namespace skbscope::ui {

// sizeof(struct skb_shared_info) on x86-64 (6.x), as core/skb charges it in truesize.
constexpr uint32_t kSkbSharedInfoBytes = 320;

enum class SkbHeader : uint8_t { Ethernet, Arp, Ipv4, Tcp, Udp, Icmp, Other };
QString skbHeaderName(SkbHeader h); // "Ethernet", "ARP", "IPv4", "TCP", "UDP", "ICMP", "header"
// Link 0, network 1, transport 2 (Other: 3): the order a transmit path pushes them in reverse.
int skbHeaderRank(SkbHeader h);
// The header a function of this layer builds in front of skb->data on transmit: tcp -> TCP,
// ipv4 -> IPv4, neighbour/netdev -> Ethernet, ...; nullopt for layers that build none.
std::optional<SkbHeader> headerBuiltByLayer(Layer layer);

// One skb_push as the stack did it: [offset, offset + length) from head, named by its function.
struct SkbPush {
    uint32_t offset = 0, length = 0;
    SkbHeader header = SkbHeader::Other;
};

// What earlier snapshots of the same sk_buff tell about this one (SkbStateIndex computes them).
struct SkbHints {
    uint8_t ipProto = 0;         // the IPv4 Protocol byte once seen, 0 = unknown
    std::vector<SkbPush> pushes; // the pushes since allocation, oldest first
};

// A header in the buffer, [offset, offset + length) from head. marked: found from a header mark
// (else from a push whose mark is not set yet).
struct SkbHeaderSpan {
    SkbHeader header = SkbHeader::Other;
    uint32_t offset = 0, length = 0;
    bool marked = false;
    bool operator==(const SkbHeaderSpan&) const = default;
};

// The headers of a snapshot, sorted by offset, never overlapping, each inside [0, tail). bytes are
// the snapshot's blob (from head + data). Headers before data (pulled on receive) are kept.
std::vector<SkbHeaderSpan> identifySkbHeaders(const SkbSnapshot& s, std::span<const uint8_t> bytes,
                                              const SkbHints& hints);

class SkbLayout final {
  public:
    enum class Kind : uint8_t { Headroom, Header, Payload, Tailroom, SharedInfo, PageFrags };
    struct Region {
        Kind kind = Kind::Payload;
        SkbHeader header = SkbHeader::Other; // for Kind::Header
        uint32_t offset = 0, length = 0;     // bytes from head (PageFrags: 0, data_len)
        double x = 0, width = 0;
        bool pulled = false;   // a header before data: still in the buffer, no longer in the packet
        bool building = false; // the header the current function is building
    };
    struct Pointer {
        QString name; // "head", "data", "tail", "end"
        uint32_t offset = 0;
        uint64_t address = 0; // head_addr + offset
        double x = 0;
        int row = 0; // label row, so labels of close pointers do not overlap
    };
    struct Mark {
        QString name; // "mac", "network", "transport"
        uint32_t offset = 0;
        double x = 0;
    };

    // Lays the buffer out in [0, width). Scaling: every region of n > 0 bytes gets n * scale pixels,
    // but never less than minWidth (so its label fits); the regions held at minWidth are taken out
    // and the scale is solved again for the rest until it is stable, so the widths always add up to
    // width - kFragGap (when there are page frags). Tiny regions are therefore not to scale; all
    // others share one scale. Zero-byte regions get no box (their pointers coincide).
    // labelWidth: the width of one pointer label, to assign label rows.
    SkbLayout(const SkbSnapshot& s, const std::vector<SkbHeaderSpan>& headers, double width, double minWidth,
              double labelWidth, std::optional<SkbHeaderSpan> building = std::nullopt);

    static constexpr double kFragGap = 14; // between skb_shared_info and the page frags box

    const std::vector<Region>& regions() const { return m_regions; }
    const std::vector<Pointer>& pointers() const { return m_pointers; }
    const std::vector<Mark>& marks() const { return m_marks; }
    const Pointer* pointer(const QString& name) const;
    // The first region of this header, or nullptr.
    const Region* headerRegion(SkbHeader h) const;
    // x of a byte offset from head in the linear buffer [0, end + shared info]; offsets at a
    // boundary map to the boundary.
    double offsetToX(uint32_t offset) const;
    double scale() const { return m_scale; } // pixels per byte of the regions to scale
    int labelRows() const { return m_labelRows; }

  private:
    void addRegion(Kind kind, uint32_t offset, uint32_t length, SkbHeader header = SkbHeader::Other);
    void scaleRegions(double width, double minWidth);

    std::vector<Region> m_regions;
    std::vector<Pointer> m_pointers;
    std::vector<Mark> m_marks;
    double m_scale = 0;
    int m_labelRows = 1;
};

} // namespace skbscope::ui
