// Qt Test for the Call graph and Topology panels: the call graph of a packet of send-walk.yaml (run
// through the lab) against a brute-force count of caller -> callee pairs, the subtree graph of the
// hand-built testtrace, DOT escaping checked by Graphviz itself, the node cap, node ids in the SVG
// and a click mapped back to its node; the topology of send-walk (hosts, interfaces, addresses,
// links), frames in flight against a linear scan, their place on the link, and screenshots of both
// panels whose pixels are inspected (PNGs in the build dir).
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>

#include <map>

#include "core/time/sim.h"
#include "tests/ui/testtrace.h"
#include "ui/callgraph.h"
#include "ui/callgraphlayout.h"
#include "ui/callgraphview.h"
#include "ui/classroomstyle.h"
#include "ui/cursor.h"
#include "ui/scenariorunner.h"
#include "ui/topology.h"
#include "ui/topologylayout.h"
#include "ui/topologyview.h"

using namespace skbscope;
using namespace skbscope::ui;
using namespace skbscope::test;

namespace {

const QString pngDir = QStringLiteral(UI_PNG_DIR);

TraceDocumentPtr runScenario(const std::string& path) {
    Result<Trace> t = ScenarioRunner::run(path);
    if (!t) qFatal("%s", t.error().message.c_str());
    return TraceDocument::build(std::move(*t), path);
}

std::string hostOf(const TraceDocument& doc, uint32_t i) {
    return std::string(doc.hostName(doc.event(i)));
}

std::string nodeName(const TraceDocument& doc, const CallGraphNode& n) {
    return std::string(doc.trace().host_name(n.host)) + ":" + n.function;
}

// The caller of FuncEnter i without any index: the nearest earlier FuncEnter of the same context
// one level shallower.
uint32_t bruteForceCaller(const TraceDocument& doc, uint32_t i) {
    const TraceEvent& e = doc.event(i);
    for (uint32_t j = i; j-- > 0;) {
        const TraceEvent& c = doc.event(j);
        if (c.ctx == e.ctx && c.kind == EventKind::FuncEnter && c.depth < e.depth) return j;
    }
    return TraceDocument::kNone;
}

// "A:ip_rcv -> A:ip_rcv_core" -> count, from the graph's edges.
std::map<std::string, int> edgeCounts(const TraceDocument& doc, const CallGraph& g) {
    std::map<std::string, int> out;
    for (const CallGraphEdge& e : g.edges())
        out[nodeName(doc, g.nodes()[size_t(e.from)]) + " -> " + nodeName(doc, g.nodes()[size_t(e.to)])] +=
            e.count;
    return out;
}

// Distinct colours that are close to `c` inside a region of the image.
int countNear(const QImage& img, const QRect& region, const QColor& c, int tolerance = 12) {
    int n = 0;
    const QRect r = region.intersected(img.rect());
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x) {
            const QColor p = img.pixelColor(x, y);
            if (std::abs(p.red() - c.red()) <= tolerance && std::abs(p.green() - c.green()) <= tolerance &&
                std::abs(p.blue() - c.blue()) <= tolerance)
                ++n;
        }
    return n;
}

} // namespace

class TestGraphTopo : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void dotQuote_data();
    void dotQuote();
    void nodeIds_data();
    void nodeIds();
    void subtreeOfTestTrace_data();
    void subtreeOfTestTrace();
    void packetOfTestTraceShowsOutsideCaller();
    void packetGraphNeedsAPacket();
    void packetGraphOfForwardedSegment();
    void hostileNamesSurviveGraphviz();
    void nodeCap();
    void svgHasEveryNodeId();
    void clickMapsBackToTheEvent();
    void callGraphScreenshot();
    void parseLinkName_data();
    void parseLinkName();
    void parseAddrNote_data();
    void parseAddrNote();
    void topologyOfSendWalk();
    void topologyOfATraceWithoutAddresses();
    void topologyMarksVethPairs();
    void framesInFlight();
    void frameMarksSitOnTheirLink();
    void topologyScreenshot();

  private:
    TraceDocumentPtr m_walk;  // send-walk.yaml
    TraceDocumentPtr m_lossy; // send-walk.yaml with A's first data segment dropped on A <-> R
};

void TestGraphTopo::initTestCase() {
    applyClassroomStyle(*qApp);
    const std::string path = SKBSCOPE_SOURCE_DIR "/lessons/scenarios/send-walk.yaml";
    m_walk = runScenario(path);
    QVERIFY(m_walk->eventCount() > 1000);

    QFile in(QString::fromStdString(path));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QString yaml = QString::fromUtf8(in.readAll());
    const QString link = QStringLiteral(R"(  - { a: "A:eth0", b: "R:eth0", speed: 1Gbit, delay: 5us })");
    QVERIFY(yaml.contains(link));
    yaml.replace(link, QStringLiteral(R"(  - { a: "A:eth0", b: "R:eth0", speed: 1Gbit, delay: 5us,)"
                                      R"( drop: [{ dir: a_to_b, match: tcp-data, nth: 1 }] })"));
    static QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString lossyPath = dir.filePath(QStringLiteral("send-walk-lossy.yaml"));
    QFile out(lossyPath);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(yaml.toUtf8());
    out.close();
    m_lossy = runScenario(lossyPath.toStdString());
}

// ---- call graph ----

void TestGraphTopo::dotQuote_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("quoted");
    QTest::newRow("plain") << "ip_rcv"
                           << R"("ip_rcv")";
    QTest::newRow("quote") << R"(say "hi")"
                           << R"("say \"hi\"")";
    QTest::newRow("backslash") << R"(a\b)"
                               << R"("a\\b")";
    QTest::newRow("graphviz escape") << R"(\N\l)"
                                     << R"("\\N\\l")";
    QTest::newRow("newline") << "two\nlines"
                             << R"("two\nlines")";
    QTest::newRow("control") << QStringLiteral("tab\there\x01") << R"("tab?here?")";
    QTest::newRow("utf8") << QStringLiteral("ip_rcv ×2") << QStringLiteral("\"ip_rcv ×2\"");
    QTest::newRow("empty") << ""
                           << R"("")";
}

