// ICMPv4 messages the stack sends and answers (RFC 792, RFC 1191; struct icmphdr in
// include/uapi/linux/icmp.h): echo request/reply, destination unreachable (incl. fragmentation
// needed with the next-hop MTU) and time exceeded, each with its checksum over the whole message.
// SIMPLIFICATION: other types (redirect, timestamp, ...) are shown by the view but not parsed.
#pragma once
#include "core/util/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace skbscope::wire {

inline constexpr size_t ICMP_HDR_LEN = 8;

// Types and codes (ICMP_* in include/uapi/linux/icmp.h).
struct IcmpType {
    static constexpr uint8_t EchoReply = 0;     // ICMP_ECHOREPLY
    static constexpr uint8_t DestUnreach = 3;   // ICMP_DEST_UNREACH
    static constexpr uint8_t Echo = 8;          // ICMP_ECHO
    static constexpr uint8_t TimeExceeded = 11; // ICMP_TIME_EXCEEDED
};
struct IcmpCode {
    static constexpr uint8_t NetUnreach = 0;  // ICMP_NET_UNREACH
    static constexpr uint8_t HostUnreach = 1; // ICMP_HOST_UNREACH
    static constexpr uint8_t ProtUnreach = 2; // ICMP_PROT_UNREACH
    static constexpr uint8_t PortUnreach = 3; // ICMP_PORT_UNREACH
    static constexpr uint8_t FragNeeded = 4;  // ICMP_FRAG_NEEDED
    static constexpr uint8_t ExcTtl = 0;      // ICMP_EXC_TTL (time exceeded in transit)
    static constexpr uint8_t ExcFragTime = 1; // ICMP_EXC_FRAGTIME
};

// How much of the offending datagram an ICMP error quotes.
// LINUX: icmp_send() quotes as much as fits in a 576-byte reply (576 - 20 - 8 = 548 bytes), not just
// the RFC 792 minimum of the IP header plus 8 bytes; a port unreachable for a small UDP datagram
// carries the whole datagram.
enum class IcmpQuote { Linux, Rfc792 };
inline constexpr size_t ICMP_QUOTE_MAX_LINUX = 576 - 20 - ICMP_HDR_LEN;

// tshark's wording: "Echo (ping) request", "Destination unreachable (Port unreachable)", ...
std::string icmp_type_name(uint8_t type, uint8_t code);

class IcmpView {
  public:
    explicit IcmpView(std::span<const uint8_t> buf) : m_buf(buf) {}
    // At least the 8-byte header; the message is the whole buffer (the IPv4 payload).
    static Result<IcmpView> new_checked(std::span<const uint8_t> buf);
    Result<void> check_len() const;

    uint8_t type() const;
    uint8_t code() const;
    uint16_t checksum() const;
    uint16_t echo_id() const;      // bytes 4-5 (echo)
    uint16_t echo_seq() const;     // bytes 6-7 (echo)
    uint16_t next_hop_mtu() const; // bytes 6-7 (dest unreachable / frag needed, RFC 1191)
    std::span<const uint8_t> data() const { return m_buf.subspan(ICMP_HDR_LEN); }
    // The checksum over the whole message sums to 0xffff.
    bool verify_checksum() const;

  private:
    std::span<const uint8_t> m_buf;
};

struct IcmpRepr {
    uint8_t type = IcmpType::Echo;
    uint8_t code = 0;
    uint16_t echo_id = 0;      // echo request/reply
    uint16_t echo_seq = 0;     // echo request/reply
    uint16_t next_hop_mtu = 0; // dest unreachable, code FragNeeded
    // Echo: the payload echoed back. Errors: the offending datagram's IP header + 8 bytes.
    std::vector<uint8_t> data;

    static IcmpRepr echo_request(uint16_t id, uint16_t seq, std::span<const uint8_t> data);
    static IcmpRepr echo_reply(uint16_t id, uint16_t seq, std::span<const uint8_t> data);
    // Errors quote the original datagram, from its IP header on (see IcmpQuote).
    static IcmpRepr dest_unreachable(uint8_t code, std::span<const uint8_t> original_ip_packet,
                                     IcmpQuote rule = IcmpQuote::Linux);
    static IcmpRepr frag_needed(uint16_t mtu, std::span<const uint8_t> original_ip_packet,
                                IcmpQuote rule = IcmpQuote::Linux);
    static IcmpRepr time_exceeded(uint8_t code, std::span<const uint8_t> original_ip_packet,
                                  IcmpQuote rule = IcmpQuote::Linux);

    bool is_error() const { return type == IcmpType::DestUnreach || type == IcmpType::TimeExceeded; }
    // Accepts the four supported types; an error message must quote at least a 20-byte IP header
    // (icmp_unreach's pskb_may_pull(sizeof(struct iphdr))). Does not verify the checksum: call
    // IcmpView::verify_checksum() first (drop reason ICMP_CSUM).
    static Result<IcmpRepr> parse(const IcmpView& view);
    size_t buffer_len() const { return ICMP_HDR_LEN + data.size(); }
    // Writes buffer_len() bytes with the checksum (buf.size() >= buffer_len(), asserted).
    void emit(std::span<uint8_t> buf) const;

    bool operator==(const IcmpRepr&) const = default;
};

} // namespace skbscope::wire
