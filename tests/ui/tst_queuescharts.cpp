// Qt Test for the queues & rings panel and the charts panel, on real scenarios run through the lab
// (lessons/scenarios/send-walk.yaml and irq-coalescing.yaml): QueueState against a linear scan of
// the trace and against what TCP and the NIC must have done (all data acked, the e1000 ownership
// rule RDH..RDT / TDH..TDT belongs to the NIC), the ring geometry and markers, the series extractor
// against core's own queries (tcp_counter_series, nic_stats), the time -> event mapping of a click,
// and screenshots whose pixels are checked (slot colours, highlighted ring, cursor line at its x).
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QImage>
#include <QTest>

#include "core/trace/query_nic.h"
#include "core/trace/query_tcp.h"
#include "tests/ui/testtrace.h"
#include "ui/charts/chartspanel.h"
#include "ui/charts/seriesextractor.h"
#include "ui/cursor.h"
#include "ui/queuelayout.h"
#include "ui/queuestate.h"
#include "ui/queuesview.h"
#include "ui/scenariorunner.h"

using namespace skbscope;
using namespace skbscope::ui;

namespace {

TraceDocumentPtr runScenario(const char* name) {
    const std::string path = std::string(SKBSCOPE_SOURCE_DIR) + "/lessons/scenarios/" + name;
    Result<Trace> t = ScenarioRunner::run(path);
    if (!t.ok()) qFatal("%s: %s", path.c_str(), t.error().message.c_str());
    return TraceDocument::build(std::move(*t), name);
}

// The reference: the last Queue event of (kind, instance) at or before index, by a linear scan.
QueueValue scanQueue(const TraceDocument& doc, std::string_view kind, std::string_view instance, uint32_t index) {
    QueueValue v;
    const Trace& t = doc.trace();
    for (uint32_t i = 0; i <= index && i < doc.eventCount(); ++i) {
        const TraceEvent& e = doc.event(i);
        if (e.kind == EventKind::Queue && t.str(e.name) == kind && t.str(e.ref) == instance) {
            v.known = true;
            v.event = i;
            v.qlen = e.a[1];
            v.bytes = e.a[2];
        }
    }
    return v;
}

uint32_t scanLastAtOrBefore(const TraceDocument& doc, TimeNs t) {
    uint32_t best = TraceDocument::kNone;
    for (uint32_t i = 0; i < doc.eventCount(); ++i)
        if (doc.event(i).time <= t) best = i;
    return best;
}

bool near(QColor a, QColor b, int tol = 6) {
    return std::abs(a.red() - b.red()) <= tol && std::abs(a.green() - b.green()) <= tol &&
           std::abs(a.blue() - b.blue()) <= tol;
}

bool inCircular(int64_t i, int64_t from, int64_t to, int64_t n) {
    const int64_t used = ((to - from) % n + n) % n, off = ((i - from) % n + n) % n;
    return off < used;
}

QString pngPath(const QString& name) { return QDir(QStringLiteral(UI_PNG_DIR)).filePath(name); }

} // namespace

class TestQueuesCharts : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void queueStateMatchesScan_data();
    void queueStateMatchesScan();
    void queueStateTcpSemantics();
    void handBuiltAndEmptyTraces();
    void ringOwnershipFollowsRegisters();
    void ringTxCleanedAtEnd();
    void ringGeometry_data();
    void ringGeometry();
    void ringMarkersStack();
    void stepLineIsMonotone();
    void binnedCountsAndInterval();
    void cwndSeriesOfSocketA();
    void deviceSeriesMatchNicStats();
    void timeIndex_data();
    void timeIndex();
    void clickMovesCursor();
    void queuesScreenshot();
    void chartsScreenshot();

  private:
    TraceDocumentPtr m_walk, m_irq;
};

void TestQueuesCharts::initTestCase() {
    m_walk = runScenario("send-walk.yaml");
    m_irq = runScenario("irq-coalescing.yaml");
    QVERIFY(m_walk->eventCount() > 1000);
    QVERIFY(m_irq->eventCount() > 100000);
}

void TestQueuesCharts::queueStateMatchesScan_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("instance");
    QTest::addColumn<double>("where"); // fraction of the trace
    for (const char* q : {"tcp_rtx_queue", "sk_write_queue"})
        for (double w : {0.0, 0.55, 0.62, 0.68, 0.8, 0.97, 1.0})
            QTest::addRow("%s A:sock 3 @%.2f", q, w) << QString::fromLatin1(q) << QStringLiteral("A:sock 3") << w;
    for (double w : {0.7, 0.8, 0.9, 1.0})
        QTest::addRow("sk_receive_queue B:sock 4 @%.2f", w)
            << QStringLiteral("sk_receive_queue") << QStringLiteral("B:sock 4") << w;
}

