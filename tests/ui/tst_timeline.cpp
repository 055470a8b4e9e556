// Qt Test for the timeline: TimelineViewport and TimelineModel geometry as data-driven tests
// without a widget (time <-> pixel round trips, zoom keeping the point under the mouse, limits,
// lane order, depths and markers of testtrace, folding of tiny spans, event-order x, hit testing,
// axis ticks, the vertical layout, a packet's flow links), then the TimelineView on the send-walk
// scenario run through the lab, checked pixel by pixel (tst_timeline_sendwalk.png in the build dir).
#include <QApplication>
#include <QImage>
#include <QScrollBar>
#include <QSet>
#include <QTest>
#include <QWheelEvent>

#include "tests/ui/testtrace.h"
#include "ui/cursor.h"
#include "ui/layercolors.h"
#include "ui/scenariorunner.h"
#include "ui/timelinemodel.h"
#include "ui/timelineview.h"

using namespace skbscope;
using namespace skbscope::ui;
using namespace skbscope::test;

Q_DECLARE_METATYPE(skbscope::ui::TimelineAxis)

namespace {

// One task context: `tiny` calls of 10 ns every 20 ns (the function switching between ip_rcv and
// tcp_v4_rcv every `layerRun` calls), then one 10 µs call of net_rx_action.
Trace makeFoldTrace(int tiny, int layerRun) {
    Trace t;
    t.hosts = {"A"};
    t.contexts = {ContextInfo{0, ContextKind::Lab, "lab"}, ContextInfo{0, ContextKind::Task, "bulk (pid 1)"}};
    auto add = [&](TimeNs time, EventKind kind, Fn fn, uint16_t depth) {
        TraceEvent e;
        e.time = time;
        e.ctx = 1;
        e.kind = kind;
        e.name = static_cast<StrId>(fn);
        e.layer = fn_info(fn).layer;
        e.depth = depth;
        t.events.push_back(e);
    };
    for (int i = 0; i < tiny; ++i) {
        const Fn fn = (i / layerRun) % 2 == 0 ? Fn::ip_rcv : Fn::tcp_v4_rcv;
        add(TimeNs(20 * i), EventKind::FuncEnter, fn, 0);
        add(TimeNs(20 * i + 10), EventKind::FuncExit, fn, 0);
    }
    add(TimeNs(20 * tiny), EventKind::FuncEnter, Fn::net_rx_action, 0);
    add(TimeNs(20 * tiny + 10000), EventKind::FuncExit, Fn::net_rx_action, 0);
    return t;
}

TimelineViewport viewport(double x0, double x1, int width, double min = 0, double max = 1e9,
                          double minSpan = 1) {
    TimelineViewport vp;
    vp.setLimits(min, max, minSpan);
    vp.setWidth(width);
    vp.setRange(x0, x1);
    return vp;
}

} // namespace

class TestTimeline : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void pixelRoundTrip_data();
    void pixelRoundTrip();
    void zoomKeepsPointUnderMouse_data();
    void zoomKeepsPointUnderMouse();
    void viewportLimits();
    void lanesOfTestTrace();
    void laneOrderByKind();
    void depthsAndMarkers();
    void eventOrderX();
    void folding_data();
    void folding();
    void hitTesting();
    void axisTicks_data();
    void axisTicks();
    void layoutRows();
    void flowLinksCrossLanes();
    void screenshotOfSendWalk();
    void flowArrowsOfPacket();
    void keyboardAndWheel();
    void autoFitFramesTheCursorsCall();

  private:
    TraceDocumentPtr m_test;
    TimelineModel m_model;
    TraceDocumentPtr m_sendWalk;
};

void TestTimeline::initTestCase() {
    m_test = TraceDocument::build(makeTestTrace(), "test");
    m_model.setDocument(m_test);
    const QString scenario = QStringLiteral(SKBSCOPE_SOURCE_DIR "/lessons/scenarios/send-walk.yaml");
    auto trace = ScenarioRunner::run(scenario.toStdString());
    QVERIFY2(trace.ok(), trace.ok() ? "" : trace.error().message.c_str());
    QVERIFY(trace->events.size() > 1000);
    m_sendWalk = TraceDocument::build(std::move(*trace), "send-walk");
}

void TestTimeline::pixelRoundTrip_data() {
    QTest::addColumn<double>("x0");
    QTest::addColumn<double>("x1");
    QTest::addColumn<int>("width");
    QTest::addColumn<double>("x");
    QTest::addColumn<double>("px");
    QTest::newRow("1 µs in 1000 px") << 1000.0 << 2000.0 << 1000 << 1500.0 << 500.0;
    QTest::newRow("left edge") << 1000.0 << 2000.0 << 1000 << 1000.0 << 0.0;
    QTest::newRow("right edge") << 1000.0 << 2000.0 << 1000 << 2000.0 << 1000.0;
    QTest::newRow("10 ms in 1600 px") << 0.0 << 1e7 << 1600 << 2.5e6 << 400.0;
    QTest::newRow("left of view") << 500.0 << 600.0 << 100 << 400.0 << -100.0;
    QTest::newRow("late and narrow") << 5e8 << 5e8 + 100 << 1600 << 5e8 + 25 << 400.0;
}

