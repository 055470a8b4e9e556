// TCP over IPv4 (net/ipv4/tcp_ipv4.c): the receive entry tcp_v4_rcv with its header and checksum
// checks and the socket lookup (__inet_lookup_skb: established, then listener), tcp_v4_do_rcv,
// active open (tcp_v4_connect), the server's SYN (tcp_v4_conn_request -> tcp_conn_request ->
// tcp_v4_send_synack), the child at the end of the handshake (tcp_v4_syn_recv_sock), resets
// (tcp_v4_send_reset), the checksum (tcp_v4_send_check), the ISN (secure_tcp_seq) and ICMP errors
// (tcp_v4_err).
// When a task owns the socket (lock_sock) at the segment's time, tcp_add_backlog queues it on
// sk_backlog for release_sock (the model in stack/socket/sock.cpp).
// SIMPLIFICATION: no SYN cookies, TIME_WAIT is a full sock handled by tcp_rcv_state_process.
// LINUX: a header shorter than 20 bytes or a doff beyond the segment is dropped as NOT_SPECIFIED
// (pskb_may_pull failing: discard_it), doff < 5 as PKT_TOO_SMALL, a bad checksum as TCP_CSUM, a
// segment for no socket as NO_SOCKET after a RST is sent back (unless it was a RST).
#include "core/time/sim.h"
#include "core/wire/bytes.h"
#include "core/wire/checksum.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "stack/host.h"
#include "stack/ipv4/icmp.h"
#include "stack/ipv4/ip_sockglue.h"
#include "stack/ipv4/tcp.h"

namespace skbscope {

using wire::Ipv4Addr;
using wire::TcpFlags;

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// net_secret: per host, from the scenario's seed.
static uint64_t net_secret(Host& host) { return mix64(host.sim().seed() * 0x9e3779b97f4a7c15ULL + host.host_id() + 1); }

uint32_t secure_tcp_seq(Host& host, Ipv4Addr saddr, Ipv4Addr daddr, uint16_t sport, uint16_t dport) {
    // LINUX: siphash(saddr, daddr, sport, dport; net_secret) + ktime_get_real_ns() >> 6
    uint64_t h = mix64(net_secret(host) ^ (uint64_t(saddr.value) << 32 | daddr.value));
    h = mix64(h ^ (uint64_t(sport) << 16 | dport));
    return static_cast<uint32_t>(h) + static_cast<uint32_t>(host.sim().now() >> 6);
}

uint32_t secure_tcp_ts_off(Host& host, Ipv4Addr saddr, Ipv4Addr daddr) {
    return static_cast<uint32_t>(mix64(net_secret(host) ^ 0x5453 ^ (uint64_t(saddr.value) << 32 | daddr.value)));
}

// __tcp_v4_send_check: the checksum over the pseudo header and the whole segment (header in the
// linear part, data in page frags), stored in the header (software: CHECKSUM_NONE on the device).
void tcp_v4_send_check(Host& host, TcpSock* sk, SkBuff* skb) {
    TRACE_FUNC(host.sim(), tcp_v4_send_check, skb);
    std::vector<uint8_t> seg = skb->to_bytes();
    seg[16] = seg[17] = 0;
    uint16_t c = wire::csum_tcpudp(sk->inet_rcv_saddr, sk->inet_daddr, wire::IpProto::Tcp, seg);
    skb->data_ptr()[16] = static_cast<uint8_t>(c >> 8);
    skb->data_ptr()[17] = static_cast<uint8_t>(c);
    host.sim().charge_bytes(seg.size());
}

// ---- lookups (net/ipv4/inet_hashtables.c) ----

static TcpSock* __inet_lookup_established(Host& host, Ipv4Addr saddr, uint16_t sport, Ipv4Addr daddr, uint16_t dport,
                                          RequestSock** req) {
    TRACE_FUNC_NAMED(scope, host.sim(), __inet_lookup_established, nullptr, dport, sport);
    for (TcpSock* sk : host.tcp_ehash)
        if (sk->inet_dport == sport && sk->inet_num == dport && sk->inet_daddr == saddr && sk->inet_rcv_saddr == daddr) {
            scope.ret(1);
            return sk;
        }
    for (RequestSock* r : host.tcp_reqsk_ehash)
        if (r->ir_rmt_port == sport && r->ir_num == dport && r->ir_rmt_addr == saddr && r->ir_loc_addr == daddr) {
            *req = r;
            scope.ret(2);
            return nullptr;
        }
    scope.ret(0);
    return nullptr;
}

static TcpSock* __inet_lookup_listener(Host& host, Ipv4Addr daddr, uint16_t dport) {
    TRACE_FUNC_NAMED(scope, host.sim(), __inet_lookup_listener, nullptr, dport);
    TcpSock* best = nullptr;
    auto [b, e] = host.tcp_lhash.equal_range(dport);
    for (auto it = b; it != e; ++it) {
        TcpSock* sk = it->second;
        if (!sk->inet_rcv_saddr.is_any() && sk->inet_rcv_saddr != daddr) continue;
        if (!best || !sk->inet_rcv_saddr.is_any()) best = sk; // compute_score: an exact address wins
    }
    scope.ret(best ? 1 : 0);
    return best;
}

static TcpSock* __inet_lookup_skb(Host& host, Ipv4Addr saddr, uint16_t sport, Ipv4Addr daddr, uint16_t dport,
                                  RequestSock** req) {
    TRACE_FUNC_NAMED(scope, host.sim(), __inet_lookup_skb, nullptr, dport);
    TcpSock* sk = __inet_lookup_established(host, saddr, sport, daddr, dport, req);
    if (!sk && !*req) sk = __inet_lookup_listener(host, daddr, dport);
    scope.ret(sk || *req);
    return sk;
}

void inet_ehash_insert(Host& host, TcpSock* sk) {
    for (TcpSock* s : host.tcp_ehash)
        if (s == sk) return;
    host.tcp_ehash.push_back(sk);
}

void inet_unhash(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), inet_unhash);
    std::erase(host.tcp_ehash, sk);
    for (auto it = host.tcp_lhash.begin(); it != host.tcp_lhash.end();)
        it = it->second == sk ? host.tcp_lhash.erase(it) : std::next(it);
}