void TestQueuesCharts::queueStateMatchesScan() {
    QFETCH(QString, kind);
    QFETCH(QString, instance);
    QFETCH(double, where);
    QueueState st;
    st.setDocument(m_walk);
    const int track = st.findQueue(kind.toStdString(), instance.toStdString());
    QVERIFY(track != QueueState::kNone);
    const uint32_t index = std::min(m_walk->eventCount() - 1, uint32_t(where * m_walk->eventCount()));
    // Every index around there, including the queue events themselves and their neighbours.
    for (uint32_t i = index >= 40 ? index - 40 : 0; i <= index; ++i) {
        const QueueValue a = st.queueAt(track, i), b = scanQueue(*m_walk, kind.toStdString(), instance.toStdString(), i);
        QCOMPARE(a.known, b.known);
        QCOMPARE(a.event, b.event);
        QCOMPARE(a.qlen, b.qlen);
        QCOMPARE(a.bytes, b.bytes);
        if (a.known && a.event == i) QCOMPARE(st.queueTouchedBy(i), track);
    }
}

void TestQueuesCharts::queueStateTcpSemantics() {
    QueueState st;
    st.setDocument(m_walk);
    const Trace& t = m_walk->trace();
    // Grouped by host: A, R and B all have queues (R: its poll list), each track on its context's host.
    QCOMPARE(int(st.hosts().size()), 3);
    for (size_t q = 0; q < st.queues().size(); ++q) {
        const QueueTrack& track = st.queues()[q];
        const TraceEvent& first = m_walk->event(track.samples.front().event);
        QCOMPARE(track.host, t.contexts[first.ctx].host);
        QVERIFY(std::is_sorted(track.samples.begin(), track.samples.end(),
                               [](const QueueSample& a, const QueueSample& b) { return a.event < b.event; }));
    }
    const uint32_t last = m_walk->eventCount() - 1;
    const int rtx = st.findQueue("tcp_rtx_queue", "A:sock 3");
    QVERIFY(rtx != QueueState::kNone);
    // 4000 bytes at MSS 1448: three segments, then the FIN: four sk_buffs waited for their ACKs.
    QCOMPARE(st.queues()[size_t(rtx)].maxQlen, int64_t(4));
    QCOMPARE(st.queueAt(rtx, last).qlen, int64_t(0)); // everything was acknowledged
    QCOMPARE(st.queueAt(rtx, last).bytes, int64_t(0));
    const int rcv = st.findQueue("sk_receive_queue", "B:sock 4");
    QVERIFY(rcv != QueueState::kNone);
    QCOMPARE(st.queueAt(rcv, last).qlen, int64_t(0)); // B read it all
    QVERIFY(st.queues()[size_t(rcv)].maxBytes > 0);
    // Before its first event a queue is unknown; a non-queue event touches no queue.
    QVERIFY(!st.queueAt(rtx, 0).known);
    QCOMPARE(st.queueTouchedBy(0), int(QueueState::kNone));
    QVERIFY(st.findQueue("poll_list", "R:softnet_data") != QueueState::kNone);
}

void TestQueuesCharts::handBuiltAndEmptyTraces() {
    // testtrace: one qdisc enqueue on A:eth0, no rings, no counters.
    TraceDocumentPtr doc = TraceDocument::build(test::makeTestTrace(), "test");
    QueueState st;
    st.setDocument(doc);
    QCOMPARE(int(st.queues().size()), 1);
    QVERIFY(st.rings().empty());
    const int q = st.findQueue("qdisc", "A:eth0");
    QCOMPARE(q, 0);
    QVERIFY(!st.queueAt(q, test::QdiscEnqueueEv - 1).known);
    QVERIFY(st.queueAt(q, test::QdiscEnqueueEv).known);
    QCOMPARE(st.queueAt(q, test::QdiscEnqueueEv).qlen, int64_t(1));
    QCOMPARE(st.queueTouchedBy(test::QdiscEnqueueEv), q);
    QCOMPARE(st.queueTouchedBy(test::QdiscEnqueueEv + 1), int(QueueState::kNone));
    QCOMPARE(st.ringAt(0, 0).descStates.size(), size_t(0)); // no such ring: an empty value
    QVERIFY(SeriesExtractor::sources(*doc).empty());

    // Both panels on an empty trace, on the hand-built one, and with no document at all.
    TraceDocumentPtr empty = TraceDocument::build(Trace{}, "empty");
    Cursor cursor;
    QueuesView queues(&cursor);
    ChartsPanel charts(&cursor);
    queues.resize(600, 400);
    charts.resize(600, 400);
    for (const TraceDocumentPtr& d : {empty, doc, TraceDocumentPtr()}) {
        cursor.setDocument(d);
        QVERIFY(!queues.grab().isNull());
        QVERIFY(!charts.grab().isNull());
        QVERIFY(charts.chartViews().empty());
        QVERIFY(!charts.moveCursorToTime(1.0) || d == doc);
    }
}

