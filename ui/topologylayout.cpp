// TopologyLayout: columns by breadth-first search over the links, one uniform box width, rows of
// two text lines per interface; a host reached over a link is moved down (never up past the column's
// last box) so that link runs level.
#include "ui/topologylayout.h"

#include <algorithm>
#include <cmath>
#include <deque>

namespace skbscope::ui {

namespace {

constexpr double kPad = 10;

QPointF unit(QPointF v) {
    const double len = std::hypot(v.x(), v.y());
    return len > 0 ? v / len : QPointF(1, 0);
}

} // namespace

QString TopologyLayout::interfaceTitle(const TopoInterface& itf) {
    const QString name = QString::fromStdString(itf.name);
    if (itf.address.empty()) return name + QStringLiteral("   (no IPv4 address)");
    return name + QStringLiteral("   ") + QString::fromStdString(itf.address);
}

QString TopologyLayout::interfaceDetail(const TopoInterface& itf) {
    return itf.mac.empty() ? QStringLiteral("MAC not in this trace")
                           : QStringLiteral("MAC ") + QString::fromStdString(itf.mac);
}

const HostBox* TopologyLayout::boxOfHost(int host) const {
    if (host < 0 || size_t(host) >= m_boxOfHost.size() || m_boxOfHost[size_t(host)] < 0) return nullptr;
    return &m_boxes[size_t(m_boxOfHost[size_t(host)])];
}

const InterfaceRow* TopologyLayout::rowOfInterface(int interface) const {
    if (interface < 0 || size_t(interface) >= m_rowOfInterface.size() ||
        m_rowOfInterface[size_t(interface)] < 0)
        return nullptr;
    const int v = m_rowOfInterface[size_t(interface)];
    return &m_boxes[size_t(v >> 16)].rows[size_t(v & 0xffff)];
}

void TopologyLayout::build(const Topology& topo, const QFontMetricsF& fm, double width) {
    m_boxes.clear();
    m_lines.clear();
    m_lineHeight = fm.height();
    m_frameWidth = fm.horizontalAdvance(QStringLiteral("#888")) + 12;
    const auto& hosts = topo.hosts();
    const auto& itfs = topo.interfaces();
    const auto& links = topo.links();
    m_boxOfHost.assign(hosts.size(), -1);
    m_rowOfInterface.assign(itfs.size(), -1);
    auto hostOfInterface = [&](int itf) { return itf < 0 ? -1 : topo.hostIndex(itfs[size_t(itf)].host); };

    // Neighbours over links: (host, link).
    std::vector<std::vector<std::pair<int, int>>> adjacent(hosts.size());
    for (size_t l = 0; l < links.size(); ++l) {
        const int a = hostOfInterface(links[l].ends[0]), b = hostOfInterface(links[l].ends[1]);
        if (a < 0 || b < 0 || a == b) continue;
        adjacent[size_t(a)].push_back({b, int(l)});
        adjacent[size_t(b)].push_back({a, int(l)});
    }
    // Columns: breadth-first from each not yet placed host, components side by side.
    std::vector<int> column(hosts.size(), -1), order;
    std::vector<std::pair<int, int>> reachedBy(hosts.size(), {-1, -1}); // (host, link)
    int nextColumn = 0;
    for (size_t start = 0; start < hosts.size(); ++start) {
        if (column[start] >= 0) continue;
        column[start] = nextColumn;
        int maxColumn = nextColumn;
        std::deque<int> queue{int(start)};
        while (!queue.empty()) {
            const int h = queue.front();
            queue.pop_front();
            order.push_back(h);
            for (const auto& [n, l] : adjacent[size_t(h)]) {
                if (column[size_t(n)] >= 0) continue;
                column[size_t(n)] = column[size_t(h)] + 1;
                maxColumn = std::max(maxColumn, column[size_t(n)]);
                reachedBy[size_t(n)] = {h, l};
                queue.push_back(n);
            }
        }
        nextColumn = maxColumn + 1;
    }
    const int columns = std::max(nextColumn, 1);

    double boxWidth = 190;
    for (const TopoHost& h : hosts) {
        boxWidth = std::max(boxWidth,
                            fm.horizontalAdvance(QStringLiteral("Host ") + QString::fromStdString(h.name)) +
                                2 * kPad);
        for (const int i : h.interfaces)
            boxWidth = std::max({boxWidth, fm.horizontalAdvance(interfaceTitle(itfs[size_t(i)])) + 2 * kPad,
                                 fm.horizontalAdvance(interfaceDetail(itfs[size_t(i)])) + 2 * kPad});
    }
    const double gap =
        columns > 1 ? std::max(kMinLinkLength, (width - 2 * kMargin - columns * boxWidth) / (columns - 1))
                    : kMinLinkLength;
    const double titleHeight = m_lineHeight + 10, rowHeight = 2 * m_lineHeight + 8;

    std::vector<double> columnBottom(size_t(columns), kMargin);
    for (const int h : order) {
        const TopoHost& host = hosts[size_t(h)];
        HostBox box;
        box.host = h;
        box.column = column[size_t(h)];
        const double x = kMargin + box.column * (boxWidth + gap);
        double y = columnBottom[size_t(box.column)];
        // Line the link to the neighbour that reached this host up with the neighbour's port.
        if (const auto [from, link] = reachedBy[size_t(h)]; from >= 0) {
            const TopoLink& l = links[size_t(link)];
            const int own = hostOfInterface(l.ends[0]) == h ? l.ends[0] : l.ends[1];
            const int theirs = own == l.ends[0] ? l.ends[1] : l.ends[0];
            const auto pos = std::find(host.interfaces.begin(), host.interfaces.end(), own);
            if (const InterfaceRow* r = rowOfInterface(theirs); r && pos != host.interfaces.end())
                y = std::max(y, r->port.y() - titleHeight -
                                    double(pos - host.interfaces.begin()) * rowHeight - rowHeight / 2);
        }
        const double height = titleHeight + std::max<size_t>(host.interfaces.size(), 1) * rowHeight + 4;
        box.rect = QRectF(x, y, boxWidth, height);
        box.titleRect = QRectF(x, y, boxWidth, titleHeight);
        for (size_t r = 0; r < host.interfaces.size(); ++r) {
            InterfaceRow row;
            row.interface = host.interfaces[r];
            row.rect = QRectF(x, y + titleHeight + double(r) * rowHeight, boxWidth, rowHeight);
            // The side facing the other end of its link (right when there is none).
            for (const TopoLink& l : links)
                for (int side = 0; side < 2; ++side)
                    if (l.ends[side] == row.interface) {
                        const int peer = hostOfInterface(l.ends[1 - side]);
                        if (peer >= 0 && column[size_t(peer)] < box.column) row.rightSide = false;
                    }
            row.port = QPointF(row.rightSide ? row.rect.right() : row.rect.left(), row.rect.center().y());
            m_rowOfInterface[size_t(row.interface)] = int(m_boxes.size()) << 16 | int(r);
            box.rows.push_back(row);
        }
        columnBottom[size_t(box.column)] = box.rect.bottom() + kRowGap;
        m_boxOfHost[size_t(h)] = int(m_boxes.size());
        m_boxes.push_back(std::move(box));
    }

    for (size_t l = 0; l < links.size(); ++l) {
        LinkLine line;
        line.link = int(l);
        const InterfaceRow* a = rowOfInterface(links[l].ends[0]);
        const InterfaceRow* b = rowOfInterface(links[l].ends[1]);
        if (a && b) {
            line.ends[0] = a->port;
            line.ends[1] = b->port;
            line.drawn = true;
        }
        m_lines.push_back(line);
    }
    double right = 0, bottom = 0;
    for (const HostBox& b : m_boxes) {
        right = std::max(right, b.rect.right());
        bottom = std::max(bottom, b.rect.bottom());
    }
    m_size = QSizeF(std::max(right + kMargin, width), bottom + kMargin);
}

std::vector<FrameMark> TopologyLayout::placeFrames(const std::vector<FrameInFlight>& frames) const {
    std::vector<FrameMark> marks;
    marks.reserve(frames.size());
    const double length = m_frameWidth, height = m_lineHeight + 2;
    for (const FrameInFlight& f : frames) {
        if (f.link < 0 || size_t(f.link) >= m_lines.size() || !m_lines[size_t(f.link)].drawn) continue;
        const LinkLine& line = m_lines[size_t(f.link)];
        const QPointF from = line.ends[f.fromPort], to = line.ends[1 - f.fromPort];
        const QPointF d = unit(to - from);
        const QPointF n(-d.y(), d.x());
        FrameMark m;
        m.frame = f;
        m.direction = d;
        // Screen y grows downwards: -n is above a left-to-right line and below a right-to-left one.
        m.center = from + (to - from) * std::clamp(f.fraction, 0.0, 1.0) - n * (height / 2 + 3);
        const QPointF back = m.center - d * (length / 2), front = m.center + d * (length / 2 - 6),
                      tip = m.center + d * (length / 2);
        m.shape << back + n * (height / 2) << front + n * (height / 2) << tip << front - n * (height / 2)
                << back - n * (height / 2);
        m.label = QStringLiteral("#%1").arg(f.flow);
        marks.push_back(std::move(m));
    }
    return marks;
}

} // namespace skbscope::ui
