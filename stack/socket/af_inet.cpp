// AF_INET sockets (net/ipv4/af_inet.c): inet_create picks the protocol (inetsw), inet_bind checks the
// address and reserves the port, inet_sendmsg autobinds then calls the protocol, inet_recvmsg and
// inet_release hand over to it.
// The stream operations (inet_listen, inet_stream_connect with inet_wait_for_connect, inet_accept,
// inet_shutdown) hand over to TCP; inet_dgram_connect hands a datagram socket's connect to the
// protocol (ip4_datagram_connect, or disconnect for AF_UNSPEC).
// SIMPLIFICATION: no raw sockets; ping sockets are allowed for every group (as systemd
// sets net.ipv4.ping_group_range; the kernel's default "1 0" would refuse them with EACCES).
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/ipv4/icmp.h"
#include "stack/ipv4/tcp.h"
#include "stack/ipv4/udp.h"
#include "stack/socket/af_inet.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

int inet_create(Host& host, Socket* sock, int protocol) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_create, nullptr, sock->type, protocol);
    const Proto* prot = nullptr;
    int err = 0;
    if (sock->type == SOCK_DGRAM) {
        if (protocol == 0 || protocol == IPPROTO_UDP) {
            prot = &udp_prot;
            protocol = IPPROTO_UDP;
        } else if (protocol == IPPROTO_ICMP) {
            prot = &ping_prot;
        } else {
            err = -EPROTONOSUPPORT;
        }
    } else if (sock->type == SOCK_STREAM) {
        if (protocol != 0 && protocol != IPPROTO_TCP) {
            err = -EPROTONOSUPPORT;
        } else {
            TcpSock* tsk = tcp_sock_alloc(host); // sk_alloc(tcp_prot)
            sock->sk.reset(tsk);
            sock_init_data(host, tsk);
            tsk->nonblock = sock->nonblock;
            {
                TRACE_FUNC(host.sim(), tcp_v4_init_sock);
                tcp_init_sock(host, tsk);
            }
            scope.ret(0);
            return 0;
        }
    } else {
        err = -ESOCKTNOSUPPORT;
    }
    if (err) {
        scope.ret(err);
        return err;
    }
    Sock* sk = sk_alloc(host, prot, sock->type, protocol);
    sock->sk.reset(sk);
    sock_init_data(host, sk);
    scope.ret(0);
    return 0;
}

int inet_bind(Host& host, Socket* sock, const SockAddrIn& addr) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_bind, nullptr, addr.addr.value, addr.port);
    Sock* sk = sock->sk.get();
    int err = 0;
    if (sk->sk_prot->bind) {
        err = sk->sk_prot->bind(host, sk, addr);
    } else if (addr.family != AF_INET && !(addr.family == AF_UNSPEC && addr.addr.is_any())) {
        err = -EAFNOSUPPORT;
    } else if (!addr.addr.is_any() && !host.is_local_addr(addr.addr) && !addr.addr.is_broadcast() &&
               !addr.addr.is_multicast()) {
        err = -EADDRNOTAVAIL; // inet_addr_type != RTN_LOCAL (and no ip_nonlocal_bind)
    } else if (sk->inet_num) {
        err = -EINVAL; // already bound
    } else {
        sk->inet_rcv_saddr = addr.addr;
        if (sk->sk_prot->get_port(host, sk, addr.port)) {
            sk->inet_rcv_saddr = {};
            err = -EADDRINUSE;
        }
    }
    scope.ret(err);
    return err;
}

int inet_dgram_connect(Host& host, Socket* sock, const SockAddrIn& addr) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_dgram_connect, nullptr, addr.addr.value, addr.port);
    Sock* sk = sock->sk.get();
    int err;
    if (addr.family == AF_UNSPEC) {
        err = sk->sk_prot->disconnect ? sk->sk_prot->disconnect(host, sk) : -EOPNOTSUPP;
    } else if (!sk->sk_prot->connect) {
        err = -EOPNOTSUPP;
    } else if (!sk->inet_num && inet_autobind(host, sk)) {
        err = -EAGAIN;
    } else {
        err = sk->sk_prot->connect(host, sk, addr);
    }
    scope.ret(err);
    return err;
}