void TestTimeline::pixelRoundTrip() {
    QFETCH(double, x0);
    QFETCH(double, x1);
    QFETCH(int, width);
    QFETCH(double, x);
    QFETCH(double, px);
    const TimelineViewport vp = viewport(x0, x1, width);
    QCOMPARE(vp.x0(), x0);
    QCOMPARE(vp.x1(), x1);
    QCOMPARE(vp.toPixel(x), px);
    QCOMPARE(vp.toX(px), x);
    QCOMPARE(vp.toX(vp.toPixel(x)), x);
}

void TestTimeline::zoomKeepsPointUnderMouse_data() {
    QTest::addColumn<double>("x0");
    QTest::addColumn<double>("x1");
    QTest::addColumn<double>("px");
    QTest::addColumn<double>("factor");
    QTest::addColumn<double>("span");
    QTest::newRow("in at the middle") << 1e6 << 2e6 << 500.0 << 2.0 << 5e5;
    QTest::newRow("in near the left") << 1e6 << 2e6 << 37.0 << 4.0 << 2.5e5;
    QTest::newRow("out near the right") << 1e6 << 2e6 << 900.0 << 0.5 << 2e6;
    QTest::newRow("wheel step") << 3e6 << 3.01e6 << 123.0 << 1.25 << 8000.0;
}

void TestTimeline::zoomKeepsPointUnderMouse() {
    QFETCH(double, x0);
    QFETCH(double, x1);
    QFETCH(double, px);
    QFETCH(double, factor);
    QFETCH(double, span);
    TimelineViewport vp = viewport(x0, x1, 1000, 0, 1e7, 10);
    const double before = vp.toX(px);
    vp.zoomAt(px, factor);
    QVERIFY2(qAbs(vp.toX(px) - before) < 1e-6, qPrintable(QString::number(vp.toX(px) - before)));
    QVERIFY(qAbs(vp.span() - span) < 1e-6);
}

void TestTimeline::viewportLimits() {
    TimelineViewport vp = viewport(100, 200, 1000, 0, 1000, 50);
    vp.zoomAt(500, 100); // far past the narrowest view
    QCOMPARE(vp.span(), 50.0);
    QCOMPARE(vp.toX(500), 150.0);
    vp.zoomAt(500, 1e-6); // far past the whole trace
    QCOMPARE(vp.x0(), 0.0);
    QCOMPARE(vp.x1(), 1000.0);
    vp.setRange(900, 990);
    vp.panPixels(5000); // 450 units to the right: stops at the end
    QCOMPARE(vp.x1(), 1000.0);
    QCOMPARE(vp.span(), 90.0);
    vp.panPixels(-1e6);
    QCOMPARE(vp.x0(), 0.0);
    vp.centerOn(500);
    QCOMPARE(vp.x0(), 455.0);
    vp.setRange(300, 100); // reversed: collapses to the narrowest view, still inside
    QCOMPARE(vp.span(), 50.0);
    QVERIFY(vp.x0() >= 0 && vp.x1() <= 1000);
}

void TestTimeline::lanesOfTestTrace() {
    // The lab context has no events: no lane. A's contexts first, task before softirq.
    QCOMPARE(m_model.laneCount(), 3);
    QCOMPARE(m_model.lanes()[0].label, QStringLiteral("A: sender (pid 100)"));
    QCOMPARE(m_model.lanes()[1].label, QStringLiteral("A: softirq"));
    QCOMPARE(m_model.lanes()[2].label, QStringLiteral("B: softirq"));
    QCOMPARE(m_model.lanes()[0].depthCount, 4); // sendto > __libc_sendto > udp_sendmsg > ip_send_skb
    QCOMPARE(m_model.lanes()[1].depthCount, 1);
    QCOMPARE(m_model.lanes()[2].depthCount, 2);
    QCOMPARE(m_model.laneOf(NetRxEnter), 2);
    QCOMPARE(m_model.laneOf(NetTxExit), 1);
    QCOMPARE(m_model.laneOf(SkbPushEv), 0);
}

