// dissect_frame(): the layered field tree behind the packet-bytes panel (Wireshark's packet
// details). Every field is added only after its byte range is checked against the frame, so any
// bytes, however broken, give a tree and never an out-of-bounds read. dissect_from() starts the same
// tree at an inner header, for an sk_buff seen from skb->data.
#include "core/wire/arp.h"
#include "core/wire/bytes.h"
#include "core/wire/checksum.h"
#include "core/wire/describe.h"
#include "core/wire/ethernet.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "core/wire/tcp.h"
#include "core/wire/udp.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace skbscope::wire {

namespace {

std::string hex(uint32_t v, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%0*x", digits, v);
    return buf;
}

std::string dec_hex16(uint16_t v) {
    return hex(v, 4) + " (" + std::to_string(v) + ")";
}

std::string hex_bytes(std::span<const uint8_t> b) {
    std::string s;
    for (uint8_t x : b) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", x);
        s += buf;
    }
    return s;
}

std::string csum_status(uint16_t stored, uint16_t computed) {
    if (stored == computed) return hex(stored, 4) + " [correct]";
    return hex(stored, 4) + " [incorrect, should be " + hex(computed, 4) + "]";
}

// Adds fields to one layer node, each only if its bytes lie inside the frame.
class Layer {
  public:
    Layer(std::span<const uint8_t> frame, DissectField& node) : m_frame(frame), m_node(node) {}

    bool fits(size_t off, size_t len) const { return off <= m_frame.size() && len <= m_frame.size() - off; }

    // Adds a leaf; value() runs only when the range fits. Returns nullptr (and marks the layer
    // truncated) when it does not.
    DissectField* add(std::string name, size_t off, size_t len, const std::function<std::string()>& value) {
        if (!fits(off, len)) {
            mark_truncated();
            return nullptr;
        }
        m_node.children.push_back(DissectField{std::move(name), value(), off, len, {}});
        return &m_node.children.back();
    }

    void mark_truncated() {
        if (m_truncated) return;
        m_truncated = true;
        const size_t avail = m_frame.size() > m_node.offset ? m_frame.size() - m_node.offset : 0;
        m_node.value += (m_node.value.empty() ? "" : " ") + std::string("[truncated: ") +
                        std::to_string(avail) + " of " + std::to_string(m_node.length) + " bytes]";
        m_node.length = avail;
    }
    void note(const std::string& text) { m_node.value += (m_node.value.empty() ? "" : " ") + text; }
    bool truncated() const { return m_truncated; }
    DissectField& node() { return m_node; }

  private:
    std::span<const uint8_t> m_frame;
    DissectField& m_node;
    bool m_truncated = false;
};

DissectField& new_layer(DissectField& root, std::string name, size_t off, size_t len) {
    root.children.push_back(DissectField{std::move(name), "", off, len, {}});
    return root.children.back();
}

void add_payload(DissectField& root, std::span<const uint8_t> f, size_t off, size_t end, const char* name) {
    if (end <= off || end > f.size()) return;
    new_layer(root, name, off, end - off).value = std::to_string(end - off) + " bytes";
}

// ---- Ethernet / ARP ----

size_t dissect_ethernet(DissectField& root, std::span<const uint8_t> f, uint16_t* type) {
    DissectField& node = new_layer(root, "Ethernet II", 0, ETH_HLEN);
    Layer l(f, node);
    auto mac = [&](size_t off) {
        return [&f, off] { return MacAddr::from_bytes(f.subspan(off, 6)).to_string(); };
    };
    l.add("Destination", 0, 6, mac(0));
    l.add("Source", 6, 6, mac(6));
    if (l.add("Type", 12, 2,
              [&] { return ethertype_name(get_be16(f, 12)) + " (" + hex(get_be16(f, 12), 4) + ")"; })) {
        *type = get_be16(f, 12);
        l.note("Src: " + node.children[1].value + ", Dst: " + node.children[0].value);
        return ETH_HLEN;
    }
    return 0;
}

