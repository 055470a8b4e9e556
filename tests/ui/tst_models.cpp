// Qt Test for the ui's read-only models and the cursor, on the hand-built trace of testtrace.h:
// EventTableModel and CallStackModel under QAbstractItemModelTester, cell texts (drop reason,
// pointer moves, queue), the stepping semantics (into/over/out/back, next/previous of a packet),
// event specs, the loader off the GUI thread, and a 1M-event trace staying fast.
#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/trace/trace_file.h"
#include "tests/ui/testtrace.h"
#include "ui/callstackmodel.h"
#include "ui/cursor.h"
#include "ui/documentloader.h"
#include "ui/eventtext.h"
#include "ui/eventtablemodel.h"
#include "ui/tracedocument.h"

using namespace skbscope;
using namespace skbscope::ui;
using namespace skbscope::test;

class TestModels : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void documentIndexes();
    void eventTableCells();
    void callStackModel();
    void stepInto_data();
    void stepInto();
    void stepOver_data();
    void stepOver();
    void stepOut_data();
    void stepOut();
    void stepBackAndPacket();
    void eventSpecs();
    void loaderBuildsOffThread();
    void loaderReportsBadFile();
    void bigTraceIsLazy();

  private:
    QString cell(int row, int column) const;
    TraceDocumentPtr m_doc;
    EventTableModel m_model;
};

void TestModels::initTestCase() {
    m_doc = TraceDocument::build(makeTestTrace(), "test");
    QCOMPARE(m_doc->eventCount(), uint32_t(EventCount));
    new QAbstractItemModelTester(&m_model, QAbstractItemModelTester::FailureReportingMode::QtTest, this);
    m_model.setDocument(m_doc);
}

QString TestModels::cell(int row, int column) const {
    return m_model.data(m_model.index(row, column)).toString();
}

void TestModels::documentIndexes() {
    QCOMPARE(m_doc->matching(UdpSendmsgEnter), uint32_t(UdpSendmsgExit));
    QCOMPARE(m_doc->matching(IpRcvExit), uint32_t(IpRcvEnter));
    QCOMPARE(m_doc->parent(SkbPushEv), uint32_t(IpSendSkbEnter));
    QCOMPARE(m_doc->parent(BNote), uint32_t(IpRcvEnter));
    QCOMPARE(m_doc->parent(SendtoEnter), TraceDocument::kNone);
    QCOMPARE(m_doc->nextInContext(SkbPutEv), uint32_t(IpSendSkbEnter)); // B's events are skipped
    QCOMPARE(m_doc->nextInFlow(SkbPutEv), uint32_t(IpSendSkbEnter));
    QCOMPARE(m_doc->callStack(SkbPushEv),
             (std::vector<uint32_t>{IpSendSkbEnter, UdpSendmsgEnter, LibcEnter, SendtoEnter}));
    QCOMPARE(m_doc->callStack(NetTxExit), (std::vector<uint32_t>{NetTxEnter}));
}

