// TCP's socket side (net/ipv4/tcp.c): tcp_init_sock, tcp_set_state with its TcpState events,
// tcp_sendmsg -> tcp_sendmsg_locked (mss_now and size_goal, the write queue, copying into page
// frags, tcp_push with PSH on the last segment of a send), tcp_recvmsg -> tcp_recvmsg_locked
// (sk_wait_data, copy, sk_eat_skb, tcp_cleanup_rbuf's window update), tcp_close, tcp_shutdown,
// the TCP socket options and the counters the charts read.
// SIMPLIFICATION: no MSG_PEEK/MSG_OOB/MSG_WAITALL, no zerocopy, no SO_LINGER; sk_wmem_queued is
// the only send-memory accounting; the keepalive timer is armed when the connection enters
// ESTABLISHED (Linux: tcp_finish_connect, tcp_create_openreq_child), the timer in tcp_timer.cpp.
// LINUX: sk_sndbuf starts at tcp_wmem[1] (16 KB) and grows at connection time (tcp_sndbuf_expand);
// a send that fills it pushes with PSH and sleeps in sk_stream_wait_memory until ACKs free room.
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/ipv4/tcp.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

using wire::TcpFlags;

const char* tcp_state_name(int state) {
    static const char* const names[] = {"?",         "ESTABLISHED", "SYN_SENT",  "SYN_RECV", "FIN_WAIT1",
                                        "FIN_WAIT2", "TIME_WAIT",   "CLOSE",     "CLOSE_WAIT", "LAST_ACK",
                                        "LISTEN",    "CLOSING",     "NEW_SYN_RECV"};
    return state >= 0 && state <= 12 ? names[state] : "?";
}

uint32_t tcp_space(const TcpSock* sk) {
    int64_t free = int64_t(sk->sk_rcvbuf) - int64_t(sk->sk_rmem_alloc);
    return tcp_win_from_space(sk, free);
}
uint32_t tcp_full_space(const TcpSock* sk) { return tcp_win_from_space(sk, sk->sk_rcvbuf); }

TcpSock* tcp_sock_alloc(Host& host) {
    TRACE_FUNC(host.sim(), sk_alloc, nullptr, SOCK_STREAM, IPPROTO_TCP);
    auto sk = std::make_unique<TcpSock>();
    TcpSock* p = sk.get();
    p->host = &host;
    p->sk_prot = &tcp_prot;
    p->sk_type = SOCK_STREAM;
    p->sk_protocol = IPPROTO_TCP;
    p->kernel_owned = true;
    p->sim = &host.sim();
    host.tcp_socks.push_back(std::move(sk));
    return p;
}

void tcp_init_sock(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_init_sock);
    sk->sk_data_ready = sock_def_readable;
    sk->icsk_rto = TCP_TIMEOUT_INIT;
    sk->mdev_us = static_cast<uint32_t>(TCP_TIMEOUT_INIT / kNsPerUs);
    sk->snd_cwnd = TCP_INIT_CWND;
    sk->snd_ssthresh = TCP_INFINITE_SSTHRESH;
    sk->mss_cache = TCP_MSS_DEFAULT;
    sk->mss_clamp = TCP_MSS_DEFAULT;
    sk->reordering = 3;
    sk->sk_state = TCP_CLOSE;
    sk->sk_sndbuf = TCP_WMEM_DEFAULT;
    sk->sk_rcvbuf = TCP_RMEM_DEFAULT;
    sk->icsk_ca_ops = &tcp_default_ca(); // tcp_assign_congestion_control
    sk->sim = &host.sim();
    sk->sk_backlog_rcv = tcp_v4_backlog_rcv;
    tcp_init_xmit_timers(host, sk);
}

static void tcp_counter(Host& host, TcpSock* sk, size_t i, const char* name, int64_t v) {
    if (sk->last_ctr.size() <= i) sk->last_ctr.resize(i + 1, INT64_MIN);
    if (sk->last_ctr[i] == v) return;
    sk->last_ctr[i] = v;
    host.sim().rec().counter(sk->label, name, v, Layer::Tcp);
}

