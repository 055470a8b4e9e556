// Receiving datagrams (net/core/datagram.c): __skb_recv_datagram takes the next skb from
// sk_receive_queue or sleeps in __skb_wait_for_more_packets until sk_data_ready wakes the task or
// the receive timeout (SO_RCVTIMEO) expires; skb_copy_datagram_iter copies to the user's buffer.
// The frames of a sleeping call stay open (Task::frames), so its slices cover the sleep.
// A pending error (sk_err, set by an ICMP error) is taken by sock_error before the queue is looked
// at, and ends a sleep: sk_error_report wakes the sleeper, which returns -err.
// SIMPLIFICATION: no MSG_PEEK, no signals (a sleep ends only by data, an error or timeout).
// LINUX: after a timeout the queue is tried once more before EAGAIN, as the do/while loop does.
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/socket/sock.h"

namespace skbscope {

namespace {
using RecvDone = std::function<void(SkBuff*, int)>;

void try_recv(Host& host, Task& task, Sock* sk, int flags, TimeNs deadline, bool timed_out, RecvDone done);

// __skb_wait_for_more_packets: the frame opens here and closes after the wake-up.
void wait_for_more_packets(Host& host, Task& task, Sock* sk, int flags, TimeNs deadline, RecvDone done) {
    Sim& sim = host.sim();
    task.frames.open(Fn::__skb_wait_for_more_packets);
    host.note(task.comm + " (pid " + std::to_string(task.pid) + ") sleeps on sk_wq of " + sk->label, Layer::Socket);
    auto id = std::make_shared<uint64_t>(0);
    SockWaiter w;
    w.task = &task;
    w.wake = [&host, &task, sk, flags, deadline, done] {
        host.note(task.comm + " (pid " + std::to_string(task.pid) + ") wakes up", Layer::Socket);
        task.frames.close(Fn::__skb_wait_for_more_packets, 0);
        try_recv(host, task, sk, flags, deadline, false, done);
    };
    if (deadline) {
        sim.rec().timer(sk->label, "schedule_timeout", TimerOp::Arm, deadline, Layer::Socket);
        w.timeout = sim.at(deadline, task.ctx, [&host, &task, sk, flags, deadline, done, id] {
            if (!sk_remove_waiter(sk, *id)) return;
            host.sim().rec().timer(sk->label, "schedule_timeout", TimerOp::Fire, deadline, Layer::Socket);
            host.note(task.comm + ": receive timeout (SO_RCVTIMEO) expired", Layer::Socket);
            task.frames.close(Fn::__skb_wait_for_more_packets, 0);
            try_recv(host, task, sk, flags, deadline, true, done);
        });
    }
    *id = sk_add_waiter(sk, std::move(w));
}

void try_recv(Host& host, Task& task, Sock* sk, int flags, TimeNs deadline, bool timed_out, RecvDone done) {
    if (int err = sock_error(host, sk)) { // __skb_try_recv_datagram: the error first
        task.frames.close(Fn::__skb_recv_datagram, err);
        done(nullptr, err);
        return;
    }
    if (SkBuff* skb = sk_receive_queue_dequeue(host, sk)) {
        task.frames.close(Fn::__skb_recv_datagram, skb->len);
        done(skb, 0);
        return;
    }
    if ((flags & MSG_DONTWAIT) || timed_out || sk->dead) {
        task.frames.close(Fn::__skb_recv_datagram, -EAGAIN);
        done(nullptr, -EAGAIN);
        return;
    }
    wait_for_more_packets(host, task, sk, flags, deadline, std::move(done));
}
} // namespace

void __skb_recv_datagram(Host& host, Task& task, Sock* sk, int flags, std::function<void(SkBuff*, int)> done) {
    task.frames.open(Fn::__skb_recv_datagram, nullptr, flags);
    // sock_rcvtimeo: 0 for MSG_DONTWAIT, else SO_RCVTIMEO (0 = forever)
    TimeNs deadline = sk->sk_rcvtimeo ? host.sim().now() + sk->sk_rcvtimeo : 0;
    try_recv(host, task, sk, flags, deadline, false, std::move(done));
}

void skb_copy_datagram_iter(Host& host, const SkBuff* skb, uint32_t offset, std::vector<uint8_t>& out, uint32_t len) {
    TRACE_FUNC(host.sim(), skb_copy_datagram_iter, skb, offset, len);
    std::vector<uint8_t> bytes = skb->to_bytes();
    if (offset > bytes.size()) return;
    len = std::min<uint32_t>(len, static_cast<uint32_t>(bytes.size()) - offset);
    out.insert(out.end(), bytes.begin() + offset, bytes.begin() + offset + len);
    host.sim().charge_bytes(len);
}

uint32_t datagram_poll(Host& host, Sock* sk) {
    TRACE_FUNC_NAMED(scope, host.sim(), datagram_poll);
    uint32_t mask = 0x004 | 0x100 | 0x200; // EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND (sock_writeable)
    if (!sk->sk_receive_queue.empty()) mask |= 0x001 | 0x040; // EPOLLIN | EPOLLRDNORM
    if (sk->sk_err || !sk->sk_error_queue.empty()) mask |= 0x008; // EPOLLERR
    scope.ret(mask);
    return mask;
}

} // namespace skbscope
