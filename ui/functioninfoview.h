// FunctionInfoView: the current event in plain words and the function it happens in: name, layer,
// the kernel source file it mirrors and the registry's one-line explanation (fn_info), so a
// student reads a sentence, not only a name.
#pragma once
#include <QWidget>

#include "core/trace/tracepoints.h"
#include "ui/tracedocument.h"

class QLabel;

namespace skbscope::ui {

class FunctionInfoView final : public QWidget {
    Q_OBJECT
  public:
    explicit FunctionInfoView(QWidget* parent = nullptr);

    void setDocument(TraceDocumentPtr doc);
    void setCurrentEvent(int index);

    // For tests: the texts shown.
    QString eventText() const;
    QString functionText() const;
    QString sourceText() const;
    QString explanationText() const;
    QString linkText() const;
    QString notesText() const;

    // The online source browser's page for a function of this source file: Elixir for the kernel,
    // sourceware's git for glibc; empty for skbscope's own code (the user program, the lab).
    static QString sourceLink(const FnInfo& info);

  private:
    QLabel* addLabel(int pointSizeDelta, bool bold);

    TraceDocumentPtr m_doc;
    QLabel* m_event;
    QLabel* m_function;
    QLabel* m_source;
    QLabel* m_explanation;
    QLabel* m_link;
    QLabel* m_notes;
};

} // namespace skbscope::ui
