// MainWindow: construction and wiring only. Stepping lives in Cursor, text in the models, loading
// in DocumentLoader; the window connects them and shows progress while a job runs off-thread.
#include "ui/mainwindow.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QToolBar>

#include <QDir>
#include <QSpinBox>
#include <QScrollArea>
#include <QSplitter>

#include "ui/breakpoints.h"
#include "ui/callgraphview.h"
#include "ui/charts/chartspanel.h"
#include "ui/packetview.h"
#include "ui/queuesview.h"
#include "ui/skbview.h"
#include "ui/timelineview.h"
#include "ui/topologyview.h"
#include "ui/breakpointspanel.h"
#include "ui/callstackpanel.h"
#include "ui/consolepanel.h"
#include "ui/exporter.h"
#include "ui/playback.h"
#include "ui/cursor.h"
#include "ui/documentloader.h"
#include "ui/eventtablepanel.h"
#include "ui/eventtext.h"
#include "ui/functioninfoview.h"

namespace skbscope::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_cursor(new Cursor(this)), m_loader(new DocumentLoader(this)),
      m_eventTable(new EventTablePanel(m_cursor, this)), m_breakpoints(new Breakpoints(this)),
      m_playback(new Playback(m_cursor, m_breakpoints, this)) {
    setWindowTitle(tr("skbscope"));
    m_eventTable->setObjectName(QStringLiteral("eventTablePanel"));
    // The centre: the timeline over the event table, both following the cursor.
    m_timeline = new TimelineView(m_cursor, this);
    auto* centre = new QSplitter(Qt::Vertical, this);
    centre->setObjectName(QStringLiteral("centreSplitter"));
    centre->addWidget(m_timeline);
    centre->addWidget(m_eventTable);
    centre->setStretchFactor(0, 1);
    centre->setStretchFactor(1, 1);
    setCentralWidget(centre);
    createActions();
    createDocks();
    createStatusBar();
    resize(1280, 800);

    connect(m_loader, &DocumentLoader::started, this, [this](const QString& what) { setBusy(true, what); });
    connect(m_loader, &DocumentLoader::loaded, this, &MainWindow::showDocument);
    connect(m_loader, &DocumentLoader::failed, this, &MainWindow::showError);
    connect(m_loader, &DocumentLoader::cancelled, this, [this] { setBusy(false); });
    connect(m_loader, &DocumentLoader::consoleFinished, this,
            [this](TraceDocumentPtr doc, int firstNew, const QStringList&) { showConsoleResult(std::move(doc), firstNew); });
    connect(m_loader, &DocumentLoader::consoleFailed, this, [this] { setBusy(false); });
}