void TestQueuesCharts::ringOwnershipFollowsRegisters() {
    // e1000: the descriptors from head up to tail (exclusive) belong to the NIC (posted, being
    // fetched or processed); the others are never posted or fetched (empty, written back, cleaned).
    // Checked at every device Ring event of B's RX ring (the burst) and A's TX ring, in both scenarios.
    struct Case {
        TraceDocumentPtr doc;
        const char* ring;
        const char* dev;
    };
    for (const Case& c : {Case{m_irq, "rx_ring", "B:eth0"}, Case{m_irq, "tx_ring", "A:eth0"},
                          Case{m_walk, "rx_ring", "B:eth0"}, Case{m_walk, "tx_ring", "A:eth0"}}) {
        const TraceDocumentPtr& doc = c.doc;
        QueueState st;
        st.setDocument(doc);
        const int r = st.findRing(c.ring, c.dev);
        QVERIFY2(r != QueueState::kNone, c.ring);
        const RingTrack& track = st.rings()[size_t(r)];
        QCOMPARE(track.count, 256u);
        QVERIFY(track.deviceEvents.size() > (doc == m_irq ? 50u : 5u));
        int maxWrittenBack = 0;
        for (uint32_t i : track.deviceEvents) {
            const RingValue v = st.ringAt(r, i);
            QCOMPARE(v.deviceEvent, i);
            QCOMPARE(int(v.descStates.size()), 256);
            QCOMPARE(v.head, doc->event(i).a[2]);
            QCOMPARE(v.tail, doc->event(i).a[3]);
            for (int s = 0; s < 256; ++s) {
                const SlotState state = v.descStates[size_t(s)];
                // Processed may also lie behind head: a packet's first descriptors get no DD.
                const bool inNics = inCircular(s, v.head, v.tail, 256);
                const bool ok = inNics ? (state == SlotState::Posted || state == SlotState::Fetched ||
                                          state == SlotState::Processed)
                                       : (state != SlotState::Posted && state != SlotState::Fetched);
                if (!ok)
                    QFAIL(qPrintable(QStringLiteral("%1 %2 at event %3: slot %4 is %5 with head %6 tail %7")
                                         .arg(c.ring, c.dev)
                                         .arg(i)
                                         .arg(s)
                                         .arg(slotStateName(state))
                                         .arg(v.head)
                                         .arg(v.tail)));
            }
            maxWrittenBack = std::max(maxWrittenBack, v.stateCount(SlotState::WrittenBack));
            QCOMPARE(st.ringTouchedBy(i), r);
        }
        // Coalescing: several frames are written back before the driver's poll cleans them.
        if (doc == m_irq && QByteArray(c.ring) == "rx_ring") QVERIFY(maxWrittenBack >= 5);
    }
}

void TestQueuesCharts::ringTxCleanedAtEnd() {
    QueueState st;
    st.setDocument(m_walk);
    const int r = st.findRing("tx_ring", "A:eth0");
    QVERIFY(r != QueueState::kNone);
    const RingValue v = st.ringAt(r, m_walk->eventCount() - 1);
    // Every frame A sent used one descriptor, the NIC wrote each back, the driver cleaned them all.
    int writebacks = 0;
    const Trace& t = m_walk->trace();
    const HostId a = HostId(std::find(t.hosts.begin(), t.hosts.end(), "A") - t.hosts.begin());
    QVERIFY(a < t.hosts.size());
    for (const TraceEvent& e : t.events)
        if (e.kind == EventKind::FuncEnter && t.str(e.name) == "nic_tx_writeback" && t.contexts[e.ctx].host == a)
            ++writebacks;
    QVERIFY(writebacks > 0);
    QCOMPARE(v.nextToUse, v.nextToClean);
    QCOMPARE(v.head, v.tail);
    QCOMPARE(v.head, v.nextToUse);
    // The device's own record: DD written back on one descriptor per packet (the one with RS).
    const TraceEvent& dev = m_walk->event(v.deviceEvent);
    const auto raw = t.blob(dev.ref2);
    QCOMPARE(int(std::count(raw.begin(), raw.end(), uint8_t(SlotState::WrittenBack))), writebacks);
    // The ring never wrapped: slots 0..next_to_use-1 were used, and the driver reclaimed them all.
    QVERIFY(v.nextToUse > 0 && v.nextToUse < 256);
    QVERIFY(v.nextToUse >= writebacks);
    QCOMPARE(v.stateCount(SlotState::WrittenBack), 0);
    QCOMPARE(v.stateCount(SlotState::Processed), 0);
    QCOMPARE(v.stateCount(SlotState::Cleaned), int(v.nextToUse));
    QCOMPARE(v.stateCount(SlotState::Empty), 256 - int(v.nextToUse));
    for (int s = 0; s < int(v.nextToUse); ++s)
        QCOMPARE(v.descStates[size_t(s)], SlotState::Cleaned);
}

