// Qt Test for the sk_buff panel (SkbLayout, SkbStateIndex, SkbView) and the Packet panel
// (PacketModel, PacketLocator, HexDumpView, PacketView): to-scale widths and minimum widths,
// pointer x positions, header identification (Ethernet/IPv4/TCP, UDP, pushed, received), the
// snapshot at a cursor against a linear scan (testtrace and send-walk run through the lab), the
// header being built on send-walk's SYN, the packet model under QAbstractItemModelTester, field <->
// byte selection, and screenshots whose pixels are checked (saved as PNGs in the build dir).
#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QImage>
#include <QTest>
#include <QTreeView>

#include <random>

#include "core/wire/describe.h"
#include "tests/core/wire/fixtures.h"
#include "tests/ui/testtrace.h"
#include "ui/cursor.h"
#include "ui/hexdumpview.h"
#include "ui/packetmodel.h"
#include "ui/packetview.h"
#include "ui/scenariorunner.h"
#include "ui/skblayout.h"
#include "ui/skbstate.h"
#include "ui/skbview.h"

using namespace skbscope;
using namespace skbscope::ui;
using namespace skbscope::test;
namespace fixtures = skbscope::wire::fixtures;

Q_DECLARE_METATYPE(skbscope::SkbSnapshot)
Q_DECLARE_METATYPE(std::vector<double>)
Q_DECLARE_METATYPE(std::vector<uint32_t>)

namespace {

SkbSnapshot snap(uint32_t data, uint32_t tail, uint32_t end, uint32_t dataLen = 0) {
    SkbSnapshot s;
    s.head_addr = 0xffff888100010000ull;
    s.data = data;
    s.tail = tail;
    s.end = end;
    s.len = tail - data + dataLen;
    s.data_len = dataLen;
    return s;
}

QString headersText(const std::vector<SkbHeaderSpan>& hs) {
    QStringList out;
    for (const auto& h : hs)
        out << QStringLiteral("%1@%2+%3%4")
                   .arg(skbHeaderName(h.header))
                   .arg(h.offset)
                   .arg(h.length)
                   .arg(h.marked ? "" : "*");
    return out.join(QLatin1Char(' '));
}

// The reference lookup: the skb of event i (or of its open frames) and its last snapshot event at
// or before i, by scanning the whole trace.
uint32_t scanSnapshot(const TraceDocument& doc, uint32_t i) {
    std::vector<uint32_t> candidates{doc.event(i).skb};
    for (uint32_t f : doc.callStack(i))
        candidates.push_back(doc.event(f).skb);
    for (uint32_t skb : candidates) {
        if (skb == 0) continue;
        uint32_t found = TraceDocument::kNone;
        for (uint32_t j = 0; j <= i; ++j) {
            const TraceEvent& e = doc.event(j);
            if (e.skb == skb && e.ref != kNoRef &&
                (e.kind == EventKind::SkbAlloc || e.kind == EventKind::SkbPtr ||
                 e.kind == EventKind::SkbFree))
                found = j;
        }
        if (found != TraceDocument::kNone) return found;
    }
    return TraceDocument::kNone;
}

// The first event at or after `from` in from's context that is an skb_push.
uint32_t nextPush(const TraceDocument& doc, uint32_t from) {
    for (uint32_t i = from; i < doc.eventCount(); ++i)
        if (doc.event(i).kind == EventKind::SkbPtr && doc.trace().event_name(doc.event(i)) == "skb_push" &&
            doc.event(i).ctx == doc.event(from).ctx)
            return i;
    return TraceDocument::kNone;
}

const QString pngDir = QStringLiteral(UI_PNG_DIR);

} // namespace

class TestSkbPacket : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void layoutWidths_data();
    void layoutWidths();
    void pointerPositions_data();
    void pointerPositions();
    void headerIdentification_data();
    void headerIdentification();
    void layoutOfNonsense();
    void lookupOnTestTrace();
    void lookupOnSendWalk();
    void buildingHeaderOnSyn();
    void udpHeadersOnUdpHello();
    void packetModel();
    void fieldByteSelection();
    void packetLocator();
    void skbScreenshot();
    void skbScreenshotFramesAndReceive();
    void pointerSlides();
    void hexDumpScreenshot();

  private:
    TraceDocumentPtr m_walk;
    uint32_t m_tcpPush = 0; // the skb_push in the first __tcp_transmit_skb (A's SYN)
    uint32_t m_ipPush = 0;  // the skb_push in the __ip_queue_xmit under it
};

