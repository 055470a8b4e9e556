// The end of the passive handshake and TIME_WAIT (net/ipv4/tcp_minisocks.c): tcp_check_req turns
// the handshake's ACK for a request sock into a child socket (tcp_v4_syn_recv_sock) and completes
// the hash dance into the listener's accept queue; tcp_time_wait holds the closed connection for
// TCP_TIMEWAIT_LEN (60 s) to absorb a retransmitted FIN.
// SIMPLIFICATION: no inet_timewait_sock: the full sock stays hashed in TIME_WAIT (and an orphaned
// FIN_WAIT2 waits its tcp_fin_timeout the same way); no SYN cookies, no TCP_DEFER_ACCEPT.
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/ipv4/tcp.h"

namespace skbscope {

using wire::TcpFlags;

void tcp_resend_synack(Host& host, TcpSock* listener, RequestSock* req);

static void inet_csk_complete_hashdance(Host& host, TcpSock* listener, RequestSock* req, TcpSock* child) {
    TRACE_FUNC(host.sim(), inet_csk_complete_hashdance);
    inet_csk_reqsk_queue_drop(host, req); // out of the SYN queue and ehash (the child took its place)
    inet_csk_reqsk_queue_add(host, listener, child);
}

TcpSock* tcp_check_req(Host& host, SkBuff* skb, RequestSock* req) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_check_req, skb);
    const auto& cb = TCP_SKB_CB(skb);
    TcpSock* listener = req->rsk_listener;
    if ((cb.tcp_flags & TcpFlags::Syn) && !(cb.tcp_flags & TcpFlags::Ack) && cb.seq == req->rcv_isn) {
        // the peer did not get our SYN-ACK: send it again (inet_rtx_syn_ack)
        tcp_resend_synack(host, listener, req);
        consume_skb(skb);
        scope.ret(0);
        return nullptr;
    }
    if (cb.tcp_flags & TcpFlags::Rst) {
        inet_csk_reqsk_queue_drop(host, req);
        kfree_skb_reason(skb, DropReason::TcpReset);
        scope.ret(0);
        return nullptr;
    }
    if (!(cb.tcp_flags & TcpFlags::Ack) || cb.ack_seq != req->snt_isn + 1 || (cb.tcp_flags & TcpFlags::Syn)) {
        if (cb.tcp_flags & TcpFlags::Ack) tcp_v4_send_reset(host, nullptr, skb);
        kfree_skb_reason(skb, DropReason::TcpFlags);
        scope.ret(0);
        return nullptr;
    }
    TcpSock* child = tcp_v4_syn_recv_sock(host, listener, skb, req);
    if (!child) {
        // listen_overflow: the ACK is ignored; the peer will retransmit (tcp_abort_on_overflow = 0)
        kfree_skb_reason(skb, DropReason::NotSpecified);
        scope.ret(0);
        return nullptr;
    }
    inet_csk_complete_hashdance(host, listener, req, child);
    scope.ret(1);
    return child;
}

void tcp_time_wait(Host& host, TcpSock* sk, int state, TimeNs timeo) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, tcp_time_wait, nullptr, state);
    inet_csk_clear_xmit_timer(host, sk);
    inet_csk_clear_delack_timer(host, sk);
    if (state == TCP_TIME_WAIT) {
        tcp_set_state(host, sk, TCP_TIME_WAIT);
        timeo = TCP_TIMEWAIT_LEN;
    }
    if (sk->tw_timer) {
        sim.cancel(sk->tw_timer);
        sim.rec().timer(sk->label, "tw_timer", TimerOp::Cancel, 0, Layer::Timer);
    }
    TimeNs expires = sim.now() + timeo;
    sim.rec().timer(sk->label, "tw_timer", TimerOp::Arm, expires, Layer::Timer);
    sk->tw_timer = sim.at(expires, host.softirq_ctx(), [&host, sk, expires] {
        sk->tw_timer = {};
        host.sim().rec().timer(sk->label, "tw_timer", TimerOp::Fire, expires, Layer::Timer);
        TRACE_FUNC(host.sim(), tw_timer_handler);
        tcp_done(host, sk);
    });
}

} // namespace skbscope