void TestTimeline::laneOrderByKind() {
    // Contexts created in a scrambled order: lanes come host by host (task, softirq, hardirq, NIC),
    // then links, then the lab.
    Trace t;
    t.hosts = {"A", "B"};
    t.contexts = {ContextInfo{0, ContextKind::Lab, "lab"},
                  ContextInfo{0, ContextKind::Link, "A:eth0<->B:eth0"},
                  ContextInfo{1, ContextKind::Nic, "eth0 NIC"},
                  ContextInfo{0, ContextKind::Hardirq, "hardirq"},
                  ContextInfo{0, ContextKind::Task, "client (pid 100)"},
                  ContextInfo{0, ContextKind::Softirq, "softirq"},
                  ContextInfo{1, ContextKind::Task, "server (pid 101)"},
                  ContextInfo{0, ContextKind::Nic, "eth0 NIC"}};
    for (ContextId c = 0; c < t.contexts.size(); ++c) {
        TraceEvent e;
        e.ctx = c;
        e.time = c;
        t.events.push_back(e);
    }
    TimelineModel model;
    model.setDocument(TraceDocument::build(std::move(t)));
    QStringList labels;
    for (const TimelineLane& lane : model.lanes())
        labels << lane.label;
    QCOMPARE(labels, (QStringList{"A: client (pid 100)", "A: softirq", "A: hardirq", "A: eth0 NIC",
                                  "B: server (pid 101)", "B: eth0 NIC", "A:eth0<->B:eth0", "lab"}));
    QCOMPARE(model.lanes()[0].depthCount, 0);
    QCOMPARE(model.markerCount(0), size_t(1));
    // Lanes without calls get a marker strip one row tall, for their label.
    const TimelineLayout layout(model, 10, 20, 6);
    QCOMPARE(layout.laneHeight(0), 26);
    QCOMPARE(layout.rowHeight(0, TimelineModel::kMarkerRow), 20);
    QCOMPARE(layout.rowAt(0, 19), TimelineModel::kMarkerRow);
    QCOMPARE(layout.rowAt(0, 20), -2);
}

void TestTimeline::depthsAndMarkers() {
    QCOMPARE(m_model.rowOf(SendtoEnter), 0);
    QCOMPARE(m_model.rowOf(SendtoExit), 0);
    QCOMPARE(m_model.rowOf(UdpSendmsgExit), 2);
    QCOMPARE(m_model.rowOf(IpSendSkbEnter), 3);
    QCOMPARE(m_model.rowOf(IpRcvEnter), 1);
    QCOMPARE(m_model.rowOf(SkbPushEv), TimelineModel::kMarkerRow);
    QCOMPARE(m_model.rowOf(BNote), TimelineModel::kMarkerRow);
    QCOMPARE(m_model.spanCount(0, 3), size_t(1));
    QCOMPARE(m_model.spanCount(0, 4), size_t(0));
    // A's task: alloc, reserve, put, push, enqueue, free; B's softirq: the note.
    QCOMPARE(m_model.markerCount(0), size_t(6));
    QCOMPARE(m_model.markerCount(1), size_t(0));
    QCOMPARE(m_model.markerCount(2), size_t(1));
    // A span runs from its enter's time to its exit's time.
    QCOMPARE(m_model.spanStart(TimelineAxis::Time, UdpSendmsgEnter),
             double(m_test->event(UdpSendmsgEnter).time));
    QCOMPARE(m_model.spanEnd(TimelineAxis::Time, UdpSendmsgEnter),
             double(m_test->event(UdpSendmsgExit).time));
    QVERIFY(m_model.spanEnd(TimelineAxis::Time, UdpSendmsgEnter) >
            m_model.spanStart(TimelineAxis::Time, UdpSendmsgEnter));
}

void TestTimeline::eventOrderX() {
    // Every event one slot: event i covers [i, i+1); a call from its enter's slot to its exit's.
    QCOMPARE(m_model.xOf(TimelineAxis::EventOrder, SkbPushEv), int(SkbPushEv) + 0.5);
    QCOMPARE(m_model.spanStart(TimelineAxis::EventOrder, SendtoEnter), 0.0);
    QCOMPARE(m_model.spanEnd(TimelineAxis::EventOrder, SendtoEnter), double(SendtoExit + 1));
    QCOMPARE(m_model.dataMax(TimelineAxis::EventOrder), double(EventCount));
    // 21 events in 210 px: 10 px per event.
    const TimelineViewport vp = viewport(0, EventCount, 210, 0, EventCount, 1);
    std::vector<TimelineItem> items;
    m_model.spanItems(TimelineAxis::EventOrder, 0, 0, vp, items);
    QCOMPARE(items.size(), size_t(1));
    QCOMPARE(items[0].kind, TimelineItem::Span);
    QCOMPARE(items[0].event, uint32_t(SendtoEnter));
    QCOMPARE(items[0].px0, 0.0);
    QCOMPARE(items[0].px1, 190.0);
    items.clear();
    m_model.spanItems(TimelineAxis::EventOrder, 2, 1, vp, items); // B's ip_rcv: events 7..9
    QCOMPARE(items.size(), size_t(1));
    QCOMPARE(items[0].px0, 70.0);
    QCOMPARE(items[0].px1, 100.0);
    items.clear();
    m_model.markerItems(TimelineAxis::EventOrder, 0, vp, items);
    QCOMPARE(items.size(), size_t(6));
    QCOMPARE(items[3].event, uint32_t(SkbPushEv));
    QCOMPARE(items[3].px0, 125.0);
}

