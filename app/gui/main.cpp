// skbscope: the GUI executable. Opens a .sktrace or runs a scenario in the first window.
// skbscope [TRACE.sktrace] [--scenario FILE] [--goto SPEC] [--screenshot OUT.png] [--size WxH]
//          [--panel skb|timeline|queues|packet|charts|callgraph|topology|all]
// With --screenshot nothing is shown: the window (or with --panel one panel, alone at --size) is
// rendered offscreen (grab()) to OUT.png at the --goto event, and the program exits 0; a bad file
// prints one line naming it and exits 1.
#include <QApplication>
#include <QMap>
#include <QScrollArea>
#include <QCommandLineParser>
#include <QStatusBar>
#include <QTimer>

#include <cstdio>
#include <initializer_list>
#include <optional>

#include <QEventLoop>

#include "ui/callgraphview.h"
#include "ui/classroomstyle.h"
#include "ui/cursor.h"
#include "ui/eventtext.h"
#include "ui/mainwindow.h"

using namespace skbscope::ui;

namespace {

bool hasArgument(int argc, char** argv, std::initializer_list<const char*> names) {
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        for (const char* name : names)
            if (arg == name || arg.startsWith(QByteArray(name) + '=')) return true;
    }
    return false;
}

bool hasDisplay() {
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

// In screenshot mode stderr is for scripts: only our own one-line errors, not Qt's platform chatter
// ("propagateSizeHints", XDG_RUNTIME_DIR).
void quietMessageHandler(QtMsgType type, const QMessageLogContext&, const QString& message) {
    if (type == QtCriticalMsg || type == QtFatalMsg)
        std::fprintf(stderr, "skbscope: %s\n", qPrintable(message));
}

std::optional<QSize> parseSize(const QString& text) {
    const QStringList parts = text.split(QLatin1Char('x'));
    bool okW = false, okH = false;
    if (parts.size() != 2) return std::nullopt;
    const int w = parts[0].toInt(&okW), h = parts[1].toInt(&okH);
    if (!okW || !okH || w < 200 || h < 150 || w > 8000 || h > 8000) return std::nullopt;
    return QSize(w, h);
}

void printError(const QString& message) {
    std::fprintf(stderr, "skbscope: %s\n", qPrintable(message));
}

} // namespace