QWidget* MainWindow::panel(const QString& objectName) const {
    if (m_eventTable->objectName() == objectName) return m_eventTable;
    if (m_timeline->objectName() == objectName) return m_timeline;
    for (QDockWidget* dock : m_docks) {
        if (dock->widget() && dock->widget()->objectName() == objectName) return dock->widget();
        if (auto* w = dock->findChild<QWidget*>(objectName, Qt::FindDirectChildrenOnly)) return w;
        if (auto* area = qobject_cast<QScrollArea*>(dock->widget()); area && area->widget() &&
                                                                     area->widget()->objectName() == objectName)
            return area->widget();
    }
    return nullptr;
}

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open trace..."), this, &MainWindow::chooseTraceFile);
    open->setShortcut(QKeySequence::Open);
    QAction* run = file->addAction(tr("&Run scenario..."), this, &MainWindow::chooseScenarioFile);
    run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    QAction* save = file->addAction(tr("&Save trace as..."), this, &MainWindow::saveTraceAs);
    save->setShortcut(QKeySequence::Save);
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Chrome / Perfetto JSON..."), this, &MainWindow::exportChrome);
    exportMenu->addAction(tr("pcap of every interface..."), this, &MainWindow::exportPcaps);
    exportMenu->addAction(tr("Panel as PNG or SVG..."), this, &MainWindow::exportPanel);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* step = menuBar()->addMenu(tr("&Step"));
    QToolBar* toolbar = addToolBar(tr("Step"));
    toolbar->setObjectName(QStringLiteral("stepToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    struct StepAction {
        QString text, tip;
        QKeySequence key;
        bool (Cursor::*slot)();
    };
    const StepAction steps[] = {
        {tr("Step &back"), tr("Go to the previous event"), QKeySequence(Qt::CTRL | Qt::Key_F11),
         &Cursor::stepBack},
        {tr("Step &into"), tr("Go to the next event"), QKeySequence(Qt::Key_F11), &Cursor::stepInto},
        {tr("Step &over"), tr("Go to the next event of this context, skipping the functions it calls"),
         QKeySequence(Qt::Key_F10), &Cursor::stepOver},
        {tr("Step o&ut"), tr("Leave the current function: go to the event after it returns"),
         QKeySequence(Qt::SHIFT | Qt::Key_F11), &Cursor::stepOut},
        {tr("&Previous of packet"), tr("Go to the previous event of the same packet"),
         QKeySequence(Qt::Key_P), &Cursor::previousInPacket},
        {tr("&Next of packet"), tr("Go to the next event of the same packet"), QKeySequence(Qt::Key_N),
         &Cursor::nextInPacket},
        {tr("Previous &layer"), tr("Go back to where the previous layer of the stack began"),
         QKeySequence(Qt::Key_PageUp), &Cursor::previousLayer},
        {tr("Next la&yer"), tr("Go to the next event of this context or packet in another layer"),
         QKeySequence(Qt::Key_PageDown), &Cursor::nextLayer},
    };
    for (const StepAction& s : steps) {
        QAction* action = step->addAction(s.text);
        action->setShortcut(s.key);
        action->setToolTip(QStringLiteral("%1 (%2)").arg(s.tip, s.key.toString(QKeySequence::NativeText)));
        action->setStatusTip(s.tip);
        action->setIconText(QStringLiteral("%1  %2").arg(QString(s.text).remove(QLatin1Char('&')),
                                                         s.key.toString(QKeySequence::NativeText)));
        connect(action, &QAction::triggered, m_cursor, [this, slot = s.slot] { (m_cursor->*slot)(); });
        toolbar->addAction(action);
    }

    step->addSeparator();
    QAction* runBack = step->addAction(tr("Run &back to breakpoint"));
    runBack->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    connect(runBack, &QAction::triggered, this, [this] { m_cursor->runBackward(*m_breakpoints); });
    QAction* runToBreak = step->addAction(tr("&Run to breakpoint"));
    runToBreak->setShortcut(QKeySequence(Qt::Key_F5));
    runToBreak->setToolTip(tr("Run forward to the next breakpoint, or to the end (F5)"));
    connect(runToBreak, &QAction::triggered, this, [this] { m_cursor->runForward(*m_breakpoints); });
    QAction* play = step->addAction(tr("&Play"));
    play->setObjectName(QStringLiteral("playAction"));
    play->setShortcut(QKeySequence(Qt::Key_F8));
    play->setCheckable(true);
    play->setToolTip(tr("Step into again and again at the chosen speed; stops at a breakpoint (F8)"));
    connect(play, &QAction::triggered, m_playback, &Playback::toggle);
    connect(m_playback, &Playback::playingChanged, play, &QAction::setChecked);
    toolbar->addSeparator();
    toolbar->addAction(runToBreak);
    toolbar->addAction(play);
    auto* speed = new QSpinBox(toolbar);
    speed->setObjectName(QStringLiteral("playSpeed"));
    speed->setRange(1, 1000);
    speed->setValue(m_playback->speed());
    speed->setSuffix(tr(" events/s"));
    speed->setToolTip(tr("Play speed"));
    connect(speed, &QSpinBox::valueChanged, m_playback, &Playback::setSpeed);
    toolbar->addWidget(speed);
}

void MainWindow::addDock(QWidget* panel, const QString& title, Qt::DockWidgetArea area, QDockWidget* tabifyWith,
                         bool scroll) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(panel->objectName() + QStringLiteral("Dock"));
    if (scroll) {
        // Text that wraps in a narrow column would make the window taller: scroll instead.
        auto* area = new QScrollArea(dock);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        area->setWidget(panel);
        dock->setWidget(area);
    } else {
        dock->setWidget(panel);
    }
    addDockWidget(area, dock);
    if (tabifyWith) tabifyDockWidget(tabifyWith, dock);
    m_docks << dock;
}