void TestTimeline::folding_data() {
    QTest::addColumn<int>("layerRun");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("spans");  // Span items
    QTest::addColumn<int>("folded"); // Folded items
    QTest::addColumn<int>("foldedCount");
    // 1000 calls of 10 ns every 20 ns, then a 10 µs call: 30 µs in `width` pixels.
    QTest::newRow("200 ns/px: one merged block and the long call") << 1000 << 150 << 1 << 1 << 1000;
    QTest::newRow("200 ns/px, layers change per column: a block per column") << 10 << 150 << 1 << 100 << 1000;
    QTest::newRow("20 ns/px: half-pixel calls fold") << 1000 << 1500 << 1 << 1 << 1000;
    QTest::newRow("10 ns/px: every call a pixel wide") << 1000 << 3000 << 1001 << 0 << 0;
}

void TestTimeline::folding() {
    QFETCH(int, layerRun);
    QFETCH(int, width);
    QFETCH(int, spans);
    QFETCH(int, folded);
    QFETCH(int, foldedCount);
    TimelineModel model;
    model.setDocument(TraceDocument::build(makeFoldTrace(1000, layerRun)));
    QCOMPARE(model.spanCount(0, 0), size_t(1001));
    const TimelineViewport vp =
        viewport(0, 30000, width, model.dataMin(TimelineAxis::Time), model.dataMax(TimelineAxis::Time), 50);
    QCOMPARE(vp.span(), 30000.0);
    std::vector<TimelineItem> items;
    model.spanItems(TimelineAxis::Time, 0, 0, vp, items);
    int s = 0, f = 0, fc = 0;
    double lastEnd = -1e9;
    for (const TimelineItem& it : items) {
        QVERIFY(it.px0 >= lastEnd - 1e-9); // left to right, no overlap
        lastEnd = it.px1;
        if (it.kind == TimelineItem::Span) ++s;
        if (it.kind == TimelineItem::Folded) {
            ++f;
            fc += int(it.count);
            QVERIFY(it.px1 - it.px0 >= 1);
        }
    }
    QCOMPARE(s, spans);
    QCOMPARE(f, folded);
    QCOMPARE(fc, foldedCount);
    // The long call is always a span of its own, ending at the right edge.
    QCOMPARE(items.back().kind, TimelineItem::Span);
    QCOMPARE(items.back().px1, double(width));
}

void TestTimeline::hitTesting() {
    TimelineModel model;
    model.setDocument(TraceDocument::build(makeFoldTrace(1000, 10)));
    const TimelineViewport vp = viewport(0, 30000, 150, 0, 30010, 50);
    // Column 10 holds calls 100..109 (2000..2199 ns): folded, answered with the first.
    TimelineHit hit = model.hitTest(TimelineAxis::Time, 0, 0, vp, 10.5);
    QCOMPARE(hit.kind, TimelineItem::Folded);
    QCOMPARE(hit.count, 10u);
    QCOMPARE(hit.event, 200u); // the FuncEnter of call 100
    // The long call covers pixels 100..150.
    hit = model.hitTest(TimelineAxis::Time, 0, 0, vp, 120);
    QCOMPARE(hit.kind, TimelineItem::Span);
    QCOMPARE(hit.event, 2000u);
    // Nothing at depth 1, nor in the marker row.
    QVERIFY(!model.hitTest(TimelineAxis::Time, 0, 1, vp, 120).found());
    QVERIFY(!model.hitTest(TimelineAxis::Time, 0, TimelineModel::kMarkerRow, vp, 120).found());

    // Zoomed in, one tiny call is a span of its own: 2000..2010 ns in pixels 0..100.
    const TimelineViewport close = viewport(2000, 2100, 1000, 0, 30010, 50);
    hit = model.hitTest(TimelineAxis::Time, 0, 0, close, 50);
    QCOMPARE(hit.kind, TimelineItem::Span);
    QCOMPARE(hit.event, 200u);
    QVERIFY(!model.hitTest(TimelineAxis::Time, 0, 0, close, 150).found()); // the gap after it

    // testtrace in event order: the marker of skb_push, and ip_send_skb at depth 3.
    const TimelineViewport order = viewport(0, EventCount, 210, 0, EventCount, 1);
    hit = m_model.hitTest(TimelineAxis::EventOrder, 0, TimelineModel::kMarkerRow, order, 126);
    QCOMPARE(hit.kind, TimelineItem::Marker);
    QCOMPARE(hit.event, uint32_t(SkbPushEv));
    hit = m_model.hitTest(TimelineAxis::EventOrder, 0, 3, order, 135);
    QCOMPARE(hit.event, uint32_t(IpSendSkbEnter));
    hit = m_model.hitTest(TimelineAxis::EventOrder, 0, 0, order, 5);
    QCOMPARE(hit.event, uint32_t(SendtoEnter));
}

