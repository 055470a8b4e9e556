// TimelineView: the timeline panel. One lane per host context and link (TimelineModel), nested
// calls as a flame chart coloured by layer (layercolors.h), point events as markers, the cursor as
// a vertical line with its function outlined, and the cursor's packet drawn as arrows from lane to
// lane. Ctrl+wheel or +/- zooms, drag, Shift+wheel or the arrow keys pan, Home/End go to the ends,
// 0 shows everything, O switches between virtual time and event order (every event one slot);
// a click puts the cursor on the event under the mouse. The canvas only paints: what to draw
// comes from TimelineModel, which tests check without a widget.
#pragma once
#include <QAbstractScrollArea>
#include <QStaticText>
#include <QWidget>

#include <array>
#include <vector>

#include "ui/timelinemodel.h"

namespace skbscope::ui {

class Cursor;

// The painted, scrollable part (vertical scroll bar over the lanes; the x axis is the viewport).
class TimelineCanvas final : public QAbstractScrollArea {
    Q_OBJECT
  public:
    explicit TimelineCanvas(Cursor* cursor, QWidget* parent = nullptr);

    const TimelineModel& model() const { return m_model; }
    const TimelineLayout& laneLayout() const { return m_layout; }

    TimelineAxis axis() const { return m_axis; }
    void setAxis(TimelineAxis axis);
    // The viewport of the current axis (its width is the width of the lane area).
    const TimelineViewport& timelineViewport() const { return m_viewports[size_t(m_axis)]; }
    void setVisibleRange(double x0, double x1);
    void showAll();
    // Zoom by factor (> 1 in) around pixel px of the lane area.
    void zoomAt(double px, double factor);

    // Geometry in viewport() pixels, for tests and hit testing.
    int labelWidth() const { return m_labelWidth; }
    int axisHeight() const { return m_axisHeight; }
    double pixelX(double x) const { return m_labelWidth + timelineViewport().toPixel(x); }
    int rowY(int lane, int row) const;
    int rowHeight(int lane, int row) const { return m_layout.rowHeight(lane, row); }
    // The event under a viewport() point (kNone when nothing is there) and its tooltip text.
    TimelineHit hitAt(QPoint pos) const;
    QString toolTipFor(const TimelineHit& hit) const;

    // Paints a frame into painter over rect (viewport() coordinates); paintEvent calls it.
    void paintTimeline(QPainter& painter, const QRect& rect);

    // Colours other panels may match: the cursor line (and the current function's outline) and
    // the packet's flow arrows.
    static QColor cursorColor() { return QColor(0xd0, 0x10, 0x10); }
    static QColor flowColor() { return QColor(0x40, 0x20, 0x90); }

  signals:
    void axisChanged(TimelineAxis axis);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;

  private:
    struct NameText {
        QStaticText text;
        int width = -1;
    };
    void onDocumentChanged();
    void onCursorMoved(int index);
    void updateGeometryFromFont();
    void updateScrollBar();
    void updateViewportWidths();
    void ensureCursorVisible();
    TimelineViewport& currentViewport() { return m_viewports[size_t(m_axis)]; }
    const NameText& nameText(StrId name) const;
    void paintLanes(QPainter& p, const QRect& area, int scrollY);
    void paintCursor(QPainter& p, const QRect& area, int scrollY);
    void paintLabels(QPainter& p, const QRect& area, int scrollY);
    void paintAxis(QPainter& p, const QRect& area);

    Cursor* m_cursor;
    TimelineModel m_model;
    TimelineLayout m_layout;
    TimelineAxis m_axis = TimelineAxis::Time;
    std::array<TimelineViewport, 2> m_viewports;
    int m_labelWidth = 200, m_axisHeight = 28, m_rowHeight = 20, m_markerHeight = 10, m_laneGap = 6;
    std::vector<QString> m_laneLabels; // elided to the label column
    mutable std::vector<NameText> m_names;
    mutable std::vector<TimelineItem> m_items; // reused by every row of a paint

    int m_cursorIndex = -1;
    uint32_t m_selectedFrame = TimelineModel::kNone;
    std::vector<TimelineFlowLink> m_flowLinks;

    QPoint m_pressPos, m_lastDragPos;
    bool m_pressed = false, m_dragging = false;
    bool m_autoFit = true; // frame the cursor's outermost call until the user zooms or pans
};

// The panel: a one-sentence caption over the canvas. objectName "timelinePanel".
class TimelineView final : public QWidget {
    Q_OBJECT
  public:
    explicit TimelineView(Cursor* cursor, QWidget* parent = nullptr);
    TimelineCanvas* canvas() const { return m_canvas; }

  private:
    TimelineCanvas* m_canvas;
};

} // namespace skbscope::ui
