// TCP input (net/ipv4/tcp_input.c), first half: the established fast and slow paths
// (tcp_rcv_established), ACK processing (tcp_ack: window update, SACK tagging, cleaning the
// retransmission queue with RTT samples by Karn's rule, RFC 6298 RTO, congestion control through
// icsk_ca_ops, fast retransmit), data (tcp_data_queue, coalescing into the receive queue's tail
// (tcp_try_coalesce), the out-of-order queue with SACK blocks, tcp_fin), and when to ACK
// (quick-ack at the start of a connection, delayed ACK otherwise).
// SIMPLIFICATION: no PAWS, no D-SACK, no undo of spurious retransmissions, no compressed SACK,
// no receive-buffer autotuning (DRS) (the scaling_ratio is measured, as tcp_measure_rcv_mss does),
// PRR replaced by setting cwnd to ssthresh on entering recovery, RTT from sequence numbers only.
// LINUX: the receiver ACKs every segment while icsk_ack.quick lasts (tcp_incr_quickack: up to 16
// at the start); the FIN puts the receiver in ping-pong mode so its ACK of the FIN is delayed.
#include "core/time/sim.h"
#include "core/wire/bytes.h"
#include "stack/host.h"
#include "stack/ipv4/tcp.h"
#include "stack/ipv4/tcp_input_internal.h"

namespace skbscope {

using wire::TcpFlags;

static const uint8_t* tcp_hdr(const SkBuff* skb) { return skb->transport_ptr(); }
static uint32_t tcp_doff(const SkBuff* skb) { return (tcp_hdr(skb)[12] >> 4) * 4u; }

// tcp_parse_options: as Linux, a silly length (< 2) or an option running past the header stops
// parsing; the segment itself is not refused for it. Never reads past doff*4.
void tcp_parse_options(const SkBuff* skb, TcpOptionsReceived& opt) {
    const uint8_t* th = tcp_hdr(skb);
    uint32_t length = tcp_doff(skb) - wire::TCP_HDR_LEN;
    const uint8_t* ptr = th + wire::TCP_HDR_LEN;
    bool syn = th[13] & TcpFlags::Syn;
    opt.saw_tstamp = false;
    opt.sacks.clear();
    while (length > 0) {
        uint8_t opcode = *ptr++;
        --length;
        if (opcode == wire::TcpOptKind::Eol) return;
        if (opcode == wire::TcpOptKind::Nop) continue;
        if (length < 1) return;
        uint8_t opsize = *ptr++;
        if (opsize < 2) return;       // "silly options"
        if (opsize - 1u > length) return; // don't parse partial options
        const uint8_t* body = ptr;
        switch (opcode) {
        case wire::TcpOptKind::Mss:
            if (opsize == 4 && syn) opt.mss_clamp = static_cast<uint16_t>((body[0] << 8) | body[1]);
            break;
        case wire::TcpOptKind::WScale:
            if (opsize == 3 && syn) {
                opt.wscale_ok = true;
                opt.snd_wscale = std::min<uint8_t>(body[0], 14);
            }
            break;
        case wire::TcpOptKind::SackPerm:
            if (opsize == 2 && syn) opt.sack_ok = true;
            break;
        case wire::TcpOptKind::Timestamp:
            if (opsize == 10) {
                opt.saw_tstamp = true;
                opt.rcv_tsval = wire::get_be32(std::span<const uint8_t>(body, 8), 0);
                opt.rcv_tsecr = wire::get_be32(std::span<const uint8_t>(body, 8), 4);
            }
            break;
        case wire::TcpOptKind::Sack:
            if (opsize >= 10 && (opsize - 2) % 8 == 0)
                for (int i = 0; i + 8 <= opsize - 2; i += 8)
                    opt.sacks.push_back({wire::get_be32(std::span<const uint8_t>(body + i, 8), 0),
                                         wire::get_be32(std::span<const uint8_t>(body + i, 8), 4)});
            break;
        default: break;
        }
        ptr += opsize - 2;
        length -= opsize - 1u;
    }
}

// ---- RTT and RTO (RFC 6298 as tcp_rtt_estimator and tcp_set_rto compute it) ----

void tcp_rtt_estimator(Host& host, TcpSock* sk, int64_t mrtt_us) {
    TRACE_FUNC(host.sim(), tcp_rtt_estimator, nullptr, mrtt_us);
    int64_t m = mrtt_us;
    uint32_t srtt = sk->srtt_us;
    if (m == 0) m = 1;
    if (srtt != 0) {
        m -= (srtt >> 3);       // m is now error in rtt est
        srtt += static_cast<uint32_t>(m); // rtt = 7/8 rtt + 1/8 new
        if (m < 0) {
            m = -m;
            m -= (sk->mdev_us >> 2);
            if (m > 0) m >>= 3; // LINUX: a falling RTT grows mdev slowly
        } else {
            m -= (sk->mdev_us >> 2);
        }
        sk->mdev_us += static_cast<uint32_t>(m); // mdev = 3/4 mdev + 1/4 new
        if (sk->mdev_us > sk->mdev_max_us) {
            sk->mdev_max_us = sk->mdev_us;
            if (sk->mdev_max_us > sk->rttvar_us) sk->rttvar_us = sk->mdev_max_us;
        }
        if (after(sk->snd_una, sk->rtt_seq)) {
            if (sk->mdev_max_us < sk->rttvar_us) sk->rttvar_us -= (sk->rttvar_us - sk->mdev_max_us) >> 2;
            sk->rtt_seq = sk->snd_nxt;
            sk->mdev_max_us = static_cast<uint32_t>(TCP_RTO_MIN / kNsPerUs); // tcp_rto_min_us
        }
    } else {
        // no previous measure
        srtt = static_cast<uint32_t>(m << 3);
        sk->mdev_us = static_cast<uint32_t>(m << 1); // make sure rto = 3*rtt
        sk->rttvar_us = std::max<uint32_t>(sk->mdev_us, static_cast<uint32_t>(TCP_RTO_MIN / kNsPerUs));
        sk->mdev_max_us = sk->rttvar_us;
        sk->rtt_seq = sk->snd_nxt;
    }
    sk->srtt_us = std::max<uint32_t>(1, srtt);
}

void tcp_set_rto(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_set_rto);
    // __tcp_set_rto: srtt + 4 * rttvar, where rttvar already holds at least TCP_RTO_MIN
    TimeNs rto_us = (sk->srtt_us >> 3) + sk->rttvar_us;
    sk->icsk_rto = std::min<TimeNs>(rto_us * kNsPerUs, TCP_RTO_MAX); // tcp_bound_rto
}

