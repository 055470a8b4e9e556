// CallGraphView: a cursor move looks up the graph's key (the packet, or the frame at the cursor);
// only a new key starts a worker (CallGraph::build, toDot, Graphviz), one at a time, the latest
// request winning. The SVG is rendered once per zoom into an image that paintEvent draws.
#include "ui/callgraphview.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QRadioButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSvgRenderer>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <cmath>

#include "ui/classroomstyle.h"
#include "ui/cursor.h"

namespace skbscope::ui {

namespace {
constexpr double kMinZoom = 0.1, kMaxZoom = 4.0;
constexpr double kMaxCachePixels = 24e6; // past this the SVG is rendered directly in paintEvent
} // namespace

struct CallGraphView::Job {
    TraceDocumentPtr doc;
    uint32_t cursor = 0;
    CallGraphMode mode = CallGraphMode::Packet;
    uint64_t key = 0;
    CallGraph graph;
    SvgLayoutResult svg;
};

class CallGraphCanvas final : public QWidget {
  public:
    explicit CallGraphCanvas(CallGraphView* view) : QWidget(view), m_view(view) {
        setAutoFillBackground(true);
        QPalette p = palette();
        p.setColor(QPalette::Window, Qt::white);
        setPalette(p);
        setMouseTracking(true);
    }

  protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* e) override {
        m_pressGlobal = m_lastGlobal = e->globalPosition();
        m_dragging = false;
    }
    void mouseMoveEvent(QMouseEvent* e) override {
        if (e->buttons() & Qt::LeftButton) {
            const QPointF d = e->globalPosition() - m_lastGlobal;
            m_lastGlobal = e->globalPosition();
            if ((e->globalPosition() - m_pressGlobal).manhattanLength() > 4) m_dragging = true;
            if (m_dragging) {
                QScrollBar* h = m_view->m_scroll->horizontalScrollBar();
                QScrollBar* v = m_view->m_scroll->verticalScrollBar();
                h->setValue(h->value() - int(std::lround(d.x())));
                v->setValue(v->value() - int(std::lround(d.y())));
            }
            return;
        }
        const bool overNode = m_view->m_svg.nodeAt(m_view->toViewBox(e->position())) >= 0;
        setCursor(overNode ? Qt::PointingHandCursor : Qt::ArrowCursor);
    }
    void mouseReleaseEvent(QMouseEvent* e) override {
        if (e->button() == Qt::LeftButton && !m_dragging) m_view->activateAt(e->position());
        m_dragging = false;
    }
    void wheelEvent(QWheelEvent* e) override {
        if (!(e->modifiers() & Qt::ControlModifier)) return QWidget::wheelEvent(e);
        m_view->setZoom(m_view->zoom() * std::pow(1.0015, e->angleDelta().y()));
        e->accept();
    }

  private:
    CallGraphView* m_view;
    QPointF m_pressGlobal, m_lastGlobal;
    bool m_dragging = false;
};

void CallGraphCanvas::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    const CallGraphView& v = *m_view;
    if (!v.m_svg.isValid()) {
        p.setPen(QColor(0x50, 0x50, 0x50));
        p.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   v.m_error.isEmpty() ? v.m_graph.emptyReason() : v.m_error);
        return;
    }
    const QImage& image = m_view->cachedImage();
    if (!image.isNull())
        p.drawImage(event->rect(), image, event->rect());
    else
        v.m_svg.renderer()->render(&p, QRectF(QPointF(0, 0), QSizeF(size())));
    if (v.m_highlight >= 0) {
        const QRectF box = v.m_svg.nodeRect(v.m_highlight);
        const QPointF tl = (box.topLeft() - v.m_svg.viewBox().topLeft()) * v.m_zoom;
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(QColor(0xe0, 0x60, 0x00), 3));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(QRectF(tl, box.size() * v.m_zoom).adjusted(-3, -3, 3, 3), 5, 5);
    }
}