// ---- ICMP errors ----

// tcp_v4_err: an ICMP error quoting one of our segments (skb->data at the quoted IP header, the IP
// header and 8 bytes of TCP pulled). Found by the quoted 4-tuple; ignored unless the quoted sequence
// number is in flight. In SYN_SENT/SYN_RECV every error aborts the connect (sk_err, tcp_done); once
// connected it is kept in sk_err_soft (reported if the connection times out), or reported at once
// with IP_RECVERR.
// SIMPLIFICATION: FRAG_NEEDED records the MTU only (tcp_v4_mtu_reduced's tcp_sync_mss and
// tcp_simple_retransmit are not modelled); no RFC 6069 RTO revert (tcp_ld_RTO_revert); an error
// for a request sock (tcp_req_err) or a TIME_WAIT sock is ignored.
int tcp_v4_err(Host& host, SkBuff* skb, uint8_t type, uint8_t code, uint32_t info) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_v4_err, skb, type, code);
    const uint8_t* iph = skb->data_ptr();
    const uint8_t* th = iph + (iph[0] & 0xfu) * 4u;
    auto saddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4)); // ours
    auto daddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4));
    uint16_t sport = wire::get_be16(std::span<const uint8_t>(th, 8), 0);
    uint16_t dport = wire::get_be16(std::span<const uint8_t>(th, 8), 2);
    uint32_t seq = wire::get_be32(std::span<const uint8_t>(th, 8), 4);
    RequestSock* req = nullptr;
    TcpSock* sk = __inet_lookup_established(host, daddr, dport, saddr, sport, &req);
    if (!sk) {
        host.note(req ? "ICMP error for a request sock: ignored (tcp_req_err not modelled)"
                      : "no TCP socket for the quoted segment (ICMP_MIB_INERRORS)",
                  Layer::Tcp, skb);
        scope.ret(req ? 0 : -ENOENT);
        return req ? 0 : -ENOENT;
    }
    auto out = [&](const std::string& why) {
        if (!why.empty()) host.note(sk->label + ": " + why, Layer::Tcp, skb);
        scope.ret(0);
        return 0;
    };
    if (sk->sk_state == TCP_TIME_WAIT || sk->sk_state == TCP_CLOSE) return out("ICMP error ignored in this state");
    if (sk->sk_state != TCP_LISTEN && !between(seq, sk->snd_una, sk->snd_nxt))
        return out("quoted seq " + std::to_string(seq) + " not in flight: ignored (LINUX_MIB_OUTOFWINDOWICMPS)");
    int err = 0;
    switch (type) {
    case wire::IcmpType::DestUnreach:
        if (code > 15) return out(""); // NR_ICMP_UNREACH
        if (code == wire::IcmpCode::FragNeeded) { // PMTU discovery (RFC 1191)
            if (sk->sk_state == TCP_LISTEN) return out("");
            return out("path MTU " + std::to_string(info) + " (mtu_info; tcp_v4_mtu_reduced not modelled)");
        }
        {
            bool harderr = false;
            err = icmp_err_errno(type, code, &harderr);
        }
        break;
    case wire::IcmpType::TimeExceeded: err = EHOSTUNREACH; break;
    case 12: err = EPROTO; break; // ICMP_PARAMETERPROB
    default: return out(""); // SOURCE_QUENCH, REDIRECT (not modelled)
    }
    if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV) {
        ip_icmp_error(host, sk, skb, err, dport, info, th); // IP_RECVERR only
        sk->sk_err = err; // the connecting task sleeps without the lock: never owned here
        host.note(sk->label + ": " + errno_name(err) + " during the handshake: the connect fails", Layer::Tcp, skb);
        sk_error_report(host, sk);
        tcp_done(host, sk);
        return out("");
    }
    if (sk->recverr) {
        sk->sk_err = err;
        sk_error_report(host, sk);
        return out("sk_err = " + errno_name(err) + " (IP_RECVERR)");
    }
    sk->sk_err_soft = err; // only an error on timeout
    return out("soft error " + errno_name(err) + " kept in sk_err_soft (reported if the connection times out)");
}

