// QueuesView: on a document change QueueState indexes the queues and rings; on a cursor move the
// panel looks up every track's value (binary searches) and the canvas repaints from those values
// and the layout's rectangles.
#include "ui/queuesview.h"

#include <QEvent>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/classroomstyle.h"
#include "ui/cursor.h"
#include "ui/eventtext.h"

namespace skbscope::ui {

class QueuesCanvas final : public QWidget {
  public:
    explicit QueuesCanvas(QueuesView* view) : QWidget(view), m_view(view) {
        setAutoFillBackground(true);
        QPalette p = palette();
        p.setColor(QPalette::Window, Qt::white);
        setPalette(p);
    }

  protected:
    void paintEvent(QPaintEvent*) override;

  private:
    void paintLegend(QPainter& p);
    void paintQueue(QPainter& p, const QueueRowBox& row);
    void paintRing(QPainter& p, const RingBox& box);
    QueuesView* m_view;
};

namespace {

QString formatBytes(int64_t b) { return QLocale::c().toString(qlonglong(b)) + QStringLiteral(" B"); }

// An annular sector from slot `first` over `n` slots.
QPainterPath sector(const RingGeometry& g, int first, int n) {
    const QRectF outer(g.center.x() - g.outerRadius, g.center.y() - g.outerRadius, 2 * g.outerRadius,
                       2 * g.outerRadius);
    const QRectF inner(g.center.x() - g.innerRadius, g.center.y() - g.innerRadius, 2 * g.innerRadius,
                       2 * g.innerRadius);
    const double start = g.slotStartDeg(first), span = n * g.slotSpanDeg();
    QPainterPath path;
    path.arcMoveTo(outer, start);
    path.arcTo(outer, start, -span);
    path.arcTo(inner, start - span, span);
    path.closeSubpath();
    return path;
}

void drawArrow(QPainter& p, QPointF base, QPointF tip) {
    p.drawLine(base, tip);
    const QLineF line(tip, base);
    QLineF a = line;
    a.setLength(7);
    QLineF b = a;
    a.setAngle(line.angle() + 25);
    b.setAngle(line.angle() - 25);
    QPolygonF head{tip, a.p2(), b.p2()};
    p.setBrush(p.pen().color());
    p.drawPolygon(head);
}

} // namespace

void QueuesCanvas::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QueueState& st = m_view->m_state;
    if (!st.document()) return;
    paintLegend(p);
    QFont bold = font();
    bold.setBold(true);
    for (const HostSection& s : m_view->m_layout.sections()) {
        p.fillRect(s.header, QColor(0xee, 0xf1, 0xf6));
        p.setFont(bold);
        p.setPen(Qt::black);
        p.drawText(s.header.adjusted(6, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft,
                   tr("Host %1").arg(toQString(st.document()->trace().host_name(s.host))));
        p.setFont(font());
        for (const QueueRowBox& row : s.queues)
            paintQueue(p, row);
        for (const RingBox& box : s.rings)
            paintRing(p, box);
    }
}

void QueuesCanvas::paintLegend(QPainter& p) {
    const QRectF r = m_view->m_layout.legendRect();
    double x = r.left(), y = r.top();
    const double rowHeight = r.height() / 2;
    const QFontMetricsF fm(font());
    p.setPen(Qt::black);
    for (int s = 0; s < kSlotStateCount; ++s) {
        const QString text = QString::fromLatin1(slotStateName(SlotState(s)));
        const double w = 18 + fm.horizontalAdvance(text) + 16;
        if (x > r.left() && x + w > r.right()) { // wrap to the second row
            x = r.left();
            y += rowHeight;
        }
        p.fillRect(QRectF(x, y + (rowHeight - 14) / 2, 14, 14), slotColor(SlotState(s)));
        p.drawText(QRectF(x + 18, y, w - 18, rowHeight), Qt::AlignVCenter, text);
        x += w;
    }
}

void QueuesCanvas::paintQueue(QPainter& p, const QueueRowBox& row) {
    const QueueTrack& q = m_view->m_state.queues()[size_t(row.track)];
    const QueueValue& v = m_view->m_queueValues[size_t(row.track)];
    if (row.track == m_view->m_touchedQueue) p.fillRect(row.rect, highlightColor());
    p.setPen(Qt::black);
    p.drawText(row.labelRect, Qt::AlignVCenter | Qt::AlignLeft,
               QStringLiteral("%1  %2").arg(QString::fromStdString(q.kind), QString::fromStdString(q.instance)));
    p.setPen(QColor(0xb0, 0xb0, 0xb0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(row.barRect);
    const double w = QueuesLayout::barWidth(row, v.qlen, q.maxQlen);
    if (w > 0) p.fillRect(QRectF(row.barRect.left(), row.barRect.top(), w, row.barRect.height()), queueBarColor());
    QString text = v.known ? tr("%1 queued, %2").arg(v.qlen).arg(formatBytes(v.bytes)) : tr("not used yet");
    if (row.track == m_view->m_touchedQueue)
        text += QStringLiteral("  (") + toQString(queue_op_name(v.op)) + QLatin1Char(')');
    const QFontMetricsF fm(font());
    const double tw = fm.horizontalAdvance(text);
    QRectF textRect(row.barRect.left() + w + 4, row.rect.top(), tw + 4, row.rect.height());
    p.setPen(Qt::black);
    if (textRect.right() > row.barRect.right() && w > tw + 8) { // no room after the bar: inside it
        textRect.moveLeft(row.barRect.left() + 4);
        p.setPen(Qt::white);
    }
    p.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft, text);
}

void QueuesCanvas::paintRing(QPainter& p, const RingBox& box) {
    const RingTrack& r = m_view->m_state.rings()[size_t(box.track)];
    const RingValue& v = m_view->m_ringValues[size_t(box.track)];
    const RingGeometry& g = box.geometry;
    const bool touched = box.track == m_view->m_touchedRing;
    p.setPen(touched ? QPen(QColor(0xe0, 0x90, 0x00), 3) : QPen(QColor(0xc8, 0xc8, 0xc8), 1));
    const QColor boxFill = touched ? QColor(0xff, 0xf8, 0xd8) : QColor(Qt::white);
    p.setBrush(boxFill);
    p.drawRoundedRect(box.rect, 4, 4);
    p.setPen(Qt::black);
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.drawText(box.titleRect, Qt::AlignVCenter | Qt::AlignLeft,
               tr("%1 %2 (%3 descriptors)")
                   .arg(QString::fromStdString(r.ring), QString::fromStdString(r.dev))
                   .arg(r.count));
    p.setFont(font());
    // Runs of equal state as one sector each: few paths even for 4096 descriptors.
    p.setPen(Qt::NoPen);
    const int n = int(v.descStates.size());
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && v.descStates[size_t(j)] == v.descStates[size_t(i)])
            ++j;
        p.setBrush(slotColor(v.descStates[size_t(i)]));
        p.drawPath(sector(g, i, j - i));
        i = j;
    }
    if (n > 0 && n <= 64) { // slot borders when they are wide enough to see
        p.setPen(QPen(Qt::white, 1));
        for (int i = 0; i < n; ++i)
            p.drawLine(g.pointAt(g.slotStartDeg(i), g.innerRadius), g.pointAt(g.slotStartDeg(i), g.outerRadius));
    }
    // Arrows first, then the labels on a background of their own: a stacked marker's arrow passes
    // behind the label nearer the ring instead of striking through it.
    const QFontMetricsF fm(font());
    const std::vector<RingMarker> markers = ringMarkers(g, v, r.tx);
    auto markerColor = [](const RingMarker& m) {
        return m.outside ? QColor(0x10, 0x10, 0x10) : QColor(0xb0, 0x10, 0x20);
    };
    for (const RingMarker& m : markers) {
        p.setPen(QPen(markerColor(m), 1.5));
        drawArrow(p, m.base, m.tip);
    }
    for (const RingMarker& m : markers) {
        const double tw = fm.horizontalAdvance(m.text) + 4;
        const QRectF rect(m.textAnchor.x() - tw / 2, m.textAnchor.y() - fm.height() / 2, tw, fm.height());
        p.fillRect(rect, boxFill);
        p.setPen(markerColor(m));
        p.drawText(rect, Qt::AlignCenter, m.text);
    }
    const int64_t used =
        (v.nextToUse >= 0 && v.nextToClean >= 0 && n > 0) ? ((v.nextToUse - v.nextToClean) % n + n) % n : 0;
    p.setPen(Qt::black);
    p.drawText(box.countsRect, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
               tr("in use by driver %1, posted %2, DD %3, empty %4")
                   .arg(used)
                   .arg(v.stateCount(SlotState::Posted) + v.stateCount(SlotState::Fetched) +
                        v.stateCount(SlotState::Processed))
                   .arg(v.stateCount(SlotState::WrittenBack))
                   .arg(v.stateCount(SlotState::Empty) + v.stateCount(SlotState::Cleaned)));
}