// ---- ACK processing ----

static void tcp_sacktag_write_queue(Host& host, TcpSock* sk, const std::vector<wire::TcpSackBlock>& sacks) {
    TRACE_FUNC(host.sim(), tcp_sacktag_write_queue, nullptr, static_cast<int64_t>(sacks.size()));
    for (const auto& b : sacks) {
        if (!after(b.end_seq, sk->snd_una) || after(b.end_seq, sk->snd_nxt)) continue; // D-SACK or invalid
        for (SkBuff* skb : sk->tcp_rtx_queue) {
            auto& cb = TCP_SKB_CB(skb);
            if (cb.sacked & TCPCB_SACKED_ACKED) continue;
            if (!before(cb.seq, b.start_seq) && !after(cb.end_seq, b.end_seq)) {
                cb.sacked |= TCPCB_SACKED_ACKED;
                sk->sacked_out++;
                if (cb.sacked & TCPCB_LOST) {
                    cb.sacked &= ~TCPCB_LOST;
                    sk->lost_out--;
                }
                if (cb.sacked & TCPCB_SACKED_RETRANS) {
                    cb.sacked &= ~TCPCB_SACKED_RETRANS;
                    sk->retrans_out--;
                }
            }
        }
    }
}

// Removes what the ACK covers; the RTT sample comes from the newest segment never retransmitted.
static uint32_t tcp_clean_rtx_queue(Host& host, TcpSock* sk, int64_t* seq_rtt_us) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_clean_rtx_queue);
    uint32_t pkts_acked = 0;
    TimeNs first_ackt = 0;
    bool karn = false;
    while (!sk->tcp_rtx_queue.empty()) {
        SkBuff* skb = sk->tcp_rtx_queue.front();
        auto& cb = TCP_SKB_CB(skb);
        if (after(cb.end_seq, sk->snd_una)) break; // SIMPLIFICATION: a partly acked skb stays whole
        if (cb.sacked & TCPCB_SACKED_RETRANS) sk->retrans_out--;
        if (cb.sacked & TCPCB_SACKED_ACKED) sk->sacked_out--;
        if (cb.sacked & TCPCB_LOST) sk->lost_out--;
        if (cb.sacked & TCPCB_EVER_RETRANS) karn = true; // Karn: no sample from a retransmitted segment
        else if (!karn) first_ackt = tcp_skb_timestamp(skb);
        sk->packets_out--;
        pkts_acked++;
        sk->tcp_rtx_queue.pop_front();
        sk->sk_wmem_queued -= std::min(sk->sk_wmem_queued, skb->truesize);
        sim.rec().queue("tcp_rtx_queue", sk->label, QueueOp::Dequeue, static_cast<int64_t>(sk->tcp_rtx_queue.size()),
                        sk->snd_nxt - sk->snd_una, skb, Layer::Tcp);
        {
            TRACE_FUNC(sim, tcp_rtx_queue_unlink_and_free, skb);
            consume_skb(skb);
        }
    }
    *seq_rtt_us = (first_ackt && !karn) ? (sim.now() - first_ackt) / kNsPerUs : -1;
    if (pkts_acked) sk->icsk_retransmits = 0, sk->retrans_stamp = 0;
    scope.ret(pkts_acked);
    return pkts_acked;
}

