// TCP output (net/ipv4/tcp_output.c): the SYN (tcp_connect), the SYN-ACK (tcp_make_synack),
// segments (tcp_write_xmit with the cwnd, receive-window and Nagle tests -> tcp_transmit_skb ->
// __tcp_transmit_skb: clone, header, options, checksum -> ip_queue_xmit), ACKs (tcp_send_ack,
// tcp_send_delayed_ack), FIN, RST, retransmission and the receive window we advertise.
// SIMPLIFICATION: no GSO skbs (see tcp.h), no pacing or TCP small queues; no tail loss probe (the
// RTO timer covers the tail); no MTU probing; SACK blocks are sent but D-SACK is not.
// LINUX: options in tcp_options_write's order (MSS, SACK_PERM+TS, NOP+WS on a SYN; NOP NOP TS on
// other segments); the SYN's window is never scaled; the window never shrinks (tcp_select_window).
#include "core/time/sim.h"
#include "core/wire/ipv4.h"
#include "stack/host.h"
#include "stack/ipv4/tcp.h"
#include "stack/ipv4/tcp_input_internal.h"

namespace skbscope {

using wire::TcpFlags;

void tcp_mstamp_refresh(Host& host, TcpSock* sk) { sk->tcp_mstamp = host.sim().now(); }

uint32_t tcp_time_stamp_ts(Host& host, const TcpSock* sk) {
    return static_cast<uint32_t>(host.sim().now() / kNsPerMs) + sk->ts_off;
}

uint32_t tcp_current_mss(const TcpSock* sk) { return sk->mss_cache; }

void tcp_select_initial_window(const TcpSock* sk, uint32_t space, uint32_t mss, uint32_t* rcv_wnd,
                               uint32_t* window_clamp, bool wscale_ok, uint8_t* rcv_wscale) {
    uint32_t clamp = *window_clamp ? *window_clamp : (65535u << 14);
    space = std::min(clamp, space);
    if (space > mss) space = space / mss * mss; // quantize to a multiple of mss
    *rcv_wnd = space;                           // tcp_workaround_signed_windows = 0
    *rcv_wscale = 0;
    if (wscale_ok) {
        // the scale for the largest window the socket may ever offer (tcp_rmem[2], rmem_max)
        uint32_t s = std::max<uint32_t>(space, TCP_RMEM_MAX);
        s = std::min(s, clamp);
        int ilog = 31 - __builtin_clz(s);
        *rcv_wscale = static_cast<uint8_t>(std::clamp(ilog - 15, 0, 14));
    }
    *window_clamp = std::min<uint32_t>(65535u << *rcv_wscale, clamp);
    (void)sk;
}

// __tcp_select_window: the window the receive buffer allows now, not above rcv_ssthresh.
static uint32_t __tcp_select_window(TcpSock* sk) {
    uint32_t mss = sk->rcv_mss;
    int64_t free_space = tcp_space(sk);
    int64_t allowed_space = tcp_full_space(sk);
    int64_t full_space = std::min<int64_t>(sk->window_clamp, allowed_space);
    if (mss > full_space) {
        mss = static_cast<uint32_t>(full_space);
        if (full_space <= 0) return 0;
    }
    if (free_space < (full_space >> 1)) {
        sk->ack_quick = 0;
        free_space = free_space & ~((int64_t(1) << sk->rcv_wscale) - 1);
        if (free_space < (allowed_space >> 4) || free_space < mss) return 0;
    }
    if (free_space > sk->rcv_ssthresh) free_space = sk->rcv_ssthresh;
    uint32_t window;
    if (sk->rcv_wscale) {
        uint32_t unit = 1u << sk->rcv_wscale;
        window = (static_cast<uint32_t>(free_space) + unit - 1) & ~(unit - 1); // ALIGN
    } else {
        window = sk->rcv_wnd;
        if (window <= free_space - mss || window > free_space) window = static_cast<uint32_t>(free_space / mss * mss);
        else if (mss == full_space && free_space > window + (full_space >> 1)) window = static_cast<uint32_t>(free_space);
    }
    return window;
}

uint16_t tcp_select_window(Host& host, TcpSock* sk) {
    (void)host;
    uint32_t cur_win = tcp_receive_window(sk);
    uint32_t new_win = __tcp_select_window(sk);
    if (new_win < cur_win) {
        uint32_t unit = 1u << sk->rcv_wscale;
        new_win = (cur_win + unit - 1) & ~(unit - 1); // never shrink the offered window
    }
    sk->rcv_wnd = new_win;
    sk->rcv_wup = sk->rcv_nxt;
    new_win = std::min<uint32_t>(new_win, 65535u << sk->rcv_wscale);
    return static_cast<uint16_t>(new_win >> sk->rcv_wscale);
}

SkBuff* tcp_stream_alloc_skb(Host& host, TcpSock* sk) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, tcp_stream_alloc_skb);
    SkBuff* skb = nullptr;
    {
        TRACE_FUNC(sim, alloc_skb_fclone);
        skb = alloc_skb(sim, MAX_TCP_HEADER);
    }
    skb->flow = sim.new_flow();
    skb->sk = sk;
    skb_reserve(skb, MAX_TCP_HEADER);
    TCP_SKB_CB(skb) = TcpSkbCb{};
    sk->sk_wmem_queued += skb->truesize;
    return skb;
}

