// The socket system calls (net/socket.c, fs/open.c, fs/file_table.c): socket, bind, sendto, sendmsg,
// recvfrom, setsockopt, close, ... from __x64_sys_ through the fd table to the family's operations,
// and a socket file's read_iter/write_iter (read/write come through fs/read_write.c).
// SIMPLIFICATION: files are sockets or epoll files (ENOTSOCK); no LSM (the hooks allow); only SOL_SOCKET
// options SO_RCVTIMEO and SO_RCVBUF (TCP's own in tcp.c); SOCK_CLOEXEC is accepted and ignored.
// LINUX: close() only removes the descriptor; __fput runs as task_work on the way back to user space.
#include <cstring>

#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/fs/eventpoll.h"
#include "stack/socket/af_inet.h"
#include "stack/socket/af_packet.h"
#include "stack/ipv4/ip_sockglue.h"
#include "stack/ipv4/tcp.h"
#include "stack/socket/sock.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

std::string errno_name(int err) {
    switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENOSYS: return "ENOSYS";
    case ENOTSOCK: return "ENOTSOCK";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ENETDOWN: return "ENETDOWN";
    case ENETUNREACH: return "ENETUNREACH";
    case ENOBUFS: return "ENOBUFS";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EPIPE: return "EPIPE";
    case ENOTCONN: return "ENOTCONN";
    case EISCONN: return "EISCONN";
    case EALREADY: return "EALREADY";
    case EINPROGRESS: return "EINPROGRESS";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EDOM: return "EDOM";
    case EPROTO: return "EPROTO";
    case EHOSTDOWN: return "EHOSTDOWN";
    case ENONET: return "ENONET";
    case EREMOTEIO: return "EREMOTEIO";
    case ECONNABORTED: return "ECONNABORTED";
    default: return "E" + std::to_string(err);
    }
}

constexpr int SOCK_TYPE_MASK = 0xf;

static std::shared_ptr<Socket> sockfd_lookup_light(Host& host, Task& task, int fd) {
    TRACE_FUNC_NAMED(scope, host.sim(), sockfd_lookup_light, nullptr, fd);
    auto it = task.fdtable.find(fd);
    if (it == task.fdtable.end()) {
        scope.ret(-EBADF);
        return nullptr;
    }
    if (!it->second->sk) { // not a socket (an epoll file)
        scope.ret(-ENOTSOCK);
        return nullptr;
    }
    return it->second;
}

// What sockfd_lookup_light failed with: -EBADF for no such fd, -ENOTSOCK for a file that is not a socket.
static int sockfd_err(Task& task, int fd) { return task.fdtable.count(fd) ? -ENOTSOCK : -EBADF; }

static int move_addr_to_kernel(Host& host, const SysCall& sc) {
    TRACE_FUNC(host.sim(), move_addr_to_kernel, nullptr, 16);
    host.sim().charge_bytes(16); // sizeof(struct sockaddr_in)
    return 0;
}

// ---- socket ----

static std::shared_ptr<Socket> sock_alloc(Host& host) {
    TRACE_FUNC(host.sim(), sock_alloc);
    return std::make_shared<Socket>();
}

static int __sock_create(Host& host, int family, int type, int protocol, std::shared_ptr<Socket>* res) {
    TRACE_FUNC_NAMED(scope, host.sim(), __sock_create, nullptr, family, type);
    int err = 0;
    if (family < 0 || family >= 46) err = -EAFNOSUPPORT; // NPROTO
    else if (type < 0 || type >= 11) err = -EINVAL;      // SOCK_MAX
    else if (family != AF_INET && family != AF_PACKET) err = -EAFNOSUPPORT; // no net_families[family]
    if (err) {
        scope.ret(err);
        return err;
    }
    auto sock = sock_alloc(host);
    sock->type = type;
    err = family == AF_PACKET ? packet_create(host, sock.get(), protocol) // pf->create
                              : inet_create(host, sock.get(), protocol);
    if (!err) *res = sock;
    scope.ret(err);
    return err;
}

