// Ethernet II header view and repr (eth_header / eth_type_trans in net/ethernet/eth.c).
#include "core/wire/ethernet.h"

#include "core/wire/bytes.h"

#include <cstdio>

namespace skbscope::wire {

std::string ethertype_name(uint16_t type) {
    switch (type) {
    case EtherType::Ipv4:
        return "IPv4";
    case EtherType::Arp:
        return "ARP";
    case EtherType::Vlan:
        return "802.1Q";
    case EtherType::Ipv6:
        return "IPv6";
    default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%04x", type);
        return buf;
    }
    }
}

Result<EthernetView> EthernetView::new_checked(std::span<const uint8_t> frame) {
    EthernetView v(frame);
    if (auto r = v.check_len(); !r) return r.error();
    return v;
}

Result<void> EthernetView::check_len() const {
    if (m_buf.size() < ETH_HLEN)
        return make_error("Ethernet: frame too short (" + std::to_string(m_buf.size()) + " < " +
                          std::to_string(ETH_HLEN) + " bytes)");
    return {};
}

uint16_t EthernetView::ethertype() const {
    return get_be16(m_buf, 12);
}

Result<EthernetRepr> EthernetRepr::parse(const EthernetView& view) {
    if (auto r = view.check_len(); !r) return r.error();
    return EthernetRepr{view.dst(), view.src(), view.ethertype()};
}

void EthernetRepr::emit(std::span<uint8_t> buf) const {
    SKB_ASSERT(buf.size() >= ETH_HLEN);
    dst.write_to(buf.subspan(0, ETH_ALEN));
    src.write_to(buf.subspan(ETH_ALEN, ETH_ALEN));
    put_be16(buf, 12, ethertype);
}

} // namespace skbscope::wire