void tcp_init_nondata_skb(Host& host, SkBuff* skb, uint32_t seq, uint8_t flags) {
    TRACE_FUNC(host.sim(), tcp_init_nondata_skb, skb, flags);
    auto& cb = TCP_SKB_CB(skb);
    cb = TcpSkbCb{};
    cb.tcp_flags = flags;
    cb.seq = seq;
    cb.end_seq = seq + ((flags & (TcpFlags::Syn | TcpFlags::Fin)) ? 1 : 0);
}

// tcp_syn_options / tcp_established_options
static wire::TcpOutOptions tcp_out_options(Host& host, TcpSock* sk, const SkBuff* skb) {
    wire::TcpOutOptions o;
    if (TCP_SKB_CB(skb).tcp_flags & TcpFlags::Syn) {
        o.mss = static_cast<uint16_t>(sk->advmss);
        o.timestamps = true; // sysctl_tcp_timestamps
        o.tsval = tcp_time_stamp_ts(host, sk);
        o.tsecr = sk->ts_recent;
        o.wscale = sk->rcv_wscale;
        o.sack_perm = true; // sysctl_tcp_sack
        return o;
    }
    if (sk->tstamp_ok) {
        o.timestamps = true;
        o.tsval = tcp_time_stamp_ts(host, sk);
        o.tsecr = sk->ts_recent;
    }
    if (sk->sack_ok && !sk->selective_acks.empty()) {
        size_t room = (40 - (o.timestamps ? 12 : 0) - 4) / 8; // TCPOLEN_SACK_BASE_ALIGNED, PERBLOCK
        for (size_t i = 0; i < sk->selective_acks.size() && i < room; ++i) o.sacks.push_back(sk->selective_acks[i]);
    }
    return o;
}

static void tcp_event_ack_sent(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_event_ack_sent);
    // tcp_dec_quickack_mode: one ACK of new data sent
    if (sk->ack_quick) {
        int pkts = sk->ack_pending ? 1 : 0;
        if (pkts >= sk->ack_quick) {
            sk->ack_quick = 0;
            sk->ack_ato = TCP_ATO_MIN;
        } else {
            sk->ack_quick -= pkts;
        }
    }
    sk->ack_pending = 0;
    inet_csk_clear_delack_timer(host, sk);
}

