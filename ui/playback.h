// Playback: "play" for a classroom: steps the cursor into the next event at a chosen speed until
// the end of the trace or a breakpoint, like holding F11. A QTimer drives it on the GUI thread;
// each tick is one Cursor step, so every panel animates as it does under the keyboard.
#pragma once
#include <QObject>
#include <QTimer>

namespace skbscope::ui {

class Breakpoints;
class Cursor;

class Playback final : public QObject {
    Q_OBJECT
  public:
    Playback(Cursor* cursor, const Breakpoints* breakpoints, QObject* parent = nullptr);

    // Events per second, 1..1000.
    void setSpeed(int eventsPerSecond);
    int speed() const { return m_speed; }
    bool isPlaying() const { return m_timer.isActive(); }

    void play();
    void pause();
    void toggle();

  signals:
    void playingChanged(bool playing);

  private:
    void tick();

    Cursor* m_cursor;
    const Breakpoints* m_breakpoints;
    QTimer m_timer;
    int m_speed = 10;
};

} // namespace skbscope::ui