static void tcp_enter_recovery(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_enter_recovery);
    sk->prior_ssthresh = sk->snd_ssthresh;
    sk->prior_cwnd = sk->snd_cwnd;
    sk->snd_ssthresh = sk->icsk_ca_ops->ssthresh(*sk);
    sk->snd_cwnd = std::max<uint32_t>(sk->snd_ssthresh, 2); // SIMPLIFICATION: no PRR
    sk->high_seq = sk->snd_nxt;
    sk->icsk_ca_state = TCP_CA_Recovery;
    if (sk->icsk_ca_ops->set_state) sk->icsk_ca_ops->set_state(*sk, TCP_CA_Recovery);
    host.note(sk->label + ": fast retransmit (3 duplicate ACKs): cwnd " + std::to_string(sk->prior_cwnd) + " -> " +
                  std::to_string(sk->snd_cwnd), Layer::Tcp);
}

// tcp_fastretrans_alert: marks the head lost and retransmits it (tcp_xmit_retransmit_queue).
static void tcp_fastretrans_alert(Host& host, TcpSock* sk, bool is_dupack, bool acked_new) {
    TRACE_FUNC(host.sim(), tcp_fastretrans_alert, nullptr, sk->dupacks);
    if (sk->tcp_rtx_queue.empty()) return;
    if (sk->icsk_ca_state == TCP_CA_Recovery) {
        if (!before(sk->snd_una, sk->high_seq)) return; // recovery ends in tcp_ack
        if (!acked_new) return;
        // partial ACK: the next hole is lost too (NewReno)
    } else if (sk->icsk_ca_state == TCP_CA_Loss) {
        return;
    } else {
        bool enough = sk->dupacks >= static_cast<int>(sk->reordering) ||
                      (sk->sack_ok && sk->sacked_out >= sk->reordering);
        if (!is_dupack || !enough) return;
        tcp_enter_recovery(host, sk);
    }
    SkBuff* head = sk->tcp_rtx_queue.front();
    auto& cb = TCP_SKB_CB(head);
    if (!(cb.sacked & (TCPCB_LOST | TCPCB_SACKED_ACKED))) {
        cb.sacked |= TCPCB_LOST;
        sk->lost_out++;
    }
    if (!(cb.sacked & TCPCB_SACKED_RETRANS)) tcp_retransmit_skb(host, sk, head);
}

