// Classroom style: Fusion (the same on every desktop), 12 pt, and an explicit palette for the
// active and inactive groups so the current row keeps its colour when focus moves to a dock.
#include "ui/classroomstyle.h"

#include <QApplication>
#include <QLabel>
#include <QPalette>
#include <QStyleFactory>

namespace skbscope::ui {

void applyClassroomStyle(QApplication& app) {
    if (QStyle* fusion = QStyleFactory::create(QStringLiteral("Fusion"))) app.setStyle(fusion);
    QFont font = app.font();
    font.setPointSize(kClassroomPointSize);
    app.setFont(font);

    QPalette p;
    const QColor window(0xf2, 0xf2, 0xf2), text(Qt::black), highlight(0x0b, 0x4f, 0x9c);
    for (QPalette::ColorGroup g : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(g, QPalette::Window, window);
        p.setColor(g, QPalette::WindowText, text);
        p.setColor(g, QPalette::Base, Qt::white);
        p.setColor(g, QPalette::AlternateBase, QColor(0xea, 0xef, 0xf6));
        p.setColor(g, QPalette::Text, text);
        p.setColor(g, QPalette::Button, QColor(0xe4, 0xe4, 0xe4));
        p.setColor(g, QPalette::ButtonText, text);
        p.setColor(g, QPalette::Highlight, highlight);
        p.setColor(g, QPalette::HighlightedText, Qt::white);
        p.setColor(g, QPalette::ToolTipBase, QColor(0xff, 0xff, 0xe0));
        p.setColor(g, QPalette::ToolTipText, text);
    }
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x70, 0x70, 0x70));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x70, 0x70, 0x70));
    app.setPalette(p);
}

QLabel* createPanelCaption(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setContentsMargins(4, 2, 4, 4);
    QFont f = label->font();
    f.setItalic(true);
    label->setFont(f);
    return label;
}

} // namespace skbscope::ui
