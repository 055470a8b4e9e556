// Big-endian (network order) loads and stores over byte spans, shared by the wire formats.
// Mirrors the kernel's get_unaligned_be16/32 and put_unaligned_be16/32 (include/linux/unaligned.h).
// Every access is bounds-checked with SKB_ASSERT: a view that reads past its buffer is a bug in our
// code (a missing check_len), never an out-of-bounds read.
#pragma once
#include "core/util/assert.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace skbscope::wire {

inline uint8_t get_u8(std::span<const uint8_t> b, size_t off) {
    SKB_ASSERT(off < b.size());
    return b[off];
}

inline uint16_t get_be16(std::span<const uint8_t> b, size_t off) {
    SKB_ASSERT(off + 2 <= b.size());
    return static_cast<uint16_t>((b[off] << 8) | b[off + 1]);
}

inline uint32_t get_be32(std::span<const uint8_t> b, size_t off) {
    SKB_ASSERT(off + 4 <= b.size());
    return (uint32_t{b[off]} << 24) | (uint32_t{b[off + 1]} << 16) | (uint32_t{b[off + 2]} << 8) |
           uint32_t{b[off + 3]};
}

inline void put_u8(std::span<uint8_t> b, size_t off, uint8_t v) {
    SKB_ASSERT(off < b.size());
    b[off] = v;
}

inline void put_be16(std::span<uint8_t> b, size_t off, uint16_t v) {
    SKB_ASSERT(off + 2 <= b.size());
    b[off] = static_cast<uint8_t>(v >> 8);
    b[off + 1] = static_cast<uint8_t>(v);
}

inline void put_be32(std::span<uint8_t> b, size_t off, uint32_t v) {
    SKB_ASSERT(off + 4 <= b.size());
    b[off] = static_cast<uint8_t>(v >> 24);
    b[off + 1] = static_cast<uint8_t>(v >> 16);
    b[off + 2] = static_cast<uint8_t>(v >> 8);
    b[off + 3] = static_cast<uint8_t>(v);
}

// A sub-span [off, off + len) that must lie inside b.
inline std::span<const uint8_t> sub(std::span<const uint8_t> b, size_t off, size_t len) {
    SKB_ASSERT(off <= b.size() && len <= b.size() - off);
    return b.subspan(off, len);
}

} // namespace skbscope::wire