void MainWindow::createDocks() {
    m_callStack = new CallStackPanel(m_cursor, this);
    auto* stackDock = new QDockWidget(tr("Call stack"), this);
    stackDock->setObjectName(QStringLiteral("callStackDock"));
    stackDock->setWidget(m_callStack);
    addDockWidget(Qt::RightDockWidgetArea, stackDock);

    m_functionInfo = new FunctionInfoView(this);
    auto* functionDock = new QDockWidget(tr("Function"), this);
    functionDock->setObjectName(QStringLiteral("functionDock"));
    // Its word-wrapped sentences grow tall in a narrow column: scroll instead of growing the window.
    auto* functionScroll = new QScrollArea(functionDock);
    functionScroll->setWidgetResizable(true);
    functionScroll->setFrameShape(QFrame::NoFrame);
    functionScroll->setWidget(m_functionInfo);
    functionDock->setWidget(functionScroll);
    addDockWidget(Qt::RightDockWidgetArea, functionDock);
    resizeDocks({stackDock}, {420}, Qt::Horizontal);

    m_breakpointsPanel = new BreakpointsPanel(m_cursor, m_breakpoints, this);
    addDock(m_breakpointsPanel, tr("Breakpoints"), Qt::RightDockWidgetArea, functionDock, /*scroll=*/true);
    functionDock->raise();
    // Left: the sk_buff over the packet's bytes. Top: the timeline across the whole width.
    // Bottom: one tab strip for the larger pictures and the console.
    auto* skb = new SkbView(m_cursor, this);
    addDock(skb, tr("sk_buff"), Qt::LeftDockWidgetArea, nullptr, /*scroll=*/true);
    QDockWidget* skbDock = m_docks.back();
    addDock(new PacketView(m_cursor, this), tr("Packet"), Qt::LeftDockWidgetArea, skbDock, /*scroll=*/true);
    skbDock->raise();

    auto* queues = new QueuesView(m_cursor, this);
    addDock(queues, tr("Queues & rings"), Qt::BottomDockWidgetArea);
    QDockWidget* bottom = m_docks.back();
    addDock(new ChartsPanel(m_cursor, this), tr("Charts"), Qt::BottomDockWidgetArea, bottom);
    addDock(new CallGraphView(m_cursor, this), tr("Call graph"), Qt::BottomDockWidgetArea, bottom);
    addDock(new TopologyView(m_cursor, this), tr("Topology"), Qt::BottomDockWidgetArea, bottom);
    m_console = new ConsolePanel(m_loader, this);
    addDock(m_console, tr("Console"), Qt::BottomDockWidgetArea, bottom);
    bottom->raise();
    // Each panel's dock can be shown again from the View menu after the user closes it.
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : std::as_const(m_docks)) view->addAction(dock->toggleViewAction());
    view->addAction(stackDock->toggleViewAction());
    view->addAction(functionDock->toggleViewAction());
    resizeDocks({skbDock}, {380}, Qt::Horizontal);
    resizeDocks({bottom}, {220}, Qt::Vertical);

    connect(m_cursor, &Cursor::documentChanged, this,
            [this] { m_functionInfo->setDocument(m_cursor->document()); });
    connect(m_cursor, &Cursor::cursorMoved, m_functionInfo, &FunctionInfoView::setCurrentEvent);
}

void MainWindow::createStatusBar() {
    m_statusLabel = new QLabel(tr("No trace loaded"), this);
    m_statusLabel->setObjectName(QStringLiteral("cursorStatus"));
    m_busyLabel = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0); // busy: loading has no measurable progress yet
    m_progress->setMaximumWidth(200);
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_busyLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancelButton);
    setBusy(false);

    connect(m_cancelButton, &QPushButton::clicked, m_loader, &DocumentLoader::cancel);
    connect(m_cursor, &Cursor::cursorMoved, this, [this](int index) {
        if (m_cursor->document()) m_statusLabel->setText(cursorStatusText(*m_cursor->document(), index));
    });
}

void MainWindow::openTraceFile(const QString& path) {
    m_loader->loadTraceFile(path);
}

void MainWindow::runScenarioFile(const QString& path) {
    m_loader->runScenario(path);
}