static int sock_create(Host& host, int family, int type, int protocol, std::shared_ptr<Socket>* res) {
    TRACE_FUNC_NAMED(scope, host.sim(), sock_create, nullptr, family, type);
    int err = __sock_create(host, family, type, protocol, res);
    scope.ret(err);
    return err;
}

static int sock_map_fd(Host& host, Task& task, std::shared_ptr<Socket> sock) {
    TRACE_FUNC_NAMED(scope, host.sim(), sock_map_fd);
    int fd = task.get_unused_fd();
    sock->sk->label = host.name() + ":sock " + std::to_string(fd);
    task.fdtable[fd] = std::move(sock);
    scope.ret(fd);
    return fd;
}

static int64_t __sys_socket(Host& host, Task& task, int family, int type, int protocol) {
    TRACE_FUNC_NAMED(scope, host.sim(), __sys_socket, nullptr, family, type);
    int flags = type & ~SOCK_TYPE_MASK;
    type &= SOCK_TYPE_MASK;
    if (flags & ~(02000000 | 04000)) { // SOCK_CLOEXEC | SOCK_NONBLOCK
        scope.ret(-EINVAL);
        return -EINVAL;
    }
    std::shared_ptr<Socket> sock;
    int err = sock_create(host, family, type, protocol, &sock);
    if (!err && (flags & 04000)) { // SOCK_NONBLOCK: O_NONBLOCK on the file
        sock->nonblock = true;
        if (type == SOCK_STREAM) tcp_sk(sock->sk.get())->nonblock = true;
    }
    int64_t r = err ? err : sock_map_fd(host, task, sock);
    scope.ret(r);
    return r;
}

void __x64_sys_socket(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    int64_t r;
    {
        TRACE_FUNC_NAMED(scope, host.sim(), __x64_sys_socket, nullptr, sc->args[0], sc->args[1]);
        r = __sys_socket(host, task, static_cast<int>(sc->args[0]), static_cast<int>(sc->args[1]),
                         static_cast<int>(sc->args[2]));
        scope.ret(r);
    }
    ret(r);
}

// ---- bind ----

static int64_t __sys_bind(Host& host, Task& task, SysCall& sc) {
    TRACE_FUNC_NAMED(scope, host.sim(), __sys_bind, nullptr, sc.args[0]);
    auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc.args[0]));
    int err = sockfd_err(task, static_cast<int>(sc.args[0]));
    if (sock) {
        err = -EINVAL;
        if (sock->sk->sk_family == AF_PACKET) {
            if (sc.ll) {
                move_addr_to_kernel(host, sc);
                err = packet_bind(host, sock.get(), *sc.ll); // packet_ops.bind
            }
        } else if (sc.addr) {
            move_addr_to_kernel(host, sc);
            err = inet_bind(host, sock.get(), *sc.addr); // sock->ops->bind
        }
    }
    scope.ret(err);
    return err;
}

void __x64_sys_bind(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    int64_t r;
    {
        TRACE_FUNC_NAMED(scope, host.sim(), __x64_sys_bind, nullptr, sc->args[0]);
        r = __sys_bind(host, task, *sc);
        scope.ret(r);
    }
    ret(r);
}

// ---- sendto ----

static int64_t sock_sendmsg_nosec(Host& host, Socket* sock, SysCall& sc) {
    TRACE_FUNC_NAMED(scope, host.sim(), sock_sendmsg_nosec);
    // SIMPLIFICATION: packet sockets only receive (no packet_sendmsg).
    int64_t r = sock->sk->sk_family == AF_PACKET ? -EOPNOTSUPP : inet_sendmsg(host, sock, sc); // sock->ops->sendmsg
    scope.ret(r);
    return r;
}

static int64_t __sock_sendmsg(Host& host, Socket* sock, SysCall& sc) {
    TRACE_FUNC_NAMED(scope, host.sim(), __sock_sendmsg);
    { TRACE_FUNC(host.sim(), security_socket_sendmsg); }
    int64_t r = sock_sendmsg_nosec(host, sock, sc);
    scope.ret(r);
    return r;
}

