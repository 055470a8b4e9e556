// ARP message view and repr (arp_create / arp_process in net/ipv4/arp.c).
#include "core/wire/arp.h"

#include "core/wire/bytes.h"
#include "core/wire/ethernet.h"

namespace skbscope::wire {

Result<ArpView> ArpView::new_checked(std::span<const uint8_t> buf) {
    ArpView v(buf);
    if (auto r = v.check_len(); !r) return r.error();
    return v;
}

Result<void> ArpView::check_len() const {
    if (m_buf.size() < ARP_HDR_LEN)
        return make_error("ARP: too short for the header (" + std::to_string(m_buf.size()) + " < 8 bytes)");
    if (m_buf.size() < message_len())
        return make_error("ARP: addresses truncated (" + std::to_string(m_buf.size()) + " < " +
                          std::to_string(message_len()) + " bytes)");
    return {};
}

uint16_t ArpView::htype() const {
    return get_be16(m_buf, 0);
}
uint16_t ArpView::ptype() const {
    return get_be16(m_buf, 2);
}
uint8_t ArpView::hlen() const {
    return get_u8(m_buf, 4);
}
uint8_t ArpView::plen() const {
    return get_u8(m_buf, 5);
}
uint16_t ArpView::oper() const {
    return get_be16(m_buf, 6);
}

size_t ArpView::message_len() const {
    return ARP_HDR_LEN + 2 * size_t{hlen()} + 2 * size_t{plen()};
}

std::span<const uint8_t> ArpView::field(int which) const {
    const size_t h = hlen();
    const size_t p = plen();
    const size_t offs[4] = {ARP_HDR_LEN, ARP_HDR_LEN + h, ARP_HDR_LEN + h + p, ARP_HDR_LEN + 2 * h + p};
    return sub(m_buf, offs[which], (which % 2 == 0) ? h : p);
}

Result<ArpRepr> ArpRepr::parse(const ArpView& view) {
    if (auto r = view.check_len(); !r) return r.error();
    if (view.htype() != ARPHRD_ETHER)
        return make_error("ARP: hardware type " + std::to_string(view.htype()) + " is not Ethernet (1)");
    if (view.ptype() != EtherType::Ipv4)
        return make_error("ARP: protocol type " + ethertype_name(view.ptype()) + " is not IPv4");
    if (view.hlen() != ETH_ALEN || view.plen() != 4)
        return make_error("ARP: address lengths " + std::to_string(view.hlen()) + "/" +
                          std::to_string(view.plen()) + " are not 6/4");
    if (view.oper() != ARPOP_REQUEST && view.oper() != ARPOP_REPLY)
        return make_error("ARP: unsupported operation " + std::to_string(view.oper()));
    return ArpRepr{view.oper(), MacAddr::from_bytes(view.sha()), Ipv4Addr::from_bytes(view.spa()),
                   MacAddr::from_bytes(view.tha()), Ipv4Addr::from_bytes(view.tpa())};
}

void ArpRepr::emit(std::span<uint8_t> buf) const {
    SKB_ASSERT(buf.size() >= ARP_ETH_IP_LEN);
    put_be16(buf, 0, ARPHRD_ETHER);
    put_be16(buf, 2, EtherType::Ipv4);
    put_u8(buf, 4, ETH_ALEN);
    put_u8(buf, 5, 4);
    put_be16(buf, 6, oper);
    sha.write_to(buf.subspan(8, 6));
    spa.write_to(buf.subspan(14, 4));
    tha.write_to(buf.subspan(18, 6));
    tpa.write_to(buf.subspan(24, 4));
}

} // namespace skbscope::wire
