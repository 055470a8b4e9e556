// The socket system calls (net/socket.c, fs/open.c, fs/file_table.c): socket, bind, sendto,
// recvfrom, setsockopt and close, each from its __x64_sys_ entry through the fd table to the
// address family's operations.
// SIMPLIFICATION: every file is a socket; no LSM (the security hooks always allow); only
// SOL_SOCKET options SO_RCVTIMEO and SO_RCVBUF; SOCK_NONBLOCK/SOCK_CLOEXEC flags are accepted and ignored.
// LINUX: close() only removes the descriptor; the socket is released by __fput on the way back to
// user space (task_work in syscall_exit_to_user_mode). SO_RCVBUF doubles the value asked for.
#include <cstring>

#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/socket/af_inet.h"
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
    return it->second;
}

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
    else if (family != AF_INET) err = -EAFNOSUPPORT;     // no net_families[family]
    if (err) {
        scope.ret(err);
        return err;
    }
    auto sock = sock_alloc(host);
    sock->type = type;
    err = inet_create(host, sock.get(), protocol); // pf->create
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
    int err = -EBADF;
    if (sock) {
        err = -EINVAL;
        if (sc.addr) {
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
    int64_t r = inet_sendmsg(host, sock, sc); // sock->ops->sendmsg
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
        scope.ret(-EBADF);
        return -EBADF;
    }
    if (sc.addr) move_addr_to_kernel(host, sc);
    int64_t r = __sock_sendmsg(host, sock.get(), sc);
    scope.ret(r);
    return r;
}

void __x64_sys_sendto(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
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
    inet_recvmsg(host, task, sock.get(), sc, [&task, sock, ret](int64_t r) {
        task.frames.close(Fn::sock_recvmsg_nosec, r);
        task.frames.close(Fn::sock_recvmsg, r);
        ret(r);
    });
}

static void __sys_recvfrom(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::__sys_recvfrom, nullptr, sc->args[0], static_cast<int64_t>(sc->len));
    { TRACE_FUNC(host.sim(), import_ubuf, nullptr, static_cast<int64_t>(sc->len)); }
    auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc->args[0]));
    if (!sock) {
        task.frames.close(Fn::__sys_recvfrom, -EBADF);
        ret(-EBADF);
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

// ---- setsockopt ----

static int sock_setsockopt(Host& host, Sock* sk, int optname, int64_t val) {
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
    default: err = -ENOPROTOOPT;
    }
    scope.ret(err);
    return err;
}

static int64_t __sys_setsockopt(Host& host, Task& task, const SysCall& sc) {
    TRACE_FUNC_NAMED(scope, host.sim(), __sys_setsockopt, nullptr, sc.args[1], sc.args[2]);
    auto sock = sockfd_lookup_light(host, task, static_cast<int>(sc.args[0]));
    int err = -EBADF;
    if (sock) {
        if (sc.args[1] == SOL_SOCKET) err = sock_setsockopt(host, sock->sk.get(), static_cast<int>(sc.args[2]), sc.optval);
        else err = -ENOPROTOOPT; // SIMPLIFICATION: no IP-level options yet
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
    inet_release(host, sock.get()); // __sock_release -> sock->ops->release
}

static void __fput(Host& host, std::shared_ptr<Socket> sock) {
    TRACE_FUNC(host.sim(), __fput);
    sock_close(host, std::move(sock)); // file->f_op->release
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

} // namespace skbscope