void TestGraphTopo::dotQuote() {
    QFETCH(QString, text);
    QFETCH(QString, quoted);
    QCOMPARE(QString::fromStdString(CallGraph::dotQuote(text.toStdString())), quoted);
}

void TestGraphTopo::nodeIds_data() {
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("event"); // -1: not a node id
    QTest::newRow("node") << "fn_1234" << 1234;
    QTest::newRow("zero") << "fn_0" << 0;
    QTest::newRow("no number") << "fn_" << -1;
    QTest::newRow("trailing") << "fn_12x" << -1;
    QTest::newRow("graph") << "graph0" << -1;
    QTest::newRow("edge") << "edge1" << -1;
    QTest::newRow("too big") << "fn_99999999999" << -1;
}

void TestGraphTopo::nodeIds() {
    QFETCH(QString, id);
    QFETCH(int, event);
    const std::optional<uint32_t> e = CallGraph::eventOfNodeId(id.toStdString());
    QCOMPARE(e.has_value(), event >= 0);
    if (e) QCOMPARE(int(*e), event);
}

void TestGraphTopo::subtreeOfTestTrace_data() {
    QTest::addColumn<int>("cursor");
    QTest::addColumn<QStringList>("nodes");
    QTest::addColumn<QStringList>("edges");
    QTest::newRow("sendto") << int(SendtoEnter)
                            << QStringList{"A:sendto", "A:__libc_sendto", "A:udp_sendmsg", "A:ip_send_skb"}
                            << QStringList{"A:sendto -> A:__libc_sendto 1",
                                           "A:__libc_sendto -> A:udp_sendmsg 1",
                                           "A:udp_sendmsg -> A:ip_send_skb 1"};
    // B's softirq runs inside A's udp_sendmsg in time, but in another context: not nested.
    QTest::newRow("udp_sendmsg from its skb_put")
        << int(SkbPutEv) << QStringList{"A:udp_sendmsg", "A:ip_send_skb"}
        << QStringList{"A:udp_sendmsg -> A:ip_send_skb 1"};
    QTest::newRow("ip_send_skb from its exit")
        << int(IpSendSkbExit) << QStringList{"A:ip_send_skb"} << QStringList{};
    QTest::newRow("B's net_rx_action") << int(BNote) << QStringList{"B:ip_rcv"} << QStringList{};
    QTest::newRow("net_rx_action") << int(NetRxEnter) << QStringList{"B:net_rx_action", "B:ip_rcv"}
                                   << QStringList{"B:net_rx_action -> B:ip_rcv 1"};
}

void TestGraphTopo::subtreeOfTestTrace() {
    QFETCH(int, cursor);
    QFETCH(QStringList, nodes);
    QFETCH(QStringList, edges);
    const TraceDocumentPtr doc = TraceDocument::build(makeTestTrace(), "test");
    const CallGraph g = CallGraph::build(*doc, uint32_t(cursor), CallGraphMode::Subtree);
    QStringList gotNodes, gotEdges;
    for (const CallGraphNode& n : g.nodes()) {
        gotNodes << QString::fromStdString(nodeName(*doc, n));
        QCOMPARE(n.calls, 1);
        QVERIFY(!n.outside);
    }
    for (const auto& [edge, count] : edgeCounts(*doc, g))
        gotEdges << QString::fromStdString(edge) + QStringLiteral(" %1").arg(count);
    edges.sort();
    QCOMPARE(gotNodes, nodes);
    QCOMPARE(gotEdges, edges);
    // The cursor's function is a node of its own subtree.
    const int own = g.nodeOfEvent(*doc, uint32_t(cursor));
    QVERIFY(own >= 0);
    QCOMPARE(g.nodes()[size_t(own)].firstEvent, doc->frameOf(uint32_t(cursor)));
    QVERIFY(g.title().contains(QStringLiteral("%1 functions").arg(nodes.size())));
    // DOT: one cluster (one host), every node with its id and URL, edges with their counts.
    const QString dot = QString::fromStdString(g.toDot());
    QCOMPARE(dot.count(QStringLiteral("subgraph cluster_host")), 1);
    for (const CallGraphNode& n : g.nodes())
        QVERIFY(dot.contains(QStringLiteral("%1 [id=\"%1\", URL=\"event:%2\"")
                                 .arg(QString::fromStdString(n.id()))
                                 .arg(n.firstEvent)));
    QCOMPARE(dot.count(QStringLiteral(" -> ")), edges.size());
}

void TestGraphTopo::packetOfTestTraceShowsOutsideCaller() {
    // Packet 1's only function is ip_send_skb; its caller udp_sendmsg ran before the skb had a packet.
    const TraceDocumentPtr doc = TraceDocument::build(makeTestTrace(), "test");
    const CallGraph g = CallGraph::build(*doc, SkbPushEv, CallGraphMode::Packet);
    QCOMPARE(g.nodes().size(), size_t(2));
    QCOMPARE(g.nodes()[0].function, std::string("ip_send_skb"));
    QVERIFY(!g.nodes()[0].outside);
    QCOMPARE(g.nodes()[0].firstEvent, uint32_t(IpSendSkbEnter));
    QCOMPARE(g.nodes()[1].function, std::string("udp_sendmsg"));
    QVERIFY(g.nodes()[1].outside);
    QCOMPARE(g.nodes()[1].calls, 0);
    QCOMPARE(g.edges().size(), size_t(1));
    QCOMPARE(g.edges()[0].from, 1);
    QCOMPARE(g.edges()[0].to, 0);
    QVERIFY(g.toDot().find("style=\"rounded,dashed\"") != std::string::npos);
    QCOMPARE(g.title(), QStringLiteral("Packet 1: 2 functions on 1 host(s)"));
    QCOMPARE(CallGraph::keyAt(*doc, SkbPushEv, CallGraphMode::Packet),
             CallGraph::keyAt(*doc, IpSendSkbExit, CallGraphMode::Packet));
}

