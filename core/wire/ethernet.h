// Ethernet II frame header (struct ethhdr in include/uapi/linux/if_ether.h): dst, src, EtherType.
// EthernetView is a checked view over frame bytes; EthernetRepr is the validated header value.
// SIMPLIFICATION: no 802.1Q VLAN tags, no 802.3 length/LLC frames, no FCS (as on a Linux capture).
#pragma once
#include "core/util/result.h"
#include "core/wire/addr.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace skbscope::wire {

inline constexpr size_t ETH_HLEN = 14;        // dst + src + type
inline constexpr size_t ETH_ZLEN = 60;        // minimum frame without FCS; shorter frames are padded
inline constexpr size_t ETH_DATA_LEN = 1500;  // the default MTU
inline constexpr size_t ETH_FRAME_LEN = 1514; // ETH_HLEN + ETH_DATA_LEN

// EtherType values (ETH_P_* in if_ether.h).
struct EtherType {
    static constexpr uint16_t Ipv4 = 0x0800; // ETH_P_IP
    static constexpr uint16_t Arp = 0x0806;  // ETH_P_ARP
    static constexpr uint16_t Vlan = 0x8100; // ETH_P_8021Q (recognised by name only)
    static constexpr uint16_t Ipv6 = 0x86dd; // ETH_P_IPV6 (recognised by name only)
};

// "IPv4", "ARP", ... or "0x88cc" for others.
std::string ethertype_name(uint16_t type);

class EthernetView {
  public:
    // Unchecked: call check_len() before any accessor (accessors assert their bounds).
    explicit EthernetView(std::span<const uint8_t> frame) : m_buf(frame) {}
    // The frame must hold at least ETH_HLEN bytes.
    static Result<EthernetView> new_checked(std::span<const uint8_t> frame);
    Result<void> check_len() const;

    MacAddr dst() const { return MacAddr::from_bytes(m_buf.subspan(0, ETH_ALEN)); }
    MacAddr src() const { return MacAddr::from_bytes(m_buf.subspan(ETH_ALEN, ETH_ALEN)); }
    uint16_t ethertype() const;
    std::span<const uint8_t> payload() const { return m_buf.subspan(ETH_HLEN); }
    std::span<const uint8_t> bytes() const { return m_buf; }

  private:
    std::span<const uint8_t> m_buf;
};

struct EthernetRepr {
    MacAddr dst;
    MacAddr src;
    uint16_t ethertype = 0;

    static Result<EthernetRepr> parse(const EthernetView& view);
    static constexpr size_t header_len() { return ETH_HLEN; }
    // Writes the 14 header bytes at the start of buf (buf.size() >= ETH_HLEN, asserted).
    void emit(std::span<uint8_t> buf) const;

    bool operator==(const EthernetRepr&) const = default;
};

// The frame length on the wire for a given payload: ETH_HLEN + payload, padded up to ETH_ZLEN
// (what a driver's skb_put_padto(skb, ETH_ZLEN) does before transmit).
inline size_t eth_frame_len(size_t payload_len) {
    const size_t n = ETH_HLEN + payload_len;
    return n < ETH_ZLEN ? ETH_ZLEN : n;
}

} // namespace skbscope::wire