QueuesView::QueuesView(Cursor* cursor, QWidget* parent)
    : QWidget(parent), m_cursor(cursor), m_scroll(new QScrollArea(this)), m_canvas(new QueuesCanvas(this)) {
    setObjectName(QStringLiteral("queuesPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(createPanelCaption(tr("Every queue and descriptor ring at this event: bars count what is "
                                            "queued, ring slots are coloured by who owns each descriptor."),
                                         this));
    layout->addWidget(m_scroll);
    m_scroll->setWidget(m_canvas);
    m_scroll->setWidgetResizable(false);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->viewport()->installEventFilter(this);
    connect(m_cursor, &Cursor::documentChanged, this, &QueuesView::onDocumentChanged);
    connect(m_cursor, &Cursor::cursorMoved, this, &QueuesView::onCursorMoved);
    if (m_cursor->document()) {
        onDocumentChanged();
        onCursorMoved(m_cursor->index());
    }
}

QWidget* QueuesView::canvas() const { return m_canvas; }

bool QueuesView::eventFilter(QObject* watched, QEvent* event) {
    // The canvas follows the scroll area's width (known only once the layout has placed it).
    if (watched == m_scroll->viewport() && event->type() == QEvent::Resize &&
        m_canvas->width() != m_scroll->viewport()->width())
        relayout();
    return QWidget::eventFilter(watched, event);
}