void dissect_arp(DissectField& root, std::span<const uint8_t> f, size_t o) {
    DissectField& node = new_layer(root, "Address Resolution Protocol", o, ARP_ETH_IP_LEN);
    Layer l(f, node);
    l.add("Hardware type", o, 2, [&] { return dec_hex16(get_be16(f, o)); });
    l.add("Protocol type", o + 2, 2,
          [&] { return ethertype_name(get_be16(f, o + 2)) + " (" + hex(get_be16(f, o + 2), 4) + ")"; });
    const bool sizes = l.fits(o + 4, 2);
    l.add("Hardware size", o + 4, 1, [&] { return std::to_string(f[o + 4]); });
    l.add("Protocol size", o + 5, 1, [&] { return std::to_string(f[o + 5]); });
    if (!l.add("Opcode", o + 6, 2, [&] {
            const uint16_t op = get_be16(f, o + 6);
            return std::string(op == ARPOP_REQUEST ? "request"
                               : op == ARPOP_REPLY ? "reply"
                                                   : "unknown") +
                   " (" + std::to_string(op) + ")";
        }))
        return;
    if (!sizes) return;
    const size_t h = f[o + 4], p = f[o + 5];
    node.length = ARP_HDR_LEN + 2 * h + 2 * p;
    auto hw = [&](size_t off) {
        return [&f, off, h] {
            return h == 6 ? MacAddr::from_bytes(f.subspan(off, 6)).to_string() : hex_bytes(f.subspan(off, h));
        };
    };
    auto pa = [&](size_t off) {
        return [&f, off, p] {
            return p == 4 ? Ipv4Addr::from_bytes(f.subspan(off, 4)).to_string()
                          : hex_bytes(f.subspan(off, p));
        };
    };
    size_t off = o + ARP_HDR_LEN;
    l.add("Sender MAC address", off, h, hw(off));
    l.add("Sender IP address", off + h, p, pa(off + h));
    l.add("Target MAC address", off + h + p, h, hw(off + h + p));
    l.add("Target IP address", off + 2 * h + p, p, pa(off + 2 * h + p));
    if (!l.truncated()) add_payload(root, f, o + node.length, f.size(), "Padding");
}

// ---- IPv4 ----