void tcp_counters(Host& host, TcpSock* sk) {
    size_t i = 0;
    tcp_counter(host, sk, i++, "cwnd", sk->snd_cwnd);
    tcp_counter(host, sk, i++, "ssthresh", sk->snd_ssthresh);
    tcp_counter(host, sk, i++, "srtt_us", sk->srtt_us >> 3);
    tcp_counter(host, sk, i++, "rttvar_us", sk->rttvar_us >> 2);
    tcp_counter(host, sk, i++, "rto_ms", sk->icsk_rto / kNsPerMs);
    tcp_counter(host, sk, i++, "snd_una", static_cast<uint32_t>(sk->snd_una - sk->isn));
    tcp_counter(host, sk, i++, "snd_nxt", static_cast<uint32_t>(sk->snd_nxt - sk->isn));
    tcp_counter(host, sk, i++, "rcv_nxt", static_cast<uint32_t>(sk->rcv_nxt - sk->irs));
    tcp_counter(host, sk, i++, "packets_in_flight", tcp_packets_in_flight(sk));
    tcp_counter(host, sk, i++, "snd_wnd", sk->snd_wnd);
    tcp_counter(host, sk, i++, "rcv_wnd", sk->rcv_wnd);
    int64_t wq = 0;
    for (SkBuff* s : sk->sk_write_queue) wq += s->len;
    tcp_counter(host, sk, i++, "write_queue_bytes", wq);
    tcp_counter(host, sk, i++, "rtx_queue_bytes", sk->snd_nxt - sk->snd_una);
    tcp_counter(host, sk, i++, "receive_queue_bytes", sk->rcv_nxt - sk->copied_seq);
}

void sk_state_change(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), sock_def_wakeup);
    if (!sk->sk_wq.empty()) sock_def_readable(host, sk); // wakes every sleeper on sk_wq
}

void sk_stream_write_space(Host& host, TcpSock* sk) {
    // sk_stream_wspace >= sk_stream_min_wspace
    if (sk->sk_wq.empty() || sk->orphan) return;
    if (int64_t(sk->sk_sndbuf) - int64_t(sk->sk_wmem_queued) < int64_t(sk->sk_wmem_queued >> 1)) return;
    TRACE_FUNC(host.sim(), sk_stream_write_space);
    sock_def_readable(host, sk);
}

void tcp_set_state(Host& host, TcpSock* sk, int state) {
    TRACE_FUNC(host.sim(), tcp_set_state, nullptr, sk->sk_state, state);
    int old = sk->sk_state;
    if (old == state) return;
    host.sim().rec().tcp_state(sk->label, old, state);
    host.note(sk->label + ": " + tcp_state_name(old) + " -> " + tcp_state_name(state), Layer::Tcp);
    sk->sk_state = state;
    if (state == TCP_ESTABLISHED && sk->keepalive && !sk->keepalive_timer)
        inet_csk_reset_keepalive_timer(host, sk, keepalive_time_when(sk));
    if (state == TCP_CLOSE) {
        // unhash, inet_put_port
        inet_unhash(host, sk);
        for (auto it = host.tcp_bhash.begin(); it != host.tcp_bhash.end();)
            it = it->second == sk ? host.tcp_bhash.erase(it) : std::next(it);
    }
}

void inet_csk_destroy_sock(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), inet_csk_destroy_sock);
    if (sk->destroyed) return;
    sk->destroyed = true;
    tcp_clear_xmit_timers(host, sk);
    for (auto* q : {&sk->sk_write_queue, &sk->tcp_rtx_queue, &sk->out_of_order_queue, &sk->sk_error_queue}) {
        for (SkBuff* s : *q) kfree_skb(s);
        q->clear();
    }
    for (SkBuff* s : sk->sk_receive_queue) kfree_skb(s);
    sk->sk_receive_queue.clear();
    if (!sk->sk_backlog.q.empty()) { // nobody will release the lock for these any more
        for (const auto& e : sk->sk_backlog.q) kfree_skb(e.skb);
        sk->sk_backlog.q.clear();
        sk->sk_backlog.len = 0;
        host.sim().rec().queue("sk_backlog", sk->label, QueueOp::Purge, 0, 0, nullptr, Layer::Socket);
    }
    if (sk->sk_backlog.ev) host.sim().cancel(sk->sk_backlog.ev);
    sk->sk_backlog.ev = {};
    sk->sk_rmem_alloc = 0;
    sk->sk_wmem_queued = 0;
    sk->packets_out = 0;
    // the memory stays with the host (tcp_socks) until it is destroyed
}