// Returns 1 for an acceptable ACK, 0 for an old one, -1 for one acking what was never sent.
int tcp_ack(Host& host, TcpSock* sk, SkBuff* skb, bool slowpath) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_ack, skb);
    const auto& cb = TCP_SKB_CB(skb);
    uint32_t ack = cb.ack_seq, prior_snd_una = sk->snd_una;
    if (before(ack, prior_snd_una)) {
        scope.ret(0);
        return 0;
    }
    if (after(ack, sk->snd_nxt)) {
        scope.ret(-1);
        return -1;
    }
    tcp_mstamp_refresh(host, sk);
    // tcp_ack_update_window
    uint32_t nwin = tcp_raw_window(skb);
    if (!(cb.tcp_flags & TcpFlags::Syn)) nwin <<= sk->snd_wscale;
    bool window_changed = false;
    if (after(ack, sk->snd_una) || after(cb.seq, sk->snd_wl1) || (cb.seq == sk->snd_wl1 && nwin > sk->snd_wnd)) {
        sk->snd_wl1 = cb.seq;
        if (sk->snd_wnd != nwin) {
            window_changed = true;
            sk->snd_wnd = nwin;
            if (nwin > sk->max_window) sk->max_window = nwin;
        }
    }
    sk->snd_una = ack;
    (void)slowpath;
    TcpOptionsReceived opt;
    tcp_parse_options(skb, opt);
    if (sk->sack_ok && !opt.sacks.empty()) tcp_sacktag_write_queue(host, sk, opt.sacks);
    uint32_t in_flight_before = sk->packets_out;
    int64_t rtt_us = -1;
    uint32_t acked = tcp_clean_rtx_queue(host, sk, &rtt_us);
    if (rtt_us >= 0) {
        // tcp_ack_update_rtt
        TRACE_FUNC(sim, tcp_ack_update_rtt, nullptr, rtt_us);
        tcp_rtt_estimator(host, sk, rtt_us);
        tcp_set_rto(host, sk);
        sk->icsk_backoff = 0;
    }
    if (acked && sk->icsk_ca_ops && sk->icsk_ca_ops->pkts_acked) {
        AckSample s;
        s.pkts_acked = acked;
        s.rtt_us = static_cast<int32_t>(rtt_us);
        s.in_flight = in_flight_before;
        sk->icsk_ca_ops->pkts_acked(*sk, s);
    }
    bool data_or_syn = TCP_SKB_CB(skb).end_seq != TCP_SKB_CB(skb).seq;
    bool is_dupack = !acked && ack == prior_snd_una && !data_or_syn && !window_changed && sk->packets_out;
    if (is_dupack) sk->dupacks++;
    else if (acked) sk->dupacks = 0;
    if (sk->icsk_ca_state == TCP_CA_Recovery && !before(sk->snd_una, sk->high_seq)) {
        // tcp_end_cwnd_reduction / recovery complete
        sk->snd_cwnd = std::max<uint32_t>(sk->snd_ssthresh, 2);
        sk->icsk_ca_state = TCP_CA_Open;
        if (sk->icsk_ca_ops->set_state) sk->icsk_ca_ops->set_state(*sk, TCP_CA_Open);
    } else if (sk->icsk_ca_state == TCP_CA_Loss && !before(sk->snd_una, sk->high_seq)) {
        sk->icsk_ca_state = TCP_CA_Open;
        if (sk->icsk_ca_ops->set_state) sk->icsk_ca_ops->set_state(*sk, TCP_CA_Open);
    }
    if (is_dupack || sk->icsk_ca_state != TCP_CA_Open || (sk->sack_ok && sk->sacked_out))
        tcp_fastretrans_alert(host, sk, is_dupack, acked > 0);
    else if (acked && sk->icsk_ca_ops && sk->sk_state == TCP_ESTABLISHED) {
        // tcp_cong_control -> tcp_cong_avoid
        TRACE_FUNC(sim, tcp_cong_avoid, nullptr, ack, acked);
        sk->icsk_ca_ops->cong_avoid(*sk, ack, acked);
    }
    if (acked) {
        tcp_rearm_rto(host, sk);
        sk_stream_write_space(host, sk);
    }
    sk->icsk_probes_out = 0; // something worked: keepalive / window probes start over
    sk->rcv_tstamp = sim.now();
    tcp_counters(host, sk);
    scope.ret(1);
    return 1;
}

// ---- receiving data ----

void tcp_enter_quickack_mode(TcpSock* sk, int max_quickacks) {
    // tcp_incr_quickack + leave ping-pong mode
    uint32_t quickacks = sk->rcv_wnd / (2 * sk->rcv_mss);
    if (quickacks == 0) quickacks = 2;
    quickacks = std::min<uint32_t>(quickacks, max_quickacks);
    if (static_cast<int>(quickacks) > sk->ack_quick) sk->ack_quick = static_cast<int>(quickacks);
    sk->ack_pingpong = false;
    sk->ack_ato = TCP_ATO_MIN;
}

static void tcp_incr_quickack(TcpSock* sk, int max_quickacks) {
    uint32_t quickacks = sk->rcv_wnd / (2 * sk->rcv_mss);
    if (quickacks == 0) quickacks = 2;
    quickacks = std::min<uint32_t>(quickacks, max_quickacks);
    if (static_cast<int>(quickacks) > sk->ack_quick) sk->ack_quick = static_cast<int>(quickacks);
}

static void tcp_grow_window(TcpSock* sk, const SkBuff* skb) {
    int64_t room = std::min<int64_t>(sk->window_clamp, tcp_space(sk)) - sk->rcv_ssthresh;
    if (room <= 0) return;
    int64_t incr = 0;
    if (tcp_win_from_space(sk, skb->truesize) <= skb->len) incr = 2 * sk->advmss;
    else if (tcp_win_from_space(sk, skb->truesize) <= 2 * skb->len) incr = 2 * sk->rcv_mss; // __tcp_grow_window
    if (incr) {
        incr = std::max<int64_t>(incr, 2 * skb->len);
        sk->rcv_ssthresh += static_cast<uint32_t>(std::min(room, incr));
        sk->ack_quick |= 1;
    }
}