// Returns the end of the IPv4 packet (start of trailer) and sets *l4 to the payload start, or
// returns 0 when the header cannot be trusted.
size_t dissect_ipv4(DissectField& parent, std::span<const uint8_t> f, size_t o, size_t* l4, bool quoted) {
    DissectField& node =
        new_layer(parent, quoted ? "Internet Protocol Version 4 (quoted)" : "Internet Protocol Version 4", o,
                  IPV4_MIN_HLEN);
    Layer l(f, node);
    if (!l.add("Version", o, 1, [&] { return std::to_string(f[o] >> 4); })) return 0;
    const size_t hl = (f[o] & 0x0fu) * 4u;
    l.add("Header Length", o, 1,
          [&] { return std::to_string(hl) + " bytes (" + std::to_string(hl / 4) + ")"; });
    l.add("Type of Service", o + 1, 1, [&] { return hex(f[o + 1], 2); });
    l.add("Total Length", o + 2, 2, [&] { return std::to_string(get_be16(f, o + 2)); });
    l.add("Identification", o + 4, 2, [&] { return dec_hex16(get_be16(f, o + 4)); });
    if (DissectField* flags = l.add("Flags", o + 6, 1, [&] {
            const uint8_t b = f[o + 6] >> 5;
            std::string s = hex(b, 1);
            if (b & 0x2) s += ", Don't fragment";
            if (b & 0x1) s += ", More fragments";
            return s;
        })) {
        const uint8_t b = f[o + 6];
        auto bit = [&](const char* name, uint8_t mask) {
            flags->children.push_back(DissectField{name, (b & mask) ? "Set" : "Not set", o + 6, 1, {}});
        };
        bit("Reserved bit", 0x80);
        bit("Don't fragment", 0x40);
        bit("More fragments", 0x20);
    }
    l.add("Fragment Offset", o + 6, 2, [&] { return std::to_string((get_be16(f, o + 6) & IP_OFFSET) * 8); });
    l.add("Time to Live", o + 8, 1, [&] { return std::to_string(f[o + 8]); });
    l.add("Protocol", o + 9, 1,
          [&] { return ip_proto_name(f[o + 9]) + " (" + std::to_string(f[o + 9]) + ")"; });
    const bool header_ok = hl >= IPV4_MIN_HLEN && l.fits(o, hl);
    l.add("Header Checksum", o + 10, 2, [&] {
        if (!header_ok) return hex(get_be16(f, o + 10), 4) + " [unverified]";
        return csum_status(get_be16(f, o + 10), Ipv4View(f.subspan(o, hl)).compute_checksum());
    });
    l.add("Source Address", o + 12, 4,
          [&] { return Ipv4Addr::from_bytes(f.subspan(o + 12, 4)).to_string(); });
    if (!l.add("Destination Address", o + 16, 4,
               [&] { return Ipv4Addr::from_bytes(f.subspan(o + 16, 4)).to_string(); }))
        return 0;
    l.note("Src: " + node.children[node.children.size() - 2].value + ", Dst: " + node.children.back().value);
    if ((f[o] >> 4) != 4) l.note("[bogus version]");
    if (hl < IPV4_MIN_HLEN) {
        l.note("[bogus header length " + std::to_string(hl) + ", must be >= 20]");
        return 0;
    }
    node.length = hl;
    if (hl > IPV4_MIN_HLEN)
        l.add("Options", o + 20, hl - 20, [&] { return std::to_string(hl - 20) + " bytes"; });
    if (l.truncated()) return 0;
    *l4 = o + hl;
    const size_t tot = get_be16(f, o + 2);
    if (quoted) return f.size();
    if (tot < hl) {
        l.note("[bogus total length " + std::to_string(tot) + " < header length]");
        return 0;
    }
    if (o + tot > f.size()) {
        l.note("[total length " + std::to_string(tot) + " > " + std::to_string(f.size() - o) +
               " bytes captured]");
        return f.size();
    }
    return o + tot;
}

// ---- ICMP / UDP / TCP ----

void dissect_icmp(DissectField& root, std::span<const uint8_t> f, size_t o, size_t end) {
    DissectField& node = new_layer(root, "Internet Control Message Protocol", o, ICMP_HDR_LEN);
    Layer l(f, node);
    if (!l.add("Type", o, 1, [&] { return std::to_string(f[o]); })) return;
    const uint8_t type = f[o];
    if (!l.add("Code", o + 1, 1, [&] { return std::to_string(f[o + 1]); })) return;
    const uint8_t code = f[o + 1];
    node.value = icmp_type_name(type, code);
    node.children[0].value += " (" + icmp_type_name(type, code) + ")";
    l.add("Checksum", o + 2, 2, [&] {
        if (end > f.size() || end < o + ICMP_HDR_LEN) return hex(get_be16(f, o + 2), 4) + " [unverified]";
        InetChecksum c;
        c.add(f.subspan(o, 2));
        c.add(f.subspan(o + 4, end - o - 4));
        return csum_status(get_be16(f, o + 2), c.finish());
    });
    if (type == IcmpType::Echo || type == IcmpType::EchoReply) {
        l.add("Identifier", o + 4, 2, [&] { return dec_hex16(get_be16(f, o + 4)); });
        l.add("Sequence Number", o + 6, 2, [&] { return std::to_string(get_be16(f, o + 6)); });
        if (!l.truncated()) add_payload(root, f, o + ICMP_HDR_LEN, end, "Payload");
        return;
    }
    if (type == IcmpType::DestUnreach && code == IcmpCode::FragNeeded) {
        l.add("Unused", o + 4, 2, [&] { return hex(get_be16(f, o + 4), 4); });
        l.add("Next-hop MTU", o + 6, 2, [&] { return std::to_string(get_be16(f, o + 6)); });
    } else {
        l.add("Unused", o + 4, 4, [&] { return hex(get_be32(f, o + 4), 8); });
    }
    if (l.truncated()) return;
    if (type == IcmpType::DestUnreach || type == IcmpType::TimeExceeded) {
        size_t l4 = 0;
        const std::span<const uint8_t> msg = f.first(end);
        if (dissect_ipv4(node, msg, o + ICMP_HDR_LEN, &l4, true) != 0 && l4 < end)
            node.children.push_back(
                DissectField{"Quoted data", std::to_string(end - l4) + " bytes", l4, end - l4, {}});
        return;
    }
    add_payload(root, f, o + ICMP_HDR_LEN, end, "Payload");
}