void TestTimeline::axisTicks_data() {
    QTest::addColumn<TimelineAxis>("axis");
    QTest::addColumn<double>("x0");
    QTest::addColumn<double>("x1");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("second");
    QTest::addColumn<double>("secondPx");
    QTest::newRow("10 ms") << TimelineAxis::Time << 0.0 << 1e7 << 1000 << 11 << "1 ms" << 100.0;
    QTest::newRow("1 µs") << TimelineAxis::Time << 0.0 << 1000.0 << 1000 << 11 << "0.1 µs" << 100.0;
    QTest::newRow("50 ns steps") << TimelineAxis::Time << 1000.0 << 1200.0 << 400 << 5 << "1050 ns" << 100.0;
    QTest::newRow("offset 2 µs steps")
        << TimelineAxis::Time << 10500.0 << 25500.0 << 750 << 7 << "14 µs" << 175.0;
    QTest::newRow("0.5 ms steps") << TimelineAxis::Time << 3.1e6 << 6.1e6 << 600 << 6 << "4.0 ms" << 180.0;
    QTest::newRow("events") << TimelineAxis::EventOrder << 0.0 << 1000.0 << 500 << 6 << "#200" << 100.0;
}

void TestTimeline::axisTicks() {
    QFETCH(TimelineAxis, axis);
    QFETCH(double, x0);
    QFETCH(double, x1);
    QFETCH(int, width);
    QFETCH(int, count);
    QFETCH(QString, second);
    QFETCH(double, secondPx);
    const auto ticks = TimelineModel::axisTicks(axis, viewport(x0, x1, width), 100);
    QCOMPARE(int(ticks.size()), count);
    QCOMPARE(ticks[1].label, second);
    QCOMPARE(ticks[1].px, secondPx);
    for (size_t i = 1; i < ticks.size(); ++i)
        QVERIFY(ticks[i].px - ticks[i - 1].px >= 100 - 1e-9);
}

void TestTimeline::layoutRows() {
    const TimelineLayout layout(m_model, 10, 20, 6);
    // Lane 0: markers 10 + 4 rows of 20 + gap 6 = 96; lane 1: 10 + 20 + 6 = 36; lane 2: 10 + 40 + 6.
    QCOMPARE(layout.laneTop(0), 0);
    QCOMPARE(layout.laneTop(1), 96);
    QCOMPARE(layout.laneTop(2), 132);
    QCOMPARE(layout.totalHeight(), 188);
    QCOMPARE(layout.rowTop(0, TimelineModel::kMarkerRow), 0);
    QCOMPARE(layout.rowTop(0, 3), 70);
    QCOMPARE(layout.rowTop(2, 1), 162);
    QCOMPARE(layout.laneAt(95), 0);
    QCOMPARE(layout.laneAt(96), 1);
    QCOMPARE(layout.laneAt(188), -1);
    QCOMPARE(layout.laneAt(-1), -1);
    QCOMPARE(layout.rowAt(0, 9), TimelineModel::kMarkerRow);
    QCOMPARE(layout.rowAt(0, 10), 0);
    QCOMPARE(layout.rowAt(0, 89), 3);
    QCOMPARE(layout.rowAt(0, 91), -2); // the gap
    QCOMPARE(layout.rowAt(2, layout.rowTop(2, 1) + 5), 1);
}

void TestTimeline::flowLinksCrossLanes() {
    QVERIFY(m_model.flowLinks(SendtoEnter).empty()); // no packet
    QVERIFY(m_model.flowLinks(SkbPushEv).empty());   // packet 1 stays in A's task
    TimelineModel model;
    model.setDocument(m_sendWalk);
    // The first packet of A's send(): from A's task through NIC and link to R and B.
    const auto send = m_sendWalk->findFunctionEnter("send", 1);
    QVERIFY(send);
    uint32_t packetEvent = TimelineModel::kNone;
    for (uint32_t i = *send; i < m_sendWalk->eventCount() && packetEvent == TimelineModel::kNone; ++i)
        if (m_sendWalk->event(i).flow != 0 && m_sendWalk->event(i).ctx == m_sendWalk->event(*send).ctx)
            packetEvent = i;
    QVERIFY(packetEvent != TimelineModel::kNone);
    const auto links = model.flowLinks(packetEvent);
    QVERIFY2(links.size() >= 4, qPrintable(QString::number(links.size())));
    QSet<QString> lanes;
    for (const TimelineFlowLink& link : links) {
        QVERIFY(link.from < link.to);
        QCOMPARE(m_sendWalk->event(link.from).flow, m_sendWalk->event(packetEvent).flow);
        QCOMPARE(m_sendWalk->event(link.to).flow, m_sendWalk->event(packetEvent).flow);
        QVERIFY(model.laneOf(link.from) != model.laneOf(link.to));
        lanes << model.lanes()[size_t(model.laneOf(link.to))].label;
    }
    // The packet crosses a link and reaches another host.
    bool link = false, otherHost = false;
    for (const QString& l : lanes) {
        link |= l.contains(QStringLiteral("<->"));
        otherHost |= l.startsWith(QStringLiteral("R: ")) || l.startsWith(QStringLiteral("B: "));
    }
    QVERIFY2(link && otherHost, qPrintable(QStringList(lanes.values()).join(", ")));
}