int inet_autobind(Host& host, Sock* sk) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_autobind);
    int err = sk->inet_num ? 0 : (sk->sk_prot->get_port(host, sk, 0) ? -EAGAIN : 0);
    scope.ret(err);
    return err;
}

static int inet_send_prepare(Host& host, Sock* sk) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_send_prepare);
    int err = sk->inet_num ? 0 : inet_autobind(host, sk);
    scope.ret(err);
    return err;
}

int64_t inet_sendmsg(Host& host, Socket* sock, SysCall& sc) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_sendmsg, nullptr, static_cast<int64_t>(sc.ubuf.size()));
    Sock* sk = sock->sk.get();
    int64_t r = inet_send_prepare(host, sk);
    if (!r) r = sk->sk_prot->sendmsg(host, sk, sc);
    scope.ret(r);
    return r;
}

void inet_recvmsg(Host& host, Task& task, Socket* sock, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::inet_recvmsg, nullptr, static_cast<int64_t>(sc->len));
    sock->sk->sk_prot->recvmsg(host, task, sock->sk.get(), sc, [&task, ret](int64_t r) {
        task.frames.close(Fn::inet_recvmsg, r);
        ret(r);
    });
}

int inet_release(Host& host, Socket* sock) {
    TRACE_FUNC(host.sim(), inet_release);
    if (sock->sk) sock->sk->sk_prot->close(host, sock->sk.get());
    return 0;
}

// ---- inet_stream_ops ----

int inet_listen(Host& host, Socket* sock, int backlog) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_listen, nullptr, backlog);
    auto* sk = tcp_sk(sock->sk.get());
    int err = 0;
    if (sock->type != SOCK_STREAM) err = -EOPNOTSUPP;
    else if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN) err = -EINVAL;
    else {
        sk->sk_max_ack_backlog = std::max(backlog, 0); // min(backlog, somaxconn 4096)
        sk->sk_max_ack_backlog = std::min(sk->sk_max_ack_backlog, 4096);
        if (sk->sk_state != TCP_LISTEN) err = inet_csk_listen_start(host, sk);
    }
    scope.ret(err);
    return err;
}

// while ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) { release_sock; wait_woken; lock_sock; }
// The lock is not held while sleeping: release_sock processes what came in meanwhile (a SYN-ACK
// that arrived while tcp_v4_connect held the lock waits on the socket backlog until here).
static void inet_wait_for_connect(Host& host, Task& task, TcpSock* sk, std::function<void()> then) {
    auto connecting = [sk] { return sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV; };
    task.frames.open(Fn::inet_wait_for_connect);
    release_sock(host, sk);
    if (!connecting()) { // the backlog's SYN-ACK completed the handshake: no sleep
        lock_sock(host, sk);
        task.frames.close(Fn::inet_wait_for_connect, 0);
        then();
        return;
    }
    host.note(task.comm + " (pid " + std::to_string(task.pid) + ") sleeps in connect on " + sk->label, Layer::Socket);
    SockWaiter w;
    w.task = &task;
    w.wake = [&host, &task, sk, then, connecting] {
        lock_sock(host, sk);
        task.frames.close(Fn::inet_wait_for_connect, 0);
        if (connecting()) inet_wait_for_connect(host, task, sk, then);
        else then();
    };
    sk_add_waiter(sk, std::move(w));
}