// have_addrs: false when the IPv4 addresses of the pseudo-header are not known (dissect_from()
// starting at this header); the checksum is then "[unverified]".
void dissect_udp(DissectField& root, std::span<const uint8_t> f, size_t o, size_t end, Ipv4Addr s, Ipv4Addr d,
                 bool have_addrs = true) {
    DissectField& node = new_layer(root, "User Datagram Protocol", o, UDP_HDR_LEN);
    Layer l(f, node);
    l.add("Source Port", o, 2, [&] { return std::to_string(get_be16(f, o)); });
    l.add("Destination Port", o + 2, 2, [&] { return std::to_string(get_be16(f, o + 2)); });
    l.add("Length", o + 4, 2, [&] { return std::to_string(get_be16(f, o + 4)); });
    l.add("Checksum", o + 6, 2, [&] {
        const uint16_t stored = get_be16(f, o + 6);
        const size_t len = get_be16(f, o + 4);
        if (stored == 0) return std::string("0x0000 [none]");
        if (!have_addrs || len < UDP_HDR_LEN || o + len > end) return hex(stored, 4) + " [unverified]";
        InetChecksum c;
        c.add(f.subspan(o, 6));
        c.add(f.subspan(o + 8, len - 8));
        uint16_t computed = csum_fold(uint64_t{c.folded()} +
                                      csum_tcpudp_nofold(s, d, static_cast<uint16_t>(len), IpProto::Udp));
        if (computed == 0) computed = 0xffff;
        return csum_status(stored, computed);
    });
    if (l.truncated()) return;
    const size_t len = get_be16(f, o + 4);
    l.note("Src Port: " + node.children[0].value + ", Dst Port: " + node.children[1].value);
    if (len < UDP_HDR_LEN || o + len > end) {
        l.note("[bogus length " + std::to_string(len) + "]");
        add_payload(root, f, o + UDP_HDR_LEN, end, "Payload");
        return;
    }
    add_payload(root, f, o + UDP_HDR_LEN, o + len, "Payload");
}

void dissect_tcp_options(DissectField& opts, std::span<const uint8_t> f, size_t o, size_t end) {
    size_t i = o;
    while (i < end) {
        const uint8_t kind = f[i];
        if (kind == TcpOptKind::Eol) {
            opts.children.push_back(DissectField{"End of Option List (EOL)", "", i, end - i, {}});
            return;
        }
        if (kind == TcpOptKind::Nop) {
            opts.children.push_back(DissectField{"No-Operation (NOP)", "", i, 1, {}});
            ++i;
            continue;
        }
        const size_t len = i + 1 < end ? f[i + 1] : 0;
        if (len < 2 || i + len > end) {
            opts.children.push_back(
                DissectField{"Malformed option",
                             "kind " + std::to_string(kind) + ", length " + std::to_string(len),
                             i,
                             end - i,
                             {}});
            opts.value += " [malformed]";
            return;
        }
        // Reuse the strict parser on this one option for its value.
        auto parsed = parse_tcp_options(f.subspan(i, len));
        DissectField field{"Kind " + std::to_string(kind), "", i, len, {}};
        if (!parsed || parsed->size() != 1) {
            field.value = "[malformed: length " + std::to_string(len) + "]";
        } else {
            const TcpOption& op = parsed->front();
            switch (kind) {
            case TcpOptKind::Mss:
                field.name = "Maximum segment size";
                field.value = std::to_string(op.mss) + " bytes";
                break;
            case TcpOptKind::WScale:
                field.name = "Window scale";
                field.value = std::to_string(op.wscale) + " (" + op.to_string() + ")";
                break;
            case TcpOptKind::SackPerm:
                field.name = "SACK permitted";
                break;
            case TcpOptKind::Sack:
                field.name = "SACK";
                field.value = op.to_string();
                break;
            case TcpOptKind::Timestamp:
                field.name = "Timestamps";
                field.value = op.to_string();
                break;
            default:
                field.value = hex_bytes(op.data);
                break;
            }
        }
        opts.children.push_back(std::move(field));
        i += len;
    }
}

