// QueuesView: the "Queues & rings" panel. Per host, every queue the trace recorded (the socket's
// write, retransmission, receive and out-of-order queues, syn/accept queues, the qdisc backlog, the
// ARP queue, the NAPI poll list, the backlog's input_pkt_queue) as a bar with its count and bytes,
// the queue the cursor's event touched highlighted; and each descriptor ring as a circle of slots
// coloured by descriptor state with next_to_use/next_to_clean and the head/tail registers marked.
// State comes from QueueState, geometry from QueuesLayout: the paint code only paints.
#pragma once
#include <QWidget>

#include "ui/queuelayout.h"
#include "ui/queuestate.h"

class QLabel;
class QScrollArea;

namespace skbscope::ui {

class Cursor;
class QueuesCanvas;

class QueuesView final : public QWidget {
    Q_OBJECT
  public:
    explicit QueuesView(Cursor* cursor, QWidget* parent = nullptr);

    const QueueState& state() const { return m_state; }
    const QueuesLayout& layout() const { return m_layout; }
    // The painted area (inside a scroll area); its coordinates are the layout's.
    QWidget* canvas() const;
    // What the canvas shows now: per queue track / ring track, the value at the cursor.
    const std::vector<QueueValue>& queueValues() const { return m_queueValues; }
    const std::vector<RingValue>& ringValues() const { return m_ringValues; }
    int touchedQueue() const { return m_touchedQueue; }
    int touchedRing() const { return m_touchedRing; }

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    friend class QueuesCanvas;
    void onDocumentChanged();
    void onCursorMoved(int index);
    void relayout();

    Cursor* m_cursor;
    QueueState m_state;
    QueuesLayout m_layout;
    std::vector<QueueValue> m_queueValues;
    std::vector<RingValue> m_ringValues;
    int m_touchedQueue = QueueState::kNone, m_touchedRing = QueueState::kNone;
    QScrollArea* m_scroll;
    QueuesCanvas* m_canvas;
};

} // namespace skbscope::ui
