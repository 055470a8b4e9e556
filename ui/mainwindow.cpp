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

#include "ui/callstackpanel.h"
#include "ui/cursor.h"
#include "ui/documentloader.h"
#include "ui/eventtablepanel.h"
#include "ui/eventtext.h"
#include "ui/functioninfoview.h"

namespace skbscope::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_cursor(new Cursor(this)), m_loader(new DocumentLoader(this)),
      m_eventTable(new EventTablePanel(m_cursor, this)) {
    setWindowTitle(tr("skbscope"));
    setCentralWidget(m_eventTable);
    createActions();
    createDocks();
    createStatusBar();
    resize(1280, 800);

    connect(m_loader, &DocumentLoader::started, this, [this](const QString& what) { setBusy(true, what); });
    connect(m_loader, &DocumentLoader::loaded, this, &MainWindow::showDocument);
    connect(m_loader, &DocumentLoader::failed, this, &MainWindow::showError);
    connect(m_loader, &DocumentLoader::cancelled, this, [this] { setBusy(false); });
}

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open trace..."), this, &MainWindow::chooseTraceFile);
    open->setShortcut(QKeySequence::Open);
    QAction* run = file->addAction(tr("&Run scenario..."), this, &MainWindow::chooseScenarioFile);
    run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
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
    functionDock->setWidget(m_functionInfo);
    addDockWidget(Qt::RightDockWidgetArea, functionDock);
    resizeDocks({stackDock}, {420}, Qt::Horizontal);

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