void TestModels::eventTableCells() {
    QCOMPARE(m_model.rowCount(), int(EventCount));
    QCOMPARE(m_model.columnCount(), int(EventTableModel::ColumnCount));
    QCOMPARE(cell(SendtoEnter, EventTableModel::Seq), QStringLiteral("0"));
    QCOMPARE(formatTimeUs(12345), QStringLiteral("12.345"));
    QCOMPARE(formatTimeUs(5), QStringLiteral("0.005"));
    QCOMPARE(formatTimeUs(3000000), QStringLiteral("3000.000"));
    QCOMPARE(cell(SendtoExit, EventTableModel::Time), formatTimeUs(m_doc->event(SendtoExit).time));
    QVERIFY(m_doc->event(SendtoExit).time > 0); // the calls' modelled costs
    QCOMPARE(cell(SendtoEnter, EventTableModel::Host), QStringLiteral("A"));
    QCOMPARE(cell(SendtoEnter, EventTableModel::Context), QStringLiteral("sender (pid 100)"));
    QCOMPARE(cell(SendtoEnter, EventTableModel::Layer), QStringLiteral("user"));
    QCOMPARE(cell(IpRcvEnter, EventTableModel::Host), QStringLiteral("B"));
    QCOMPARE(cell(IpRcvEnter, EventTableModel::Name), QStringLiteral("  → ip_rcv"));
    QCOMPARE(cell(IpRcvExit, EventTableModel::Name), QStringLiteral("  ← ip_rcv"));
    QCOMPARE(cell(UdpSendmsgExit, EventTableModel::Details), QStringLiteral("returns -111"));
    QCOMPARE(cell(BNote, EventTableModel::Details), QStringLiteral("B is busy receiving something else."));

    // Drops say why, with Linux's name.
    QVERIFY2(cell(SkbDropEv, EventTableModel::Details).contains(QStringLiteral("NO_SOCKET")),
             qPrintable(cell(SkbDropEv, EventTableModel::Details)));
    QCOMPARE(cell(SkbDropEv, EventTableModel::Kind), QStringLiteral("skb_free"));
    QVERIFY(m_model.data(m_model.index(SkbDropEv, EventTableModel::Details), Qt::ForegroundRole).isValid());
    QVERIFY(m_model.data(m_model.index(SkbDropEv, 0), Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("no socket is bound")));

    // skb_reserve 64 then skb_put 8 then skb_push 20: data = head + 44, len = 28.
    QCOMPARE(cell(SkbPushEv, EventTableModel::Details),
             QStringLiteral("skb_push 20 -> data=0xffff88810000002c, len=28"));
    QCOMPARE(cell(SkbPushEv, EventTableModel::Skb), QStringLiteral("skb 1"));
    QCOMPARE(cell(SkbPushEv, EventTableModel::Packet), QStringLiteral("#1"));
    QCOMPARE(cell(SkbAllocEv, EventTableModel::Packet), QString());
    QCOMPARE(cell(QdiscEnqueueEv, EventTableModel::Details),
             QStringLiteral("enqueue qdisc A:eth0 qlen=1 bytes=28"));
    QCOMPARE(m_model.data(m_model.index(7, 0), EventTableModel::EventIndexRole).toInt(), 7);
    QCOMPARE(m_model.headerData(EventTableModel::Details, Qt::Horizontal).toString(),
             QStringLiteral("Details"));
}