void TestGraphTopo::packetGraphNeedsAPacket() {
    const TraceDocumentPtr doc = TraceDocument::build(makeTestTrace(), "test");
    const CallGraph g = CallGraph::build(*doc, NetRxEnter, CallGraphMode::Packet);
    QVERIFY(g.empty());
    QVERIFY(g.emptyReason().contains(QStringLiteral("no packet")));
    const CallGraph none = CallGraph::build(*doc, 9999, CallGraphMode::Subtree);
    QVERIFY(none.empty());
    QVERIFY(!none.emptyReason().isEmpty());
}

void TestGraphTopo::packetGraphOfForwardedSegment() {
    const TraceDocument& doc = *m_walk;
    // The first packet R forwards: it crossed A, R and B.
    const std::optional<uint32_t> fwd = doc.findFunctionEnter("ip_forward", 1);
    QVERIFY(fwd);
    const uint32_t flow = doc.event(*fwd).flow;
    QVERIFY(flow != 0);
    const CallGraph g = CallGraph::build(doc, *fwd, CallGraphMode::Packet);
    QVERIFY(!g.truncated());

    // Brute force: every FuncEnter of the packet, its caller by depth, counted per (host, name) pair.
    std::map<std::string, int> expectedEdges, expectedCalls;
    for (uint32_t i = 0; i < doc.eventCount(); ++i) {
        const TraceEvent& e = doc.event(i);
        if (e.kind != EventKind::FuncEnter || e.flow != flow) continue;
        const std::string callee = hostOf(doc, i) + ":" + std::string(doc.trace().event_name(e));
        ++expectedCalls[callee];
        const uint32_t caller = bruteForceCaller(doc, i);
        if (caller != TraceDocument::kNone)
            ++expectedEdges[hostOf(doc, caller) + ":" +
                            std::string(doc.trace().event_name(doc.event(caller))) + " -> " + callee];
    }
    QCOMPARE(edgeCounts(doc, g), expectedEdges);
    for (const CallGraphNode& n : g.nodes())
        if (!n.outside) QCOMPARE(n.calls, expectedCalls[nodeName(doc, n)]);
    int inSet = 0;
    for (const CallGraphNode& n : g.nodes())
        inSet += !n.outside;
    QCOMPARE(size_t(inSet), expectedCalls.size());

    // Known hops of a forwarded segment.
    const auto edges = edgeCounts(doc, g);
    QCOMPARE(edges.at("A:__ip_queue_xmit -> A:ip_local_out"), 1);
    QCOMPARE(edges.at("R:ip_rcv -> R:ip_rcv_core"), 1);
    QCOMPARE(edges.at("R:ip_forward -> R:NF_HOOK"), 1); // NF_INET_FORWARD, then ip_forward_finish
    QCOMPARE(edges.at("R:NF_HOOK -> R:ip_forward_finish"), 1);
    QCOMPARE(edges.at("B:ip_rcv -> B:ip_rcv_core"), 1);

    // Clusters per host, in the packet's order.
    const QString dot = QString::fromStdString(g.toDot());
    QCOMPARE(dot.count(QStringLiteral("subgraph cluster_host")), 3);
    const qsizetype a = dot.indexOf(QStringLiteral("label=\"Host A\"")),
                    r = dot.indexOf(QStringLiteral("label=\"Host R\"")),
                    b = dot.indexOf(QStringLiteral("label=\"Host B\""));
    QVERIFY(a > 0 && a < r && r < b);
    // Edge counts as labels.
    for (const CallGraphEdge& e : g.edges())
        QVERIFY(dot.contains(QStringLiteral("%1 -> %2 [label=\"%3\"")
                                 .arg(QString::fromStdString(g.nodes()[size_t(e.from)].id()),
                                      QString::fromStdString(g.nodes()[size_t(e.to)].id()))
                                 .arg(e.count)));
    QVERIFY(g.title().startsWith(QStringLiteral("Packet %1: ").arg(flow)));
    QVERIFY(g.title().endsWith(QStringLiteral("on 3 host(s)")));
}