// ---- resets ----

// tcp_v4_send_reset: answers skb (a segment for no socket, or one that must be refused) with a RST
// built from its header alone (RFC 9293 3.10.7.1).
void tcp_v4_send_reset(Host& host, TcpSock* sk, SkBuff* skb) {
    TRACE_FUNC(host.sim(), tcp_v4_send_reset, skb);
    const auto& cb = TCP_SKB_CB(skb);
    if (cb.tcp_flags & TcpFlags::Rst) return; // never answer a RST
    const uint8_t* th = skb->transport_ptr();
    const uint8_t* iph = skb->network_ptr();
    auto saddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4)); // we reply from the destination
    auto daddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4));
    wire::TcpRepr rep;
    rep.src_port = static_cast<uint16_t>((th[2] << 8) | th[3]);
    rep.dst_port = static_cast<uint16_t>((th[0] << 8) | th[1]);
    if (cb.tcp_flags & TcpFlags::Ack) {
        rep.seq = cb.ack_seq;
        rep.flags = TcpFlags::Rst;
    } else {
        rep.ack_seq = cb.end_seq; // seq + SYN + FIN + data
        rep.flags = TcpFlags::Rst | TcpFlags::Ack;
    }
    Flowi4 fl4;
    fl4.daddr = daddr;
    fl4.saddr = saddr;
    fl4.proto = wire::IpProto::Tcp;
    int err = 0;
    auto rt = ip_route_output_key(host, fl4, &err); // ip_send_unicast_reply
    if (!rt) return;
    SkBuff* nskb = alloc_skb(host.sim(), MAX_TCP_HEADER);
    nskb->flow = host.sim().new_flow();
    skb_reserve(nskb, MAX_TCP_HEADER);
    uint8_t* p = skb_push(nskb, wire::TCP_HDR_LEN);
    skb_reset_transport_header(nskb);
    rep.emit(std::span<uint8_t>(p, wire::TCP_HDR_LEN), saddr, daddr);
    host.note("RST to " + daddr.to_string() + ":" + std::to_string(rep.dst_port) +
                  (sk ? "" : " (no socket on port " + std::to_string(rep.src_port) + ")"), Layer::Tcp, nskb);
    ip_build_and_send_pkt(host, nskb, rt, saddr, daddr, 64);
}

