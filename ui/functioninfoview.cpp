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
        return;
    }
    const FnInfo& info = fn_info(*fn);
    m_function->setText(tr("%1()  —  %2 layer").arg(toQString(info.name), toQString(layer_name(info.layer))));
    m_source->setText(tr("Source: %1").arg(toQString(info.source_file)));
    m_explanation->setText(toQString(info.explanation));
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