static int __tcp_transmit_skb(Host& host, TcpSock* sk, SkBuff* oskb, bool clone_it, uint32_t rcv_nxt) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, __tcp_transmit_skb, oskb, clone_it);
    tcp_mstamp_refresh(host, sk);
    tcp_skb_set_timestamp(oskb, sim.now());
    SkBuff* skb = oskb;
    if (clone_it) {
        // LINUX: a clone still in a queue below (qdisc, arp_queue) forces a private copy
        skb = oskb->buf.use_count() > 1 ? skb_copy(oskb) : skb_clone(oskb, true);
        skb->cb = oskb->cb;
    }
    skb->sk = sk;
    const auto& tcb = TCP_SKB_CB(skb);
    wire::TcpRepr th;
    th.src_port = sk->inet_num;
    th.dst_port = sk->inet_dport;
    th.seq = tcb.seq;
    th.ack_seq = rcv_nxt;
    th.flags = tcb.tcp_flags;
    th.options = wire::tcp_options_layout(tcp_out_options(host, sk, skb));
    if (tcb.tcp_flags & TcpFlags::Syn) th.window = static_cast<uint16_t>(std::min<uint32_t>(sk->rcv_wnd, 65535));
    else th.window = tcp_select_window(host, sk);
    const size_t hlen = th.header_len();
    uint8_t* p = skb_push(skb, static_cast<uint32_t>(hlen));
    skb_reset_transport_header(skb);
    th.emit(std::span<uint8_t>(p, hlen), sk->inet_rcv_saddr, sk->inet_daddr);
    if (tcb.tcp_flags & TcpFlags::Ack) tcp_event_ack_sent(host, sk);
    if (skb->len != hlen) sk->lsndtime = sim.now(); // tcp_event_data_sent
    tcp_v4_send_check(host, sk, skb);
    Flowi4 fl4;
    fl4.saddr = sk->inet_rcv_saddr;
    fl4.daddr = sk->inet_daddr;
    fl4.proto = wire::IpProto::Tcp;
    fl4.sport = sk->inet_num;
    fl4.dport = sk->inet_dport;
    int err = ip_queue_xmit(host, sk, skb, sk->sk_dst, fl4);
    scope.ret(err);
    return err;
}

int tcp_transmit_skb(Host& host, TcpSock* sk, SkBuff* skb, bool clone_it) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_transmit_skb, skb, clone_it);
    int err = __tcp_transmit_skb(host, sk, skb, clone_it, sk->rcv_nxt);
    scope.ret(err);
    return err;
}

// ---- the write queue ----

void tcp_event_new_data_sent(Host& host, TcpSock* sk, SkBuff* skb) {
    TRACE_FUNC(host.sim(), tcp_event_new_data_sent, skb);
    uint32_t prior_packets = sk->packets_out;
    sk->snd_nxt = TCP_SKB_CB(skb).end_seq;
    // move from sk_write_queue to tcp_rtx_queue (tcp_rbtree_insert)
    SKB_ASSERT(!sk->sk_write_queue.empty() && sk->sk_write_queue.front() == skb);
    sk->sk_write_queue.pop_front();
    host.sim().rec().queue("sk_write_queue", sk->label, QueueOp::Dequeue, static_cast<int64_t>(sk->sk_write_queue.size()),
                           sk->write_seq - sk->snd_nxt, skb, Layer::Tcp);
    sk->tcp_rtx_queue.push_back(skb);
    host.sim().rec().queue("tcp_rtx_queue", sk->label, QueueOp::Enqueue, static_cast<int64_t>(sk->tcp_rtx_queue.size()),
                           sk->snd_nxt - sk->snd_una, skb, Layer::Tcp);
    sk->packets_out += 1;
    if (!prior_packets) tcp_rearm_rto(host, sk);
    tcp_counters(host, sk);
}

// How many segments the next GSO packet may carry: what cwnd leaves, but at most half of cwnd
// ("for better scheduling, ensure we have at least 2 GSO packets in flight").
static uint32_t tcp_cwnd_test(const TcpSock* sk) {
    uint32_t in_flight = tcp_packets_in_flight(sk);
    if (in_flight >= sk->snd_cwnd) return 0;
    uint32_t halfcwnd = std::max(sk->snd_cwnd >> 1, 1u);
    return std::min(halfcwnd, sk->snd_cwnd - in_flight);
}