// ---- active open ----

int tcp_v4_connect(Host& host, TcpSock* sk, const SockAddrIn& addr) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_v4_connect, nullptr, addr.addr.value, addr.port);
    auto fail = [&](int err) {
        scope.ret(err);
        return err;
    };
    if (addr.family != AF_INET) return fail(-EAFNOSUPPORT);
    Flowi4 fl4;
    fl4.daddr = addr.addr;
    fl4.saddr = sk->inet_rcv_saddr;
    fl4.proto = wire::IpProto::Tcp;
    fl4.sport = sk->inet_num;
    fl4.dport = addr.port;
    int err = 0;
    std::shared_ptr<Rtable> rt;
    {
        TRACE_FUNC(sim, ip_route_connect);
        rt = ip_route_output_flow(host, fl4, &err);
    }
    if (!rt) return fail(err ? err : -ENETUNREACH);
    if (rt->rt_type == RtnType::Broadcast) return fail(-ENETUNREACH);
    if (sk->inet_rcv_saddr.is_any()) sk->inet_rcv_saddr = fl4.saddr;
    sk->inet_daddr = addr.addr;
    sk->inet_dport = addr.port;
    sk->tcp_header_len = 20 + 12; // sysctl_tcp_timestamps: room for NOP NOP TS
    sk->mss_clamp = TCP_MSS_DEFAULT;
    tcp_set_state(host, sk, TCP_SYN_SENT);
    err = inet_hash_connect(host, sk);
    if (err) {
        tcp_set_state(host, sk, TCP_CLOSE);
        return fail(err);
    }
    sk->sk_dst = rt;
    {
        TRACE_FUNC(sim, secure_tcp_seq);
        sk->write_seq = secure_tcp_seq(host, sk->inet_rcv_saddr, sk->inet_daddr, sk->inet_num, sk->inet_dport);
        sk->ts_off = secure_tcp_ts_off(host, sk->inet_rcv_saddr, sk->inet_daddr);
    }
    sk->inet_id = static_cast<uint16_t>(sim.rng().next_u32());
    host.note(sk->label + ": connect " + sk->inet_rcv_saddr.to_string() + ":" + std::to_string(sk->inet_num) + " -> " +
                  addr.addr.to_string() + ":" + std::to_string(addr.port) + ", ISN " + std::to_string(sk->write_seq),
              Layer::Tcp);
    err = tcp_connect(host, sk);
    return fail(err);
}

// ---- passive open ----

static void tcp_v4_send_synack(Host& host, TcpSock* listener, RequestSock* req) {
    TRACE_FUNC(host.sim(), tcp_v4_send_synack);
    Flowi4 fl4;
    fl4.daddr = req->ir_rmt_addr;
    fl4.saddr = req->ir_loc_addr;
    fl4.proto = wire::IpProto::Tcp;
    fl4.sport = req->ir_num;
    fl4.dport = req->ir_rmt_port;
    int err = 0;
    std::shared_ptr<Rtable> rt;
    {
        TRACE_FUNC(host.sim(), inet_csk_route_req);
        rt = ip_route_output_flow(host, fl4, &err);
    }
    if (!rt) return;
    SkBuff* skb = tcp_make_synack(host, listener, req);
    ip_build_and_send_pkt(host, skb, rt, req->ir_loc_addr, req->ir_rmt_addr, listener->uc_ttl);
}