CallGraphView::CallGraphView(Cursor* cursor, QWidget* parent)
    : QWidget(parent), m_cursor(cursor), m_packetButton(new QRadioButton(tr("This packet"), this)),
      m_subtreeButton(new QRadioButton(tr("Calls under this function"), this)), m_status(new QLabel(this)),
      m_scroll(new QScrollArea(this)), m_canvas(new CallGraphCanvas(this)) {
    setObjectName(QStringLiteral("callGraphPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(
        createPanelCaption(tr("Which function called which: each arrow is a call, its number how "
                              "often. Click a function to jump to its first call."),
                           this));
    auto* bar = new QHBoxLayout;
    auto* group = new QButtonGroup(this);
    group->addButton(m_packetButton);
    group->addButton(m_subtreeButton);
    m_packetButton->setChecked(true);
    bar->addWidget(m_packetButton);
    bar->addWidget(m_subtreeButton);
    bar->addStretch(1);
    for (const auto& [text, factor] :
         {std::pair{QStringLiteral("\u2212"), 1 / 1.25}, std::pair{QStringLiteral("+"), 1.25}}) {
        auto* b = new QToolButton(this);
        b->setText(text);
        connect(b, &QToolButton::clicked, this, [this, f = factor] { setZoom(m_zoom * f); });
        bar->addWidget(b);
    }
    auto* fit = new QToolButton(this);
    fit->setText(tr("Fit"));
    connect(fit, &QToolButton::clicked, this, &CallGraphView::zoomToFit);
    bar->addWidget(fit);
    layout->addLayout(bar);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    layout->addWidget(m_scroll, 1);
    m_scroll->setWidget(m_canvas);
    m_scroll->setWidgetResizable(false);
    m_scroll->setAlignment(Qt::AlignCenter);
    m_scroll->setBackgroundRole(QPalette::Base);

    connect(m_packetButton, &QRadioButton::toggled, this,
            [this](bool on) { setMode(on ? CallGraphMode::Packet : CallGraphMode::Subtree); });
    connect(m_cursor, &Cursor::documentChanged, this, &CallGraphView::refresh);
    connect(m_cursor, &Cursor::cursorMoved, this, &CallGraphView::refresh);
    resizeCanvas();
    refresh();
}

CallGraphView::~CallGraphView() {
    if (m_job) {
        m_job->wait();
        delete m_job;
    }
}

QWidget* CallGraphView::canvas() const {
    return m_canvas;
}

void CallGraphView::setMode(CallGraphMode mode) {
    if (mode == m_mode) return;
    m_mode = mode;
    (mode == CallGraphMode::Packet ? m_packetButton : m_subtreeButton)->setChecked(true);
    refresh();
}

QString CallGraphView::statusText() const {
    return m_status->text();
}

void CallGraphView::refresh() {
    const TraceDocumentPtr& doc = m_cursor->document();
    const int index = m_cursor->index();
    if (doc && index >= 0 && doc == m_shownDoc && m_mode == m_shownMode) {
        // An event of no packet (a poll loop, a timer) keeps the last packet's graph on screen, so
        // clicking a dashed caller does not wipe the graph it was clicked in.
        const bool keepPacket =
            m_mode == CallGraphMode::Packet && doc->event(uint32_t(index)).flow == 0 && !m_graph.empty();
        if (keepPacket || CallGraph::keyAt(*doc, uint32_t(index), m_mode) == m_shownKey) {
            updateHighlight();
            updateStatus();
            return;
        }
    }
    if (m_job) {
        m_pending = true;
        return;
    }
    startJob();
}

void CallGraphView::startJob() {
    const TraceDocumentPtr doc = m_cursor->document();
    const int index = m_cursor->index();
    if (!doc || index < 0) {
        m_graph = CallGraph();
        m_svg.clear();
        m_svgBytes.clear();
        m_error = tr("No event selected. Open a trace or run a scenario.");
        m_shownDoc = doc;
        m_shownKey = ~uint64_t(0);
        m_highlight = -1;
        m_status->clear();
        resizeCanvas();
        return;
    }
    auto job = std::make_shared<Job>();
    job->doc = doc;
    job->cursor = uint32_t(index);
    job->mode = m_mode;
    job->key = CallGraph::keyAt(*doc, uint32_t(index), m_mode);
    m_jobData = job;
    m_status->setText(tr("Laying out the call graph…"));
    m_job = QThread::create([job] {
        job->graph = CallGraph::build(*job->doc, job->cursor, job->mode);
        if (!job->graph.empty()) job->svg = layoutDotAsSvg(job->graph.toDot());
    });
    connect(m_job, &QThread::finished, this, &CallGraphView::onJobFinished);
    m_job->start(QThread::LowPriority);
}

void CallGraphView::onJobFinished() {
    m_job->wait();
    delete m_job;
    m_job = nullptr;
    std::shared_ptr<Job> job = std::move(m_jobData);
    if (job->doc == m_cursor->document()) {
        m_graph = std::move(job->graph);
        m_svgBytes = job->svg.svg;
        m_error = job->svg.error;
        m_svg.clear();
        if (!m_graph.empty() && job->svg.ok() && !m_svg.load(m_svgBytes, m_graph))
            m_error = tr("The SVG from Graphviz could not be read.");
        m_shownDoc = job->doc;
        m_shownKey = job->key;
        m_shownMode = job->mode;
        zoomToFit();
        updateHighlight();
        updateStatus();
        emit layoutFinished();
    }
    if (m_pending || job->doc != m_cursor->document()) {
        m_pending = false;
        refresh();
    }
}

void CallGraphView::updateStatus() {
    QString status = m_graph.title();
    if (m_graph.truncated())
        status += tr(" — showing the first %1 of %2 functions; %3 left out so the layout stays quick.")
                      .arg(m_graph.nodes().size())
                      .arg(m_graph.totalNodes())
                      .arg(m_graph.omittedNodes());
    const TraceDocumentPtr& doc = m_cursor->document();
    const int index = m_cursor->index();
    if (doc && index >= 0 && doc == m_shownDoc && !m_graph.empty() &&
        CallGraph::keyAt(*doc, uint32_t(index), m_shownMode) != m_shownKey)
        status += tr(" (the event at the cursor belongs to no packet)");
    if (!m_error.isEmpty()) status += QStringLiteral(" — ") + m_error;
    m_status->setText(status);
}

void CallGraphView::updateHighlight() {
    const TraceDocumentPtr& doc = m_cursor->document();
    const int index = m_cursor->index();
    const int node =
        (doc && index >= 0 && doc == m_shownDoc) ? m_graph.nodeOfEvent(*doc, uint32_t(index)) : -1;
    if (node != m_highlight) {
        m_highlight = node;
        m_canvas->update();
    }
    scrollToHighlight();
}

void CallGraphView::scrollToHighlight() {
    // Queued: after a resize of the canvas the scroll bars learn their new range only when the
    // scroll area has processed the resize.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_highlight < 0) return;
            const QPointF c = canvasPointOfNode(m_highlight);
            const QRectF box = m_svg.nodeRect(m_highlight);
            m_scroll->ensureVisible(int(c.x()), int(c.y()), int(box.width() * m_zoom / 2) + 24,
                                    int(box.height() * m_zoom / 2) + 24);
        },
        Qt::QueuedConnection);
}