void TestModels::callStackModel() {
    CallStackModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setDocument(m_doc);
    model.setCurrentEvent(SkbPushEv);
    QCOMPARE(model.rowCount(), 4);
    auto text = [&](int row, int column) { return model.data(model.index(row, column)).toString(); };
    QCOMPARE(text(0, CallStackModel::Function), QStringLiteral("ip_send_skb"));
    QCOMPARE(text(0, CallStackModel::Layer), QStringLiteral("ipv4"));
    QCOMPARE(text(0, CallStackModel::SourceFile), QStringLiteral("net/ipv4/ip_output.c"));
    QCOMPARE(text(3, CallStackModel::Function), QStringLiteral("sendto"));
    QVERIFY(!model.data(model.index(0, 0), Qt::ToolTipRole).toString().isEmpty());
    QCOMPARE(model.data(model.index(1, 0), CallStackModel::EventIndexRole).toInt(), int(UdpSendmsgEnter));

    model.setCurrentEvent(BNote); // another host's context: its own stack
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(text(0, CallStackModel::Function), QStringLiteral("ip_rcv"));
    QCOMPARE(text(1, CallStackModel::Function), QStringLiteral("net_rx_action"));
    model.setCurrentEvent(-1);
    QCOMPARE(model.rowCount(), 0);
    model.setDocument(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

namespace {
// Runs one step from `from`; returns where the cursor is and whether it moved.
template <typename Step> std::pair<int, bool> stepFrom(const TraceDocumentPtr& doc, int from, Step step) {
    Cursor cursor;
    cursor.setDocument(doc);
    cursor.setIndex(from);
    QSignalSpy spy(&cursor, &Cursor::cursorMoved);
    const bool moved = (cursor.*step)();
    if (moved != (spy.count() == 1)) return {-2, moved};
    return {cursor.index(), moved};
}
} // namespace

void TestModels::stepInto_data() {
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to");
    QTest::newRow("enter -> next") << int(SendtoEnter) << int(LibcEnter);
    QTest::newRow("into another host") << int(SkbPutEv) << int(NetRxEnter);
    QTest::newRow("last stays") << int(NetTxExit) << int(NetTxExit);
}

void TestModels::stepInto() {
    QFETCH(int, from);
    QFETCH(int, to);
    QCOMPARE(stepFrom(m_doc, from, &Cursor::stepInto).first, to);
}

void TestModels::stepOver_data() {
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to");
    QTest::newRow("call -> its exit") << int(UdpSendmsgEnter) << int(UdpSendmsgExit);
    QTest::newRow("skb event -> sibling") << int(SkbAllocEv) << int(SkbReserveEv);
    QTest::newRow("skips other contexts") << int(SkbPutEv) << int(IpSendSkbEnter);
    QTest::newRow("nested call skipped") << int(IpSendSkbEnter) << int(IpSendSkbExit);
    QTest::newRow("last in function -> caller's exit") << int(SkbDropEv) << int(UdpSendmsgExit);
    QTest::newRow("other host's call") << int(NetRxEnter) << int(NetRxExit);
    QTest::newRow("inner call of B") << int(IpRcvEnter) << int(IpRcvExit);
    QTest::newRow("end of context stays") << int(SendtoExit) << int(SendtoExit);
}

void TestModels::stepOver() {
    QFETCH(int, from);
    QFETCH(int, to);
    const auto [at, moved] = stepFrom(m_doc, from, &Cursor::stepOver);
    QCOMPARE(at, to);
    QCOMPARE(moved, from != to);
}

void TestModels::stepOut_data() {
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to");
    QTest::newRow("push -> after ip_send_skb") << int(SkbPushEv) << int(SkbDropEv);
    QTest::newRow("put -> after udp_sendmsg") << int(SkbPutEv) << int(LibcExit);
    QTest::newRow("at an enter: leave it") << int(UdpSendmsgEnter) << int(LibcExit);
    QTest::newRow("note in B") << int(BNote) << int(NetRxExit);
    QTest::newRow("outermost: its exit") << int(SendtoEnter) << int(SendtoExit);
    QTest::newRow("nothing after") << int(NetRxExit) << int(NetRxExit);
}

void TestModels::stepOut() {
    QFETCH(int, from);
    QFETCH(int, to);
    QCOMPARE(stepFrom(m_doc, from, &Cursor::stepOut).first, to);
}

void TestModels::stepBackAndPacket() {
    QCOMPARE(stepFrom(m_doc, SkbPutEv, &Cursor::stepBack).first, int(SkbReserveEv));
    QCOMPARE(stepFrom(m_doc, SendtoEnter, &Cursor::stepBack), std::make_pair(int(SendtoEnter), false));

    Cursor cursor;
    QCOMPARE(cursor.index(), -1);
    QVERIFY(!cursor.stepInto());
    cursor.setDocument(m_doc);
    QCOMPARE(cursor.index(), 0);
    QVERIFY(!cursor.nextInPacket()); // sendto has no packet
    QVERIFY(cursor.setIndex(SkbReserveEv));
    const int packet[] = {SkbPutEv, IpSendSkbEnter, SkbPushEv, QdiscEnqueueEv, IpSendSkbExit, SkbDropEv};
    for (int expected : packet) {
        QVERIFY(cursor.nextInPacket());
        QCOMPARE(cursor.index(), expected);
    }
    QVERIFY(!cursor.nextInPacket());
    QVERIFY(cursor.previousInPacket());
    QCOMPARE(cursor.index(), int(IpSendSkbExit));
    QVERIFY(!cursor.setIndex(int(EventCount)));
    QVERIFY(!cursor.setIndex(-1));
}

void TestModels::eventSpecs() {
    QString error;
    QCOMPARE(resolveEventSpec(*m_doc, QStringLiteral("ip_rcv#1"), &error), std::optional<int>(IpRcvEnter));
    QCOMPARE(resolveEventSpec(*m_doc, QStringLiteral("ip_rcv"), &error), std::optional<int>(IpRcvEnter));
    QCOMPARE(resolveEventSpec(*m_doc, QStringLiteral("12"), &error), std::optional<int>(12));
    QVERIFY(!resolveEventSpec(*m_doc, QStringLiteral("ip_rcv#2"), &error));
    QVERIFY(error.contains(QStringLiteral("fewer than 2")));
    QVERIFY(!resolveEventSpec(*m_doc, QStringLiteral("999"), &error));
    QVERIFY(!resolveEventSpec(*m_doc, QStringLiteral("no_such_fn#1"), &error));
    QVERIFY(error.contains(QStringLiteral("not a traced function")));
    QVERIFY(!resolveEventSpec(*m_doc, QStringLiteral("ip_rcv#0"), &error));
}

void TestModels::loaderBuildsOffThread() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("t.sktrace"));
    QVERIFY(save_trace(makeTestTrace(), path.toStdString()).ok());

    DocumentLoader loader;
    QSignalSpy started(&loader, &DocumentLoader::started);
    QSignalSpy loaded(&loader, &DocumentLoader::loaded);
    loader.loadTraceFile(path);
    QCOMPARE(started.count(), 1);
    QVERIFY(loader.isBusy());
    QVERIFY(loaded.wait(10000));
    QVERIFY(!loader.isBusy());
    const auto doc = loaded.at(0).at(0).value<TraceDocumentPtr>();
    QVERIFY(doc);
    QCOMPARE(doc->eventCount(), uint32_t(EventCount));
    QCOMPARE(doc->matching(UdpSendmsgEnter), uint32_t(UdpSendmsgExit));

    // A cancelled job's result never arrives.
    QSignalSpy cancelled(&loader, &DocumentLoader::cancelled);
    loader.loadTrace(makeBigTrace(200000), QStringLiteral("big"));
    loader.cancel();
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(!loaded.wait(1500));
    QCOMPARE(loaded.count(), 1);
}

