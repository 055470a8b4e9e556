// IPv4 header view and repr (ip_rcv_core in net/ipv4/ip_input.c, __ip_local_out/ip_send_check in
// net/ipv4/ip_output.c, ip_decrease_ttl in include/net/ip.h).
#include "core/wire/ipv4.h"

#include "core/wire/bytes.h"
#include "core/wire/checksum.h"

namespace skbscope::wire {

std::string ip_proto_name(uint8_t protocol) {
    switch (protocol) {
    case IpProto::Icmp:
        return "ICMP";
    case IpProto::Tcp:
        return "TCP";
    case IpProto::Udp:
        return "UDP";
    default:
        return std::to_string(protocol);
    }
}

Result<Ipv4View> Ipv4View::new_checked(std::span<const uint8_t> buf) {
    Ipv4View v(buf);
    if (auto r = v.check_len(); !r) return r.error();
    return v;
}

Result<void> Ipv4View::check_len() const {
    const size_t n = m_buf.size();
    if (n < IPV4_MIN_HLEN)
        return make_error("IPv4: too short for a header (" + std::to_string(n) + " < 20 bytes)");
    if (ihl() < 5) return make_error("IPv4: header length " + std::to_string(header_len()) + " < 20 bytes");
    if (n < header_len())
        return make_error("IPv4: header length " + std::to_string(header_len()) + " > buffer " +
                          std::to_string(n) + " bytes");
    if (tot_len() < header_len())
        return make_error("IPv4: total length " + std::to_string(tot_len()) + " < header length " +
                          std::to_string(header_len()));
    if (n < tot_len())
        return make_error("IPv4: total length " + std::to_string(tot_len()) + " > buffer " +
                          std::to_string(n) + " bytes");
    return {};
}

uint8_t Ipv4View::version() const {
    return get_u8(m_buf, 0) >> 4;
}
uint8_t Ipv4View::ihl() const {
    return get_u8(m_buf, 0) & 0x0f;
}
uint8_t Ipv4View::tos() const {
    return get_u8(m_buf, 1);
}
uint16_t Ipv4View::tot_len() const {
    return get_be16(m_buf, 2);
}
uint16_t Ipv4View::id() const {
    return get_be16(m_buf, 4);
}
uint16_t Ipv4View::frag_off() const {
    return get_be16(m_buf, 6);
}
uint8_t Ipv4View::ttl() const {
    return get_u8(m_buf, 8);
}
uint8_t Ipv4View::protocol() const {
    return get_u8(m_buf, 9);
}
uint16_t Ipv4View::check() const {
    return get_be16(m_buf, 10);
}
Ipv4Addr Ipv4View::saddr() const {
    return Ipv4Addr{get_be32(m_buf, 12)};
}
Ipv4Addr Ipv4View::daddr() const {
    return Ipv4Addr{get_be32(m_buf, 16)};
}

std::span<const uint8_t> Ipv4View::options() const {
    return sub(m_buf, IPV4_MIN_HLEN, header_len() - IPV4_MIN_HLEN);
}
std::span<const uint8_t> Ipv4View::header() const {
    return sub(m_buf, 0, header_len());
}
std::span<const uint8_t> Ipv4View::payload() const {
    return sub(m_buf, header_len(), size_t{tot_len()} - header_len());
}

bool Ipv4View::verify_checksum() const {
    return ip_fast_csum(header()) == 0;
}

uint16_t Ipv4View::compute_checksum() const {
    InetChecksum c;
    c.add(sub(m_buf, 0, 10));
    c.add(sub(m_buf, 12, header_len() - 12));
    return c.finish();
}

Result<Ipv4Repr> Ipv4Repr::parse(const Ipv4View& view) {
    if (auto r = view.check_len(); !r) return r.error();
    if (view.version() != 4) return make_error("IPv4: version " + std::to_string(view.version()) + " != 4");
    Ipv4Repr r;
    r.saddr = view.saddr();
    r.daddr = view.daddr();
    r.protocol = view.protocol();
    r.payload_len = static_cast<uint16_t>(view.tot_len() - view.header_len());
    r.ttl = view.ttl();
    r.tos = view.tos();
    r.id = view.id();
    r.df = view.df();
    r.mf = view.mf();
    r.frag_offset = view.frag_offset();
    const auto opts = view.options();
    r.options.assign(opts.begin(), opts.end());
    return r;
}

void Ipv4Repr::emit(std::span<uint8_t> buf) const {
    SKB_ASSERT(options.size() % 4 == 0 && options.size() <= IPV4_MAX_HLEN - IPV4_MIN_HLEN);
    SKB_ASSERT(frag_offset % 8 == 0 && frag_offset / 8 <= IP_OFFSET);
    SKB_ASSERT(total_len() <= 0xffff);
    const size_t hl = header_len();
    SKB_ASSERT(buf.size() >= hl);
    put_u8(buf, 0, static_cast<uint8_t>(0x40 | (hl / 4)));
    put_u8(buf, 1, tos);
    put_be16(buf, 2, static_cast<uint16_t>(total_len()));
    put_be16(buf, 4, id);
    uint16_t frag = static_cast<uint16_t>(frag_offset / 8);
    if (df) frag |= IP_DF;
    if (mf) frag |= IP_MF;
    put_be16(buf, 6, frag);
    put_u8(buf, 8, ttl);
    put_u8(buf, 9, protocol);
    put_be16(buf, 10, 0);
    saddr.write_to(buf.subspan(12, 4));
    daddr.write_to(buf.subspan(16, 4));
    for (size_t i = 0; i < options.size(); ++i)
        buf[IPV4_MIN_HLEN + i] = options[i];
    // ip_send_check(): iph->check = 0; iph->check = ip_fast_csum(iph, iph->ihl);
    put_be16(buf, 10, ip_fast_csum(buf.first(hl)));
}

uint8_t ip_decrease_ttl(std::span<uint8_t> buf) {
    SKB_ASSERT(buf.size() >= IPV4_MIN_HLEN);
    const uint8_t ttl = get_u8(buf, 8);
    SKB_ASSERT(ttl > 0);
    const uint16_t old_word = get_be16(buf, 8); // ttl:protocol
    const uint16_t new_word = static_cast<uint16_t>(old_word - 0x0100);
    put_be16(buf, 10, csum_replace2(get_be16(buf, 10), old_word, new_word));
    put_u8(buf, 8, static_cast<uint8_t>(ttl - 1));
    return static_cast<uint8_t>(ttl - 1);
}

} // namespace skbscope::wire