void TestQueuesCharts::ringGeometry_data() {
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("slot");
    QTest::addColumn<double>("midDeg");
    QTest::newRow("4 slots, first: upper right") << 4 << 0 << 45.0;
    QTest::newRow("4 slots, second: lower right") << 4 << 1 << -45.0;
    QTest::newRow("4 slots, last: upper left") << 4 << 3 << -225.0;
    QTest::newRow("256 slots, first") << 256 << 0 << 90.0 - 360.0 / 512;
    QTest::newRow("256 slots, half way: six o'clock") << 256 << 128 << -90.0 - 360.0 / 512;
    QTest::newRow("256 slots, last") << 256 << 255 << 90.0 - 255.5 * 360.0 / 256;
}

void TestQueuesCharts::ringGeometry() {
    QFETCH(int, count);
    QFETCH(int, slot);
    QFETCH(double, midDeg);
    RingGeometry g;
    g.center = QPointF(150, 160);
    g.count = count;
    QCOMPARE(g.slotMidDeg(slot), midDeg);
    QCOMPARE(g.slotAt(g.slotCenter(slot)), slot);
    QCOMPARE(g.slotAt(g.center), -1);                            // the hole
    QCOMPARE(g.slotAt(g.center + QPointF(g.outerRadius + 2, 0)), -1); // outside
    // Clockwise from twelve o'clock: slot 0's centre is right of the top, above the centre.
    if (slot == 0) {
        QVERIFY(g.slotCenter(0).x() > g.center.x());
        QVERIFY(g.slotCenter(0).y() < g.center.y());
    }
}

void TestQueuesCharts::ringMarkersStack() {
    RingGeometry g;
    g.center = QPointF(100, 100);
    g.count = 256;
    RingValue v;
    v.nextToUse = 10;
    v.nextToClean = 10;
    v.head = 8;
    v.tail = 10;
    const std::vector<RingMarker> tx = ringMarkers(g, v, true);
    QCOMPARE(int(tx.size()), 3);
    QCOMPARE(tx[0].text, QStringLiteral("TDH 8")); // inside first (map order), then TDT, then outside
    QVERIFY(!tx[0].outside);
    QCOMPARE(tx[1].text, QStringLiteral("TDT 10"));
    QVERIFY(tx[1].level >= 1); // two slots from TDH: moved further in
    QCOMPARE(tx[2].text, QStringLiteral("ntu/ntc 10"));
    QVERIFY(tx[2].outside);
    QCOMPARE(tx[2].level, 0);
    for (size_t i = 0; i < tx.size(); ++i) // no two labels overlap
        for (size_t j = i + 1; j < tx.size(); ++j)
            QVERIFY(!markerLabelRect(tx[i].textAnchor, tx[i].text).intersects(markerLabelRect(tx[j].textAnchor, tx[j].text)));
    QVERIFY(QLineF(g.center, tx[1].textAnchor).length() < QLineF(g.center, tx[0].textAnchor).length());
    // The arrow tips touch the band: outside markers at the outer radius, inside at the inner one.
    QCOMPARE(qRound(QLineF(g.center, tx[2].tip).length()), qRound(g.outerRadius + 1));
    QCOMPARE(qRound(QLineF(g.center, tx[0].tip).length()), qRound(g.innerRadius - 1));
    v.head = 100;
    const std::vector<RingMarker> rx = ringMarkers(g, v, false);
    QCOMPARE(rx[0].text, QStringLiteral("RDT 10"));
    QCOMPARE(rx[0].level, 0);
    QCOMPARE(rx[1].text, QStringLiteral("RDH 100"));
    QCOMPARE(rx[1].level, 0); // far apart: no stacking
    v.nextToUse = -1;
    v.nextToClean = -1;
    QCOMPARE(int(ringMarkers(g, v, false).size()), 2); // no driver event yet: no driver marker
}