void TestSkbPacket::initTestCase() {
    const std::string path = SKBSCOPE_SOURCE_DIR "/lessons/scenarios/send-walk.yaml";
    Result<Trace> t = ScenarioRunner::run(path);
    QVERIFY2(t.ok(), t.ok() ? "" : t.error().message.c_str());
    m_walk = TraceDocument::build(std::move(*t), "send-walk.yaml");
    const auto tx = m_walk->findFunctionEnter("__tcp_transmit_skb", 1);
    QVERIFY(tx);
    m_tcpPush = nextPush(*m_walk, *tx);
    QVERIFY(m_tcpPush != TraceDocument::kNone);
    m_ipPush = nextPush(*m_walk, m_tcpPush + 1);
    QVERIFY(m_ipPush != TraceDocument::kNone);
}

// ---- SkbLayout ----

void TestSkbPacket::layoutWidths_data() {
    QTest::addColumn<uint32_t>("data");
    QTest::addColumn<uint32_t>("tail");
    QTest::addColumn<uint32_t>("end");
    QTest::addColumn<uint32_t>("dataLen");
    QTest::addColumn<double>("width");
    QTest::addColumn<double>("minWidth");
    QTest::addColumn<std::vector<double>>("widths"); // headroom, payload, tailroom, shinfo (, frags)
    // 100 + 200 + 100 + 320 = 720 bytes in 720 px: one pixel a byte.
    QTest::newRow("to scale") << 100u << 300u << 400u << 0u << 720.0 << 10.0
                              << std::vector<double>{100, 200, 100, 320};
    // 2 bytes of headroom held at 20 px; the other 718 bytes share 702 px.
    QTest::newRow("minimum width") << 2u << 400u << 400u << 0u << 722.0 << 20.0
                                   << std::vector<double>{20, 398 * 702.0 / 718, 320 * 702.0 / 718};
    // Two rounds: holding the 1-byte headroom at 30 px shrinks the scale, and the 30-byte tailroom
    // (30.1 px at first) falls below 30 px, so it is held too; 320 bytes share the other 292 px.
    QTest::newRow("two rounds") << 1u << 1u << 31u << 0u << 352.0 << 30.0 << std::vector<double>{30, 30, 292};
    // Page frags after a gap: 100 + 100 + 320 + 480 = 1000 bytes in 1000 px.
    QTest::newRow("page frags") << 100u << 100u << 200u << 480u << 1000.0 + SkbLayout::kFragGap << 10.0
                                << std::vector<double>{100, 100, 320, 480};
    // Too narrow for every label: equal boxes.
    QTest::newRow("too narrow") << 10u << 20u << 30u << 0u << 100.0 << 40.0
                                << std::vector<double>{25, 25, 25, 25};
}

void TestSkbPacket::layoutWidths() {
    QFETCH(uint32_t, data);
    QFETCH(uint32_t, tail);
    QFETCH(uint32_t, end);
    QFETCH(uint32_t, dataLen);
    QFETCH(double, width);
    QFETCH(double, minWidth);
    QFETCH(std::vector<double>, widths);
    const SkbLayout l(snap(data, tail, end, dataLen), {}, width, minWidth, 50);
    QCOMPARE(l.regions().size(), widths.size());
    double sum = 0;
    for (size_t i = 0; i < widths.size(); ++i) {
        QVERIFY2(qAbs(l.regions()[i].width - widths[i]) < 1e-6,
                 qPrintable(
                     QStringLiteral("region %1: %2 != %3").arg(i).arg(l.regions()[i].width).arg(widths[i])));
        sum += l.regions()[i].width;
        if (i > 0 && l.regions()[i].kind != SkbLayout::Kind::PageFrags)
            QCOMPARE(l.regions()[i].x, l.regions()[i - 1].x + l.regions()[i - 1].width);
    }
    QVERIFY(qAbs(sum + (dataLen ? SkbLayout::kFragGap : 0) - width) < 1e-6);
}

void TestSkbPacket::pointerPositions_data() {
    QTest::addColumn<uint32_t>("data");
    QTest::addColumn<uint32_t>("tail");
    QTest::addColumn<uint32_t>("end");
    QTest::addColumn<std::vector<double>>("xs");     // head, data, tail, end
    QTest::addColumn<std::vector<uint32_t>>("rows"); // label rows with 60 px labels
    QTest::newRow("apart") << 100u << 300u << 400u << std::vector<double>{0, 100, 300, 400}
                           << std::vector<uint32_t>{0, 0, 0, 0};
    // No headroom: head and data at 0 need two label rows; tail 30 px further a third.
    QTest::newRow("data at head") << 0u << 30u << 400u << std::vector<double>{0, 0, 30, 400}
                                  << std::vector<uint32_t>{0, 1, 2, 0};
    // Empty skb after skb_reserve: data = tail = end.
    QTest::newRow("reserved") << 400u << 400u << 400u << std::vector<double>{0, 400, 400, 400}
                              << std::vector<uint32_t>{0, 0, 1, 2};
}

