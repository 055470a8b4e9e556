// EventTablePanel: fixed row heights and column widths from font metrics (never "resize to
// contents", which would read every row of a million-event trace), one selected row that follows
// the cursor.
#include "ui/eventtablepanel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/classroomstyle.h"
#include "ui/cursor.h"
#include "ui/eventtablemodel.h"

namespace skbscope::ui {

EventTablePanel::EventTablePanel(Cursor* cursor, QWidget* parent)
    : QWidget(parent), m_cursor(cursor), m_model(new EventTableModel(this)), m_view(new QTableView(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(createPanelCaption(
        tr("Every event the simulation recorded, in order. F11 steps into, F10 over, Shift+F11 out, "
           "Ctrl+F11 back; N and P follow the current packet."),
        this));
    layout->addWidget(m_view);

    m_view->setObjectName(QStringLiteral("eventTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setHighlightSections(false);
    setColumnWidths();

    connect(m_cursor, &Cursor::documentChanged, this, &EventTablePanel::onDocumentChanged);
    connect(m_cursor, &Cursor::cursorMoved, this, &EventTablePanel::onCursorMoved);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &EventTablePanel::onCurrentRowChanged);
}

void EventTablePanel::setColumnWidths() {
    const int ch = m_view->fontMetrics().averageCharWidth();
    auto chars = [ch](int n) { return n * ch + 14; };
    const int widths[EventTableModel::ColumnCount] = {chars(6),  chars(11), chars(4), chars(14), chars(8),
                                                      chars(36), chars(48), chars(6), chars(6),  chars(9)};
    for (int c = 0; c < EventTableModel::ColumnCount; ++c)
        m_view->setColumnWidth(c, widths[c]);
}

void EventTablePanel::onDocumentChanged() {
    m_model->setDocument(m_cursor->document());
    setColumnWidths();
}

void EventTablePanel::onCursorMoved(int index) {
    QItemSelectionModel* sel = m_view->selectionModel();
    if (index < 0) {
        sel->clear();
        return;
    }
    if (sel->currentIndex().row() == index && sel->isRowSelected(index)) return;
    const int column = qMax(0, sel->currentIndex().column());
    const QModelIndex target = m_model->index(index, column);
    sel->setCurrentIndex(target, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(target, QAbstractItemView::EnsureVisible);
}

void EventTablePanel::onCurrentRowChanged(const QModelIndex& current) {
    if (current.isValid()) m_cursor->setIndex(current.row());
}

} // namespace skbscope::ui