void TestGraphTopo::hostileNamesSurviveGraphviz() {
    Sim sim(1);
    const HostId h = sim.add_host(R"(evil "host" \N {x})");
    const ContextId ctx = sim.add_context(h, ContextKind::Task, "t");
    sim.in_context(ctx, [&] {
        TRACE_FUNC(sim, sendto);
        TRACE_FUNC(sim, __libc_sendto);
    });
    const TraceDocumentPtr doc = TraceDocument::build(sim.trace(), "hostile");
    const CallGraph g = CallGraph::build(*doc, 0, CallGraphMode::Subtree);
    QCOMPARE(g.nodes().size(), size_t(2));
    const std::string dot = g.toDot();
    QVERIFY(dot.find(R"(label="Host evil \"host\" \\N {x}")") != std::string::npos);
    const SvgLayoutResult svg = layoutDotAsSvg(dot);
    QVERIFY2(svg.ok(), qPrintable(svg.error));
    // Graphviz read the label as written (XML-escaped in the SVG), not as \N = the node's name.
    QVERIFY2(svg.svg.contains(R"(Host evil &quot;host&quot; \N {x})"), svg.svg.constData());

    const SvgLayoutResult bad = layoutDotAsSvg("digraph { a -> }");
    QVERIFY(!bad.ok());
    QVERIFY2(bad.error.startsWith(QStringLiteral("Graphviz cannot read the graph: ")), qPrintable(bad.error));
    qInfo("bad DOT: %s", qPrintable(bad.error));
}

void TestGraphTopo::nodeCap() {
    // One root calling 400 different functions, 3 times each, in one context of one packet.
    Trace t;
    t.hosts = {"A"};
    t.contexts = {ContextInfo{0, ContextKind::Lab, "lab"}, ContextInfo{0, ContextKind::Task, "t"}};
    TimeNs time = 0;
    auto push = [&](EventKind kind, uint32_t fn, uint16_t depth) {
        TraceEvent e;
        e.time = time++;
        e.ctx = 1;
        e.kind = kind;
        e.name = fn;
        e.layer = fn_info(Fn(fn)).layer;
        e.flow = 7;
        e.depth = depth;
        t.events.push_back(e);
    };
    push(EventKind::FuncEnter, 0, 0);
    for (int round = 0; round < 3; ++round)
        for (uint32_t fn = 1; fn <= 400; ++fn) {
            push(EventKind::FuncEnter, fn, 1);
            push(EventKind::FuncExit, fn, 1);
        }
    push(EventKind::FuncExit, 0, 0);
    QVERIFY(t.validate().empty());
    const TraceDocumentPtr doc = TraceDocument::build(std::move(t), "cap");

    for (const CallGraphMode mode : {CallGraphMode::Packet, CallGraphMode::Subtree}) {
        const CallGraph full = CallGraph::build(*doc, 0, mode, 1000);
        QCOMPARE(full.nodes().size(), size_t(401));
        QVERIFY(!full.truncated());
        QCOMPARE(full.edges().size(), size_t(400));
        for (const CallGraphEdge& e : full.edges())
            QCOMPARE(e.count, 3);

        const CallGraph capped = CallGraph::build(*doc, 0, mode, 50);
        QCOMPARE(capped.nodes().size(), size_t(50));
        QVERIFY(capped.truncated());
        QCOMPARE(capped.omittedNodes(), 351);
        QCOMPARE(capped.totalNodes(), 401);
        QCOMPARE(capped.edges().size(), size_t(49)); // edges to left-out nodes are left out too
        for (const CallGraphEdge& e : capped.edges()) {
            QVERIFY(e.from < 50 && e.to < 50);
            QCOMPARE(e.count, 3);
        }
        QVERIFY(layoutDotAsSvg(capped.toDot()).ok());
    }
    // The view keeps to the default cap and says so.
    Cursor cursor;
    CallGraphView view(&cursor);
    QSignalSpy done(&view, &CallGraphView::layoutFinished);
    QElapsedTimer timer;
    timer.start();
    cursor.setDocument(doc);
    QVERIFY(view.isLayoutPending()); // on the worker thread: the GUI thread is free meanwhile
    QVERIFY(done.wait(60000));
    qInfo("%d nodes built and laid out in %lld ms", int(view.graph().nodes().size()), timer.elapsed());
    QCOMPARE(view.graph().nodes().size(), size_t(CallGraph::kDefaultMaxNodes));
    QVERIFY(view.svg().isValid());
    QVERIFY2(
        view.statusText().contains(QStringLiteral("showing the first 300 of 401 functions; 101 left out")),
        qPrintable(view.statusText()));
}

void TestGraphTopo::svgHasEveryNodeId() {
    const TraceDocument& doc = *m_walk;
    const uint32_t at = *doc.findFunctionEnter("ip_forward", 1);
    const CallGraph g = CallGraph::build(doc, at, CallGraphMode::Packet);
    QElapsedTimer timer;
    timer.start();
    const SvgLayoutResult svg = layoutDotAsSvg(g.toDot());
    qInfo("Graphviz laid out %d nodes, %d edges in %lld ms", int(g.nodes().size()), int(g.edges().size()),
          timer.elapsed());
    QVERIFY2(svg.ok(), qPrintable(svg.error));
    QVERIFY(svg.svg.startsWith("<?xml"));
    for (const CallGraphNode& n : g.nodes()) {
        QVERIFY2(svg.svg.contains(QByteArray("id=\"") + n.id().c_str() + "\""), n.id().c_str());
        QVERIFY(
            svg.svg.contains(QByteArray("xlink:href=\"event:") + QByteArray::number(n.firstEvent) + "\""));
    }
    QSvgRenderer renderer(svg.svg);
    QVERIFY(renderer.isValid());
    for (const CallGraphNode& n : g.nodes())
        QVERIFY(renderer.elementExists(QString::fromStdString(n.id())));
}

void TestGraphTopo::clickMapsBackToTheEvent() {
    const TraceDocument& doc = *m_walk;
    const uint32_t at = *doc.findFunctionEnter("ip_forward", 1);
    const CallGraph g = CallGraph::build(doc, at, CallGraphMode::Packet);
    const SvgLayoutResult svg = layoutDotAsSvg(g.toDot());
    CallGraphSvg drawing;
    QVERIFY(drawing.load(svg.svg, g));
    QVERIFY(!drawing.viewBox().isEmpty());
    // Every node has a box inside the drawing, boxes do not overlap, and the centre maps back.
    for (size_t n = 0; n < g.nodes().size(); ++n) {
        const QRectF box = drawing.nodeRect(int(n));
        QVERIFY2(!box.isEmpty(), g.nodes()[n].id().c_str());
        QVERIFY(drawing.viewBox().contains(box));
        QCOMPARE(drawing.nodeAt(box.center()), int(n));
        for (size_t m = 0; m < n; ++m)
            QVERIFY(!drawing.nodeRect(int(m)).intersects(box));
    }
    QCOMPARE(drawing.nodeAt(drawing.viewBox().topLeft() + QPointF(0.5, 0.5)), -1);

    // The panel: a click on a node moves the cursor to that function's first call.
    Cursor cursor;
    CallGraphView view(&cursor);
    view.resize(900, 700);
    view.show();
    QSignalSpy done(&view, &CallGraphView::layoutFinished);
    cursor.setDocument(m_walk);
    QVERIFY(cursor.setIndex(int(at)));
    while (view.isLayoutPending() || view.graph().empty() ||
           CallGraph::keyAt(doc, at, CallGraphMode::Packet) !=
               CallGraph::keyAt(doc, uint32_t(cursor.index()), CallGraphMode::Packet))
        QVERIFY(done.wait(20000));
    QCOMPARE(view.graph().nodes().size(), g.nodes().size());
    QCOMPARE(view.graph().nodes()[size_t(view.highlightedNode())].function, std::string("ip_forward"));
    int clicked = 0;
    for (size_t n = 0; n < view.graph().nodes().size(); n += 5) {
        const CallGraphNode& node = view.graph().nodes()[n];
        if (node.outside) continue;
        QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, view.canvasPointOfNode(int(n)).toPoint());
        QCOMPARE(cursor.index(), int(node.firstEvent));
        QCOMPARE(view.highlightedNode(), int(n));
        // Moving within the same packet does not lay out again.
        QVERIFY(!view.isLayoutPending());
        ++clicked;
    }
    QVERIFY(clicked >= 5);
    // A dashed caller that ran for no packet: the cursor goes there and the packet's graph stays.
    const auto caller =
        std::find_if(view.graph().nodes().begin(), view.graph().nodes().end(),
                     [&](const CallGraphNode& n) { return n.outside && doc.event(n.firstEvent).flow == 0; });
    QVERIFY(caller != view.graph().nodes().end());
    const int callerNode = int(caller - view.graph().nodes().begin());
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, view.canvasPointOfNode(callerNode).toPoint());
    QCOMPARE(cursor.index(), int(caller->firstEvent));
    QVERIFY(!view.isLayoutPending());
    QCOMPARE(view.highlightedNode(), callerNode);
    QVERIFY2(view.statusText().contains(QStringLiteral("belongs to no packet")),
             qPrintable(view.statusText()));
    // A click between nodes does nothing.
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, QPoint(1, 1));
    QCOMPARE(cursor.index(), int(caller->firstEvent));
    // Subtree mode lays out the calls under the function at the cursor.
    QVERIFY(cursor.setIndex(int(at)));
    view.setMode(CallGraphMode::Subtree);
    QVERIFY(done.wait(20000));
    QCOMPARE(view.graph().mode(), CallGraphMode::Subtree);
    QCOMPARE(view.graph().nodes().front().firstEvent, at);
    QVERIFY(view.statusText().contains(QStringLiteral("Calls under ip_forward() on R")));
}