void tcp_done(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), tcp_done);
    tcp_set_state(host, sk, TCP_CLOSE);
    tcp_clear_xmit_timers(host, sk);
    sk->sk_shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
    if (!sk->orphan) sk_state_change(host, sk);
    else inet_csk_destroy_sock(host, sk);
}

// ---- sending ----

namespace {

struct SendState {
    size_t copied = 0;
    int flags = 0;
    int process_backlog = 0; // new skbs since the last sk_flush_backlog
};

bool forced_push(const TcpSock* sk) { return after(sk->write_seq, sk->pushed_seq + (sk->max_window >> 1)); }

void tcp_mark_push(TcpSock* sk, SkBuff* skb) {
    TCP_SKB_CB(skb).tcp_flags |= TcpFlags::Psh;
    sk->pushed_seq = sk->write_seq;
}

// tcp_bound_to_half_wnd: no packet larger than half the largest window the peer offered.
uint32_t tcp_bound_to_half_wnd(const TcpSock* sk, uint32_t pktsize) {
    uint32_t cutoff = sk->max_window > TCP_MSS_DEFAULT ? sk->max_window >> 1 : sk->max_window;
    if (cutoff && pktsize > cutoff) return std::max<uint32_t>(cutoff, 68u - sk->tcp_header_len);
    return pktsize;
}

// tcp_xmit_size_goal: TCP always builds GSO skbs (sk_setup_caps sets NETIF_F_GSO for TCP), of
// gso_segs MSS each, bounded by half the peer's largest window.
uint32_t tcp_xmit_size_goal(TcpSock* sk, uint32_t mss_now) {
    uint32_t new_size_goal = tcp_bound_to_half_wnd(sk, sk->sk_gso_max_size);
    uint32_t size_goal = sk->gso_segs * mss_now;
    if (new_size_goal < size_goal || new_size_goal >= size_goal + mss_now) {
        sk->gso_segs = static_cast<uint16_t>(std::min(new_size_goal / mss_now, GSO_MAX_SEGS));
        size_goal = sk->gso_segs * mss_now;
    }
    return std::max(size_goal, mss_now);
}

int tcp_nonagle(const TcpSock* sk) { return sk->cork ? TCP_NAGLE_CORK : (sk->nodelay ? TCP_NAGLE_OFF : 0); }

void tcp_push(Host& host, TcpSock* sk, int flags, uint32_t mss_now, int nonagle) {
    TRACE_FUNC(host.sim(), tcp_push, nullptr, flags, nonagle);
    if (sk->sk_write_queue.empty()) return;
    SkBuff* skb = sk->sk_write_queue.back();
    if (!(flags & 0x8000) || forced_push(sk)) tcp_mark_push(sk, skb); // MSG_MORE
    if (flags & 0x8000) nonagle = TCP_NAGLE_CORK;
    __tcp_push_pending_frames(host, sk, mss_now, nonagle);
}

void sendmsg_finish(Host& host, Task& task, TcpSock* sk, int64_t r, const SysRet& ret) {
    task.frames.close(Fn::tcp_sendmsg_locked, r);
    release_sock(host, sk);
    task.frames.close(Fn::tcp_sendmsg, r);
    tcp_counters(host, sk);
    ret(r);
}

void sendmsg_loop(Host& host, Task& task, TcpSock* sk, std::shared_ptr<SysCall> sc, std::shared_ptr<SendState> st,
                  SysRet ret);

void sendmsg_sleep(Host& host, Task& task, TcpSock* sk, Fn fn, std::shared_ptr<SysCall> sc,
                   std::shared_ptr<SendState> st, SysRet ret) {
    task.frames.open(fn);
    release_sock(host, sk); // sk_wait_event: the lock is not held while sleeping
    host.note(task.comm + " sleeps on " + sk->label + " (" + std::string(fn_info(fn).name) + ")", Layer::Tcp);
    SockWaiter w;
    w.task = &task;
    w.wake = [&host, &task, sk, fn, sc, st, ret] {
        lock_sock(host, sk);
        task.frames.close(fn, 0);
        sendmsg_loop(host, task, sk, sc, st, ret);
    };
    sk_add_waiter(sk, std::move(w));
}

void sendmsg_loop(Host& host, Task& task, TcpSock* sk, std::shared_ptr<SysCall> sc, std::shared_ptr<SendState> st,
                  SysRet ret) {
    Sim& sim = host.sim();
    const size_t size = sc->ubuf.size();
    bool nonblock = sk->nonblock || (st->flags & MSG_DONTWAIT);
    if (sk->sk_err) {
        int e = sk->sk_err;
        return sendmsg_finish(host, task, sk, st->copied ? int64_t(st->copied) : -e, ret);
    }
    if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV) {
        if (nonblock) return sendmsg_finish(host, task, sk, st->copied ? int64_t(st->copied) : -EAGAIN, ret);
        return sendmsg_sleep(host, task, sk, Fn::sk_stream_wait_connect, sc, st, ret);
    }
    if ((sk->sk_shutdown & SEND_SHUTDOWN) || (sk->sk_state != TCP_ESTABLISHED && sk->sk_state != TCP_CLOSE_WAIT)) {
        int e = (sk->sk_shutdown & SEND_SHUTDOWN) || sk->sk_state != TCP_CLOSE ? -EPIPE : -ENOTCONN;
        return sendmsg_finish(host, task, sk, st->copied ? int64_t(st->copied) : e, ret);
    }
    uint32_t mss_now, size_goal;
    {
        TRACE_FUNC_NAMED(s, sim, tcp_send_mss);
        mss_now = tcp_current_mss(sk);
        size_goal = tcp_xmit_size_goal(sk, mss_now);
        s.ret(mss_now);
    }
    int nonagle = tcp_nonagle(sk);
    while (st->copied < size) {
        SkBuff* skb = nullptr;
        {
            TRACE_FUNC(sim, tcp_write_queue_tail);
            skb = sk->sk_write_queue.empty() ? nullptr : sk->sk_write_queue.back();
        }
        // Linux's tail skb holds [start, write_seq): our run since gso_skb_seq, less what
        // tcp_write_xmit already sent of it (tso_fragment left the rest as a new skb at snd_nxt)
        uint32_t start = after(sk->snd_nxt, sk->gso_skb_seq) ? sk->snd_nxt : sk->gso_skb_seq;
        int64_t copy = skb ? int64_t(size_goal) - int64_t(sk->write_seq - start) : 0;
        const bool new_segment = copy <= 0 || (skb && (TCP_SKB_CB(skb).tcp_flags & TcpFlags::Fin));
        // SIMPLIFICATION: sk_stream_memory_free is checked before each of our MSS skbs, not only
        // before each of Linux's skbs (Linux may overshoot sk_sndbuf by up to size_goal bytes)
        if (new_segment || skb->len >= mss_now) {
            if (sk->sk_wmem_queued >= sk->sk_sndbuf) { // !sk_stream_memory_free: wait_for_space
                if (st->copied) tcp_push(host, sk, st->flags & ~0x8000, mss_now, TCP_NAGLE_PUSH);
                if (nonblock) return sendmsg_finish(host, task, sk, st->copied ? int64_t(st->copied) : -EAGAIN, ret);
                return sendmsg_sleep(host, task, sk, Fn::sk_stream_wait_memory, sc, st, ret);
            }
        }
        if (new_segment) {
            if (st->process_backlog >= 16) { // let the ACKs that came in meanwhile through
                st->process_backlog = 0;
                if (sk_flush_backlog(host, sk)) return sendmsg_loop(host, task, sk, sc, st, ret); // restart
            }
            st->process_backlog++;
            sk->gso_skb_seq = start = sk->write_seq; // a new skb of Linux's begins here
            skb = nullptr;
            copy = size_goal;
        }
        if (!skb || skb->len >= mss_now) { // SIMPLIFICATION: one of our skbs per MSS of Linux's skb
            skb = tcp_stream_alloc_skb(host, sk);
            {
                TRACE_FUNC(sim, tcp_skb_entail, skb);
                auto& cb = TCP_SKB_CB(skb);
                cb.seq = cb.end_seq = sk->write_seq;
                cb.tcp_flags = TcpFlags::Ack;
                sk->sk_write_queue.push_back(skb);
                // bytes: the data not yet sent (write_seq - snd_nxt), as the queues panel shows it
                sim.rec().queue("sk_write_queue", sk->label, QueueOp::Enqueue,
                                static_cast<int64_t>(sk->sk_write_queue.size()), sk->write_seq - sk->snd_nxt, skb,
                                Layer::Tcp);
            }
        }
        copy = std::min<int64_t>({copy, int64_t(mss_now) - int64_t(skb->len), int64_t(size - st->copied)});
        {
            TRACE_FUNC(sim, skb_copy_to_page_nocache, skb, copy);
            uint32_t before_truesize = skb->truesize;
            skb_add_frag(skb, std::span<const uint8_t>(sc->ubuf.data() + st->copied, static_cast<size_t>(copy)));
            skb->truesize = before_truesize + static_cast<uint32_t>(copy); // the page frag charges what it holds
            sk->sk_wmem_queued += static_cast<uint32_t>(copy);
        }
        sk->write_seq += static_cast<uint32_t>(copy);
        TCP_SKB_CB(skb).end_seq += static_cast<uint32_t>(copy);
        st->copied += static_cast<size_t>(copy);
        if (st->copied == size) break;
        if (sk->write_seq - start < size_goal) continue;
        if (forced_push(sk)) {
            tcp_mark_push(sk, skb);
            __tcp_push_pending_frames(host, sk, mss_now, TCP_NAGLE_PUSH);
        } else if (start == sk->snd_nxt) { // Linux's skb is tcp_send_head
            tcp_push_one(host, sk, mss_now);
        }
    }
    if (st->copied) tcp_push(host, sk, st->flags, mss_now, nonagle);
    sendmsg_finish(host, task, sk, static_cast<int64_t>(st->copied), ret);
}

} // namespace

