// Qt Test for the debugger-like controls beyond single steps, on the hand-built trace of
// testtrace.h: next/previous layer (PgDn/PgUp), breakpoints on functions and on entering a layer,
// run forward/back to a breakpoint (F5/Shift+F5), play stopping at a breakpoint, and the
// breakpoints panel's function search.
#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QTest>

#include "tests/ui/testtrace.h"
#include "ui/breakpoints.h"
#include "ui/breakpointspanel.h"
#include "ui/cursor.h"
#include "ui/playback.h"

using namespace skbscope;
using namespace skbscope::ui;
using namespace skbscope::test;

class TestStepping : public QObject {
    Q_OBJECT
  private slots:
    void init();
    void nextLayer_data();
    void nextLayer();
    void previousLayer_data();
    void previousLayer();
    void breakpointParsing();
    void functionBreakpoint();
    void layerBreakpointStopsOnEntry();
    void runWithoutBreakpointsGoesToTheEnd();
    void playStopsAtBreakpoint();
    void panelSearchAndAdd();

  private:
    TraceDocumentPtr m_doc;
    Cursor* m_cursor = nullptr;
    Breakpoints* m_breakpoints = nullptr;
};

void TestStepping::init() {
    if (!m_doc) m_doc = TraceDocument::build(makeTestTrace(), "test");
    delete m_cursor;
    delete m_breakpoints;
    m_cursor = new Cursor(this);
    m_cursor->setDocument(m_doc);
    m_breakpoints = new Breakpoints(this);
}

void TestStepping::nextLayer_data() {
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to"); // -1: no move
    // user sendto -> libc -> udp: each PgDn goes one layer down in A's task.
    QTest::newRow("user to libc") << int(SendtoEnter) << int(LibcEnter);
    QTest::newRow("libc to udp") << int(LibcEnter) << int(UdpSendmsgEnter);
    // From udp_sendmsg the skb events (layer skb) are not places; B's softirq is another context
    // and packet; so the next layer is A's ip_send_skb.
    QTest::newRow("udp skips skb ops and B") << int(UdpSendmsgEnter) << int(IpSendSkbEnter);
    // After ip_send_skb only returns, skb ops and another context follow: nothing to go to.
    QTest::newRow("ipv4 is last") << int(IpSendSkbEnter) << -1;
    // In B's softirq: net_rx_action (softirq) -> ip_rcv (ipv4).
    QTest::newRow("softirq to ipv4 in B") << int(NetRxEnter) << int(IpRcvEnter);
}

void TestStepping::nextLayer() {
    QFETCH(int, from);
    QFETCH(int, to);
    QVERIFY(m_cursor->setIndex(from) || from == 0);
    QCOMPARE(m_cursor->nextLayer(), to >= 0);
    QCOMPARE(m_cursor->index(), to >= 0 ? to : from);
}

void TestStepping::previousLayer_data() {
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to");
    QTest::newRow("ipv4 back to udp") << int(IpSendSkbEnter) << int(UdpSendmsgEnter);
    QTest::newRow("udp back to libc") << int(UdpSendmsgEnter) << int(LibcEnter);
    QTest::newRow("libc back to user") << int(LibcEnter) << int(SendtoEnter);
    QTest::newRow("ipv4 in B back to softirq") << int(IpRcvEnter) << int(NetRxEnter);
}

void TestStepping::previousLayer() {
    QFETCH(int, from);
    QFETCH(int, to);
    QVERIFY(m_cursor->setIndex(from));
    QVERIFY(m_cursor->previousLayer());
    QCOMPARE(m_cursor->index(), to);
    // PgUp then PgDn comes back where PgDn from `to` goes.
    QVERIFY(m_cursor->nextLayer());
    QCOMPARE(m_cursor->index(), from);
}

void TestStepping::breakpointParsing() {
    QSignalSpy changed(m_breakpoints, &Breakpoints::changed);
    QVERIFY(m_breakpoints->add(QStringLiteral("ip_rcv")));
    QVERIFY(!m_breakpoints->add(QStringLiteral("ip_rcv"))); // duplicate
    QVERIFY(m_breakpoints->add(QStringLiteral("layer tcp")));
    QVERIFY(m_breakpoints->add(QStringLiteral("udp")));      // a bare layer name
    QVERIFY(!m_breakpoints->add(QStringLiteral("no_such_function")));
    QVERIFY(!m_breakpoints->add(QString()));
    QCOMPARE(changed.count(), 3);
    QCOMPARE(int(m_breakpoints->entries().size()), 3);
    QCOMPARE(m_breakpoints->entries()[0].label(), QStringLiteral("ip_rcv"));
    QCOMPARE(m_breakpoints->entries()[1].label(), QStringLiteral("layer tcp"));
    QCOMPARE(m_breakpoints->entries()[2].label(), QStringLiteral("layer udp"));
    m_breakpoints->remove(1);
    QCOMPARE(m_breakpoints->entries()[1].label(), QStringLiteral("layer udp"));
}

