// TCP's timers (net/ipv4/tcp_timer.c, net/ipv4/inet_connection_sock.c): the retransmission timer
// (tcp_write_timer -> tcp_write_timer_handler -> tcp_retransmit_timer -> tcp_enter_loss ->
// tcp_retransmit_skb, the RTO doubling each time), the delayed-ACK timer (tcp_delack_timer ->
// tcp_delack_timer_handler -> tcp_send_ack) and the SYN-ACK timer of a request sock. Each runs in
// the host's softirq context and emits Timer events (arm, fire, cancel).
// SIMPLIFICATION: no tail loss probe, no zero-window probe timer, no keepalive timer.
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

} // namespace skbscope
