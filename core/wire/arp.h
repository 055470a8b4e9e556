// ARP for Ethernet and IPv4 (RFC 826; struct arphdr in include/uapi/linux/if_arp.h plus the
// Ethernet/IPv4 address block that net/ipv4/arp.c reads after it). View + repr.
// SIMPLIFICATION: only htype 1 (Ethernet) / ptype 0x0800 (IPv4) parse into a repr; RARP and
// other hardware types are shown by the view but rejected by ArpRepr::parse.
#pragma once
#include "core/util/result.h"
#include "core/wire/addr.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace skbscope::wire {

inline constexpr uint16_t ARPHRD_ETHER = 1;
inline constexpr uint16_t ARPOP_REQUEST = 1;
inline constexpr uint16_t ARPOP_REPLY = 2;
inline constexpr size_t ARP_HDR_LEN = 8;     // struct arphdr
inline constexpr size_t ARP_ETH_IP_LEN = 28; // arphdr + 2 * (6 + 4)

class ArpView {
  public:
    explicit ArpView(std::span<const uint8_t> buf) : m_buf(buf) {}
    // Checks the fixed header and that the buffer holds 8 + 2*hlen + 2*plen bytes.
    static Result<ArpView> new_checked(std::span<const uint8_t> buf);
    Result<void> check_len() const;

    uint16_t htype() const;
    uint16_t ptype() const;
    uint8_t hlen() const;
    uint8_t plen() const;
    uint16_t oper() const;
    // Address fields of hlen/plen bytes each.
    std::span<const uint8_t> sha() const { return field(0); }
    std::span<const uint8_t> spa() const { return field(1); }
    std::span<const uint8_t> tha() const { return field(2); }
    std::span<const uint8_t> tpa() const { return field(3); }
    // Bytes of the whole ARP message (8 + 2*hlen + 2*plen).
    size_t message_len() const;

  private:
    std::span<const uint8_t> field(int which) const;
    std::span<const uint8_t> m_buf;
};

struct ArpRepr {
    uint16_t oper = ARPOP_REQUEST;
    MacAddr sha;  // sender hardware address
    Ipv4Addr spa; // sender protocol address
    MacAddr tha;  // target hardware address (zero in a request, as Linux sends it)
    Ipv4Addr tpa; // target protocol address

    static ArpRepr request(MacAddr sha, Ipv4Addr spa, Ipv4Addr tpa) {
        return ArpRepr{ARPOP_REQUEST, sha, spa, MacAddr::zero(), tpa};
    }
    static ArpRepr reply(MacAddr sha, Ipv4Addr spa, MacAddr tha, Ipv4Addr tpa) {
        return ArpRepr{ARPOP_REPLY, sha, spa, tha, tpa};
    }

    // Errors for other hardware/protocol types, address lengths, or operations.
    static Result<ArpRepr> parse(const ArpView& view);
    static constexpr size_t buffer_len() { return ARP_ETH_IP_LEN; }
    void emit(std::span<uint8_t> buf) const; // buf.size() >= 28 (asserted)

    bool operator==(const ArpRepr&) const = default;
};

} // namespace skbscope::wire
