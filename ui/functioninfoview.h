// FunctionInfoView: the current event in plain words and the function it happens in: name, layer,
// the kernel source file it mirrors and the registry's one-line explanation (fn_info), so a
// student reads a sentence, not only a name.
#pragma once
#include <QWidget>

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

  private:
    QLabel* addLabel(int pointSizeDelta, bool bold);

    TraceDocumentPtr m_doc;
    QLabel* m_event;
    QLabel* m_function;
    QLabel* m_source;
    QLabel* m_explanation;
};

} // namespace skbscope::ui