void tcp_resend_synack(Host& host, TcpSock* listener, RequestSock* req) { tcp_v4_send_synack(host, listener, req); }

// tcp_openreq_init_rwin: the window and its scale the SYN-ACK offers.
static void tcp_openreq_init_rwin(TcpSock* listener, RequestSock* req) {
    uint32_t mss = listener->advmss; // dst_metric_advmss
    if (req->tstamp_ok) mss -= 12;   // TCPOLEN_TSTAMP_ALIGNED
    uint32_t window_clamp = 0;
    tcp_select_initial_window(listener, tcp_full_space(listener), mss, &req->rsk_rcv_wnd, &window_clamp,
                              req->wscale_ok, &req->rcv_wscale);
    req->rsk_window_clamp = window_clamp;
}

static int tcp_conn_request(Host& host, TcpSock* sk, SkBuff* skb) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_conn_request, skb);
    if (static_cast<int>(sk->accept_queue.size()) > sk->sk_max_ack_backlog) { // sk_acceptq_is_full
        host.note(sk->label + ": accept queue full (backlog " + std::to_string(sk->sk_max_ack_backlog) + "): SYN ignored",
                  Layer::Tcp, skb);
        scope.ret(0);
        return 0;
    }
    TcpOptionsReceived opt;
    tcp_parse_options(skb, opt);
    const uint8_t* iph = skb->network_ptr();
    const uint8_t* th = skb->transport_ptr();
    auto req = std::make_unique<RequestSock>();
    {
        TRACE_FUNC(sim, inet_reqsk_alloc);
        req->rsk_listener = sk;
        req->ir_rmt_addr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4));
        req->ir_loc_addr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4));
        req->ir_rmt_port = static_cast<uint16_t>((th[0] << 8) | th[1]);
        req->ir_num = sk->inet_num;
    }
    // tcp_openreq_init
    req->rcv_isn = TCP_SKB_CB(skb).seq;
    req->mss = opt.mss_clamp ? opt.mss_clamp : TCP_MSS_DEFAULT;
    req->tstamp_ok = opt.saw_tstamp;
    req->ts_recent = opt.saw_tstamp ? opt.rcv_tsval : 0;
    req->sack_ok = opt.sack_ok;
    req->wscale_ok = opt.wscale_ok;
    req->snd_wscale = opt.snd_wscale;
    req->snd_wnd = static_cast<uint32_t>((th[14] << 8) | th[15]);
    req->label = sk->label + " req " + req->ir_rmt_addr.to_string() + ":" + std::to_string(req->ir_rmt_port);
    {
        TRACE_FUNC(sim, secure_tcp_seq);
        req->snt_isn = secure_tcp_seq(host, req->ir_loc_addr, req->ir_rmt_addr, req->ir_num, req->ir_rmt_port);
        req->ts_off = secure_tcp_ts_off(host, req->ir_loc_addr, req->ir_rmt_addr);
    }
    tcp_openreq_init_rwin(sk, req.get());
    RequestSock* r = req.get();
    inet_csk_reqsk_queue_hash_add(host, sk, std::move(req));
    r->snt_synack = sim.now();
    tcp_v4_send_synack(host, sk, r);
    scope.ret(0);
    return 0;
}

int tcp_v4_conn_request(Host& host, TcpSock* sk, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_v4_conn_request, skb);
    int r = tcp_conn_request(host, sk, skb);
    scope.ret(r);
    return r;
}

