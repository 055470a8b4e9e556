// PacketView: rebuilds the tree and dump when the cursor's bytes change (a new Wire event or
// snapshot), keeping the selected field's byte range across steps when it still exists.
#include "ui/packetview.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

#include "ui/classroomstyle.h"
#include "ui/cursor.h"
#include "ui/eventtext.h"
#include "ui/hexdumpview.h"

namespace skbscope::ui {

PacketView::PacketView(Cursor* cursor, QWidget* parent)
    : QWidget(parent), m_cursor(cursor), m_model(new PacketModel(this)), m_source(new QLabel(this)),
      m_tree(new QTreeView(this)), m_hex(new HexDumpView(this)) {
    setObjectName(QStringLiteral("packetPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(
        createPanelCaption(tr("The packet's bytes at this event, field by field: select a field to "
                              "see its bytes, or click a byte to find its field."),
                           this));
    m_source->setTextFormat(Qt::PlainText);
    m_source->setWordWrap(true);
    m_source->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    layout->addWidget(m_source);

    m_tree->setObjectName(QStringLiteral("packetTree"));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(
        PacketModel::Field,
        m_tree->fontMetrics().horizontalAdvance(QStringLiteral("Internet Protocol Version 4")) + 60);
    auto* hexScroll = new QScrollArea(this);
    hexScroll->setWidget(m_hex);
    hexScroll->setWidgetResizable(true);
    hexScroll->setBackgroundRole(QPalette::Base);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_tree);
    split->addWidget(hexScroll);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { onCurrentChanged(current); });
    connect(m_hex, &HexDumpView::byteClicked, this, &PacketView::selectByte);
    connect(m_cursor, &Cursor::documentChanged, this, &PacketView::onDocumentChanged);
    connect(m_cursor, &Cursor::cursorMoved, this, &PacketView::onCursorMoved);
    onDocumentChanged();
}

QString PacketView::sourceText() const {
    return m_source->text();
}

void PacketView::onDocumentChanged() {
    m_skbs.build(m_cursor->document());
    m_locator.build(m_cursor->document());
    m_packet = PacketBytes{};
    onCursorMoved(m_cursor->index());
}

void PacketView::onCursorMoved(int index) {
    PacketBytes next = m_locator.at(index, m_skbs);
    const bool sameBytes = next.origin == m_packet.origin && next.event == m_packet.event &&
                           next.building.has_value() == m_packet.building.has_value() &&
                           (!next.building || next.building->function == m_packet.building->function);
    if (sameBytes && next.origin != PacketBytes::Origin::None) return; // nothing changed: keep the selection
    const auto [selOffset, selLength] = m_model->byteRange(m_tree->currentIndex());
    m_packet = std::move(next);

    const TraceDocumentPtr& doc = m_cursor->document();
    QString note;
    QString text = m_packet.description;
    if (m_packet.origin == PacketBytes::Origin::None) text = tr("No packet bytes at this event.");
    if (m_packet.building && doc) {
        const SkbBuilding& b = *m_packet.building;
        const QString fn = toQString(doc->trace().event_name(doc->event(b.function)));
        note = tr("[being built by %1()]").arg(fn);
        text += b.pushed ? tr(" %1() is building the %2 header: bytes still zero are not written yet.")
                               .arg(fn, skbHeaderName(b.header))
                         : tr(" %1() will push the %2 header in front of these bytes.")
                               .arg(fn, skbHeaderName(b.header));
    }
    m_source->setText(text);
    m_model->setTree(m_packet.root, m_packet.buildingOffset, note);
    m_hex->setBytes(m_packet.bytes);
    // The pushed header's bytes, as many as the push made (the dissection may stop short when
    // the header is still zeros).
    if (m_packet.buildingOffset) m_hex->setBuildingRange(*m_packet.buildingOffset, m_packet.building->length);
    m_tree->expandToDepth(0);
    // Keep the selected bytes selected when the same field still exists (stepping along a packet).
    if (selLength > 0) {
        const QModelIndex again = m_model->indexForByte(selOffset);
        if (again.isValid() && m_model->byteRange(again) == std::pair{selOffset, selLength})
            selectField(again);
    }
}

void PacketView::selectField(const QModelIndex& index) {
    if (!index.isValid()) return;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        m_tree->expand(p);
    m_tree->setCurrentIndex(index);
    m_tree->scrollTo(index);
}

void PacketView::selectByte(int offset) {
    if (offset < 0) return;
    selectField(m_model->indexForByte(size_t(offset)));
}

void PacketView::onCurrentChanged(const QModelIndex& current) {
    const auto [offset, length] = m_model->byteRange(current);
    m_hex->setHighlight(offset, length);
}

} // namespace skbscope::ui
