// SkbLayout: header identification and the to-scale layout of the sk_buff diagram (see the picture
// in skblayout.h). Pure functions of a snapshot; the widget (SkbView) only paints the result.
#include "ui/skblayout.h"

#include <algorithm>
#include <array>

namespace skbscope::ui {

namespace {

constexpr uint16_t kUnset = 0xffff;
constexpr uint16_t kEthPIp = 0x0800;
constexpr uint16_t kEthPArp = 0x0806;
constexpr uint32_t kEthHlen = 14;
constexpr uint32_t kArpLen = 28;  // Ethernet/IPv4 ARP
constexpr uint32_t kL4MinLen = 8; // UDP and ICMP headers

SkbHeader headerForIpProto(uint8_t proto) {
    switch (proto) {
    case 1:
        return SkbHeader::Icmp;
    case 6:
        return SkbHeader::Tcp;
    case 17:
        return SkbHeader::Udp;
    default:
        return SkbHeader::Other;
    }
}

} // namespace

QString skbHeaderName(SkbHeader h) {
    switch (h) {
    case SkbHeader::Ethernet:
        return QStringLiteral("Ethernet");
    case SkbHeader::Arp:
        return QStringLiteral("ARP");
    case SkbHeader::Ipv4:
        return QStringLiteral("IPv4");
    case SkbHeader::Tcp:
        return QStringLiteral("TCP");
    case SkbHeader::Udp:
        return QStringLiteral("UDP");
    case SkbHeader::Icmp:
        return QStringLiteral("ICMP");
    case SkbHeader::Other:
        break;
    }
    return QStringLiteral("header");
}

int skbHeaderRank(SkbHeader h) {
    switch (h) {
    case SkbHeader::Ethernet:
        return 0;
    case SkbHeader::Arp:
    case SkbHeader::Ipv4:
        return 1;
    case SkbHeader::Tcp:
    case SkbHeader::Udp:
    case SkbHeader::Icmp:
        return 2;
    case SkbHeader::Other:
        break;
    }
    return 3;
}

std::optional<SkbHeader> headerBuiltByLayer(Layer layer) {
    switch (layer) {
    case Layer::Tcp:
        return SkbHeader::Tcp;
    case Layer::Udp:
        return SkbHeader::Udp;
    case Layer::Icmp:
        return SkbHeader::Icmp;
    case Layer::Ipv4:
        return SkbHeader::Ipv4;
    case Layer::Neigh: // eth_header, neigh_hh_output, arp_create
    case Layer::Dev:
        return SkbHeader::Ethernet;
    default:
        return std::nullopt;
    }
}

std::vector<SkbHeaderSpan> identifySkbHeaders(const SkbSnapshot& s, std::span<const uint8_t> bytes,
                                              const SkbHints& hints) {
    // A byte of the buffer, when the snapshot's blob (from data) holds it.
    auto byteAt = [&](uint32_t off) -> int {
        if (off < s.data || off - s.data >= bytes.size()) return -1;
        return bytes[off - s.data];
    };
    auto pushAt = [&](uint32_t off) -> const SkbPush* {
        for (auto it = hints.pushes.rbegin(); it != hints.pushes.rend(); ++it)
            if (it->offset == off) return &*it;
        return nullptr;
    };
    const uint32_t limit = s.tail;
    const std::array<uint16_t, 3> marks = {s.mac_header, s.network_header, s.transport_header};
    auto nextMark = [&](uint32_t off) {
        uint32_t n = limit;
        for (uint16_t m : marks)
            if (m != kUnset && m > off && m < n) n = m;
        return n;
    };
    // An IPv4 header at off whose bytes are in the blob: its IHL, else 0.
    auto ipv4HeaderLen = [&](uint32_t off) -> uint32_t {
        const int b = byteAt(off);
        if (b < 0 || (b >> 4) != 4 || (b & 0xf) < 5) return 0;
        return uint32_t(b & 0xf) * 4;
    };

    std::vector<SkbHeaderSpan> out;
    out.reserve(3 + hints.pushes.size());
    if (s.mac_header != kUnset && s.mac_header < limit)
        out.push_back({SkbHeader::Ethernet, s.mac_header,
                       std::min(kEthHlen, nextMark(s.mac_header) - s.mac_header), true});

    uint8_t proto = 0;
    if (s.network_header != kUnset && s.network_header < limit) {
        const uint32_t off = s.network_header;
        SkbHeader h = SkbHeader::Other;
        if (s.protocol == kEthPIp || ipv4HeaderLen(off) != 0)
            h = SkbHeader::Ipv4;
        else if (s.protocol == kEthPArp)
            h = SkbHeader::Arp;
        else if (const SkbPush* p = pushAt(off))
            h = p->header;
        uint32_t len = nextMark(off) - off;
        if (h == SkbHeader::Ipv4) {
            if (const uint32_t ihl = ipv4HeaderLen(off)) {
                len = std::min(len, ihl);
                const int p = byteAt(off + 9);
                if (p >= 0) proto = uint8_t(p);
            } else if (s.transport_header == kUnset) {
                len = std::min(len, 20u);
            }
        } else if (h == SkbHeader::Arp) {
            len = std::min(len, kArpLen);
        }
        out.push_back({h, off, len, true});
    }

    if (s.transport_header != kUnset && s.transport_header < limit) {
        const uint32_t off = s.transport_header;
        if (proto == 0) proto = hints.ipProto;
        SkbHeader h = headerForIpProto(proto);
        const SkbPush* push = pushAt(off);
        if (h == SkbHeader::Other && push) h = push->header;
        uint32_t len = nextMark(off) - off;
        if (h == SkbHeader::Tcp) {
            const int b = byteAt(off + 12);
            if (b >= 0 && (b >> 4) >= 5)
                len = std::min(len, uint32_t(b >> 4) * 4);
            else if (push)
                len = std::min(len, push->length);
            else
                len = std::min(len, 20u);
        } else if (h == SkbHeader::Udp || h == SkbHeader::Icmp) {
            len = std::min(len, kL4MinLen);
        }
        out.push_back({h, off, len, true});
    }

    // Pushed headers whose mark is not set yet (newest first: a later push wins over an older one).
    for (auto it = hints.pushes.rbegin(); it != hints.pushes.rend(); ++it) {
        if (it->length == 0 || it->offset >= limit || it->length > limit - it->offset) continue;
        const bool overlaps = std::any_of(out.begin(), out.end(), [&](const SkbHeaderSpan& h) {
            return it->offset < h.offset + h.length && h.offset < it->offset + it->length;
        });
        if (!overlaps) out.push_back({it->header, it->offset, it->length, false});
    }

    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
    for (size_t i = 0; i + 1 < out.size(); ++i)
        out[i].length = std::min(out[i].length, out[i + 1].offset - out[i].offset);
    std::erase_if(out, [](const SkbHeaderSpan& h) { return h.length == 0; });
    return out;
}

SkbLayout::SkbLayout(const SkbSnapshot& s, const std::vector<SkbHeaderSpan>& headers, double width,
                     double minWidth, double labelWidth, std::optional<SkbHeaderSpan> building) {
    const uint32_t end = s.end;
    const uint32_t data = std::min(s.data, end), tail = std::clamp(s.tail, data, end);
    // Bytes that are no header: headroom before data, payload up to tail, tailroom up to end.
    auto addGap = [&](uint32_t a, uint32_t b) {
        if (a < std::min(b, data)) addRegion(Kind::Headroom, a, std::min(b, data) - a);
        const uint32_t p0 = std::max(a, data), p1 = std::min(b, tail);
        if (p0 < p1) addRegion(Kind::Payload, p0, p1 - p0);
        const uint32_t t0 = std::max(a, tail);
        if (t0 < b) addRegion(Kind::Tailroom, t0, b - t0);
    };
    uint32_t pos = 0;
    for (const SkbHeaderSpan& h : headers) {
        if (h.offset < pos || h.offset >= end) continue;
        const uint32_t len = std::min(h.length, end - h.offset);
        addGap(pos, h.offset);
        addRegion(Kind::Header, h.offset, len, h.header);
        Region& r = m_regions.back();
        r.pulled = h.offset < data;
        r.building = building && building->offset == h.offset && building->header == h.header;
        pos = h.offset + len;
    }
    addGap(pos, end);
    addRegion(Kind::SharedInfo, end, kSkbSharedInfoBytes);
    if (s.data_len > 0) addRegion(Kind::PageFrags, 0, s.data_len);
    scaleRegions(width, minWidth);

    const std::array<std::pair<const char*, uint32_t>, 4> ptrs = {
        {{"head", 0u}, {"data", data}, {"tail", tail}, {"end", end}}};
    std::vector<double> rowEnd;
    for (const auto& [name, off] : ptrs) {
        Pointer p{QString::fromLatin1(name), off, s.head_addr + off, offsetToX(off), 0};
        // Greedy rows: the first row whose last label ends left of this pointer.
        size_t row = 0;
        while (row < rowEnd.size() && rowEnd[row] > p.x)
            ++row;
        if (row == rowEnd.size()) rowEnd.push_back(0);
        rowEnd[row] = p.x + labelWidth;
        p.row = int(row);
        m_pointers.push_back(p);
    }
    m_labelRows = int(rowEnd.size());
    const std::array<std::pair<const char*, uint16_t>, 3> marks = {
        {{"mac", s.mac_header}, {"network", s.network_header}, {"transport", s.transport_header}}};
    for (const auto& [name, off] : marks)
        if (off != kUnset && off <= end) m_marks.push_back({QString::fromLatin1(name), off, offsetToX(off)});
}

void SkbLayout::addRegion(Kind kind, uint32_t offset, uint32_t length, SkbHeader header) {
    if (length == 0) return;
    Region r;
    r.kind = kind;
    r.header = header;
    r.offset = offset;
    r.length = length;
    m_regions.push_back(r);
}

void SkbLayout::scaleRegions(double width, double minWidth) {
    const bool frags = !m_regions.empty() && m_regions.back().kind == Kind::PageFrags;
    const double avail = std::max(0.0, width - (frags ? kFragGap : 0.0));
    const size_t n = m_regions.size();
    if (n == 0) return;
    std::vector<bool> atMin(n, false);
    if (avail < minWidth * double(n)) {
        // Too narrow for every label: equal boxes.
        std::fill(atMin.begin(), atMin.end(), true);
        minWidth = avail / double(n);
    } else {
        // Hold regions that would be narrower than minWidth at minWidth, solve the scale for the
        // rest, repeat until no more region falls below minWidth (at most n rounds).
        for (bool changed = true; changed;) {
            changed = false;
            double bytes = 0, fixed = 0;
            for (size_t i = 0; i < n; ++i)
                atMin[i] ? fixed += minWidth : bytes += m_regions[i].length;
            m_scale = bytes > 0 ? (avail - fixed) / bytes : 0;
            for (size_t i = 0; i < n; ++i)
                if (!atMin[i] && double(m_regions[i].length) * m_scale < minWidth) atMin[i] = changed = true;
        }
    }
    double x = 0;
    for (size_t i = 0; i < n; ++i) {
        Region& r = m_regions[i];
        if (r.kind == Kind::PageFrags) x += kFragGap;
        r.x = x;
        r.width = atMin[i] ? minWidth : double(r.length) * m_scale;
        x += r.width;
    }
}

const SkbLayout::Pointer* SkbLayout::pointer(const QString& name) const {
    for (const Pointer& p : m_pointers)
        if (p.name == name) return &p;
    return nullptr;
}

const SkbLayout::Region* SkbLayout::headerRegion(SkbHeader h) const {
    for (const Region& r : m_regions)
        if (r.kind == Kind::Header && r.header == h) return &r;
    return nullptr;
}

double SkbLayout::offsetToX(uint32_t offset) const {
    double last = 0;
    for (const Region& r : m_regions) {
        if (r.kind == Kind::PageFrags) break;
        if (offset >= r.offset && offset <= r.offset + r.length)
            return r.x + double(offset - r.offset) * r.width / double(r.length);
        last = r.x + r.width;
    }
    return last;
}

} // namespace skbscope::ui
