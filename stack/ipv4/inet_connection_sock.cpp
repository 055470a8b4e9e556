// Connection-oriented socket helpers (net/ipv4/inet_connection_sock.c, inet_hashtables.c):
// port reservation (inet_csk_get_port, bhash), listening (inet_csk_listen_start, lhash), the
// ephemeral port of connect (inet_hash_connect), the SYN queue and the accept queue with the
// backlog, and accept (inet_csk_accept, sleeping in inet_csk_wait_for_connect).
// SIMPLIFICATION: no SO_REUSEADDR/SO_REUSEPORT: a port held by any socket (TIME_WAIT included)
// refuses bind with EADDRINUSE; ephemeral ports are probed from a seeded random offset.
// LINUX: connect() prefers even ephemeral ports (leaving odd ones to bind(0)), range 32768-60999.
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/ipv4/tcp.h"

namespace skbscope {

constexpr uint32_t kPortLow = 32768, kPortHigh = 60999; // net.ipv4.ip_local_port_range

static bool tcp_port_bound(const Host& host, uint16_t port, wire::Ipv4Addr addr, const Sock* self) {
    auto [b, e] = host.tcp_bhash.equal_range(port);
    for (auto it = b; it != e; ++it) {
        if (it->second == self) continue;
        wire::Ipv4Addr other = it->second->inet_rcv_saddr;
        if (other.is_any() || addr.is_any() || other == addr) return true;
    }
    return false;
}

int inet_csk_get_port(Host& host, Sock* sk, uint16_t snum) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_csk_get_port, nullptr, snum);
    if (snum == 0) {
        uint32_t range = kPortHigh - kPortLow + 1;
        uint32_t first = static_cast<uint32_t>(host.sim().rng().uniform(0, range - 1)) | 1; // odd first for bind
        for (uint32_t i = 0; i < range; ++i) {
            uint16_t port = static_cast<uint16_t>(kPortLow + (first + i) % range);
            if (!tcp_port_bound(host, port, sk->inet_rcv_saddr, sk)) {
                snum = port;
                break;
            }
        }
        if (!snum) {
            scope.ret(1);
            return 1;
        }
    } else if (tcp_port_bound(host, snum, sk->inet_rcv_saddr, sk)) {
        host.note(sk->label + ": TCP port " + std::to_string(snum) + " is in use", Layer::Tcp);
        scope.ret(1);
        return 1;
    }
    if (sk->inet_num != snum) {
        sk->inet_num = snum;
        host.tcp_bhash.emplace(snum, sk); // inet_bind_hash
    }
    scope.ret(0);
    return 0;
}

int inet_csk_listen_start(Host& host, TcpSock* sk) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_csk_listen_start);
    // LINUX: the port is taken again in LISTEN (get_port), so a conflict shows up here
    if (inet_csk_get_port(host, sk, sk->inet_num)) {
        scope.ret(-EADDRINUSE);
        return -EADDRINUSE;
    }
    tcp_set_state(host, sk, TCP_LISTEN);
    host.tcp_lhash.emplace(sk->inet_num, sk); // inet_hash
    host.note(sk->label + ": listening on port " + std::to_string(sk->inet_num) + ", backlog " +
                  std::to_string(sk->sk_max_ack_backlog), Layer::Tcp);
    scope.ret(0);
    return 0;
}

void inet_csk_listen_stop(Host& host, TcpSock* sk) {
    TRACE_FUNC(host.sim(), inet_csk_listen_stop);
    while (!sk->syn_queue.empty()) inet_csk_reqsk_queue_drop(host, sk->syn_queue.back().get());
    auto children = std::move(sk->accept_queue);
    sk->accept_queue.clear();
    for (TcpSock* child : children) {
        // inet_child_forget -> tcp_disconnect: the peer learns with a RST
        child->parent = nullptr;
        child->orphan = child->dead = true;
        if (child->sk_state != TCP_CLOSE) tcp_send_active_reset(host, child);
        tcp_done(host, child);
    }
}

