// MacAddr and Ipv4Addr parsing and printing (inet_pton / inet_ntoa and %pM in the kernel's printk).
#include "core/wire/addr.h"

#include "core/wire/bytes.h"

#include <cstdio>

namespace skbscope::wire {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

MacAddr MacAddr::from_bytes(std::span<const uint8_t> b) {
    SKB_ASSERT(b.size() >= ETH_ALEN);
    MacAddr m;
    for (size_t i = 0; i < ETH_ALEN; ++i)
        m.bytes[i] = b[i];
    return m;
}

std::optional<MacAddr> MacAddr::parse(std::string_view text) {
    // Exactly "xx:xx:xx:xx:xx:xx" (17 characters).
    if (text.size() != 17) return std::nullopt;
    MacAddr m;
    for (size_t i = 0; i < ETH_ALEN; ++i) {
        const size_t p = i * 3;
        const int hi = hex_digit(text[p]);
        const int lo = hex_digit(text[p + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        if (i + 1 < ETH_ALEN && text[p + 2] != ':' && text[p + 2] != '-') return std::nullopt;
        m.bytes[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    return m;
}

std::string MacAddr::to_string() const {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2], bytes[3],
                  bytes[4], bytes[5]);
    return buf;
}

void MacAddr::write_to(std::span<uint8_t> out) const {
    SKB_ASSERT(out.size() >= ETH_ALEN);
    for (size_t i = 0; i < ETH_ALEN; ++i)
        out[i] = bytes[i];
}

std::optional<Ipv4Addr> Ipv4Addr::parse(std::string_view text) {
    uint32_t value = 0;
    size_t pos = 0;
    for (int octet = 0; octet < 4; ++octet) {
        if (octet > 0) {
            if (pos >= text.size() || text[pos] != '.') return std::nullopt;
            ++pos;
        }
        size_t digits = 0;
        uint32_t v = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 3) {
            v = v * 10 + static_cast<uint32_t>(text[pos] - '0');
            ++pos;
            ++digits;
        }
        if (digits == 0 || v > 255) return std::nullopt;
        value = (value << 8) | v;
    }
    if (pos != text.size()) return std::nullopt;
    return Ipv4Addr{value};
}

Ipv4Addr Ipv4Addr::from_bytes(std::span<const uint8_t> b) {
    return Ipv4Addr{get_be32(b, 0)};
}

std::optional<int> Ipv4Addr::mask_prefix_len() const {
    int len = 0;
    while (len < 32 && (value & (0x80000000u >> len)) != 0)
        ++len;
    if (mask_from_prefix(len).value != value) return std::nullopt;
    return len;
}

std::string Ipv4Addr::to_string() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff,
                  value & 0xff);
    return buf;
}

void Ipv4Addr::write_to(std::span<uint8_t> out) const {
    put_be32(out, 0, value);
}

} // namespace skbscope::wire
