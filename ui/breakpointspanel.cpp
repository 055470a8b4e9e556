// BreakpointsPanel: widgets and wiring; the hit test lives in Breakpoints, the moves in Cursor.
#include "ui/breakpointspanel.h"

#include <QCompleter>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QStringListModel>
#include <QVBoxLayout>

#include <set>

#include "ui/breakpoints.h"
#include "ui/cursor.h"

namespace skbscope::ui {

BreakpointsPanel::BreakpointsPanel(Cursor* cursor, Breakpoints* breakpoints, QWidget* parent)
    : QWidget(parent), m_cursor(cursor), m_breakpoints(breakpoints), m_search(new QLineEdit(this)),
      m_list(new QListWidget(this)), m_message(new QLabel(this)) {
    setObjectName(QStringLiteral("breakpointsPanel"));
    m_search->setObjectName(QStringLiteral("functionSearch"));
    m_search->setPlaceholderText(tr("Function or \"layer tcp\"; Enter finds the next call"));
    m_search->setClearButtonEnabled(true);
    auto* find = new QPushButton(tr("Find next"), this);
    auto* add = new QPushButton(tr("Break"), this);
    add->setToolTip(tr("Stop F5 / play on this function, or on entering this layer"));
    auto* remove = new QPushButton(tr("Remove"), this);
    m_list->setObjectName(QStringLiteral("breakpointList"));
    m_message->setWordWrap(true);

    auto* row = new QHBoxLayout;
    row->addWidget(m_search, 1);
    row->addWidget(find);
    row->addWidget(add);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_message);
    layout->addWidget(m_list, 1);
    layout->addWidget(remove, 0, Qt::AlignRight);

    connect(m_search, &QLineEdit::returnPressed, this, &BreakpointsPanel::findNext);
    connect(find, &QPushButton::clicked, this, &BreakpointsPanel::findNext);
    connect(add, &QPushButton::clicked, this, &BreakpointsPanel::addFromSearch);
    connect(remove, &QPushButton::clicked, this, [this] { m_breakpoints->remove(m_list->currentRow()); });
    connect(m_list, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        m_breakpoints->setEnabled(m_list->row(item), item->checkState() == Qt::Checked);
    });
    connect(m_breakpoints, &Breakpoints::changed, this, &BreakpointsPanel::refill);
    connect(m_cursor, &Cursor::documentChanged, this, &BreakpointsPanel::updateCompleter);
    refill();
    updateCompleter();
}

void BreakpointsPanel::refill() {
    const QSignalBlocker block(m_list);
    m_list->clear();
    for (const Breakpoints::Entry& e : m_breakpoints->entries()) {
        auto* item = new QListWidgetItem(e.label(), m_list);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(e.enabled ? Qt::Checked : Qt::Unchecked);
    }
}

void BreakpointsPanel::updateCompleter() {
    // The functions this trace recorded, then the layers: what a user can type.
    QStringList words;
    if (const auto& doc = m_cursor->document()) {
        std::set<uint32_t> seen;
        for (uint32_t i = 0; i < doc->eventCount(); ++i) {
            const TraceEvent& e = doc->event(i);
            if (e.kind == EventKind::FuncEnter && doc->trace().is_fn(e.name)) seen.insert(e.name);
        }
        for (uint32_t fn : seen) {
            const std::string_view n = fn_info(Fn(fn)).name;
            words << QString::fromLatin1(n.data(), int(n.size()));
        }
    }
    for (unsigned l = 0; l < kLayerCount; ++l) {
        const std::string_view n = layer_name(Layer(l));
        words << QStringLiteral("layer %1").arg(QString::fromLatin1(n.data(), int(n.size())));
    }
    auto* completer = new QCompleter(words, m_search);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_search->setCompleter(completer);
}

bool BreakpointsPanel::findNext() {
    const auto& doc = m_cursor->document();
    const std::string name = m_search->text().trimmed().toStdString();
    const auto fn = fn_from_name(name);
    if (!doc || !fn) {
        m_message->setText(name.empty() ? QString() : tr("No function named \"%1\".").arg(m_search->text().trimmed()));
        return false;
    }
    const uint32_t n = doc->eventCount();
    const uint32_t from = m_cursor->index() < 0 ? 0 : uint32_t(m_cursor->index());
    for (uint32_t k = 1; k <= n; ++k) {
        const uint32_t j = (from + k) % n;
        const TraceEvent& e = doc->event(j);
        if (e.kind == EventKind::FuncEnter && e.name == static_cast<uint32_t>(*fn)) {
            m_message->setText(j <= from ? tr("Wrapped to the first call.") : QString());
            m_cursor->setIndex(int(j));
            return true;
        }
    }
    m_message->setText(tr("%1 is not called in this trace.").arg(m_search->text().trimmed()));
    return false;
}

bool BreakpointsPanel::addFromSearch() {
    const QString text = m_search->text().trimmed();
    if (m_breakpoints->add(text)) {
        m_message->clear();
        return true;
    }
    m_message->setText(text.isEmpty() ? tr("Type a function or a layer first.")
                                      : tr("\"%1\" is not a function or layer, or is already a breakpoint.").arg(text));
    return false;
}

} // namespace skbscope::ui
