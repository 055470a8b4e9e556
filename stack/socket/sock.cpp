// struct sock's life and its receive side (net/core/sock.c): sk_alloc, sock_init_data, the receive
// queue with its buffer accounting, sk_data_ready = sock_def_readable waking sleepers through
// __wake_up_sync_key, and sk_common_release. Errors: sock_error, sk_error_report =
// sock_def_error_report, and the error queue (sock_queue_err_skb, sock_dequeue_err_skb in
// net/core/skbuff.c) that IP_RECVERR fills.
// The socket lock: lock_sock, release_sock -> __release_sock -> sk_backlog_rcv, sk_add_backlog.
// SIMPLIFICATION: the wait queue holds tasks, or ep_poll_callback entries.
//
// THE LOCK IN VIRTUAL TIME. Every context has its own clock and a task's system call is one C++
// chain: lock_sock at tl, release_sock at tr. A softirq chain runs before or after it in C++ order
// with its own times. Linux: tcp_v4_rcv finds sock_owned_by_user, queues the segment on sk_backlog
// (tcp_add_backlog), and release_sock -> __release_sock feeds it to sk_backlog_rcv in the owner's
// context, the lock still owned until the backlog is empty. Here:
//  - release_sock keeps [tl, tr) in sk_lock.spans (tr after its own __release_sock).
//  - tcp_v4_rcv at softirq time t asks sock_owned_by_user_at(t): owned when t is inside the lock
//    held now (t >= tl) or a kept span. The skb goes on sk_backlog with due = tr (kAtRelease for
//    the lock held now: its release processes it) and the owner's context.
//  - while sk_backlog is not empty, every later segment joins it with due = max(t, last due) (the
//    lock is still owned during __release_sock), so the queue order is the arrival order.
//  - release_sock runs __release_sock for the entries due by now; entries whose release already
//    ran in C++ get one scheduler event at the front entry's due time in its context, which runs
//    __release_sock then (the context's clock is max(its clock, due)). An entry leaves sk_backlog
//    before sk_backlog_rcv sees it, so each segment is processed exactly once, in order.
// SIMPLIFICATION: a softirq chain that ran in C++ before the task's chain is not undone: its
// segment was processed directly even if its time falls inside the later lock. An entry whose
// release already ran is processed at the owner context's clock, which is past tr when the task
// went on, and is traced on its own (__release_sock), not inside the release_sock slice. No
// tcp_release_cb: timers do not check ownership, so nothing is deferred to it.
// LINUX: sock_queue_rcv_skb refuses when sk_rmem_alloc >= sk_rcvbuf; UDP's own enqueue only when it
// is already above (rmem > rcvbuf), so one datagram may overshoot the limit.
#include <algorithm>

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

// ---- the socket lock and its backlog ----

static void backlog_event(Host& host, Sock* sk, QueueOp op, const SkBuff* skb) {
    host.sim().rec().queue("sk_backlog", sk->label, op, static_cast<int64_t>(sk->sk_backlog.q.size()),
                           sk->sk_backlog.len, skb, Layer::Socket);
}

static void __release_sock(Host& host, Sock* sk, bool at_release);

// One scheduler event runs __release_sock for backlog entries whose release_sock already ran.
static void sk_backlog_schedule(Host& host, Sock* sk) {
    Sim& sim = host.sim();
    auto& bl = sk->sk_backlog;
    if (bl.q.empty() || bl.q.front().due == SockBacklogEntry::kAtRelease) return;
    const SockBacklogEntry& e = bl.q.front();
    if (bl.ev && sim.scheduler().pending(bl.ev)) {
        if (bl.ev_at <= e.due) return;
        sim.cancel(bl.ev);
    }
    bl.ev_at = e.due;
    bl.ev = sim.at(e.due, e.ctx, [&host, sk] {
        sk->sk_backlog.ev = {};
        __release_sock(host, sk, false);
    });
}