int main(int argc, char** argv) {
    const bool screenshotMode = hasArgument(argc, argv, {"--screenshot"});
    const bool helpOnly = hasArgument(argc, argv, {"-h", "--help", "--help-all", "-?"});
    if (screenshotMode || helpOnly) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
        qInstallMessageHandler(quietMessageHandler);
    } else if (!hasDisplay()) {
        std::fprintf(stderr, "skbscope: no display (DISPLAY is not set); run it on a desktop, or render the "
                             "window with --screenshot OUT.png\n");
        return 1;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("skbscope"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("skbscope: step through the Linux network stack."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("trace"), QStringLiteral("A .sktrace file to open."),
                                 QStringLiteral("[TRACE.sktrace]"));
    const QCommandLineOption scenarioOpt(QStringLiteral("scenario"), QStringLiteral("Run a scenario file."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption gotoOpt(QStringLiteral("goto"),
                                     QStringLiteral("Put the cursor on an event: a number, or FUNCTION#N."),
                                     QStringLiteral("SPEC"));
    const QCommandLineOption shotOpt(QStringLiteral("screenshot"),
                                     QStringLiteral("Render the window offscreen to a PNG and exit."),
                                     QStringLiteral("OUT.png"));
    const QCommandLineOption sizeOpt(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1280x800."),
                                     QStringLiteral("WxH"));
    const QCommandLineOption panelOpt(
        QStringLiteral("panel"),
        QStringLiteral("With --screenshot: render one panel: skb, timeline, queues, packet, charts, callgraph, "
                       "topology, or all (the window, the default)."),
        QStringLiteral("NAME"), QStringLiteral("all"));
    parser.addOptions({scenarioOpt, gotoOpt, shotOpt, sizeOpt, panelOpt});
    parser.process(app); // prints usage and exits 1 on an unknown option or a missing value

    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1 || (positional.size() == 1 && parser.isSet(scenarioOpt))) {
        printError(QStringLiteral("give one trace file or one --scenario, not both\n") + parser.helpText());
        return 1;
    }
    QSize size(1280, 800);
    if (parser.isSet(sizeOpt)) {
        const std::optional<QSize> s = parseSize(parser.value(sizeOpt));
        if (!s) {
            printError(QStringLiteral("--size %1: expected WxH, e.g. 1280x800").arg(parser.value(sizeOpt)));
            return 1;
        }
        size = *s;
    }

    // --panel NAME -> the panel's object name (MainWindow::panel).
    const QString panelName = parser.value(panelOpt);
    static const QMap<QString, QString> panels = {
        {QStringLiteral("skb"), QStringLiteral("skbPanel")},         {QStringLiteral("timeline"), QStringLiteral("timelinePanel")},
        {QStringLiteral("queues"), QStringLiteral("queuesPanel")},   {QStringLiteral("packet"), QStringLiteral("packetPanel")},
        {QStringLiteral("charts"), QStringLiteral("chartsPanel")},   {QStringLiteral("callgraph"), QStringLiteral("callGraphPanel")},
        {QStringLiteral("topology"), QStringLiteral("topologyPanel")},
    };
    if (panelName != QLatin1String("all") && !panels.contains(panelName)) {
        printError(QStringLiteral("--panel %1: expected skb, timeline, queues, packet, charts, callgraph, topology or all")
                       .arg(panelName));
        return 1;
    }

    applyClassroomStyle(app);
    MainWindow window;
    window.resize(size);
    window.setErrorDialogsEnabled(!screenshotMode);
    window.setAnimationsEnabled(!screenshotMode);

    const QString gotoSpec = parser.value(gotoOpt);
    const QString shotPath = parser.value(shotOpt);
    auto takeScreenshot = [&] {
        // Let pending layout and scroll requests run before rendering.
        QTimer::singleShot(0, &window, [&] {
            QWidget* target = &window;
            if (panelName != QLatin1String("all")) {
                // The panel alone at --size: taken out of its dock (the window is thrown away after).
                target = window.panel(panels.value(panelName));
                if (!target) {
                    printError(QStringLiteral("--panel %1: this build has no such panel").arg(panelName));
                    app.exit(1);
                    return;
                }
                // A panel inside a scroll area (sk_buff, Packet) is taken out of it first, or the
                // area keeps sizing it to its viewport.
                QWidget* viewport = target->parentWidget();
                if (auto* area = qobject_cast<QScrollArea*>(viewport ? viewport->parentWidget() : nullptr))
                    area->takeWidget();
                target->setParent(nullptr);
                target->setAttribute(Qt::WA_DontShowOnScreen);
                target->resize(size);
                target->show();
                // Layouts settle over several passes (a resize posts the children's relayouts).
                for (int pass = 0; pass < 5; ++pass) QCoreApplication::processEvents();
            }
            // The call graph lays out on a worker thread: wait for a pending layout (bounded).
            if (auto* graph = target->findChild<CallGraphView*>(); graph || (graph = qobject_cast<CallGraphView*>(target))) {
                if (graph->isLayoutPending()) {
                    QEventLoop loop;
                    QObject::connect(graph, &CallGraphView::layoutFinished, &loop, &QEventLoop::quit);
                    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
                    loop.exec();
                    QCoreApplication::processEvents();
                }
            }
            if (!target->grab().save(shotPath, "PNG")) {
                printError(QStringLiteral("%1: cannot write the screenshot").arg(shotPath));
                app.exit(1);
                return;
            }
            app.exit(0);
        });
    };
    QObject::connect(&window, &MainWindow::documentReady, &window, [&] {
        if (!gotoSpec.isEmpty()) {
            QString error;
            if (const std::optional<int> index =
                    resolveEventSpec(*window.traceCursor()->document(), gotoSpec, &error)) {
                window.traceCursor()->setIndex(*index);
            } else if (screenshotMode) {
                printError(error);
                app.exit(1);
                return;
            } else {
                window.statusBar()->showMessage(error, 10000);
            }
        }
        if (screenshotMode) takeScreenshot();
    });
    QObject::connect(&window, &MainWindow::loadFailed, &window, [&](const QString& message) {
        if (screenshotMode) {
            printError(message);
            app.exit(1);
        }
    });

    if (screenshotMode) {
        window.setAttribute(Qt::WA_DontShowOnScreen);
        window.show();
    } else {
        window.show();
    }
    if (!positional.isEmpty())
        window.openTraceFile(positional.first());
    else if (parser.isSet(scenarioOpt))
        window.runScenarioFile(parser.value(scenarioOpt));
    else if (screenshotMode)
        takeScreenshot();
    return app.exec();
}