// tcp_set_window_clamp: a larger clamp lets rcv_ssthresh follow up to the window already offered;
// a smaller one pulls rcv_ssthresh down (__tcp_adjust_rcv_ssthresh).
void tcp_set_window_clamp(TcpSock* sk, uint32_t val) {
    uint32_t old_clamp = sk->window_clamp;
    uint32_t new_clamp = std::max<uint32_t>(SOCK_MIN_RCVBUF / 2, val);
    sk->window_clamp = new_clamp;
    if (new_clamp < old_clamp) sk->rcv_ssthresh = std::min(sk->rcv_ssthresh, new_clamp);
    else sk->rcv_ssthresh = std::max(std::min(sk->rcv_wnd, new_clamp), sk->rcv_ssthresh);
}

static void tcp_event_data_recv(Host& host, TcpSock* sk, SkBuff* skb) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, tcp_event_data_recv, skb);
    sk->ack_pending |= 1; // inet_csk_schedule_ack
    // tcp_measure_rcv_mss: a full segment that changes rcv_mss also measures scaling_ratio, the
    // share of the skb's truesize that is payload, and re-derives window_clamp from sk_rcvbuf
    uint32_t len = skb->len;
    if (len >= sk->rcv_mss) {
        if (len != sk->rcv_mss && skb->truesize) {
            uint64_t val = (uint64_t(skb->len) << TCP_RMEM_TO_WIN_SCALE) / skb->truesize;
            uint8_t old_ratio = sk->scaling_ratio;
            sk->scaling_ratio = val ? static_cast<uint8_t>(std::min<uint64_t>(val, 255)) : 1;
            if (old_ratio != sk->scaling_ratio) tcp_set_window_clamp(sk, tcp_win_from_space(sk, sk->sk_rcvbuf));
        }
        sk->rcv_mss = std::min(len, sk->advmss);
    }
    TimeNs now = sim.now();
    if (!sk->ack_lrcvtime) {
        // the first data: quick-ack mode (ato was 0 in Linux)
        tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
        sk->ack_ato = TCP_ATO_MIN;
    } else {
        TimeNs m = now - sk->ack_lrcvtime;
        if (m <= TCP_ATO_MIN / 2) {
            sk->ack_ato = (sk->ack_ato >> 1) + TCP_ATO_MIN / 2;
        } else if (m < sk->ack_ato) {
            sk->ack_ato = (sk->ack_ato >> 1) + m;
            if (sk->ack_ato > sk->icsk_rto) sk->ack_ato = sk->icsk_rto;
        } else if (m > sk->icsk_rto) {
            tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
        }
    }
    sk->ack_lrcvtime = now;
    if (skb->len >= 128) tcp_grow_window(sk, skb);
}

// tcp_try_coalesce: the segment continues the receive queue's tail: its data joins the tail skb
// (skb_try_coalesce), which charges the socket only what it grew by (delta), not a second head.
static bool tcp_try_coalesce(Host& host, TcpSock* sk, SkBuff* to, SkBuff* from) {
    if (TCP_SKB_CB(from).seq != TCP_SKB_CB(to).end_seq) return false; // it overlaps the previous one
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_try_coalesce, from);
    uint32_t delta = 0;
    if (!skb_try_coalesce(to, from, &delta)) {
        scope.ret(0);
        return false;
    }
    sk->sk_rmem_alloc += delta;
    TCP_SKB_CB(to).end_seq = TCP_SKB_CB(from).end_seq;
    TCP_SKB_CB(to).ack_seq = TCP_SKB_CB(from).ack_seq;
    TCP_SKB_CB(to).tcp_flags |= TCP_SKB_CB(from).tcp_flags;
    host.sim().rec().queue("sk_receive_queue", sk->label, QueueOp::Enqueue,
                           static_cast<int64_t>(sk->sk_receive_queue.size()), sk->sk_rmem_alloc, from, Layer::Socket);
    scope.ret(1);
    return true;
}

// tcp_queue_rcv: true when the segment was "eaten" (its data joined the tail skb, or a bare FIN
// with nothing to read); the caller frees it when done with it (kfree_skb_partial).
static bool tcp_queue_rcv(Host& host, TcpSock* sk, SkBuff* skb) {
    TRACE_FUNC(host.sim(), tcp_queue_rcv, skb);
    SkBuff* tail = sk->sk_receive_queue.empty() ? nullptr : sk->sk_receive_queue.back();
    const bool eaten = skb->len == 0 || (tail && tcp_try_coalesce(host, sk, tail, skb));
    sk->rcv_nxt = TCP_SKB_CB(skb).end_seq;
    if (!eaten) sk_receive_queue_tail(host, sk, skb);
    return eaten;
}

