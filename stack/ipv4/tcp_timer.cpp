// TCP's timers (net/ipv4/tcp_timer.c, net/ipv4/inet_connection_sock.c): the retransmission timer
// (tcp_write_timer -> tcp_write_timer_handler -> tcp_retransmit_timer -> tcp_enter_loss ->
// tcp_retransmit_skb, the RTO doubling each time), the delayed-ACK timer (tcp_delack_timer ->
// tcp_delack_timer_handler -> tcp_send_ack), the keepalive timer (sk_timer: tcp_keepalive_timer ->
// tcp_write_wakeup -> tcp_xmit_probe_skb; ETIMEDOUT and a RST after keepalive_probes unanswered)
// and the SYN-ACK timer of a request sock. Each runs in the host's softirq context and emits Timer
// events (arm, fire, cancel).
// SIMPLIFICATION: no tail loss probe, no zero-window probe timer; only the keepalive timer defers
// while a task owns the socket (Linux defers the others to tcp_release_cb); no TCP_USER_TIMEOUT;
// tcp_write_wakeup and tcp_xmit_probe_skb (tcp_output.c in Linux) live here.
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/ipv4/tcp.h"

namespace skbscope {

void tcp_resend_synack(Host& host, TcpSock* listener, RequestSock* req);

void tcp_init_xmit_timers(Host&, TcpSock* sk) { sk->xmit_timer = sk->delack_timer = sk->tw_timer = {}; }

void inet_csk_clear_xmit_timer(Host& host, TcpSock* sk) {
    if (!sk->xmit_timer) return;
    host.sim().cancel(sk->xmit_timer);
    sk->xmit_timer = {};
    host.sim().rec().timer(sk->label, "icsk_retransmit_timer", TimerOp::Cancel, sk->xmit_timer_expires, Layer::Timer);
}

void inet_csk_clear_delack_timer(Host& host, TcpSock* sk) {
    sk->ack_pending &= ~2;
    if (!sk->delack_timer) return;
    host.sim().cancel(sk->delack_timer);
    sk->delack_timer = {};
    host.sim().rec().timer(sk->label, "icsk_delack_timer", TimerOp::Cancel, sk->delack_timer_expires, Layer::Timer);
}

void tcp_clear_xmit_timers(Host& host, TcpSock* sk) {
    inet_csk_clear_xmit_timer(host, sk);
    inet_csk_clear_delack_timer(host, sk);
    inet_csk_delete_keepalive_timer(host, sk); // inet_csk_clear_xmit_timers stops sk_timer too
    if (sk->tw_timer && sk->sk_state != TCP_TIME_WAIT && sk->sk_state != TCP_FIN_WAIT2) {
        host.sim().cancel(sk->tw_timer);
        sk->tw_timer = {};
    }
}

static void tcp_retransmit_timer(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_retransmit_timer);
    if (!sk->packets_out || sk->tcp_rtx_queue.empty()) return;
    int limit = (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV) ? TCP_SYN_RETRIES : TCP_RETR2;
    if (sk->icsk_retransmits >= limit) {
        // tcp_write_err: a soft ICMP error seen on the way (tcp_v4_err) explains the timeout
        sk->sk_err = sk->sk_err_soft ? sk->sk_err_soft : ETIMEDOUT;
        host.note(sk->label + ": too many retransmissions: " + errno_name(sk->sk_err), Layer::Tcp);
        tcp_done(host, sk);
        return;
    }
    tcp_enter_loss(host, sk);
    tcp_retransmit_skb(host, sk, sk->tcp_rtx_queue.front());
    sk->icsk_backoff++;
    sk->icsk_retransmits++;
    sk->icsk_rto = std::min(sk->icsk_rto * 2, TCP_RTO_MAX); // exponential backoff
    inet_csk_reset_xmit_timer(host, sk, sk->icsk_rto);
    tcp_counters(host, sk);
}

static void tcp_write_timer(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_write_timer);
    TRACE_FUNC(host.sim(), tcp_write_timer_handler);
    if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN) return;
    tcp_mstamp_refresh(host, sk);
    tcp_retransmit_timer(host, sk);
}

void inet_csk_reset_xmit_timer(Host& host, TcpSock* sk, TimeNs when) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, inet_csk_reset_xmit_timer, nullptr, when);
    if (sk->xmit_timer) sim.cancel(sk->xmit_timer);
    when = std::min(when, TCP_RTO_MAX);
    TimeNs expires = sim.now() + when;
    sk->xmit_timer_expires = expires;
    sim.rec().timer(sk->label, "icsk_retransmit_timer", TimerOp::Arm, expires, Layer::Timer);
    sk->xmit_timer = sim.at(expires, host.softirq_ctx(), [&host, sk, expires] {
        sk->xmit_timer = {};
        host.sim().rec().timer(sk->label, "icsk_retransmit_timer", TimerOp::Fire, expires, Layer::Timer);
        tcp_write_timer(host, sk);
    });
}

