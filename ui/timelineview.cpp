// TimelineView: input handling and painting. A paint asks TimelineModel for the items of the rows
// on screen (pixel-resolution, folded) and draws rectangles, cached function-name texts, markers,
// the cursor and the packet's arrows: no per-event work. The model is rebuilt when the document
// changes; names are measured once per distinct name.
#include "ui/timelineview.h"

#include <QApplication>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>

#include "ui/classroomstyle.h"
#include "ui/cursor.h"
#include "ui/eventtext.h"
#include "ui/layercolors.h"

namespace skbscope::ui {

namespace {
constexpr uint32_t kNone = TimelineModel::kNone;
const QColor kBackground(Qt::white);
const QColor kLabelBackground(0xf2, 0xf2, 0xf2);
const QColor kHostBand(0xf7, 0xf9, 0xfc);
const QColor kGrid(0xe4, 0xe4, 0xe4);
const QColor kSeparator(0x90, 0x90, 0x90);
constexpr double kZoomStep = 1.5;
} // namespace

TimelineCanvas::TimelineCanvas(Cursor* cursor, QWidget* parent)
    : QAbstractScrollArea(parent), m_cursor(cursor) {
    setObjectName(QStringLiteral("timelineCanvas"));
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(false);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    updateGeometryFromFont();
    connect(m_cursor, &Cursor::documentChanged, this, &TimelineCanvas::onDocumentChanged);
    connect(m_cursor, &Cursor::cursorMoved, this, &TimelineCanvas::onCursorMoved);
    if (m_cursor->document()) {
        onDocumentChanged();
        onCursorMoved(m_cursor->index());
    }
}

void TimelineCanvas::updateGeometryFromFont() {
    const QFontMetrics fm = fontMetrics();
    m_rowHeight = fm.height() + 4;
    m_markerHeight = std::max(8, fm.height() / 2);
    m_axisHeight = fm.height() + 12;
    m_laneGap = 6;
}

void TimelineCanvas::onDocumentChanged() {
    m_model.setDocument(m_cursor->document());
    m_layout = TimelineLayout(m_model, m_markerHeight, m_rowHeight, m_laneGap);
    m_names.assign(m_model.document() ? m_model.document()->trace().strings.size() : 0, NameText{});

    // The label column fits the longest label, within limits, and elides the rest once, here.
    const QFontMetrics fm = fontMetrics();
    int widest = fm.horizontalAdvance(QStringLiteral("virtual time"));
    for (const TimelineLane& lane : m_model.lanes())
        widest = std::max(widest, fm.horizontalAdvance(lane.label));
    m_labelWidth = std::clamp(widest + 16, 120, 300);
    m_laneLabels.clear();
    for (const TimelineLane& lane : m_model.lanes())
        m_laneLabels.push_back(fm.elidedText(lane.label, Qt::ElideMiddle, m_labelWidth - 12));

    for (int a = 0; a < 2; ++a) {
        const auto axis = TimelineAxis(a);
        m_viewports[size_t(a)].setLimits(m_model.dataMin(axis), m_model.dataMax(axis), m_model.minSpan(axis));
        m_viewports[size_t(a)].showAll();
    }
    updateViewportWidths();
    updateScrollBar();
    verticalScrollBar()->setValue(0);
    m_cursorIndex = -1;
    m_selectedFrame = kNone;
    m_flowLinks.clear();
    m_autoFit = true;
    viewport()->update();
}

void TimelineCanvas::onCursorMoved(int index) {
    const TraceDocumentPtr& doc = m_model.document();
    m_cursorIndex = doc && index >= 0 && doc->isValid(uint32_t(index)) ? index : -1;
    m_selectedFrame = m_cursorIndex >= 0 ? doc->frameOf(uint32_t(m_cursorIndex)) : kNone;
    m_flowLinks =
        m_cursorIndex >= 0 ? m_model.flowLinks(uint32_t(m_cursorIndex)) : std::vector<TimelineFlowLink>{};
    ensureCursorVisible();
    viewport()->update();
}

void TimelineCanvas::ensureCursorVisible() {
    if (m_cursorIndex < 0) return;
    const auto event = uint32_t(m_cursorIndex);
    TimelineViewport& vp = currentViewport();
    const double x = m_model.xOf(m_axis, event);
    if (m_autoFit) {
        // Until the user zooms or pans, frame the outermost call around the cursor (a syscall, a
        // softirq run): on a whole-trace view it would be a one-pixel sliver.
        const TraceDocument& doc = *m_model.document();
        uint32_t top = doc.frameOf(event);
        while (top != kNone && doc.parent(top) != kNone) top = doc.parent(top);
        if (top != kNone && doc.matching(top) != kNone) {
            const double x0 = m_model.xOf(m_axis, top), x1 = m_model.xOf(m_axis, doc.matching(top));
            const double pad = std::max((x1 - x0) * 0.1, m_model.minSpan(m_axis));
            const bool framed = vp.contains(x0) && vp.contains(x1) && (x1 - x0) * 50 >= vp.span();
            if (x1 > x0 && !framed) vp.setRange(x0 - pad, x1 + pad);
        }
    }
    if (!vp.contains(x)) vp.centerOn(x);
    const int lane = m_model.laneOf(event);
    if (lane < 0) return;
    const int row = m_model.rowOf(event);
    const int top = m_layout.rowTop(lane, row), bottom = top + m_layout.rowHeight(lane, row);
    const int visible = viewport()->height() - m_axisHeight;
    QScrollBar* bar = verticalScrollBar();
    if (top < bar->value() || bottom > bar->value() + visible) bar->setValue(std::max(0, top - visible / 3));
}

void TimelineCanvas::setAxis(TimelineAxis axis) {
    if (axis == m_axis) return;
    m_axis = axis;
    if (m_cursorIndex >= 0) currentViewport().centerOn(m_model.xOf(m_axis, uint32_t(m_cursorIndex)));
    viewport()->update();
    emit axisChanged(m_axis);
}

void TimelineCanvas::setVisibleRange(double x0, double x1) {
    m_autoFit = false;
    currentViewport().setRange(x0, x1);
    viewport()->update();
}

void TimelineCanvas::showAll() {
    m_autoFit = false;
    currentViewport().showAll();
    viewport()->update();
}

void TimelineCanvas::zoomAt(double px, double factor) {
    m_autoFit = false;
    currentViewport().zoomAt(px, factor);
    viewport()->update();
}

void TimelineCanvas::updateViewportWidths() {
    const int width = std::max(1, viewport()->width() - m_labelWidth);
    for (TimelineViewport& vp : m_viewports) {
        const double x0 = vp.x0(), x1 = vp.x1();
        vp.setWidth(width);
        vp.setRange(x0, x1);
    }
}

void TimelineCanvas::updateScrollBar() {
    const int visible = std::max(0, viewport()->height() - m_axisHeight);
    QScrollBar* bar = verticalScrollBar();
    bar->setRange(0, std::max(0, m_layout.totalHeight() - visible));
    bar->setPageStep(std::max(1, visible));
    bar->setSingleStep(m_rowHeight);
}

int TimelineCanvas::rowY(int lane, int row) const {
    return m_axisHeight + m_layout.rowTop(lane, row) - verticalScrollBar()->value();
}

void TimelineCanvas::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    updateViewportWidths();
    updateScrollBar();
}