void TestSkbPacket::pointerPositions() {
    QFETCH(uint32_t, data);
    QFETCH(uint32_t, tail);
    QFETCH(uint32_t, end);
    QFETCH(std::vector<double>, xs);
    QFETCH(std::vector<uint32_t>, rows);
    // end + 320 bytes in end + 320 px, minimum width small enough not to bend the scale.
    const SkbSnapshot s = snap(data, tail, end);
    const SkbLayout l(s, {}, double(end + kSkbSharedInfoBytes), 1, 60);
    QCOMPARE(l.pointers().size(), size_t(4));
    for (size_t i = 0; i < 4; ++i) {
        QCOMPARE(l.pointers()[i].x, xs[i]);
        QCOMPARE(uint32_t(l.pointers()[i].row), rows[i]);
        QCOMPARE(l.pointers()[i].address, s.head_addr + l.pointers()[i].offset);
    }
    QCOMPARE(l.pointer(QStringLiteral("data"))->offset, data);
}

void TestSkbPacket::headerIdentification_data() {
    QTest::addColumn<SkbSnapshot>("s");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    auto bytes = [](std::span<const uint8_t> b) {
        return QByteArray(reinterpret_cast<const char*>(b.data()), b.size());
    };

    // The SYN as the driver sees it: data at the Ethernet header, all three marks set.
    SkbSnapshot tx = snap(64, 64 + 74, 192);
    tx.mac_header = 64;
    tx.network_header = 78;
    tx.transport_header = 98;
    tx.protocol = 0x0800;
    QTest::newRow("Ethernet/IPv4/TCP")
        << tx << bytes(fixtures::kTcpSyn) << QStringLiteral("Ethernet@64+14 IPv4@78+20 TCP@98+40");
    // UDP: the transport kind comes from the IPv4 Protocol byte (17); 5 bytes of payload follow.
    SkbSnapshot udp = snap(64, 64 + 47, 192);
    udp.mac_header = 64;
    udp.network_header = 78;
    udp.transport_header = 98;
    udp.protocol = 0x0800;
    QTest::newRow("UDP") << udp << bytes(fixtures::kUdp)
                         << QStringLiteral("Ethernet@64+14 IPv4@78+20 UDP@98+8");
    // Received and pulled to TCP: the IPv4 header is before data (no bytes), the protocol was
    // seen earlier (hints.ipProto = 6, set in the test body).
    SkbSnapshot rx = snap(98, 138, 192);
    rx.mac_header = 64;
    rx.network_header = 78;
    rx.transport_header = 98;
    rx.protocol = 0x0800;
    QTest::newRow("received, pulled") << rx << bytes(std::span<const uint8_t>(fixtures::kTcpSyn).subspan(34))
                                      << QStringLiteral("Ethernet@64+14 IPv4@78+20 TCP@98+40");
    // Just pushed by TCP, no mark set: the push names the header (* = from a push).
    SkbSnapshot pushed = snap(280, 320, 320);
    QTest::newRow("pushed, unmarked") << pushed << QByteArray(40, '\0') << QStringLiteral("TCP@280+40*");
}

void TestSkbPacket::headerIdentification() {
    QFETCH(SkbSnapshot, s);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    SkbHints hints;
    if (QByteArray(QTest::currentDataTag()) == "received, pulled") hints.ipProto = 6;
    if (QByteArray(QTest::currentDataTag()) == "pushed, unmarked")
        hints.pushes.push_back({280, 40, SkbHeader::Tcp});
    const auto span =
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
    const auto headers = identifySkbHeaders(s, span, hints);
    QCOMPARE(headersText(headers), expected);
    // The layout draws each header as a region of its own; those before data are "pulled".
    const SkbLayout l(s, headers, 1200, 30, 100);
    for (const SkbHeaderSpan& h : headers) {
        const SkbLayout::Region* r = l.headerRegion(h.header);
        QVERIFY(r);
        QCOMPARE(r->offset, h.offset);
        QCOMPARE(r->pulled, h.offset < s.data);
    }
}