void tcp_rearm_rto(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_rearm_rto);
    if (!sk->packets_out) inet_csk_clear_xmit_timer(host, sk);
    else inet_csk_reset_xmit_timer(host, sk, sk->icsk_rto);
}

static void tcp_delack_timer(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_delack_timer);
    TRACE_FUNC(host.sim(), tcp_delack_timer_handler);
    if (sk->sk_state == TCP_CLOSE || !(sk->ack_pending & 2)) return;
    sk->ack_pending &= ~2;
    if (sk->ack_pending & 1) {
        if (!sk->ack_pingpong) {
            sk->ack_ato = std::min(sk->ack_ato << 1, sk->icsk_rto); // delayed ACK missed: inflate ATO
        } else {
            sk->ack_pingpong = false; // leave ping-pong mode
            sk->ack_ato = TCP_ATO_MIN;
        }
        tcp_send_ack(host, sk);
    }
}

void inet_csk_reset_delack_timer(Host& host, TcpSock* sk, TimeNs expires) {
    Sim& sim = host.sim();
    if (sk->delack_timer) sim.cancel(sk->delack_timer);
    sk->delack_timer_expires = expires;
    sim.rec().timer(sk->label, "icsk_delack_timer", TimerOp::Arm, expires, Layer::Timer);
    sk->delack_timer = sim.at(expires, host.softirq_ctx(), [&host, sk, expires] {
        sk->delack_timer = {};
        host.sim().rec().timer(sk->label, "icsk_delack_timer", TimerOp::Fire, expires, Layer::Timer);
        tcp_delack_timer(host, sk);
    });
}

// reqsk_timer_handler: resends the SYN-ACK with backoff, gives up after tcp_synack_retries (5).
void reqsk_timer_arm(Host& host, RequestSock* req, TimeNs when) {
    Sim& sim = host.sim();
    TimeNs expires = sim.now() + when;
    sim.rec().timer(req->label, "rsk_timer", TimerOp::Arm, expires, Layer::Timer);
    req->rsk_timer = sim.at(expires, host.softirq_ctx(), [&host, req, when, expires] {
        req->rsk_timer = {};
        host.sim().rec().timer(req->label, "rsk_timer", TimerOp::Fire, expires, Layer::Timer);
        TRACE_FUNC(host.sim(), reqsk_timer_handler);
        if (req->num_retrans >= 5) {
            inet_csk_reqsk_queue_drop(host, req);
            return;
        }
        req->num_retrans++;
        tcp_resend_synack(host, req->rsk_listener, req);
        reqsk_timer_arm(host, req, std::min(when * 2, TCP_RTO_MAX));
    });
}

// ---- keepalive (net/ipv4/tcp_timer.c, net/ipv4/tcp.c, net/ipv4/tcp_output.c) ----

TimeNs keepalive_time_when(const TcpSock* sk) { return sk->keepalive_time ? sk->keepalive_time : TCP_KEEPALIVE_TIME; }
TimeNs keepalive_intvl_when(const TcpSock* sk) { return sk->keepalive_intvl ? sk->keepalive_intvl : TCP_KEEPALIVE_INTVL; }
int keepalive_probes(const TcpSock* sk) { return sk->keepalive_probes ? sk->keepalive_probes : TCP_KEEPALIVE_PROBES; }

// keepalive_time_elapsed: since the last data (icsk_ack.lrcvtime) or ACK (rcv_tstamp) came in.
static TimeNs keepalive_time_elapsed(Host& host, const TcpSock* sk) {
    TimeNs now = host.sim().now();
    TimeNs last = std::max(sk->ack_lrcvtime, sk->rcv_tstamp);
    return now > last ? now - last : 0;
}

void inet_csk_delete_keepalive_timer(Host& host, TcpSock* sk) {
    if (!sk->keepalive_timer) return;
    host.sim().cancel(sk->keepalive_timer);
    sk->keepalive_timer = {};
    host.sim().rec().timer(sk->label, "sk_timer", TimerOp::Cancel, sk->keepalive_timer_expires, Layer::Timer);
}

static void tcp_keepalive_timer(Host& host, TcpSock* sk);

void inet_csk_reset_keepalive_timer(Host& host, TcpSock* sk, TimeNs when) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, inet_csk_reset_keepalive_timer, nullptr, static_cast<int64_t>(when / kNsPerMs));
    if (sk->keepalive_timer) sim.cancel(sk->keepalive_timer);
    TimeNs expires = sim.now() + when;
    sk->keepalive_timer_expires = expires;
    sim.rec().timer(sk->label, "sk_timer", TimerOp::Arm, expires, Layer::Timer);
    sk->keepalive_timer = sim.at(expires, host.softirq_ctx(), [&host, sk, expires] {
        sk->keepalive_timer = {};
        host.sim().rec().timer(sk->label, "sk_timer", TimerOp::Fire, expires, Layer::Timer);
        tcp_keepalive_timer(host, sk);
    });
}

