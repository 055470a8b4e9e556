// ChartsPanel: the series come from SeriesExtractor once per source (O(events), on a source or
// document change, never in paint); a cursor move only moves one two-point line per chart.
#include "ui/charts/chartspanel.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QValueAxis>

#include "ui/classroomstyle.h"
#include "ui/cursor.h"

namespace skbscope::ui {

namespace {

// A chart view that reports the time under a left click.
class ClickableChartView final : public QChartView {
  public:
    ClickableChartView(QChart* chart, ChartsPanel* panel) : QChartView(chart), m_panel(panel) {
        setRenderHint(QPainter::Antialiasing);
        setMinimumHeight(240); // room for the title, legend and both axes' labels
    }

  protected:
    // The same plot rectangle in every chart, whatever its axis labels: the cursor lines of the
    // stacked charts then line up, and so do equal times.
    void resizeEvent(QResizeEvent* event) override {
        // While a plot area is fixed, Qt Charts does not lay the title, legend, background and axes
        // out again on a resize: release it (a null rect) before the view resizes the chart, so a
        // chart made narrow (in a hidden tab) and widened later is laid out for its new size.
        chart()->setPlotArea(QRectF());
        QChartView::resizeEvent(event);
        constexpr qreal kLeft = 78, kRight = 78, kTop = 64, kBottom = 52;
        chart()->setPlotArea(QRectF(kLeft, kTop, std::max<qreal>(40, width() - kLeft - kRight),
                                    std::max<qreal>(40, height() - kTop - kBottom)));
        // Lay the axes out around the new plot area now, not at the next unrelated change.
        if (QGraphicsLayout* l = chart()->layout()) {
            l->invalidate();
            l->activate();
        }
    }

    void mousePressEvent(QMouseEvent* event) override {
        if (event->button() == Qt::LeftButton &&
            chart()->plotArea().contains(chart()->mapFromScene(mapToScene(event->position().toPoint())))) {
            m_panel->moveCursorToTime(ChartsPanel::timeAtPosition(this, event->position().toPoint()));
            event->accept();
            return;
        }
        QChartView::mousePressEvent(event);
    }

  private:
    ChartsPanel* m_panel;
};

const QColor kSeriesColors[] = {QColor(0x1f, 0x5f, 0xbf), QColor(0x2e, 0x9e, 0x44), QColor(0x8a, 0x4f, 0xd8),
                                QColor(0x99, 0x66, 0x00), QColor(0x00, 0x8b, 0x8b), QColor(0x55, 0x55, 0x55)};

} // namespace

QColor ChartsPanel::cursorColor() { return QColor(0xe0, 0x10, 0x10); }

ChartsPanel::ChartsPanel(Cursor* cursor, QWidget* parent)
    : QWidget(parent), m_cursor(cursor), m_combo(new QComboBox(this)), m_chartsLayout(nullptr) {
    setObjectName(QStringLiteral("chartsPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(createPanelCaption(tr("TCP and device state over virtual time; the red line is the "
                                            "cursor. Click a chart to move the cursor to that time."),
                                         this));
    m_combo->setObjectName(QStringLiteral("chartsSource"));
    layout->addWidget(m_combo);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    auto* inner = new QWidget(scroll);
    m_chartsLayout = new QVBoxLayout(inner);
    m_chartsLayout->setContentsMargins(0, 0, 0, 0);
    scroll->setWidget(inner);
    layout->addWidget(scroll, 1);

    connect(m_combo, &QComboBox::currentIndexChanged, this, &ChartsPanel::onSourceChanged);
    connect(m_cursor, &Cursor::documentChanged, this, &ChartsPanel::onDocumentChanged);
    connect(m_cursor, &Cursor::cursorMoved, this, &ChartsPanel::onCursorMoved);
    if (m_cursor->document()) onDocumentChanged();
}

void ChartsPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale) onDocumentChanged();
}

void ChartsPanel::onDocumentChanged() {
    // Making the charts is the slowest step of opening a big trace (Qt Charts takes ~0.1 s for the
    // series of a 340k-event trace): a hidden panel (a tab in the back) does it when first shown.
    m_stale = !isVisible();
    if (m_stale) return;
    const TraceDocumentPtr& doc = m_cursor->document();
    m_sources = doc ? SeriesExtractor::sources(*doc) : std::vector<ChartSource>{};
    if (doc) m_timeIndex.build(*doc);
    const QSignalBlocker block(m_combo);
    m_combo->clear();
    for (const ChartSource& s : m_sources)
        m_combo->addItem(s.label);
    m_combo->setCurrentIndex(m_sources.empty() ? -1 : 0);
    onSourceChanged(m_combo->currentIndex());
}

