// TopologyView: on a document change Topology reads the network and TopologyLayout places it; on a
// cursor move the frames in flight at the event's time are looked up (a binary search) and placed.
#include "ui/topologyview.h"

#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/classroomstyle.h"
#include "ui/cursor.h"
#include "ui/eventtext.h"

namespace skbscope::ui {

class TopologyCanvas final : public QWidget {
  public:
    explicit TopologyCanvas(TopologyView* view) : QWidget(view), m_view(view) {
        setAutoFillBackground(true);
        QPalette p = palette();
        p.setColor(QPalette::Window, Qt::white);
        setPalette(p);
    }

  protected:
    void paintEvent(QPaintEvent*) override;

  private:
    void paintHost(QPainter& p, const HostBox& box);
    void paintFrame(QPainter& p, const FrameMark& m);
    TopologyView* m_view;
};

QColor TopologyView::hostFill() {
    return QColor(0xee, 0xf1, 0xf6);
}
QColor TopologyView::highlightFill() {
    return QColor(0xff, 0xe8, 0xa0);
}

QColor TopologyView::frameFill(WireFate fate) {
    switch (fate) {
    case WireFate::Lost:
        return QColor(0xd0, 0x20, 0x20);
    case WireFate::Corrupted:
        return QColor(0xf0, 0x90, 0x10);
    case WireFate::Duplicate:
        return QColor(0x80, 0x50, 0xc0);
    default:
        return QColor(0x20, 0x60, 0xd0);
    }
}

void TopologyCanvas::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const TopologyView& v = *m_view;
    const TopologyLayout& layout = v.m_layout;
    if (!v.m_topo.document()) return;
    for (const LinkLine& line : layout.linkLines()) {
        if (!line.drawn) continue;
        const bool hot = line.link == v.m_highlightLink;
        // A veth pair is no cable: dashed, and named above its middle.
        const bool veth = line.link >= 0 && v.m_topo.links()[size_t(line.link)].veth;
        QPen pen(hot ? QColor(0xe0, 0x90, 0x00) : QColor(0x70, 0x70, 0x70), hot ? 4 : 2);
        if (veth) pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.drawLine(line.ends[0], line.ends[1]);
        if (veth) {
            const QPointF mid = (line.ends[0] + line.ends[1]) / 2;
            p.drawText(QRectF(mid.x() - 30, mid.y() - 22, 60, 18), Qt::AlignCenter, QStringLiteral("veth"));
        }
    }
    for (const HostBox& box : layout.hostBoxes())
        paintHost(p, box);
    for (const FrameMark& m : v.m_frames)
        paintFrame(p, m);
}

void TopologyCanvas::paintHost(QPainter& p, const HostBox& box) {
    const TopologyView& v = *m_view;
    const Topology& topo = v.m_topo;
    const bool hot = box.host == v.m_highlightHost;
    p.setPen(hot ? QPen(QColor(0xe0, 0x90, 0x00), 3) : QPen(QColor(0x80, 0x90, 0xa8), 1.5));
    p.setBrush(hot ? TopologyView::highlightFill() : TopologyView::hostFill());
    p.drawRoundedRect(box.rect, 6, 6);
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(Qt::black);
    p.drawText(box.titleRect.adjusted(10, 0, -10, 0), Qt::AlignVCenter | Qt::AlignLeft,
               tr("Host %1").arg(QString::fromStdString(topo.hosts()[size_t(box.host)].name)));
    p.setFont(font());
    if (box.rows.empty())
        p.drawText(box.rect.adjusted(10, box.titleRect.height(), -10, 0), Qt::AlignLeft | Qt::AlignTop,
                   tr("no interfaces in this trace"));
    const double lh = v.m_layout.lineHeight();
    for (const InterfaceRow& row : box.rows) {
        const TopoInterface& itf = topo.interfaces()[size_t(row.interface)];
        p.setPen(QColor(0xc8, 0xd0, 0xdc));
        p.drawLine(row.rect.topLeft() + QPointF(6, 0), row.rect.topRight() - QPointF(6, 0));
        p.setPen(Qt::black);
        p.drawText(QRectF(row.rect.left() + 10, row.rect.top() + 3, row.rect.width() - 20, lh),
                   Qt::AlignLeft | Qt::AlignVCenter, TopologyLayout::interfaceTitle(itf));
        p.setPen(QColor(0x50, 0x50, 0x50));
        p.drawText(QRectF(row.rect.left() + 10, row.rect.top() + 3 + lh, row.rect.width() - 20, lh),
                   Qt::AlignLeft | Qt::AlignVCenter, TopologyLayout::interfaceDetail(itf));
        p.setPen(QPen(Qt::black, 1));
        p.setBrush(QColor(0x60, 0x60, 0x60));
        p.drawRect(QRectF(row.port - QPointF(4, 4), QSizeF(8, 8)));
    }
}

