// Cursor stepping, on the indexes TraceDocument built: each step is a few index look-ups, so it is
// instant on a trace of millions of events. Depth is per context (the recorder keeps one depth per
// execution context), which is why step over and out stay in the cursor's context.
#include "ui/cursor.h"

#include "ui/breakpoints.h"

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

bool Cursor::layerStop(const TraceEvent& from, uint32_t j) const {
    const TraceEvent& e = m_doc->event(j);
    const bool related = e.ctx == from.ctx || (from.flow != 0 && e.flow == from.flow);
    if (!related || e.layer == from.layer) return false;
    switch (e.kind) {
    case EventKind::FuncEnter:
    case EventKind::Reg:
    case EventKind::Dma:
    case EventKind::Irq:
    case EventKind::Wire:
        return true;
    default:
        return false;
    }
}

bool Cursor::nextLayer() {
    if (m_index < 0) return false;
    const TraceEvent from = m_doc->event(uint32_t(m_index));
    for (uint32_t j = uint32_t(m_index) + 1; j < m_doc->eventCount(); ++j)
        if (layerStop(from, j)) return moveTo(j);
    return false;
}

bool Cursor::previousLayer() {
    if (m_index <= 0) return false;
    const TraceEvent from = m_doc->event(uint32_t(m_index));
    uint32_t j = uint32_t(m_index);
    while (j > 0 && !layerStop(from, j - 1)) --j;
    if (j == 0) return false;
    uint32_t start = j - 1; // an event of the previous layer; walk back to the start of its run
    const TraceEvent run = m_doc->event(start);
    for (uint32_t k = start; k > 0; --k) {
        const TraceEvent& e = m_doc->event(k - 1);
        const bool related = e.ctx == run.ctx || (run.flow != 0 && e.flow == run.flow);
        if (!related) continue;
        if (e.layer != run.layer) break;
        if (layerStop(from, k - 1)) start = k - 1;
    }
    return moveTo(start);
}

bool Cursor::runForward(const Breakpoints& breakpoints) {
    if (m_index < 0) return false;
    for (uint32_t j = uint32_t(m_index) + 1; j < m_doc->eventCount(); ++j)
        if (breakpoints.hits(*m_doc, j)) return moveTo(j);
    return moveTo(m_doc->eventCount() - 1);
}

bool Cursor::runBackward(const Breakpoints& breakpoints) {
    if (m_index <= 0) return false;
    for (uint32_t j = uint32_t(m_index); j-- > 0;)
        if (breakpoints.hits(*m_doc, j)) return moveTo(j);
    return moveTo(0);
}

} // namespace skbscope::ui