void TestStepping::functionBreakpoint() {
    QVERIFY(m_breakpoints->add(QStringLiteral("ip_rcv")));
    QVERIFY(m_breakpoints->hits(*m_doc, IpRcvEnter));
    QVERIFY(!m_breakpoints->hits(*m_doc, IpRcvExit)); // only entries stop
    QVERIFY(m_cursor->runForward(*m_breakpoints));
    QCOMPARE(m_cursor->index(), int(IpRcvEnter));
    m_breakpoints->setEnabled(0, false);
    QVERIFY(!m_breakpoints->hits(*m_doc, IpRcvEnter));
}

void TestStepping::layerBreakpointStopsOnEntry() {
    QVERIFY(m_breakpoints->add(QStringLiteral("layer ipv4")));
    // ip_rcv is entered from net_rx_action (softirq), ip_send_skb from udp_sendmsg (udp): both
    // enter the layer.
    QVERIFY(m_cursor->runForward(*m_breakpoints));
    QCOMPARE(m_cursor->index(), int(IpRcvEnter));
    QVERIFY(m_cursor->runForward(*m_breakpoints));
    QCOMPARE(m_cursor->index(), int(IpSendSkbEnter));
    QVERIFY(m_cursor->runBackward(*m_breakpoints));
    QCOMPARE(m_cursor->index(), int(IpRcvEnter));
    // A udp breakpoint hits udp_sendmsg (called from libc), never an skb op inside it.
    QVERIFY(m_breakpoints->add(QStringLiteral("layer udp")));
    QVERIFY(m_breakpoints->hits(*m_doc, UdpSendmsgEnter));
    QVERIFY(!m_breakpoints->hits(*m_doc, SkbPutEv));
}

void TestStepping::runWithoutBreakpointsGoesToTheEnd() {
    QVERIFY(m_cursor->runForward(*m_breakpoints));
    QCOMPARE(m_cursor->index(), int(EventCount) - 1);
    QVERIFY(!m_cursor->runForward(*m_breakpoints)); // already there
    QVERIFY(m_cursor->runBackward(*m_breakpoints));
    QCOMPARE(m_cursor->index(), 0);
}

void TestStepping::playStopsAtBreakpoint() {
    QVERIFY(m_breakpoints->add(QStringLiteral("ip_send_skb")));
    Playback playback(m_cursor, m_breakpoints);
    QSignalSpy playing(&playback, &Playback::playingChanged);
    playback.setSpeed(1000);
    QCOMPARE(playback.speed(), 1000);
    playback.play();
    QVERIFY(playback.isPlaying());
    QTRY_VERIFY_WITH_TIMEOUT(!playback.isPlaying(), 5000);
    QCOMPARE(m_cursor->index(), int(IpSendSkbEnter));
    QCOMPARE(playing.count(), 2);
    // Without breakpoints it plays to the last event and stops there.
    m_breakpoints->clear();
    playback.play();
    QTRY_VERIFY_WITH_TIMEOUT(!playback.isPlaying(), 5000);
    QCOMPARE(m_cursor->index(), int(EventCount) - 1);
}

void TestStepping::panelSearchAndAdd() {
    BreakpointsPanel panel(m_cursor, m_breakpoints);
    panel.searchBox()->setText(QStringLiteral("ip_send_skb"));
    QVERIFY(panel.findNext());
    QCOMPARE(m_cursor->index(), int(IpSendSkbEnter));
    QVERIFY(panel.findNext()); // only one call: wraps to itself
    QCOMPARE(m_cursor->index(), int(IpSendSkbEnter));
    panel.searchBox()->setText(QStringLiteral("tcp_v4_rcv")); // registered, never called here
    QVERIFY(!panel.findNext());
    QCOMPARE(m_cursor->index(), int(IpSendSkbEnter));
    panel.searchBox()->setText(QStringLiteral("layer ipv4"));
    QVERIFY(panel.addFromSearch());
    QCOMPARE(panel.list()->count(), 1);
    QCOMPARE(panel.list()->item(0)->text(), QStringLiteral("layer ipv4"));
    panel.list()->item(0)->setCheckState(Qt::Unchecked);
    QVERIFY(!m_breakpoints->entries()[0].enabled);
    QVERIFY(!panel.addFromSearch()); // duplicate
}

QTEST_MAIN(TestStepping)
#include "tst_stepping.moc"
