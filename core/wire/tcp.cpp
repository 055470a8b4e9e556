// TCP header view, repr and options (tcp_v4_rcv, tcp_parse_options in net/ipv4/tcp_input.c;
// tcp_options_write in net/ipv4/tcp_output.c).
#include "core/wire/tcp.h"

#include "core/wire/bytes.h"
#include "core/wire/checksum.h"
#include "core/wire/ipv4.h"

namespace skbscope::wire {

std::string tcp_flags_to_string(uint8_t flags) {
    static const char* const names[8] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    std::string s = "[";
    for (int i = 0; i < 8; ++i) {
        if ((flags & (1u << i)) == 0) continue;
        if (s.size() > 1) s += ", ";
        s += names[i];
    }
    if (s.size() == 1) s += "<None>";
    return s + "]";
}

// ---- options ----

TcpOption TcpOption::make_mss(uint16_t mss) {
    TcpOption o = TcpOption::of_kind(TcpOptKind::Mss);
    o.mss = mss;
    return o;
}

TcpOption TcpOption::make_wscale(uint8_t shift) {
    TcpOption o = TcpOption::of_kind(TcpOptKind::WScale);
    o.wscale = shift;
    return o;
}

TcpOption TcpOption::make_sack(std::vector<TcpSackBlock> blocks) {
    TcpOption o = TcpOption::of_kind(TcpOptKind::Sack);
    o.sack = std::move(blocks);
    return o;
}

TcpOption TcpOption::timestamp(uint32_t tsval, uint32_t tsecr) {
    TcpOption o = TcpOption::of_kind(TcpOptKind::Timestamp);
    o.tsval = tsval;
    o.tsecr = tsecr;
    return o;
}

TcpOption TcpOption::unknown(uint8_t kind, std::vector<uint8_t> data) {
    TcpOption o = TcpOption::of_kind(kind);
    o.data = std::move(data);
    return o;
}

size_t TcpOption::wire_len() const {
    switch (kind) {
    case TcpOptKind::Eol:
    case TcpOptKind::Nop:
        return 1;
    case TcpOptKind::Mss:
        return 4;
    case TcpOptKind::WScale:
        return 3;
    case TcpOptKind::SackPerm:
        return 2;
    case TcpOptKind::Sack:
        return 2 + 8 * sack.size();
    case TcpOptKind::Timestamp:
        return 10;
    default:
        return 2 + data.size();
    }
}

std::string TcpOption::to_string() const {
    switch (kind) {
    case TcpOptKind::Eol:
    case TcpOptKind::Nop:
        return "";
    case TcpOptKind::Mss:
        return "MSS=" + std::to_string(mss);
    case TcpOptKind::WScale:
        return "WS=" + std::to_string(wscale <= 14 ? (1u << wscale) : 0u);
    case TcpOptKind::SackPerm:
        return "SACK_PERM";
    case TcpOptKind::Sack: {
        std::string s;
        for (const auto& b : sack) {
            if (!s.empty()) s += ' ';
            s += "SLE=" + std::to_string(b.start_seq) + " SRE=" + std::to_string(b.end_seq);
        }
        return s;
    }
    case TcpOptKind::Timestamp:
        return "TSval=" + std::to_string(tsval) + " TSecr=" + std::to_string(tsecr);
    default:
        return "Kind" + std::to_string(kind);
    }
}

namespace {

const char* known_option_name(uint8_t kind) {
    switch (kind) {
    case TcpOptKind::Mss:
        return "MSS";
    case TcpOptKind::WScale:
        return "WSCALE";
    case TcpOptKind::SackPerm:
        return "SACK_PERM";
    case TcpOptKind::Sack:
        return "SACK";
    case TcpOptKind::Timestamp:
        return "TIMESTAMP";
    default:
        return nullptr;
    }
}

bool known_length_ok(uint8_t kind, size_t len) {
    switch (kind) {
    case TcpOptKind::Mss:
        return len == 4;
    case TcpOptKind::WScale:
        return len == 3;
    case TcpOptKind::SackPerm:
        return len == 2;
    case TcpOptKind::Sack:
        return len >= 10 && (len - 2) % 8 == 0 && (len - 2) / 8 <= TCP_MAX_SACK_BLOCKS;
    case TcpOptKind::Timestamp:
        return len == 10;
    default:
        return true;
    }
}

} // namespace

Result<std::vector<TcpOption>> parse_tcp_options(std::span<const uint8_t> area) {
    std::vector<TcpOption> out;
    size_t i = 0;
    while (i < area.size()) {
        const uint8_t kind = area[i];
        if (kind == TcpOptKind::Eol) {
            out.push_back(TcpOption::eol());
            break; // the rest is padding
        }
        if (kind == TcpOptKind::Nop) {
            out.push_back(TcpOption::nop());
            ++i;
            continue;
        }
        const std::string where =
            "TCP option kind " + std::to_string(kind) + " at offset " + std::to_string(i);
        if (i + 1 >= area.size()) return make_error(where + ": length byte missing");
        const size_t len = area[i + 1];
        if (len < 2) return make_error(where + ": length " + std::to_string(len) + " < 2");
        if (i + len > area.size())
            return make_error(where + ": length " + std::to_string(len) + " runs past the options (" +
                              std::to_string(area.size() - i) + " bytes left)");
        if (!known_length_ok(kind, len))
            return make_error(where + ": bad length " + std::to_string(len) + " for " +
                              known_option_name(kind));
        const auto body = sub(area, i + 2, len - 2);
        TcpOption o = TcpOption::of_kind(kind);
        switch (kind) {
        case TcpOptKind::Mss:
            o.mss = get_be16(body, 0);
            break;
        case TcpOptKind::WScale:
            o.wscale = get_u8(body, 0);
            break;
        case TcpOptKind::SackPerm:
            break;
        case TcpOptKind::Sack:
            for (size_t b = 0; b + 8 <= body.size(); b += 8)
                o.sack.push_back(TcpSackBlock{get_be32(body, b), get_be32(body, b + 4)});
            break;
        case TcpOptKind::Timestamp:
            o.tsval = get_be32(body, 0);
            o.tsecr = get_be32(body, 4);
            break;
        default:
            o.data.assign(body.begin(), body.end());
            break;
        }
        out.push_back(std::move(o));
        i += len;
    }
    return out;
}

size_t tcp_options_len(const std::vector<TcpOption>& options) {
    size_t n = 0;
    for (const auto& o : options)
        n += o.wire_len();
    return (n + 3) & ~size_t{3};
}

void emit_tcp_options(const std::vector<TcpOption>& options, std::span<uint8_t> out) {
    const size_t total = tcp_options_len(options);
    SKB_ASSERT(out.size() >= total);
    size_t i = 0;
    for (const auto& o : options) {
        const size_t len = o.wire_len();
        put_u8(out, i, o.kind);
        if (len > 1) {
            SKB_ASSERT(len <= 255);
            put_u8(out, i + 1, static_cast<uint8_t>(len));
        }
        switch (o.kind) {
        case TcpOptKind::Eol:
        case TcpOptKind::Nop:
        case TcpOptKind::SackPerm:
            break;
        case TcpOptKind::Mss:
            put_be16(out, i + 2, o.mss);
            break;
        case TcpOptKind::WScale:
            put_u8(out, i + 2, o.wscale);
            break;
        case TcpOptKind::Sack:
            SKB_ASSERT(!o.sack.empty() && o.sack.size() <= TCP_MAX_SACK_BLOCKS);
            for (size_t b = 0; b < o.sack.size(); ++b) {
                put_be32(out, i + 2 + 8 * b, o.sack[b].start_seq);
                put_be32(out, i + 6 + 8 * b, o.sack[b].end_seq);
            }
            break;
        case TcpOptKind::Timestamp:
            put_be32(out, i + 2, o.tsval);
            put_be32(out, i + 6, o.tsecr);
            break;
        default:
            for (size_t k = 0; k < o.data.size(); ++k)
                put_u8(out, i + 2 + k, o.data[k]);
            break;
        }
        i += len;
    }
    for (; i < total; ++i)
        put_u8(out, i, TcpOptKind::Eol);
}

std::vector<TcpOption> tcp_options_layout(const TcpOutOptions& opts) {
    std::vector<TcpOption> out;
    if (opts.mss) out.push_back(TcpOption::make_mss(*opts.mss));
    if (opts.timestamps) {
        if (opts.sack_perm) {
            out.push_back(TcpOption::sack_perm());
        } else {
            out.push_back(TcpOption::nop());
            out.push_back(TcpOption::nop());
        }
        out.push_back(TcpOption::timestamp(opts.tsval, opts.tsecr));
    }
    if (opts.wscale) {
        out.push_back(TcpOption::nop());
        out.push_back(TcpOption::make_wscale(*opts.wscale));
    }
    if (opts.sack_perm && !opts.timestamps) {
        out.push_back(TcpOption::nop());
        out.push_back(TcpOption::nop());
        out.push_back(TcpOption::sack_perm());
    }
    if (!opts.sacks.empty()) {
        out.push_back(TcpOption::nop());
        out.push_back(TcpOption::nop());
        out.push_back(TcpOption::make_sack(opts.sacks));
    }
    return out;
}

// ---- header ----

Result<TcpView> TcpView::new_checked(std::span<const uint8_t> segment) {
    TcpView v(segment);
    if (auto r = v.check_len(); !r) return r.error();
    return v;
}

Result<void> TcpView::check_len() const {
    if (m_buf.size() < TCP_HDR_LEN)
        return make_error("TCP: too short for a header (" + std::to_string(m_buf.size()) + " < 20 bytes)");
    if (doff() < 5) return make_error("TCP: header length " + std::to_string(header_len()) + " < 20 bytes");
    if (header_len() > m_buf.size())
        return make_error("TCP: header length " + std::to_string(header_len()) + " > segment " +
                          std::to_string(m_buf.size()) + " bytes");
    return {};
}

uint16_t TcpView::src_port() const {
    return get_be16(m_buf, 0);
}
uint16_t TcpView::dst_port() const {
    return get_be16(m_buf, 2);
}
uint32_t TcpView::seq() const {
    return get_be32(m_buf, 4);
}
uint32_t TcpView::ack_seq() const {
    return get_be32(m_buf, 8);
}
uint8_t TcpView::doff() const {
    return get_u8(m_buf, 12) >> 4;
}
uint8_t TcpView::flags() const {
    return get_u8(m_buf, 13);
}
uint16_t TcpView::window() const {
    return get_be16(m_buf, 14);
}
uint16_t TcpView::checksum() const {
    return get_be16(m_buf, 16);
}
uint16_t TcpView::urg_ptr() const {
    return get_be16(m_buf, 18);
}
std::span<const uint8_t> TcpView::options() const {
    return sub(m_buf, TCP_HDR_LEN, header_len() - TCP_HDR_LEN);
}
std::span<const uint8_t> TcpView::payload() const {
    return m_buf.subspan(header_len());
}

bool TcpView::verify_checksum(Ipv4Addr saddr, Ipv4Addr daddr) const {
    return m_buf.size() <= 0xffff && csum_tcpudp(saddr, daddr, IpProto::Tcp, m_buf) == 0;
}

Result<TcpRepr> TcpRepr::parse(const TcpView& view) {
    if (auto r = view.check_len(); !r) return r.error();
    auto opts = parse_tcp_options(view.options());
    if (!opts) return opts.error();
    return TcpRepr{view.src_port(), view.dst_port(), view.seq(),     view.ack_seq(),
                   view.flags(),    view.window(),   view.urg_ptr(), std::move(*opts)};
}

void TcpRepr::emit(std::span<uint8_t> segment, Ipv4Addr saddr, Ipv4Addr daddr) const {
    const size_t hl = header_len();
    SKB_ASSERT(hl - TCP_HDR_LEN <= MAX_TCP_OPTION_SPACE);
    SKB_ASSERT(segment.size() >= hl && segment.size() <= 0xffff);
    put_be16(segment, 0, src_port);
    put_be16(segment, 2, dst_port);
    put_be32(segment, 4, seq);
    put_be32(segment, 8, ack_seq);
    put_u8(segment, 12, static_cast<uint8_t>((hl / 4) << 4));
    put_u8(segment, 13, flags);
    put_be16(segment, 14, window);
    put_be16(segment, 16, 0);
    put_be16(segment, 18, urg_ptr);
    emit_tcp_options(options, segment.subspan(TCP_HDR_LEN, hl - TCP_HDR_LEN));
    put_be16(segment, 16, csum_tcpudp(saddr, daddr, IpProto::Tcp, segment));
}

} // namespace skbscope::wire
