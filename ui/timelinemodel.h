// TimelineModel: the timeline's geometry and data, without a widget, so tests check it directly.
// From a TraceDocument it builds the lanes (one per host context: tasks, softirq, hardirq, NIC,
// grouped by host; links last), the spans of each lane by depth (FuncEnter..FuncExit, a flame
// chart), the point events of each lane as markers, and the flow links of a packet across lanes.
// Two x axes: virtual time (ns) and event order (event i covers [i, i+1)). TimelineViewport maps
// one of them to pixels; spanItems()/markerItems() return what shows at pixel resolution, folding
// spans narrower than a pixel into one block per pixel column, so a frame's cost follows the
// number of pixels, not of events (galloping searches over start-sorted arrays).
#pragma once
#include <QString>

#include <array>
#include <cstdint>
#include <vector>

#include "ui/tracedocument.h"

namespace skbscope::ui {

enum class TimelineAxis : uint8_t { Time = 0, EventOrder = 1 };

// Which part [x0, x1] of an axis shows in widthPx pixels, kept inside the data's limits.
// Pixel 0 is x0, pixel width() is x1.
class TimelineViewport {
  public:
    TimelineViewport() = default;

    // The data range and the narrowest range a zoom may reach; clamps the current range.
    void setLimits(double min, double max, double minSpan);
    void setWidth(int px);
    // Sets [x0, x1], clamped: at least minSpan wide, at most the data range, inside the data.
    void setRange(double x0, double x1);
    void showAll() { setRange(m_min, m_max); }

    double x0() const { return m_x0; }
    double x1() const { return m_x1; }
    double span() const { return m_x1 - m_x0; }
    int width() const { return m_width; }
    double limitMin() const { return m_min; }
    double limitMax() const { return m_max; }
    double unitsPerPixel() const { return span() / m_width; }

    double toPixel(double x) const { return (x - m_x0) * m_width / span(); }
    double toX(double px) const { return m_x0 + px * span() / m_width; }
    bool contains(double x) const { return x >= m_x0 && x <= m_x1; }

    // Zooms by factor (> 1 in, < 1 out) keeping the x under pixel px where it is (unless a limit
    // stops it).
    void zoomAt(double px, double factor);
    // Moves the view by dx pixels: positive shows later x.
    void panPixels(double dx);
    // Keeps the span, puts x in the middle (clamped at the data's ends).
    void centerOn(double x);

  private:
    double m_x0 = 0, m_x1 = 1, m_min = 0, m_max = 1, m_minSpan = 1;
    int m_width = 1;
};

// One row of the timeline: a host context or a link.
struct TimelineLane {
    ContextId ctx = 0;
    HostId host = 0;
    ContextKind kind = ContextKind::Lab;
    QString label;       // "A: client (pid 100)", "softirq" as "A: softirq", links by name
    int depthCount = 0;  // rows of spans (deepest nesting + 1); 0 when the context made no calls
    uint32_t events = 0; // how many events happened in it
};

// What to draw in one row, in pixels of the viewport (0 = x0).
struct TimelineItem {
    enum Kind : uint8_t { Span, Folded, Marker };
    Kind kind = Span;
    Layer layer = Layer::Lab;
    double px0 = 0, px1 = 0; // a marker's position is px0 (== px1)
    uint32_t event = 0;      // the span's FuncEnter, the marker's event, the first folded span
    uint32_t count = 1;      // spans folded into this block / markers in this cell
};

// What is under a pixel. row: a span depth, or kMarkerRow.
struct TimelineHit {
    int lane = -1;
    int row = -1;
    TimelineItem::Kind kind = TimelineItem::Span;
    uint32_t event = TraceDocument::kNone;
    uint32_t count = 0;
    bool found() const { return event != TraceDocument::kNone; }
};

// A packet moving from one lane to another: its last event in one lane, its first in the next.
struct TimelineFlowLink {
    uint32_t from = 0, to = 0;
    bool operator==(const TimelineFlowLink&) const = default;
};

struct TimelineTick {
    double px = 0;
    QString label; // "12.5 µs", "3 ms", "#1200"
};

class TimelineModel final {
  public:
    static constexpr uint32_t kNone = TraceDocument::kNone;
    static constexpr int kMarkerRow = -1;
    static constexpr int kMaxDepth = 128;   // deeper nesting (a hostile file) shares the last row
    static constexpr double kMinSpanPx = 1; // narrower spans are folded
    static constexpr int kMarkerCellPx = 4; // markers fold per cell of this many pixels

    // Builds lanes, span rows and markers: O(events), off the paint path.
    void setDocument(TraceDocumentPtr doc);
    const TraceDocumentPtr& document() const { return m_doc; }

