// The classroom look: a large default font and a high-contrast palette (black on white, a strong
// blue for the current row, also when the view has no focus) so a projector at the back of a room
// stays readable; and the one-sentence caption every panel starts with (USERS.md).
#pragma once
#include <QString>

class QApplication;
class QLabel;
class QWidget;

namespace skbscope::ui {

constexpr int kClassroomPointSize = 12;

void applyClassroomStyle(QApplication& app);
// A word-wrapped sentence saying what a panel shows.
QLabel* createPanelCaption(const QString& text, QWidget* parent);

} // namespace skbscope::ui
