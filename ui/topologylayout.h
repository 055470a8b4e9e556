// TopologyLayout: where the topology panel draws things. Hosts are boxes in columns by their
// distance along the links from the first host (A | R | B for the default topology), a host placed
// next to its neighbour lines its interface up with the neighbour's; each interface is a row of its
// host's box with a port on the side facing its link's other end; a link is a line between two
// ports; a frame in flight sits on its link at its fraction of the way, on the side of its direction.
// Pure geometry: no widget, no painting.
#pragma once
#include <QFontMetricsF>
#include <QLineF>
#include <QPolygonF>
#include <QRectF>
#include <QString>

#include <vector>

#include "ui/topology.h"

namespace skbscope::ui {

struct InterfaceRow {
    int interface = -1; // Topology::interfaces() index
    QRectF rect;        // the row inside the host box
    QPointF port;       // where its link attaches, on the box's left or right edge
    bool rightSide = true;
};

struct HostBox {
    int host = -1; // Topology::hosts() index
    int column = 0;
    QRectF rect, titleRect;
    std::vector<InterfaceRow> rows;
};

struct LinkLine {
    int link = -1;
    QPointF ends[2];    // the ports of the link's port 0 ("a") and port 1 ("b") interfaces
    bool drawn = false; // false when an end is unknown
};

struct FrameMark {
    FrameInFlight frame;
    QPointF center;
    QPointF direction; // unit vector of travel
    QPolygonF shape;   // a tag pointing the way it travels
    QString label;     // "#3"
};

class TopologyLayout final {
  public:
    static constexpr double kMargin = 16, kMinLinkLength = 130, kRowGap = 36;

    void build(const Topology& topo, const QFontMetricsF& fm, double width);

    // The two text lines of an interface row: "eth0   192.168.1.100/24" and "MAC 02:00:00:00:01:64".
    static QString interfaceTitle(const TopoInterface& itf);
    static QString interfaceDetail(const TopoInterface& itf);

    const std::vector<HostBox>& hostBoxes() const { return m_boxes; }
    const std::vector<LinkLine>& linkLines() const { return m_lines; }
    QSizeF size() const { return m_size; }
    double lineHeight() const { return m_lineHeight; }
    // The box of a Topology::hosts() index, or nullptr.
    const HostBox* boxOfHost(int host) const;
    // The row of an interface, or nullptr.
    const InterfaceRow* rowOfInterface(int interface) const;

    // Frames placed on their links (frames of a link the layout cannot draw are left out). A frame
    // travelling a -> b sits on one side of the line, b -> a on the other, so both directions show.
    std::vector<FrameMark> placeFrames(const std::vector<FrameInFlight>& frames) const;

  private:
    std::vector<HostBox> m_boxes;
    std::vector<LinkLine> m_lines;
    std::vector<int> m_boxOfHost, m_rowOfInterface; // index -> box / (box << 16 | row), -1
    QSizeF m_size;
    double m_lineHeight = 16, m_frameWidth = 30;
};

} // namespace skbscope::ui