static int64_t __sys_sendto(Host& host, Task& task, SysCall& sc) {
    TRACE_FUNC_NAMED(scope, host.sim(), __sys_sendto, nullptr, sc.args[0], static_cast<int64_t>(sc.ubuf.size()));
    { TRACE_FUNC(host.sim(), import_ubuf, nullptr, static_cast<int64_t>(sc.ubuf.size())); }
    auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc.args[0]));
    if (!sock) {
        int err = sockfd_err(task, static_cast<int>(sc.args[0]));
        scope.ret(err);
        return err;
    }
    if (sc.addr) move_addr_to_kernel(host, sc);
    int64_t r = __sock_sendmsg(host, sock.get(), sc);
    scope.ret(r);
    return r;
}

// The stream path of sendto: tcp_sendmsg may sleep, so the frames stay open in task.frames.
static void __x64_sys_sendto_stream(Host& host, Task& task, std::shared_ptr<Socket> sock, std::shared_ptr<SysCall> sc,
                                    SysRet ret) {
    OpenFrames& f = task.frames;
    f.open(Fn::__sock_sendmsg);
    { TRACE_FUNC(host.sim(), security_socket_sendmsg); }
    f.open(Fn::sock_sendmsg_nosec);
    inet_stream_sendmsg(host, task, sock.get(), sc, [&task, sock, ret](int64_t r) {
        task.frames.close(Fn::sock_sendmsg_nosec, r);
        task.frames.close(Fn::__sock_sendmsg, r);
        task.frames.close(Fn::__sys_sendto, r);
        task.frames.close(Fn::__x64_sys_sendto, r);
        ret(r);
    });
}

void __x64_sys_sendto(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    {
        auto it = task.fdtable.find(static_cast<int>(sc->args[0]));
        if (it != task.fdtable.end() && it->second->type == SOCK_STREAM) {
            task.frames.open(Fn::__x64_sys_sendto, nullptr, sc->args[0], sc->args[2]);
            task.frames.open(Fn::__sys_sendto, nullptr, sc->args[0], static_cast<int64_t>(sc->ubuf.size()));
            { TRACE_FUNC(host.sim(), import_ubuf, nullptr, static_cast<int64_t>(sc->ubuf.size())); }
            auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc->args[0]));
            if (sc->addr) move_addr_to_kernel(host, *sc); // LINUX: ignored on a connected stream socket
            __x64_sys_sendto_stream(host, task, sock, sc, std::move(ret));
            return;
        }
    }
    int64_t r;
    {
        TRACE_FUNC_NAMED(scope, host.sim(), __x64_sys_sendto, nullptr, sc->args[0], sc->args[2]);
        r = __sys_sendto(host, task, *sc);
        scope.ret(r);
    }
    ret(r);
}

// ---- recvfrom (may sleep: frames stay open in task.frames) ----

static void sock_recvmsg(Host& host, Task& task, std::shared_ptr<Socket> sock, std::shared_ptr<SysCall> sc,
                         SysRet ret) {
    task.frames.open(Fn::sock_recvmsg);
    { TRACE_FUNC(host.sim(), security_socket_recvmsg); }
    task.frames.open(Fn::sock_recvmsg_nosec);
    auto done = [&task, sock, ret](int64_t r) {
        task.frames.close(Fn::sock_recvmsg_nosec, r);
        task.frames.close(Fn::sock_recvmsg, r);
        ret(r);
    };
    if (sock->sk->sk_family == AF_PACKET) packet_recvmsg(host, task, sock.get(), sc, done); // sock->ops->recvmsg
    else inet_recvmsg(host, task, sock.get(), sc, done);
}

static void __sys_recvfrom(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::__sys_recvfrom, nullptr, sc->args[0], static_cast<int64_t>(sc->len));
    { TRACE_FUNC(host.sim(), import_ubuf, nullptr, static_cast<int64_t>(sc->len)); }
    auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc->args[0]));
    if (!sock) {
        int err = sockfd_err(task, static_cast<int>(sc->args[0]));
        task.frames.close(Fn::__sys_recvfrom, err);
        ret(err);
        return;
    }
    sock_recvmsg(host, task, sock, sc, [&host, &task, sc, ret](int64_t r) {
        if (r >= 0 && sc->addr) {
            TRACE_FUNC(host.sim(), move_addr_to_user, nullptr, 16);
            host.sim().charge_bytes(16);
        }
        task.frames.close(Fn::__sys_recvfrom, r);
        ret(r);
    });
}

