// Qt Test for interactive mode in the main window: a scenario runs, a call typed in the console
// runs in its live lab, the grown trace replaces the shown one with the cursor on the call's first
// event; bad lines and a console without a running scenario print an error and change nothing.
// Also the exports of the File menu (trace, Chrome JSON, pcaps, a panel as PNG and SVG).
#include <QFile>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/trace/trace_file.h"
#include "ui/consolepanel.h"
#include "ui/cursor.h"
#include "ui/documentloader.h"
#include "ui/exporter.h"
#include "ui/mainwindow.h"

using namespace skbscope;
using namespace skbscope::ui;

class TestConsole : public QObject {
    Q_OBJECT
  private slots:
    void consoleWithoutScenario();
    void typedCallsJoinTheTrace();
    void exports();
};

void TestConsole::consoleWithoutScenario() {
    MainWindow w;
    w.setErrorDialogsEnabled(false);
    QSignalSpy failed(w.loader(), &DocumentLoader::consoleFailed);
    w.consolePanel()->submit(QStringLiteral("A: send 3 10"));
    QCOMPARE(failed.count(), 1);
    QVERIFY(w.consolePanel()->output()->toPlainText().contains(QStringLiteral("No scenario is running")));
}

void TestConsole::typedCallsJoinTheTrace() {
    MainWindow w;
    w.setErrorDialogsEnabled(false);
    QSignalSpy ready(&w, &MainWindow::documentReady);
    w.runScenarioFile(QStringLiteral(SKBSCOPE_SOURCE_DIR "/lessons/scenarios/interactive.yaml"));
    QVERIFY(ready.wait(60000));
    QVERIFY(w.loader()->hasSession());
    const uint32_t before = w.traceCursor()->document()->eventCount();

    QSignalSpy finished(w.loader(), &DocumentLoader::consoleFinished);
    QLineEdit* input = w.consolePanel()->input();
    input->setText(QStringLiteral("A: send 3 4000"));
    QTest::keyClick(input, Qt::Key_Return);
    QVERIFY(finished.wait(60000));
    QVERIFY(input->text().isEmpty());
    const auto& doc = w.traceCursor()->document();
    QVERIFY(doc->eventCount() > before + 100);
    // The cursor is on the first event the call produced: A's send() entering the stack.
    QCOMPARE(w.traceCursor()->index(), int(before));
    QCOMPARE(doc->trace().event_name(doc->event(before)), std::string_view("send"));
    const QString transcript = w.consolePanel()->output()->toPlainText();
    QVERIFY2(transcript.contains(QStringLiteral("> A: send 3 4000")), qPrintable(transcript));
    QVERIFY2(transcript.contains(QStringLiteral("console: send() = 4000")), qPrintable(transcript));

    // A bad line: an error in the transcript, the document unchanged.
    QSignalSpy failed(w.loader(), &DocumentLoader::consoleFailed);
    w.consolePanel()->submit(QStringLiteral("A: sned 3"));
    QVERIFY(failed.wait(10000));
    QVERIFY(w.consolePanel()->output()->toPlainText().contains(QStringLiteral("unknown call 'sned'")));
    QCOMPARE(w.traceCursor()->document(), doc);

    // History: Up recalls the last line typed.
    QTest::keyClick(input, Qt::Key_Up);
    QCOMPARE(input->text(), QStringLiteral("A: sned 3"));
    QTest::keyClick(input, Qt::Key_Up);
    QCOMPARE(input->text(), QStringLiteral("A: send 3 4000"));
}

void TestConsole::exports() {
    MainWindow w;
    w.setErrorDialogsEnabled(false);
    w.resize(1200, 800);
    QSignalSpy ready(&w, &MainWindow::documentReady);
    w.runScenarioFile(QStringLiteral(SKBSCOPE_SOURCE_DIR "/lessons/scenarios/send-walk.yaml"));
    QVERIFY(ready.wait(60000));
    const TraceDocument& doc = *w.traceCursor()->document();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const QString trace = dir.filePath(QStringLiteral("t.sktrace"));
    QCOMPARE(saveTraceFile(doc, trace), QString());
    auto loaded = load_trace(trace.toStdString());
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->events.size(), doc.trace().events.size());

    const QString json = dir.filePath(QStringLiteral("t.json"));
    QCOMPARE(exportChromeJson(doc, json), QString());
    QFile jf(json);
    QVERIFY(jf.open(QIODevice::ReadOnly));
    QVERIFY(jf.readAll().contains("\"traceEvents\""));

    QStringList pcaps;
    QCOMPARE(exportLinkPcaps(doc, dir.filePath(QStringLiteral("pcaps")), &pcaps), QString());
    QVERIFY2(pcaps.size() == 4, qPrintable(pcaps.join(QLatin1Char(' ')))); // A:eth0 R:eth0 R:eth1 B:eth0
    QVERIFY(pcaps.contains(dir.filePath(QStringLiteral("pcaps/A_eth0.pcap"))));

    w.show();
    QWidget* table = w.panel(QStringLiteral("eventTablePanel"));
    QVERIFY(table);
    const QString png = dir.filePath(QStringLiteral("table.png"));
    QCOMPARE(exportWidgetImage(table, png), QString());
    QImage image(png);
    QCOMPARE(image.size(), table->grab().size());
    const QString svg = dir.filePath(QStringLiteral("table.svg"));
    QCOMPARE(exportWidgetImage(table, svg), QString());
    QFile sf(svg);
    QVERIFY(sf.open(QIODevice::ReadOnly));
    QVERIFY(sf.readAll().contains("<svg"));
    QVERIFY(exportWidgetImage(table, dir.filePath(QStringLiteral("t.bmp"))).contains(QStringLiteral(".png or .svg")));
    QVERIFY(!exportChromeJson(doc, QStringLiteral("/nonexistent-dir/x.json")).isEmpty());
}

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