void dissect_tcp(DissectField& root, std::span<const uint8_t> f, size_t o, size_t end, Ipv4Addr s, Ipv4Addr d,
                 bool have_addrs = true) {
    DissectField& node = new_layer(root, "Transmission Control Protocol", o, TCP_HDR_LEN);
    Layer l(f, node);
    l.add("Source Port", o, 2, [&] { return std::to_string(get_be16(f, o)); });
    l.add("Destination Port", o + 2, 2, [&] { return std::to_string(get_be16(f, o + 2)); });
    l.add("Sequence Number", o + 4, 4, [&] { return std::to_string(get_be32(f, o + 4)); });
    l.add("Acknowledgment Number", o + 8, 4, [&] { return std::to_string(get_be32(f, o + 8)); });
    const size_t hl = l.fits(o + 12, 1) ? (f[o + 12] >> 4) * 4u : 0;
    l.add("Header Length", o + 12, 1,
          [&] { return std::to_string(hl) + " bytes (" + std::to_string(hl / 4) + ")"; });
    if (DissectField* flags = l.add("Flags", o + 12, 2, [&] {
            return hex(get_be16(f, o + 12) & 0x0fff, 3) + " " + tcp_flags_to_string(f[o + 13]);
        })) {
        static const char* const names[8] = {"Fin",
                                             "Syn",
                                             "Reset",
                                             "Push",
                                             "Acknowledgment",
                                             "Urgent",
                                             "ECN-Echo",
                                             "Congestion Window Reduced"};
        for (int b = 7; b >= 0; --b)
            flags->children.push_back(
                DissectField{names[b], (f[o + 13] & (1u << b)) ? "Set" : "Not set", o + 13, 1, {}});
    }
    l.add("Window", o + 14, 2, [&] { return std::to_string(get_be16(f, o + 14)); });
    l.add("Checksum", o + 16, 2, [&] {
        if (!have_addrs || end > f.size() || end - o > 0xffff)
            return hex(get_be16(f, o + 16), 4) + " [unverified]";
        InetChecksum c;
        c.add(f.subspan(o, 16));
        c.add(f.subspan(o + 18, end - o - 18));
        return csum_status(get_be16(f, o + 16),
                           csum_fold(uint64_t{c.folded()} +
                                     csum_tcpudp_nofold(s, d, static_cast<uint16_t>(end - o), IpProto::Tcp)));
    });
    l.add("Urgent Pointer", o + 18, 2, [&] { return std::to_string(get_be16(f, o + 18)); });
    if (l.truncated()) return;
    l.note("Src Port: " + node.children[0].value + ", Dst Port: " + node.children[1].value +
           ", Seq: " + node.children[2].value);
    if (hl < TCP_HDR_LEN) {
        l.note("[bogus header length " + std::to_string(hl) + ", must be >= 20]");
        return;
    }
    node.length = hl;
    if (o + hl > end) {
        l.mark_truncated();
        return;
    }
    if (hl > TCP_HDR_LEN) {
        DissectField* opts =
            l.add("Options", o + 20, hl - 20, [&] { return std::to_string(hl - 20) + " bytes"; });
        dissect_tcp_options(*opts, f, o + 20, o + hl);
    }
    l.note("Len: " + std::to_string(end - o - hl));
    add_payload(root, f, o + hl, end, "Payload");
}

