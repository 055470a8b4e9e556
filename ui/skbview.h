// SkbView: the sk_buff panel. The buffer of the sk_buff at the cursor drawn to scale (SkbLayout):
// headroom | headers (Ethernet, IP, TCP/UDP coloured) | payload | tailroom | skb_shared_info
// (| page frags), head/data/tail/end as labelled pointers with kernel-like addresses, the header
// marks, len/data_len/truesize/users/cloned/dataref/nr_frags and the clones sharing the data. The
// last operation (skb_push 32, skb_pull 14, ...) is an arrow from the pointer's old place to its
// new one, and the pointer slides there (QVariantAnimation, ~250 ms) when the cursor steps onto it.
#pragma once
#include <QColor>
#include <QWidget>

#include <optional>

#include "ui/skblayout.h"
#include "ui/skbstate.h"

class QLabel;
class QVariantAnimation;

namespace skbscope::ui {

class Cursor;

// The fill of a header kind in the sk_buff and Packet panels.
QColor skbHeaderColor(SkbHeader h);
// The fill of the non-header regions.
QColor skbRegionColor(SkbLayout::Kind k);

// The painted diagram: paintEvent only paints the layout computed in setState()/resizeEvent().
class SkbDiagram final : public QWidget {
    Q_OBJECT
  public:
    explicit SkbDiagram(QWidget* parent = nullptr);

    // animateFrom: the snapshot the pointers slide from (nullptr: no slide).
    void setState(const SkbState* state, const QString& lastOp, const SkbSnapshot* animateFrom);
    void setAnimationsEnabled(bool on) { m_animate = on; }
    // Pointer positions follow progress in [0, 1] from the previous snapshot's offsets.
    void setProgress(double t);

    const SkbLayout* layout() const { return m_layout ? &*m_layout : nullptr; }
    // The buffer box in widget coordinates (x of the layout is relative to its left).
    QRectF bufferRect() const;
    // x in widget coordinates where pointer `name` is drawn now (mid-animation included).
    double pointerX(const QString& name) const;
    bool animating() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  protected:
    void paintEvent(QPaintEvent*) override;
    void resizeEvent(QResizeEvent*) override;

  private:
    void relayout();
    double labelRowHeight() const;

    std::optional<SkbSnapshot> m_snapshot;
    std::optional<SkbSnapshot> m_from;     // where the pointers slide from
    std::optional<SkbSnapshot> m_previous; // the same skb's snapshot before: the last op's arrow
    std::vector<SkbHeaderSpan> m_headers;
    std::optional<SkbHeaderSpan> m_building;
    QString m_lastOp;
    std::optional<SkbLayout> m_layout;
    QVariantAnimation* m_anim;
    double m_progress = 1.0;
    bool m_animate = true;
};

class SkbView final : public QWidget {
    Q_OBJECT
  public:
    explicit SkbView(Cursor* cursor, QWidget* parent = nullptr);

    // Tests turn the pointer slide off so a grab shows the final state.
    void setAnimationsEnabled(bool on) { m_diagram->setAnimationsEnabled(on); }

    const SkbStateIndex& stateIndex() const { return m_index; }
    const SkbState& state() const { return m_state; }
    SkbDiagram* diagram() const { return m_diagram; }
    // For tests: the texts shown.
    QString summaryText() const;
    QString operationText() const;

  private:
    void onDocumentChanged();
    void onCursorMoved(int index);

    Cursor* m_cursor;
    SkbStateIndex m_index;
    SkbState m_state;
    QLabel* m_summary;
    QLabel* m_operation;
    SkbDiagram* m_diagram;
};

} // namespace skbscope::ui