void TestGraphTopo::callGraphScreenshot() {
    Cursor cursor;
    CallGraphView view(&cursor);
    view.resize(1000, 760);
    view.show();
    QSignalSpy done(&view, &CallGraphView::layoutFinished);
    cursor.setDocument(m_walk);
    const uint32_t at = *m_walk->findFunctionEnter("ip_forward", 1);
    QVERIFY(cursor.setIndex(int(at)));
    while (view.isLayoutPending() || view.graph().empty() || view.graph().nodeOfEvent(*m_walk, at) < 0)
        QVERIFY(done.wait(20000));
    view.zoomToFit();
    QCoreApplication::processEvents();
    const QImage shot = view.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QString out = pngDir + QStringLiteral("/tst_graphtopo-callgraph.png");
    QVERIFY(shot.save(out));
    qInfo("screenshot: %s", qPrintable(out));

    // The canvas region of the shot: the layer colours of the nodes are there (ipv4 blue, the
    // driver's steel), the outline of the highlighted node (orange) surrounds ip_forward.
    const QRect canvas(view.canvas()->mapTo(&view, QPoint(0, 0)), view.canvas()->size());
    const QRect visible = canvas.intersected(shot.rect());
    QVERIFY(countNear(shot, visible, QColor(0x9c, 0xc8, 0xf0)) > 500); // ipv4 nodes
    const QPointF c = view.canvasPointOfNode(view.highlightedNode());
    const QRectF box = view.svg().nodeRect(view.highlightedNode());
    const QRect around =
        QRectF(QPointF(c.x() - box.width() * view.zoom() / 2 - 6, c.y() - box.height() * view.zoom() / 2 - 6),
               QSizeF(box.width() * view.zoom() + 12, box.height() * view.zoom() + 12))
            .toRect()
            .translated(view.canvas()->mapTo(&view, QPoint(0, 0)));
    QVERIFY(countNear(shot, around, QColor(0xe0, 0x60, 0x00), 20) > 60);
    // Text inside the highlighted node: dark pixels on its fill.
    QVERIFY(countNear(shot, around.adjusted(6, 6, -6, -6), QColor(0x20, 0x20, 0x20), 90) > 20);
    // Cluster frames: the grey-blue border colour of the host boxes appears.
    QVERIFY(countNear(shot, visible, QColor(0x80, 0x90, 0xa8), 16) > 100);

    // Subtree: the calls under A's tcp_sendmsg, the root outlined at the top of the drawing.
    const uint32_t send = *m_walk->findFunctionEnter("tcp_sendmsg", 1);
    QVERIFY(cursor.setIndex(int(send)));
    view.setMode(CallGraphMode::Subtree);
    QVERIFY(done.wait(20000));
    QCoreApplication::processEvents();
    QCOMPARE(view.graph().nodes().front().function, std::string("tcp_sendmsg"));
    QCOMPARE(view.highlightedNode(), 0);
    QVERIFY(view.graph().nodes().size() > 5);
    const QImage sub = view.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QString subOut = pngDir + QStringLiteral("/tst_graphtopo-subtree.png");
    QVERIFY(sub.save(subOut));
    qInfo("screenshot: %s", qPrintable(subOut));
    const QRectF root = view.svg().nodeRect(0);
    for (size_t n = 1; n < view.graph().nodes().size(); ++n) // dot puts the root alone on the first rank
        QVERIFY(view.svg().nodeRect(int(n)).top() > root.bottom());
    const QPoint rootAt = view.canvasPointOfNode(0).toPoint() + view.canvas()->mapTo(&view, QPoint(0, 0));
    QVERIFY(
        countNear(sub,
                  QRect(rootAt - QPoint(int(root.width() * view.zoom() / 2) + 6,
                                        int(root.height() * view.zoom() / 2) + 6),
                        QSize(int(root.width() * view.zoom()) + 12, int(root.height() * view.zoom()) + 12)),
                  QColor(0xe0, 0x60, 0x00), 20) > 60);
    QVERIFY(countNear(sub, QRect(QPoint(0, 0), sub.size()), QColor(0x9c, 0xd8, 0x9c)) >
            300); // tcp layer green
}