TcpSock* tcp_v4_syn_recv_sock(Host& host, TcpSock* listener, SkBuff* skb, RequestSock* req) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_v4_syn_recv_sock, skb);
    if (static_cast<int>(listener->accept_queue.size()) > listener->sk_max_ack_backlog) {
        host.note(listener->label + ": accept queue full: the handshake's ACK is dropped", Layer::Tcp, skb);
        scope.ret(0);
        return nullptr;
    }
    // tcp_create_openreq_child -> inet_csk_clone_lock
    TcpSock* nsk = nullptr;
    {
        TRACE_FUNC(sim, tcp_create_openreq_child);
        nsk = tcp_sock_alloc(host);
        tcp_init_sock(host, nsk);
        nsk->label = listener->label + " child " + std::to_string(++host.tcp_sock_count);
        nsk->parent = listener;
        nsk->inet_num = req->ir_num;
        nsk->inet_rcv_saddr = req->ir_loc_addr;
        nsk->inet_daddr = req->ir_rmt_addr;
        nsk->inet_dport = req->ir_rmt_port;
        nsk->uc_ttl = listener->uc_ttl;
        nsk->sk_rcvbuf = listener->sk_rcvbuf;
        nsk->sk_sndbuf = listener->sk_sndbuf;
        nsk->nodelay = listener->nodelay;
        nsk->keepalive = listener->keepalive; // SOCK_KEEPOPEN and the TCP_KEEP* values are cloned
        nsk->keepalive_time = listener->keepalive_time;
        nsk->keepalive_intvl = listener->keepalive_intvl;
        nsk->keepalive_probes = listener->keepalive_probes;
        nsk->icsk_ca_ops = listener->icsk_ca_ops;
        // inet_csk_clone_lock -> inet_sk_set_state: the child is born in SYN_RECV, a traced change
        sim.rec().tcp_state(nsk->label, TCP_CLOSE, TCP_SYN_RECV);
        nsk->sk_state = TCP_SYN_RECV;
        nsk->irs = req->rcv_isn;
        nsk->rcv_wup = nsk->copied_seq = nsk->rcv_nxt = req->rcv_isn + 1;
        nsk->snd_sml = nsk->snd_una = nsk->snd_nxt = nsk->snd_up = nsk->write_seq = nsk->pushed_seq = req->snt_isn + 1;
        nsk->isn = req->snt_isn;
        nsk->snd_wl1 = req->rcv_isn;
        nsk->tstamp_ok = req->tstamp_ok;
        nsk->sack_ok = req->sack_ok;
        nsk->wscale_ok = req->wscale_ok;
        nsk->snd_wscale = req->wscale_ok ? req->snd_wscale : 0;
        nsk->rcv_wscale = req->wscale_ok ? req->rcv_wscale : 0;
        nsk->ts_recent = req->ts_recent;
        nsk->ts_recent_stamp = sim.now();
        nsk->ts_off = req->ts_off;
        nsk->tcp_header_len = 20 + (nsk->tstamp_ok ? 12 : 0);
        nsk->rcv_wnd = req->rsk_rcv_wnd;
        nsk->rcv_ssthresh = req->rsk_rcv_wnd;
        nsk->window_clamp = req->rsk_window_clamp;
        nsk->snd_wnd = (static_cast<uint32_t>((skb->transport_ptr()[14] << 8) | skb->transport_ptr()[15]))
                       << nsk->snd_wscale;
        nsk->max_window = nsk->snd_wnd;
        nsk->mss_clamp = req->mss;
        // RTT from the SYN-ACK (tcp_synack_rtt_meas), when it was sent once
        if (!req->num_retrans) {
            TimeNs rtt = sim.now() - req->snt_synack;
            tcp_rtt_estimator(host, nsk, std::max<int64_t>(1, rtt / kNsPerUs));
            tcp_set_rto(host, nsk);
        }
    }
    // tcp_sync_mss / tcp_initialize_rcv_mss
    Flowi4 fl4;
    fl4.daddr = nsk->inet_daddr;
    fl4.saddr = nsk->inet_rcv_saddr;
    fl4.proto = wire::IpProto::Tcp;
    fl4.sport = nsk->inet_num;
    fl4.dport = nsk->inet_dport;
    int err = 0;
    nsk->sk_dst = ip_route_output_flow(host, fl4, &err);
    nsk->advmss = std::min<uint32_t>(listener->advmss, req->mss);
    nsk->advmss = listener->advmss;
    nsk->mss_cache = std::min<uint32_t>(req->mss, nsk->sk_dst ? nsk->sk_dst->mtu - 40 : 536) - (nsk->tcp_header_len - 20);
    {
        // tcp_initialize_rcv_mss: a guess of the peer's MSS no larger than 536 until data shows it
        uint32_t hint = std::min<uint32_t>(nsk->advmss, nsk->mss_cache);
        hint = std::min<uint32_t>(hint, nsk->rcv_wnd / 2);
        hint = std::min<uint32_t>(hint, TCP_MSS_DEFAULT);
        nsk->rcv_mss = std::max<uint32_t>(hint, 88);
    }
    {
        TRACE_FUNC(sim, inet_ehash_nolisten);
        inet_ehash_insert(host, nsk);
        host.tcp_bhash.emplace(nsk->inet_num, nsk); // __inet_inherit_port
    }
    scope.ret(1);
    return nsk;
}