// Nonsense snapshots (a corrupt trace file passes validate() with any offsets): headers stay inside
// [0, tail), never overlap, and the layout stays inside its width.
void TestSkbPacket::layoutOfNonsense() {
    const uint32_t seed = 20261123;
    std::mt19937 rng(seed);
    auto pick = [&](uint32_t n) { return uint32_t(rng() % n); };
    for (int round = 0; round < 2000; ++round) {
        SkbSnapshot s;
        s.head_addr = rng();
        s.data = pick(600);
        s.tail = pick(600);
        s.end = pick(600);
        s.data_len = pick(3) == 0 ? pick(5000) : 0;
        s.mac_header = pick(3) == 0 ? 0xffff : uint16_t(pick(700));
        s.network_header = pick(3) == 0 ? 0xffff : uint16_t(pick(700));
        s.transport_header = pick(3) == 0 ? 0xffff : uint16_t(pick(700));
        s.protocol = pick(2) ? 0x0800 : uint16_t(rng());
        std::vector<uint8_t> bytes(pick(300));
        for (uint8_t& b : bytes)
            b = uint8_t(rng());
        SkbHints hints;
        hints.ipProto = uint8_t(pick(20));
        for (uint32_t i = pick(4); i > 0; --i)
            hints.pushes.push_back({pick(700), pick(80), SkbHeader(pick(7))});
        const auto headers = identifySkbHeaders(s, bytes, hints);
        for (size_t i = 0; i < headers.size(); ++i) {
            QVERIFY2(headers[i].length > 0 && headers[i].offset + headers[i].length <= s.tail,
                     qPrintable(QStringLiteral("seed %1 round %2").arg(seed).arg(round)));
            if (i > 0) QVERIFY(headers[i - 1].offset + headers[i - 1].length <= headers[i].offset);
        }
        const double width = 50 + pick(1200);
        const SkbLayout l(s, headers, width, 30, 80);
        double x = 0;
        for (const SkbLayout::Region& r : l.regions()) {
            QVERIFY2(r.x >= x - 1e-6 && r.width >= 0,
                     qPrintable(QStringLiteral("seed %1 round %2").arg(seed).arg(round)));
            x = r.x + r.width;
        }
        QVERIFY(x <= width + 1e-6);
        for (const SkbLayout::Pointer& p : l.pointers())
            QVERIFY(p.x >= 0 && p.x <= width + 1e-6);
    }
}

// ---- SkbStateIndex ----

void TestSkbPacket::lookupOnTestTrace() {
    const TraceDocumentPtr doc = TraceDocument::build(makeTestTrace(), "test");
    SkbStateIndex index;
    index.build(doc);
    QCOMPARE(index.skbCount(), size_t(1));
    for (uint32_t i = 0; i < doc->eventCount(); ++i) {
        const SkbState st = index.stateAt(int(i));
        QCOMPARE(st.valid() ? st.event : TraceDocument::kNone, scanSnapshot(*doc, i));
    }
    SkbState st = index.stateAt(SkbPushEv);
    QCOMPARE(st.event, uint32_t(SkbPushEv));
    QCOMPARE(st.previousEvent, uint32_t(SkbPutEv));
    QCOMPARE(st.lastOpText(*doc), QStringLiteral("skb_push 20"));
    QCOMPARE(st.snapshot->data, st.previous->data - 20);
    st = index.stateAt(QdiscEnqueueEv); // no snapshot of its own: the push before it
    QCOMPARE(st.event, uint32_t(SkbPushEv));
    QVERIFY(!index.stateAt(NetRxEnter).valid());  // B's softirq has no skb
    QVERIFY(!index.stateAt(SendtoEnter).valid()); // before the allocation
    QCOMPARE(index.stateAt(SkbDropEv).lastOpText(*doc), QStringLiteral("kfree_skb_reason (NO_SOCKET)"));
}

void TestSkbPacket::lookupOnSendWalk() {
    SkbStateIndex index;
    QElapsedTimer timer;
    timer.start();
    index.build(m_walk);
    const qint64 buildNs = timer.nsecsElapsed();
    timer.restart();
    for (uint32_t i = 0; i < m_walk->eventCount(); ++i)
        index.stateAt(int(i));
    // Figures for the record, not a timed assertion (speed targets belong in bench/).
    qInfo("SkbStateIndex on send-walk: %u events, %zu skbs, build %.2f ms, stateAt %.2f us per event",
          m_walk->eventCount(), index.skbCount(), buildNs / 1e6,
          timer.nsecsElapsed() / 1e3 / m_walk->eventCount());
    QVERIFY(index.skbCount() > 10);
    int checked = 0;
    for (uint32_t i = 0; i < m_walk->eventCount(); i += 97, ++checked) {
        const SkbState st = index.stateAt(int(i));
        QCOMPARE(st.valid() ? st.event : TraceDocument::kNone, scanSnapshot(*m_walk, i));
    }
    QVERIFY(checked > 100);
}

