// glibc's wrappers (sysdeps/unix/sysv/linux/{socket,bind,sendto,send,recvfrom,read,write,sendmsg,
// epoll_wait,...}.c) and the user functions that call them. Cancellation points (send*, recv*, read,
// write, close, epoll_wait) go through SYSCALL_CANCEL; the others call INLINE_SYSCALL directly, which
// loads rax and the argument registers (Reg events on "cpu") and turns -4095..-1 into errno, -1.
// SIMPLIFICATION: pthread cancellation itself is not modelled (SYSCALL_CANCEL is a plain frame).
// LINUX/glibc: send() is sendto(fd, buf, len, flags, NULL, 0) on x86-64 (there is no send syscall).
#include "stack/syscall/libc.h"

#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

namespace {

template <typename F> void run_in_task(Task& task, F&& f) {
    Sim& sim = task.host->sim();
    if (sim.current() == task.ctx) f();
    else sim.in_context(task.ctx, std::forward<F>(f));
}

struct Wrapper {
    Fn user_fn;
    Fn libc_fn;
    bool cancel; // a cancellation point: SYSCALL_CANCEL
};

void do_syscall(Task& task, Wrapper w, std::shared_ptr<SysCall> sc, SysDone done) {
    run_in_task(task, [&task, w, sc, done] {
        Host& host = *task.host;
        Sim& sim = host.sim();
        if (task.in_syscall) {
            sim.rec().warning(task.comm + ": a system call was issued while another is in progress", Layer::Libc);
            SysResult res;
            res.ret = -1;
            res.err = EBUSY;
            done(res);
            return;
        }
        task.in_syscall = true;
        OpenFrames& f = task.frames;
        f.open(w.user_fn, nullptr, sc->args[0], sc->args[1]);
        if (w.libc_fn != w.user_fn) f.open(w.libc_fn, nullptr, sc->args[0]); // epoll_*: glibc's own symbol
        if (w.cancel) f.open(Fn::SYSCALL_CANCEL, nullptr, sc->nr);
        f.open(Fn::INLINE_SYSCALL, nullptr, sc->nr);
        static const char* const arg_regs[] = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};
        sim.rec().reg("cpu", "rax", RegAccess::Write, 0, static_cast<uint64_t>(sc->nr), Layer::Libc);
        for (int i = 0; i < 3; ++i)
            sim.rec().reg("cpu", arg_regs[i], RegAccess::Write, 0, static_cast<uint64_t>(sc->args[i]), Layer::Libc);
        entry_SYSCALL_64(host, task, sc, [&task, w, sc, done](int64_t rax) {
            Host& host = *task.host;
            SysResult res;
            res.ret = rax;
            if (rax < 0 && rax >= -4095) {
                res.err = static_cast<int>(-rax);
                res.ret = -1;
                host.note(task.comm + ": " + fn_info(w.user_fn).name.data() + " failed, errno = " + errno_name(res.err),
                          Layer::Libc);
            }
            OpenFrames& f = task.frames;
            f.close(Fn::INLINE_SYSCALL, res.ret);
            if (w.cancel) f.close(Fn::SYSCALL_CANCEL, res.ret);
            if (w.libc_fn != w.user_fn) f.close(w.libc_fn, res.ret);
            f.close(w.user_fn, res.ret);
            task.in_syscall = false;
            if ((sc->nr == nr::recvfrom || sc->nr == nr::read) && res.ret >= 0) {
                res.data = std::move(sc->ubuf);
                res.from = sc->addr;
                res.from_ll = sc->ll;
                res.aux = sc->aux;
            }
            if (sc->nr == nr::recvmsg && res.ret >= 0) {
                res.data = std::move(sc->ubuf);
                res.from = sc->addr;
                res.ee = sc->ee;
                res.ee_offender = sc->ee_offender;
                res.msg_flags = sc->msg_flags;
            }
            if ((sc->nr == nr::accept || sc->nr == nr::accept4) && res.ret >= 0) res.from = sc->addr;
            if (sc->nr == nr::getsockopt && res.ret >= 0) {
                res.optval = sc->optval;
                res.optstr = sc->optstr;
            }
            if (sc->nr == nr::epoll_wait && res.ret >= 0) res.events = std::move(sc->events);
            done(res);
        });
    });
}

} // namespace

