// TCP input (net/ipv4/tcp_input.c), second half: the state machine for segments outside
// ESTABLISHED (tcp_rcv_state_process, the client's tcp_rcv_synsent_state_process,
// tcp_finish_connect), tcp_init_transfer and tcp_enter_loss. Split from tcp_input.cpp by phase.
#include "core/time/sim.h"
#include "core/wire/bytes.h"
#include "stack/host.h"
#include "stack/ipv4/tcp.h"
#include "stack/ipv4/tcp_input_internal.h"

namespace skbscope {

using wire::TcpFlags;

void tcp_init_transfer(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_init_transfer);
    // tcp_init_buffer_space
    if (!sk->sndbuf_locked) {
        // tcp_sndbuf_expand: room for twice the initial window of worst-case skbs
        uint32_t per_mss = std::max<uint32_t>(sk->mss_clamp, sk->mss_cache) + MAX_TCP_HEADER + 320;
        uint32_t p2 = 1;
        while (p2 < per_mss) p2 <<= 1;
        per_mss = p2 + 256;
        uint32_t nr_segs = std::max<uint32_t>(TCP_INIT_CWND, sk->snd_cwnd);
        nr_segs = std::max<uint32_t>(nr_segs, sk->reordering + 1);
        uint32_t sndmem = 2 * nr_segs * per_mss;
        if (sk->sk_sndbuf < sndmem) sk->sk_sndbuf = std::min(sndmem, TCP_WMEM_MAX);
    }
    uint32_t maxwin = tcp_full_space(sk);
    if (sk->window_clamp >= maxwin) sk->window_clamp = maxwin;
    if (sk->window_clamp > 2 * sk->advmss && sk->window_clamp + sk->advmss > maxwin)
        sk->window_clamp = std::max<uint32_t>(2 * sk->advmss, maxwin - sk->advmss); // tcp_app_win: reserve a segment
    sk->rcv_ssthresh = std::min(sk->rcv_ssthresh, sk->window_clamp);
    // tcp_init_congestion_control
    if (!sk->icsk_ca_ops) sk->icsk_ca_ops = &tcp_default_ca();
    sk->snd_cwnd = TCP_INIT_CWND;
    sk->icsk_ca_ops->init(*sk);
    tcp_counters(host, sk);
}

static void tcp_finish_connect(Host& host, TcpSock* sk, SkBuff* skb) {
    TRACE_FUNC(host.sim(), tcp_finish_connect, skb);
    tcp_set_state(host, sk, TCP_ESTABLISHED);
    sk->lsndtime = host.sim().now();
    tcp_init_transfer(host, sk);
    if (!sk->orphan) sk_state_change(host, sk);
}