void QueuesView::relayout() {
    const int width = std::max(m_scroll->viewport()->width(), 400);
    m_layout.build(m_state, width);
    m_canvas->resize(width, int(std::ceil(m_layout.height())));
    m_canvas->update();
}

void QueuesView::onDocumentChanged() {
    m_state.setDocument(m_cursor->document());
    m_queueValues.assign(m_state.queues().size(), {});
    m_ringValues.assign(m_state.rings().size(), {});
    m_touchedQueue = m_touchedRing = QueueState::kNone;
    relayout();
}

void QueuesView::onCursorMoved(int index) {
    m_touchedQueue = m_touchedRing = QueueState::kNone;
    if (!m_state.document() || index < 0) {
        m_queueValues.assign(m_state.queues().size(), {});
        m_ringValues.assign(m_state.rings().size(), {});
    } else {
        const uint32_t i = uint32_t(index);
        for (size_t q = 0; q < m_queueValues.size(); ++q)
            m_queueValues[q] = m_state.queueAt(int(q), i);
        for (size_t r = 0; r < m_ringValues.size(); ++r)
            m_ringValues[r] = m_state.ringAt(int(r), i);
        m_touchedQueue = m_state.queueTouchedBy(i);
        m_touchedRing = m_state.ringTouchedBy(i);
        // Keep what the cursor's event changed in sight.
        const QRectF* target = nullptr;
        if (const QueueRowBox* b = m_layout.queueBox(m_touchedQueue)) target = &b->rect;
        if (const RingBox* b = m_layout.ringBox(m_touchedRing)) target = &b->rect;
        if (target) m_scroll->ensureVisible(int(target->center().x()), int(target->center().y()), 0,
                                            int(target->height() / 2) + 8);
    }
    m_canvas->update();
}

} // namespace skbscope::ui