void tcp_set_keepalive(Host& host, TcpSock* sk, bool on) {
    if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN) return;
    TRACE_FUNC(host.sim(), tcp_set_keepalive, nullptr, on);
    if (on && !sk->keepalive) inet_csk_reset_keepalive_timer(host, sk, keepalive_time_when(sk));
    else if (!on) inet_csk_delete_keepalive_timer(host, sk);
}

// tcp_xmit_probe_skb: a bare ACK for snd_una - 1 (urgent: snd_una), a byte the peer has already
// acknowledged: it cannot be accepted, so the peer answers with an ACK of what it expects.
static int tcp_xmit_probe_skb(Host& host, TcpSock* sk, int urgent) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, tcp_xmit_probe_skb, nullptr, urgent);
    SkBuff* skb = alloc_skb(sim, MAX_TCP_HEADER);
    skb->flow = sim.new_flow();
    skb_reserve(skb, MAX_TCP_HEADER);
    tcp_init_nondata_skb(host, skb, sk->snd_una - (urgent ? 0 : 1), wire::TcpFlags::Ack);
    int err = tcp_transmit_skb(host, sk, skb, false);
    scope.ret(err);
    return err;
}

// tcp_write_wakeup: 0 when a probe went out, -1 on a closed socket.
// SIMPLIFICATION: never sends new data from the write queue (Linux does when the window allows);
// the keepalive timer only probes with nothing queued or in flight, so it never has to.
int tcp_write_wakeup(Host& host, TcpSock* sk) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_write_wakeup);
    if (sk->sk_state == TCP_CLOSE) {
        scope.ret(-1);
        return -1;
    }
    int err = tcp_xmit_probe_skb(host, sk, 0);
    scope.ret(err);
    return err;
}

// tcp_keepalive_timer: with SO_KEEPALIVE and nothing in flight, once the connection has been idle
// keepalive_time, a probe every keepalive_intvl; keepalive_probes unanswered: RST and ETIMEDOUT
// (tcp_write_err). An answer (tcp_ack) zeroes icsk_probes_out and restarts the idle time.
static void tcp_keepalive_timer(Host& host, TcpSock* sk) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, tcp_keepalive_timer);
    TimeNs due = 0;
    ContextId owner = 0;
    if (sock_owned_by_user_at(sk, sim.now(), &due, &owner)) { // try again shortly (HZ/20)
        inet_csk_reset_keepalive_timer(host, sk, 50 * kNsPerMs);
        return;
    }
    if (sk->sk_state == TCP_LISTEN || !sk->keepalive || sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_SYN_SENT)
        return;
    // an orphan in FIN_WAIT2 is timed by tw_timer (Linux: this timer as tcp_fin_timeout); a TIME_WAIT
    // sock (a minisock in Linux) has no keepalive
    if ((sk->sk_state == TCP_FIN_WAIT2 && sk->orphan) || sk->sk_state == TCP_TIME_WAIT) return;
    TimeNs elapsed = keepalive_time_when(sk);
    if (!sk->packets_out && sk->sk_write_queue.empty()) {
        elapsed = keepalive_time_elapsed(host, sk);
        if (elapsed >= keepalive_time_when(sk)) {
            if (sk->icsk_probes_out >= keepalive_probes(sk)) {
                host.note(sk->label + ": " + std::to_string(sk->icsk_probes_out) +
                              " keepalive probes unanswered: RST, ETIMEDOUT", Layer::Tcp);
                tcp_send_active_reset(host, sk);
                // tcp_write_err
                sk->sk_err = sk->sk_err_soft ? sk->sk_err_soft : ETIMEDOUT;
                sk_error_report(host, sk);
                tcp_done(host, sk);
                return;
            }
            if (tcp_write_wakeup(host, sk) <= 0) {
                sk->icsk_probes_out++;
                elapsed = keepalive_intvl_when(sk);
                host.note(sk->label + ": idle, keepalive probe " + std::to_string(sk->icsk_probes_out) + " of " +
                              std::to_string(keepalive_probes(sk)), Layer::Tcp);
            } else {
                elapsed = TCP_RESOURCE_PROBE_INTERVAL; // the probe was lost locally: try harder
            }
        } else {
            elapsed = keepalive_time_when(sk) - elapsed;
        }
    }
    inet_csk_reset_keepalive_timer(host, sk, elapsed);
}

} // namespace skbscope