// The IPv4 packet at o and what it carries (shared by dissect_frame and dissect_from).
void dissect_ipv4_packet(DissectField& root, std::span<const uint8_t> f, size_t o) {
    size_t l4 = 0;
    const size_t end = dissect_ipv4(root, f, o, &l4, false);
    if (end == 0) return;
    if (end < f.size())
        root.children.front().children.push_back(
            DissectField{"Padding", std::to_string(f.size() - end) + " bytes", end, f.size() - end, {}});
    const uint16_t frag = get_be16(f, o + 6);
    const Ipv4Addr s = Ipv4Addr::from_bytes(f.subspan(o + 12, 4));
    const Ipv4Addr d = Ipv4Addr::from_bytes(f.subspan(o + 16, 4));
    if ((frag & IP_OFFSET) != 0) {
        add_payload(root, f, l4, end, "Fragment data");
        return;
    }
    // The transport layer sees only the IP payload, never the Ethernet padding after it.
    const std::span<const uint8_t> packet = f.first(end);
    switch (f[o + 9]) {
    case IpProto::Icmp:
        dissect_icmp(root, packet, l4, end);
        break;
    case IpProto::Udp:
        dissect_udp(root, packet, l4, end, s, d);
        break;
    case IpProto::Tcp:
        dissect_tcp(root, packet, l4, end, s, d);
        break;
    default:
        add_payload(root, f, l4, end, "Payload");
        break;
    }
}

} // namespace

DissectField dissect_frame(std::span<const uint8_t> f) {
    DissectField root{"Frame", std::to_string(f.size()) + " bytes", 0, f.size(), {}};
    uint16_t type = 0;
    const size_t o = dissect_ethernet(root, f, &type);
    if (o == 0) return root;
    if (type == EtherType::Arp) {
        dissect_arp(root, f, o);
        return root;
    }
    if (type != EtherType::Ipv4) {
        add_payload(root, f, o, f.size(), "Payload");
        return root;
    }
    dissect_ipv4_packet(root, f, o);
    return root;
}

DissectField dissect_from(std::span<const uint8_t> f, DissectStart start) {
    if (start == DissectStart::Ethernet) return dissect_frame(f);
    DissectField root{
        "Packet", std::to_string(f.size()) + " bytes from " + dissect_start_name(start), 0, f.size(), {}};
    switch (start) {
    case DissectStart::Ethernet:
        break;
    case DissectStart::Arp:
        dissect_arp(root, f, 0);
        break;
    case DissectStart::Ipv4:
        dissect_ipv4_packet(root, f, 0); // bytes past Total Length show as Padding under IPv4
        break;
    case DissectStart::Tcp:
        dissect_tcp(root, f, 0, f.size(), Ipv4Addr{}, Ipv4Addr{}, false);
        break;
    case DissectStart::Udp:
        dissect_udp(root, f, 0, f.size(), Ipv4Addr{}, Ipv4Addr{}, false);
        break;
    case DissectStart::Icmp:
        dissect_icmp(root, f, 0, f.size());
        break;
    }
    return root;
}

const char* dissect_start_name(DissectStart start) {
    switch (start) {
    case DissectStart::Ethernet:
        return "Ethernet";
    case DissectStart::Arp:
        return "ARP";
    case DissectStart::Ipv4:
        return "IPv4";
    case DissectStart::Tcp:
        return "TCP";
    case DissectStart::Udp:
        return "UDP";
    case DissectStart::Icmp:
        return "ICMP";
    }
    return "?";
}

static void to_text(const DissectField& n, int depth, std::string& out) {
    out.append(static_cast<size_t>(depth) * 2, ' ');
    out += n.name;
    if (!n.value.empty()) out += ": " + n.value;
    out += " [" + std::to_string(n.offset) + "+" + std::to_string(n.length) + "]\n";
    for (const auto& c : n.children)
        to_text(c, depth + 1, out);
}

std::string dissect_to_text(const DissectField& root) {
    std::string out;
    to_text(root, 0, out);
    return out;
}

} // namespace skbscope::wire
