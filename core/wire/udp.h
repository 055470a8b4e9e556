// UDP header (RFC 768; struct udphdr in include/uapi/linux/udp.h) with the IPv4 pseudo-header
// checksum. UdpView checks lengths as __udp4_lib_rcv() does (8 <= len <= buffer); UdpRepr emits
// the header in front of a payload already in place, as udp_send_skb() does on the skb.
// LINUX: a computed checksum of 0 is sent as 0xffff (CSUM_MANGLED_0); a received 0 means "none".
#pragma once
#include "core/util/result.h"
#include "core/wire/addr.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace skbscope::wire {

inline constexpr size_t UDP_HDR_LEN = 8;

class UdpView {
  public:
    explicit UdpView(std::span<const uint8_t> buf) : m_buf(buf) {}
    static Result<UdpView> new_checked(std::span<const uint8_t> buf);
    // buf >= 8, len field >= 8, buf >= len. The buffer may be longer (padding): payload() stops at len.
    Result<void> check_len() const;

    uint16_t src_port() const;
    uint16_t dst_port() const;
    uint16_t len() const; // header + payload
    uint16_t checksum() const;
    std::span<const uint8_t> payload() const;  // bytes 8 .. len
    std::span<const uint8_t> datagram() const; // bytes 0 .. len
    // True when the checksum is 0 (not computed by the sender) or the pseudo-header sum is correct.
    bool verify_checksum(Ipv4Addr saddr, Ipv4Addr daddr) const;

  private:
    std::span<const uint8_t> m_buf;
};

struct UdpRepr {
    uint16_t src_port = 0;
    uint16_t dst_port = 0;

    // Does not verify the checksum: call UdpView::verify_checksum() (drop reason UDP_CSUM).
    static Result<UdpRepr> parse(const UdpView& view);
    static constexpr size_t header_len() { return UDP_HDR_LEN; }
    // datagram = 8 header bytes followed by the payload, already in place. Writes the header with
    // len = datagram.size() and the pseudo-header checksum (datagram.size() in 8..65535, asserted).
    void emit(std::span<uint8_t> datagram, Ipv4Addr saddr, Ipv4Addr daddr) const;

    bool operator==(const UdpRepr&) const = default;
};

} // namespace skbscope::wire
