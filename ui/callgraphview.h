// CallGraphView: the "Call graph" panel. Graphviz's drawing of the functions the cursor's packet
// passed through (Packet) or of the calls under the function at the cursor (Subtree), with edge
// counts and one box per host; the function the cursor is in is outlined. Zoom (Ctrl+wheel, the
// -/+/Fit buttons) and pan (drag, scroll bars); a click on a function moves the cursor to its first
// call. The graph is built and laid out on a worker thread; the paint code only paints a cached image.
#pragma once
#include <QImage>
#include <QWidget>

#include <memory>

#include "ui/callgraph.h"
#include "ui/callgraphlayout.h"

class QLabel;
class QRadioButton;
class QScrollArea;
class QThread;

namespace skbscope::ui {

class CallGraphCanvas;
class Cursor;

class CallGraphView final : public QWidget {
    Q_OBJECT
  public:
    explicit CallGraphView(Cursor* cursor, QWidget* parent = nullptr);
    ~CallGraphView() override;

    CallGraphMode mode() const { return m_mode; }
    void setMode(CallGraphMode mode);

    // What is shown now (after the last finished layout).
    const CallGraph& graph() const { return m_graph; }
    const CallGraphSvg& svg() const { return m_svg; }
    const QByteArray& svgBytes() const { return m_svgBytes; }
    QString statusText() const;
    // The node outlined as the cursor's function, or -1.
    int highlightedNode() const { return m_highlight; }
    // True while a layout runs (layoutFinished follows).
    bool isLayoutPending() const { return m_job != nullptr; }

    // Canvas pixels per Graphviz point.
    double zoom() const { return m_zoom; }
    void setZoom(double zoom);
    void zoomToFit();
    QWidget* canvas() const;
    // The centre of node n in canvas coordinates (for tests and scrolling).
    QPointF canvasPointOfNode(int node) const;
    QPointF toViewBox(QPointF canvasPoint) const;

  signals:
    void layoutFinished();

  private:
    friend class CallGraphCanvas;
    struct Job;
    void refresh();
    void startJob();
    void onJobFinished();
    void updateHighlight();
    void updateStatus();
    void scrollToHighlight();
    void resizeCanvas();
    void activateAt(QPointF canvasPoint);
    const QImage& cachedImage();

    Cursor* m_cursor;
    CallGraphMode m_mode = CallGraphMode::Packet;
    QRadioButton* m_packetButton;
    QRadioButton* m_subtreeButton;
    QLabel* m_status;
    QScrollArea* m_scroll;
    CallGraphCanvas* m_canvas;

    // Shown now.
    CallGraph m_graph;
    CallGraphSvg m_svg;
    QByteArray m_svgBytes;
    QString m_error;
    TraceDocumentPtr m_shownDoc;
    uint64_t m_shownKey = ~uint64_t(0);
    CallGraphMode m_shownMode = CallGraphMode::Packet;
    int m_highlight = -1;
    double m_zoom = 1.0;
    QImage m_cache;

    // The layout in progress; m_pending: the cursor moved on meanwhile, look again when it ends.
    QThread* m_job = nullptr;
    std::shared_ptr<Job> m_jobData;
    bool m_pending = false;
};

} // namespace skbscope::ui
