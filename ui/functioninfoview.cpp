// FunctionInfoView: labels only (plain text, word-wrapped). The function shown is the innermost
// open frame at the event (for an enter or exit, that function itself).
#include "ui/functioninfoview.h"

#include <QLabel>
#include <QVBoxLayout>

#include "ui/classroomstyle.h"
#include "ui/eventtext.h"

namespace skbscope::ui {

FunctionInfoView::FunctionInfoView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 6);
    layout->addWidget(createPanelCaption(tr("What happens at this event, and the kernel function it "
                                            "happens in."),
                                         this));
    m_event = addLabel(1, false);
    m_function = addLabel(4, true);
    m_source = addLabel(0, false);
    m_explanation = addLabel(1, false);
    m_link = addLabel(0, false);
    m_notes = addLabel(0, false);
    layout->addStretch(1);
    setCurrentEvent(-1);
}

QLabel* FunctionInfoView::addLabel(int pointSizeDelta, bool bold) {
    auto* label = new QLabel(this);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont f = label->font();
    f.setPointSize(f.pointSize() + pointSizeDelta);
    f.setBold(bold);
    label->setFont(f);
    layout()->addWidget(label);
    return label;
}

void FunctionInfoView::setDocument(TraceDocumentPtr doc) {
    m_doc = std::move(doc);
    setCurrentEvent(-1);
}

void FunctionInfoView::setCurrentEvent(int index) {
    if (!m_doc || index < 0 || !m_doc->isValid(uint32_t(index))) {
        m_event->setText(tr("No event selected. Open a trace (File > Open trace...) or run a scenario "
                            "(File > Run scenario...)."));
        m_function->clear();
        m_source->clear();
        m_explanation->clear();
        m_link->clear();
        m_notes->clear();
        return;
    }
    const auto i = uint32_t(index);
    m_event->setText(eventSentence(m_doc->trace(), m_doc->event(i)));

    std::optional<Fn> fn = m_doc->functionOf(m_doc->frameOf(i));
    if (!fn) fn = m_doc->functionOf(i);
    if (!fn) {
        m_function->setText(tr("Not inside a traced function"));
        m_source->clear();
        m_explanation->clear();
        m_link->clear();
        m_notes->clear();
        return;
    }
    const FnInfo& info = fn_info(*fn);
    m_function->setText(tr("%1()  —  %2 layer").arg(toQString(info.name), toQString(layer_name(info.layer))));
    m_source->setText(tr("Source: %1").arg(toQString(info.source_file)));
    m_explanation->setText(toQString(info.explanation));
    const QString link = sourceLink(info);
    m_link->setText(link.isEmpty() ? QString() : tr("Read it: %1").arg(link));

    // The trace's notes inside this call: the enter's own note, then Note events of its frame (in
    // its context, up to its exit; the scan is bounded so a long softirq costs nothing).
    QStringList notes;
    const uint32_t frame = m_doc->frameOf(i);
    if (frame != TraceDocument::kNone) {
        const TraceEvent& enter = m_doc->event(frame);
        if (enter.ref != kNoRef) notes << toQString(m_doc->trace().str(enter.ref));
        const uint32_t exit = m_doc->matching(frame);
        uint32_t j = m_doc->nextInContext(frame);
        for (int scanned = 0; j != TraceDocument::kNone && j != exit && scanned < 2000 && notes.size() < 8;
             ++scanned, j = m_doc->nextInContext(j)) {
            const TraceEvent& e = m_doc->event(j);
            if ((e.kind == EventKind::Note || e.kind == EventKind::Warning) && m_doc->frameOf(j) == frame)
                notes << toQString(m_doc->trace().str(e.ref));
        }
    }
    m_notes->setText(notes.isEmpty() ? QString() : tr("Notes: %1").arg(notes.join(QStringLiteral("; "))));
}

QString FunctionInfoView::sourceLink(const FnInfo& info) {
    const QString file = toQString(info.source_file);
    const QString name = toQString(info.name);
    static const char* kernelDirs[] = {"net/", "drivers/", "include/", "kernel/", "fs/", "arch/", "mm/", "lib/"};
    for (const char* dir : kernelDirs)
        if (file.startsWith(QLatin1String(dir)))
            return QStringLiteral("https://elixir.bootlin.com/linux/v6.18/A/ident/%1").arg(name);
    if (file.startsWith(QLatin1String("glibc "))) {
        return QStringLiteral("https://sourceware.org/git/?p=glibc.git;a=blob;f=%1").arg(file.mid(6));
    }
    return {};
}

QString FunctionInfoView::linkText() const {
    return m_link->text();
}

QString FunctionInfoView::notesText() const {
    return m_notes->text();
}

QString FunctionInfoView::eventText() const {
    return m_event->text();
}

QString FunctionInfoView::functionText() const {
    return m_function->text();
}

QString FunctionInfoView::sourceText() const {
    return m_source->text();
}

QString FunctionInfoView::explanationText() const {
    return m_explanation->text();
}

} // namespace skbscope::ui
