// Cursor: the current event of a TraceDocument, and the debugger-like stepping over the recorded
// trace. Stepping never runs the simulation: backwards is as cheap as forwards.
// Every move emits cursorMoved; a step that cannot move (end of trace, no packet) returns false.
#pragma once
#include <QObject>

#include "ui/tracedocument.h"

namespace skbscope::ui {

class Breakpoints;

class Cursor final : public QObject {
    Q_OBJECT
  public:
    explicit Cursor(QObject* parent = nullptr);

    // Puts the cursor on the first event (or nowhere when the trace is empty).
    void setDocument(TraceDocumentPtr doc);
    const TraceDocumentPtr& document() const { return m_doc; }

    // The current event, -1 when there is none.
    int index() const { return m_index; }
    // Each move returns whether the cursor moved.
    bool setIndex(int index);

    // into: the next event, whatever its context.
    bool stepInto();
    // over: the next event of the same context at the same depth or shallower, skipping what a
    // function call nests (at a FuncEnter: its FuncExit).
    bool stepOver();
    // out: leave the innermost open frame (the top row of the call stack): the next event of the
    // same context after that function's exit (or the exit itself when nothing follows it).
    bool stepOut();
    // back: the previous event.
    bool stepBack();
    // The next / previous event of the same packet (flow), across contexts and hosts.
    bool nextInPacket();
    bool previousInPacket();
    // PgDn / PgUp: the next event of this context or packet in another layer of the stack (a
    // function entry, a register write, a DMA, an interrupt or a frame on the wire; not a return);
    // back: the first event of the previous layer's run, so PgUp undoes PgDn.
    bool nextLayer();
    bool previousLayer();
    // F5 / Shift+F5: the next (previous) event where a breakpoint hits; with none ahead, F5 goes to
    // the last event (a debugger's "continue" runs to the end) and Shift+F5 to the first.
    bool runForward(const Breakpoints& breakpoints);
    bool runBackward(const Breakpoints& breakpoints);

  signals:
    void cursorMoved(int index);
    void documentChanged();

  private:
    bool moveTo(uint32_t target);
    // Whether event j is a stop for layer stepping from event `from`: same context or packet,
    // another layer, and a kind that marks a place in the stack.
    bool layerStop(const TraceEvent& from, uint32_t j) const;

    TraceDocumentPtr m_doc;
    int m_index = -1;
};

} // namespace skbscope::ui