void TopologyCanvas::paintFrame(QPainter& p, const FrameMark& m) {
    const QColor fill = TopologyView::frameFill(m.frame.fate);
    p.setPen(QPen(fill.darker(150), 1));
    p.setBrush(fill);
    p.drawPolygon(m.shape);
    const QRectF r = m.shape.boundingRect();
    p.setPen(Qt::white);
    p.drawText(r, Qt::AlignCenter, m.label);
    // What the link does to it, written beside the tag on the side away from the line.
    QString fate;
    if (m.frame.fate == WireFate::Lost)
        fate = tr("✕ lost");
    else if (m.frame.fate == WireFate::Corrupted)
        fate = tr("bad FCS");
    else if (m.frame.fate == WireFate::Duplicate)
        fate = tr("duplicate");
    if (fate.isEmpty()) return;
    const double w = QFontMetricsF(font()).horizontalAdvance(fate) + 6;
    const QPointF away =
        -QPointF(-m.direction.y(), m.direction.x()) * r.height(); // as TopologyLayout offsets the tag
    const QRectF box(m.center + away - QPointF(w / 2, r.height() / 2), QSizeF(w, r.height()));
    p.setPen(fill.darker(130));
    p.drawText(box, Qt::AlignCenter, fate);
}

TopologyView::TopologyView(Cursor* cursor, QWidget* parent)
    : QWidget(parent), m_cursor(cursor), m_status(new QLabel(this)), m_scroll(new QScrollArea(this)),
      m_canvas(new TopologyCanvas(this)) {
    setObjectName(QStringLiteral("topologyPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(
        createPanelCaption(tr("The network: hosts, their interfaces and the links between them, "
                              "with the frames on the wire at this event's time."),
                           this));
    m_status->setTextFormat(Qt::PlainText);
    layout->addWidget(m_status);
    layout->addWidget(m_scroll, 1);
    m_scroll->setWidget(m_canvas);
    m_scroll->setWidgetResizable(false);
    connect(m_cursor, &Cursor::documentChanged, this, &TopologyView::onDocumentChanged);
    connect(m_cursor, &Cursor::cursorMoved, this, &TopologyView::onCursorMoved);
    if (m_cursor->document()) {
        onDocumentChanged();
        onCursorMoved(m_cursor->index());
    }
}

QWidget* TopologyView::canvas() const {
    return m_canvas;
}
QString TopologyView::statusText() const {
    return m_status->text();
}

void TopologyView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    relayout();
}

void TopologyView::relayout() {
    const double width = std::max(m_scroll->viewport()->width(), 300);
    m_layout.build(m_topo, QFontMetricsF(m_canvas->font()), width);
    const QSize needed(int(std::ceil(m_layout.size().width())), int(std::ceil(m_layout.size().height())));
    m_canvas->resize(needed.expandedTo(m_scroll->viewport()->size()));
    onCursorMoved(m_cursor->index());
}

void TopologyView::onDocumentChanged() {
    m_topo.setDocument(m_cursor->document());
    relayout();
}

void TopologyView::onCursorMoved(int index) {
    m_frames.clear();
    m_highlightHost = m_highlightLink = -1;
    const TraceDocumentPtr& doc = m_topo.document();
    if (!doc || index < 0 || !doc->isValid(uint32_t(index))) {
        m_status->setText(doc ? QString() : tr("No trace loaded."));
        m_canvas->update();
        return;
    }
    const uint32_t i = uint32_t(index);
    const TimeNs t = doc->event(i).time;
    m_frames = m_layout.placeFrames(m_topo.framesInFlight(t));
    m_highlightHost = m_topo.hostOfEvent(i);
    m_highlightLink = m_topo.linkOfEvent(i);
    int lost = 0;
    for (const FrameMark& m : m_frames)
        lost += m.frame.fate == WireFate::Lost || m.frame.fate == WireFate::Corrupted;
    QString status =
        tr("t = %1 µs: %n frame(s) on the wire", nullptr, int(m_frames.size())).arg(formatTimeUs(t));
    if (lost) status += tr(", %n of them lost or corrupted", nullptr, lost);
    m_status->setText(status);
    m_canvas->update();
}

} // namespace skbscope::ui
