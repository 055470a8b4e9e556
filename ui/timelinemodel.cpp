// TimelineModel: building the lanes and rows in two passes over the events (depths from the
// document's call index, then spans and markers appended in trace order, which is start order in
// each context on both axes), and the queries a paint makes: a galloping search per pixel column,
// so a row costs O(columns · log(spans per column)) whatever the zoom.
// SIMPLIFICATION: a file whose times go backwards inside one context still draws and hit-tests
// without reading out of bounds, but may fold or miss spans: the simulation never writes one.
#include "ui/timelinemodel.h"

#include <algorithm>
#include <cmath>

#include "ui/eventtext.h"

namespace skbscope::ui {

// ---- TimelineViewport ----

void TimelineViewport::setLimits(double min, double max, double minSpan) {
    m_min = min;
    m_max = std::max(max, min);
    m_minSpan = std::max(minSpan, 1e-9);
    setRange(m_x0, m_x1);
}

void TimelineViewport::setWidth(int px) {
    m_width = std::max(px, 1);
}

void TimelineViewport::setRange(double x0, double x1) {
    if (!std::isfinite(x0) || !std::isfinite(x1)) return;
    if (x1 < x0) x1 = x0;
    const double span = std::max(x1 - x0, m_minSpan);
    const double full = std::max(m_max - m_min, m_minSpan);
    if (span >= full) {
        // The whole axis shows; a range narrower than minSpan is centred on the data.
        m_x0 = m_max - m_min >= m_minSpan ? m_min : (m_min + m_max - m_minSpan) / 2;
        m_x1 = m_x0 + full;
        return;
    }
    const double mid = (x0 + x1) / 2;
    x0 = std::clamp(mid - span / 2, m_min, m_max - span);
    m_x0 = x0;
    m_x1 = x0 + span;
}

void TimelineViewport::zoomAt(double px, double factor) {
    if (!(factor > 0)) return;
    const double x = toX(px);
    const double span = std::max(this->span() / factor, m_minSpan);
    const double x0 = x - px / m_width * span;
    setRange(x0, x0 + span);
}

void TimelineViewport::panPixels(double dx) {
    const double d = dx * unitsPerPixel();
    setRange(m_x0 + d, m_x1 + d);
}

void TimelineViewport::centerOn(double x) {
    const double half = span() / 2;
    setRange(x - half, x + half);
}

// ---- TimelineModel: building ----

namespace {

// Lanes: contexts of each host (tasks, softirq, hardirq, NIC) host by host, then links, then the lab.
int laneGroup(ContextKind k) {
    return k == ContextKind::Link ? 1 : k == ContextKind::Lab ? 2 : 0;
}
int kindOrder(ContextKind k) {
    switch (k) {
    case ContextKind::Task:
        return 0;
    case ContextKind::Softirq:
        return 1;
    case ContextKind::Hardirq:
        return 2;
    case ContextKind::Nic:
        return 3;
    default:
        return 4;
    }
}

// The first index j >= k with v[j] >= x (v sorted): an exponential probe from k, then a binary
// search, so a short step costs O(log step) instead of O(log n).
size_t gallop(const std::vector<double>& v, size_t k, double x) {
    const size_t n = v.size();
    size_t lo = k, hi = k, step = 1;
    while (hi < n && v[hi] < x) {
        lo = hi + 1;
        hi = k + step;
        step *= 2;
    }
    hi = std::min(hi, n);
    return size_t(std::lower_bound(v.begin() + std::ptrdiff_t(lo), v.begin() + std::ptrdiff_t(hi), x) -
                  v.begin());
}

} // namespace

void TimelineModel::setDocument(TraceDocumentPtr doc) {
    m_doc = std::move(doc);
    m_lanes.clear();
    m_laneOfContext.clear();
    m_firstRow.clear();
    m_rows.clear();
    m_markers.clear();
    m_depth.clear();
    m_min = {0, 0};
    m_max = {1, 1};
    if (!m_doc) return;

    const Trace& t = m_doc->trace();
    const uint32_t n = m_doc->eventCount();
    const size_t contextCount = t.contexts.size();

    // Pass 1: events per context, depth of every call (its enclosing call's depth + 1; the index's
    // parent always comes earlier), time range.
    std::vector<uint32_t> perContext(contextCount, 0);
    std::vector<int> deepest(contextCount, -1);
    m_depth.assign(n, kNoDepth);
    double tmin = n ? double(t.events[0].time) : 0, tmax = tmin;
    for (uint32_t i = 0; i < n; ++i) {
        const TraceEvent& e = t.events[i];
        tmin = std::min(tmin, double(e.time));
        tmax = std::max(tmax, double(e.time));
        if (e.ctx >= contextCount) continue;
        ++perContext[e.ctx];
        if (e.kind == EventKind::FuncEnter) {
            const uint32_t p = m_doc->parent(i);
            const int d = p == kNone || m_depth[p] == kNoDepth ? 0 : std::min(m_depth[p] + 1, kMaxDepth - 1);
            m_depth[i] = uint16_t(d);
            deepest[e.ctx] = std::max(deepest[e.ctx], d);
        } else if (e.kind == EventKind::FuncExit) {
            const uint32_t enter = m_doc->matching(i);
            if (enter != kNone) m_depth[i] = m_depth[enter];
        }
    }
    m_min = {tmin, 0};
    m_max = {std::max(tmax, tmin + 1), double(std::max<uint32_t>(n, 1))};

    std::vector<ContextId> order;
    for (size_t c = 0; c < contextCount; ++c)
        if (perContext[c] > 0) order.push_back(ContextId(c));
    std::stable_sort(order.begin(), order.end(), [&](ContextId a, ContextId b) {
        const ContextInfo &ca = t.contexts[a], &cb = t.contexts[b];
        const int ga = laneGroup(ca.kind), gb = laneGroup(cb.kind);
        if (ga != gb) return ga < gb;
        if (ga == 0 && ca.host != cb.host) return ca.host < cb.host;
        return kindOrder(ca.kind) < kindOrder(cb.kind);
    });

    m_laneOfContext.assign(contextCount, -1);
    for (ContextId c : order) {
        const ContextInfo& info = t.contexts[c];
        TimelineLane lane;
        lane.ctx = c;
        lane.host = info.host;
        lane.kind = info.kind;
        lane.events = perContext[c];
        lane.depthCount = deepest[c] + 1;
        lane.label = laneGroup(info.kind) == 0
                         ? toQString(t.host_name(info.host)) + QStringLiteral(": ") + toQString(info.name)
                         : toQString(info.name);
        m_laneOfContext[c] = int(m_lanes.size());
        m_firstRow.push_back(uint32_t(m_rows.size()));
        m_rows.resize(m_rows.size() + size_t(lane.depthCount));
        m_lanes.push_back(std::move(lane));
    }
    m_markers.resize(m_lanes.size());

    // Pass 2: spans (at their FuncEnter) and markers, in trace order.
    for (uint32_t i = 0; i < n; ++i) {
        const TraceEvent& e = t.events[i];
        const int lane = e.ctx < contextCount ? m_laneOfContext[e.ctx] : -1;
        if (lane < 0) continue;
        if (e.kind == EventKind::FuncEnter) {
            SpanRow& r = m_rows[m_firstRow[size_t(lane)] + m_depth[i]];
            r.enter.push_back(i);
            for (int a = 0; a < 2; ++a) {
                const TimelineAxis axis = TimelineAxis(a);
                const double s = spanStart(axis, i), en = std::max(spanEnd(axis, i), s);
                r.start[size_t(a)].push_back(s);
                r.end[size_t(a)].push_back(en);
                const auto& m = r.maxEnd[size_t(a)];
                r.maxEnd[size_t(a)].push_back(m.empty() ? en : std::max(m.back(), en));
            }
        } else if (e.kind != EventKind::FuncExit) {
            MarkerRow& m = m_markers[size_t(lane)];
            m.event.push_back(i);
            m.x[0].push_back(xOf(TimelineAxis::Time, i));
            m.x[1].push_back(xOf(TimelineAxis::EventOrder, i));
        }
    }
}

// ---- TimelineModel: lookups ----

int TimelineModel::laneOfContext(ContextId ctx) const {
    return ctx < m_laneOfContext.size() ? m_laneOfContext[ctx] : -1;
}

int TimelineModel::laneOf(uint32_t event) const {
    return m_doc && m_doc->isValid(event) ? laneOfContext(m_doc->event(event).ctx) : -1;
}

int TimelineModel::rowOf(uint32_t event) const {
    if (event >= m_depth.size() || m_depth[event] == kNoDepth) return kMarkerRow;
    return m_depth[event];
}

const TimelineModel::SpanRow* TimelineModel::row(int lane, int depth) const {
    if (lane < 0 || lane >= laneCount() || depth < 0 || depth >= m_lanes[size_t(lane)].depthCount)
        return nullptr;
    return &m_rows[m_firstRow[size_t(lane)] + size_t(depth)];
}

size_t TimelineModel::spanCount(int lane, int depth) const {
    const SpanRow* r = row(lane, depth);
    return r ? r->enter.size() : 0;
}

size_t TimelineModel::markerCount(int lane) const {
    return lane >= 0 && lane < laneCount() ? m_markers[size_t(lane)].event.size() : 0;
}

double TimelineModel::xOf(TimelineAxis axis, uint32_t event) const {
    if (!m_doc || !m_doc->isValid(event)) return 0;
    return axis == TimelineAxis::Time ? double(m_doc->event(event).time) : event + 0.5;
}

double TimelineModel::spanStart(TimelineAxis axis, uint32_t enter) const {
    if (!m_doc || !m_doc->isValid(enter)) return 0;
    return axis == TimelineAxis::Time ? double(m_doc->event(enter).time) : double(enter);
}

double TimelineModel::spanEnd(TimelineAxis axis, uint32_t enter) const {
    if (!m_doc || !m_doc->isValid(enter)) return 0;
    const uint32_t exit = m_doc->matching(enter);
    if (exit == kNone) return m_max[int(axis)];
    return axis == TimelineAxis::Time ? double(m_doc->event(exit).time) : double(exit) + 1;
}

// ---- TimelineModel: what shows ----

void TimelineModel::spanItems(TimelineAxis axis, int lane, int depth, const TimelineViewport& vp,
                              std::vector<TimelineItem>& out) const {
    const SpanRow* r = row(lane, depth);
    if (!r || r->enter.empty()) return;
    const auto a = size_t(axis);
    const std::vector<double>&S = r->start[a], &E = r->end[a], &M = r->maxEnd[a];
    const size_t n = S.size();
    const double x0 = vp.x0(), x1 = vp.x1(), scale = vp.width() / vp.span();
    const double limit = vp.width() + 2.0;
    const size_t firstOut = out.size();
    const Trace& t = m_doc->trace();

    size_t k = size_t(std::lower_bound(M.begin(), M.end(), x0) - M.begin());
    while (k < n && S[k] <= x1) {
        const double p0 = (S[k] - x0) * scale, p1 = (E[k] - x0) * scale;
        if (p1 - p0 >= kMinSpanPx - 1e-9) {
            if (E[k] >= x0)
                out.push_back(TimelineItem{TimelineItem::Span, t.events[r->enter[k]].layer,
                                           std::max(p0, -2.0), std::min(p1, limit), r->enter[k], 1});
            ++k;
            continue;
        }
        // A span narrower than a pixel: fold every span that starts in this pixel column. Spans of
        // one depth do not overlap, so only the column's last span can reach past it.
        const double col = std::floor(p0);
        size_t j = std::max(gallop(S, k + 1, x0 + (col + 1) / scale), k + 1);
        if (j - 1 > k && (E[j - 1] - S[j - 1]) * scale >= kMinSpanPx - 1e-9) --j;
        if (E[j - 1] >= x0) {
            const double c = std::max(col, 0.0);
            const Layer layer = t.events[r->enter[k]].layer;
            TimelineItem* prev = out.size() > firstOut ? &out.back() : nullptr;
            if (prev && prev->kind == TimelineItem::Folded && prev->px1 == c && prev->layer == layer) {
                prev->px1 = c + 1;
                prev->count += uint32_t(j - k);
            } else {
                out.push_back(
                    TimelineItem{TimelineItem::Folded, layer, c, c + 1, r->enter[k], uint32_t(j - k)});
            }
        }
        k = j;
    }
}

void TimelineModel::markerItems(TimelineAxis axis, int lane, const TimelineViewport& vp,
                                std::vector<TimelineItem>& out) const {
    if (lane < 0 || lane >= laneCount()) return;
    const MarkerRow& m = m_markers[size_t(lane)];
    const std::vector<double>& X = m.x[size_t(axis)];
    const double x0 = vp.x0(), x1 = vp.x1(), scale = vp.width() / vp.span();
    const Trace& t = m_doc->trace();
    size_t k = size_t(std::lower_bound(X.begin(), X.end(), x0) - X.begin());
    while (k < X.size() && X[k] <= x1) {
        const double p = (X[k] - x0) * scale;
        const double cell = std::floor(p / kMarkerCellPx);
        const size_t j = std::max(gallop(X, k + 1, x0 + (cell + 1) * kMarkerCellPx / scale), k + 1);
        out.push_back(TimelineItem{TimelineItem::Marker, t.events[m.event[k]].layer, p, p, m.event[k],
                                   uint32_t(j - k)});
        k = j;
    }
}

TimelineHit TimelineModel::hitTest(TimelineAxis axis, int lane, int rowIndex, const TimelineViewport& vp,
                                   double px) const {
    TimelineHit hit;
    hit.lane = lane;
    hit.row = rowIndex;
    if (lane < 0 || lane >= laneCount()) return hit;
    const auto a = size_t(axis);
    if (rowIndex == kMarkerRow) {
        // The marker nearest px within half a cell (plus a pixel for a shaky hand).
        const MarkerRow& m = m_markers[size_t(lane)];
        const std::vector<double>& X = m.x[a];
        const double reach = kMarkerCellPx / 2.0 + 1;
        const auto b = std::lower_bound(X.begin(), X.end(), vp.toX(px - reach));
        const auto e = std::upper_bound(b, X.end(), vp.toX(px + reach));
        if (b == e) return hit;
        auto best = b;
        for (auto it = b; it != e && it - b < 64; ++it)
            if (std::abs(vp.toPixel(*it) - px) < std::abs(vp.toPixel(*best) - px)) best = it;
        hit.kind = TimelineItem::Marker;
        hit.event = m.event[size_t(best - X.begin())];
        hit.count = uint32_t(e - b);
        return hit;
    }
    const SpanRow* r = row(lane, rowIndex);
    if (!r || r->enter.empty()) return hit;
    const std::vector<double>&S = r->start[a], &E = r->end[a];
    const double x = vp.toX(px);
    // A span at least a pixel wide that contains x.
    const size_t k = size_t(std::upper_bound(S.begin(), S.end(), x) - S.begin());
    if (k > 0 && E[k - 1] >= x && vp.toPixel(E[k - 1]) - vp.toPixel(S[k - 1]) >= kMinSpanPx - 1e-9) {
        hit.kind = TimelineItem::Span;
        hit.event = r->enter[k - 1];
        hit.count = 1;
        return hit;
    }
    // Else the spans folded into this pixel column.
    const double col = std::floor(px);
    const auto b = std::lower_bound(S.begin(), S.end(), vp.toX(col));
    const auto e = std::lower_bound(b, S.end(), vp.toX(col + 1));
    if (b == e) return hit;
    hit.kind = e - b == 1 ? TimelineItem::Span : TimelineItem::Folded;
    hit.event = r->enter[size_t(b - S.begin())];
    hit.count = uint32_t(e - b);
    return hit;
}

std::vector<TimelineFlowLink> TimelineModel::flowLinks(uint32_t event) const {
    std::vector<TimelineFlowLink> links;
    if (!m_doc || !m_doc->isValid(event) || m_doc->event(event).flow == 0) return links;
    uint32_t first = event;
    for (uint32_t p = m_doc->previousInFlow(first); p != kNone; p = m_doc->previousInFlow(p))
        first = p;
    uint32_t prev = first;
    for (uint32_t q = m_doc->nextInFlow(first); q != kNone; q = m_doc->nextInFlow(q)) {
        if (laneOf(q) != laneOf(prev)) links.push_back({prev, q});
        prev = q;
    }
    return links;
}

std::vector<TimelineTick> TimelineModel::axisTicks(TimelineAxis axis, const TimelineViewport& vp,
                                                   double minSpacingPx) {
    std::vector<TimelineTick> ticks;
    const double minStep = std::max(minSpacingPx * vp.unitsPerPixel(), 1.0);
    double step = std::pow(10.0, std::floor(std::log10(minStep)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (step * m >= minStep - 1e-9) {
            step *= m;
            break;
        }
    // Time labels: the unit follows the step (a 200 ns step reads "1.2 µs", a 0.5 ms step "3.5 ms").
    double unit = 1;
    QString suffix = QStringLiteral(" ns");
    if (axis == TimelineAxis::Time) {
        const double units[] = {1e9, 1e6, 1e3};
        const char* names[] = {" s", " ms", " µs"};
        for (int u = 0; u < 3; ++u)
            if (step >= units[u] / 10) {
                unit = units[u];
                suffix = QString::fromUtf8(names[u]);
                break;
            }
    }
    const int decimals = std::max(0, int(std::ceil(-std::log10(step / unit) - 1e-9)));
    for (double x = std::ceil(vp.x0() / step) * step; x <= vp.x1() + 1e-9; x += step) {
        TimelineTick tick;
        tick.px = vp.toPixel(x);
        tick.label = axis == TimelineAxis::Time ? QString::number(x / unit, 'f', decimals) + suffix
                                                : QStringLiteral("#%1").arg(qint64(std::llround(x)));
        ticks.push_back(tick);
        if (ticks.size() > 1000) break; // a guard against a degenerate viewport
    }
    return ticks;
}

// ---- TimelineLayout ----

TimelineLayout::TimelineLayout(const TimelineModel& model, int markerHeight, int rowHeight, int laneGap)
    : m_rowHeight(rowHeight), m_laneGap(laneGap) {
    m_top.push_back(0);
    for (const TimelineLane& lane : model.lanes()) {
        const int markers = lane.depthCount == 0 ? rowHeight : markerHeight;
        m_depths.push_back(lane.depthCount);
        m_markerHeights.push_back(markers);
        m_top.push_back(m_top.back() + markers + lane.depthCount * rowHeight + laneGap);
    }
}

int TimelineLayout::rowTop(int lane, int row) const {
    const int top = laneTop(lane);
    return row == TimelineModel::kMarkerRow ? top : top + m_markerHeights[size_t(lane)] + row * m_rowHeight;
}

int TimelineLayout::rowHeight(int lane, int row) const {
    if (row != TimelineModel::kMarkerRow) return m_rowHeight;
    return lane >= 0 && size_t(lane) < m_markerHeights.size() ? m_markerHeights[size_t(lane)] : m_rowHeight;
}

int TimelineLayout::laneAt(int y) const {
    if (m_top.size() < 2 || y < 0 || y >= m_top.back()) return -1;
    return int(std::upper_bound(m_top.begin(), m_top.end(), y) - m_top.begin()) - 1;
}

int TimelineLayout::rowAt(int lane, int y) const {
    if (lane < 0 || size_t(lane) + 1 >= m_top.size()) return -2;
    const int dy = y - m_top[size_t(lane)];
    if (dy < 0) return -2;
    const int markers = m_markerHeights[size_t(lane)];
    if (dy < markers) return TimelineModel::kMarkerRow;
    const int row = (dy - markers) / std::max(m_rowHeight, 1);
    return row < m_depths[size_t(lane)] ? row : -2;
}

} // namespace skbscope::ui