// tcp_tso_segs -> tcp_tso_autosize: about 1 ms of data at the pacing rate, plus a boost for short
// RTTs (gso_max_size >> (min_rtt_us >> tcp_tso_rtt_log)), at most gso_max_size.
// SIMPLIFICATION: srtt stands for tcp_min_rtt; no pacing rate yet (0) counts as unlimited, as
// Linux's initial ~0UL does.
static uint32_t tcp_tso_segs(const TcpSock* sk, uint32_t mss_now) {
    uint64_t bytes = sk->sk_pacing_rate ? sk->sk_pacing_rate >> 10 : sk->sk_gso_max_size; // sk_pacing_shift 10
    uint32_t r = (sk->srtt_us >> 3) >> 9;                                                 // tcp_tso_rtt_log 9
    if (r < 32) bytes += sk->sk_gso_max_size >> r;
    bytes = std::min<uint64_t>(bytes, sk->sk_gso_max_size);
    uint32_t segs = std::max(static_cast<uint32_t>(bytes / mss_now), TCP_MIN_TSO_SEGS);
    return std::min(segs, GSO_MAX_SEGS);
}

static bool tcp_snd_wnd_test(const TcpSock* sk, const SkBuff* skb, uint32_t cur_mss) {
    uint32_t end_seq = TCP_SKB_CB(skb).end_seq;
    if (skb->len > cur_mss) end_seq = TCP_SKB_CB(skb).seq + cur_mss;
    return !after(end_seq, sk->snd_una + sk->snd_wnd); // tcp_wnd_end
}

static bool tcp_nagle_test(const TcpSock* sk, const SkBuff* skb, uint32_t cur_mss, int nonagle) {
    if (nonagle & TCP_NAGLE_PUSH) return true;
    if (TCP_SKB_CB(skb).tcp_flags & TcpFlags::Fin) return true;
    bool partial = skb->len < cur_mss;
    bool minshall = after(sk->snd_sml, sk->snd_una) && !after(sk->snd_sml, sk->snd_nxt);
    bool hold = partial && ((nonagle & TCP_NAGLE_CORK) || (!nonagle && sk->packets_out && minshall));
    return !hold;
}