void libc_socket(Task& task, int domain, int type, int protocol, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::socket;
    sc->args = {domain, type, protocol, 0, 0, 0};
    do_syscall(task, {Fn::socket, Fn::__libc_socket, false}, sc, std::move(done));
}

void libc_bind(Task& task, int fd, SockAddrIn addr, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::bind;
    sc->args = {fd, 0, 16, 0, 0, 0};
    sc->addr = addr;
    do_syscall(task, {Fn::bind, Fn::__libc_bind, false}, sc, std::move(done));
}

void libc_bind_ll(Task& task, int fd, SockAddrLl addr, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::bind;
    sc->args = {fd, 0, 20, 0, 0, 0}; // sizeof(struct sockaddr_ll)
    sc->ll = addr;
    do_syscall(task, {Fn::bind, Fn::__libc_bind, false}, sc, std::move(done));
}

void libc_sendto(Task& task, int fd, std::vector<uint8_t> buf, std::optional<SockAddrIn> to, int flags, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::sendto;
    sc->args = {fd, 0, static_cast<int64_t>(buf.size()), flags, 0, to ? 16 : 0};
    sc->ubuf = std::move(buf);
    sc->addr = to;
    sc->flags = flags;
    Wrapper w = to ? Wrapper{Fn::sendto, Fn::__libc_sendto, true} : Wrapper{Fn::send, Fn::__libc_send, true};
    do_syscall(task, w, sc, std::move(done));
}

void libc_recvfrom(Task& task, int fd, size_t len, int flags, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::recvfrom;
    sc->args = {fd, 0, static_cast<int64_t>(len), flags, 0, 0};
    sc->len = len;
    sc->flags = flags;
    do_syscall(task, {Fn::recvfrom, Fn::__libc_recvfrom, true}, sc, std::move(done));
}

void libc_setsockopt(Task& task, int fd, int level, int optname, int64_t value, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::setsockopt;
    sc->args = {fd, level, optname, 0, 0, 0};
    sc->optval = value;
    do_syscall(task, {Fn::setsockopt, Fn::__setsockopt, false}, sc, std::move(done));
}

void libc_close(Task& task, int fd, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::close;
    sc->args = {fd, 0, 0, 0, 0, 0};
    do_syscall(task, {Fn::close, Fn::__close, true}, sc, std::move(done));
}

void libc_setsockopt_str(Task& task, int fd, int level, int optname, std::string value, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::setsockopt;
    sc->args = {fd, level, optname, 0, static_cast<int64_t>(value.size()), 0};
    sc->optstr = std::move(value);
    do_syscall(task, {Fn::setsockopt, Fn::__setsockopt, false}, sc, std::move(done));
}

void libc_getsockopt(Task& task, int fd, int level, int optname, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::getsockopt;
    sc->args = {fd, level, optname, 0, 0, 0};
    do_syscall(task, {Fn::getsockopt, Fn::__getsockopt, false}, sc, std::move(done));
}

void libc_listen(Task& task, int fd, int backlog, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::listen;
    sc->args = {fd, backlog, 0, 0, 0, 0};
    do_syscall(task, {Fn::listen, Fn::__listen, false}, sc, std::move(done));
}

void libc_accept(Task& task, int fd, int flags, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = flags ? nr::accept4 : nr::accept;
    sc->args = {fd, 0, 0, flags, 0, 0};
    Wrapper w = flags ? Wrapper{Fn::accept4, Fn::__libc_accept4, true} : Wrapper{Fn::accept, Fn::__libc_accept, true};
    do_syscall(task, w, sc, std::move(done));
}

void libc_connect(Task& task, int fd, SockAddrIn addr, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::connect;
    sc->args = {fd, 0, 16, 0, 0, 0};
    sc->addr = addr;
    do_syscall(task, {Fn::connect, Fn::__libc_connect, true}, sc, std::move(done));
}

void libc_send(Task& task, int fd, std::vector<uint8_t> buf, int flags, SysDone done) {
    libc_sendto(task, fd, std::move(buf), std::nullopt, flags, std::move(done));
}

void libc_recv(Task& task, int fd, size_t len, int flags, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::recvfrom;
    sc->args = {fd, 0, static_cast<int64_t>(len), flags, 0, 0};
    sc->len = len;
    sc->flags = flags;
    do_syscall(task, {Fn::recv, Fn::__libc_recv, true}, sc, std::move(done));
}

