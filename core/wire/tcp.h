// TCP header and options (RFC 9293, RFC 7323, RFC 2018; struct tcphdr in include/uapi/linux/tcp.h).
// TcpView checks lengths as tcp_v4_rcv() does (doff >= 5, buffer >= doff*4); options parse like
// tcp_parse_options() in net/ipv4/tcp_input.c but strictly (a bad length is an error, never skipped).
// TcpOutOptions + tcp_options_layout() reproduce tcp_options_write()'s on-wire order and padding.
// SIMPLIFICATION: no TCP-AO/MD5/MPTCP/Fast Open options (they round-trip as unknown raw bytes).
#pragma once
#include "core/util/result.h"
#include "core/wire/addr.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace skbscope::wire {

inline constexpr size_t TCP_HDR_LEN = 20; // without options
inline constexpr size_t MAX_TCP_OPTION_SPACE = 40;

// Header flags, byte 13 (TCPHDR_* in include/net/tcp.h).
struct TcpFlags {
    static constexpr uint8_t Fin = 0x01;
    static constexpr uint8_t Syn = 0x02;
    static constexpr uint8_t Rst = 0x04;
    static constexpr uint8_t Psh = 0x08;
    static constexpr uint8_t Ack = 0x10;
    static constexpr uint8_t Urg = 0x20;
    static constexpr uint8_t Ece = 0x40;
    static constexpr uint8_t Cwr = 0x80;
};
// tshark's wording: "[SYN, ACK]", "[FIN, PSH, ACK]", "[<None>]".
std::string tcp_flags_to_string(uint8_t flags);

// Option kinds (TCPOPT_* in include/net/tcp.h).
struct TcpOptKind {
    static constexpr uint8_t Eol = 0;
    static constexpr uint8_t Nop = 1;
    static constexpr uint8_t Mss = 2;
    static constexpr uint8_t WScale = 3; // TCPOPT_WINDOW
    static constexpr uint8_t SackPerm = 4;
    static constexpr uint8_t Sack = 5;
    static constexpr uint8_t Timestamp = 8;
};

struct TcpSackBlock {
    uint32_t start_seq = 0;
    uint32_t end_seq = 0;
    bool operator==(const TcpSackBlock&) const = default;
};

inline constexpr size_t TCP_MAX_SACK_BLOCKS = 4;

// One option as it appears on the wire. Only the fields of its kind are meaningful.
struct TcpOption {
    uint8_t kind = TcpOptKind::Nop;
    uint16_t mss = 0;
    uint8_t wscale = 0; // shift count; tshark prints the multiplier 1 << wscale as WS=
    std::vector<TcpSackBlock> sack;
    uint32_t tsval = 0;
    uint32_t tsecr = 0;
    std::vector<uint8_t> data; // unknown kinds: the bytes after kind and length

    static TcpOption of_kind(uint8_t kind) {
        TcpOption o;
        o.kind = kind;
        return o;
    }
    static TcpOption eol() { return of_kind(TcpOptKind::Eol); }
    static TcpOption nop() { return of_kind(TcpOptKind::Nop); }
    static TcpOption make_mss(uint16_t mss);
    static TcpOption make_wscale(uint8_t shift);
    static TcpOption sack_perm() { return of_kind(TcpOptKind::SackPerm); }
    static TcpOption make_sack(std::vector<TcpSackBlock> blocks); // 1..4 blocks (asserted on emit)
    static TcpOption timestamp(uint32_t tsval, uint32_t tsecr);
    static TcpOption unknown(uint8_t kind, std::vector<uint8_t> data);

    size_t wire_len() const; // bytes including kind (and length)
    // tshark's info-column text: "MSS=1460", "SACK_PERM", "TSval=1 TSecr=0", "WS=128", "SLE=1 SRE=2".
    // Empty for NOP and EOL.
    std::string to_string() const;
    bool operator==(const TcpOption&) const = default;
};

// Parses an options area (bytes 20 .. doff*4) in order; stops at EOL (which is kept in the list).
// Errors for a length < 2, an option running past the area, or a known kind with a wrong length.
Result<std::vector<TcpOption>> parse_tcp_options(std::span<const uint8_t> area);
// Options area length: the sum of wire_len() rounded up to a multiple of 4.
size_t tcp_options_len(const std::vector<TcpOption>& options);
// Writes the options, zero (EOL) padded, into out (out.size() >= tcp_options_len(), asserted).
void emit_tcp_options(const std::vector<TcpOption>& options, std::span<uint8_t> out);

// What Linux decides to send (struct tcp_out_options in net/ipv4/tcp_output.c).
struct TcpOutOptions {
    std::optional<uint16_t> mss;
    bool sack_perm = false;
    bool timestamps = false;
    uint32_t tsval = 0;
    uint32_t tsecr = 0;
    std::optional<uint8_t> wscale;
    std::vector<TcpSackBlock> sacks;
};
// The option list in tcp_options_write()'s order: MSS; SACK_PERM+TS (or NOP,NOP,TS); NOP,WSCALE;
// NOP,NOP,SACK_PERM (without TS); NOP,NOP,SACK. A Linux SYN gives
// 02 04 05 b4 04 02 08 0a <tsval> <tsecr> 01 03 03 07, an established segment NOP NOP TS.
std::vector<TcpOption> tcp_options_layout(const TcpOutOptions& opts);

class TcpView {
  public:
    explicit TcpView(std::span<const uint8_t> segment) : m_buf(segment) {}
    // segment = the IPv4 payload (header, options and data).
    static Result<TcpView> new_checked(std::span<const uint8_t> segment);
    // segment >= 20, doff >= 5, segment >= doff*4.
    Result<void> check_len() const;

    uint16_t src_port() const;
    uint16_t dst_port() const;
    uint32_t seq() const;
    uint32_t ack_seq() const;
    uint8_t doff() const; // in 32-bit words
    size_t header_len() const { return doff() * 4u; }
    uint8_t flags() const; // byte 13
    bool has(uint8_t flag) const { return (flags() & flag) != 0; }
    uint16_t window() const; // raw, unscaled
    uint16_t checksum() const;
    uint16_t urg_ptr() const;
    std::span<const uint8_t> options() const; // bytes 20 .. doff*4
    std::span<const uint8_t> payload() const; // bytes doff*4 .. end
    bool verify_checksum(Ipv4Addr saddr, Ipv4Addr daddr) const;

  private:
    std::span<const uint8_t> m_buf;
};

struct TcpRepr {
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    uint32_t seq = 0;
    uint32_t ack_seq = 0;
    uint8_t flags = 0;
    uint16_t window = 0; // raw, as on the wire (already shifted right by the window scale)
    uint16_t urg_ptr = 0;
    std::vector<TcpOption> options;

    // Checks lengths and options; does not verify the checksum (TcpView::verify_checksum, drop
    // reason TCP_CSUM).
    static Result<TcpRepr> parse(const TcpView& view);
    size_t header_len() const { return TCP_HDR_LEN + tcp_options_len(options); }
    // segment = header_len() bytes for the header followed by the payload, already in place.
    // Writes the header and the pseudo-header checksum (options <= 40 bytes, sizes asserted).
    void emit(std::span<uint8_t> segment, Ipv4Addr saddr, Ipv4Addr daddr) const;

    bool operator==(const TcpRepr&) const = default;
};

} // namespace skbscope::wire