void ChartsPanel::onSourceChanged(int row) {
    for (QChartView* v : m_views)
        delete v;
    m_views.clear();
    m_cursorLines.clear();
    m_yMax.clear();
    m_set = {};
    const TraceDocumentPtr& doc = m_cursor->document();
    if (!doc || row < 0 || size_t(row) >= m_sources.size()) return;
    m_set = SeriesExtractor::extract(*doc, m_sources[size_t(row)]);

    for (const ChartData& data : m_set.charts) {
        auto* chart = new QChart();
        chart->setTitle(data.title);
        chart->setMargins(QMargins(4, 2, 4, 2));
        chart->legend()->setAlignment(Qt::AlignTop);
        auto* x = new QValueAxis(chart);
        x->setRange(m_set.beginMs, m_set.endMs);
        x->setLabelFormat(QStringLiteral("%.3f"));
        x->setTitleText(tr("virtual time (ms)"));
        auto* y = new QValueAxis(chart);
        y->setRange(0, std::max(4.0, data.maxValue() * 1.1));
        y->applyNiceNumbers(); // round ticks: counts read as whole numbers
        const double yMax = y->max();
        y->setLabelFormat(QStringLiteral("%g"));
        y->setTitleText(data.unit);
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        QValueAxis* right = nullptr;
        if (!data.rightUnit.isEmpty()) {
            right = new QValueAxis(chart);
            right->setRange(0, std::max(4.0, data.maxValue(true) * 1.1));
            right->applyNiceNumbers();
            right->setLabelFormat(QStringLiteral("%g"));
            right->setTitleText(data.rightUnit);
            chart->addAxis(right, Qt::AlignRight);
        }
        size_t colour = 0;
        for (const ChartSeries& s : data.series) {
            QXYSeries* series = nullptr;
            const QColor c = kSeriesColors[colour++ % std::size(kSeriesColors)];
            if (s.style == ChartSeries::Points) {
                auto* scatter = new QScatterSeries(chart);
                scatter->setMarkerSize(7);
                scatter->setColor(c);
                scatter->setBorderColor(c);
                series = scatter;
            } else {
                auto* line = new QLineSeries(chart);
                line->setPen(QPen(c, 2));
                series = line;
            }
            series->setName(s.points.isEmpty() && !s.name.contains(QLatin1Char('(')) ? s.name + tr(" (no value)")
                                                                                     : s.name);
            series->replace(s.points);
            chart->addSeries(series);
            series->attachAxis(x);
            series->attachAxis(s.rightAxis && right ? right : y);
        }
        auto* cursorLine = new QLineSeries(chart);
        cursorLine->setPen(QPen(cursorColor(), 2));
        chart->addSeries(cursorLine);
        cursorLine->attachAxis(x);
        cursorLine->attachAxis(y);
        for (QLegendMarker* m : chart->legend()->markers(cursorLine))
            m->setVisible(false);

        auto* view = new ClickableChartView(chart, this);
        view->setObjectName(QStringLiteral("chart%1").arg(m_views.size()));
        m_chartsLayout->addWidget(view, 1);
        m_views.push_back(view);
        m_cursorLines.push_back(cursorLine);
        m_yMax.push_back(yMax);
    }
    updateCursorLines();
}

void ChartsPanel::onCursorMoved(int) {
    if (!m_stale) updateCursorLines();
}

void ChartsPanel::updateCursorLines() {
    const TraceDocumentPtr& doc = m_cursor->document();
    const int index = m_cursor->index();
    for (size_t i = 0; i < m_cursorLines.size(); ++i) {
        if (!doc || index < 0) {
            m_cursorLines[i]->clear();
            continue;
        }
        const double ms = double(doc->event(uint32_t(index)).time) / 1e6;
        m_cursorLines[i]->replace(QList<QPointF>{QPointF(ms, 0), QPointF(ms, m_yMax[i])});
    }
}

QPoint ChartsPanel::positionOfTime(QChartView* view, double ms) {
    QChart* chart = view->chart();
    const auto* y = qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical).value(0));
    const double mid = y ? (y->min() + y->max()) / 2 : 0;
    const QPointF inChart = chart->mapToPosition(QPointF(ms, mid));
    return view->mapFromScene(chart->mapToScene(inChart));
}

double ChartsPanel::timeAtPosition(QChartView* view, QPoint pos) {
    QChart* chart = view->chart();
    return chart->mapToValue(chart->mapFromScene(view->mapToScene(pos))).x();
}

bool ChartsPanel::moveCursorToTime(double ms) {
    if (!m_cursor->document()) return false;
    const uint32_t i = m_timeIndex.lastAtOrBefore(TimeNs(std::llround(ms * 1e6)));
    return i != TraceDocument::kNone && m_cursor->setIndex(int(i));
}

} // namespace skbscope::ui
