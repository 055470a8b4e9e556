// Qt Test for the first window on the offscreen platform: the document arrives through the loader
// (off the GUI thread), F11/F10/Shift+F11/Ctrl+F11/N/P move the cursor and the call stack and
// function panes follow, a click on a row moves the cursor, and a grab() of the whole window is
// inspected (size, not flat, text-like pixels in the table, the current row highlighted).
#include <QHeaderView>
#include <QLabel>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <set>

#include "tests/ui/testtrace.h"
#include "ui/callstackmodel.h"
#include "ui/callstackpanel.h"
#include "ui/classroomstyle.h"
#include "ui/cursor.h"
#include "ui/documentloader.h"
#include "ui/eventtablepanel.h"
#include "ui/functioninfoview.h"
#include "ui/mainwindow.h"

using namespace skbscope;
using namespace skbscope::ui;
using namespace skbscope::test;

class TestMainWindow : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void init();
    void cleanup();
    void keyboardStepping();
    void clickingARowMovesTheCursor();
    void functionPaneExplains();
    void screenshotIsReadable();
    void badFileIsReported();

  private:
    void key(int key, Qt::KeyboardModifiers mods = Qt::NoModifier);
    int cursorIndex() const { return m_window->traceCursor()->index(); }
    QTableView* table() const { return m_window->eventTablePanel()->tableView(); }
    MainWindow* m_window = nullptr;
};

void TestMainWindow::initTestCase() {
    applyClassroomStyle(*qApp);
}

void TestMainWindow::init() {
    m_window = new MainWindow;
    m_window->setErrorDialogsEnabled(false);
    m_window->resize(1280, 800);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window));
    QSignalSpy ready(m_window, &MainWindow::documentReady);
    m_window->loader()->loadTrace(makeTestTrace(), QStringLiteral("test.sktrace"));
    QVERIFY(ready.wait(10000));
    QCOMPARE(cursorIndex(), 0);
    QCOMPARE(m_window->windowTitle(), QStringLiteral("skbscope — test.sktrace"));
}

void TestMainWindow::cleanup() {
    delete m_window;
    m_window = nullptr;
}

void TestMainWindow::key(int key, Qt::KeyboardModifiers mods) {
    QTest::keyClick(table(), Qt::Key(key), mods);
}

void TestMainWindow::keyboardStepping() {
    const CallStackModel* stack = m_window->callStackPanel()->model();
    auto top = [&] { return stack->data(stack->index(0, CallStackModel::Function)).toString(); };

    key(Qt::Key_F11); // into
    QCOMPARE(cursorIndex(), int(LibcEnter));
    QCOMPARE(stack->rowCount(), 2);
    QCOMPARE(top(), QStringLiteral("__libc_sendto"));
    QCOMPARE(table()->selectionModel()->currentIndex().row(), int(LibcEnter));

    key(Qt::Key_F11);
    QCOMPARE(cursorIndex(), int(UdpSendmsgEnter));
    key(Qt::Key_F10); // over the whole udp_sendmsg
    QCOMPARE(cursorIndex(), int(UdpSendmsgExit));
    QCOMPARE(top(), QStringLiteral("udp_sendmsg"));
    key(Qt::Key_F11, Qt::ControlModifier); // back
    QCOMPARE(cursorIndex(), int(SkbDropEv));
    QCOMPARE(stack->rowCount(), 3);
    QCOMPARE(top(), QStringLiteral("udp_sendmsg"));
    QCOMPARE(table()->selectionModel()->currentIndex().row(), int(SkbDropEv));
    QVERIFY(table()->selectionModel()->isRowSelected(SkbDropEv, {}));

    key(Qt::Key_P); // previous event of packet 1
    QCOMPARE(cursorIndex(), int(IpSendSkbExit));
    key(Qt::Key_P);
    QCOMPARE(cursorIndex(), int(QdiscEnqueueEv));
    QCOMPARE(top(), QStringLiteral("ip_send_skb"));
    key(Qt::Key_F11, Qt::ShiftModifier); // out of ip_send_skb
    QCOMPARE(cursorIndex(), int(SkbDropEv));
    key(Qt::Key_N);
    QCOMPARE(cursorIndex(), int(SkbDropEv)); // the last event of the packet: stays

    // The arrow keys of the table move the cursor too.
    key(Qt::Key_Down);
    QCOMPARE(cursorIndex(), int(UdpSendmsgExit));

    const QString status = m_window->statusBar()->findChild<QLabel*>(QStringLiteral("cursorStatus"))->text();
    QVERIFY2(status.startsWith(QStringLiteral("event 16 of 21, t = ")), qPrintable(status));
}

