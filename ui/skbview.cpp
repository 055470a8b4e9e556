// SkbView and SkbDiagram: the state comes from SkbStateIndex (per document), the geometry from
// SkbLayout (per state and width); paintEvent draws boxes, labels and arrows from those only.
#include "ui/skbview.h"

#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>
#include <QVariantAnimation>

#include "ui/classroomstyle.h"
#include "ui/cursor.h"
#include "ui/eventtext.h"

namespace skbscope::ui {

namespace {

constexpr double kMargin = 10;
constexpr double kBoxHeight = 58;
constexpr double kMinRegionWidth = 44; // "skb_shared_info" wraps; "TCP" / "40 B" fit
constexpr int kAnimationMs = 250;

uint32_t pointerOffset(const SkbSnapshot& s, const QString& name) {
    if (name == QLatin1String("data")) return s.data;
    if (name == QLatin1String("tail")) return s.tail;
    if (name == QLatin1String("end")) return s.end;
    return 0;
}

// A region's label, then shorter ones for narrow boxes.
QStringList regionNames(const SkbLayout::Region& r) {
    switch (r.kind) {
    case SkbLayout::Kind::Headroom:
        return {QStringLiteral("headroom"), QStringLiteral("head")};
    case SkbLayout::Kind::Header:
        if (r.header == SkbHeader::Ethernet) return {skbHeaderName(r.header), QStringLiteral("Eth")};
        if (r.header == SkbHeader::Ipv4) return {skbHeaderName(r.header), QStringLiteral("IP")};
        return {skbHeaderName(r.header)};
    case SkbLayout::Kind::Payload:
        return {QStringLiteral("data"), QStringLiteral("…")};
    case SkbLayout::Kind::Tailroom:
        return {QStringLiteral("tailroom"), QStringLiteral("tail")};
    case SkbLayout::Kind::SharedInfo:
        return {QStringLiteral("skb_shared_info"), QStringLiteral("shinfo")};
    case SkbLayout::Kind::PageFrags:
        return {QStringLiteral("page frags"), QStringLiteral("frags")};
    }
    return {};
}

} // namespace

QColor skbHeaderColor(SkbHeader h) {
    switch (h) {
    case SkbHeader::Ethernet:
        return QColor(0xf7, 0xc9, 0x48); // amber
    case SkbHeader::Arp:
        return QColor(0xc3, 0x9b, 0xd3); // violet
    case SkbHeader::Ipv4:
        return QColor(0x5d, 0xad, 0xe2); // blue
    case SkbHeader::Tcp:
        return QColor(0x52, 0xbe, 0x80); // green
    case SkbHeader::Udp:
        return QColor(0xeb, 0x98, 0x4e); // orange
    case SkbHeader::Icmp:
        return QColor(0xec, 0x70, 0x63); // red
    case SkbHeader::Other:
        break;
    }
    return QColor(0xb0, 0xb6, 0xbb);
}

QColor skbRegionColor(SkbLayout::Kind k) {
    switch (k) {
    case SkbLayout::Kind::Headroom:
    case SkbLayout::Kind::Tailroom:
        return QColor(0xec, 0xec, 0xec);
    case SkbLayout::Kind::Payload:
        return QColor(0xfd, 0xf6, 0xe3); // cream: the bytes of the packet that are no header
    case SkbLayout::Kind::SharedInfo:
        return QColor(0xc8, 0xcd, 0xd2);
    case SkbLayout::Kind::PageFrags:
        return QColor(0xfa, 0xe5, 0xd3);
    case SkbLayout::Kind::Header:
        break;
    }
    return Qt::white;
}

// ---- SkbDiagram ----

SkbDiagram::SkbDiagram(QWidget* parent) : QWidget(parent), m_anim(new QVariantAnimation(this)) {
    setObjectName(QStringLiteral("skbDiagram"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_anim->setDuration(kAnimationMs);
    m_anim->setStartValue(0.0);
    m_anim->setEndValue(1.0);
    m_anim->setEasingCurve(QEasingCurve::InOutCubic);
    connect(m_anim, &QVariantAnimation::valueChanged, this,
            [this](const QVariant& v) { setProgress(v.toDouble()); });
}

void SkbDiagram::setState(const SkbState* state, const QString& lastOp, const SkbSnapshot* animateFrom) {
    m_anim->stop();
    m_snapshot.reset();
    m_from.reset();
    m_previous.reset();
    m_headers.clear();
    m_building.reset();
    m_lastOp = lastOp;
    if (state && state->valid()) {
        m_snapshot = *state->snapshot;
        if (state->previous) m_previous = *state->previous;
        m_headers = state->headers;
        if (state->building && state->building->pushed)
            m_building = SkbHeaderSpan{state->building->header, state->building->offset,
                                       state->building->length, true};
    }
    relayout();
    // The slide starts where the pointers were drawn before (animateFrom), else it is skipped.
    if (animateFrom && m_animate && m_snapshot) {
        m_from = *animateFrom;
        m_progress = 0;
        m_anim->start();
    } else {
        m_progress = 1;
    }
    update();
}

void SkbDiagram::setProgress(double t) {
    m_progress = std::clamp(t, 0.0, 1.0);
    update();
}

bool SkbDiagram::animating() const {
    return m_anim->state() == QAbstractAnimation::Running;
}

double SkbDiagram::labelRowHeight() const {
    return fontMetrics().height() + 2;
}

void SkbDiagram::relayout() {
    m_layout.reset();
    if (!m_snapshot) return;
    const double labelWidth = fontMetrics().horizontalAdvance(QStringLiteral("data 0xffff888100000000")) + 10;
    m_layout.emplace(*m_snapshot, m_headers, std::max(0.0, width() - 2 * kMargin), kMinRegionWidth,
                     labelWidth, m_building);
    updateGeometry();
}

void SkbDiagram::resizeEvent(QResizeEvent*) {
    relayout();
}

QRectF SkbDiagram::bufferRect() const {
    const int rows = m_layout ? m_layout->labelRows() : 1;
    return QRectF(kMargin, 6 + rows * labelRowHeight() + 8, std::max(0.0, width() - 2 * kMargin), kBoxHeight);
}

double SkbDiagram::pointerX(const QString& name) const {
    if (!m_layout) return 0;
    const SkbLayout::Pointer* p = m_layout->pointer(name);
    if (!p) return 0;
    double x = p->x;
    if (m_from && m_progress < 1.0) {
        const double from = m_layout->offsetToX(pointerOffset(*m_from, name));
        x = from + (p->x - from) * m_progress;
    }
    return kMargin + x;
}

QSize SkbDiagram::sizeHint() const {
    return QSize(900, minimumSizeHint().height());
}

QSize SkbDiagram::minimumSizeHint() const {
    // Three staggered mark rows, the last operation's arrow and its text.
    return QSize(300, int(bufferRect().bottom() + 5 * labelRowHeight() + 24));
}

void SkbDiagram::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.fillRect(rect(), palette().color(QPalette::Base));
    if (!m_layout) {
        p.setPen(palette().color(QPalette::Disabled, QPalette::Text));
        p.drawText(rect(), Qt::AlignCenter, tr("No sk_buff at this event."));
        return;
    }
    const QRectF box = bufferRect();
    const QFontMetricsF fm(font());
    const double rowH = labelRowHeight();

    // Regions, to scale.
    for (const SkbLayout::Region& r : m_layout->regions()) {
        const QRectF rr(box.left() + r.x, box.top(), r.width, box.height());
        const QColor fill =
            r.kind == SkbLayout::Kind::Header ? skbHeaderColor(r.header) : skbRegionColor(r.kind);
        p.fillRect(rr, r.pulled ? fill.lighter(125) : fill);
        if (r.pulled || r.kind == SkbLayout::Kind::SharedInfo)
            p.fillRect(rr, QBrush(QColor(0, 0, 0, 40), Qt::BDiagPattern));
        QPen border(Qt::black, 1);
        if (r.kind == SkbLayout::Kind::PageFrags) border.setStyle(Qt::DashLine);
        p.setPen(border);
        p.setBrush(Qt::NoBrush);
        p.drawRect(rr);
        if (r.building) {
            p.setPen(QPen(QColor(0xc0, 0x10, 0x10), 3));
            p.drawRect(rr.adjusted(1.5, 1.5, -1.5, -1.5));
        }
        p.setPen(Qt::black);
        const QString bytes = QStringLiteral("%1 B").arg(r.length);
        const QRectF textRect = rr.adjusted(2, 2, -2, -2);
        for (const QString& name : regionNames(r))
            if (fm.horizontalAdvance(name) <= textRect.width()) {
                p.drawText(textRect, Qt::AlignHCenter | Qt::AlignTop, name);
                break;
            }
        if (fm.horizontalAdvance(bytes) <= textRect.width())
            p.drawText(textRect, Qt::AlignHCenter | Qt::AlignBottom, bytes);
    }

    // Pointers: label rows above the box, a line and an arrow head down to the byte they point at.
    for (const SkbLayout::Pointer& ptr : m_layout->pointers()) {
        const double x = pointerX(ptr.name);
        const double y = 6 + ptr.row * rowH;
        const QString label = QStringLiteral("%1 %2").arg(ptr.name, formatAddress(ptr.address));
        const double w = fm.horizontalAdvance(label);
        const double tx = x + 3 + w > width() - 2 ? x - 3 - w : x + 3;
        p.setPen(QPen(QColor(0x10, 0x30, 0x80), 1.5));
        p.drawLine(QPointF(x, y + 2), QPointF(x, box.top() - 1));
        QPainterPath head;
        head.moveTo(x, box.top());
        head.lineTo(x - 4, box.top() - 7);
        head.lineTo(x + 4, box.top() - 7);
        head.closeSubpath();
        p.fillPath(head, QColor(0x10, 0x30, 0x80));
        p.drawText(QPointF(tx, y + fm.ascent()), label);
    }

    // Header marks below the box, staggered when close.
    double y = box.bottom() + 2;
    double lastEnd = -1e9;
    int stagger = 0, maxStagger = 0;
    for (const SkbLayout::Mark& m : m_layout->marks()) {
        const double x = box.left() + m.x;
        const QString label = QStringLiteral("%1_header").arg(m.name);
        stagger = x < lastEnd ? stagger + 1 : 0;
        maxStagger = std::max(maxStagger, stagger);
        const double ly = y + 6 + stagger * rowH;
        p.setPen(QPen(QColor(0x60, 0x20, 0x60), 1));
        p.drawLine(QPointF(x, box.bottom()), QPointF(x, ly));
        p.drawText(QPointF(x + 2, ly + fm.ascent()), label);
        lastEnd = x + 2 + fm.horizontalAdvance(label) + 6;
    }

    // The last operation: an arrow from where the moved pointer was to where it is.
    if (m_previous && !m_lastOp.isEmpty()) {
        const double ay = y + 6 + (maxStagger + 1) * rowH + 8; // below the staggered mark labels
        for (const QString& name : {QStringLiteral("data"), QStringLiteral("tail"), QStringLiteral("end")}) {
            const uint32_t before = pointerOffset(*m_previous, name),
                           after = pointerOffset(*m_snapshot, name);
            if (before == after || m_previous->head_addr != m_snapshot->head_addr) continue;
            const double x0 = box.left() + m_layout->offsetToX(before),
                         x1 = box.left() + m_layout->offsetToX(after);
            p.setPen(QPen(QColor(0xc0, 0x10, 0x10), 2));
            p.drawLine(QPointF(x0, ay), QPointF(x1, ay));
            const double dir = x1 < x0 ? 1 : -1;
            QPainterPath head;
            head.moveTo(x1, ay);
            head.lineTo(x1 + dir * 8, ay - 4);
            head.lineTo(x1 + dir * 8, ay + 4);
            head.closeSubpath();
            p.fillPath(head, QColor(0xc0, 0x10, 0x10));
            const QString text = QStringLiteral("%1: %2").arg(m_lastOp, name);
            const double tw = fm.horizontalAdvance(text);
            const double tx = std::clamp(std::min(x0, x1), 2.0, std::max(2.0, width() - tw - 2));
            p.drawText(QPointF(tx, ay + 6 + fm.ascent()), text);
            break;
        }
    }
}

// ---- SkbView ----

SkbView::SkbView(Cursor* cursor, QWidget* parent)
    : QWidget(parent), m_cursor(cursor), m_summary(new QLabel(this)), m_operation(new QLabel(this)),
      m_diagram(new SkbDiagram(this)) {
    setObjectName(QStringLiteral("skbPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(
        createPanelCaption(tr("The sk_buff at this event: its buffer to scale, with the head, data, "
                              "tail and end pointers and the headers inside."),
                           this));
    for (QLabel* l : {m_summary, m_operation}) {
        l->setTextFormat(Qt::PlainText);
        l->setWordWrap(true);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(l);
    }
    layout->addWidget(m_diagram);
    layout->addStretch(1);
    connect(m_cursor, &Cursor::documentChanged, this, &SkbView::onDocumentChanged);
    connect(m_cursor, &Cursor::cursorMoved, this, &SkbView::onCursorMoved);
    onDocumentChanged();
}

void SkbView::onDocumentChanged() {
    m_index.build(m_cursor->document());
    m_state = SkbState{};
    onCursorMoved(m_cursor->index());
}

void SkbView::onCursorMoved(int index) {
    SkbState next = m_index.stateAt(index);
    // Slide from what is drawn now when the cursor steps onto another snapshot of the same skb.
    const SkbSnapshot* from = nullptr;
    if (next.valid() && m_state.valid() && next.skb == m_state.skb && next.event != m_state.event)
        from = m_state.snapshot;
    m_state = std::move(next);
    const TraceDocumentPtr& doc = m_cursor->document();
    if (!m_state.valid() || !doc) {
        m_summary->setText(tr("No sk_buff at this event."));
        m_operation->clear();
        m_diagram->setState(nullptr, {}, nullptr);
        return;
    }
    const SkbSnapshot& s = *m_state.snapshot;
    const TraceEvent& e = doc->event(m_state.event);
    QString text =
        tr("skb %1 (packet %2), as of event %3: len %4, data_len %5, headlen %6, truesize %7, users %8, "
           "dataref %9, nr_frags %10")
            .arg(m_state.skb)
            .arg(e.flow)
            .arg(m_state.event)
            .arg(s.len)
            .arg(s.data_len)
            .arg(s.len - std::min(s.len, s.data_len))
            .arg(s.truesize)
            .arg(s.users)
            .arg(s.dataref)
            .arg(s.nr_frags);
    if (s.cloned) {
        QStringList others;
        for (uint32_t o : m_state.sharing)
            others << QStringLiteral("skb %1").arg(o);
        text += others.isEmpty() ? tr("; cloned")
                                 : tr("; cloned: shares data with %1").arg(others.join(QStringLiteral(", ")));
    }
    m_summary->setText(text);

    const QString op = m_state.lastOpText(*doc);
    QString opText = tr("Last operation: %1").arg(op);
    if (m_state.previous && m_state.previous->head_addr == s.head_addr) {
        if (m_state.previous->data != s.data)
            opText += tr(" — data %1 → %2")
                          .arg(formatAddress(s.head_addr + m_state.previous->data),
                               formatAddress(s.head_addr + s.data));
        if (m_state.previous->tail != s.tail)
            opText += tr(" — tail %1 → %2")
                          .arg(formatAddress(s.head_addr + m_state.previous->tail),
                               formatAddress(s.head_addr + s.tail));
    }
    if (m_state.building) {
        const SkbBuilding& b = *m_state.building;
        const QString fn = toQString(doc->trace().event_name(doc->event(b.function)));
        opText += b.pushed ? tr(".  %1() is building the %2 header (%3 bytes at skb->data).")
                                 .arg(fn, skbHeaderName(b.header))
                                 .arg(b.length)
                           : tr(".  %1() is about to push the %2 header in front of skb->data.")
                                 .arg(fn, skbHeaderName(b.header));
    }
    m_operation->setText(opText);
    m_diagram->setState(&m_state, op, from);
}

QString SkbView::summaryText() const {
    return m_summary->text();
}

QString SkbView::operationText() const {
    return m_operation->text();
}

} // namespace skbscope::ui