void tcp_sendmsg(Host& host, Task& task, TcpSock* sk, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::tcp_sendmsg, nullptr, static_cast<int64_t>(sc->ubuf.size()));
    lock_sock(host, sk);
    task.frames.open(Fn::tcp_sendmsg_locked, nullptr, static_cast<int64_t>(sc->ubuf.size()));
    auto st = std::make_shared<SendState>();
    st->flags = sc->flags;
    sendmsg_loop(host, task, sk, sc, st, std::move(ret));
}

// ---- receiving ----

void tcp_cleanup_rbuf(Host& host, TcpSock* sk, int copied) {
    TRACE_FUNC(host.sim(), tcp_cleanup_rbuf, nullptr, copied);
    bool time_to_ack = false;
    if ((sk->ack_pending & 1) && sk->rcv_nxt - sk->rcv_wup > sk->rcv_mss) time_to_ack = true;
    if (copied > 0 && !time_to_ack && !(sk->sk_shutdown & RCV_SHUTDOWN)) {
        uint32_t rcv_window_now = tcp_receive_window(sk);
        if (2 * rcv_window_now <= sk->window_clamp) {
            // __tcp_select_window, through a scratch copy (it may only be read here)
            uint32_t new_window = std::min<uint32_t>(tcp_space(sk), sk->rcv_ssthresh);
            if (new_window && new_window >= 2 * rcv_window_now) time_to_ack = true;
        }
    }
    if (time_to_ack) tcp_send_ack(host, sk);
}

