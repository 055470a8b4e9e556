// ICMPv4 view and repr (icmp_rcv / icmp_echo / icmp_send in net/ipv4/icmp.c).
#include "core/wire/icmp.h"

#include "core/wire/bytes.h"
#include "core/wire/checksum.h"
#include "core/wire/ipv4.h"

#include <algorithm>

namespace skbscope::wire {

std::string icmp_type_name(uint8_t type, uint8_t code) {
    switch (type) {
    case IcmpType::EchoReply:
        return "Echo (ping) reply";
    case IcmpType::Echo:
        return "Echo (ping) request";
    case IcmpType::DestUnreach:
        switch (code) {
        case IcmpCode::NetUnreach:
            return "Destination unreachable (Network unreachable)";
        case IcmpCode::HostUnreach:
            return "Destination unreachable (Host unreachable)";
        case IcmpCode::ProtUnreach:
            return "Destination unreachable (Protocol unreachable)";
        case IcmpCode::PortUnreach:
            return "Destination unreachable (Port unreachable)";
        case IcmpCode::FragNeeded:
            return "Destination unreachable (Fragmentation needed)";
        default:
            return "Destination unreachable (code " + std::to_string(code) + ")";
        }
    case IcmpType::TimeExceeded:
        if (code == IcmpCode::ExcTtl) return "Time-to-live exceeded (Time to live exceeded in transit)";
        if (code == IcmpCode::ExcFragTime) return "Time-to-live exceeded (Fragment reassembly time exceeded)";
        return "Time-to-live exceeded (code " + std::to_string(code) + ")";
    default:
        return "Type " + std::to_string(type) + " code " + std::to_string(code);
    }
}

Result<IcmpView> IcmpView::new_checked(std::span<const uint8_t> buf) {
    IcmpView v(buf);
    if (auto r = v.check_len(); !r) return r.error();
    return v;
}

Result<void> IcmpView::check_len() const {
    if (m_buf.size() < ICMP_HDR_LEN)
        return make_error("ICMP: too short for a header (" + std::to_string(m_buf.size()) + " < 8 bytes)");
    return {};
}

uint8_t IcmpView::type() const {
    return get_u8(m_buf, 0);
}
uint8_t IcmpView::code() const {
    return get_u8(m_buf, 1);
}
uint16_t IcmpView::checksum() const {
    return get_be16(m_buf, 2);
}
uint16_t IcmpView::echo_id() const {
    return get_be16(m_buf, 4);
}
uint16_t IcmpView::echo_seq() const {
    return get_be16(m_buf, 6);
}
uint16_t IcmpView::next_hop_mtu() const {
    return get_be16(m_buf, 6);
}
bool IcmpView::verify_checksum() const {
    return ip_compute_csum(m_buf) == 0;
}

namespace {

std::vector<uint8_t> quote(std::span<const uint8_t> ip, IcmpQuote rule) {
    size_t n = std::min(ip.size(), ICMP_QUOTE_MAX_LINUX);
    if (rule == IcmpQuote::Rfc792 && !ip.empty()) n = std::min(n, size_t{(ip[0] & 0x0fu) * 4u} + 8);
    return std::vector<uint8_t>(ip.begin(), ip.begin() + static_cast<std::ptrdiff_t>(n));
}

} // namespace

IcmpRepr IcmpRepr::echo_request(uint16_t id, uint16_t seq, std::span<const uint8_t> data) {
    return IcmpRepr{IcmpType::Echo, 0, id, seq, 0, {data.begin(), data.end()}};
}

IcmpRepr IcmpRepr::echo_reply(uint16_t id, uint16_t seq, std::span<const uint8_t> data) {
    return IcmpRepr{IcmpType::EchoReply, 0, id, seq, 0, {data.begin(), data.end()}};
}

IcmpRepr IcmpRepr::dest_unreachable(uint8_t code, std::span<const uint8_t> original_ip_packet,
                                    IcmpQuote rule) {
    return IcmpRepr{IcmpType::DestUnreach, code, 0, 0, 0, quote(original_ip_packet, rule)};
}

IcmpRepr IcmpRepr::frag_needed(uint16_t mtu, std::span<const uint8_t> original_ip_packet, IcmpQuote rule) {
    return IcmpRepr{IcmpType::DestUnreach, IcmpCode::FragNeeded, 0, 0, mtu, quote(original_ip_packet, rule)};
}

IcmpRepr IcmpRepr::time_exceeded(uint8_t code, std::span<const uint8_t> original_ip_packet, IcmpQuote rule) {
    return IcmpRepr{IcmpType::TimeExceeded, code, 0, 0, 0, quote(original_ip_packet, rule)};
}

Result<IcmpRepr> IcmpRepr::parse(const IcmpView& view) {
    if (auto r = view.check_len(); !r) return r.error();
    IcmpRepr r;
    r.type = view.type();
    r.code = view.code();
    const auto d = view.data();
    r.data.assign(d.begin(), d.end());
    switch (r.type) {
    case IcmpType::Echo:
    case IcmpType::EchoReply:
        r.echo_id = view.echo_id();
        r.echo_seq = view.echo_seq();
        return r;
    case IcmpType::DestUnreach:
    case IcmpType::TimeExceeded:
        if (d.size() < IPV4_MIN_HLEN)
            return make_error("ICMP: error message quotes " + std::to_string(d.size()) +
                              " bytes, less than an IPv4 header");
        if (r.type == IcmpType::DestUnreach && r.code == IcmpCode::FragNeeded)
            r.next_hop_mtu = view.next_hop_mtu();
        return r;
    default:
        return make_error("ICMP: unsupported type " + std::to_string(r.type));
    }
}

void IcmpRepr::emit(std::span<uint8_t> buf) const {
    const size_t n = buffer_len();
    SKB_ASSERT(buf.size() >= n);
    put_u8(buf, 0, type);
    put_u8(buf, 1, code);
    put_be16(buf, 2, 0);
    if (type == IcmpType::Echo || type == IcmpType::EchoReply) {
        put_be16(buf, 4, echo_id);
        put_be16(buf, 6, echo_seq);
    } else {
        put_be16(buf, 4, 0);
        put_be16(buf, 6, next_hop_mtu);
    }
    for (size_t i = 0; i < data.size(); ++i)
        buf[ICMP_HDR_LEN + i] = data[i];
    put_be16(buf, 2, ip_compute_csum(buf.first(n)));
}

} // namespace skbscope::wire