// ---- receive ----

int tcp_v4_do_rcv(Host& host, TcpSock* sk, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_v4_do_rcv, skb);
    if (sk->sk_state == TCP_ESTABLISHED) {
        tcp_rcv_established(host, sk, skb);
        return 0;
    }
    if (tcp_rcv_state_process(host, sk, skb)) {
        tcp_v4_send_reset(host, sk, skb);
        kfree_skb_reason(skb, DropReason::TcpFlags);
    }
    return 0;
}

// sk_backlog_rcv of a TCP sock (tcp_prot.backlog_rcv = tcp_v4_do_rcv).
int tcp_v4_backlog_rcv(Host& host, Sock* sk, SkBuff* skb) { return tcp_v4_do_rcv(host, tcp_sk(sk), skb); }

// tcp_add_backlog: the socket is owned by a task: queue skb on sk_backlog until release_sock.
// True when it must be dropped (*reason SOCKET_BACKLOG): rmem + backlog over the limit.
// LINUX: the limit is 2 * sk_rcvbuf + sk_sndbuf / 2 + 64 KB (since 6.8; sk_rcvbuf + sk_sndbuf
// + 64 KB before), counted against sk_backlog.len + sk_rmem_alloc (sk_rcvqueues_full).
// SIMPLIFICATION: no coalescing with the backlog's tail (tcp_try_coalesce), no skb_condense.
bool tcp_add_backlog(Host& host, TcpSock* sk, SkBuff* skb, TimeNs due, ContextId owner, DropReason* reason) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_add_backlog, skb);
    uint64_t limit = (uint64_t(sk->sk_rcvbuf) << 1) + (sk->sk_sndbuf >> 1) + 64 * 1024;
    limit = std::min<uint64_t>(limit, UINT32_MAX);
    if (sk_add_backlog(host, sk, skb, static_cast<uint32_t>(limit), due, owner)) {
        host.note(sk->label + ": backlog full (" + std::to_string(sk->sk_backlog.len) + " + rmem " +
                      std::to_string(sk->sk_rmem_alloc) + " > " + std::to_string(limit) + "): TCPBACKLOGDROP",
                  Layer::Tcp, skb);
        *reason = DropReason::SocketBacklog;
        scope.ret(1);
        return true;
    }
    host.note(sk->label + ": owned by a task (lock_sock): segment waits on sk_backlog for release_sock",
              Layer::Tcp, skb);
    scope.ret(0);
    return false;
}

// tcp_child_process: the child receives the ACK that created it, then the listener is told.
static int tcp_child_process(Host& host, TcpSock* parent, TcpSock* child, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_child_process, skb);
    int ret = tcp_rcv_state_process(host, child, skb);
    if (ret) {
        tcp_v4_send_reset(host, child, skb);
        kfree_skb_reason(skb, DropReason::TcpFlags);
    }
    parent->sk_data_ready(host, parent); // the listener becomes readable: accept() can proceed
    scope.ret(ret);
    return ret;
}