void __x64_sys_recvfrom(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::__x64_sys_recvfrom, nullptr, sc->args[0], sc->args[2]);
    __sys_recvfrom(host, task, sc, [&task, ret](int64_t r) {
        task.frames.close(Fn::__x64_sys_recvfrom, r);
        ret(r);
    });
}

// ---- a socket file's read_iter and write_iter, sendmsg ----

// __sock_sendmsg on any socket: the stream path may sleep, so its frames stay open in task.frames.
static void sock_sendmsg_any(Host& host, Task& task, std::shared_ptr<Socket> sock, std::shared_ptr<SysCall> sc,
                             SysRet ret) {
    if (sock->type != SOCK_STREAM) {
        int64_t r = __sock_sendmsg(host, sock.get(), *sc);
        return ret(r);
    }
    OpenFrames& f = task.frames;
    f.open(Fn::__sock_sendmsg);
    { TRACE_FUNC(host.sim(), security_socket_sendmsg); }
    f.open(Fn::sock_sendmsg_nosec);
    inet_stream_sendmsg(host, task, sock.get(), sc, [&task, sock, ret](int64_t r) {
        task.frames.close(Fn::sock_sendmsg_nosec, r);
        task.frames.close(Fn::__sock_sendmsg, r);
        ret(r);
    });
}

void sock_write_iter(Host& host, Task& task, std::shared_ptr<Socket> sock, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::sock_write_iter, nullptr, static_cast<int64_t>(sc->ubuf.size()));
    if (sock->nonblock) sc->flags |= MSG_DONTWAIT; // file->f_flags & O_NONBLOCK
    sock_sendmsg_any(host, task, sock, sc, [&task, ret](int64_t r) {
        task.frames.close(Fn::sock_write_iter, r);
        ret(r);
    });
}

void sock_read_iter(Host& host, Task& task, std::shared_ptr<Socket> sock, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::sock_read_iter, nullptr, static_cast<int64_t>(sc->len));
    auto finish = [&task, ret](int64_t r) {
        task.frames.close(Fn::sock_read_iter, r);
        ret(r);
    };
    if (sc->len == 0) return finish(0); // iov_iter_count(to) == 0
    if (sock->nonblock) sc->flags |= MSG_DONTWAIT;
    sock_recvmsg(host, task, sock, sc, finish);
}

void __x64_sys_sendmsg(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    OpenFrames& f = task.frames;
    f.open(Fn::__x64_sys_sendmsg, nullptr, sc->args[0], sc->args[2]);
    f.open(Fn::__sys_sendmsg, nullptr, sc->args[0], sc->args[2]);
    auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc->args[0]));
    auto finish = [&task, ret](int64_t r) {
        task.frames.close(Fn::__sys_sendmsg, r);
        task.frames.close(Fn::__x64_sys_sendmsg, r);
        ret(r);
    };
    if (!sock) return finish(sockfd_err(task, static_cast<int>(sc->args[0])));
    f.open(Fn::___sys_sendmsg, nullptr, static_cast<int64_t>(sc->ubuf.size()));
    {
        // copy_msghdr_from_user: struct user_msghdr (56 bytes), the name, then the iovec array
        TRACE_FUNC(host.sim(), copy_msghdr_from_user, nullptr, sc->addr ? 16 : 0);
        host.sim().charge_bytes(56 + 16);
        if (sc->addr) move_addr_to_kernel(host, *sc);
        TRACE_FUNC(host.sim(), import_iovec, nullptr, static_cast<int64_t>(sc->ubuf.size()));
    }
    f.open(Fn::____sys_sendmsg, nullptr, static_cast<int64_t>(sc->ubuf.size()));
    sock_sendmsg_any(host, task, sock, sc, [&task, finish](int64_t r) {
        task.frames.close(Fn::____sys_sendmsg, r);
        task.frames.close(Fn::___sys_sendmsg, r);
        finish(r);
    });
}