// ---- topology ----

void TestGraphTopo::parseLinkName_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::newRow("lab") << "A:eth0<->R:eth0"
                         << "A:eth0"
                         << "R:eth0";
    QTest::newRow("spaced") << "A:eth0 <-> R:eth0"
                            << "A:eth0"
                            << "R:eth0";
    QTest::newRow("no arrow") << "A:eth0 -> R:eth0"
                              << ""
                              << "";
    QTest::newRow("half") << "A:eth0<->"
                          << ""
                          << "";
}

void TestGraphTopo::parseLinkName() {
    QFETCH(QString, name);
    QFETCH(QString, a);
    QFETCH(QString, b);
    std::string_view ga, gb;
    const std::string n = name.toStdString();
    const bool ok = Topology::parseLinkName(n, &ga, &gb);
    QCOMPARE(ok, !a.isEmpty());
    if (ok) {
        QCOMPARE(QString::fromStdString(std::string(ga)), a);
        QCOMPARE(QString::fromStdString(std::string(gb)), b);
    }
}

void TestGraphTopo::parseAddrNote_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("dev");
    QTest::addColumn<QString>("mac");
    QTest::addColumn<QString>("address");
    QTest::newRow("full") << "ip addr show eth0: link/ether 02:00:00:00:01:64 inet 192.168.1.100/24" << true
                          << "eth0"
                          << "02:00:00:00:01:64"
                          << "192.168.1.100/24";
    QTest::newRow("no address") << "ip addr show eth1: link/ether 02:00:00:00:02:01" << true << "eth1"
                                << "02:00:00:00:02:01"
                                << "";
    QTest::newRow("other note") << "ip link set eth0 up: UP" << false << ""
                                << ""
                                << "";
    QTest::newRow("no colon") << "ip addr show eth0" << false << ""
                              << ""
                              << "";
}

void TestGraphTopo::parseAddrNote() {
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(QString, dev);
    QFETCH(QString, mac);
    QFETCH(QString, address);
    std::string d, m, a;
    QCOMPARE(Topology::parseAddrNote(text.toStdString(), &d, &m, &a), ok);
    if (!ok) return;
    QCOMPARE(QString::fromStdString(d), dev);
    QCOMPARE(QString::fromStdString(m), mac);
    QCOMPARE(QString::fromStdString(a), address);
}

// tcp10k runs on namespaces joined by veth pairs: the lab's "ip link add ... type veth" Notes mark
// both links; send-walk's cables are not veth; a note that is not one is refused.
void TestGraphTopo::topologyMarksVethPairs() {
    Topology veth;
    veth.setDocument(runScenario(SKBSCOPE_SOURCE_DIR "/lessons/scenarios/tcp10k.yaml"));
    QCOMPARE(veth.links().size(), size_t(2));
    for (const TopoLink& l : veth.links()) {
        QVERIFY2(l.veth, l.name.c_str());
        QVERIFY(l.ends[0] >= 0 && l.ends[1] >= 0);
    }
    Topology cables;
    cables.setDocument(m_walk);
    for (const TopoLink& l : cables.links()) QVERIFY2(!l.veth, l.name.c_str());
    std::string dev, peer;
    QVERIFY(Topology::parseVethNote("ip link add eth1 type veth peer name eth0 netns B", &dev, &peer));
    QCOMPARE(QString::fromStdString(dev + " " + peer), QStringLiteral("eth1 B:eth0"));
    QVERIFY(!Topology::parseVethNote("ip link add eth1 type dummy", &dev, &peer));
    QVERIFY(!Topology::parseVethNote("ip link add eth1 type veth peer name eth0", &dev, &peer));
    QVERIFY(!Topology::parseVethNote("ip addr show eth0: link/ether 02:00:00:00:01:64", &dev, &peer));
}