void TimelineCanvas::scrollContentsBy(int, int) {
    viewport()->update();
}

// ---- hit testing and tooltips ----

TimelineHit TimelineCanvas::hitAt(QPoint pos) const {
    if (pos.x() < m_labelWidth || pos.y() < m_axisHeight) return {};
    const int y = pos.y() - m_axisHeight + verticalScrollBar()->value();
    const int lane = m_layout.laneAt(y);
    const int row = m_layout.rowAt(lane, y);
    if (lane < 0 || row < TimelineModel::kMarkerRow) return {};
    return m_model.hitTest(m_axis, lane, row, timelineViewport(), pos.x() - m_labelWidth);
}

QString TimelineCanvas::toolTipFor(const TimelineHit& hit) const {
    const TraceDocumentPtr& doc = m_model.document();
    if (!doc || !hit.found()) return {};
    const TraceEvent& e = doc->event(hit.event);
    const QString where = m_model.lanes()[size_t(hit.lane)].label;
    switch (hit.kind) {
    case TimelineItem::Folded:
        return tr("%1 calls too short to draw at this zoom, folded here (first: %2). Zoom in to see "
                  "them.\n%3")
            .arg(hit.count)
            .arg(toQString(doc->trace().event_name(e)), where);
    case TimelineItem::Marker: {
        QString text =
            tr("%1 µs  %2\n%3").arg(formatTimeUs(e.time), eventDetailsText(doc->trace(), e), where);
        if (hit.count > 1) text += tr("\n(%1 events here; zoom in to separate them)").arg(hit.count);
        return text;
    }
    case TimelineItem::Span: {
        const double t0 = m_model.spanStart(TimelineAxis::Time, hit.event);
        const double t1 = m_model.spanEnd(TimelineAxis::Time, hit.event);
        return tr("%1()  —  %2 layer\n%3\n%4 µs to %5 µs (%6 µs)")
            .arg(toQString(doc->trace().event_name(e)), toQString(layer_name(e.layer)), where,
                 formatTimeUs(TimeNs(t0)), formatTimeUs(TimeNs(t1)), formatTimeUs(TimeNs(t1 - t0)));
    }
    }
    return {};
}