// recvmsg (may sleep): ___sys_recvmsg copies the struct msghdr in, ____sys_recvmsg receives through
// sock_recvmsg (MSG_ERRQUEUE: the protocol's ip_recv_error), then the name, the control messages
// and msg_flags go back to user space.
void __x64_sys_recvmsg(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    OpenFrames& f = task.frames;
    f.open(Fn::__x64_sys_recvmsg, nullptr, sc->args[0], sc->args[2]);
    f.open(Fn::__sys_recvmsg, nullptr, sc->args[0], sc->args[2]);
    auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc->args[0]));
    auto finish = [&task, ret](int64_t r) {
        task.frames.close(Fn::__sys_recvmsg, r);
        task.frames.close(Fn::__x64_sys_recvmsg, r);
        ret(r);
    };
    if (!sock) return finish(sockfd_err(task, static_cast<int>(sc->args[0])));
    f.open(Fn::___sys_recvmsg, nullptr, static_cast<int64_t>(sc->len));
    {
        TRACE_FUNC(host.sim(), copy_msghdr_from_user, nullptr, 16);
        host.sim().charge_bytes(56);
        TRACE_FUNC(host.sim(), import_iovec, nullptr, static_cast<int64_t>(sc->len));
    }
    f.open(Fn::____sys_recvmsg, nullptr, static_cast<int64_t>(sc->len));
    if (sock->nonblock) sc->flags |= MSG_DONTWAIT;
    sock_recvmsg(host, task, sock, sc, [&host, &task, sc, finish](int64_t r) {
        if (r >= 0) {
            TRACE_FUNC(host.sim(), __put_user, nullptr, sc->msg_flags); // msg_namelen, msg_controllen, msg_flags
            if (sc->addr) host.sim().charge_bytes(16); // move_addr_to_user
        }
        task.frames.close(Fn::____sys_recvmsg, r);
        task.frames.close(Fn::___sys_recvmsg, r);
        finish(r);
    });
}

// ---- setsockopt ----

static int sock_setsockopt(Host& host, Sock* sk, int optname, int64_t val, const std::string& optbuf) {
    TRACE_FUNC_NAMED(scope, host.sim(), sock_setsockopt, nullptr, optname, val);
    int err = 0;
    switch (optname) {
    case SO_RCVTIMEO:
        if (val < 0) err = -EDOM;
        else sk->sk_rcvtimeo = static_cast<TimeNs>(val);
        break;
    case SO_RCVBUF: {
        // LINUX: the kernel doubles the value (room for struct sk_buff overhead), capped by rmem_max.
        int64_t v = std::min<int64_t>(std::max<int64_t>(val, 0), 212992);
        sk->sk_rcvbuf = static_cast<uint32_t>(std::max<int64_t>(v * 2, 2 * (2048 + 256)));
        host.note(sk->label + ": SO_RCVBUF " + std::to_string(val) + " -> sk_rcvbuf " + std::to_string(sk->sk_rcvbuf),
                  Layer::Socket);
        break;
    }
    case SO_ATTACH_FILTER: err = sk_attach_filter(host, sk, optbuf); break;
    default: err = -ENOPROTOOPT;
    }
    scope.ret(err);
    return err;
}

static int64_t __sys_setsockopt(Host& host, Task& task, const SysCall& sc) {
    TRACE_FUNC_NAMED(scope, host.sim(), __sys_setsockopt, nullptr, sc.args[1], sc.args[2]);
    auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc.args[0]));
    int err = sockfd_err(task, static_cast<int>(sc.args[0]));
    if (sock) {
        if (sock->type == SOCK_STREAM && (sc.args[1] == IPPROTO_TCP || (sc.args[1] == SOL_SOCKET && sc.args[2] != SO_RCVTIMEO)))
            err = tcp_setsockopt(host, tcp_sk(sock->sk.get()), static_cast<int>(sc.args[1]), static_cast<int>(sc.args[2]),
                                 sc.optval, sc.optstr);
        else if (sc.args[1] == SOL_SOCKET) err = sock_setsockopt(host, sock->sk.get(), static_cast<int>(sc.args[2]), sc.optval, sc.optstr);
        else if (sc.args[1] == SOL_IP) err = ip_setsockopt(host, sock->sk.get(), static_cast<int>(sc.args[2]), sc.optval); // udp_setsockopt, tcp_setsockopt -> ip_setsockopt
        else err = -ENOPROTOOPT;
    }
    scope.ret(err);
    return err;
}

