// struct sock's life and its receive side (net/core/sock.c): sk_alloc, sock_init_data, the receive
// queue with its buffer accounting, sk_data_ready = sock_def_readable waking sleepers through
// __wake_up_sync_key, and sk_common_release. Errors: sock_error, sk_error_report =
// sock_def_error_report, and the error queue (sock_queue_err_skb, sock_dequeue_err_skb in
// net/core/skbuff.c) that IP_RECVERR fills.
// SIMPLIFICATION: no socket lock or backlog; the wait queue holds tasks, or ep_poll_callback entries.
// LINUX: sock_queue_rcv_skb refuses when sk_rmem_alloc >= sk_rcvbuf; UDP's own enqueue only when it
// is already above (rmem > rcvbuf), so one datagram may overshoot the limit.
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/socket/sock.h"

namespace skbscope {

Sock* sk_alloc(Host& host, const Proto* prot, int type, int protocol) {
    TRACE_FUNC(host.sim(), sk_alloc, nullptr, type, protocol);
    auto* sk = new Sock();
    sk->host = &host;
    sk->sk_prot = prot;
    sk->sk_type = type;
    sk->sk_protocol = protocol;
    return sk;
}

void sock_init_data(Host& host, Sock* sk) {
    TRACE_FUNC(host.sim(), sock_init_data);
    sk->sk_rcvbuf = 212992; // net.core.rmem_default
    sk->sk_rcvtimeo = 0;    // MAX_SCHEDULE_TIMEOUT
    sk->sk_data_ready = sock_def_readable;
}

static void queue_event(Host& host, Sock* sk, QueueOp op, const SkBuff* skb) {
    host.sim().rec().queue("sk_receive_queue", sk->label, op, static_cast<int64_t>(sk->sk_receive_queue.size()),
                           sk->sk_rmem_alloc, skb, Layer::Socket);
}

void sk_receive_queue_tail(Host& host, Sock* sk, SkBuff* skb) {
    skb->sk = sk; // skb_set_owner_r
    sk->sk_rmem_alloc += skb->truesize;
    sk->sk_receive_queue.push_back(skb);
    queue_event(host, sk, QueueOp::Enqueue, skb);
}

SkBuff* sk_receive_queue_dequeue(Host& host, Sock* sk) {
    if (sk->sk_receive_queue.empty()) return nullptr;
    SkBuff* skb = sk->sk_receive_queue.front();
    sk->sk_receive_queue.pop_front();
    sk->sk_rmem_alloc -= std::min(sk->sk_rmem_alloc, skb->truesize);
    queue_event(host, sk, QueueOp::Dequeue, skb);
    return skb;
}

uint64_t sk_add_waiter(Sock* sk, SockWaiter w) {
    w.id = sk->next_waiter++;
    sk->sk_wq.push_back(std::move(w));
    return sk->sk_wq.back().id;
}

bool sk_remove_waiter(Sock* sk, uint64_t id, SockWaiter* out) {
    for (auto it = sk->sk_wq.begin(); it != sk->sk_wq.end(); ++it) {
        if (it->id != id) continue;
        if (out) *out = std::move(*it);
        sk->sk_wq.erase(it);
        return true;
    }
    return false;
}

static void __wake_up_sync_key(Host& host, Sock* sk) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, __wake_up_sync_key, nullptr, static_cast<int64_t>(sk->sk_wq.size()));
    auto waiters = std::move(sk->sk_wq);
    sk->sk_wq.clear();
    std::vector<std::function<void()>> funcs;
    for (auto& w : waiters) {
        if (w.func) { // a custom wake function (ep_poll_callback): the entry stays queued
            funcs.push_back(w.func);
            sk->sk_wq.push_back(std::move(w));
            continue;
        }
        if (w.timeout && sim.cancel(w.timeout)) sim.rec().timer(sk->label, "schedule_timeout", TimerOp::Cancel, 0, Layer::Socket);
        host.note("wakes " + w.task->comm + " (pid " + std::to_string(w.task->pid) + ") sleeping on " + sk->label,
                  Layer::Socket);
        sim.at(sim.now(), w.task->ctx, std::move(w.wake)); // try_to_wake_up: runnable now
    }
    for (auto& f : funcs) f();
}

void sock_def_readable(Host& host, Sock* sk) {
    TRACE_FUNC(host.sim(), sock_def_readable);
    if (!sk->sk_wq.empty()) __wake_up_sync_key(host, sk); // skwq_has_sleeper
}