// inet_stream_connect: lock_sock, __inet_stream_connect, release_sock.
void inet_stream_connect(Host& host, Task& task, Socket* sock, const SockAddrIn& addr, SysRet ret) {
    task.frames.open(Fn::inet_stream_connect, nullptr, addr.addr.value, addr.port);
    auto* sk = tcp_sk(sock->sk.get());
    lock_sock(host, sk);
    task.frames.open(Fn::__inet_stream_connect);
    auto finish = [&host, &task, sk, ret](int64_t r) {
        task.frames.close(Fn::__inet_stream_connect, r);
        release_sock(host, sk);
        task.frames.close(Fn::inet_stream_connect, r);
        ret(r);
    };
    int err = 0;
    if (sock->type != SOCK_STREAM) err = -EOPNOTSUPP;
    else if (sk->sk_state == TCP_ESTABLISHED || sk->sk_state == TCP_CLOSE_WAIT) err = -EISCONN;
    else if (sk->sk_state == TCP_SYN_SENT) err = -EALREADY;
    else if (sk->sk_state != TCP_CLOSE) err = -EINVAL;
    else err = tcp_v4_connect(host, sk, addr);
    if (err) return finish(err);
    if (sk->nonblock) return finish(-EINPROGRESS);
    inet_wait_for_connect(host, task, sk, [sk, finish] {
        int e = 0;
        if (sk->sk_state == TCP_CLOSE) {
            e = sk->sk_err ? -sk->sk_err : -ECONNABORTED; // sock_error
            sk->sk_err = 0;
        }
        finish(e);
    });
}

void inet_accept(Host& host, Task& task, Socket* sock, Socket* newsock, int flags, SysRet ret) {
    task.frames.open(Fn::inet_accept, nullptr, flags);
    auto* sk = tcp_sk(sock->sk.get());
    if (sock->type != SOCK_STREAM) {
        task.frames.close(Fn::inet_accept, -EOPNOTSUPP);
        ret(-EOPNOTSUPP);
        return;
    }
    inet_csk_accept(host, task, sk, flags | (sock->nonblock ? 04000 : 0), [&host, &task, newsock, flags, ret](TcpSock* child, int err) {
        if (!child) {
            task.frames.close(Fn::inet_accept, err);
            ret(err);
            return;
        }
        {
            TRACE_FUNC(host.sim(), sock_graft);
            newsock->sk.reset(child);
            newsock->nonblock = (flags & 04000) != 0;
            child->nonblock = newsock->nonblock;
        }
        task.frames.close(Fn::inet_accept, 0);
        ret(0);
    });
}

int inet_shutdown(Host& host, Socket* sock, int how) {
    TRACE_FUNC_NAMED(scope, host.sim(), inet_shutdown, nullptr, how);
    how++; // SHUT_RD 0 -> RCV_SHUTDOWN 1, SHUT_WR 1 -> SEND_SHUTDOWN 2, SHUT_RDWR -> 3
    if ((how & ~(RCV_SHUTDOWN | SEND_SHUTDOWN)) || !how) {
        scope.ret(-EINVAL);
        return -EINVAL;
    }
    int err = 0;
    if (sock->type != SOCK_STREAM) {
        scope.ret(-ENOTCONN);
        return -ENOTCONN;
    }
    auto* sk = tcp_sk(sock->sk.get());
    switch (sk->sk_state) {
    case TCP_CLOSE: err = -ENOTCONN; sk->sk_shutdown |= how; break;
    case TCP_LISTEN:
        if (how & RCV_SHUTDOWN) {
            tcp_set_state(host, sk, TCP_CLOSE);
            inet_csk_listen_stop(host, sk);
        }
        break;
    default:
        sk->sk_shutdown |= how;
        tcp_shutdown(host, sk, how);
    }
    sk_state_change(host, sk); // wakes sleepers, who see the shutdown
    scope.ret(err);
    return err;
}

void inet_stream_sendmsg(Host& host, Task& task, Socket* sock, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::inet_sendmsg, nullptr, static_cast<int64_t>(sc->ubuf.size()));
    Sock* sk = sock->sk.get();
    { TRACE_FUNC(host.sim(), inet_send_prepare); } // LINUX: tcp_prot.no_autobind: no port is taken here
    tcp_sendmsg(host, task, tcp_sk(sk), std::move(sc), [&task, ret](int64_t r) {
        task.frames.close(Fn::inet_sendmsg, r);
        ret(r);
    });
}

} // namespace skbscope