namespace {

void recvmsg_finish(Host& host, Task& task, TcpSock* sk, int64_t r, const SysRet& ret) {
    task.frames.close(Fn::tcp_recvmsg_locked, r);
    release_sock(host, sk);
    task.frames.close(Fn::tcp_recvmsg, r);
    tcp_counters(host, sk);
    ret(r);
}

void recvmsg_try(Host& host, Task& task, TcpSock* sk, std::shared_ptr<SysCall> sc, SysRet ret) {
    Sim& sim = host.sim();
    if (sk->sk_state == TCP_LISTEN) return recvmsg_finish(host, task, sk, -ENOTCONN, ret);
    size_t len = sc->len;
    size_t copied = 0;
    sc->ubuf.clear();
    while (copied < len && !sk->sk_receive_queue.empty()) {
        SkBuff* skb = sk->sk_receive_queue.front();
        uint32_t offset = sk->copied_seq - TCP_SKB_CB(skb).seq;
        uint32_t avail = skb->len > offset ? skb->len - offset : 0;
        uint32_t n = static_cast<uint32_t>(std::min<size_t>(avail, len - copied));
        {
            TRACE_FUNC(sim, skb_copy_datagram_msg, skb, offset, n);
            skb_copy_datagram_iter(host, skb, offset, sc->ubuf, n);
        }
        sk->copied_seq += n;
        copied += n;
        if (offset + n >= skb->len) {
            TRACE_FUNC(sim, sk_eat_skb, skb);
            sk_receive_queue_dequeue(host, sk);
            consume_skb(skb);
        }
    }
    if (copied) {
        tcp_cleanup_rbuf(host, sk, static_cast<int>(copied));
        return recvmsg_finish(host, task, sk, static_cast<int64_t>(copied), ret);
    }
    if (sk->sk_err) {
        int e = sk->sk_err;
        sk->sk_err = 0; // sock_error
        return recvmsg_finish(host, task, sk, -e, ret);
    }
    if ((sk->sk_shutdown & RCV_SHUTDOWN) || sk->sk_state == TCP_CLOSE) return recvmsg_finish(host, task, sk, 0, ret);
    if (sk->nonblock || (sc->flags & MSG_DONTWAIT)) return recvmsg_finish(host, task, sk, -EAGAIN, ret);
    // sk_wait_data: sleep until sk_data_ready or sk_state_change
    task.frames.open(Fn::sk_wait_data);
    release_sock(host, sk); // sk_wait_event: the lock is not held while sleeping
    host.note(task.comm + " (pid " + std::to_string(task.pid) + ") sleeps on sk_wq of " + sk->label, Layer::Socket);
    SockWaiter w;
    w.task = &task;
    w.wake = [&host, &task, sk, sc, ret] {
        lock_sock(host, sk);
        task.frames.close(Fn::sk_wait_data, 0);
        recvmsg_try(host, task, sk, sc, ret);
    };
    sk_add_waiter(sk, std::move(w));
}

} // namespace