bool TimelineCanvas::viewportEvent(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = toolTipFor(hitAt(help->pos()));
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

// ---- mouse and keyboard ----

void TimelineCanvas::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return QAbstractScrollArea::mousePressEvent(event);
    m_pressed = true;
    m_dragging = false;
    m_pressPos = m_lastDragPos = event->position().toPoint();
}

void TimelineCanvas::mouseMoveEvent(QMouseEvent* event) {
    if (!m_pressed) return QAbstractScrollArea::mouseMoveEvent(event);
    const QPoint pos = event->position().toPoint();
    if (!m_dragging && (pos - m_pressPos).manhattanLength() < QApplication::startDragDistance()) return;
    m_dragging = true;
    m_autoFit = false;
    const QPoint d = m_lastDragPos - pos;
    m_lastDragPos = pos;
    currentViewport().panPixels(d.x());
    verticalScrollBar()->setValue(verticalScrollBar()->value() + d.y());
    viewport()->update();
}

void TimelineCanvas::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !m_pressed) return QAbstractScrollArea::mouseReleaseEvent(event);
    m_pressed = false;
    if (m_dragging) return;
    const TimelineHit hit = hitAt(event->position().toPoint());
    if (hit.found()) m_cursor->setIndex(int(hit.event));
}

void TimelineCanvas::wheelEvent(QWheelEvent* event) {
    const QPoint delta = event->angleDelta();
    const double lanePx = event->position().x() - m_labelWidth;
    if (event->modifiers() & Qt::ControlModifier) {
        zoomAt(std::max(0.0, lanePx), std::pow(1.25, delta.y() / 120.0));
        event->accept();
        return;
    }
    const int horizontal = (event->modifiers() & Qt::ShiftModifier) ? delta.y() : delta.x();
    if (horizontal != 0) {
        m_autoFit = false;
        currentViewport().panPixels(-horizontal / 120.0 * timelineViewport().width() / 8);
        viewport()->update();
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

void TimelineCanvas::keyPressEvent(QKeyEvent* event) {
    TimelineViewport& vp = currentViewport();
    // Zoom keys keep the cursor line in place when it shows, else the middle.
    double anchor = vp.width() / 2.0;
    if (m_cursorIndex >= 0) {
        const double x = m_model.xOf(m_axis, uint32_t(m_cursorIndex));
        if (vp.contains(x)) anchor = vp.toPixel(x);
    }
    const int key = event->key();
    if (key == Qt::Key_Plus || key == Qt::Key_Equal || key == Qt::Key_Minus || key == Qt::Key_Left ||
        key == Qt::Key_Right || key == Qt::Key_Home || key == Qt::Key_End || key == Qt::Key_0)
        m_autoFit = false; // the user takes over the view
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        vp.zoomAt(anchor, kZoomStep);
        break;
    case Qt::Key_Minus:
        vp.zoomAt(anchor, 1 / kZoomStep);
        break;
    case Qt::Key_Left:
        vp.panPixels(-vp.width() / 8.0);
        break;
    case Qt::Key_Right:
        vp.panPixels(vp.width() / 8.0);
        break;
    case Qt::Key_Home:
        vp.setRange(vp.limitMin(), vp.limitMin() + vp.span());
        break;
    case Qt::Key_End:
        vp.setRange(vp.limitMax() - vp.span(), vp.limitMax());
        break;
    case Qt::Key_0:
        vp.showAll();
        break;
    case Qt::Key_O:
        setAxis(m_axis == TimelineAxis::Time ? TimelineAxis::EventOrder : TimelineAxis::Time);
        break;
    case Qt::Key_Up:
        verticalScrollBar()->triggerAction(QAbstractSlider::SliderSingleStepSub);
        break;
    case Qt::Key_Down:
        verticalScrollBar()->triggerAction(QAbstractSlider::SliderSingleStepAdd);
        break;
    default:
        return QAbstractScrollArea::keyPressEvent(event);
    }
    viewport()->update();
    event->accept();
}

// ---- painting ----

void TimelineCanvas::paintEvent(QPaintEvent*) {
    QPainter p(viewport());
    paintTimeline(p, viewport()->rect());
}

const TimelineCanvas::NameText& TimelineCanvas::nameText(StrId name) const {
    static const NameText none;
    if (name >= m_names.size()) return none;
    NameText& n = m_names[name];
    if (n.width < 0) {
        const QString text = toQString(m_model.document()->trace().str(name));
        n.text = QStaticText(text);
        n.text.setTextFormat(Qt::PlainText);
        n.text.prepare(QTransform(), font());
        n.width = fontMetrics().horizontalAdvance(text);
    }
    return n;
}

void TimelineCanvas::paintTimeline(QPainter& p, const QRect& rect) {
    p.fillRect(rect, kBackground);
    p.setFont(font());
    if (!m_model.document() || m_model.laneCount() == 0) {
        p.setPen(palette().color(QPalette::Text));
        p.drawText(rect, Qt::AlignCenter, tr("No trace loaded: open a trace or run a scenario."));
        return;
    }
    const int scrollY = verticalScrollBar()->value();
    const QRect lanes(m_labelWidth, m_axisHeight, std::max(0, rect.width() - m_labelWidth),
                      std::max(0, rect.height() - m_axisHeight));
    p.save();
    p.setClipRect(lanes);
    paintLanes(p, lanes, scrollY);
    paintCursor(p, lanes, scrollY);
    p.restore();
    paintLabels(p, QRect(0, m_axisHeight, m_labelWidth, lanes.height()), scrollY);
    paintAxis(p, QRect(0, 0, rect.width(), m_axisHeight));
}

void TimelineCanvas::paintLanes(QPainter& p, const QRect& area, int scrollY) {
    const TimelineViewport& vp = timelineViewport();
    const Trace& trace = m_model.document()->trace();
    const double left = area.left();
    const QFontMetrics fm = fontMetrics();
    const int textBase = (m_rowHeight - fm.height()) / 2;

    // Grid lines under everything, at the axis ticks.
    p.setPen(kGrid);
    for (const TimelineTick& tick : TimelineModel::axisTicks(m_axis, vp, 110))
        p.drawLine(QPointF(left + tick.px, area.top()), QPointF(left + tick.px, area.bottom()));

    p.setPen(Qt::black);
    for (int lane = std::max(0, m_layout.laneAt(scrollY)); lane >= 0 && lane < m_model.laneCount(); ++lane) {
        const int laneY = area.top() + m_layout.laneTop(lane) - scrollY;
        if (laneY > area.bottom()) break;
        if (m_model.lanes()[size_t(lane)].host % 2 == 1 &&
            m_model.lanes()[size_t(lane)].kind != ContextKind::Link)
            p.fillRect(QRect(area.left(), laneY, area.width(), m_layout.laneHeight(lane)), kHostBand);

        m_items.clear();
        m_model.markerItems(m_axis, lane, vp, m_items);
        const double markerH = m_layout.rowHeight(lane, TimelineModel::kMarkerRow) - 2;
        for (const TimelineItem& it : m_items) {
            const double w = it.count > 1 ? 3 : 2;
            p.fillRect(QRectF(left + it.px0 - w / 2, laneY + 1, w, markerH), layerOutlineColor(it.layer));
        }

        const int depths = m_model.lanes()[size_t(lane)].depthCount;
        for (int depth = 0; depth < depths; ++depth) {
            const int y = area.top() + m_layout.rowTop(lane, depth) - scrollY;
            if (y + m_rowHeight < area.top()) continue;
            if (y > area.bottom()) break;
            m_items.clear();
            m_model.spanItems(m_axis, lane, depth, vp, m_items);
            for (const TimelineItem& it : m_items) {
                const QRectF r(left + it.px0, y, std::max(it.px1 - it.px0, 1.0), m_rowHeight - 1);
                if (it.kind == TimelineItem::Folded) {
                    p.fillRect(r, layerOutlineColor(it.layer));
                    continue;
                }
                p.fillRect(r, layerColor(it.layer));
                // A darker left edge, so back-to-back calls of one layer stay apart.
                if (r.width() >= 4)
                    p.fillRect(QRectF(r.left(), y, 1, m_rowHeight - 1), layerOutlineColor(it.layer));
                if (r.width() < 28) continue;
                // The name, kept on screen when the span starts left of the view; cut at the
                // span's end when it does not fit.
                const NameText& name = nameText(trace.events[it.event].name);
                const double x = std::max(r.left(), left) + 3;
                if (x + name.width + 3 <= r.right()) {
                    p.drawStaticText(QPointF(x, y + textBase), name.text);
                } else if (r.right() - x >= 24) {
                    p.save();
                    p.setClipRect(QRectF(x, y, r.right() - x - 2, m_rowHeight), Qt::IntersectClip);
                    p.drawStaticText(QPointF(x, y + textBase), name.text);
                    p.restore();
                }
            }
        }
    }
}

void TimelineCanvas::paintCursor(QPainter& p, const QRect& area, int scrollY) {
    if (m_cursorIndex < 0) return;
    const TimelineViewport& vp = timelineViewport();
    const double left = area.left();
    auto rowCentre = [&](uint32_t event) {
        const int lane = m_model.laneOf(event);
        const int row = m_model.rowOf(event);
        return area.top() + m_layout.rowTop(lane, row) - scrollY + m_layout.rowHeight(lane, row) / 2.0;
    };

    // The current function: its span outlined in the cursor's colour.
    if (m_selectedFrame != kNone && m_model.laneOf(m_selectedFrame) >= 0) {
        const int lane = m_model.laneOf(m_selectedFrame), row = m_model.rowOf(m_selectedFrame);
        const double x0 = std::max(vp.toPixel(m_model.spanStart(m_axis, m_selectedFrame)), -4.0);
        const double x1 = std::min(vp.toPixel(m_model.spanEnd(m_axis, m_selectedFrame)), vp.width() + 4.0);
        const double y = area.top() + m_layout.rowTop(lane, row) - scrollY;
        p.setPen(QPen(cursorColor(), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(left + x0, y + 1, std::max(x1 - x0, 2.0), m_rowHeight - 3));
    }

    // The packet's way across lanes: an arrow from its last event in one lane to its first in the next.
    if (!m_flowLinks.empty()) {
        p.save();
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(flowColor(), 1.5));
        p.setBrush(flowColor());
        for (const TimelineFlowLink& link : m_flowLinks) {
            const QPointF a(left + vp.toPixel(m_model.xOf(m_axis, link.from)), rowCentre(link.from));
            const QPointF b(left + vp.toPixel(m_model.xOf(m_axis, link.to)), rowCentre(link.to));
            if (std::max(a.x(), b.x()) < left || std::min(a.x(), b.x()) > area.right()) continue;
            p.drawLine(a, b);
            const double angle = std::atan2(b.y() - a.y(), b.x() - a.x());
            QPainterPath head;
            head.moveTo(b);
            head.lineTo(b - QPointF(std::cos(angle - 0.4), std::sin(angle - 0.4)) * 8);
            head.lineTo(b - QPointF(std::cos(angle + 0.4), std::sin(angle + 0.4)) * 8);
            head.closeSubpath();
            p.drawPath(head);
        }
        p.restore();
    }

    // The cursor line.
    const double x = left + vp.toPixel(m_model.xOf(m_axis, uint32_t(m_cursorIndex)));
    if (x >= left && x <= area.right() + 1) {
        p.setPen(QPen(cursorColor(), 2));
        p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
    }
}

void TimelineCanvas::paintLabels(QPainter& p, const QRect& area, int scrollY) {
    p.fillRect(area, kLabelBackground);
    const QFontMetrics fm = fontMetrics();
    p.save();
    p.setClipRect(area);
    for (int lane = std::max(0, m_layout.laneAt(scrollY)); lane >= 0 && lane < m_model.laneCount(); ++lane) {
        const int laneY = area.top() + m_layout.laneTop(lane) - scrollY;
        if (laneY > area.bottom()) break;
        const TimelineLane& l = m_model.lanes()[size_t(lane)];
        p.setPen(Qt::black);
        // The label stays in sight while any of its lane does (a tall lane scrolled half out).
        int labelY =
            area.top() + m_layout.rowTop(lane, l.depthCount > 0 ? 0 : TimelineModel::kMarkerRow) - scrollY;
        const int laneBottom = laneY + m_layout.laneHeight(lane) - m_laneGap;
        labelY = std::max(std::min(std::max(labelY, area.top()), laneBottom - m_rowHeight), laneY);
        p.drawText(QRect(6, labelY, area.width() - 8, std::max(m_rowHeight, fm.height())),
                   Qt::AlignLeft | Qt::AlignVCenter, m_laneLabels[size_t(lane)]);
        // A strong line where a new host (or the links) begins, a light one between lanes.
        const bool newGroup =
            lane == 0 || m_model.lanes()[size_t(lane) - 1].host != l.host ||
            (m_model.lanes()[size_t(lane) - 1].kind == ContextKind::Link) != (l.kind == ContextKind::Link);
        p.setPen(newGroup ? QPen(kSeparator, 2) : QPen(kGrid, 1));
        p.setClipping(false);
        p.drawLine(0, laneY, width(), laneY);
        p.setClipRect(area);
    }
    p.restore();
    p.setPen(kSeparator);
    p.drawLine(area.right(), area.top(), area.right(), area.bottom());
}

void TimelineCanvas::paintAxis(QPainter& p, const QRect& area) {
    p.fillRect(area, kLabelBackground);
    p.setPen(Qt::black);
    p.drawText(QRect(6, 0, m_labelWidth - 8, area.height()), Qt::AlignLeft | Qt::AlignVCenter,
               m_axis == TimelineAxis::Time ? tr("virtual time") : tr("event order"));
    const TimelineViewport& vp = timelineViewport();
    p.save();
    p.setClipRect(QRect(m_labelWidth, 0, area.width() - m_labelWidth, area.height()));
    for (const TimelineTick& tick : TimelineModel::axisTicks(m_axis, vp, 110)) {
        const double x = m_labelWidth + tick.px;
        p.drawLine(QPointF(x, area.bottom() - 5), QPointF(x, area.bottom()));
        p.drawText(QPointF(x + 3, area.bottom() - 6), tick.label);
    }
    p.restore();
    p.setPen(kSeparator);
    p.drawLine(area.left(), area.bottom(), area.right(), area.bottom());
}

// ---- the panel ----

TimelineView::TimelineView(Cursor* cursor, QWidget* parent)
    : QWidget(parent), m_canvas(new TimelineCanvas(cursor, this)) {
    setObjectName(QStringLiteral("timelinePanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(createPanelCaption(
        tr("Who runs when: one lane per task, softirq, hardirq, NIC and link of each host; calls nest as "
           "a flame chart, coloured by layer. Ctrl+wheel zooms, drag pans, O switches to event order, a "
           "click moves the cursor."),
        this));
    layout->addWidget(m_canvas, 1);
    setFocusProxy(m_canvas);
}

} // namespace skbscope::ui