// tcp_fin: the peer closed its side (RFC 9293 "eighth, check the FIN bit").
static void tcp_fin(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_fin);
    sk->ack_pending |= 1;
    sk->sk_shutdown |= RCV_SHUTDOWN;
    sk->rcv_fin = true;
    switch (sk->sk_state) {
    case TCP_SYN_RECV:
    case TCP_ESTABLISHED:
        tcp_set_state(host, sk, TCP_CLOSE_WAIT);
        sk->ack_pingpong = true; // inet_csk_enter_pingpong_mode
        break;
    case TCP_FIN_WAIT1:
        tcp_send_ack(host, sk);
        tcp_set_state(host, sk, TCP_CLOSING);
        break;
    case TCP_FIN_WAIT2:
        tcp_send_ack(host, sk);
        tcp_time_wait(host, sk, TCP_TIME_WAIT, 0);
        break;
    default: break;
    }
    for (SkBuff* s : sk->out_of_order_queue) kfree_skb(s);
    sk->out_of_order_queue.clear();
    sk->selective_acks.clear();
    if (!sk->orphan) sk_state_change(host, sk);
}

// The SACK blocks we report: the out-of-order ranges, the one holding the newest segment first.
static void tcp_update_sack_blocks(TcpSock* sk, uint32_t newest_seq) {
    std::vector<wire::TcpSackBlock> blocks;
    for (SkBuff* s : sk->out_of_order_queue) {
        const auto& c = TCP_SKB_CB(s);
        if (!blocks.empty() && !after(c.seq, blocks.back().end_seq)) {
            if (after(c.end_seq, blocks.back().end_seq)) blocks.back().end_seq = c.end_seq;
        } else {
            blocks.push_back({c.seq, c.end_seq});
        }
    }
    std::stable_partition(blocks.begin(), blocks.end(), [&](const wire::TcpSackBlock& b) {
        return !before(newest_seq, b.start_seq) && before(newest_seq, b.end_seq);
    });
    sk->selective_acks = std::move(blocks);
}

static void tcp_data_queue_ofo(Host& host, TcpSock* sk, SkBuff* skb) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, tcp_data_queue_ofo, skb);
    sk->ack_pending |= 1;
    const auto& cb = TCP_SKB_CB(skb);
    auto it = sk->out_of_order_queue.begin();
    for (; it != sk->out_of_order_queue.end(); ++it) {
        const auto& o = TCP_SKB_CB(*it);
        if (!before(cb.seq, o.seq) && !after(cb.end_seq, o.end_seq)) {
            kfree_skb_reason(skb, DropReason::TcpOfoMerge); // all of it is queued already
            return;
        }
        if (before(cb.seq, o.seq)) break;
    }
    sk->out_of_order_queue.insert(it, skb);
    sk->sk_rmem_alloc += skb->truesize;
    skb->sk = sk;
    sim.rec().queue("out_of_order_queue", sk->label, QueueOp::Enqueue,
                    static_cast<int64_t>(sk->out_of_order_queue.size()), sk->sk_rmem_alloc, skb, Layer::Tcp);
    if (sk->sack_ok) tcp_update_sack_blocks(sk, cb.seq);
}

// tcp_ofo_queue: moves segments that became in order into the receive queue.
static void tcp_ofo_queue(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_ofo_queue);
    while (!sk->out_of_order_queue.empty()) {
        SkBuff* skb = sk->out_of_order_queue.front();
        auto& cb = TCP_SKB_CB(skb);
        if (after(cb.seq, sk->rcv_nxt)) break;
        sk->out_of_order_queue.pop_front();
        sk->sk_rmem_alloc -= std::min(sk->sk_rmem_alloc, skb->truesize);
        if (!after(cb.end_seq, sk->rcv_nxt)) {
            kfree_skb_reason(skb, DropReason::TcpOfoMerge);
            continue;
        }
        uint32_t overlap = sk->rcv_nxt - cb.seq;
        if (overlap) {
            skb_pull(skb, overlap);
            cb.seq += overlap;
        }
        bool fin = cb.tcp_flags & TcpFlags::Fin;
        if (tcp_queue_rcv(host, sk, skb)) consume_skb(skb); // kfree_skb_partial
        if (fin) {
            tcp_fin(host, sk);
            break;
        }
    }
    if (sk->sack_ok) tcp_update_sack_blocks(sk, sk->rcv_nxt);
}

