// QueuesLayout: rectangles for the queues panel, the ring's polar geometry and its pointer markers.
#include "ui/queuelayout.h"

#include <QtMath>
#include <algorithm>
#include <map>

namespace skbscope::ui {

QColor slotColor(SlotState s) {
    switch (s) {
    case SlotState::Empty: return QColor(0xdd, 0xdd, 0xdd);       // the driver's, no buffer for the NIC
    case SlotState::Posted: return QColor(0x2f, 0x6f, 0xd0);      // handed to the NIC by a tail write
    case SlotState::Fetched: return QColor(0x8a, 0x4f, 0xd8);     // the NIC read the descriptor
    case SlotState::Processed: return QColor(0xf0, 0x8c, 0x1a);   // the NIC moved the buffer
    case SlotState::WrittenBack: return QColor(0x1e, 0xa0, 0x3c); // DD set: the driver may clean it
    case SlotState::Cleaned: return QColor(0xa8, 0xdc, 0xb4);     // the driver reclaimed it
    }
    return Qt::black;
}

QColor queueBarColor() { return QColor(0x2f, 0x6f, 0xd0); }
QColor highlightColor() { return QColor(0xff, 0xe8, 0x80); }

QPointF RingGeometry::pointAt(double angleDeg, double radius) const {
    const double a = qDegreesToRadians(angleDeg);
    return {center.x() + radius * std::cos(a), center.y() - radius * std::sin(a)};
}

int RingGeometry::slotAt(QPointF p) const {
    if (count <= 0) return -1;
    const double dx = p.x() - center.x(), dy = center.y() - p.y();
    const double r = std::hypot(dx, dy);
    if (r < innerRadius || r > outerRadius) return -1;
    // Clockwise degrees from twelve o'clock.
    double cw = 90.0 - qRadiansToDegrees(std::atan2(dy, dx));
    cw = std::fmod(cw + 360.0, 360.0);
    return std::min(count - 1, int(cw / slotSpanDeg()));
}

QRectF markerLabelRect(QPointF anchor, const QString& text) {
    const double w = 7.5 * text.size() + 4, h = 16;
    return QRectF(anchor.x() - w / 2, anchor.y() - h / 2, w, h);
}

std::vector<RingMarker> ringMarkers(const RingGeometry& g, const RingValue& v, bool tx) {
    std::vector<RingMarker> out;
    if (g.count <= 0) return out;
    // (side, slot) -> names pointing there, in a fixed order.
    std::map<std::pair<bool, int>, QString> groups;
    auto add = [&](bool outside, int64_t slot, const char* name) {
        if (slot < 0 || slot >= g.count) return;
        QString& t = groups[{outside, int(slot)}];
        t += (t.isEmpty() ? QString() : QStringLiteral("/")) + QLatin1String(name);
    };
    add(true, v.nextToUse, "ntu");
    add(true, v.nextToClean, "ntc");
    add(false, v.head, tx ? "TDH" : "RDH");
    add(false, v.tail, tx ? "TDT" : "RDT");

    for (const auto& [where, names] : groups) {
        RingMarker m;
        m.outside = where.first;
        m.slot = where.second;
        m.text = names + QLatin1Char(' ') + QString::number(m.slot);
        const double a = g.slotMidDeg(m.slot);
        for (m.level = 0;; ++m.level) {
            m.textAnchor = m.outside ? g.pointAt(a, g.outerRadius + 24 + m.level * 15)
                                     : g.pointAt(a, g.innerRadius - 20 - m.level * 14);
            const QRectF box = markerLabelRect(m.textAnchor, m.text);
            const bool clash = std::any_of(out.begin(), out.end(), [&box](const RingMarker& o) {
                return markerLabelRect(o.textAnchor, o.text).intersects(box);
            });
            if (!clash || m.level == 3) break;
        }
        if (m.outside) {
            m.tip = g.pointAt(a, g.outerRadius + 1);
            m.base = g.pointAt(a, g.outerRadius + 12 + m.level * 15);
        } else {
            m.tip = g.pointAt(a, g.innerRadius - 1);
            m.base = g.pointAt(a, g.innerRadius - 10 - m.level * 14);
        }
        out.push_back(m);
    }
    return out;
}

void QueuesLayout::build(const QueueState& state, double width) {
    m_sections.clear();
    width = std::max(width, kLabelWidth + 120);
    double y = kMargin;
    m_legend = QRectF(kMargin, y, width - 2 * kMargin, kLegendHeight);
    y += kLegendHeight + kMargin;
    for (HostId h : state.hosts()) {
        HostSection s;
        s.host = h;
        s.header = QRectF(kMargin, y, width - 2 * kMargin, kHeaderHeight);
        y += kHeaderHeight + 2;
        const double barWidth = std::min(360.0, width - 2 * kMargin - kLabelWidth - 8);
        for (int q : state.queuesOfHost(h)) {
            QueueRowBox row;
            row.track = q;
            row.rect = QRectF(kMargin, y, width - 2 * kMargin, kRowHeight);
            row.labelRect = QRectF(kMargin + 6, y, kLabelWidth - 6, kRowHeight);
            row.barRect = QRectF(kMargin + kLabelWidth, y + 4, barWidth, kRowHeight - 8);
            s.queues.push_back(row);
            y += kRowHeight;
        }
        const std::vector<int> rings = state.ringsOfHost(h);
        if (!rings.empty()) y += 6;
        const int perRow = std::max(1, int((width - 2 * kMargin) / kRingBoxWidth));
        for (size_t i = 0; i < rings.size(); ++i) {
            const double x = kMargin + double(i % size_t(perRow)) * kRingBoxWidth;
            const double top = y + double(i / size_t(perRow)) * kRingBoxHeight;
            RingBox b;
            b.track = rings[i];
            b.rect = QRectF(x, top, kRingBoxWidth - 6, kRingBoxHeight - 6);
            // The title and counts below the circle: the space above it is for the pointer labels.
            b.geometry.center = QPointF(x + (kRingBoxWidth - 6) / 2, top + 170);
            b.titleRect = QRectF(x + 4, top + kRingBoxHeight - 70, kRingBoxWidth - 14, 20);
            b.countsRect = QRectF(x + 4, top + kRingBoxHeight - 48, kRingBoxWidth - 14, 40);
            b.geometry.count = int(state.rings()[size_t(rings[i])].count);
            s.rings.push_back(b);
        }
        if (!rings.empty()) y += double((rings.size() + size_t(perRow) - 1) / size_t(perRow)) * kRingBoxHeight;
        y += kMargin;
        m_sections.push_back(std::move(s));
    }
    m_height = y + kMargin;
}

const QueueRowBox* QueuesLayout::queueBox(int track) const {
    for (const HostSection& s : m_sections)
        for (const QueueRowBox& r : s.queues)
            if (r.track == track) return &r;
    return nullptr;
}

const RingBox* QueuesLayout::ringBox(int track) const {
    for (const HostSection& s : m_sections)
        for (const RingBox& r : s.rings)
            if (r.track == track) return &r;
    return nullptr;
}

double QueuesLayout::barWidth(const QueueRowBox& row, int64_t qlen, int64_t maxQlen) {
    if (qlen <= 0 || maxQlen <= 0) return 0;
    return std::max(2.0, row.barRect.width() * double(std::min(qlen, maxQlen)) / double(maxQlen));
}

} // namespace skbscope::ui