void tcp_recvmsg(Host& host, Task& task, TcpSock* sk, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::tcp_recvmsg, nullptr, static_cast<int64_t>(sc->len));
    lock_sock(host, sk);
    task.frames.open(Fn::tcp_recvmsg_locked, nullptr, static_cast<int64_t>(sc->len));
    recvmsg_try(host, task, sk, std::move(sc), std::move(ret));
}

// ---- close and shutdown ----

// tcp_close_state: the next state on close; true when a FIN must be sent.
static bool tcp_close_state(Host& host, TcpSock* sk) {
    int next = TCP_CLOSE;
    bool fin = false;
    switch (sk->sk_state) {
    case TCP_ESTABLISHED:
    case TCP_SYN_RECV: next = TCP_FIN_WAIT1; fin = true; break;
    case TCP_CLOSE_WAIT: next = TCP_LAST_ACK; fin = true; break;
    case TCP_FIN_WAIT1: case TCP_FIN_WAIT2: case TCP_CLOSING: case TCP_LAST_ACK: case TCP_TIME_WAIT:
        return false; // nothing changes
    default: next = TCP_CLOSE;
    }
    tcp_set_state(host, sk, next);
    return fin;
}

void tcp_shutdown(Host& host, TcpSock* sk, int how) {
    TRACE_FUNC(host.sim(), tcp_shutdown, nullptr, how);
    if (!(how & SEND_SHUTDOWN)) return;
    if (sk->sk_state == TCP_ESTABLISHED || sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV ||
        sk->sk_state == TCP_CLOSE_WAIT) {
        if (tcp_close_state(host, sk)) tcp_send_fin(host, sk);
    }
}