void libc_shutdown(Task& task, int fd, int how, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::shutdown;
    sc->args = {fd, how, 0, 0, 0, 0};
    do_syscall(task, {Fn::shutdown, Fn::__shutdown, false}, sc, std::move(done));
}

void libc_read(Task& task, int fd, size_t len, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::read;
    sc->args = {fd, 0, static_cast<int64_t>(len), 0, 0, 0};
    sc->len = len;
    do_syscall(task, {Fn::read, Fn::__libc_read, true}, sc, std::move(done));
}

void libc_write(Task& task, int fd, std::vector<uint8_t> buf, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::write;
    sc->args = {fd, 0, static_cast<int64_t>(buf.size()), 0, 0, 0};
    sc->ubuf = std::move(buf);
    do_syscall(task, {Fn::write, Fn::__libc_write, true}, sc, std::move(done));
}

void libc_sendmsg(Task& task, int fd, std::vector<uint8_t> buf, std::optional<SockAddrIn> to, int flags, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::sendmsg;
    sc->args = {fd, 0, flags, 0, 0, 0}; // rdi fd, rsi struct msghdr *, rdx flags
    sc->ubuf = std::move(buf);
    sc->addr = to;
    sc->flags = flags;
    do_syscall(task, {Fn::sendmsg, Fn::__libc_sendmsg, true}, sc, std::move(done));
}

void libc_recvmsg(Task& task, int fd, size_t len, int flags, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::recvmsg;
    sc->args = {fd, 0, flags, 0, 0, 0}; // rdi fd, rsi struct msghdr *, rdx flags
    sc->len = len;
    sc->flags = flags;
    do_syscall(task, {Fn::recvmsg, Fn::__libc_recvmsg, true}, sc, std::move(done));
}

void libc_epoll_create1(Task& task, int flags, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::epoll_create1;
    sc->args = {flags, 0, 0, 0, 0, 0};
    do_syscall(task, {Fn::epoll_create1, Fn::epoll_create1, false}, sc, std::move(done));
}

void libc_epoll_ctl(Task& task, int epfd, int op, int fd, uint32_t events, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::epoll_ctl;
    sc->args = {epfd, op, fd, 0, 0, 0};
    sc->optval = events; // struct epoll_event.events (r10 points at it)
    do_syscall(task, {Fn::epoll_ctl, Fn::epoll_ctl, false}, sc, std::move(done));
}

void libc_epoll_wait(Task& task, int epfd, int maxevents, int64_t timeout_ms, SysDone done) {
    auto sc = std::make_shared<SysCall>();
    sc->nr = nr::epoll_wait;
    sc->args = {epfd, 0, maxevents, timeout_ms, 0, 0};
    do_syscall(task, {Fn::epoll_wait, Fn::epoll_wait, true}, sc, std::move(done));
}

void task_sleep(Task& task, TimeNs ns, std::function<void()> then) {
    run_in_task(task, [&task, ns, then] {
        Sim& sim = task.host->sim();
        task.host->note(task.comm + " sleeps " + std::to_string(ns / kNsPerMs) + " ms (nanosleep)", Layer::User);
        sim.at(sim.now() + ns, task.ctx, then);
    });
}

std::vector<uint8_t> iputils_echo_request(uint16_t seq, TimeNs now, size_t datalen) {
    std::vector<uint8_t> m(8 + datalen, 0);
    m[0] = 8; // ICMP_ECHO
    m[6] = static_cast<uint8_t>(seq >> 8);
    m[7] = static_cast<uint8_t>(seq);
    for (size_t i = 0; i < datalen; ++i) m[8 + i] = static_cast<uint8_t>(i); // the pattern, 0x00.. from the data start
    if (datalen >= 16) {
        // struct timeval (tv_sec, tv_usec as 64-bit little-endian) over the first 16 data bytes
        uint64_t sec = now / kNsPerSec, usec = (now % kNsPerSec) / kNsPerUs;
        for (int i = 0; i < 8; ++i) {
            m[8 + i] = static_cast<uint8_t>(sec >> (8 * i));
            m[16 + i] = static_cast<uint8_t>(usec >> (8 * i));
        }
    }
    return m;
}

} // namespace skbscope
