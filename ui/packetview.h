// PacketView: the Packet panel. The bytes at the cursor (PacketLocator: a frame on the wire, or the
// sk_buff from skb->data while the stack builds it) as a dissection tree (PacketModel in a
// QTreeView) above a hex dump (HexDumpView). Selecting a field highlights its bytes; clicking a
// byte selects the innermost field that covers it, as Wireshark does. The header the current
// function is building is bold in the tree and tinted in the dump.
#pragma once
#include <QWidget>

#include "ui/packetmodel.h"
#include "ui/skbstate.h"

class QLabel;
class QTreeView;

namespace skbscope::ui {

class Cursor;
class HexDumpView;

class PacketView final : public QWidget {
    Q_OBJECT
  public:
    explicit PacketView(Cursor* cursor, QWidget* parent = nullptr);

    PacketModel* model() const { return m_model; }
    QTreeView* tree() const { return m_tree; }
    HexDumpView* hexDump() const { return m_hex; }
    const PacketBytes& packet() const { return m_packet; }
    QString sourceText() const;

    // Selects a field (and highlights its bytes) / selects the field of a byte.
    void selectField(const QModelIndex& index);
    void selectByte(int offset);

  private:
    void onDocumentChanged();
    void onCursorMoved(int index);
    void onCurrentChanged(const QModelIndex& current);

    Cursor* m_cursor;
    SkbStateIndex m_skbs;
    PacketLocator m_locator;
    PacketBytes m_packet;
    PacketModel* m_model;
    QLabel* m_source;
    QTreeView* m_tree;
    HexDumpView* m_hex;
};

} // namespace skbscope::ui