void TestTimeline::screenshotOfSendWalk() {
    Cursor cursor;
    TimelineView view(&cursor);
    QCOMPARE(view.objectName(), QStringLiteral("timelinePanel"));
    view.resize(1400, 900);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    cursor.setDocument(m_sendWalk);
    TimelineCanvas* canvas = view.canvas();
    const TimelineModel& model = canvas->model();

    // A's client lane exists, with its send() at depth 0.
    int clientLane = -1;
    for (int l = 0; l < model.laneCount(); ++l)
        if (model.lanes()[size_t(l)].label == QStringLiteral("A: client (pid 100)")) clientLane = l;
    QVERIFY(clientLane >= 0);
    const auto send = m_sendWalk->findFunctionEnter("send", 1);
    QVERIFY(send);
    QCOMPARE(model.laneOf(*send), clientLane);
    QCOMPARE(model.rowOf(*send), 0);

    // The cursor on send(): the view scrolls to it. Zoom so send() fills the middle half.
    QVERIFY(cursor.setIndex(int(*send)));
    const double t0 = model.spanStart(TimelineAxis::Time, *send),
                 t1 = model.spanEnd(TimelineAxis::Time, *send);
    QVERIFY(t1 > t0);
    canvas->setVisibleRange(t0 - (t1 - t0) / 2, t1 + (t1 - t0) / 2);
    // Step into: the cursor is on __libc_send, inside send(); the cursor line sits at its time.
    QVERIFY(cursor.stepInto());
    const uint32_t libc = uint32_t(cursor.index());
    QCOMPARE(model.rowOf(libc), 1);

    const QImage image = view.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QString png = QStringLiteral(UI_PNG_DIR "/tst_timeline_sendwalk.png");
    QVERIFY(image.save(png));
    qInfo("screenshot: %s", qPrintable(png));
    const QPoint origin = canvas->viewport()->mapTo(&view, QPoint(0, 0));

    // send()'s row: the user layer's colour across the span (away from the outline and the text).
    const int sendY = origin.y() + canvas->rowY(clientLane, 0) + canvas->rowHeight(clientLane, 0) - 4;
    const int sendX0 = origin.x() + int(canvas->pixelX(t0)), sendX1 = origin.x() + int(canvas->pixelX(t1));
    QVERIFY(sendX1 - sendX0 > 400);
    const QRgb user = layerColor(Layer::User).rgb();
    QCOMPARE(QColor(image.pixel((sendX0 + sendX1) / 2, sendY)), QColor(user));
    QCOMPARE(QColor(image.pixel(sendX1 - 20, sendY)), QColor(user));
    // Only A's client lane has it: the lane above is empty there.
    QVERIFY(clientLane > 0);
    const int aboveY = origin.y() + canvas->rowY(clientLane - 1, 0) + 4;
    QVERIFY(QColor(image.pixel((sendX0 + sendX1) / 2 + 3, aboveY)) != QColor(user));
    QVERIFY(QColor(image.pixel((sendX0 + sendX1) / 2 + 3, aboveY)).lightness() > 200);
    // The libc wrapper's row under it: the libc colour.
    const int libcY = origin.y() + canvas->rowY(clientLane, 1) + canvas->rowHeight(clientLane, 1) / 2;
    const int libcX1 = origin.x() + int(canvas->pixelX(model.spanEnd(TimelineAxis::Time, libc)));
    QCOMPARE(QColor(image.pixel(libcX1 - 10, libcY + canvas->rowHeight(clientLane, 1) / 2 - 4)),
             QColor(layerColor(Layer::Libc)));

    // The cursor line at __libc_send's time, from the axis down (checked below the lanes' rows too).
    const int cursorX = origin.x() + int(std::lround(canvas->pixelX(model.xOf(TimelineAxis::Time, libc))));
    const QColor cursorColor = TimelineCanvas::cursorColor();
    auto nearCursor = [&](int y) {
        for (int dx = -1; dx <= 1; ++dx)
            if (QColor(image.pixel(cursorX + dx, y)) == cursorColor) return true;
        return false;
    };
    QVERIFY(nearCursor(origin.y() + canvas->axisHeight() + 3));
    QVERIFY(nearCursor(origin.y() + canvas->viewport()->height() - 3));
    QVERIFY(!nearCursor(origin.y() + canvas->axisHeight() / 2)); // not over the axis labels
    // The label column names the lane.
    QVERIFY(canvas->labelWidth() > 100);
    QCOMPARE(QColor(image.pixel(origin.x() + 2, sendY)), QColor(0xf2, 0xf2, 0xf2));

    // Event-order mode: O switches the axis; the cursor stays in view and the line is redrawn.
    QTest::keyClick(canvas, Qt::Key_O);
    QCOMPARE(canvas->axis(), TimelineAxis::EventOrder);
    QVERIFY(canvas->timelineViewport().contains(model.xOf(TimelineAxis::EventOrder, libc)));

    // A click on send()'s row moves the cursor to send().
    QTest::keyClick(canvas, Qt::Key_O);
    QCOMPARE(canvas->axis(), TimelineAxis::Time);
    canvas->setVisibleRange(t0 - (t1 - t0) / 2, t1 + (t1 - t0) / 2);
    const QPoint click(int(canvas->pixelX((t0 + t1) / 2)), canvas->rowY(clientLane, 0) + 3);
    QTest::mouseClick(canvas->viewport(), Qt::LeftButton, {}, click);
    QCOMPARE(cursor.index(), int(*send));
    QVERIFY(canvas->toolTipFor(canvas->hitAt(click)).startsWith(QStringLiteral("send()")));
    // Zoomed out to the whole trace, the deep calls fold: their tooltip says so.
    canvas->showAll();
    bool folded = false;
    for (int x = canvas->labelWidth(); x < canvas->viewport()->width() && !folded; ++x) {
        const TimelineHit hit = canvas->hitAt(QPoint(x, canvas->rowY(clientLane, 20) + 3));
        if (hit.kind == TimelineItem::Folded && hit.count > 1) {
            folded = true;
            QVERIFY(canvas->toolTipFor(hit).contains(QStringLiteral("folded")));
        }
    }
    QVERIFY(folded);
}

