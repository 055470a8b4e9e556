// RFC 1071 / RFC 1624 internet checksum arithmetic (lib/checksum.c, include/net/checksum.h).
#include "core/wire/checksum.h"

#include "core/util/assert.h"

namespace skbscope::wire {

void InetChecksum::add(std::span<const uint8_t> bytes) {
    size_t i = 0;
    if (m_odd && !bytes.empty()) {
        m_sum += bytes[0];
        m_odd = false;
        i = 1;
    }
    for (; i + 1 < bytes.size(); i += 2)
        m_sum += static_cast<uint32_t>((bytes[i] << 8) | bytes[i + 1]);
    if (i < bytes.size()) {
        m_sum += static_cast<uint32_t>(bytes[i]) << 8;
        m_odd = true;
    }
}

void InetChecksum::add_be16(uint16_t word) {
    SKB_ASSERT(!m_odd);
    m_sum += word;
}

void InetChecksum::add_be32(uint32_t word) {
    add_be16(static_cast<uint16_t>(word >> 16));
    add_be16(static_cast<uint16_t>(word));
}

static uint16_t fold16(uint64_t sum) {
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

uint16_t InetChecksum::folded() const {
    return fold16(m_sum);
}

uint16_t csum_fold(uint64_t sum) {
    return static_cast<uint16_t>(~fold16(sum));
}

uint16_t ip_compute_csum(std::span<const uint8_t> bytes) {
    InetChecksum c;
    c.add(bytes);
    return c.finish();
}

uint64_t csum_tcpudp_nofold(Ipv4Addr saddr, Ipv4Addr daddr, uint16_t len, uint8_t proto, uint64_t sum) {
    sum += saddr.value >> 16;
    sum += saddr.value & 0xffff;
    sum += daddr.value >> 16;
    sum += daddr.value & 0xffff;
    sum += proto;
    sum += len;
    return sum;
}

uint16_t csum_tcpudp(Ipv4Addr saddr, Ipv4Addr daddr, uint8_t proto, std::span<const uint8_t> segment) {
    SKB_ASSERT(segment.size() <= 0xffff);
    InetChecksum c;
    c.add_be32(saddr.value);
    c.add_be32(daddr.value);
    c.add_be16(proto);
    c.add_be16(static_cast<uint16_t>(segment.size()));
    c.add(segment);
    return c.finish();
}

uint16_t csum_replace2(uint16_t check, uint16_t old_word, uint16_t new_word) {
    const uint64_t sum =
        uint64_t{static_cast<uint16_t>(~check)} + static_cast<uint16_t>(~old_word) + new_word;
    return csum_fold(sum);
}

uint16_t csum_replace4(uint16_t check, uint32_t old_value, uint32_t new_value) {
    check =
        csum_replace2(check, static_cast<uint16_t>(old_value >> 16), static_cast<uint16_t>(new_value >> 16));
    return csum_replace2(check, static_cast<uint16_t>(old_value), static_cast<uint16_t>(new_value));
}

} // namespace skbscope::wire