void TestModels::loaderReportsBadFile() {
    QTemporaryDir dir;
    const QString garbage = dir.filePath(QStringLiteral("garbage.sktrace"));
    QFile f(garbage);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is not a trace");
    f.close();

    DocumentLoader loader;
    QSignalSpy failed(&loader, &DocumentLoader::failed);
    for (const QString& path : {dir.filePath(QStringLiteral("missing.sktrace")), garbage}) {
        failed.clear();
        loader.loadTraceFile(path);
        QVERIFY(failed.wait(10000));
        const QString message = failed.at(0).at(0).toString();
        QVERIFY2(message.contains(path), qPrintable(message));
    }
    failed.clear();
    loader.runScenario(dir.filePath(QStringLiteral("missing.yaml")));
    QVERIFY(failed.wait(10000));
    QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("missing.yaml")),
             qPrintable(failed.at(0).at(0).toString()));
}

void TestModels::bigTraceIsLazy() {
    constexpr uint32_t n = 1000000;
    QElapsedTimer timer;
    timer.start();
    const TraceDocumentPtr doc = TraceDocument::build(makeBigTrace(n), "big");
    const qint64 buildMs = timer.restart();
    EventTableModel model;
    model.setDocument(doc);
    QCOMPARE(model.rowCount(), int(n));
    QCOMPARE(model.data(model.index(int(n) - 1, EventTableModel::Seq)).toString(), QString::number(n - 1));
    QVERIFY(!model.data(model.index(int(n) - 2, EventTableModel::Details)).toString().isEmpty());
    const qint64 modelMs = timer.elapsed();
    qInfo("1M events: index build %lld ms, model reset + cells %lld ms", buildMs, modelMs);
    QVERIFY2(modelMs < 200, "the model must not touch every row");
    QVERIFY2(buildMs < 5000, "index build is O(events)");

    Cursor cursor;
    cursor.setDocument(doc);
    QVERIFY(cursor.setIndex(int(n) - 4)); // an enter
    QVERIFY(cursor.stepOver());
    QCOMPARE(cursor.index(), int(n) - 1);
    QVERIFY(cursor.stepOut() || cursor.index() == int(n) - 1);
}

QTEST_MAIN(TestModels)
#include "tst_models.moc"