void MainWindow::chooseTraceFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open trace"), QString(),
                                                      tr("skbscope traces (*.sktrace);;All files (*)"));
    if (!path.isEmpty()) openTraceFile(path);
}

void MainWindow::chooseScenarioFile() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Run scenario"), QStringLiteral("lessons/scenarios"),
                                     tr("Scenarios (*.yaml *.yml);;All files (*)"));
    if (!path.isEmpty()) runScenarioFile(path);
}

void MainWindow::showDocument(TraceDocumentPtr doc) {
    setBusy(false);
    setWindowTitle(tr("skbscope — %1").arg(QFileInfo(QString::fromStdString(doc->sourceName())).fileName()));
    m_cursor->setDocument(std::move(doc));
    emit documentReady();
}

void MainWindow::showConsoleResult(TraceDocumentPtr doc, int firstNewEvent) {
    setBusy(false);
    m_cursor->setDocument(std::move(doc));
    if (m_cursor->document() && firstNewEvent < int(m_cursor->document()->eventCount()))
        m_cursor->setIndex(firstNewEvent);
    emit documentReady();
}

void MainWindow::setAnimationsEnabled(bool on) {
    if (auto* skb = qobject_cast<SkbView*>(panel(QStringLiteral("skbPanel")))) skb->setAnimationsEnabled(on);
}

void MainWindow::saveTraceAs() {
    if (!m_cursor->document()) return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Save trace"), QStringLiteral("out/trace.sktrace"),
                                                      tr("skbscope traces (*.sktrace)"));
    if (path.isEmpty()) return;
    const QString err = saveTraceFile(*m_cursor->document(), path);
    err.isEmpty() ? statusBar()->showMessage(tr("Saved %1").arg(path), 5000) : showError(err);
}

void MainWindow::exportChrome() {
    if (!m_cursor->document()) return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Chrome / Perfetto JSON"),
                                                      QStringLiteral("out/trace.json"), tr("JSON (*.json)"));
    if (path.isEmpty()) return;
    const QString err = exportChromeJson(*m_cursor->document(), path);
    err.isEmpty() ? statusBar()->showMessage(tr("Exported %1 (open it in ui.perfetto.dev)").arg(path), 5000)
                  : showError(err);
}

void MainWindow::exportPcaps() {
    if (!m_cursor->document()) return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export a pcap per interface into"),
                                                          QStringLiteral("out"));
    if (dir.isEmpty()) return;
    QStringList written;
    const QString err = exportLinkPcaps(*m_cursor->document(), dir, &written);
    err.isEmpty() ? statusBar()->showMessage(tr("Wrote %1 pcap files to %2").arg(written.size()).arg(dir), 5000)
                  : showError(err);
}

void MainWindow::exportPanel() {
    QStringList titles;
    QList<QWidget*> widgets{m_eventTable};
    titles << tr("Events");
    for (QDockWidget* dock : m_docks) {
        titles << dock->windowTitle();
        QWidget* w = dock->widget();
        if (auto* area = qobject_cast<QScrollArea*>(w); area && area->widget()) w = area->widget();
        widgets << w;
    }
    // The panel that has the keyboard focus, else the event table.
    int current = 0;
    for (int i = 0; i < widgets.size(); ++i)
        if (widgets[i]->isAncestorOf(focusWidget()) || widgets[i] == focusWidget()) current = i;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export the %1 panel").arg(titles[current]),
        QStringLiteral("out/%1.png").arg(widgets[current]->objectName()), tr("PNG (*.png);;SVG (*.svg)"));
    if (path.isEmpty()) return;
    const QString err = exportWidgetImage(widgets[current], path);
    err.isEmpty() ? statusBar()->showMessage(tr("Exported %1").arg(path), 5000) : showError(err);
}

void MainWindow::showError(const QString& message) {
    setBusy(false);
    statusBar()->showMessage(message, 10000);
    emit loadFailed(message);
    if (m_errorDialogs) QMessageBox::critical(this, tr("skbscope"), message);
}

void MainWindow::setBusy(bool busy, const QString& text) {
    m_busyLabel->setText(text);
    m_busyLabel->setVisible(busy);
    m_progress->setVisible(busy);
    m_cancelButton->setVisible(busy);
}

} // namespace skbscope::ui