    const std::vector<TimelineLane>& lanes() const { return m_lanes; }
    int laneCount() const { return int(m_lanes.size()); }
    // The lane of a context / of an event's context, or -1.
    int laneOfContext(ContextId ctx) const;
    int laneOf(uint32_t event) const;
    // The row of an event: its function's depth for a FuncEnter/FuncExit, else kMarkerRow.
    int rowOf(uint32_t event) const;
    // Span and marker counts of a lane (for tests and tooltips).
    size_t spanCount(int lane, int depth) const;
    size_t markerCount(int lane) const;

    // The axis' data range and the narrowest view worth zooming to.
    double dataMin(TimelineAxis axis) const { return m_min[int(axis)]; }
    double dataMax(TimelineAxis axis) const { return m_max[int(axis)]; }
    double minSpan(TimelineAxis axis) const { return axis == TimelineAxis::Time ? 50.0 : 8.0; }
    // Where an event sits on an axis: its time, or the middle of its slot i + 0.5.
    double xOf(TimelineAxis axis, uint32_t event) const;
    // A span's extent (enter = its FuncEnter): enter time .. exit time, or enter .. exit + 1.
    // A call that never returned in the trace runs to the end of the axis.
    double spanStart(TimelineAxis axis, uint32_t enter) const;
    double spanEnd(TimelineAxis axis, uint32_t enter) const;

    // Appends to out what shows of the spans at one depth of a lane, left to right: spans at least
    // kMinSpanPx wide as Span items, narrower ones as Folded blocks (one per pixel column, adjacent
    // columns of the same layer merged, count = spans folded).
    void spanItems(TimelineAxis axis, int lane, int depth, const TimelineViewport& vp,
                   std::vector<TimelineItem>& out) const;
    // Appends the lane's markers, one per cell of kMarkerCellPx pixels (count = markers in it).
    void markerItems(TimelineAxis axis, int lane, const TimelineViewport& vp,
                     std::vector<TimelineItem>& out) const;

    // The span or marker under pixel px of a row (a depth or kMarkerRow) of a lane. A pixel column
    // of folded spans answers with the first of them and their count.
    TimelineHit hitTest(TimelineAxis axis, int lane, int row, const TimelineViewport& vp, double px) const;

    // The packet of event i moving between lanes, in trace order (empty when i has no packet).
    std::vector<TimelineFlowLink> flowLinks(uint32_t event) const;

    // Axis ticks at least minSpacingPx apart, on 1-2-5 steps, labelled in ns/µs/ms/s (time) or as
    // event numbers (event order).
    static std::vector<TimelineTick> axisTicks(TimelineAxis axis, const TimelineViewport& vp,
                                               double minSpacingPx);

  private:
    // One depth of one lane, sorted by start; maxEnd is the running maximum of end (a prefix max),
    // so the first span that may reach x is a binary search even if spans overlapped.
    struct SpanRow {
        std::vector<uint32_t> enter;
        std::array<std::vector<double>, 2> start, end, maxEnd;
    };
    struct MarkerRow {
        std::vector<uint32_t> event;
        std::array<std::vector<double>, 2> x;
    };
    const SpanRow* row(int lane, int depth) const;

    TraceDocumentPtr m_doc;
    std::vector<TimelineLane> m_lanes;
    std::vector<int> m_laneOfContext;
    std::vector<uint32_t> m_firstRow; // per lane: index of its depth 0 in m_rows
    std::vector<SpanRow> m_rows;
    std::vector<MarkerRow> m_markers; // per lane
    std::vector<uint16_t> m_depth;    // per event; kNoDepth for markers
    std::array<double, 2> m_min{0, 0}, m_max{1, 1};
    static constexpr uint16_t kNoDepth = 0xffff;
};

// The vertical layout: per lane a marker strip, then one row per depth, then a gap. A lane without
// calls (a link, an idle NIC) has only its marker strip, one row tall, so its label fits.
// y is in content coordinates (0 = top of the first lane).
class TimelineLayout final {
  public:
    TimelineLayout() = default;
    TimelineLayout(const TimelineModel& model, int markerHeight, int rowHeight, int laneGap);

    int laneTop(int lane) const { return m_top[size_t(lane)]; }
    int laneHeight(int lane) const { return m_top[size_t(lane) + 1] - m_top[size_t(lane)]; }
    int totalHeight() const { return m_top.empty() ? 0 : m_top.back(); }
    // Top and height of a row (a depth or TimelineModel::kMarkerRow).
    int rowTop(int lane, int row) const;
    int rowHeight(int lane, int row) const;
    // The lane under y (-1 outside), and the row under y in it (kMarkerRow, a depth, or -2 in the gap).
    int laneAt(int y) const;
    int rowAt(int lane, int y) const;

  private:
    std::vector<int> m_top; // lane i spans [m_top[i], m_top[i+1])
    std::vector<int> m_depths, m_markerHeights;
    int m_rowHeight = 0, m_laneGap = 0;
};

} // namespace skbscope::ui