int tcp_v4_rcv(Host& host, SkBuff* skb) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_v4_rcv, skb);
    auto drop = [&](DropReason r, const std::string& why) {
        host.note("TCP: " + why, Layer::Tcp, skb);
        kfree_skb_reason(skb, r);
        scope.ret(0);
        return 0;
    };
    if (skb->pkt_type != PktType::Host) return drop(DropReason::OtherHost, "not for this host");
    if (!pskb_may_pull(skb, wire::TCP_HDR_LEN)) return drop(DropReason::NotSpecified, "shorter than a TCP header");
    skb_reset_transport_header(skb);
    const uint8_t* th = skb->data_ptr();
    uint32_t doff = (th[12] >> 4) * 4u;
    if (doff < wire::TCP_HDR_LEN) return drop(DropReason::PktTooSmall, "data offset below 5");
    if (!pskb_may_pull(skb, doff)) return drop(DropReason::NotSpecified, "data offset beyond the segment");
    const uint8_t* iph = skb->network_ptr();
    auto saddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 12, 4));
    auto daddr = Ipv4Addr::from_bytes(std::span<const uint8_t>(iph + 16, 4));
    {
        // skb_checksum_init / tcp_checksum_complete: verified over the whole segment
        std::vector<uint8_t> seg = skb->to_bytes();
        sim.charge_bytes(seg.size());
        if (!wire::TcpView(seg).verify_checksum(saddr, daddr)) return drop(DropReason::TcpCsum, "bad checksum");
    }
    th = skb->data_ptr();
    auto& cb = TCP_SKB_CB(skb);
    cb = TcpSkbCb{};
    cb.seq = wire::get_be32(std::span<const uint8_t>(th, 20), 4);
    cb.ack_seq = wire::get_be32(std::span<const uint8_t>(th, 20), 8);
    cb.tcp_flags = th[13];
    uint32_t datalen = skb->len - doff;
    cb.end_seq = cb.seq + ((cb.tcp_flags & TcpFlags::Syn) ? 1 : 0) + ((cb.tcp_flags & TcpFlags::Fin) ? 1 : 0) + datalen;
    uint16_t sport = static_cast<uint16_t>((th[0] << 8) | th[1]);
    uint16_t dport = static_cast<uint16_t>((th[2] << 8) | th[3]);

    RequestSock* req = nullptr;
    TcpSock* sk = __inet_lookup_skb(host, saddr, sport, daddr, dport, &req);
    if (req) {
        // TCP_NEW_SYN_RECV: the request sock answers for its listener
        TcpSock* listener = req->rsk_listener;
        TcpSock* nsk = tcp_check_req(host, skb, req);
        if (!nsk) { // tcp_check_req consumed or dropped the segment
            scope.ret(0);
            return 0;
        }
        tcp_child_process(host, listener, nsk, skb);
        scope.ret(0);
        return 0;
    }
    if (!sk) {
        // no_tcp_socket
        tcp_v4_send_reset(host, nullptr, skb);
        return drop(DropReason::NoSocket, "no socket for port " + std::to_string(dport));
    }
    // A listener is processed without its lock (Linux since 4.4); any other sock: bh_lock_sock, then
    // tcp_v4_do_rcv, or the backlog when a task owns it at this time.
    TimeNs due = 0;
    ContextId owner = 0;
    if (sk->sk_state != TCP_LISTEN && sock_owned_by_user_at(sk, sim.now(), &due, &owner)) {
        DropReason reason = DropReason::NotSpecified;
        if (tcp_add_backlog(host, sk, skb, due, owner, &reason)) {
            kfree_skb_reason(skb, reason); // discard_and_relse
        }
        scope.ret(0);
        return 0;
    }
    int ret = tcp_v4_do_rcv(host, sk, skb);
    scope.ret(ret);
    return ret;
}

} // namespace skbscope