void TestMainWindow::clickingARowMovesTheCursor() {
    const QRect rect = table()->visualRect(table()->model()->index(IpRcvEnter, 2));
    QVERIFY(rect.isValid());
    QTest::mouseClick(table()->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(cursorIndex(), int(IpRcvEnter));
    const CallStackModel* stack = m_window->callStackPanel()->model();
    QCOMPARE(stack->rowCount(), 2);
    QCOMPARE(stack->data(stack->index(1, 0)).toString(), QStringLiteral("net_rx_action"));
}

void TestMainWindow::functionPaneExplains() {
    QVERIFY(m_window->traceCursor()->setIndex(BNote));
    const FunctionInfoView* info = m_window->functionInfoView();
    QVERIFY2(info->functionText().startsWith(QStringLiteral("ip_rcv()")), qPrintable(info->functionText()));
    QCOMPARE(info->sourceText(), QStringLiteral("Source: net/ipv4/ip_input.c"));
    QVERIFY(info->explanationText().contains(QStringLiteral("0x0800")));
    QCOMPARE(info->eventText(), QStringLiteral("B is busy receiving something else."));
    // The online source browser, and the trace's notes inside the call.
    QCOMPARE(info->linkText(), QStringLiteral("Read it: https://elixir.bootlin.com/linux/v6.18/A/ident/ip_rcv"));
    QCOMPARE(info->notesText(), QStringLiteral("Notes: B is busy receiving something else."));
    QCOMPARE(FunctionInfoView::sourceLink(fn_info(Fn::__libc_sendto)),
             QStringLiteral("https://sourceware.org/git/?p=glibc.git;a=blob;f=sysdeps/unix/sysv/linux/sendto.c"));
    QCOMPARE(FunctionInfoView::sourceLink(fn_info(Fn::sendto)), QString()); // the user program: ours

    QVERIFY(m_window->traceCursor()->setIndex(SkbDropEv));
    QVERIFY2(info->eventText().contains(QStringLiteral("SKB_DROP_REASON_NO_SOCKET")),
             qPrintable(info->eventText()));
    QVERIFY(info->functionText().startsWith(QStringLiteral("udp_sendmsg()")));
}

void TestMainWindow::screenshotIsReadable() {
    QVERIFY(m_window->traceCursor()->setIndex(SkbPushEv));
    QCoreApplication::processEvents();
    const QImage shot = m_window->grab().toImage().convertToFormat(QImage::Format_RGB32);
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), QSize(1280, 800));
    const QString out = QDir(QDir::tempPath()).filePath(QStringLiteral("skbscope-tst_mainwindow.png"));
    QVERIFY(shot.save(out));
    qInfo("screenshot: %s", qPrintable(out));

    std::set<QRgb> colours;
    for (int y = 0; y < shot.height(); y += 2)
        for (int x = 0; x < shot.width(); x += 2)
            colours.insert(shot.pixel(x, y));
    QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));

    // The table's rows: dark, text-like pixels on a light background, not a blank area.
    const QWidget* viewport = table()->viewport();
    const QRect area(viewport->mapTo(m_window, QPoint(0, 0)), viewport->size());
    QVERIFY(shot.rect().contains(area));
    int dark = 0, highlight = 0, total = 0;
    const QColor highlightColour = viewport->palette().color(QPalette::Highlight);
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x, ++total) {
            const QColor c = shot.pixelColor(x, y);
            if (qGray(c.rgb()) < 90) ++dark;
            if (c == highlightColour) ++highlight;
        }
    const double darkShare = double(dark) / total;
    QVERIFY2(darkShare > 0.01 && darkShare < 0.4, qPrintable(QString::number(darkShare)));
    // The current row is drawn in the highlight colour across the table.
    QVERIFY2(highlight > area.width() * 10, qPrintable(QString::number(highlight)));
    const QRect current = table()->visualRect(table()->model()->index(SkbPushEv, 0));
    QVERIFY(viewport->rect().intersects(current));
}

void TestMainWindow::badFileIsReported() {
    QSignalSpy failed(m_window, &MainWindow::loadFailed);
    const QString path = QStringLiteral("/nonexistent/dir/missing.sktrace");
    m_window->openTraceFile(path);
    QVERIFY(failed.wait(10000));
    QVERIFY2(failed.at(0).at(0).toString().contains(path), qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(cursorIndex(), 0); // the loaded trace stays
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
