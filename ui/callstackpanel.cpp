// CallStackPanel: a small table, innermost frame on top and in bold, as debuggers show it.
#include "ui/callstackpanel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/callstackmodel.h"
#include "ui/classroomstyle.h"
#include "ui/cursor.h"

namespace skbscope::ui {

CallStackPanel::CallStackPanel(Cursor* cursor, QWidget* parent)
    : QWidget(parent), m_cursor(cursor), m_model(new CallStackModel(this)), m_contextLabel(new QLabel(this)),
      m_view(new QTableView(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(createPanelCaption(
        tr("The functions running at this event, innermost first: each one called the one above it."), this));
    layout->addWidget(m_contextLabel);
    layout->addWidget(m_view);
    m_contextLabel->setTextFormat(Qt::PlainText);

    m_view->setObjectName(QStringLiteral("callStackView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    const QFontMetrics fm = m_view->fontMetrics();
    m_view->setColumnWidth(CallStackModel::Function,
                           fm.horizontalAdvance(QStringLiteral("__netif_receive_skb_core")) + 12);
    m_view->setColumnWidth(CallStackModel::Layer, fm.horizontalAdvance(QStringLiteral("softirq")) + 12);

    connect(m_cursor, &Cursor::documentChanged, this, [this] { m_model->setDocument(m_cursor->document()); });
    connect(m_cursor, &Cursor::cursorMoved, this, &CallStackPanel::onCursorMoved);
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        m_cursor->setIndex(index.data(CallStackModel::EventIndexRole).toInt());
    });
}

void CallStackPanel::onCursorMoved(int index) {
    m_model->setCurrentEvent(index);
    const TraceDocumentPtr& doc = m_cursor->document();
    if (!doc || index < 0) {
        m_contextLabel->clear();
        return;
    }
    const TraceEvent& e = doc->event(uint32_t(index));
    const std::string_view host = doc->hostName(e), context = doc->contextName(e);
    m_contextLabel->setText(tr("Host %1, context %2")
                                .arg(QString::fromUtf8(host.data(), qsizetype(host.size())),
                                     QString::fromUtf8(context.data(), qsizetype(context.size()))));
}

} // namespace skbscope::ui
