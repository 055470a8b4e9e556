// QueuesLayout: the geometry of the queues panel, with no widget so tests check it directly. Per host
// a header, one row per queue (label, bar, count and bytes), then its descriptor rings as circles of
// slots (slot 0 at twelve o'clock, clockwise, as the NIC walks the ring), flowing left to right.
// RingGeometry maps slots to angles and points and back; ringMarkers places the pointer arrows:
// next_to_use/next_to_clean (the driver's) outside the circle, head/tail registers (the NIC's:
// TDH/TDT, RDH/RDT) inside, moved further out (or in) while their labels would overlap.
#pragma once
#include <QColor>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <vector>

#include "ui/queuestate.h"

namespace skbscope::ui {

QColor slotColor(SlotState s);
QColor queueBarColor();
QColor highlightColor();

struct RingGeometry {
    QPointF center;
    double outerRadius = 90, innerRadius = 72;
    int count = 0;

    double slotSpanDeg() const { return count > 0 ? 360.0 / count : 0; }
    // Qt angle convention (degrees, 0 at three o'clock, counter-clockwise positive).
    double slotStartDeg(int slot) const { return 90.0 - slot * slotSpanDeg(); }
    double slotMidDeg(int slot) const { return 90.0 - (slot + 0.5) * slotSpanDeg(); }
    QPointF pointAt(double angleDeg, double radius) const;
    // The middle of the slot's band: where its colour is.
    QPointF slotCenter(int slot) const { return pointAt(slotMidDeg(slot), (outerRadius + innerRadius) / 2); }
    // The slot under p, or -1 outside the band.
    int slotAt(QPointF p) const;
};

// The box a marker's label takes (estimated from its length: the layout has no font).
QRectF markerLabelRect(QPointF anchor, const QString& text);

struct RingMarker {
    QString text;      // "ntu 12", "TDT/TDH 3"
    int slot = 0;
    bool outside = true; // driver's markers outside, the NIC's registers inside
    int level = 0;       // stacking level when neighbours crowd
    QPointF tip, base;   // the arrow from base to tip (tip on the band's edge)
    QPointF textAnchor;  // centre of the label
};
// The markers of one ring state; registers named after the ring (TDH/TDT for tx, RDH/RDT for rx).
std::vector<RingMarker> ringMarkers(const RingGeometry& g, const RingValue& v, bool tx);

struct QueueRowBox {
    int track = 0;
    QRectF rect, labelRect, barRect; // barRect: full scale (maxQlen of the track)
};

struct RingBox {
    int track = 0;
    QRectF rect, titleRect, countsRect;
    RingGeometry geometry;
};

struct HostSection {
    HostId host = 0;
    QRectF header;
    std::vector<QueueRowBox> queues;
    std::vector<RingBox> rings;
};

class QueuesLayout final {
  public:
    static constexpr double kMargin = 8, kHeaderHeight = 26, kRowHeight = 22, kLabelWidth = 260;
    static constexpr double kLegendHeight = 44, kRingBoxWidth = 300, kRingBoxHeight = 372;

    void build(const QueueState& state, double width);
    double height() const { return m_height; }
    QRectF legendRect() const { return m_legend; }
    const std::vector<HostSection>& sections() const { return m_sections; }
    // The row / ring box of a track, or nullptr.
    const QueueRowBox* queueBox(int track) const;
    const RingBox* ringBox(int track) const;
    // The width a bar of qlen takes in its row.
    static double barWidth(const QueueRowBox& row, int64_t qlen, int64_t maxQlen);

  private:
    std::vector<HostSection> m_sections;
    QRectF m_legend;
    double m_height = 0;
};

} // namespace skbscope::ui