void TestGraphTopo::topologyOfSendWalk() {
    Topology topo;
    topo.setDocument(m_walk);
    QCOMPARE(topo.hosts().size(), size_t(3));
    QStringList got;
    for (const TopoHost& h : topo.hosts())
        for (const int i : h.interfaces) {
            const TopoInterface& itf = topo.interfaces()[size_t(i)];
            QCOMPARE(itf.host, h.id);
            got << QString::fromStdString(h.name + ":" + itf.name + " " + itf.mac + " " + itf.address);
        }
    QCOMPARE(got, (QStringList{"A:eth0 02:00:00:00:01:64 192.168.1.100/24",
                               "R:eth0 02:00:00:00:01:01 192.168.1.1/24",
                               "R:eth1 02:00:00:00:02:01 192.168.2.1/24",
                               "B:eth0 02:00:00:00:02:64 192.168.2.100/24"}));
    QCOMPARE(topo.links().size(), size_t(2));
    auto end = [&](const TopoLink& l, int side) {
        const TopoInterface& i = topo.interfaces()[size_t(l.ends[side])];
        return QString::fromStdString(std::string(m_walk->trace().host_name(i.host)) + ":" + i.name);
    };
    QCOMPARE(end(topo.links()[0], 0), QStringLiteral("A:eth0"));
    QCOMPARE(end(topo.links()[0], 1), QStringLiteral("R:eth0"));
    QCOMPARE(end(topo.links()[1], 0), QStringLiteral("R:eth1"));
    QCOMPARE(end(topo.links()[1], 1), QStringLiteral("B:eth0"));

    // Layout: A | R | B left to right, each link running level between facing ports.
    TopologyLayout layout;
    layout.build(topo, QFontMetricsF(QFont()), 900);
    const HostBox* a = layout.boxOfHost(topo.hostIndex(0));
    const HostBox* r = layout.boxOfHost(topo.hostIndex(1));
    const HostBox* b = layout.boxOfHost(topo.hostIndex(2));
    QVERIFY(a && r && b);
    QCOMPARE(a->column, 0);
    QCOMPARE(r->column, 1);
    QCOMPARE(b->column, 2);
    QVERIFY(a->rect.right() < r->rect.left() && r->rect.right() < b->rect.left());
    for (const LinkLine& line : layout.linkLines()) {
        QVERIFY(line.drawn);
        QCOMPARE(line.ends[0].y(), line.ends[1].y());
        QVERIFY(line.ends[1].x() - line.ends[0].x() >= TopologyLayout::kMinLinkLength);
    }
    QVERIFY(layout.rowOfInterface(topo.interfaceIndex(1, "eth0"))->rightSide == false);
    QVERIFY(layout.rowOfInterface(topo.interfaceIndex(1, "eth1"))->rightSide == true);
}

void TestGraphTopo::topologyOfATraceWithoutAddresses() {
    // As recorded before the lab wrote its "ip addr show" Notes: NIC and link contexts only.
    Sim sim(1);
    const HostId a = sim.add_host("A");
    const HostId b = sim.add_host("B");
    sim.add_host("C"); // no interfaces at all
    sim.add_context(a, ContextKind::Nic, "eth0 NIC");
    sim.add_context(b, ContextKind::Nic, "eth3 NIC");
    sim.add_context(a, ContextKind::Link, "A:eth0<->B:eth3");
    sim.add_context(a, ContextKind::Link, "A:eth9<->Z:eth0"); // an end on no known host
    const TraceDocumentPtr doc = TraceDocument::build(sim.trace(), "old");
    Topology topo;
    topo.setDocument(doc);
    QCOMPARE(topo.hosts().size(), size_t(3));
    QCOMPARE(topo.interfaces().size(), size_t(3)); // A:eth0, B:eth3, and A:eth9 from the second link
    for (const TopoInterface& i : topo.interfaces()) {
        QVERIFY(i.mac.empty());
        QVERIFY(i.address.empty());
    }
    QCOMPARE(topo.links().size(), size_t(2));
    QCOMPARE(topo.links()[0].ends[0], topo.interfaceIndex(a, "eth0"));
    QCOMPARE(topo.links()[0].ends[1], topo.interfaceIndex(b, "eth3"));
    QCOMPARE(topo.links()[1].ends[1], -1);
    QVERIFY(topo.framesInFlight(0).empty());
    TopologyLayout layout;
    layout.build(topo, QFontMetricsF(QFont()), 600);
    QCOMPARE(layout.hostBoxes().size(), size_t(3));
    QVERIFY(layout.linkLines()[0].drawn);
    QVERIFY(!layout.linkLines()[1].drawn);
    QCOMPARE(TopologyLayout::interfaceDetail(topo.interfaces()[0]), QStringLiteral("MAC not in this trace"));
}

void TestGraphTopo::framesInFlight() {
    for (const TraceDocumentPtr& doc : {m_walk, m_lossy}) {
        Topology topo;
        topo.setDocument(doc);
        std::vector<uint32_t> wires;
        for (uint32_t i = 0; i < doc->eventCount(); ++i)
            if (doc->event(i).kind == EventKind::Wire) wires.push_back(i);
        QVERIFY(wires.size() > 20);
        // Chosen times: each frame's send time, the middle of its flight, one ns before its arrival,
        // its arrival, and one ns before it was sent.
        std::vector<TimeNs> times;
        for (const uint32_t w : wires) {
            const TimeNs sent = doc->event(w).time, arrival = TimeNs(doc->event(w).a[2]);
            times.insert(times.end(), {sent, (sent + arrival) / 2, arrival - 1, arrival, sent - 1});
        }
        int seen = 0;
        for (const TimeNs t : times) {
            std::vector<uint32_t> expected;
            for (const uint32_t w : wires)
                if (doc->event(w).time <= t && t < TimeNs(doc->event(w).a[2])) expected.push_back(w);
            const std::vector<FrameInFlight> got = topo.framesInFlight(t);
            QCOMPARE(got.size(), expected.size());
            for (size_t k = 0; k < got.size(); ++k) {
                const TraceEvent& e = doc->event(got[k].event);
                QCOMPARE(got[k].event, expected[k]);
                QCOMPARE(got[k].fromPort, int(e.a[1]));
                QCOMPARE(int(got[k].fate), int(e.a[3]));
                QCOMPARE(got[k].flow, e.flow);
                QCOMPARE(topo.links()[size_t(got[k].link)].ctx, e.ctx);
                const double fraction = double(t - e.time) / double(TimeNs(e.a[2]) - e.time);
                QCOMPARE(got[k].fraction, fraction);
                QVERIFY(got[k].fraction >= 0 && got[k].fraction < 1);
                ++seen;
            }
        }
        QVERIFY(seen > int(wires.size()));
    }
    // The first frame on the wire at its mid-flight: half way.
    Topology topo;
    topo.setDocument(m_walk);
    uint32_t first = 0;
    while (m_walk->event(first).kind != EventKind::Wire)
        ++first;
    const TraceEvent& w = m_walk->event(first);
    const TimeNs span = TimeNs(w.a[2]) - w.time;
    const auto mid = topo.framesInFlight(w.time + span / 2);
    QVERIFY(!mid.empty());
    QCOMPARE(mid.front().event, first);
    QVERIFY(std::abs(mid.front().fraction - 0.5) <= 1.0 / double(span));
    // The lossy run has the dropped data segment, marked lost.
    topo.setDocument(m_lossy);
    int lost = 0;
    for (uint32_t i = 0; i < m_lossy->eventCount(); ++i) {
        const TraceEvent& e = m_lossy->event(i);
        if (e.kind != EventKind::Wire || e.a[3] != int64_t(WireFate::Lost)) continue;
        ++lost;
        const auto at = topo.framesInFlight(e.time + 1);
        QVERIFY(std::any_of(at.begin(), at.end(), [&](const FrameInFlight& f) {
            return f.event == i && f.fate == WireFate::Lost;
        }));
    }
    QCOMPARE(lost, 1);
}