void CallGraphView::setZoom(double zoom) {
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    if (zoom == m_zoom && m_canvas->size() == m_svg.viewBox().size().toSize() * zoom) return;
    m_zoom = zoom;
    resizeCanvas();
}

void CallGraphView::zoomToFit() {
    const QSizeF box = m_svg.viewBox().size();
    if (!m_svg.isValid() || box.isEmpty()) {
        m_zoom = 1.0;
        resizeCanvas();
        return;
    }
    const QSize area = m_scroll->viewport()->size() - QSize(4, 4);
    // Fit, but never so small that a projector cannot show the text, nor larger than life and a half.
    const double fit = std::min(area.width() / box.width(), area.height() / box.height());
    m_zoom = std::clamp(fit, 0.8, 1.5);
    resizeCanvas();
}

void CallGraphView::resizeCanvas() {
    m_cache = QImage();
    if (m_svg.isValid()) {
        const QSizeF s = m_svg.viewBox().size() * m_zoom;
        m_canvas->resize(int(std::ceil(s.width())), int(std::ceil(s.height())));
        scrollToHighlight();
    } else {
        m_canvas->resize(m_scroll->viewport()->size().expandedTo(QSize(200, 100)));
    }
    m_canvas->update();
}

const QImage& CallGraphView::cachedImage() {
    const QSize size = m_canvas->size();
    if (double(size.width()) * size.height() > kMaxCachePixels) {
        m_cache = QImage();
        return m_cache;
    }
    if (m_cache.size() != size) {
        m_cache = QImage(size, QImage::Format_ARGB32_Premultiplied);
        m_cache.fill(Qt::white);
        QPainter p(&m_cache);
        p.setRenderHint(QPainter::Antialiasing);
        m_svg.renderer()->render(&p, QRectF(QPointF(0, 0), QSizeF(size)));
    }
    return m_cache;
}

QPointF CallGraphView::toViewBox(QPointF canvasPoint) const {
    return m_svg.viewBox().topLeft() + canvasPoint / m_zoom;
}

QPointF CallGraphView::canvasPointOfNode(int node) const {
    const QRectF box = m_svg.nodeRect(node);
    if (box.isEmpty()) return {-1, -1};
    return (box.center() - m_svg.viewBox().topLeft()) * m_zoom;
}

void CallGraphView::activateAt(QPointF canvasPoint) {
    const int node = m_svg.nodeAt(toViewBox(canvasPoint));
    if (node < 0) return;
    m_cursor->setIndex(int(m_graph.nodes()[size_t(node)].firstEvent));
}

} // namespace skbscope::ui