// Returns -1 when the skb was consumed, 1 to send a reset, 0 when it was dropped here.
static int tcp_rcv_synsent_state_process(Host& host, TcpSock* sk, SkBuff* skb, const TcpOptionsReceived& opt) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_rcv_synsent_state_process, skb);
    const auto cb = TCP_SKB_CB(skb);
    if (cb.tcp_flags & TcpFlags::Ack) {
        if (!after(cb.ack_seq, sk->snd_una) || after(cb.ack_seq, sk->snd_nxt)) {
            scope.ret(1);
            return 1; // reset_and_undo
        }
        if (cb.tcp_flags & TcpFlags::Rst) {
            tcp_reset(host, sk, skb);
            kfree_skb_reason(skb, DropReason::TcpReset);
            scope.ret(0);
            return 0;
        }
        if (!(cb.tcp_flags & TcpFlags::Syn)) {
            kfree_skb_reason(skb, DropReason::TcpFlags);
            scope.ret(0);
            return 0;
        }
        // the SYN-ACK
        sk->snd_wl1 = cb.seq;
        sk->sack_ok = opt.sack_ok;
        sk->wscale_ok = opt.wscale_ok;
        if (sk->wscale_ok) sk->snd_wscale = opt.snd_wscale;
        else sk->snd_wscale = sk->rcv_wscale = 0;
        sk->tstamp_ok = opt.saw_tstamp;
        tcp_ack(host, sk, skb, true);
        sk->irs = cb.seq;
        sk->rcv_nxt = cb.seq + 1;
        sk->rcv_wup = sk->rcv_nxt;
        sk->snd_wnd = tcp_raw_window(skb); // RFC 7323: never scaled on a SYN
        sk->max_window = sk->snd_wnd;
        if (sk->tstamp_ok) {
            sk->tcp_header_len = 20 + 12;
            sk->ts_recent = opt.rcv_tsval;
            sk->ts_recent_stamp = sim.now();
        } else {
            sk->tcp_header_len = 20;
        }
        if (opt.mss_clamp) sk->mss_clamp = opt.mss_clamp;
        uint32_t pmtu = sk->sk_dst ? sk->sk_dst->mtu : 1500;
        sk->mss_cache = std::min<uint32_t>(pmtu - 40, sk->mss_clamp) - (sk->tcp_header_len - 20); // tcp_sync_mss
        // tcp_initialize_rcv_mss
        uint32_t hint = std::min<uint32_t>(sk->advmss, sk->mss_cache);
        hint = std::min<uint32_t>(hint, sk->rcv_wnd / 2);
        hint = std::min<uint32_t>(hint, TCP_MSS_DEFAULT);
        sk->rcv_mss = std::max<uint32_t>(hint, 88);
        sk->copied_seq = sk->rcv_nxt;
        tcp_finish_connect(host, sk, skb);
        tcp_send_ack(host, sk);
        consume_skb(skb);
        scope.ret(-1);
        return -1;
    }
    if (cb.tcp_flags & TcpFlags::Rst) {
        kfree_skb_reason(skb, DropReason::TcpReset); // discard_and_undo: a RST without ACK
        scope.ret(0);
        return 0;
    }
    if (cb.tcp_flags & TcpFlags::Syn) {
        // A SYN without ACK: simultaneous open, the two SYNs crossed (or a connect to itself).
        // Linux moves to SYN_RECV in the socket itself (no request sock) and answers with its own
        // SYN again, now carrying an ACK of the peer's (tcp_send_synack).
        tcp_set_state(host, sk, TCP_SYN_RECV);
        sk->sack_ok = opt.sack_ok;
        sk->wscale_ok = opt.wscale_ok;
        if (sk->wscale_ok) sk->snd_wscale = opt.snd_wscale;
        else sk->snd_wscale = sk->rcv_wscale = 0;
        sk->tstamp_ok = opt.saw_tstamp;
        if (sk->tstamp_ok) {
            sk->tcp_header_len = 20 + 12;
            sk->ts_recent = opt.rcv_tsval;
            sk->ts_recent_stamp = sim.now();
        } else {
            sk->tcp_header_len = 20;
        }
        sk->irs = cb.seq;
        sk->rcv_nxt = cb.seq + 1;
        sk->copied_seq = sk->rcv_nxt;
        sk->rcv_wup = cb.seq + 1;
        sk->snd_wnd = tcp_raw_window(skb); // RFC 7323: never scaled on a SYN
        sk->snd_wl1 = cb.seq;
        sk->max_window = sk->snd_wnd;
        if (opt.mss_clamp) sk->mss_clamp = opt.mss_clamp;
        uint32_t pmtu = sk->sk_dst ? sk->sk_dst->mtu : 1500;
        sk->mss_cache = std::min<uint32_t>(pmtu - 40, sk->mss_clamp) - (sk->tcp_header_len - 20); // tcp_sync_mss
        uint32_t hint = std::min<uint32_t>(sk->advmss, sk->mss_cache); // tcp_initialize_rcv_mss
        hint = std::min<uint32_t>(hint, sk->rcv_wnd / 2);
        hint = std::min<uint32_t>(hint, TCP_MSS_DEFAULT);
        sk->rcv_mss = std::max<uint32_t>(hint, 88);
        tcp_send_synack(host, sk);
        consume_skb(skb);
        scope.ret(0);
        return 0;
    }
    kfree_skb_reason(skb, DropReason::TcpFlags); // neither ACK, RST nor SYN
    scope.ret(0);
    return 0;
}

int tcp_v4_conn_request(Host& host, TcpSock* sk, SkBuff* skb);

