// AF_INET sockets (net/ipv4/af_inet.c): inet_create picks the protocol (inetsw), inet_bind checks the
// address and reserves the port, inet_sendmsg autobinds then calls the protocol, inet_recvmsg and
// inet_release hand over to it.
// SIMPLIFICATION: UDP and ping sockets only (TCP is a later issue: SOCK_STREAM gives
// EPROTONOSUPPORT for now); no raw sockets; ping sockets are allowed for every group (as systemd
// sets net.ipv4.ping_group_range; the kernel's default "1 0" would refuse them with EACCES).
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/ipv4/icmp.h"
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
        // TODO(#3, TCP): tcp_prot
        host.note("TCP sockets are not modelled yet", Layer::Socket);
        err = -EPROTONOSUPPORT;
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

} // namespace skbscope
