// Playback: one step per timer tick; stops at the end, on a breakpoint, or when the document goes.
#include "ui/playback.h"

#include <algorithm>

#include "ui/breakpoints.h"
#include "ui/cursor.h"

namespace skbscope::ui {

Playback::Playback(Cursor* cursor, const Breakpoints* breakpoints, QObject* parent)
    : QObject(parent), m_cursor(cursor), m_breakpoints(breakpoints) {
    connect(&m_timer, &QTimer::timeout, this, &Playback::tick);
    connect(m_cursor, &Cursor::documentChanged, this, &Playback::pause);
    setSpeed(m_speed);
}

void Playback::setSpeed(int eventsPerSecond) {
    m_speed = std::clamp(eventsPerSecond, 1, 1000);
    m_timer.setInterval(1000 / m_speed);
}

void Playback::play() {
    if (isPlaying() || !m_cursor->document()) return;
    m_timer.start();
    emit playingChanged(true);
}

void Playback::pause() {
    if (!isPlaying()) return;
    m_timer.stop();
    emit playingChanged(false);
}

void Playback::toggle() {
    isPlaying() ? pause() : play();
}

void Playback::tick() {
    if (!m_cursor->stepInto()) {
        pause();
        return;
    }
    const int i = m_cursor->index();
    if (m_breakpoints && i >= 0 && m_breakpoints->hits(*m_cursor->document(), uint32_t(i))) pause();
}

} // namespace skbscope::ui