void TestQueuesCharts::stepLineIsMonotone() {
    // Values 1 at 100 ns, 3 at 90 ns (a context whose clock ran ahead), 3 at 200 ns, 2 at 300 ns.
    const QList<QPointF> s = SeriesExtractor::stepLine({{100, 1}, {90, 3}, {200, 3}, {300, 2}}, 0.0005);
    const QList<QPointF> expected{{0.0001, 1}, {0.0001, 3}, {0.0003, 3}, {0.0003, 2}, {0.0005, 2}};
    QCOMPARE(s.size(), expected.size());
    for (int i = 0; i < s.size(); ++i) {
        QCOMPARE(s[i].x(), expected[i].x());
        QCOMPARE(s[i].y(), expected[i].y());
    }
    QVERIFY(SeriesExtractor::stepLine({}, 1.0).isEmpty());
}

void TestQueuesCharts::binnedCountsAndInterval() {
    const QList<QPointF> b = SeriesExtractor::binnedCounts({1000, 1500, 2999, 3000, 9000}, 1000, 4000, 1000);
    QCOMPARE(b.size(), 6); // three bins, two points each
    QCOMPARE(b[0], QPointF(0.001, 2));
    QCOMPARE(b[1], QPointF(0.002, 2));
    QCOMPARE(b[2].y(), 1.0);
    QCOMPARE(b[4].y(), 1.0); // 3000 is in the third bin; 9000 is outside
    QCOMPARE(SeriesExtractor::niceInterval(10'000'000, 60), TimeNs(200'000));
    QCOMPARE(SeriesExtractor::niceInterval(1'000, 60), TimeNs(1'000));
    QCOMPARE(SeriesExtractor::niceInterval(450'000, 60), TimeNs(10'000));
}

void TestQueuesCharts::cwndSeriesOfSocketA() {
    const std::vector<ChartSource> sources = SeriesExtractor::sources(*m_walk);
    auto it = std::find_if(sources.begin(), sources.end(), [](const ChartSource& s) { return s.owner == "A:sock 3"; });
    QVERIFY(it != sources.end());
    QCOMPARE(it->kind, ChartSource::Socket);
    QVERIFY(std::any_of(sources.begin(), sources.end(), [](const ChartSource& s) {
        return s.owner == "B:eth0" && s.kind == ChartSource::Device;
    }));
    const ChartSet set = SeriesExtractor::extract(*m_walk, *it);
    QCOMPARE(int(set.charts.size()), 4);
    QVERIFY(set.beginMs < set.endMs);
    const ChartSeries& cwnd = set.charts[0].series[0];
    QCOMPARE(cwnd.name, QStringLiteral("cwnd"));
    QVERIFY(!cwnd.points.isEmpty());
    // LINUX: TCP_INIT_CWND, ten segments (RFC 6928).
    QCOMPARE(cwnd.points.first().y(), 10.0);
    // The same as core's query (what `skbscope-cli tcp` prints).
    Result<CounterSeries> q = tcp_counter_series(m_walk->trace(), "A", 3);
    QVERIFY(q.ok());
    const size_t col = size_t(std::find(q->names.begin(), q->names.end(), "cwnd") - q->names.begin());
    QVERIFY(col < q->names.size());
    QCOMPARE(double(*q->rows.front().values[col]), cwnd.points.first().y());
    QCOMPARE(cwnd.points.first().x(), double(q->rows.front().time) / 1e6);
    QCOMPARE(cwnd.points, SeriesExtractor::counterSeries(*m_walk, "A:sock 3", "cwnd", set.endMs));
    for (const ChartData& chart : set.charts)
        for (const ChartSeries& s : chart.series)
            for (int i = 1; i < s.points.size(); ++i)
                QVERIFY2(s.points[i].x() >= s.points[i - 1].x(), qPrintable(s.name));
    // ssthresh stays "infinite" in a 4000-byte transfer: nothing plotted, not 2^31.
    QCOMPARE(set.charts[0].series[1].name, QStringLiteral("ssthresh (infinite)"));
    QVERIFY(set.charts[0].series[1].points.isEmpty());
    QVERIFY(set.charts[0].maxValue() < 1000);
    // srtt in us on the left axis, its last value the last srtt_us; rto in ms on the right axis,
    // 1 s before the first RTT sample (TCP_TIMEOUT_INIT), then at least TCP_RTO_MIN (200 ms).
    const size_t srttCol = size_t(std::find(q->names.begin(), q->names.end(), "srtt_us") - q->names.begin());
    QVERIFY(srttCol < q->names.size());
    QCOMPARE(set.charts[1].series[0].points.last().y(), double(*q->rows.back().values[srttCol]));
    QVERIFY(!set.charts[1].series[0].rightAxis);
    const ChartSeries& rto = set.charts[1].series[1];
    QVERIFY(rto.rightAxis);
    QCOMPARE(rto.points.first().y(), 1000.0);
    QCOMPARE(rto.points.last().y(), 200.0);
}

void TestQueuesCharts::deviceSeriesMatchNicStats() {
    const ChartSource b{ChartSource::Device, "B:eth0", QStringLiteral("B:eth0")};
    const ChartSet set = SeriesExtractor::extract(*m_irq, b);
    QCOMPARE(int(set.charts.size()), 3);
    QCOMPARE(set.charts[0].title, QStringLiteral("Queue depths")); // B's poll list: its NAPI waits there
    QCOMPARE(set.charts[0].series[0].name, QStringLiteral("B:softnet_data poll_list"));
    QCOMPARE(set.charts[0].maxValue(), 1.0);
    const ChartData& irq = set.charts[2];
    Result<NicStats> stats = nic_stats(m_irq->trace(), "B", "eth0");
    QVERIFY(stats.ok());
    double interrupts = 0;
    for (int i = 0; i < irq.series[0].points.size(); i += 2)
        interrupts += irq.series[0].points[i].y();
    QCOMPARE(uint64_t(interrupts), stats->interrupts);
    double packets = 0;
    for (const QPointF& p : irq.series[1].points)
        packets += p.y();
    QCOMPARE(uint64_t(irq.series[1].points.size()), stats->polls);
    QCOMPARE(uint64_t(packets), stats->poll_packets);
    // ITR holds the interrupt: about a dozen frames per poll, far more than one.
    QVERIFY(stats->packets_per_poll() > 5);
    // RX ring: the driver keeps it full of buffers, count - 1 at most (head == tail means empty).
    const ChartData& rings = set.charts[1];
    auto rx = std::find_if(rings.series.begin(), rings.series.end(),
                           [](const ChartSeries& s) { return s.name == QStringLiteral("rx_ring"); });
    QVERIFY(rx != rings.series.end());
    double rxMax = 0;
    for (const QPointF& p : rx->points)
        rxMax = std::max(rxMax, p.y());
    QCOMPARE(rxMax, 255.0);
}

void TestQueuesCharts::timeIndex_data() {
    QTest::addColumn<int>("probe");
    for (int p : {0, 1, 2, 3, 5, 8, 13, 20, 50, 100})
        QTest::addRow("probe %d", p) << p;
}

void TestQueuesCharts::timeIndex() {
    QFETCH(int, probe);
    // The hand-built trace interleaves contexts (times not monotone in event order) and send-walk's.
    TraceDocumentPtr small = TraceDocument::build(test::makeTestTrace(), "test");
    for (const TraceDocumentPtr& doc : {small, m_walk}) {
        TimeIndex ti;
        ti.build(*doc);
        const uint32_t i = std::min(doc->eventCount() - 1, uint32_t(probe) * doc->eventCount() / 100);
        const TimeNs t = doc->event(i).time;
        for (TimeNs probeTime : {t, t + 1, t > 0 ? t - 1 : 0})
            QCOMPARE(ti.lastAtOrBefore(probeTime), scanLastAtOrBefore(*doc, probeTime));
    }
    TimeIndex ti;
    ti.build(*m_walk);
    QCOMPARE(ti.lastAtOrBefore(~TimeNs(0)), m_walk->eventCount() - 1);
}

void TestQueuesCharts::clickMovesCursor() {
    Cursor cursor;
    ChartsPanel panel(&cursor);
    cursor.setDocument(m_walk);
    panel.resize(900, 1100);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(panel.sources().front().owner, std::string("A:sock 3"));
    QVERIFY(!panel.chartViews().empty());
    QChartView* view = panel.chartViews().front();
    const ChartSet& set = panel.chartSet();
    const double target = set.beginMs + 0.4 * (set.endMs - set.beginMs);
    const QPoint pos = ChartsPanel::positionOfTime(view, target);
    QVERIFY(view->viewport()->rect().contains(pos));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, pos);
    const double clicked = ChartsPanel::timeAtPosition(view, pos);
    QVERIFY(std::abs(clicked - target) < (set.endMs - set.beginMs) / 100); // within a pixel or so
    QVERIFY(panel.grab().save(pngPath(QStringLiteral("tst_queuescharts_charts_socket.png"))));
    const uint32_t expected = scanLastAtOrBefore(*m_walk, TimeNs(std::llround(clicked * 1e6)));
    QCOMPARE(cursor.index(), int(expected));
    QVERIFY(m_walk->event(uint32_t(cursor.index())).time <= TimeNs(std::llround(clicked * 1e6)));
    // A click left of the plot area (on the axis labels) does not move the cursor.
    cursor.setIndex(0);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, QPoint(2, pos.y()));
    QCOMPARE(cursor.index(), 0);
}

