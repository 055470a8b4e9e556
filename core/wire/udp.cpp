// UDP view and repr (__udp4_lib_rcv / udp4_csum_init in net/ipv4/udp.c, udp_send_skb).
#include "core/wire/udp.h"

#include "core/wire/bytes.h"
#include "core/wire/checksum.h"
#include "core/wire/ipv4.h"

namespace skbscope::wire {

Result<UdpView> UdpView::new_checked(std::span<const uint8_t> buf) {
    UdpView v(buf);
    if (auto r = v.check_len(); !r) return r.error();
    return v;
}

Result<void> UdpView::check_len() const {
    if (m_buf.size() < UDP_HDR_LEN)
        return make_error("UDP: too short for a header (" + std::to_string(m_buf.size()) + " < 8 bytes)");
    if (len() < UDP_HDR_LEN) return make_error("UDP: length field " + std::to_string(len()) + " < 8");
    if (len() > m_buf.size())
        return make_error("UDP: length field " + std::to_string(len()) + " > buffer " +
                          std::to_string(m_buf.size()) + " bytes");
    return {};
}

uint16_t UdpView::src_port() const {
    return get_be16(m_buf, 0);
}
uint16_t UdpView::dst_port() const {
    return get_be16(m_buf, 2);
}
uint16_t UdpView::len() const {
    return get_be16(m_buf, 4);
}
uint16_t UdpView::checksum() const {
    return get_be16(m_buf, 6);
}
std::span<const uint8_t> UdpView::payload() const {
    return sub(m_buf, UDP_HDR_LEN, len() - UDP_HDR_LEN);
}
std::span<const uint8_t> UdpView::datagram() const {
    return sub(m_buf, 0, len());
}

bool UdpView::verify_checksum(Ipv4Addr saddr, Ipv4Addr daddr) const {
    if (checksum() == 0) return true;
    return csum_tcpudp(saddr, daddr, IpProto::Udp, datagram()) == 0;
}

Result<UdpRepr> UdpRepr::parse(const UdpView& view) {
    if (auto r = view.check_len(); !r) return r.error();
    return UdpRepr{view.src_port(), view.dst_port()};
}

void UdpRepr::emit(std::span<uint8_t> datagram, Ipv4Addr saddr, Ipv4Addr daddr) const {
    SKB_ASSERT(datagram.size() >= UDP_HDR_LEN && datagram.size() <= 0xffff);
    put_be16(datagram, 0, src_port);
    put_be16(datagram, 2, dst_port);
    put_be16(datagram, 4, static_cast<uint16_t>(datagram.size()));
    put_be16(datagram, 6, 0);
    uint16_t check = csum_tcpudp(saddr, daddr, IpProto::Udp, datagram);
    if (check == 0) check = 0xffff; // CSUM_MANGLED_0
    put_be16(datagram, 6, check);
}

} // namespace skbscope::wire
