// IPv4 header (RFC 791; struct iphdr in include/uapi/linux/ip.h). Ipv4View checks lengths the way
// ip_rcv_core() in net/ipv4/ip_input.c does (ihl >= 5, tot_len >= ihl*4, skb->len >= tot_len);
// Ipv4Repr is the validated value the stack reasons with, emitted with a fresh header checksum.
// SIMPLIFICATION: options are kept as opaque bytes (never interpreted); no fragment reassembly here.
#pragma once
#include "core/util/result.h"
#include "core/wire/addr.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace skbscope::wire {

inline constexpr size_t IPV4_MIN_HLEN = 20;
inline constexpr size_t IPV4_MAX_HLEN = 60;
inline constexpr uint16_t IP_CE = 0x8000;     // frag_off bit: congestion (reserved, "evil bit")
inline constexpr uint16_t IP_DF = 0x4000;     // don't fragment
inline constexpr uint16_t IP_MF = 0x2000;     // more fragments
inline constexpr uint16_t IP_OFFSET = 0x1fff; // fragment offset in 8-byte units

// IP protocol numbers (IPPROTO_* in include/uapi/linux/in.h).
struct IpProto {
    static constexpr uint8_t Icmp = 1;
    static constexpr uint8_t Tcp = 6;
    static constexpr uint8_t Udp = 17;
};

// "ICMP", "TCP", "UDP" or the number.
std::string ip_proto_name(uint8_t protocol);

class Ipv4View {
  public:
    // Unchecked: call check_len() before the accessors (they assert their bounds).
    explicit Ipv4View(std::span<const uint8_t> buf) : m_buf(buf) {}
    static Result<Ipv4View> new_checked(std::span<const uint8_t> buf);
    // buf >= 20 bytes, ihl >= 5, buf >= ihl*4, tot_len >= ihl*4, buf >= tot_len. The buffer may be
    // longer than tot_len (Ethernet padding): payload() stops at tot_len.
    Result<void> check_len() const;

    uint8_t version() const;
    uint8_t ihl() const;                             // in 32-bit words
    size_t header_len() const { return ihl() * 4u; } // in bytes
    uint8_t tos() const;
    uint16_t tot_len() const;
    uint16_t id() const;
    uint16_t frag_off() const; // raw field: flags and offset
    bool df() const { return (frag_off() & IP_DF) != 0; }
    bool mf() const { return (frag_off() & IP_MF) != 0; }
    uint16_t frag_offset() const { return static_cast<uint16_t>((frag_off() & IP_OFFSET) * 8); } // bytes
    bool is_fragment() const { return (frag_off() & (IP_MF | IP_OFFSET)) != 0; }
    uint8_t ttl() const;
    uint8_t protocol() const;
    uint16_t check() const;
    Ipv4Addr saddr() const;
    Ipv4Addr daddr() const;
    std::span<const uint8_t> options() const; // bytes 20 .. ihl*4
    std::span<const uint8_t> header() const;  // bytes 0 .. ihl*4
    std::span<const uint8_t> payload() const; // bytes ihl*4 .. tot_len
    // The header checksum over ihl*4 bytes sums to 0xffff (ip_fast_csum() == 0).
    bool verify_checksum() const;
    // The checksum the header should carry (computed with the check field taken as 0).
    uint16_t compute_checksum() const;

  private:
    std::span<const uint8_t> m_buf;
};

struct Ipv4Repr {
    Ipv4Addr saddr;
    Ipv4Addr daddr;
    uint8_t protocol = 0;
    uint16_t payload_len = 0; // tot_len - header_len
    uint8_t ttl = 64;         // sysctl net.ipv4.ip_default_ttl
    uint8_t tos = 0;
    uint16_t id = 0;
    bool df = false;
    bool mf = false;
    uint16_t frag_offset = 0;     // in bytes, a multiple of 8
    std::vector<uint8_t> options; // opaque, a multiple of 4 bytes, at most 40

    // Checks version == 4 and the lengths; does NOT verify the checksum: ip_rcv_core() does that
    // as its own step (drop reason IP_CSUM), so call Ipv4View::verify_checksum() first.
    static Result<Ipv4Repr> parse(const Ipv4View& view);
    size_t header_len() const { return IPV4_MIN_HLEN + options.size(); }
    size_t total_len() const { return header_len() + payload_len; }
    // Writes header_len() bytes at the start of buf, including the header checksum
    // (buf.size() >= header_len(), options well formed: asserted).
    void emit(std::span<uint8_t> buf) const;

    bool operator==(const Ipv4Repr&) const = default;
};

// ip_decrease_ttl (include/net/ip.h): decrement the TTL of the header at the start of buf and patch
// the checksum incrementally (RFC 1624) rather than recomputing it. Returns the new TTL.
// buf must hold a checked header (asserted: >= 20 bytes) with ttl > 0.
uint8_t ip_decrease_ttl(std::span<uint8_t> buf);

} // namespace skbscope::wire