void TestQueuesCharts::queuesScreenshot() {
    // B's RX ring in the burst: the first device event with several descriptors written back.
    QueueState st;
    st.setDocument(m_irq);
    const int r = st.findRing("rx_ring", "B:eth0");
    QVERIFY(r != QueueState::kNone);
    uint32_t at = TraceDocument::kNone;
    const RingTrack& track = st.rings()[size_t(r)];
    for (uint32_t i : track.deviceEvents)
        if (st.ringAt(r, i).stateCount(SlotState::WrittenBack) >= 8) {
            at = i;
            break;
        }
    QVERIFY(at != TraceDocument::kNone);

    Cursor cursor;
    QueuesView view(&cursor);
    QCOMPARE(view.objectName(), QStringLiteral("queuesPanel"));
    view.resize(1000, 800);
    cursor.setDocument(m_irq);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(cursor.setIndex(int(at)));
    QCOMPARE(view.touchedRing(), r);
    const QImage image = view.canvas()->grab().toImage();
    QVERIFY(image.save(pngPath(QStringLiteral("tst_queuescharts_queues.png"))));
    view.grab().save(pngPath(QStringLiteral("tst_queuescharts_queues_panel.png")));

    const RingBox* box = view.layout().ringBox(r);
    QVERIFY(box);
    const RingValue& v = view.ringValues()[size_t(r)];
    // Each run of five or more equal slots shows its state's colour in its middle slot.
    QSet<int> statesSeen;
    for (int i = 0; i < 256;) {
        int j = i + 1;
        while (j < 256 && v.descStates[size_t(j)] == v.descStates[size_t(i)])
            ++j;
        if (j - i >= 5) {
            const int mid = (i + j) / 2;
            const QPoint p = box->geometry.slotCenter(mid).toPoint();
            const QColor got = image.pixelColor(p), want = slotColor(v.descStates[size_t(mid)]);
            QVERIFY2(near(got, want), qPrintable(QStringLiteral("slot %1 (%2) at %3,%4 is %5, want %6")
                                                     .arg(mid)
                                                     .arg(slotStateName(v.descStates[size_t(mid)]))
                                                     .arg(p.x())
                                                     .arg(p.y())
                                                     .arg(got.name(), want.name())));
            statesSeen.insert(int(v.descStates[size_t(mid)]));
        }
        i = j;
    }
    QVERIFY(statesSeen.contains(int(SlotState::Posted)));
    QVERIFY(statesSeen.contains(int(SlotState::WrittenBack)));
    // The touched ring's box is framed in orange; the hole of the ring is white.
    const QColor frame = image.pixelColor(QPointF(box->rect.center().x(), box->rect.top()).toPoint());
    QVERIFY2(frame.red() > 200 && frame.green() > 120 && frame.green() < 190 && frame.blue() < 60,
             qPrintable(frame.name()));
    // The register labels are drawn: dark red text pixels near the RDH marker's label.
    const std::vector<RingMarker> markers = ringMarkers(box->geometry, v, false);
    auto rdh = std::find_if(markers.begin(), markers.end(),
                            [](const RingMarker& m) { return m.text.startsWith(QStringLiteral("RDH")); });
    QVERIFY(rdh != markers.end());
    int redText = 0;
    for (int dx = -20; dx <= 20; ++dx)
        for (int dy = -6; dy <= 6; ++dy) {
            const QColor c = image.pixelColor(rdh->textAnchor.toPoint() + QPoint(dx, dy));
            if (c.red() > 120 && c.green() < 90 && c.blue() < 100) ++redText;
        }
    QVERIFY2(redText > 5, qPrintable(QString::number(redText)));

    // On a queue event, its row is highlighted.
    const int rcv = st.findQueue("sk_receive_queue", "B:sock 3");
    QVERIFY(rcv != QueueState::kNone);
    QVERIFY(cursor.setIndex(int(st.queues()[size_t(rcv)].samples[10].event)));
    QCOMPARE(view.touchedQueue(), rcv);
    QCOMPARE(view.touchedRing(), int(QueueState::kNone));
    const QImage image2 = view.canvas()->grab().toImage();
    const QueueRowBox* row = view.layout().queueBox(rcv);
    QVERIFY(row);
    QVERIFY(image2.save(pngPath(QStringLiteral("tst_queuescharts_queues_touched.png"))));
    QVERIFY(near(image2.pixelColor(QPointF(row->rect.left() + 2, row->rect.center().y()).toPoint()),
                 highlightColor()));
    const QueueRowBox* other = view.layout().queueBox(st.findQueue("qdisc", "A:eth0"));
    QVERIFY(other);
    QVERIFY(near(image2.pixelColor(QPointF(other->rect.left() + 2, other->rect.center().y()).toPoint()), Qt::white));
    // Its bar is filled in proportion to qlen: blue at its start when something is queued.
    const QueueValue qv = view.queueValues()[size_t(rcv)];
    if (qv.qlen > 0)
        QVERIFY(near(image2.pixelColor(QPointF(row->barRect.left() + 1, row->barRect.center().y()).toPoint()),
                     queueBarColor()));

    // send-walk at its end: A's TX descriptors 0..next_to_use-1 are drawn as cleaned, the rest empty.
    cursor.setDocument(m_walk);
    QVERIFY(cursor.setIndex(int(m_walk->eventCount() - 1)));
    const QImage image3 = view.canvas()->grab().toImage();
    QVERIFY(image3.save(pngPath(QStringLiteral("tst_queuescharts_queues_walk.png"))));
    const int tx = view.state().findRing("tx_ring", "A:eth0");
    const RingBox* txBox = view.layout().ringBox(tx);
    QVERIFY(txBox);
    const RingValue& tv = view.ringValues()[size_t(tx)];
    QVERIFY(tv.nextToUse >= 5);
    QVERIFY(near(image3.pixelColor(txBox->geometry.slotCenter(int(tv.nextToUse) / 2).toPoint()),
                 slotColor(SlotState::Cleaned)));
    QVERIFY(near(image3.pixelColor(txBox->geometry.slotCenter(128).toPoint()), slotColor(SlotState::Empty)));
}