void __x64_sys_setsockopt(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    int64_t r;
    {
        TRACE_FUNC_NAMED(scope, host.sim(), __x64_sys_setsockopt, nullptr, sc->args[0], sc->args[2]);
        r = __sys_setsockopt(host, task, *sc);
        scope.ret(r);
    }
    ret(r);
}

// ---- close ----

static void sock_close(Host& host, std::shared_ptr<Socket> sock) {
    TRACE_FUNC(host.sim(), sock_close);
    if (sock->sk && sock->sk->sk_family == AF_PACKET) packet_release(host, sock.get()); // __sock_release
    else inet_release(host, sock.get());                                                 // -> sock->ops->release
}

static void __fput(Host& host, std::shared_ptr<Socket> sock) {
    TRACE_FUNC(host.sim(), __fput);
    eventpoll_release(host, sock.get()); // the file leaves every epoll watching it
    if (sock->ep) ep_eventpoll_release(host, sock.get()); // an epoll file's release
    else sock_close(host, std::move(sock));               // file->f_op->release
}

static int close_fd(Host& host, Task& task, int fd) {
    TRACE_FUNC_NAMED(scope, host.sim(), close_fd, nullptr, fd);
    auto it = task.fdtable.find(fd);
    if (it == task.fdtable.end()) {
        scope.ret(-EBADF);
        return -EBADF;
    }
    auto sock = it->second;
    task.fdtable.erase(it);
    // fput: the last reference; ____fput runs as task_work on the way back to user space.
    task.task_works.push_back([&host, sock] { __fput(host, sock); });
    return 0;
}

void __x64_sys_close(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    int64_t r;
    {
        TRACE_FUNC_NAMED(scope, host.sim(), __x64_sys_close, nullptr, sc->args[0]);
        r = close_fd(host, task, static_cast<int>(sc->args[0]));
        scope.ret(r);
    }
    ret(r);
}

// ---- listen, connect, accept, shutdown, getsockopt (the stream calls) ----

void __x64_sys_listen(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    int64_t r;
    {
        TRACE_FUNC_NAMED(scope, host.sim(), __x64_sys_listen, nullptr, sc->args[0], sc->args[1]);
        TRACE_FUNC_NAMED(inner, host.sim(), __sys_listen, nullptr, sc->args[0], sc->args[1]);
        auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc->args[0]));
        r = sock ? inet_listen(host, sock.get(), static_cast<int>(sc->args[1])) : sockfd_err(task, static_cast<int>(sc->args[0])); // sock->ops->listen
        inner.ret(r);
        scope.ret(r);
    }
    ret(r);
}

void __x64_sys_connect(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::__x64_sys_connect, nullptr, sc->args[0]);
    task.frames.open(Fn::__sys_connect, nullptr, sc->args[0]);
    auto finish = [&task, ret](int64_t r) {
        task.frames.close(Fn::__sys_connect, r);
        task.frames.close(Fn::__x64_sys_connect, r);
        ret(r);
    };
    auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc->args[0]));
    if (!sock) return finish(sockfd_err(task, static_cast<int>(sc->args[0])));
    if (!sc->addr) return finish(-EINVAL);
    move_addr_to_kernel(host, *sc);
    if (sock->type != SOCK_STREAM) return finish(inet_dgram_connect(host, sock.get(), *sc->addr)); // sock->ops->connect
    inet_stream_connect(host, task, sock.get(), *sc->addr, [sock, finish](int64_t r) { finish(r); });
}

