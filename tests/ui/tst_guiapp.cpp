// Qt Test for the skbscope executable itself (run as a child process, offscreen): --screenshot
// renders a trace (or a scenario it runs) at a --goto event into a PNG of --size and exits 0; a
// missing or corrupt trace or scenario and a bad --goto print one line naming the problem on stderr and
// exit 1.
#include <QImage>

#include <set>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "core/trace/trace_file.h"
#include "tests/ui/testtrace.h"

class TestGuiApp : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void screenshotAtFunction();
    void screenshotOfScenario();
    void panelScreenshot_data();
    void panelScreenshot();
    void badInputExitsOne_data();
    void badInputExitsOne();

  private:
    int run(const QStringList& args, QString* stderrText = nullptr);
    QTemporaryDir m_dir;
    QString m_trace;
};

void TestGuiApp::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_trace = m_dir.filePath(QStringLiteral("test.sktrace"));
    QVERIFY(skbscope::save_trace(skbscope::test::makeTestTrace(), m_trace.toStdString()).ok());
}

int TestGuiApp::run(const QStringList& args, QString* stderrText) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SKBSCOPE_GUI_PATH), args);
    if (!p.waitForFinished(60000)) return -1;
    if (stderrText) *stderrText = QString::fromLocal8Bit(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

void TestGuiApp::screenshotAtFunction() {
    const QString png = m_dir.filePath(QStringLiteral("shot.png"));
    QString err;
    QCOMPARE(run({m_trace, QStringLiteral("--goto"), QStringLiteral("ip_rcv#1"),
                  QStringLiteral("--screenshot"), png, QStringLiteral("--size"), QStringLiteral("1024x700")},
                 &err),
             0);
    const QImage image(png);
    QVERIFY2(!image.isNull(), qPrintable(err));
    QCOMPARE(image.size(), QSize(1024, 700));
}

void TestGuiApp::screenshotOfScenario() {
    const QString scenario = QStringLiteral(SKBSCOPE_SOURCE_DIR "/lessons/scenarios/udp-hello.yaml");
    if (!QFile::exists(scenario)) QSKIP("lessons/scenarios/udp-hello.yaml is not there yet");
    const QString png = m_dir.filePath(QStringLiteral("scenario.png"));
    QString err;
    QCOMPARE(run({QStringLiteral("--scenario"), scenario, QStringLiteral("--goto"),
                  QStringLiteral("ip_rcv#1"), QStringLiteral("--screenshot"), png},
                 &err),
             0);
    const QImage image(png);
    QVERIFY2(!image.isNull(), qPrintable(err));
    QCOMPARE(image.size(), QSize(1280, 800));
}

void TestGuiApp::panelScreenshot_data() {
    QTest::addColumn<QString>("panel");
    for (const char* p : {"skb", "timeline", "queues", "packet", "charts", "callgraph", "topology"})
        QTest::newRow(p) << QString::fromLatin1(p);
}

// --panel renders one panel alone at --size, at the --goto event of send-walk: a real picture
// (many colours, not a blank or a placeholder), for every panel of the list.
void TestGuiApp::panelScreenshot() {
    QFETCH(QString, panel);
    const QString scenario = QStringLiteral(SKBSCOPE_SOURCE_DIR "/lessons/scenarios/send-walk.yaml");
    const QString png = m_dir.filePath(panel + QStringLiteral(".png"));
    QString err;
    QCOMPARE(run({QStringLiteral("--scenario"), scenario, QStringLiteral("--goto"), QStringLiteral("__tcp_transmit_skb#3"),
                  QStringLiteral("--screenshot"), png, QStringLiteral("--panel"), panel, QStringLiteral("--size"),
                  QStringLiteral("900x560")},
                 &err),
             0);
    const QImage image = QImage(png).convertToFormat(QImage::Format_RGB32);
    QVERIFY2(!image.isNull(), qPrintable(err));
    QCOMPARE(image.size(), QSize(900, 560));
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3) colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 12, qPrintable(QStringLiteral("%1: %2 colours").arg(panel).arg(colours.size())));
}

void TestGuiApp::badInputExitsOne_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mention");
    const QString png = m_dir.filePath(QStringLiteral("never.png"));
    const QString missing = m_dir.filePath(QStringLiteral("missing.sktrace"));
    const QString corrupt = m_dir.filePath(QStringLiteral("corrupt.sktrace"));
    QFile f(corrupt);
    if (f.open(QIODevice::WriteOnly)) f.write("SKBTRACE but not really");
    QTest::newRow("missing") << QStringList{missing, QStringLiteral("--screenshot"), png} << missing;
    QTest::newRow("corrupt") << QStringList{corrupt, QStringLiteral("--screenshot"), png} << corrupt;
    QTest::newRow("bad goto") << QStringList{m_trace, QStringLiteral("--goto"), QStringLiteral("nosuch#1"),
                                             QStringLiteral("--screenshot"), png}
                              << QStringLiteral("nosuch");
    QTest::newRow("missing scenario")
        << QStringList{QStringLiteral("--scenario"), missing + QStringLiteral(".yaml"),
                       QStringLiteral("--screenshot"), png}
        << QStringLiteral("missing.sktrace.yaml");
    QTest::newRow("bad panel") << QStringList{m_trace, QStringLiteral("--panel"), QStringLiteral("nosuch"),
                                              QStringLiteral("--screenshot"), png}
                               << QStringLiteral("--panel nosuch");
    QTest::newRow("bad size") << QStringList{m_trace, QStringLiteral("--size"), QStringLiteral("big"),
                                             QStringLiteral("--screenshot"), png}
                              << QStringLiteral("--size");
}

void TestGuiApp::badInputExitsOne() {
    QFETCH(QStringList, args);
    QFETCH(QString, mention);
    QString err;
    QCOMPARE(run(args, &err), 1);
    QVERIFY2(err.contains(mention), qPrintable(err));
    QCOMPARE(err.trimmed().count(QLatin1Char('\n')), 0); // one line, no Qt chatter
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("never.png"))));
}

QTEST_GUILESS_MAIN(TestGuiApp)
#include "tst_guiapp.moc"
