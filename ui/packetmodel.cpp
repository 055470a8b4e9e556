// PacketLocator and PacketModel: the bytes at the cursor and their dissection tree. The model keeps
// the tree flat (one Node per field, parent/children by index) so index()/parent() are O(1).
#include "ui/packetmodel.h"

#include <QBrush>
#include <QFont>

#include <algorithm>

#include "ui/eventtext.h"

namespace skbscope::ui {

std::optional<wire::DissectStart> dissectStartFor(SkbHeader h) {
    switch (h) {
    case SkbHeader::Ethernet:
        return wire::DissectStart::Ethernet;
    case SkbHeader::Arp:
        return wire::DissectStart::Arp;
    case SkbHeader::Ipv4:
        return wire::DissectStart::Ipv4;
    case SkbHeader::Tcp:
        return wire::DissectStart::Tcp;
    case SkbHeader::Udp:
        return wire::DissectStart::Udp;
    case SkbHeader::Icmp:
        return wire::DissectStart::Icmp;
    case SkbHeader::Other:
        break;
    }
    return std::nullopt;
}

// ---- PacketLocator ----

void PacketLocator::build(const TraceDocumentPtr& doc) {
    m_doc = doc;
    m_wireByFlow.clear();
    if (!doc) return;
    for (uint32_t i = 0; i < doc->eventCount(); ++i) {
        const TraceEvent& e = doc->event(i);
        if (e.kind == EventKind::Wire && e.flow != 0) m_wireByFlow[e.flow].push_back(i);
    }
}

uint32_t PacketLocator::nextWire(uint32_t flow, uint32_t from) const {
    const auto it = m_wireByFlow.find(flow);
    if (it == m_wireByFlow.end()) return TraceDocument::kNone;
    const auto w = std::lower_bound(it->second.begin(), it->second.end(), from);
    return w == it->second.end() ? TraceDocument::kNone : *w;
}

PacketBytes PacketLocator::fromWire(uint32_t event, PacketBytes::Origin origin) const {
    PacketBytes out;
    const Trace& t = m_doc->trace();
    const TraceEvent& e = m_doc->event(event);
    if (e.ref2 >= t.blob_count()) return out;
    const auto frame = t.blob(e.ref2);
    out.origin = origin;
    out.event = event;
    out.bytes.assign(frame.begin(), frame.end());
    out.root = wire::dissect_frame(out.bytes);
    const QString link = toQString(t.str(e.ref));
    out.description =
        origin == PacketBytes::Origin::Wire
            ? QObject::tr("The frame on link %1 (event %2), as the wire carries it.").arg(link).arg(event)
            : QObject::tr("No sk_buff here: the packet's next frame on the wire, on link %1 (event %2).")
                  .arg(link)
                  .arg(event);
    return out;
}

PacketBytes PacketLocator::at(int cursor, const SkbStateIndex& skbs) const {
    if (!m_doc || cursor < 0 || !m_doc->isValid(uint32_t(cursor))) return {};
    const auto c = uint32_t(cursor);
    const TraceEvent& e = m_doc->event(c);
    if (e.kind == EventKind::Wire) return fromWire(c, PacketBytes::Origin::Wire);

    const SkbState st = skbs.stateAt(cursor);
    if (st.valid()) {
        PacketBytes out;
        out.origin = PacketBytes::Origin::Skb;
        out.event = st.event;
        out.skb = st.skb;
        out.bytes.assign(st.bytes.begin(), st.bytes.end());
        const SkbSnapshot& s = *st.snapshot;
        const auto atData = std::find_if(st.headers.begin(), st.headers.end(),
                                         [&](const SkbHeaderSpan& h) { return h.offset == s.data; });
        auto start = atData == st.headers.end() ? std::nullopt : dissectStartFor(atData->header);
        if (!start && atData == st.headers.end() && !out.bytes.empty()) {
            // No header mark at skb->data yet (between eth_type_trans's pull and
            // skb_reset_network_header): skb->protocol says what follows the link header.
            const uint16_t proto = s.protocol == 0x0008 || s.protocol == 0x0608 ? uint16_t(s.protocol << 8 | s.protocol >> 8)
                                                                               : s.protocol;
            const auto& b = out.bytes;
            // Snapshots taken before eth_type_trans sets skb->protocol: recognise the bytes (an
            // IPv4 header's version and length, ARP's Ethernet/IPv4 hardware and protocol types).
            const bool looksIpv4 = (b[0] >> 4) == 4 && (b[0] & 0x0f) >= 5 && b.size() >= 20;
            const bool looksArp = b.size() >= 8 && b[0] == 0 && b[1] == 1 && b[2] == 0x08 && b[3] == 0;
            if ((proto == 0x0800 || proto == 0) && looksIpv4) start = wire::DissectStart::Ipv4;
            else if ((proto == 0x0806 || proto == 0) && looksArp) start = wire::DissectStart::Arp;
        }
        if (start) {
            out.root = wire::dissect_from(out.bytes, *start);
        } else {
            const size_t n = out.bytes.size();
            const std::string what = atData == st.headers.end() ? "Data" : "Header (unknown)";
            out.root = wire::DissectField{"Packet",
                                          std::to_string(n) + " bytes",
                                          0,
                                          n,
                                          {wire::DissectField{what, std::to_string(n) + " bytes", 0, n, {}}}};
        }
        out.building = st.building;
        if (st.building && st.building->pushed && st.building->offset >= s.data)
            out.buildingOffset = st.building->offset - s.data;
        const uint32_t linear = s.len - std::min(s.len, s.data_len);
        out.description =
            QObject::tr("skb %1 from skb->data (%2): %3 of %4 linear bytes%5.")
                .arg(st.skb)
                .arg(formatAddress(s.head_addr + s.data))
                .arg(out.bytes.size())
                .arg(linear)
                .arg(s.data_len ? QObject::tr(", %1 more in page frags").arg(s.data_len) : QString());
        return out;
    }
    if (e.flow != 0) {
        const uint32_t w = nextWire(e.flow, c);
        if (w != TraceDocument::kNone) return fromWire(w, PacketBytes::Origin::NextWire);
    }
    return {};
}

// ---- PacketModel ----

PacketModel::PacketModel(QObject* parent) : QAbstractItemModel(parent) {}

void PacketModel::clear() {
    beginResetModel();
    m_nodes.clear();
    m_top.clear();
    m_building = -1;
    m_buildingNote.clear();
    endResetModel();
}

void PacketModel::setTree(const wire::DissectField& root, std::optional<size_t> buildingOffset,
                          const QString& buildingNote) {
    beginResetModel();
    m_nodes.clear();
    m_top.clear();
    m_building = -1;
    m_buildingNote = buildingNote;
    for (size_t r = 0; r < root.children.size(); ++r) {
        m_top.push_back(int(m_nodes.size()));
        addNode(root.children[r], -1, int(r));
    }
    if (buildingOffset)
        for (int t : m_top)
            if (m_nodes[size_t(t)].offset == *buildingOffset) {
                m_building = t;
                break;
            }
    endResetModel();
}

void PacketModel::addNode(const wire::DissectField& f, int parent, int row) {
    const int me = int(m_nodes.size());
    Node n;
    n.name = QString::fromStdString(f.name);
    n.value = QString::fromStdString(f.value);
    n.offset = f.offset;
    n.length = f.length;
    n.parent = parent;
    n.row = row;
    m_nodes.push_back(std::move(n));
    for (size_t r = 0; r < f.children.size(); ++r) {
        m_nodes[size_t(me)].children.push_back(int(m_nodes.size()));
        addNode(f.children[r], me, int(r));
    }
}

const PacketModel::Node* PacketModel::node(const QModelIndex& index) const {
    if (!index.isValid() || index.model() != this || index.internalId() >= m_nodes.size()) return nullptr;
    return &m_nodes[index.internalId()];
}

QModelIndex PacketModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= ColumnCount) return {};
    const std::vector<int>* rows = &m_top;
    if (parent.isValid()) {
        const Node* p = node(parent);
        if (!p || parent.column() != 0) return {};
        rows = &p->children;
    }
    if (size_t(row) >= rows->size()) return {};
    return createIndex(row, column, quintptr((*rows)[size_t(row)]));
}

