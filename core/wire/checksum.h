// The internet checksum (RFC 1071), the IPv4 pseudo-header sum for TCP/UDP (RFC 793/768) and the
// incremental update of RFC 1624. Mirrors include/net/checksum.h and lib/checksum.c: csum_partial,
// csum_fold, csum_tcpudp_nofold/magic, csum_replace2. All 16-bit values here are the word as read
// big-endian off the wire (host-order numbers), so 0x4500 is the bytes 45 00.
// SIMPLIFICATION: a 64-bit accumulator instead of the kernel's 32-bit wsum with end-around carry.
#pragma once
#include "core/wire/addr.h"

#include <cstdint>
#include <span>

namespace skbscope::wire {

// Running one's-complement sum over bytes that may arrive in several spans of any length (an odd
// span leaves a byte pending that pairs with the next span's first byte).
class InetChecksum {
  public:
    void add(std::span<const uint8_t> bytes);
    void add_be16(uint16_t word); // a whole word; must be at an even position (asserted)
    void add_be32(uint32_t word);
    // The folded 16-bit sum, not complemented (what a receiver compares with 0xffff).
    uint16_t folded() const;
    // The checksum to store in a header: ~folded().
    uint16_t finish() const { return static_cast<uint16_t>(~folded()); }

  private:
    uint64_t m_sum = 0;
    bool m_odd = false; // an odd number of bytes so far: the next byte is a low byte
};

// csum_fold: fold a wide sum to 16 bits and complement it.
uint16_t csum_fold(uint64_t sum);
// ip_compute_csum: the checksum of one buffer (what goes into an ICMP or IPv4 header).
uint16_t ip_compute_csum(std::span<const uint8_t> bytes);
// ip_fast_csum: the IPv4 header checksum over ihl*4 bytes; 0 when the stored checksum is correct.
inline uint16_t ip_fast_csum(std::span<const uint8_t> header) {
    return ip_compute_csum(header);
}

// The unfolded sum of the IPv4 pseudo header {saddr, daddr, 0, proto, len} (csum_tcpudp_nofold).
uint64_t csum_tcpudp_nofold(Ipv4Addr saddr, Ipv4Addr daddr, uint16_t len, uint8_t proto, uint64_t sum = 0);
// The TCP/UDP checksum of a segment: pseudo header plus the segment bytes (whose checksum field must
// hold 0 when computing, or the stored value when verifying: then the result is 0 if correct).
uint16_t csum_tcpudp(Ipv4Addr saddr, Ipv4Addr daddr, uint8_t proto, std::span<const uint8_t> segment);

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Returns the new checksum after one 16-bit word of the
// covered data changes from old_word to new_word (csum_replace2; used by ip_decrease_ttl).
uint16_t csum_replace2(uint16_t check, uint16_t old_word, uint16_t new_word);
// Same for a 32-bit field (csum_replace4; e.g. NAT rewriting an address).
uint16_t csum_replace4(uint16_t check, uint32_t old_value, uint32_t new_value);

} // namespace skbscope::wire