static void do_accept(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret, Fn x64, int flags) {
    task.frames.open(x64, nullptr, sc->args[0], flags);
    task.frames.open(Fn::__sys_accept4, nullptr, sc->args[0], flags);
    auto finish = [&task, ret, x64](int64_t r) {
        task.frames.close(Fn::__sys_accept4, r);
        task.frames.close(x64, r);
        ret(r);
    };
    if (flags & ~(02000000 | 04000)) return finish(-EINVAL);
    auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc->args[0]));
    if (!sock) return finish(sockfd_err(task, static_cast<int>(sc->args[0])));
    std::shared_ptr<Socket> newsock;
    {
        TRACE_FUNC(host.sim(), sock_alloc);
        newsock = std::make_shared<Socket>();
        newsock->type = sock->type;
    }
    inet_accept(host, task, sock.get(), newsock.get(), flags, [&host, &task, sock, newsock, sc, finish](int64_t r) {
        if (r < 0) return finish(r);
        auto* child = tcp_sk(newsock->sk.get());
        SockAddrIn peer;
        peer.addr = child->inet_daddr;
        peer.port = child->inet_dport;
        sc->addr = peer;
        {
            TRACE_FUNC(host.sim(), move_addr_to_user, nullptr, 16);
            host.sim().charge_bytes(16);
        }
        int fd;
        {
            TRACE_FUNC_NAMED(s, host.sim(), fd_install);
            fd = task.get_unused_fd();
            child->label = host.name() + ":sock " + std::to_string(fd);
            task.fdtable[fd] = newsock;
            s.ret(fd);
        }
        host.note(task.comm + ": accept -> fd " + std::to_string(fd) + " (" + peer.addr.to_string() + ":" +
                      std::to_string(peer.port) + ")", Layer::Socket);
        finish(fd);
    });
}

void __x64_sys_accept(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    do_accept(host, task, std::move(sc), std::move(ret), Fn::__x64_sys_accept, 0);
}

void __x64_sys_accept4(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    int flags = static_cast<int>(sc->args[3]);
    do_accept(host, task, std::move(sc), std::move(ret), Fn::__x64_sys_accept4, flags);
}

void __x64_sys_shutdown(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    int64_t r;
    {
        TRACE_FUNC_NAMED(scope, host.sim(), __x64_sys_shutdown, nullptr, sc->args[0], sc->args[1]);
        TRACE_FUNC_NAMED(inner, host.sim(), __sys_shutdown, nullptr, sc->args[0], sc->args[1]);
        auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc->args[0]));
        r = sock ? inet_shutdown(host, sock.get(), static_cast<int>(sc->args[1])) : sockfd_err(task, static_cast<int>(sc->args[0]));
        inner.ret(r);
        scope.ret(r);
    }
    ret(r);
}

void __x64_sys_getsockopt(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    int64_t r;
    {
        TRACE_FUNC_NAMED(scope, host.sim(), __x64_sys_getsockopt, nullptr, sc->args[0], sc->args[2]);
        auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc->args[0]));
        if (!sock) r = sockfd_err(task, static_cast<int>(sc->args[0]));
        else if (sock->type == SOCK_STREAM && sc->args[1] == SOL_IP)
            r = ip_getsockopt(host, sock->sk.get(), static_cast<int>(sc->args[2]), &sc->optval);
        else if (sock->type == SOCK_STREAM && !(sc->args[1] == SOL_SOCKET && sc->args[2] == SO_ERROR))
        {
            auto* tsk = tcp_sk(sock->sk.get());
            r = tcp_getsockopt(host, tsk, static_cast<int>(sc->args[1]), static_cast<int>(sc->args[2]), &sc->optval);
            if (!r && sc->args[1] == IPPROTO_TCP && sc->args[2] == TCP_CONGESTION && tsk->icsk_ca_ops)
                sc->optstr = tsk->icsk_ca_ops->name; // copy_to_user of the name (optval = its length)
        }
        else if (sc->args[1] == SOL_SOCKET && sc->args[2] == SO_RCVBUF) {
            sc->optval = sock->sk->sk_rcvbuf;
            r = 0;
        } else if (sc->args[1] == SOL_SOCKET && sc->args[2] == SO_ERROR) {
            sc->optval = -sock_error(host, sock->sk.get()); // sock_getsockopt: takes and clears sk_err
            r = 0;
        } else if (sc->args[1] == SOL_IP) {
            r = ip_getsockopt(host, sock->sk.get(), static_cast<int>(sc->args[2]), &sc->optval);
        } else r = -ENOPROTOOPT;
        scope.ret(r);
    }
    ret(r);
}

} // namespace skbscope
