// The Packet panel's data: which bytes the cursor shows (PacketLocator) and their dissection as an
// item model (PacketModel) over core/wire's DissectField tree, with exact byte ranges so a field
// selects its bytes in the hex dump and a byte selects its field.
//
// The bytes at the cursor: a Wire event's frame when the cursor is on one; else the sk_buff at the
// cursor from skb->data (its snapshot: partial headers while a function builds them, dissected from
// the header that sits at data); else the next Wire event of the cursor's packet.
// SIMPLIFICATION: a snapshot keeps the first kSnapshotBytes (256) of the linear data only, so the
// sk_buff view of a packet shows those bytes; page frags are counted, not shown.
#pragma once
#include <QAbstractItemModel>
#include <QString>

#include <optional>
#include <unordered_map>
#include <vector>

#include "core/wire/describe.h"
#include "ui/skbstate.h"

namespace skbscope::ui {

struct PacketBytes {
    enum class Origin { None, Wire, Skb, NextWire };
    Origin origin = Origin::None;
    uint32_t event = TraceDocument::kNone; // the Wire event, or the event carrying the snapshot
    uint32_t skb = 0;
    std::vector<uint8_t> bytes;
    wire::DissectField root;
    // Skb origin: the header the current function is building, as an offset in `bytes` (pushed)
    // or in front of them (not pushed yet).
    std::optional<SkbBuilding> building;
    std::optional<size_t> buildingOffset; // in bytes, when pushed
    QString description;                  // one sentence: where these bytes come from
};

// Maps a header kind to where dissect_from() starts; nullopt for unknown headers.
std::optional<wire::DissectStart> dissectStartFor(SkbHeader h);

class PacketLocator final {
  public:
    // Indexes the Wire events per packet (flow) once per document.
    void build(const TraceDocumentPtr& doc);
    PacketBytes at(int cursor, const SkbStateIndex& skbs) const;
    // The first Wire event of `flow` at or after `from`, or kNone.
    uint32_t nextWire(uint32_t flow, uint32_t from) const;

  private:
    PacketBytes fromWire(uint32_t event, PacketBytes::Origin origin) const;

    TraceDocumentPtr m_doc;
    std::unordered_map<uint32_t, std::vector<uint32_t>> m_wireByFlow;
};

class PacketModel final : public QAbstractItemModel {
    Q_OBJECT
  public:
    enum Column { Field, Value, ColumnCount };
    enum Role { OffsetRole = Qt::UserRole + 1, LengthRole, BuildingRole };

    explicit PacketModel(QObject* parent = nullptr);

    // Shows the children of root as top-level rows. buildingOffset: the layer starting there is
    // the header being built (bold, marked).
    void setTree(const wire::DissectField& root, std::optional<size_t> buildingOffset = std::nullopt,
                 const QString& buildingNote = {});
    void clear();

    // The innermost field whose bytes cover `offset` (the shortest among siblings), or invalid.
    QModelIndex indexForByte(size_t offset) const;
    // [offset, offset + length) of a field; (0, 0) for an invalid index.
    std::pair<size_t, size_t> byteRange(const QModelIndex& index) const;
    // The top-level row of the header being built, or invalid.
    QModelIndex buildingIndex() const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  private:
    struct Node {
        QString name, value;
        size_t offset = 0, length = 0;
        int parent = -1; // node index, -1 = top level
        int row = 0;
        std::vector<int> children;
    };
    void addNode(const wire::DissectField& f, int parent, int row);
    const Node* node(const QModelIndex& index) const;

    std::vector<Node> m_nodes;
    std::vector<int> m_top;
    int m_building = -1;
    QString m_buildingNote;
};

} // namespace skbscope::ui