QModelIndex PacketModel::parent(const QModelIndex& child) const {
    const Node* n = node(child);
    if (!n || n->parent < 0) return {};
    return createIndex(m_nodes[size_t(n->parent)].row, 0, quintptr(n->parent));
}

int PacketModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) return int(m_top.size());
    const Node* n = node(parent);
    return n && parent.column() == 0 ? int(n->children.size()) : 0;
}

int PacketModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant PacketModel::data(const QModelIndex& index, int role) const {
    const Node* n = node(index);
    if (!n) return {};
    const bool building = int(index.internalId()) == m_building;
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == Field) return n->name;
        if (building && !m_buildingNote.isEmpty())
            return n->value.isEmpty() ? m_buildingNote : n->value + QStringLiteral("  ") + m_buildingNote;
        return n->value;
    case Qt::ToolTipRole:
        return tr("bytes %1 to %2 (%3 bytes)").arg(n->offset).arg(n->offset + n->length).arg(n->length);
    case Qt::FontRole:
        if (building) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::ForegroundRole:
        if (building) return QBrush(QColor(0xa0, 0x00, 0x00));
        return {};
    case OffsetRole:
        return qulonglong(n->offset);
    case LengthRole:
        return qulonglong(n->length);
    case BuildingRole:
        return building;
    default:
        return {};
    }
}

QVariant PacketModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    if (section == Field) return tr("Field");
    if (section == Value) return tr("Value");
    return {};
}

QModelIndex PacketModel::indexForByte(size_t offset) const {
    const std::vector<int>* rows = &m_top;
    QModelIndex found;
    for (;;) {
        int best = -1;
        for (int id : *rows) {
            const Node& n = m_nodes[size_t(id)];
            if (offset < n.offset || offset - n.offset >= n.length) continue;
            if (best < 0 || n.length < m_nodes[size_t(best)].length) best = id;
        }
        if (best < 0) return found;
        found = createIndex(m_nodes[size_t(best)].row, 0, quintptr(best));
        rows = &m_nodes[size_t(best)].children;
    }
}

std::pair<size_t, size_t> PacketModel::byteRange(const QModelIndex& index) const {
    const Node* n = node(index);
    return n ? std::pair{n->offset, n->length} : std::pair<size_t, size_t>{0, 0};
}

QModelIndex PacketModel::buildingIndex() const {
    if (m_building < 0) return {};
    return createIndex(m_nodes[size_t(m_building)].row, 0, quintptr(m_building));
}

} // namespace skbscope::ui