void TestSkbPacket::buildingHeaderOnSyn() {
    SkbStateIndex index;
    index.build(m_walk);
    const TraceDocument& doc = *m_walk;
    // After __tcp_transmit_skb's skb_push: the clone's TCP header, pushed, no mark yet.
    SkbState st = index.stateAt(int(m_tcpPush));
    QVERIFY(st.building);
    QCOMPARE(st.building->header, SkbHeader::Tcp);
    QVERIFY(st.building->pushed);
    QCOMPARE(st.building->offset, st.snapshot->data);
    QCOMPARE(doc.trace().event_name(doc.event(st.building->function)),
             std::string_view("__tcp_transmit_skb"));
    QCOMPARE(headersText(st.headers),
             QStringLiteral("TCP@%1+%2*").arg(st.snapshot->data).arg(st.snapshot->tail - st.snapshot->data));
    // The clone shares its data with the skb __tcp_transmit_skb was called with.
    QVERIFY(st.snapshot->cloned);
    const uint32_t original = doc.event(*doc.findFunctionEnter("__tcp_transmit_skb", 1)).skb;
    QVERIFY(original != st.skb);
    QCOMPARE(st.sharing, std::vector<uint32_t>{original});

    // At ip_queue_xmit's entry, skb->data still points at TCP: IPv4 is about to be pushed.
    const auto ipq = doc.findFunctionEnter("ip_queue_xmit", 1);
    QVERIFY(ipq && *ipq < m_ipPush);
    st = index.stateAt(int(*ipq));
    QVERIFY(st.building);
    QCOMPARE(st.building->header, SkbHeader::Ipv4);
    QVERIFY(!st.building->pushed);
    // After __ip_queue_xmit's push: the IPv4 header at data, TCP (now marked) behind it.
    st = index.stateAt(int(m_ipPush));
    QCOMPARE(st.lastOpText(doc), QStringLiteral("skb_push 20"));
    QVERIFY(st.building && st.building->pushed);
    QCOMPARE(st.building->header, SkbHeader::Ipv4);
    QCOMPARE(st.headers.size(), size_t(2));
    QCOMPARE(st.headers[0], (SkbHeaderSpan{SkbHeader::Ipv4, st.snapshot->data, 20, false}));
    QCOMPARE(st.headers[1].header, SkbHeader::Tcp);
    QVERIFY(st.headers[1].marked);
    // The driver sends what is built: nothing is being built in e1000_xmit_frame.
    const auto xmit = doc.findFunctionEnter("e1000_xmit_frame", 1);
    QVERIFY(xmit);
    st = index.stateAt(int(*xmit));
    QVERIFY(st.valid());
    QVERIFY(!st.building);
    // On receive (ip_rcv on R), headers below data are parsed, not built.
    const auto rcv = doc.findFunctionEnter("ip_rcv", 1);
    QVERIFY(rcv);
    st = index.stateAt(int(*rcv));
    QVERIFY(st.valid());
    QVERIFY(!st.building);
}

// udp-hello: UDP writes its header in place (ip_append_data made room); once the marks are set
// (the clone neigh_probe takes for ARP), IPv4 and UDP are found from the marks and the bytes.
void TestSkbPacket::udpHeadersOnUdpHello() {
    Result<Trace> t = ScenarioRunner::run(SKBSCOPE_SOURCE_DIR "/lessons/scenarios/udp-hello.yaml");
    QVERIFY2(t.ok(), t.ok() ? "" : t.error().message.c_str());
    const TraceDocumentPtr doc = TraceDocument::build(std::move(*t), "udp-hello.yaml");
    uint32_t clone = TraceDocument::kNone;
    for (uint32_t i = 0; i < doc->eventCount() && clone == TraceDocument::kNone; ++i) {
        const TraceEvent& e = doc->event(i);
        const SkbSnapshot* s = e.kind == EventKind::SkbAlloc ? doc->trace().snapshot(e.ref) : nullptr;
        if (s && doc->trace().event_name(e) == "skb_clone" && s->transport_header != 0xffff) clone = i;
    }
    QVERIFY(clone != TraceDocument::kNone);
    SkbStateIndex skbs;
    skbs.build(doc);
    const SkbState st = skbs.stateAt(int(clone));
    const uint32_t nh = st.snapshot->network_header;
    QCOMPARE(headersText(st.headers), QStringLiteral("IPv4@%1+20 UDP@%2+8").arg(nh).arg(nh + 20));
    PacketLocator locator;
    locator.build(doc);
    const PacketBytes p = locator.at(int(clone), skbs);
    QCOMPARE(p.origin, PacketBytes::Origin::Skb);
    QCOMPARE(p.root.children.size(), size_t(3)); // IPv4, UDP, Payload
    QCOMPARE(p.root.children[1].name, std::string("User Datagram Protocol"));
    QCOMPARE(p.root.children[1].offset, size_t(20));
}

// ---- PacketModel ----

