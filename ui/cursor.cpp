// Cursor stepping, on the indexes TraceDocument built: each step is a few index look-ups, so it is
// instant on a trace of millions of events. Depth is per context (the recorder keeps one depth per
// execution context), which is why step over and out stay in the cursor's context.
#include "ui/cursor.h"

namespace skbscope::ui {

namespace {
constexpr uint32_t kNone = TraceDocument::kNone;
}

Cursor::Cursor(QObject* parent) : QObject(parent) {}

void Cursor::setDocument(TraceDocumentPtr doc) {
    m_doc = std::move(doc);
    m_index = (m_doc && m_doc->eventCount() > 0) ? 0 : -1;
    emit documentChanged();
    emit cursorMoved(m_index);
}

bool Cursor::setIndex(int index) {
    if (!m_doc || index < 0 || !m_doc->isValid(uint32_t(index))) return false;
    return moveTo(uint32_t(index));
}

bool Cursor::moveTo(uint32_t target) {
    if (!m_doc || target == kNone || !m_doc->isValid(target)) return false;
    if (int(target) == m_index) return false;
    m_index = int(target);
    emit cursorMoved(m_index);
    return true;
}

bool Cursor::stepInto() {
    if (m_index < 0) return false;
    return moveTo(uint32_t(m_index) + 1);
}

bool Cursor::stepBack() {
    if (m_index <= 0) return false;
    return moveTo(uint32_t(m_index) - 1);
}

bool Cursor::stepOver() {
    if (m_index < 0) return false;
    const auto i = uint32_t(m_index);
    const TraceEvent& e = m_doc->event(i);
    uint32_t j = (e.kind == EventKind::FuncEnter && m_doc->matching(i) != kNone) ? m_doc->matching(i)
                                                                                 : m_doc->nextInContext(i);
    while (j != kNone && m_doc->event(j).depth > e.depth) {
        // A deeper function: jump over it whole when its exit was recorded.
        const uint32_t exit = m_doc->event(j).kind == EventKind::FuncEnter ? m_doc->matching(j) : kNone;
        j = m_doc->nextInContext(exit != kNone ? exit : j);
    }
    return moveTo(j);
}

bool Cursor::stepOut() {
    if (m_index < 0) return false;
    const uint32_t frame = m_doc->frameOf(uint32_t(m_index));
    if (frame == kNone) return false;
    const uint32_t exit = m_doc->matching(frame);
    if (exit == kNone) return false; // the trace ends inside this function
    const uint32_t after = m_doc->nextInContext(exit);
    return moveTo(after != kNone ? after : exit);
}

bool Cursor::nextInPacket() {
    return m_index >= 0 && moveTo(m_doc->nextInFlow(uint32_t(m_index)));
}

bool Cursor::previousInPacket() {
    return m_index >= 0 && moveTo(m_doc->previousInFlow(uint32_t(m_index)));
}

} // namespace skbscope::ui
