// ChartsPanel: the "Charts" panel, the one widget behind which Qt Charts lives (STYLE.md: Qt Charts
// is deprecated from Qt 6.10 on and stays inside ui/charts/). A combo chooses a TCP socket or a
// network device; stacked charts plot what SeriesExtractor extracted for it (cwnd and ssthresh,
// srtt and rto, packets in flight, queue depths; or queue and ring depths, interrupts and packets
// per poll) over virtual time, with a vertical line at the cursor's time. A click on a chart moves
// the cursor to the last event at or before the clicked time.
#pragma once
#include <QWidget>
#include <vector>

#include "ui/charts/seriesextractor.h"

class QChartView;
class QComboBox;
class QLineSeries;
class QVBoxLayout;

namespace skbscope::ui {

class Cursor;

class ChartsPanel final : public QWidget {
    Q_OBJECT
  public:
    explicit ChartsPanel(Cursor* cursor, QWidget* parent = nullptr);

    QComboBox* sourceCombo() const { return m_combo; }
    const std::vector<ChartSource>& sources() const { return m_sources; }
    const ChartSet& chartSet() const { return m_set; }
    const TimeIndex& timeIndex() const { return m_timeIndex; }
    // The chart views, top to bottom (tests map times to pixels through them).
    const std::vector<QChartView*>& chartViews() const { return m_views; }
    // The x of time ms in view's viewport coordinates (the middle of the plot area vertically).
    static QPoint positionOfTime(QChartView* view, double ms);
    // The time (ms) under a viewport position of view.
    static double timeAtPosition(QChartView* view, QPoint pos);
    // The cursor line's colour.
    static QColor cursorColor();

    // Moves the cursor to the last event at or before ms; returns whether it moved.
    bool moveCursorToTime(double ms);

  protected:
    void showEvent(QShowEvent* event) override;

  private:
    void onDocumentChanged();
    void onSourceChanged(int row);
    void onCursorMoved(int index);
    void updateCursorLines();

    Cursor* m_cursor;
    QComboBox* m_combo;
    QVBoxLayout* m_chartsLayout;
    std::vector<ChartSource> m_sources;
    ChartSet m_set;
    TimeIndex m_timeIndex;
    std::vector<QChartView*> m_views;
    std::vector<QLineSeries*> m_cursorLines;
    std::vector<double> m_yMax;
    bool m_stale = false; // a document arrived while hidden: build when shown
};

} // namespace skbscope::ui