void TestSkbPacket::packetModel() {
    PacketModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTree(wire::dissect_frame(fixtures::kTcpSyn));
    QCOMPARE(model.rowCount(), 3); // Ethernet II, IPv4, TCP
    QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("Internet Protocol Version 4"));
    QCOMPARE(model.index(1, 1).data().toString(), QStringLiteral("Src: 192.168.1.100, Dst: 192.168.2.100"));
    model.setTree(
        wire::dissect_from(std::span<const uint8_t>(fixtures::kTcpSyn).subspan(34), wire::DissectStart::Tcp),
        size_t(0), QStringLiteral("[being built by __tcp_transmit_skb()]"));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.buildingIndex(), model.index(0, 0));
    QVERIFY(model.index(0, 1).data().toString().endsWith(
        QStringLiteral("[being built by __tcp_transmit_skb()]")));
    QVERIFY(model.index(0, 0).data(PacketModel::BuildingRole).toBool());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestSkbPacket::fieldByteSelection() {
    PacketModel model;
    model.setTree(wire::dissect_frame(fixtures::kTcpSyn));
    auto nameAt = [&](size_t byte) { return model.indexForByte(byte).data().toString(); };
    QCOMPARE(nameAt(0), QStringLiteral("Destination"));
    QCOMPARE(nameAt(13), QStringLiteral("Type"));
    QCOMPARE(nameAt(22), QStringLiteral("Time to Live"));
    QCOMPARE(nameAt(30), QStringLiteral("Destination Address"));
    QCOMPARE(nameAt(55), QStringLiteral("Maximum segment size")); // inside Options
    QCOMPARE(model.indexForByte(47).parent().data().toString(), QStringLiteral("Flags"));
    QVERIFY(!model.indexForByte(74).isValid());
    // And back: the field's range covers the byte that found it.
    for (size_t b = 0; b < 74; ++b) {
        const auto [off, len] = model.byteRange(model.indexForByte(b));
        QVERIFY(b >= off && b < off + len);
    }
    QCOMPARE(model.byteRange(model.indexForByte(22)), (std::pair<size_t, size_t>{22, 1}));
}

void TestSkbPacket::packetLocator() {
    SkbStateIndex skbs;
    skbs.build(m_walk);
    PacketLocator locator;
    locator.build(m_walk);
    // On the first Wire event: the whole frame.
    uint32_t wire = TraceDocument::kNone;
    for (uint32_t i = 0; i < m_walk->eventCount() && wire == TraceDocument::kNone; ++i)
        if (m_walk->event(i).kind == EventKind::Wire) wire = i;
    QVERIFY(wire != TraceDocument::kNone);
    PacketBytes p = locator.at(int(wire), skbs);
    QCOMPARE(p.origin, PacketBytes::Origin::Wire);
    QCOMPARE(p.root.name, std::string("Frame"));
    QCOMPARE(p.bytes.size(), size_t(m_walk->event(wire).a[0]));
    // In __tcp_transmit_skb after the push: skb->data, dissected from the TCP header being built.
    p = locator.at(int(m_tcpPush), skbs);
    QCOMPARE(p.origin, PacketBytes::Origin::Skb);
    QCOMPARE(p.root.children.front().name, std::string("Transmission Control Protocol"));
    QCOMPARE(p.buildingOffset, std::optional<size_t>(0));
    // In the IP layer after its push: IPv4 first, being built at offset 0 of the bytes.
    p = locator.at(int(m_ipPush), skbs);
    QCOMPARE(p.root.children.front().name, std::string("Internet Protocol Version 4"));
    QCOMPARE(p.buildingOffset, std::optional<size_t>(0));
    // nextWire: the SYN's frame on A's link follows the push.
    const uint32_t flow = m_walk->event(m_tcpPush).flow;
    const uint32_t next = locator.nextWire(flow, m_tcpPush);
    QVERIFY(next != TraceDocument::kNone && next > m_tcpPush);
    QCOMPARE(m_walk->event(next).kind, EventKind::Wire);
    QCOMPARE(m_walk->event(next).flow, flow);
    // On the receive side at ip_rcv: eth_type_trans pulled the Ethernet header and no network
    // header mark is set yet; the bytes at skb->data still dissect as IPv4 with TCP inside.
    for (int n = 1; n <= 3; ++n) {
        const auto rcv = m_walk->findFunctionEnter("ip_rcv", n);
        QVERIFY(rcv.has_value());
        p = locator.at(int(*rcv), skbs);
        QCOMPARE(p.origin, PacketBytes::Origin::Skb);
        QVERIFY(!p.root.children.empty());
        QCOMPARE(p.root.children.front().name, std::string("Internet Protocol Version 4"));
    }
}

// ---- screenshots ----