// Each pass of the loop sends what Linux sends as one GSO packet: up to the cwnd quota
// (tcp_cwnd_test, at most tcp_tso_segs) of the skbs at the head of the write queue, as far as the
// receive window and Nagle allow (tcp_grow_skb / tcp_mss_split_point / tso_fragment in Linux).
// __tcp_transmit_skb forces PSH on a GSO packet (tcp_skb_pcount > 1) "to expedite GRO flush at
// receiver", so the last segment of each such packet carries PSH.
// SIMPLIFICATION: no tcp_tso_should_defer, no TCP small queues, no pacing.
bool tcp_write_xmit(Host& host, TcpSock* sk, uint32_t mss_now, int nonagle, int push_one) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_write_xmit, nullptr, mss_now, nonagle);
    int sent_pkts = 0;
    tcp_mstamp_refresh(host, sk);
    sk->is_cwnd_limited = false;
    const uint32_t max_segs = tcp_tso_segs(sk, mss_now);
    std::vector<SkBuff*> gso; // the skbs of one GSO packet
    bool stop = false;
    while (!stop && !sk->sk_write_queue.empty()) {
        uint32_t quota;
        {
            TRACE_FUNC_NAMED(s, sim, tcp_cwnd_test, sk->sk_write_queue.front());
            quota = tcp_cwnd_test(sk);
            s.ret(quota);
        }
        if (!quota) {
            sk->is_cwnd_limited = true;
            break;
        }
        quota = std::min(quota, max_segs);
        gso.clear();
        for (size_t i = 0; i < sk->sk_write_queue.size() && gso.size() < quota; ++i) {
            SkBuff* skb = sk->sk_write_queue[i];
            bool ok;
            {
                TRACE_FUNC_NAMED(s, sim, tcp_snd_wnd_test, skb);
                ok = tcp_snd_wnd_test(sk, skb, mss_now);
                s.ret(ok);
            }
            if (ok) {
                bool last = i + 1 == sk->sk_write_queue.size();
                TRACE_FUNC_NAMED(s, sim, tcp_nagle_test, skb);
                ok = tcp_nagle_test(sk, skb, mss_now, last ? nonagle : TCP_NAGLE_PUSH);
                s.ret(ok);
            }
            if (!ok) {
                stop = true; // what does not fit now waits for an ACK (or the probe timer)
                break;
            }
            gso.push_back(skb);
            if (TCP_SKB_CB(skb).tcp_flags & TcpFlags::Fin) break; // nothing can follow a FIN
        }
        if (gso.size() > 1) { // tcp_skb_pcount(skb) > 1: PSH on the last segment that carries data
            auto data = std::find_if(gso.rbegin(), gso.rend(), [](const SkBuff* b) { return b->len > 0; });
            if (data != gso.rend() && data != std::prev(gso.rend())) TCP_SKB_CB(*data).tcp_flags |= TcpFlags::Psh;
        }
        // SIMPLIFICATION: Linux sends the GSO packet down once; __dev_queue_xmit segments it
        // (validate_xmit_skb) and its rcu_read_unlock_bh re-enables bottom halves after the last
        // segment. Ours go down one by one, so bottom halves stay off around them to the same
        // effect: on a CPU shared by namespaces the peers' softirq runs after the whole packet.
        // tcp_set_skb_tso_segs: one GSO packet of gso.size() segments (1: no GSO).
        for (SkBuff* skb : gso) skb->gso_segs = static_cast<uint16_t>(gso.size() > 1 ? gso.size() : 0);
        local_bh_disable(host);
        for (SkBuff* skb : gso) {
            if (tcp_transmit_skb(host, sk, skb, true)) {
                stop = true;
                break;
            }
            tcp_event_new_data_sent(host, sk, skb);
            if (skb->len < mss_now) sk->snd_sml = TCP_SKB_CB(skb).end_seq; // tcp_minshall_update
            ++sent_pkts;
        }
        local_bh_enable(host);
        if (gso.empty() || push_one) break;
    }
    scope.ret(sent_pkts);
    if (sent_pkts) return false;
    return !sk->packets_out && !sk->sk_write_queue.empty();
}

void __tcp_push_pending_frames(Host& host, TcpSock* sk, uint32_t cur_mss, int nonagle) {
    TRACE_FUNC(host.sim(), __tcp_push_pending_frames, nullptr, cur_mss, nonagle);
    if (sk->sk_state == TCP_CLOSE) return;
    if (tcp_write_xmit(host, sk, cur_mss, nonagle, 0) && !sk->xmit_timer)
        inet_csk_reset_xmit_timer(host, sk, sk->icsk_rto); // tcp_check_probe_timer
}

void tcp_push_one(Host& host, TcpSock* sk, uint32_t mss_now) {
    TRACE_FUNC(host.sim(), tcp_push_one, nullptr, mss_now);
    tcp_write_xmit(host, sk, mss_now, TCP_NAGLE_PUSH, 1);
}

// ---- SYN, SYN-ACK ----