// __release_sock: feeds the entries due now to sk_backlog_rcv, oldest first; stops at the first
// entry not yet due (and reschedules for it). at_release: inside release_sock of the lock held now.
static void __release_sock(Host& host, Sock* sk, bool at_release) {
    Sim& sim = host.sim();
    auto& bl = sk->sk_backlog;
    auto is_due = [&](const SockBacklogEntry& e) {
        return e.due == SockBacklogEntry::kAtRelease ? at_release : e.due <= sim.now();
    };
    if (bl.q.empty() || !is_due(bl.q.front())) {
        sk_backlog_schedule(host, sk);
        return;
    }
    TRACE_FUNC_NAMED(scope, sim, __release_sock, nullptr, static_cast<int64_t>(bl.q.size()));
    int64_t n = 0;
    while (!bl.q.empty() && is_due(bl.q.front())) {
        SkBuff* skb = bl.q.front().skb;
        bl.q.pop_front();
        bl.len -= std::min(bl.len, skb->truesize);
        backlog_event(host, sk, QueueOp::Dequeue, skb);
        ++n;
        TRACE_FUNC(sim, sk_backlog_rcv, skb);
        if (sk->sk_backlog_rcv) sk->sk_backlog_rcv(host, sk, skb);
        else kfree_skb_reason(skb, DropReason::NotSpecified);
    }
    scope.ret(n);
    sk_backlog_schedule(host, sk);
}

void lock_sock(Host& host, Sock* sk) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, lock_sock);
    if (sk->sk_lock.owned) // one chain at a time: a second owner would have slept in __lock_sock
        sim.rec().warning(sk->label + ": lock_sock while the lock is owned (not modelled: no __lock_sock wait)",
                          Layer::Socket);
    sk->sk_lock.owned = true;
    sk->sk_lock.owner_ctx = sim.current();
    sk->sk_lock.owned_from = sim.now();
}

void release_sock(Host& host, Sock* sk) {
    Sim& sim = host.sim();
    TRACE_FUNC(sim, release_sock);
    auto& lk = sk->sk_lock;
    if (!sk->sk_backlog.q.empty()) __release_sock(host, sk, true);
    // entries behind one not yet due: this release is when they could have been processed at the earliest
    for (auto& e : sk->sk_backlog.q)
        if (e.due == SockBacklogEntry::kAtRelease) e.due = sim.now();
    if (lk.owned) {
        lk.spans.push_back(SockOwnedSpan{lk.owned_from, sim.now(), lk.owner_ctx});
        if (lk.spans.size() > SockLock::kSpans) lk.spans.pop_front();
    }
    lk.owned = false;
    sk_backlog_schedule(host, sk);
}

bool sk_flush_backlog(Host& host, Sock* sk) {
    const auto& q = sk->sk_backlog.q;
    if (q.empty()) return false; // READ_ONCE(sk->sk_backlog.tail): nothing to trace
    const auto& e = q.front();
    if (e.due != SockBacklogEntry::kAtRelease && e.due > host.sim().now()) return false;
    TRACE_FUNC(host.sim(), sk_flush_backlog);
    __release_sock(host, sk, true);
    return true;
}

bool sock_owned_by_user_at(const Sock* sk, TimeNs t, TimeNs* due, ContextId* ctx) {
    const auto& lk = sk->sk_lock;
    if (lk.owned && t >= lk.owned_from) {
        *due = SockBacklogEntry::kAtRelease;
        *ctx = lk.owner_ctx;
        return true;
    }
    bool in_span = false;
    for (auto it = lk.spans.rbegin(); it != lk.spans.rend() && !in_span; ++it)
        if (t >= it->from && t < it->to) {
            in_span = true;
            *due = it->to;
            *ctx = it->ctx;
        }
    if (!sk->sk_backlog.q.empty()) {
        // __release_sock has not emptied the backlog yet: the lock is still owned, keep arrival order
        const SockBacklogEntry& last = sk->sk_backlog.q.back();
        TimeNs d = in_span ? *due : t;
        *due = last.due == SockBacklogEntry::kAtRelease ? last.due : std::max(d, last.due);
        *ctx = last.ctx;
        return true;
    }
    return in_span;
}

int sk_add_backlog(Host& host, Sock* sk, SkBuff* skb, uint32_t limit, TimeNs due, ContextId ctx) {
    auto& bl = sk->sk_backlog;
    if (uint64_t(bl.len) + sk->sk_rmem_alloc > limit) return -ENOBUFS; // sk_rcvqueues_full
    bl.q.push_back(SockBacklogEntry{skb, due, ctx});
    bl.len += skb->truesize;
    backlog_event(host, sk, QueueOp::Enqueue, skb);
    sk_backlog_schedule(host, sk);
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