void TestGraphTopo::frameMarksSitOnTheirLink() {
    Topology topo;
    topo.setDocument(m_walk);
    TopologyLayout layout;
    layout.build(topo, QFontMetricsF(QFont()), 900);
    int checked = 0;
    for (uint32_t i = 0; i < m_walk->eventCount(); ++i) {
        const TraceEvent& e = m_walk->event(i);
        if (e.kind != EventKind::Wire) continue;
        const TimeNs t = e.time + (TimeNs(e.a[2]) - e.time) / 4;
        const std::vector<FrameInFlight> frames = topo.framesInFlight(t);
        const std::vector<FrameMark> marks = layout.placeFrames(frames);
        QCOMPARE(marks.size(), frames.size());
        for (const FrameMark& m : marks) {
            const LinkLine& line = layout.linkLines()[size_t(m.frame.link)];
            const QPointF from = line.ends[m.frame.fromPort], to = line.ends[1 - m.frame.fromPort];
            // Projected onto the link, the mark is at its fraction of the way from the sender.
            const QPointF d = to - from;
            const double along = QPointF::dotProduct(m.center - from, d) / QPointF::dotProduct(d, d);
            QVERIFY2(std::abs(along - m.frame.fraction) < 1e-9, qPrintable(QString::number(along)));
            // a -> b travels right (A is left of R), b -> a left; each on its own side of the line.
            QCOMPARE(m.direction.x() > 0, m.frame.fromPort == 0);
            QCOMPARE(m.center.y() < line.ends[0].y(), m.frame.fromPort == 0);
            QVERIFY(m.shape.boundingRect().contains(m.center));
            QCOMPARE(m.label, QStringLiteral("#%1").arg(m.frame.flow));
        }
        ++checked;
    }
    QVERIFY(checked > 20);
}

void TestGraphTopo::topologyScreenshot() {
    Cursor cursor;
    TopologyView view(&cursor);
    view.resize(1000, 420);
    view.show();
    cursor.setDocument(m_lossy);
    // The cursor on the lost data segment just after it left A's port, a quarter of its way.
    uint32_t lost = 0;
    while (!(m_lossy->event(lost).kind == EventKind::Wire &&
             m_lossy->event(lost).a[3] == int64_t(WireFate::Lost)))
        ++lost;
    const TraceEvent& w = m_lossy->event(lost);
    uint32_t at = lost;
    const TimeNs quarter = w.time + (TimeNs(w.a[2]) - w.time) / 4;
    while (at + 1 < m_lossy->eventCount() && m_lossy->event(at + 1).time <= quarter)
        ++at;
    QVERIFY(cursor.setIndex(int(at)));
    QCoreApplication::processEvents();
    const auto lostMark = std::find_if(view.frames().begin(), view.frames().end(),
                                       [&](const FrameMark& m) { return m.frame.event == lost; });
    QVERIFY(lostMark != view.frames().end());
    QVERIFY(view.statusText().contains(QStringLiteral("lost or corrupted")));

    const QImage shot = view.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QString out = pngDir + QStringLiteral("/tst_graphtopo-topology.png");
    QVERIFY(shot.save(out));
    qInfo("screenshot: %s", qPrintable(out));
    const QPoint origin = view.canvas()->mapTo(&view, QPoint(0, 0));
    // Three host boxes: their fill, or the highlight's for the host of the cursor's event.
    for (const HostBox& box : view.layout().hostBoxes()) {
        const QRect inner = box.rect.toRect().translated(origin).adjusted(4, 4, -4, -4);
        const QColor fill =
            box.host == view.highlightedHost() ? TopologyView::highlightFill() : TopologyView::hostFill();
        QVERIFY2(countNear(shot, inner, fill, 4) > inner.width() * inner.height() / 3,
                 qPrintable(QString::fromStdString(view.topology().hosts()[size_t(box.host)].name)));
        // Text: the interface rows have dark pixels.
        QVERIFY(countNear(shot, inner, QColor(0, 0, 0), 50) > 50);
    }
    // The lost frame: red where its mark is, on link A <-> R.
    const QRect mark = lostMark->shape.boundingRect().toRect().translated(origin);
    QVERIFY(countNear(shot, mark, TopologyView::frameFill(WireFate::Lost), 30) > 20);
    // The link lines: grey pixels half way between A's and R's boxes, on the line's row.
    const LinkLine& link = view.layout().linkLines()[0];
    const QPointF mid = (link.ends[0] + link.ends[1]) / 2;
    QVERIFY(countNear(shot, QRect(int(mid.x()) - 20 + origin.x(), int(mid.y()) - 3 + origin.y(), 40, 7),
                      QColor(0x70, 0x70, 0x70), 40) +
                countNear(shot, QRect(int(mid.x()) - 20 + origin.x(), int(mid.y()) - 3 + origin.y(), 40, 7),
                          QColor(0xe0, 0x90, 0x00), 40) >
            20);
}

QTEST_MAIN(TestGraphTopo)
#include "tst_graphtopo.moc"