int inet_hash_connect(Host& host, TcpSock* sk) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_hash_connect, nullptr, sk->inet_num);
    auto tuple_used = [&](uint16_t port) {
        for (TcpSock* o : host.tcp_ehash)
            if (o != sk && o->inet_num == port && o->inet_dport == sk->inet_dport && o->inet_daddr == sk->inet_daddr &&
                o->inet_rcv_saddr == sk->inet_rcv_saddr)
                return true;
        return false;
    };
    if (sk->inet_num) {
        if (tuple_used(sk->inet_num)) {
            scope.ret(-EADDRNOTAVAIL);
            return -EADDRNOTAVAIL;
        }
        inet_ehash_insert(host, sk);
        scope.ret(0);
        return 0;
    }
    // __inet_hash_connect: even ports first from a random offset
    uint32_t range = kPortHigh - kPortLow + 1;
    uint32_t offset = static_cast<uint32_t>(host.sim().rng().uniform(0, range - 1)) & ~1u;
    for (int parity = 0; parity < 2; ++parity)
        for (uint32_t i = 0; i < range; i += 2) {
            uint16_t port = static_cast<uint16_t>(kPortLow + ((offset + i) % range & ~1u) + parity);
            if (port > kPortHigh) continue;
            if (tcp_port_bound(host, port, wire::Ipv4Addr{}, sk) || tuple_used(port)) continue;
            sk->inet_num = port;
            host.tcp_bhash.emplace(port, sk);
            inet_ehash_insert(host, sk);
            scope.ret(0);
            return 0;
        }
    scope.ret(-EADDRNOTAVAIL);
    return -EADDRNOTAVAIL;
}

void inet_csk_reqsk_queue_hash_add(Host& host, TcpSock* listener, std::unique_ptr<RequestSock> req) {
    TRACE_FUNC(host.sim(), inet_csk_reqsk_queue_hash_add);
    RequestSock* r = req.get();
    host.tcp_reqsk_ehash.push_back(r); // TCP_NEW_SYN_RECV in ehash
    listener->syn_queue.push_back(std::move(req));
    host.sim().rec().queue("syn_queue", listener->label, QueueOp::Enqueue,
                           static_cast<int64_t>(listener->syn_queue.size()), 0, nullptr, Layer::Tcp);
    reqsk_timer_arm(host, r, TCP_TIMEOUT_INIT);
}

void inet_csk_reqsk_queue_drop(Host& host, RequestSock* req) {
    TRACE_FUNC(host.sim(), inet_csk_reqsk_queue_drop);
    std::erase(host.tcp_reqsk_ehash, req);
    if (req->rsk_timer) {
        host.sim().cancel(req->rsk_timer);
        host.sim().rec().timer(req->label, "rsk_timer", TimerOp::Cancel, 0, Layer::Timer);
        req->rsk_timer = {};
    }
    TcpSock* l = req->rsk_listener;
    std::erase_if(l->syn_queue, [req](const std::unique_ptr<RequestSock>& p) { return p.get() == req; });
    host.sim().rec().queue("syn_queue", l->label, QueueOp::Dequeue, static_cast<int64_t>(l->syn_queue.size()), 0,
                           nullptr, Layer::Tcp);
}

bool inet_csk_reqsk_queue_add(Host& host, TcpSock* listener, TcpSock* child) {
    TRACE_FUNC(host.sim(), inet_csk_reqsk_queue_add);
    listener->accept_queue.push_back(child);
    host.sim().rec().queue("accept_queue", listener->label, QueueOp::Enqueue,
                           static_cast<int64_t>(listener->accept_queue.size()), 0, nullptr, Layer::Tcp);
    return true;
}

static void accept_try(Host& host, Task& task, TcpSock* sk, int flags, std::function<void(TcpSock*, int)> done) {
    if (sk->sk_state != TCP_LISTEN) {
        task.frames.close(Fn::inet_csk_accept, -EINVAL);
        done(nullptr, -EINVAL);
        return;
    }
    if (sk->accept_queue.empty()) {
        if (sk->nonblock || (flags & 04000)) {
            task.frames.close(Fn::inet_csk_accept, -EAGAIN);
            done(nullptr, -EAGAIN);
            return;
        }
        task.frames.open(Fn::inet_csk_wait_for_connect);
        host.note(task.comm + " (pid " + std::to_string(task.pid) + ") sleeps in accept on " + sk->label, Layer::Tcp);
        SockWaiter w;
        w.task = &task;
        w.wake = [&host, &task, sk, flags, done] {
            task.frames.close(Fn::inet_csk_wait_for_connect, 0);
            accept_try(host, task, sk, flags, done);
        };
        sk_add_waiter(sk, std::move(w));
        return;
    }
    TcpSock* child;
    {
        TRACE_FUNC(host.sim(), reqsk_queue_remove);
        child = sk->accept_queue.front();
        sk->accept_queue.pop_front();
        child->parent = nullptr;
        host.sim().rec().queue("accept_queue", sk->label, QueueOp::Dequeue,
                               static_cast<int64_t>(sk->accept_queue.size()), 0, nullptr, Layer::Tcp);
    }
    task.frames.close(Fn::inet_csk_accept, 0);
    done(child, 0);
}

void inet_csk_accept(Host& host, Task& task, TcpSock* sk, int flags, std::function<void(TcpSock*, int)> done) {
    task.frames.open(Fn::inet_csk_accept, nullptr, flags);
    accept_try(host, task, sk, flags, std::move(done));
}

} // namespace skbscope