void TestSkbPacket::skbScreenshot() {
    Cursor cursor;
    SkbView view(&cursor);
    view.setAnimationsEnabled(false);
    view.resize(1000, 340);
    cursor.setDocument(m_walk);
    cursor.setIndex(int(m_tcpPush));
    QCOMPARE(view.objectName(), QStringLiteral("skbPanel"));
    QVERIFY(view.operationText().contains(QStringLiteral("__tcp_transmit_skb() is building the TCP header")));
    QVERIFY(view.summaryText().contains(QStringLiteral("shares data with skb")));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage shot = view.grab().toImage();
    QVERIFY(shot.save(pngDir + QStringLiteral("/skbpanel_tcp_push.png")));

    SkbDiagram* d = view.diagram();
    const QImage diagram = d->grab().toImage();
    const QRectF box = d->bufferRect();
    const SkbSnapshot& s = *view.state().snapshot;
    // The expected band, from the scale alone: every region here is wider than the minimum width,
    // so x = offset * width / (end + shared info).
    const double pxPerByte = box.width() / double(s.end + kSkbSharedInfoBytes);
    QVERIFY(double(s.tail - s.data) * pxPerByte > 44);
    const int x0 = int(box.left() + s.data * pxPerByte), x1 = int(box.left() + s.tail * pxPerByte);
    const int y = int(box.center().y());
    const QRgb tcp = skbHeaderColor(SkbHeader::Tcp).rgb();
    int inside = 0, outside = 0;
    for (int x = int(box.left()); x < int(box.right()); ++x) {
        const bool isTcp = diagram.pixel(x, y) == tcp;
        if (x > x0 + 4 && x < x1 - 4)
            inside += isTcp;
        else if (x < x0 - 2 || x > x1 + 2)
            outside += isTcp;
    }
    QVERIFY2(inside >= (x1 - x0 - 9) * 9 / 10,
             qPrintable(QStringLiteral("%1 TCP pixels in [%2, %3]").arg(inside).arg(x0).arg(x1)));
    QCOMPARE(outside, 0);
    // The building mark (red border) and the data pointer's arrow head above the box.
    QCOMPARE(QColor(diagram.pixel(x0 + 2, y)).red() > 150 && QColor(diagram.pixel(x0 + 2, y)).green() < 80,
             true);
    const int px = int(d->pointerX(QStringLiteral("data")));
    QCOMPARE(QColor(diagram.pixel(px, int(box.top()) - 3)), QColor(0x10, 0x30, 0x80));
}

void TestSkbPacket::skbScreenshotFramesAndReceive() {
    Cursor cursor;
    SkbView view(&cursor);
    view.setAnimationsEnabled(false);
    view.resize(1000, 340);
    cursor.setDocument(m_walk);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    // The first data segment (__tcp_transmit_skb#3): after neigh_hh_output's push the linear part
    // holds Ethernet, IPv4 and TCP; the 1448 bytes of payload are in a page frag.
    const auto tx = m_walk->findFunctionEnter("__tcp_transmit_skb", 3);
    QVERIFY(tx);
    const uint32_t ethPush = nextPush(*m_walk, nextPush(*m_walk, nextPush(*m_walk, *tx) + 1) + 1);
    QVERIFY(ethPush != TraceDocument::kNone);
    cursor.setIndex(int(ethPush));
    QCOMPARE(view.state().lastOpText(*m_walk), QStringLiteral("skb_push 14"));
    const SkbLayout* l = view.diagram()->layout();
    QVERIFY(l);
    for (SkbHeader h : {SkbHeader::Ethernet, SkbHeader::Ipv4, SkbHeader::Tcp})
        QVERIFY2(l->headerRegion(h), qPrintable(skbHeaderName(h)));
    QVERIFY(l->headerRegion(SkbHeader::Ethernet)->building);
    QCOMPARE(l->regions().back().kind, SkbLayout::Kind::PageFrags);
    QCOMPARE(l->regions().back().length, view.state().snapshot->data_len);
    QCoreApplication::processEvents();
    QImage shot = view.grab().toImage();
    QVERIFY(shot.save(pngDir + QStringLiteral("/skbpanel_eth_push_frags.png")));
    const QImage d = view.diagram()->grab().toImage();
    const SkbLayout::Region* eth = l->headerRegion(SkbHeader::Ethernet);
    const QRectF box = view.diagram()->bufferRect();
    QCOMPARE(QColor(d.pixel(int(box.left() + eth->x + eth->width / 2), int(box.center().y()))),
             skbHeaderColor(SkbHeader::Ethernet));

    // On B, after ip_rcv_finish's pull to TCP: Ethernet and IPv4 are before data (pulled).
    uint32_t pull = TraceDocument::kNone;
    for (uint32_t i = ethPush; i < m_walk->eventCount() && pull == TraceDocument::kNone; ++i) {
        const TraceEvent& e = m_walk->event(i);
        if (e.kind == EventKind::SkbPtr && m_walk->trace().event_name(e) == "skb_pull" && e.a[0] == 20 &&
            m_walk->hostName(e) == "B")
            pull = i;
    }
    QVERIFY(pull != TraceDocument::kNone);
    cursor.setIndex(int(pull));
    l = view.diagram()->layout();
    QVERIFY(l->headerRegion(SkbHeader::Ethernet)->pulled);
    QVERIFY(l->headerRegion(SkbHeader::Ipv4)->pulled);
    QVERIFY(!l->headerRegion(SkbHeader::Tcp)->pulled);
    QVERIFY(!view.state().building);
    QCoreApplication::processEvents();
    QVERIFY(view.grab().toImage().save(pngDir + QStringLiteral("/skbpanel_rx_pulled.png")));
}