void TestQueuesCharts::chartsScreenshot() {
    Cursor cursor;
    ChartsPanel panel(&cursor);
    QCOMPARE(panel.objectName(), QStringLiteral("chartsPanel"));
    cursor.setDocument(m_irq);
    panel.resize(900, 1000);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    // B's device: the combo offers it; choose it.
    int row = -1;
    for (size_t i = 0; i < panel.sources().size(); ++i)
        if (panel.sources()[i].owner == "B:eth0") row = int(i);
    QVERIFY(row >= 0);
    panel.sourceCombo()->setCurrentIndex(row);
    QCOMPARE(int(panel.chartViews().size()), 3);
    // The cursor in the middle of the burst.
    const ChartSet& set = panel.chartSet();
    const uint32_t at = panel.timeIndex().lastAtOrBefore(TimeNs((set.beginMs + set.endMs) / 2 * 1e6));
    QVERIFY(cursor.setIndex(int(at)));
    QTest::qWait(50);
    const QImage image = panel.grab().toImage();
    QVERIFY(image.save(pngPath(QStringLiteral("tst_queuescharts_charts.png"))));
    const double ms = double(m_irq->event(at).time) / 1e6;
    for (QChartView* view : panel.chartViews()) {
        const QPoint inView = ChartsPanel::positionOfTime(view, ms);
        const QPoint p = view->viewport()->mapTo(&panel, inView);
        // The cursor line: red at its x (a pixel either side for antialiasing), not 40 px away.
        bool red = false;
        for (int dx = -1; dx <= 1 && !red; ++dx)
            red = near(image.pixelColor(p + QPoint(dx, 0)), ChartsPanel::cursorColor(), 40);
        QVERIFY2(red, qPrintable(QStringLiteral("no cursor line at %1,%2 in %3").arg(p.x()).arg(p.y()).arg(view->objectName())));
        bool redAway = false;
        for (int dx = -1; dx <= 1; ++dx)
            redAway |= near(image.pixelColor(p + QPoint(40 + dx, 0)), ChartsPanel::cursorColor(), 40);
        QVERIFY(!redAway);
    }
}

QTEST_MAIN(TestQueuesCharts)
#include "tst_queuescharts.moc"