// Until the user zooms or pans, a cursor move frames the outermost call around the cursor (padded),
// so `--goto send#1` shows A's send() across the view instead of a sliver of a whole-trace view;
// once the user zooms, moving the cursor keeps the zoom.
void TestTimeline::autoFitFramesTheCursorsCall() {
    Cursor cursor;
    TimelineView view(&cursor);
    view.resize(1200, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    cursor.setDocument(m_sendWalk);
    TimelineCanvas* canvas = view.canvas();
    const TimelineViewport& vp = canvas->timelineViewport();
    const auto send = m_sendWalk->findFunctionEnter("send", 1);
    QVERIFY(send.has_value());
    const uint32_t exit = m_sendWalk->matching(*send);
    QVERIFY(exit != TraceDocument::kNone);
    QVERIFY(cursor.setIndex(int(*send)));
    const double x0 = canvas->model().xOf(TimelineAxis::Time, *send);
    const double x1 = canvas->model().xOf(TimelineAxis::Time, exit);
    QVERIFY(vp.contains(x0) && vp.contains(x1));
    QVERIFY2(vp.span() < (x1 - x0) * 1.5, qPrintable(QString::number(vp.span() / (x1 - x0))));
    // The user zooms out: from now on cursor moves keep the zoom.
    QTest::keyClick(canvas, Qt::Key_Minus);
    const double span = vp.span();
    QVERIFY(cursor.setIndex(int(m_sendWalk->eventCount() - 1)));
    QCOMPARE(vp.span(), span);
}

void TestTimeline::keyboardAndWheel() {
    Cursor cursor;
    TimelineView view(&cursor);
    view.resize(1200, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    cursor.setDocument(m_sendWalk);
    TimelineCanvas* canvas = view.canvas();
    const TimelineViewport& vp = canvas->timelineViewport();
    canvas->showAll(); // (autoFitFramesTheCursorsCall covers the view before the user takes over)
    const double full = vp.span();
    QCOMPARE(vp.x0(), canvas->model().dataMin(TimelineAxis::Time));
    QTest::keyClick(canvas, Qt::Key_Plus);
    QVERIFY(qAbs(vp.span() - full / 1.5) < 1e-6 * full);
    QTest::keyClick(canvas, Qt::Key_Plus);
    QTest::keyClick(canvas, Qt::Key_End);
    QCOMPARE(vp.x1(), canvas->model().dataMax(TimelineAxis::Time));
    const double x0 = vp.x0();
    QTest::keyClick(canvas, Qt::Key_Left);
    QVERIFY(vp.x0() < x0);
    QTest::keyClick(canvas, Qt::Key_Home);
    QCOMPARE(vp.x0(), canvas->model().dataMin(TimelineAxis::Time));
    QTest::keyClick(canvas, Qt::Key_Right);
    QVERIFY(vp.x0() > canvas->model().dataMin(TimelineAxis::Time));
    QTest::keyClick(canvas, Qt::Key_0);
    QCOMPARE(vp.span(), full);

    // Ctrl+wheel zooms around the mouse: the time under it stays under it.
    const QPointF at(canvas->labelWidth() + 300.0, 200.0);
    const double before = vp.toX(300);
    QWheelEvent wheel(at, canvas->viewport()->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton,
                      Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(canvas->viewport(), &wheel);
    QVERIFY(qAbs(vp.span() - full / 1.5625) < 1e-6 * full);
    QVERIFY(qAbs(vp.toX(300) - before) < 1e-6 * full);
    // A plain wheel scrolls the lanes.
    QWheelEvent scroll(at, canvas->viewport()->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton,
                       Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(canvas->viewport(), &scroll);
    QVERIFY(canvas->rowY(0, TimelineModel::kMarkerRow) < canvas->axisHeight());
    // Dragging pans: 100 px to the left shows later times.
    const double dragFrom = vp.x0();
    QTest::mousePress(canvas->viewport(), Qt::LeftButton, {}, QPoint(700, 300));
    QMouseEvent move(QEvent::MouseMove, QPointF(600, 300), canvas->viewport()->mapToGlobal(QPointF(600, 300)),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(canvas->viewport(), &move);
    QTest::mouseRelease(canvas->viewport(), Qt::LeftButton, {}, QPoint(600, 300));
    QVERIFY(qAbs(vp.x0() - (dragFrom + 100 * vp.unitsPerPixel())) < 1e-6 * full);

    // The cursor moving out of view brings the view along, zoom kept, its lane scrolled in.
    const double start = canvas->model().dataMin(TimelineAxis::Time);
    canvas->setVisibleRange(start, start + 1000);
    canvas->verticalScrollBar()->setValue(0);
    const auto last = uint32_t(m_sendWalk->eventCount() - 1);
    QVERIFY(!vp.contains(canvas->model().xOf(TimelineAxis::Time, last)));
    QVERIFY(cursor.setIndex(int(last)));
    QVERIFY(vp.contains(canvas->model().xOf(TimelineAxis::Time, last)));
    QCOMPARE(vp.span(), 1000.0);
    const int lane = canvas->model().laneOf(last), row = canvas->model().rowOf(last);
    QVERIFY(canvas->rowY(lane, row) >= canvas->axisHeight());
    QVERIFY(canvas->rowY(lane, row) + canvas->rowHeight(lane, row) <= canvas->viewport()->height());
}

void TestTimeline::flowArrowsOfPacket() {
    // The cursor on a frame on the wire: the packet's way is drawn as arrows, lane to lane.
    Cursor cursor;
    TimelineView view(&cursor);
    view.resize(1400, 1000);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    cursor.setDocument(m_sendWalk);
    TimelineCanvas* canvas = view.canvas();
    const TimelineModel& model = canvas->model();
    const auto send = m_sendWalk->findFunctionEnter("send", 1);
    QVERIFY(send);
    uint32_t wire = TimelineModel::kNone;
    for (uint32_t i = *send; i < m_sendWalk->eventCount() && wire == TimelineModel::kNone; ++i)
        if (m_sendWalk->event(i).kind == EventKind::Wire && m_sendWalk->event(i).flow != 0) wire = i;
    QVERIFY(wire != TimelineModel::kNone);
    const auto links = model.flowLinks(wire);
    QVERIFY(!links.empty());
    QVERIFY(cursor.setIndex(int(wire)));
    const double a = model.xOf(TimelineAxis::Time, links.front().from);
    const double b = model.xOf(TimelineAxis::Time, links.back().to);
    canvas->setVisibleRange(a - (b - a) / 10, b + (b - a) / 10);
    // Scroll so the wire's lane is in view; the arrow into it ends there.
    const QImage image = view.grab().toImage().convertToFormat(QImage::Format_RGB32);
    QVERIFY(image.save(QStringLiteral(UI_PNG_DIR "/tst_timeline_flow.png")));
    const QPoint origin = canvas->viewport()->mapTo(&view, QPoint(0, 0));
    // The arrow that reaches the wire event: flow-coloured pixels just left of the marker.
    int flowPixels = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = origin.x() + canvas->labelWidth(); x < image.width(); ++x)
            if (QColor(image.pixel(x, y)) == TimelineCanvas::flowColor()) ++flowPixels;
    QVERIFY2(flowPixels > 50, qPrintable(QString::number(flowPixels)));
    // Where an arrow ends on screen (the wire's lane is scrolled into view), its colour is there.
    for (const TimelineFlowLink& link : links) {
        if (link.to != wire) continue;
        const int lane = model.laneOf(wire);
        const int x = origin.x() + int(std::lround(canvas->pixelX(model.xOf(TimelineAxis::Time, wire))));
        const int y = origin.y() + canvas->rowY(lane, TimelineModel::kMarkerRow) +
                      canvas->rowHeight(lane, TimelineModel::kMarkerRow) / 2;
        bool found = false;
        for (int dx = -6; dx <= 6 && !found; ++dx)
            for (int dy = -8; dy <= 0 && !found; ++dy)
                found = QColor(image.pixel(x + dx, y + dy)) == TimelineCanvas::flowColor();
        QVERIFY2(found, "no arrow head at the wire event");
    }
}

QTEST_MAIN(TestTimeline)
#include "tst_timeline.moc"
