// TopologyView: the "Topology" panel. Hosts as boxes listing their interfaces (name, IPv4 address,
// MAC), links as lines between interfaces, and the frames on the wire at the cursor's time as small
// tags along their link, pointing the way they travel (lost frames red and crossed, corrupted ones
// orange). The host (or link) of the cursor's event is highlighted. Data from Topology, geometry from
// TopologyLayout: the paint code only paints.
#pragma once
#include <QWidget>

#include "ui/topology.h"
#include "ui/topologylayout.h"

class QLabel;
class QScrollArea;

namespace skbscope::ui {

class Cursor;
class TopologyCanvas;

class TopologyView final : public QWidget {
    Q_OBJECT
  public:
    explicit TopologyView(Cursor* cursor, QWidget* parent = nullptr);

    const Topology& topology() const { return m_topo; }
    const TopologyLayout& layout() const { return m_layout; }
    // What the canvas shows at the cursor.
    const std::vector<FrameMark>& frames() const { return m_frames; }
    int highlightedHost() const { return m_highlightHost; }
    int highlightedLink() const { return m_highlightLink; }
    QString statusText() const;
    QWidget* canvas() const;

    // The colours a test looks for.
    static QColor hostFill();
    static QColor highlightFill();
    static QColor frameFill(WireFate fate);

  protected:
    void resizeEvent(QResizeEvent* event) override;

  private:
    friend class TopologyCanvas;
    void onDocumentChanged();
    void onCursorMoved(int index);
    void relayout();

    Cursor* m_cursor;
    Topology m_topo;
    TopologyLayout m_layout;
    std::vector<FrameMark> m_frames;
    int m_highlightHost = -1, m_highlightLink = -1;
    QLabel* m_status;
    QScrollArea* m_scroll;
    TopologyCanvas* m_canvas;
};

} // namespace skbscope::ui