void tcp_close(Host& host, TcpSock* sk) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, tcp_close);
    lock_sock(host, sk);
    sk->sk_shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
    if (sk->sk_state == TCP_LISTEN) {
        tcp_set_state(host, sk, TCP_CLOSE);
        inet_csk_listen_stop(host, sk);
    }
    uint32_t data_was_unread = 0;
    for (SkBuff* skb : sk->sk_receive_queue) {
        data_was_unread += skb->len;
        kfree_skb(skb);
    }
    sk->sk_receive_queue.clear();
    sk->sk_rmem_alloc = 0;
    if (sk->sk_state == TCP_CLOSE) {
        // nothing to tell the peer
    } else if (data_was_unread) {
        // RFC 2525 2.17: unread data is lost, the peer learns it with a RST
        host.note(sk->label + ": closed with " + std::to_string(data_was_unread) + " bytes unread: RST", Layer::Tcp);
        tcp_set_state(host, sk, TCP_CLOSE);
        tcp_send_active_reset(host, sk);
    } else if (tcp_close_state(host, sk)) {
        tcp_send_fin(host, sk);
    }
    // sock_orphan: the protocol keeps the sock until the connection is done
    sk->orphan = true;
    sk->dead = true;
    release_sock(host, sk);
    if (sk->sk_state == TCP_FIN_WAIT2) tcp_time_wait(host, sk, TCP_FIN_WAIT2, TCP_FIN_TIMEOUT);
    if (sk->sk_state == TCP_CLOSE) inet_csk_destroy_sock(host, sk);
    tcp_counters(host, sk);
}

// ---- options ----

int tcp_setsockopt(Host& host, TcpSock* sk, int level, int optname, int64_t val, const std::string& str) {
    TRACE_FUNC_NAMED(scope, host.sim(), do_tcp_setsockopt, nullptr, optname, val);
    int err = 0;
    if (level == SOL_SOCKET) {
        switch (optname) {
        case SO_SNDBUF_:
            sk->sndbuf_locked = true; // SOCK_SNDBUF_LOCK
            sk->sk_sndbuf = static_cast<uint32_t>(std::max<int64_t>(std::min<int64_t>(val, 212992) * 2, 4608));
            break;
        case SO_RCVBUF:
            sk->rcvbuf_locked = true;
            sk->sk_rcvbuf = static_cast<uint32_t>(std::max<int64_t>(std::min<int64_t>(val, 212992) * 2, 2304));
            break;
        case SO_KEEPALIVE_:
            tcp_set_keepalive(host, sk, val != 0); // sk_prot->keepalive, then SOCK_KEEPOPEN
            sk->keepalive = val != 0;
            break;
        default: err = -ENOPROTOOPT;
        }
    } else if (level == IPPROTO_TCP) {
        switch (optname) {
        case TCP_NODELAY:
            sk->nodelay = val != 0;
            if (sk->nodelay) __tcp_push_pending_frames(host, sk, tcp_current_mss(sk), TCP_NAGLE_OFF | TCP_NAGLE_PUSH);
            break;
        case TCP_CORK:
            sk->cork = val != 0;
            if (!sk->cork) __tcp_push_pending_frames(host, sk, tcp_current_mss(sk), tcp_nonagle(sk) | TCP_NAGLE_PUSH);
            break;
        case TCP_KEEPIDLE: // tcp_sock_set_keepidle_locked: seconds; the pending timer moves
            if (val < 1 || val > MAX_TCP_KEEPIDLE) {
                err = -EINVAL;
                break;
            }
            sk->keepalive_time = static_cast<TimeNs>(val) * kNsPerSec;
            if (sk->keepalive && sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN) {
                TimeNs last = std::max(sk->ack_lrcvtime, sk->rcv_tstamp); // keepalive_time_elapsed
                TimeNs elapsed = host.sim().now() > last ? host.sim().now() - last : 0;
                inet_csk_reset_keepalive_timer(host, sk, sk->keepalive_time > elapsed ? sk->keepalive_time - elapsed : 0);
            }
            break;
        case TCP_KEEPINTVL:
            if (val < 1 || val > MAX_TCP_KEEPINTVL) err = -EINVAL;
            else sk->keepalive_intvl = static_cast<TimeNs>(val) * kNsPerSec;
            break;
        case TCP_KEEPCNT:
            if (val < 1 || val > MAX_TCP_KEEPCNT) err = -EINVAL;
            else sk->keepalive_probes = static_cast<int>(val);
            break;
        case TCP_CONGESTION: {
            const TcpCongestionOps* ca = tcp_ca_find(str);
            if (!ca) err = -ENOENT;
            else {
                sk->icsk_ca_ops = ca;
                if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN) ca->init(*sk);
            }
            break;
        }
        default: err = -ENOPROTOOPT;
        }
    } else {
        err = -ENOPROTOOPT;
    }
    scope.ret(err);
    return err;
}