int tcp_rcv_state_process(Host& host, TcpSock* sk, SkBuff* skb) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_rcv_state_process, skb, sk->sk_state);
    const auto cb = TCP_SKB_CB(skb);
    auto discard = [&](DropReason r) {
        kfree_skb_reason(skb, r);
        scope.ret(0);
        return 0;
    };
    switch (sk->sk_state) {
    case TCP_CLOSE: return discard(DropReason::TcpClose);
    case TCP_LISTEN:
        if (cb.tcp_flags & TcpFlags::Ack) {
            scope.ret(1);
            return 1;
        }
        if (cb.tcp_flags & TcpFlags::Rst) return discard(DropReason::TcpReset);
        if (cb.tcp_flags & TcpFlags::Syn) {
            if (cb.tcp_flags & TcpFlags::Fin) return discard(DropReason::TcpFlags);
            tcp_v4_conn_request(host, sk, skb);
            consume_skb(skb);
            scope.ret(0);
            return 0;
        }
        return discard(DropReason::TcpFlags);
    case TCP_SYN_SENT: {
        TcpOptionsReceived opt;
        tcp_parse_options(skb, opt);
        int q = tcp_rcv_synsent_state_process(host, sk, skb, opt);
        if (q > 0) {
            scope.ret(q);
            return q;
        }
        scope.ret(0);
        return 0;
    }
    case TCP_TIME_WAIT:
        // tcp_timewait_state_process: a retransmitted FIN is ACKed again and restarts the timer
        if ((cb.tcp_flags & TcpFlags::Fin) && !(cb.tcp_flags & TcpFlags::Rst)) {
            tcp_send_ack(host, sk);
            tcp_time_wait(host, sk, TCP_TIME_WAIT, 0);
        }
        if (cb.tcp_flags & TcpFlags::Rst) return discard(DropReason::TcpReset);
        consume_skb(skb);
        scope.ret(0);
        return 0;
    default: break;
    }
    TcpOptionsReceived opt;
    tcp_parse_options(skb, opt);
    if (!(cb.tcp_flags & (TcpFlags::Ack | TcpFlags::Rst | TcpFlags::Syn))) return discard(DropReason::TcpFlags);
    if (!tcp_validate_incoming(host, sk, skb, opt)) {
        scope.ret(0);
        return 0;
    }
    if (!(cb.tcp_flags & TcpFlags::Ack)) return discard(DropReason::TcpFlags);
    int acceptable = tcp_ack(host, sk, skb, true);
    if (acceptable < 0 && sk->sk_state == TCP_SYN_RECV) {
        scope.ret(1);
        return 1;
    }
    switch (sk->sk_state) {
    case TCP_SYN_RECV:
        if (!sk->parent) {
            // Simultaneous open (not a child of a listener): tcp_try_undo_spurious_syn, no
            // request sock to graduate from.
            sk->retrans_stamp = 0;
            sk->copied_seq = sk->rcv_nxt;
        }
        sk->snd_wnd = static_cast<uint32_t>(tcp_raw_window(skb)) << sk->snd_wscale;
        sk->snd_wl1 = cb.seq;
        tcp_set_state(host, sk, TCP_ESTABLISHED);
        sk->lsndtime = sim.now();
        tcp_init_transfer(host, sk);
        sk_state_change(host, sk);
        break;
    case TCP_FIN_WAIT1:
        if (sk->snd_una == sk->write_seq) {
            tcp_set_state(host, sk, TCP_FIN_WAIT2);
            sk->sk_shutdown |= SEND_SHUTDOWN;
            if (sk->orphan && !(cb.tcp_flags & TcpFlags::Fin)) tcp_time_wait(host, sk, TCP_FIN_WAIT2, TCP_FIN_TIMEOUT);
            else if (!sk->orphan) sk_state_change(host, sk);
        }
        break;
    case TCP_CLOSING:
        if (sk->snd_una == sk->write_seq) {
            tcp_time_wait(host, sk, TCP_TIME_WAIT, 0);
            consume_skb(skb);
            scope.ret(0);
            return 0;
        }
        break;
    case TCP_LAST_ACK:
        if (sk->snd_una == sk->write_seq) {
            tcp_done(host, sk);
            consume_skb(skb);
            scope.ret(0);
            return 0;
        }
        break;
    default: break;
    }
    // step 7: the segment's data
    switch (sk->sk_state) {
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        if (!before(cb.seq, sk->rcv_nxt)) {
            consume_skb(skb);
            skb = nullptr;
        }
        break;
    case TCP_FIN_WAIT1:
    case TCP_FIN_WAIT2:
        if ((sk->sk_shutdown & RCV_SHUTDOWN) && cb.end_seq != cb.seq && after(cb.end_seq - ((cb.tcp_flags & TcpFlags::Fin) ? 1 : 0), sk->rcv_nxt)) {
            tcp_reset(host, sk, skb); // data after close
            scope.ret(1);
            return 1;
        }
        [[fallthrough]];
    case TCP_ESTABLISHED:
        tcp_data_queue(host, sk, skb);
        skb = nullptr;
        break;
    default: break;
    }
    if (sk->sk_state != TCP_CLOSE) {
        tcp_data_snd_check(host, sk);
        tcp_ack_snd_check(host, sk);
    }
    if (skb) consume_skb(skb);
    tcp_counters(host, sk);
    scope.ret(0);
    return 0;
}

void tcp_enter_loss(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_enter_loss);
    if (sk->icsk_ca_state <= TCP_CA_Disorder || sk->icsk_ca_state == TCP_CA_Recovery) {
        sk->prior_ssthresh = sk->snd_ssthresh;
        sk->snd_ssthresh = sk->icsk_ca_ops->ssthresh(*sk);
    }
    sk->snd_cwnd = 1;
    sk->snd_cwnd_cnt = 0;
    // every segment not SACKed is lost
    sk->lost_out = 0;
    sk->retrans_out = 0;
    for (SkBuff* skb : sk->tcp_rtx_queue) {
        auto& cb = TCP_SKB_CB(skb);
        cb.sacked &= ~TCPCB_SACKED_RETRANS;
        if (!(cb.sacked & TCPCB_SACKED_ACKED)) {
            cb.sacked |= TCPCB_LOST;
            sk->lost_out++;
        }
    }
    sk->high_seq = sk->snd_nxt;
    sk->icsk_ca_state = TCP_CA_Loss;
    if (sk->icsk_ca_ops->set_state) sk->icsk_ca_ops->set_state(*sk, TCP_CA_Loss);
    if (sk->icsk_ca_ops->cwnd_event) sk->icsk_ca_ops->cwnd_event(*sk, CaEvent::Loss);
    tcp_counters(host, sk);
}

} // namespace skbscope