void tcp_data_queue(Host& host, TcpSock* sk, SkBuff* skb) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, tcp_data_queue, skb);
    auto& cb = TCP_SKB_CB(skb);
    if (cb.seq == cb.end_seq) {
        consume_skb(skb);
        return;
    }
    skb_pull(skb, tcp_doff(skb)); // __skb_pull(skb, th->doff * 4)
    bool fin = cb.tcp_flags & TcpFlags::Fin;
    if (before(cb.seq, sk->rcv_nxt) && after(cb.end_seq, sk->rcv_nxt)) {
        // partial overlap: keep only what is new
        uint32_t overlap = sk->rcv_nxt - cb.seq;
        skb_pull(skb, std::min(overlap, skb->len));
        cb.seq = sk->rcv_nxt;
    }
    if (cb.seq == sk->rcv_nxt) {
        if (tcp_receive_window(sk) == 0 && skb->len) {
            sk->ack_pending |= 4; // ICSK_ACK_NOW
            kfree_skb_reason(skb, DropReason::TcpZeroWindow);
            return;
        }
        bool has_data = skb->len > 0;
        const bool eaten = tcp_queue_rcv(host, sk, skb); // charges sk_rmem_alloc before tcp_grow_window reads tcp_space
        if (has_data) tcp_event_data_recv(host, sk, skb);
        if (fin) tcp_fin(host, sk);
        if (eaten) consume_skb(skb); // kfree_skb_partial
        if (!sk->out_of_order_queue.empty()) {
            tcp_ofo_queue(host, sk);
            if (sk->out_of_order_queue.empty()) sk->ack_pending |= 4; // a hole filled: ACK now
        }
        if (has_data && !sk->orphan) sk->sk_data_ready(host, sk); // tcp_data_ready
        return;
    }
    if (!after(cb.end_seq, sk->rcv_nxt)) {
        // a retransmission of what we have: ACK at once (tcp_enter_quickack_mode)
        tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
        sk->ack_pending |= 1;
        kfree_skb_reason(skb, DropReason::TcpOldData);
        return;
    }
    if (!before(cb.seq, sk->rcv_nxt + tcp_receive_window(sk))) {
        sk->ack_pending |= 1;
        kfree_skb_reason(skb, DropReason::TcpOverWindow);
        return;
    }
    tcp_data_queue_ofo(host, sk, skb);
}

static void __tcp_ack_snd_check(Host& host, TcpSock* sk, bool ofo_possible) {
    TRACE_FUNC(host.sim(), __tcp_ack_snd_check);
    bool quick = sk->ack_quick && !sk->ack_pingpong; // tcp_in_quickack_mode
    if ((sk->rcv_nxt - sk->rcv_wup > sk->rcv_mss && __builtin_expect(true, 1) && tcp_space(sk) >= sk->rcv_wnd) || quick ||
        (sk->ack_pending & 4) || (ofo_possible && !sk->out_of_order_queue.empty())) {
        tcp_send_ack(host, sk);
        return;
    }
    tcp_send_delayed_ack(host, sk);
}

void tcp_ack_snd_check(Host& host, TcpSock* sk) {
    if (!(sk->ack_pending & 1)) return; // inet_csk_ack_scheduled
    __tcp_ack_snd_check(host, sk, true);
}

void tcp_data_snd_check(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_data_snd_check);
    if (!sk->sk_write_queue.empty())
        __tcp_push_pending_frames(host, sk, tcp_current_mss(sk), sk->nodelay ? TCP_NAGLE_OFF : 0);
}

static void tcp_store_ts_recent(TcpSock* sk, const SkBuff* skb, const TcpOptionsReceived& opt, TimeNs now) {
    if (opt.saw_tstamp && !after(TCP_SKB_CB(skb).seq, sk->rcv_wup)) {
        sk->ts_recent = opt.rcv_tsval;
        sk->ts_recent_stamp = now;
    }
}

void tcp_reset(Host& host, TcpSock* sk, SkBuff* skb) {
    TRACE_FUNC(host.sim(), tcp_reset, skb);
    switch (sk->sk_state) {
    case TCP_SYN_SENT: sk->sk_err = ECONNREFUSED; break;
    case TCP_CLOSE_WAIT: sk->sk_err = EPIPE; break;
    case TCP_CLOSE: return;
    default: sk->sk_err = ECONNRESET;
    }
    host.note(sk->label + ": connection reset by peer (" + errno_name(sk->sk_err) + ")", Layer::Tcp, skb);
    tcp_done(host, sk);
}

