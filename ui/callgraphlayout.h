// The call graph's drawing: Graphviz (libgvc, the "dot" layout) turns CallGraph::toDot() into SVG
// bytes, and CallGraphSvg loads them into a QSvgRenderer and finds each node's box by its SVG id
// (QSvgRenderer::boundsOnElement), so a click on the drawing maps back to a node and its event.
// No widget: the panel (callgraphview.h) paints what this holds.
#pragma once
#include <QByteArray>
#include <QRectF>
#include <QString>

#include <memory>
#include <string>
#include <vector>

#include "ui/callgraph.h"

class QSvgRenderer;

namespace skbscope::ui {

struct SvgLayoutResult {
    QByteArray svg;
    QString error; // Graphviz's complaint when the DOT did not parse or lay out
    bool ok() const { return error.isEmpty() && !svg.isEmpty(); }
};

// Lays the DOT text out with Graphviz's dot engine and renders it as SVG. Graphviz keeps global
// state, so calls are serialised by a lock; safe to call from any thread.
SvgLayoutResult layoutDotAsSvg(const std::string& dot);

class CallGraphSvg final {
  public:
    CallGraphSvg();
    ~CallGraphSvg();
    CallGraphSvg(const CallGraphSvg&) = delete;
    CallGraphSvg& operator=(const CallGraphSvg&) = delete;

    // Loads Graphviz's SVG of `graph` and finds every node's box. False when the SVG does not parse.
    bool load(const QByteArray& svg, const CallGraph& graph);
    void clear();
    bool isValid() const;

    QSvgRenderer* renderer() const { return m_renderer.get(); }
    // The drawing's coordinate system (Graphviz points): node boxes are in it.
    QRectF viewBox() const { return m_viewBox; }
    // Node n's box in viewBox coordinates (its parents' transforms applied), or an empty rect when the
    // SVG has no element for it.
    QRectF nodeRect(int node) const;
    // The node under a point in viewBox coordinates, or -1.
    int nodeAt(QPointF point) const;

  private:
    std::unique_ptr<QSvgRenderer> m_renderer;
    QRectF m_viewBox;
    std::vector<QRectF> m_rects;
};

} // namespace skbscope::ui
