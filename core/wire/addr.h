// Link-layer and IPv4 addresses as small value types: MacAddr (6 bytes, ETH_ALEN) and Ipv4Addr
// (a host-order uint32, where Linux keeps __be32). Mirrors include/linux/etherdevice.h helpers
// (is_broadcast_ether_addr, ...) and inet_ntoa/inet_pton/inet_make_mask from net/ipv4.
// SIMPLIFICATION: IPv4 only; no IPv6 addresses.
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace skbscope::wire {

inline constexpr size_t ETH_ALEN = 6;

struct MacAddr {
    std::array<uint8_t, ETH_ALEN> bytes{};

    static constexpr MacAddr broadcast() { return MacAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
    static constexpr MacAddr zero() { return MacAddr{}; }
    // Reads 6 bytes; span must hold at least ETH_ALEN bytes (asserted).
    static MacAddr from_bytes(std::span<const uint8_t> b);
    // "02:00:00:00:00:01" (also accepts '-' separators and upper case); nullopt when malformed.
    static std::optional<MacAddr> parse(std::string_view text);

    bool is_broadcast() const { return *this == broadcast(); }
    bool is_multicast() const { return (bytes[0] & 0x01) != 0; }
    bool is_zero() const { return *this == zero(); }
    // Lower-case, colon separated: "02:00:00:00:00:01".
    std::string to_string() const;
    void write_to(std::span<uint8_t> out) const; // out.size() >= ETH_ALEN (asserted)

    auto operator<=>(const MacAddr&) const = default;
};

struct Ipv4Addr {
    uint32_t value = 0; // host order: 192.168.1.1 == 0xc0a80101

    static constexpr Ipv4Addr from_octets(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
        return Ipv4Addr{(uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | uint32_t{d}};
    }
    static constexpr Ipv4Addr any() { return Ipv4Addr{0}; }
    static constexpr Ipv4Addr broadcast() { return Ipv4Addr{0xffffffffu}; }
    // Netmask for a prefix length 0..32 (inet_make_mask): 24 -> 255.255.255.0.
    static constexpr Ipv4Addr mask_from_prefix(int prefix_len) {
        if (prefix_len <= 0) return Ipv4Addr{0};
        if (prefix_len >= 32) return Ipv4Addr{0xffffffffu};
        return Ipv4Addr{~((1u << (32 - prefix_len)) - 1)};
    }
    // Dotted quad "192.168.1.1"; exactly four decimal octets 0..255, nothing else.
    static std::optional<Ipv4Addr> parse(std::string_view text);
    static Ipv4Addr from_bytes(std::span<const uint8_t> b); // 4 bytes, network order (asserted)

    // Prefix length of a contiguous netmask (255.255.255.0 -> 24); nullopt if not contiguous.
    std::optional<int> mask_prefix_len() const;
    Ipv4Addr masked(int prefix_len) const { return Ipv4Addr{value & mask_from_prefix(prefix_len).value}; }
    bool in_subnet(Ipv4Addr network, int prefix_len) const {
        return masked(prefix_len) == network.masked(prefix_len);
    }
    bool is_any() const { return value == 0; }
    bool is_broadcast() const { return value == 0xffffffffu; }
    bool is_multicast() const { return (value >> 28) == 0xe; }
    bool is_loopback() const { return (value >> 24) == 127; }
    std::string to_string() const;
    void write_to(std::span<uint8_t> out) const; // 4 bytes, network order (asserted)

    auto operator<=>(const Ipv4Addr&) const = default;
};

} // namespace skbscope::wire