// tcp_validate_incoming: the sequence, RST and SYN checks of the slow path. False: skb was freed.
bool tcp_validate_incoming(Host& host, TcpSock* sk, SkBuff* skb, const TcpOptionsReceived& opt) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_validate_incoming, skb);
    const auto& cb = TCP_SKB_CB(skb);
    // tcp_sequence: wholly left of rcv_wup is an old duplicate, starting right of the window is invalid.
    DropReason reason = DropReason::NotDropped;
    if (before(cb.end_seq, sk->rcv_wup)) reason = DropReason::TcpOldSequence;
    else if (after(cb.seq, sk->rcv_nxt + tcp_receive_window(sk))) reason = DropReason::TcpInvalidSequence;
    if (reason != DropReason::NotDropped) {
        if (!(cb.tcp_flags & TcpFlags::Rst)) tcp_send_ack(host, sk); // tcp_send_dupack
        kfree_skb_reason(skb, reason);
        scope.ret(0);
        return false;
    }
    if (cb.tcp_flags & TcpFlags::Rst) {
        if (cb.seq == sk->rcv_nxt) {
            tcp_reset(host, sk, skb);
            kfree_skb_reason(skb, DropReason::TcpReset);
        } else {
            tcp_send_ack(host, sk); // tcp_send_challenge_ack
            kfree_skb_reason(skb, DropReason::TcpReset);
        }
        scope.ret(0);
        return false;
    }
    tcp_store_ts_recent(sk, skb, opt, host.sim().now());
    if (cb.tcp_flags & TcpFlags::Syn) {
        // Simultaneous open: in SYN_RECV the peer's SYN-ACK (its SYN again, acking ours) passes.
        if (sk->sk_state == TCP_SYN_RECV && (cb.tcp_flags & TcpFlags::Ack) && cb.seq + 1 == cb.end_seq &&
            cb.seq + 1 == sk->rcv_nxt && cb.ack_seq == sk->snd_nxt) {
            scope.ret(1);
            return true;
        }
        tcp_send_ack(host, sk); // tcp_send_challenge_ack
        kfree_skb_reason(skb, DropReason::TcpInvalidSyn);
        scope.ret(0);
        return false;
    }
    scope.ret(1);
    return true;
}

void tcp_rcv_established(Host& host, TcpSock* sk, SkBuff* skb) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, tcp_rcv_established, skb);
    const auto cb = TCP_SKB_CB(skb);
    TcpOptionsReceived opt;
    tcp_parse_options(skb, opt);
    uint32_t nwin = static_cast<uint32_t>(tcp_raw_window(skb)) << sk->snd_wscale;
    bool predicted = (cb.tcp_flags & ~TcpFlags::Psh) == TcpFlags::Ack && cb.seq == sk->rcv_nxt &&
                     !after(cb.ack_seq, sk->snd_nxt) && nwin == sk->snd_wnd && sk->out_of_order_queue.empty() &&
                     tcp_receive_window(sk) > 0;
    if (predicted) {
        uint32_t len = skb->len, hlen = tcp_doff(skb);
        if (len == hlen) {
            // a pure ACK on the fast path
            tcp_store_ts_recent(sk, skb, opt, sim.now());
            tcp_ack(host, sk, skb, false);
            consume_skb(skb);
            tcp_data_snd_check(host, sk);
            return;
        }
        tcp_store_ts_recent(sk, skb, opt, sim.now());
        if (after(cb.ack_seq, sk->snd_una)) tcp_ack(host, sk, skb, false);
        skb_pull(skb, hlen);
        const bool eaten = tcp_queue_rcv(host, sk, skb); // into sk_receive_queue, or onto its tail
        tcp_event_data_recv(host, sk, skb);
        tcp_data_snd_check(host, sk);
        __tcp_ack_snd_check(host, sk, false);
        if (eaten) consume_skb(skb); // kfree_skb_partial
        sk->sk_data_ready(host, sk); // tcp_data_ready
        tcp_counters(host, sk);
        return;
    }
    // slow path
    if (!(cb.tcp_flags & (TcpFlags::Ack | TcpFlags::Rst | TcpFlags::Syn))) {
        kfree_skb_reason(skb, DropReason::TcpFlags);
        return;
    }
    if (!tcp_validate_incoming(host, sk, skb, opt)) return;
    if (cb.tcp_flags & TcpFlags::Ack) {
        if (tcp_ack(host, sk, skb, true) < 0) {
            kfree_skb_reason(skb, DropReason::TcpAckUnsentData);
            return;
        }
    }
    tcp_data_queue(host, sk, skb);
    tcp_data_snd_check(host, sk);
    tcp_ack_snd_check(host, sk);
    tcp_counters(host, sk);
}

// The state machine (tcp_rcv_state_process and friends) is in tcp_rcv_state.cpp.

} // namespace skbscope