void TestSkbPacket::pointerSlides() {
    Cursor cursor;
    SkbView view(&cursor);
    view.resize(1000, 340);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    cursor.setDocument(m_walk);
    cursor.setIndex(int(m_tcpPush));
    SkbDiagram* d = view.diagram();
    const double before = d->pointerX(QStringLiteral("data"));
    auto fromX = [&] {
        return d->bufferRect().left() +
               d->layout()->offsetToX(view.stateIndex().stateAt(int(m_tcpPush)).snapshot->data);
    };
    auto toX = [&] { return d->bufferRect().left() + d->layout()->pointer(QStringLiteral("data"))->x; };
    cursor.setIndex(int(m_ipPush)); // same skb, data moves 20 bytes to the left
    QVERIFY(d->animating());
    QVERIFY(qAbs(d->pointerX(QStringLiteral("data")) - fromX()) < 1);
    QTRY_VERIFY_WITH_TIMEOUT(!d->animating(), 2000);
    const double after = d->pointerX(QStringLiteral("data"));
    QVERIFY(after < before);
    QCOMPARE(after, toX());

    // Again, stopped half way: the pointer is half way between its old and new place.
    cursor.setIndex(int(m_tcpPush));
    QTRY_VERIFY_WITH_TIMEOUT(!d->animating(), 2000);
    cursor.setIndex(int(m_ipPush));
    d->setAnimationsEnabled(false); // later steps jump
    d->setProgress(0.5);
    QVERIFY(qAbs(d->pointerX(QStringLiteral("data")) - (fromX() + toX()) / 2) < 1e-6);
    QVERIFY(d->grab().toImage().save(pngDir + QStringLiteral("/skbpanel_slide_half.png")));
}

void TestSkbPacket::hexDumpScreenshot() {
    // The SYN on A's link (after the ARP exchange that resolves R).
    uint32_t wire = TraceDocument::kNone;
    for (uint32_t i = m_tcpPush; i < m_walk->eventCount() && wire == TraceDocument::kNone; ++i)
        if (m_walk->event(i).kind == EventKind::Wire &&
            m_walk->event(i).flow == m_walk->event(m_tcpPush).flow)
            wire = i;
    QVERIFY(wire != TraceDocument::kNone);
    Cursor cursor;
    PacketView view(&cursor);
    QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.resize(900, 700);
    cursor.setDocument(m_walk);
    cursor.setIndex(int(wire));
    QCOMPARE(view.objectName(), QStringLiteral("packetPanel"));
    QCOMPARE(view.packet().origin, PacketBytes::Origin::Wire);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    // Select the IPv4 TTL field: byte 22 is highlighted, byte 0 is not.
    const QModelIndex ttl = view.model()->indexForByte(22);
    QCOMPARE(ttl.data().toString(), QStringLiteral("Time to Live"));
    view.selectField(ttl);
    QCOMPARE(view.hexDump()->highlight(), (std::pair<size_t, size_t>{22, 1}));
    QImage hex = view.hexDump()->grab().toImage();
    QVERIFY(view.grab().toImage().save(pngDir + QStringLiteral("/packetpanel_ttl.png")));
    const HexDumpLayout l = view.hexDump()->layout();
    const QRgb blue = HexDumpView::highlightColor().rgb();
    auto blueIn = [&](const QRectF& r) {
        int n = 0;
        for (int x = int(r.left()) + 1; x < int(r.right()); ++x)
            for (int y = int(r.top()) + 1; y < int(r.bottom()); ++y)
                n += hex.pixel(x, y) == blue;
        return n;
    };
    QVERIFY(blueIn(l.hexRect(22)) > 10);
    QVERIFY(blueIn(l.asciiRect(22)) > 3);
    QCOMPARE(blueIn(l.hexRect(0)), 0);
    QCOMPARE(blueIn(l.hexRect(23)), 0);

    // And back: clicking the Protocol byte (23) selects the Protocol field.
    QTest::mouseClick(view.hexDump(), Qt::LeftButton, {}, l.hexRect(23).center().toPoint());
    QCOMPARE(view.tree()->currentIndex().data().toString(), QStringLiteral("Protocol"));
    QCOMPARE(view.hexDump()->highlight(), (std::pair<size_t, size_t>{23, 1}));
    hex = view.hexDump()->grab().toImage();
    QVERIFY(blueIn(l.hexRect(23)) > 10);
    QCOMPARE(blueIn(l.hexRect(22)), 0);

    // In __tcp_transmit_skb the bytes come from skb->data and the TCP header is marked.
    cursor.setIndex(int(m_tcpPush));
    QCOMPARE(view.packet().origin, PacketBytes::Origin::Skb);
    QVERIFY(view.model()->buildingIndex().isValid());
    QVERIFY(view.sourceText().contains(QStringLiteral("__tcp_transmit_skb() is building the TCP header")));
    QCoreApplication::processEvents(); // the new text's layout request
    QVERIFY(view.grab().toImage().save(pngDir + QStringLiteral("/packetpanel_tcp_push.png")));
}

QTEST_MAIN(TestSkbPacket)
#include "tst_skbpacket.moc"