int tcp_connect(Host& host, TcpSock* sk) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_connect);
    {
        TRACE_FUNC(sim, tcp_connect_init);
        uint32_t mtu = sk->sk_dst ? sk->sk_dst->mtu : 1500;
        sk->advmss = mtu - 40;             // dst_metric_advmss
        sk->mss_cache = std::min<uint32_t>(mtu - 40, sk->mss_clamp) - (sk->tcp_header_len - 20); // tcp_sync_mss
        sk->rcv_mss = std::min<uint32_t>(sk->advmss, std::max<uint32_t>(sk->mss_cache, TCP_MSS_DEFAULT));
        sk->max_window = 0;
        uint32_t clamp = sk->window_clamp;
        tcp_select_initial_window(sk, tcp_full_space(sk), sk->advmss, &sk->rcv_wnd, &clamp, true, &sk->rcv_wscale);
        sk->window_clamp = clamp;
        sk->rcv_ssthresh = sk->rcv_wnd;
        sk->snd_una = sk->snd_sml = sk->snd_up = sk->snd_nxt = sk->write_seq;
        sk->isn = sk->write_seq;
        sk->snd_wnd = 0;
        sk->rcv_nxt = sk->rcv_wup = sk->copied_seq = 0;
        sk->icsk_rto = TCP_TIMEOUT_INIT;
        sk->icsk_retransmits = 0;
    }
    SkBuff* buff = tcp_stream_alloc_skb(host, sk);
    tcp_init_nondata_skb(host, buff, sk->write_seq++, TcpFlags::Syn);
    tcp_mstamp_refresh(host, sk);
    sk->retrans_stamp = sim.now();
    {
        TRACE_FUNC(sim, tcp_connect_queue_skb, buff);
        sk->tcp_rtx_queue.push_back(buff); // LINUX: the SYN goes straight into the rtx queue
        sk->packets_out += 1;
    }
    int err = tcp_transmit_skb(host, sk, buff, true);
    if (err == -ECONNREFUSED) {
        scope.ret(err);
        return err;
    }
    sk->snd_nxt = sk->write_seq;
    sk->pushed_seq = sk->write_seq;
    inet_csk_reset_xmit_timer(host, sk, sk->icsk_rto);
    tcp_counters(host, sk);
    scope.ret(0);
    return 0;
}

int tcp_send_synack(Host& host, TcpSock* sk) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_send_synack);
    if (sk->tcp_rtx_queue.empty() || !(TCP_SKB_CB(sk->tcp_rtx_queue.front()).tcp_flags & TcpFlags::Syn)) {
        scope.ret(-EFAULT); // "tcp_send_synack: wrong queue state"
        return -EFAULT;
    }
    SkBuff* skb = sk->tcp_rtx_queue.front();
    TCP_SKB_CB(skb).tcp_flags |= TcpFlags::Ack;
    int err = tcp_transmit_skb(host, sk, skb, true);
    scope.ret(err);
    return err;
}

SkBuff* tcp_make_synack(Host& host, TcpSock* listener, RequestSock* req) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, tcp_make_synack);
    SkBuff* skb = alloc_skb(sim, MAX_TCP_HEADER);
    skb->flow = sim.new_flow();
    skb_reserve(skb, MAX_TCP_HEADER);
    wire::TcpOutOptions o;
    o.mss = static_cast<uint16_t>(listener->advmss);
    if (req->tstamp_ok) {
        o.timestamps = true;
        o.tsval = static_cast<uint32_t>(sim.now() / kNsPerMs) + req->ts_off;
        o.tsecr = req->ts_recent;
    }
    o.sack_perm = req->sack_ok;
    if (req->wscale_ok) o.wscale = req->rcv_wscale;
    wire::TcpRepr th;
    th.src_port = req->ir_num;
    th.dst_port = req->ir_rmt_port;
    th.seq = req->snt_isn;
    th.ack_seq = req->rcv_isn + 1;
    th.flags = TcpFlags::Syn | TcpFlags::Ack;
    th.window = static_cast<uint16_t>(std::min<uint32_t>(req->rsk_rcv_wnd, 65535)); // RFC 7323: never scaled
    th.options = wire::tcp_options_layout(o);
    size_t hlen = th.header_len();
    uint8_t* p = skb_push(skb, static_cast<uint32_t>(hlen));
    skb_reset_transport_header(skb);
    th.emit(std::span<uint8_t>(p, hlen), req->ir_loc_addr, req->ir_rmt_addr);
    sim.charge_bytes(hlen);
    return skb;
}

// ---- ACK ----

static uint32_t tcp_acceptable_seq(const TcpSock* sk) {
    uint32_t wnd_end = sk->snd_una + sk->snd_wnd;
    return !after(sk->snd_nxt, wnd_end) ? sk->snd_nxt : wnd_end;
}

void tcp_send_ack(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_send_ack);
    if (sk->sk_state == TCP_CLOSE) return;
    // __tcp_send_ack
    SkBuff* buff = alloc_skb(host.sim(), MAX_TCP_HEADER);
    buff->flow = host.sim().new_flow();
    skb_reserve(buff, MAX_TCP_HEADER);
    tcp_init_nondata_skb(host, buff, tcp_acceptable_seq(sk), TcpFlags::Ack);
    __tcp_transmit_skb(host, sk, buff, false, sk->rcv_nxt);
}