int tcp_getsockopt(Host& host, TcpSock* sk, int level, int optname, int64_t* val) {
    TRACE_FUNC_NAMED(scope, host.sim(), do_tcp_getsockopt, nullptr, optname);
    int err = 0;
    if (level == SOL_SOCKET) {
        switch (optname) {
        case SO_SNDBUF_: *val = sk->sk_sndbuf; break;
        case SO_RCVBUF: *val = sk->sk_rcvbuf; break;
        case SO_KEEPALIVE_: *val = sk->keepalive; break;
        default: err = -ENOPROTOOPT;
        }
    } else if (level == IPPROTO_TCP) {
        switch (optname) {
        case TCP_NODELAY: *val = sk->nodelay; break;
        case TCP_CORK: *val = sk->cork; break;
        case TCP_MAXSEG: *val = sk->mss_cache; break;
        case TCP_KEEPIDLE: *val = static_cast<int64_t>(keepalive_time_when(sk) / kNsPerSec); break;
        case TCP_KEEPINTVL: *val = static_cast<int64_t>(keepalive_intvl_when(sk) / kNsPerSec); break;
        case TCP_KEEPCNT: *val = keepalive_probes(sk); break;
        case TCP_CONGESTION: // the name's length; the caller copies icsk_ca_ops->name out
            *val = sk->icsk_ca_ops ? static_cast<int64_t>(std::string_view(sk->icsk_ca_ops->name).size()) : 0;
            break;
        default: err = -ENOPROTOOPT;
        }
    } else {
        err = -ENOPROTOOPT;
    }
    scope.ret(err);
    return err;
}

// ---- poll (epoll, select) ----

// tcp_poll: the poll mask of a TCP socket (inet_stream_ops.poll), as Linux computes it: a listener is
// readable with a connection in the accept queue; EPOLLHUP when both directions are shut or the
// socket is closed; EPOLLIN|EPOLLRDHUP after the peer's FIN; EPOLLOUT while sk_stream_is_writeable.
uint32_t tcp_poll(Host& host, TcpSock* sk) {
    TRACE_FUNC_NAMED(scope, host.sim(), tcp_poll, nullptr, sk->sk_state);
    constexpr uint32_t IN = 0x001 | 0x040, OUT = 0x004 | 0x100, ERR = 0x008, HUP = 0x010, RDHUP = 0x2000;
    uint32_t mask = 0;
    int state = sk->sk_state;
    if (state == TCP_LISTEN) { // inet_csk_listen_poll
        mask = sk->accept_queue.empty() ? 0 : IN;
        scope.ret(mask);
        return mask;
    }
    if (sk->sk_shutdown == (RCV_SHUTDOWN | SEND_SHUTDOWN) || state == TCP_CLOSE) mask |= HUP;
    if (sk->sk_shutdown & RCV_SHUTDOWN) mask |= IN | RDHUP;
    if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
        for (SkBuff* skb : sk->sk_receive_queue) // tcp_stream_is_readable
            if (skb->len > sk->copied_seq - TCP_SKB_CB(skb).seq) {
                mask |= IN;
                break;
            }
        if (!(sk->sk_shutdown & SEND_SHUTDOWN)) {
            // sk_stream_is_writeable: sk_stream_wspace >= sk_stream_min_wspace
            if (int64_t(sk->sk_sndbuf) - int64_t(sk->sk_wmem_queued) >= int64_t(sk->sk_wmem_queued >> 1)) mask |= OUT;
        } else {
            mask |= OUT;
        }
    }
    if (sk->sk_err) mask |= ERR;
    scope.ret(mask);
    return mask;
}

// ---- struct proto tcp_prot ----

static void tcp_prot_recvmsg(Host& host, Task& task, Sock* sk, std::shared_ptr<SysCall> sc, SysRet ret) {
    tcp_recvmsg(host, task, tcp_sk(sk), std::move(sc), std::move(ret));
}
static void tcp_prot_close(Host& host, Sock* sk) { tcp_close(host, tcp_sk(sk)); }
static int64_t tcp_prot_sendmsg(Host&, Sock*, SysCall&) { return -EOPNOTSUPP; } // the stream path is tcp_sendmsg

const Proto tcp_prot = {"TCP", inet_csk_get_port, nullptr, tcp_prot_sendmsg, tcp_prot_recvmsg, tcp_prot_close};

} // namespace skbscope