int sock_queue_rcv_skb(Host& host, Sock* sk, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), sock_queue_rcv_skb, skb);
    if (sk->sk_rmem_alloc >= sk->sk_rcvbuf) {
        host.note(sk->label + ": receive buffer full (" + std::to_string(sk->sk_rmem_alloc) + " >= " +
                      std::to_string(sk->sk_rcvbuf) + ")", Layer::Socket, skb);
        scope.ret(-ENOMEM);
        return -ENOMEM;
    }
    sk_receive_queue_tail(host, sk, skb);
    if (!sk->dead && sk->sk_data_ready) sk->sk_data_ready(host, sk);
    return 0;
}

static void err_queue_event(Host& host, Sock* sk, QueueOp op, const SkBuff* skb) {
    host.sim().rec().queue("sk_error_queue", sk->label, op, static_cast<int64_t>(sk->sk_error_queue.size()),
                           sk->sk_rmem_alloc, skb, Layer::Socket);
}

int sock_error(Host& host, Sock* sk) {
    if (!sk->sk_err) return 0; // the lockless READ_ONCE fast path: nothing to trace
    TRACE_FUNC_NAMED(scope, host.sim(), sock_error, nullptr, sk->sk_err);
    int err = sk->sk_err;
    sk->sk_err = 0; // xchg(&sk->sk_err, 0)
    host.note(sk->label + ": pending error " + errno_name(err) + " taken (sk_err cleared)", Layer::Socket);
    scope.ret(-err);
    return -err;
}

static void sock_def_error_report(Host& host, Sock* sk) {
    TRACE_FUNC(host.sim(), sock_def_error_report, nullptr, sk->sk_err);
    if (!sk->sk_wq.empty()) __wake_up_sync_key(host, sk); // wake_up_interruptible_poll(EPOLLERR)
}

void sk_error_report(Host& host, Sock* sk) {
    TRACE_FUNC(host.sim(), sk_error_report, nullptr, sk->sk_err);
    sock_def_error_report(host, sk); // sk->sk_error_report
}

int sock_queue_err_skb(Host& host, Sock* sk, SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, host.sim(), sock_queue_err_skb, skb);
    if (sk->sk_rmem_alloc + skb->truesize >= sk->sk_rcvbuf) {
        scope.ret(-ENOMEM);
        return -ENOMEM;
    }
    skb->sk = sk; // skb_set_owner_r
    sk->sk_rmem_alloc += skb->truesize;
    sk->sk_error_queue.push_back(skb);
    err_queue_event(host, sk, QueueOp::Enqueue, skb);
    if (!sk->dead) sk_error_report(host, sk);
    return 0;
}

SkBuff* sock_dequeue_err_skb(Host& host, Sock* sk) {
    if (sk->sk_error_queue.empty()) return nullptr;
    TRACE_FUNC(host.sim(), sock_dequeue_err_skb);
    SkBuff* skb = sk->sk_error_queue.front();
    sk->sk_error_queue.pop_front();
    sk->sk_rmem_alloc -= std::min(sk->sk_rmem_alloc, skb->truesize);
    err_queue_event(host, sk, QueueOp::Dequeue, skb);
    auto is_icmp = [](SkBuff* s) { return SKB_EXT_ERR(s).ee.ee_origin == SO_EE_ORIGIN_ICMP; };
    SkBuff* next = sk->sk_error_queue.empty() ? nullptr : sk->sk_error_queue.front();
    bool icmp_next = next && is_icmp(next);
    if (icmp_next) sk->sk_err = static_cast<int>(SKB_EXT_ERR(next).ee.ee_errno);
    if (is_icmp(skb) && !icmp_next) sk->sk_err = 0;
    if (next) sk_error_report(host, sk);
    return skb;
}

void sk_common_release(Host& host, Sock* sk) {
    TRACE_FUNC(host.sim(), sk_common_release);
    sk->dead = true;
    if (!sk->sk_error_queue.empty()) {
        auto q = std::move(sk->sk_error_queue);
        sk->sk_error_queue.clear();
        err_queue_event(host, sk, QueueOp::Purge, nullptr);
        for (SkBuff* skb : q) kfree_skb_reason(skb, DropReason::NotSpecified); // skb_queue_purge
    }
    if (!sk->sk_receive_queue.empty()) {
        auto q = std::move(sk->sk_receive_queue);
        sk->sk_receive_queue.clear();
        sk->sk_rmem_alloc = 0;
        queue_event(host, sk, QueueOp::Purge, nullptr);
        for (SkBuff* skb : q) kfree_skb_reason(skb, DropReason::NotSpecified); // skb_queue_purge
    }
}

} // namespace skbscope