void tcp_send_delayed_ack(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_send_delayed_ack);
    Sim& sim = host.sim();
    TimeNs ato = sk->ack_ato;
    if (ato > TCP_DELACK_MIN) {
        TimeNs max_ato = kNsPerSec / 2;
        if (sk->ack_pingpong) max_ato = TCP_DELACK_MAX;
        if (sk->srtt_us) {
            TimeNs rtt = std::max<TimeNs>(TimeNs(sk->srtt_us >> 3) * kNsPerUs, TCP_DELACK_MIN);
            if (rtt < max_ato) max_ato = rtt;
        }
        ato = std::min(ato, max_ato);
    }
    ato = std::min(ato, TCP_DELACK_MAX);
    TimeNs timeout = sim.now() + ato;
    if (sk->ack_pending & 2) { // ICSK_ACK_TIMER
        if (sk->delack_timer_expires <= sim.now() + (ato >> 2)) {
            tcp_send_ack(host, sk);
            return;
        }
        if (timeout >= sk->delack_timer_expires) timeout = sk->delack_timer_expires;
    }
    sk->ack_pending |= 1 | 2; // ICSK_ACK_SCHED | ICSK_ACK_TIMER
    inet_csk_reset_delack_timer(host, sk, timeout);
}

// ---- FIN, RST ----

void tcp_send_fin(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_send_fin);
    if (!sk->sk_write_queue.empty()) {
        // LINUX: the FIN rides on the last unsent segment
        SkBuff* tskb = sk->sk_write_queue.back();
        TCP_SKB_CB(tskb).tcp_flags |= TcpFlags::Fin;
        TCP_SKB_CB(tskb).end_seq++;
        sk->write_seq++;
    } else {
        SkBuff* skb = tcp_stream_alloc_skb(host, sk);
        tcp_init_nondata_skb(host, skb, sk->write_seq, TcpFlags::Ack | TcpFlags::Fin);
        sk->write_seq++;
        sk->sk_write_queue.push_back(skb); // tcp_queue_skb
        host.sim().rec().queue("sk_write_queue", sk->label, QueueOp::Enqueue,
                               static_cast<int64_t>(sk->sk_write_queue.size()), sk->write_seq - sk->snd_nxt, skb,
                               Layer::Tcp);
    }
    sk->fin_queued = true;
    __tcp_push_pending_frames(host, sk, tcp_current_mss(sk), TCP_NAGLE_OFF);
}

void tcp_send_active_reset(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_send_active_reset);
    SkBuff* skb = alloc_skb(host.sim(), MAX_TCP_HEADER);
    skb->flow = host.sim().new_flow();
    skb_reserve(skb, MAX_TCP_HEADER);
    tcp_init_nondata_skb(host, skb, tcp_acceptable_seq(sk), TcpFlags::Ack | TcpFlags::Rst);
    tcp_transmit_skb(host, sk, skb, false);
}

// ---- retransmission ----

int tcp_retransmit_skb(Host& host, TcpSock* sk, SkBuff* skb) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_retransmit_skb, skb);
    int err;
    {
        TRACE_FUNC_NAMED(inner, sim, __tcp_retransmit_skb, skb);
        err = tcp_transmit_skb(host, sk, skb, true);
        inner.ret(err);
    }
    if (!err) {
        auto& cb = TCP_SKB_CB(skb);
        if (!(cb.sacked & TCPCB_SACKED_RETRANS)) sk->retrans_out++;
        cb.sacked |= TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;
        if (!sk->retrans_stamp) sk->retrans_stamp = sim.now();
        host.note(sk->label + ": retransmits seq " + std::to_string(cb.seq - sk->isn) + " (relative)", Layer::Tcp, skb);
    }
    scope.ret(err);
    return err;
}

} // namespace skbscope
