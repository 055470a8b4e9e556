// Graphviz through its C library: gvContext, agmemread, gvLayout("dot"), gvRenderData("svg"), then
// every resource freed in reverse order. Graphviz reports errors through a global hook, read here
// with aglasterr() while the lock is held.
#include "ui/callgraphlayout.h"

#include <QSvgRenderer>
#include <QTransform>

#include <mutex>

#include <gvc.h>

namespace skbscope::ui {

namespace {

std::mutex& graphvizLock() {
    static std::mutex lock;
    return lock;
}

QString lastGraphvizError(const char* fallback) {
    const char* err = aglasterr();
    QString text = err ? QString::fromUtf8(err).trimmed() : QString();
    return text.isEmpty() ? QString::fromLatin1(fallback) : text;
}

} // namespace

SvgLayoutResult layoutDotAsSvg(const std::string& dot) {
    std::lock_guard guard(graphvizLock());
    SvgLayoutResult result;
    // Errors go to aglasterr() instead of stderr.
    agseterr(AGMAX);
    GVC_t* gvc = gvContext();
    if (!gvc) return {{}, QStringLiteral("Graphviz: cannot create a context")};
    Agraph_t* g = agmemread(dot.c_str());
    if (!g) {
        result.error = QStringLiteral("Graphviz cannot read the graph: ") + lastGraphvizError("syntax error");
        gvFreeContext(gvc);
        return result;
    }
    if (gvLayout(gvc, g, "dot") != 0) {
        result.error = QStringLiteral("Graphviz cannot lay out the graph: ") +
                       lastGraphvizError("the dot layout engine is not installed");
    } else {
        char* data = nullptr;
        unsigned int length = 0;
        if (gvRenderData(gvc, g, "svg", &data, &length) == 0 && data)
            result.svg = QByteArray(data, qsizetype(length));
        else
            result.error =
                QStringLiteral("Graphviz cannot render SVG: ") + lastGraphvizError("no svg renderer");
        if (data) gvFreeRenderData(data);
        gvFreeLayout(gvc, g);
    }
    agclose(g);
    gvFreeContext(gvc);
    return result;
}

CallGraphSvg::CallGraphSvg() = default;
CallGraphSvg::~CallGraphSvg() = default;

void CallGraphSvg::clear() {
    m_renderer.reset();
    m_viewBox = {};
    m_rects.clear();
}

bool CallGraphSvg::isValid() const {
    return m_renderer && m_renderer->isValid();
}

bool CallGraphSvg::load(const QByteArray& svg, const CallGraph& graph) {
    clear();
    auto renderer = std::make_unique<QSvgRenderer>();
    if (!renderer->load(svg) || !renderer->isValid()) return false;
    m_renderer = std::move(renderer);
    m_viewBox = m_renderer->viewBoxF();
    m_rects.reserve(graph.nodes().size());
    for (const CallGraphNode& n : graph.nodes()) {
        const QString id = QString::fromStdString(n.id());
        if (!m_renderer->elementExists(id)) {
            m_rects.emplace_back();
            continue;
        }
        // boundsOnElement leaves out the parents' transforms (Graphviz translates its whole graph
        // group); transformForElement is exactly those.
        m_rects.push_back(m_renderer->transformForElement(id).mapRect(m_renderer->boundsOnElement(id)));
    }
    return true;
}

QRectF CallGraphSvg::nodeRect(int node) const {
    return node >= 0 && size_t(node) < m_rects.size() ? m_rects[size_t(node)] : QRectF();
}

int CallGraphSvg::nodeAt(QPointF point) const {
    for (size_t n = 0; n < m_rects.size(); ++n)
        if (!m_rects[n].isEmpty() && m_rects[n].contains(point)) return int(n);
    return -1;
}

} // namespace skbscope::ui
