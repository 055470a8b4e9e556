// The user-space API the lab's programs call: glibc's socket wrappers, asynchronous because a call
// may sleep in the kernel. Each call runs in the task's context (switching to it if needed) and
// calls done when it returns to user space, at once or after sleeping, in the task's context.
// Traced: the user function (sendto, recvfrom, ...), glibc's wrapper (__libc_sendto, ...),
// SYSCALL_CANCEL for cancellation points, INLINE_SYSCALL (rax and rdi.. as Reg events on "cpu"),
// then the kernel path from entry_SYSCALL_64.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time/scheduler.h"
#include "stack/socket/uapi.h"

namespace skbscope {

struct Task;

// What the call returned, as the C library returns it: ret is -1 on failure with err = errno
// (EAGAIN, ...); otherwise err = 0. recvfrom fills data and from.
struct SysResult {
    int64_t ret = 0;
    int err = 0;
    std::vector<uint8_t> data;
    std::optional<SockAddrIn> from;
    int64_t optval = 0; // getsockopt: the option's value
    std::string optstr; // getsockopt of a string option (TCP_CONGESTION): the name
    std::vector<std::pair<int, uint32_t>> events; // epoll_wait: the ready (fd, events), ret of them
    // recvmsg: the IP_RECVERR control message (MSG_ERRQUEUE): the error and who sent it
    // (SO_EE_OFFENDER; none for a local error), and msg_flags.
    std::optional<SockExtendedErr> ee;
    std::optional<SockAddrIn> ee_offender;
    int msg_flags = 0;
    std::optional<SockAddrLl> from_ll;   // recvfrom on a packet socket: sockaddr_ll of the frame
    std::optional<TpacketAuxdata> aux;   // recvfrom on a packet socket: lengths and timestamp
};
using SysDone = std::function<void(const SysResult&)>;

void libc_socket(Task& task, int domain, int type, int protocol, SysDone done);
void libc_bind(Task& task, int fd, SockAddrIn addr, SysDone done);
// bind() of a packet socket to a struct sockaddr_ll (20 bytes).
void libc_bind_ll(Task& task, int fd, SockAddrLl addr, SysDone done);
// The user function traced is `sendto`, or `send` (with __libc_send) when to is empty.
void libc_sendto(Task& task, int fd, std::vector<uint8_t> buf, std::optional<SockAddrIn> to, int flags,
                 SysDone done);
void libc_recvfrom(Task& task, int fd, size_t len, int flags, SysDone done);
// SO_RCVTIMEO: value in ns (0 = wait forever); SO_RCVBUF: bytes (the kernel doubles it, as Linux).
void libc_setsockopt(Task& task, int fd, int level, int optname, int64_t value, SysDone done);
void libc_close(Task& task, int fd, SysDone done);
// setsockopt with a string value (TCP_CONGESTION "cubic" / "reno").
void libc_setsockopt_str(Task& task, int fd, int level, int optname, std::string value, SysDone done);
// getsockopt: the value in SysResult::optval.
void libc_getsockopt(Task& task, int fd, int level, int optname, SysDone done);

// ---- stream sockets ----
void libc_listen(Task& task, int fd, int backlog, SysDone done);
// accept (flags 0: syscall accept 43) or accept4 (flags SOCK_NONBLOCK/SOCK_CLOEXEC: 288). ret is the
// new fd, from the peer. May sleep until a connection is ready.
void libc_accept(Task& task, int fd, int flags, SysDone done);
// connect: may sleep until the handshake ends (ret 0) or fails (ECONNREFUSED, ETIMEDOUT, ...).
void libc_connect(Task& task, int fd, SockAddrIn addr, SysDone done);
// send: user fn `send`, glibc __libc_send, syscall sendto (44) without an address.
void libc_send(Task& task, int fd, std::vector<uint8_t> buf, int flags, SysDone done);
// recv: user fn `recv`, glibc __libc_recv, syscall recvfrom (45); ret 0 at EOF.
void libc_recv(Task& task, int fd, size_t len, int flags, SysDone done);
void libc_shutdown(Task& task, int fd, int how, SysDone done);
// read/write on a socket file: user fns `read`/`write`, glibc __libc_read/__libc_write (cancellation
// points), syscalls read (0) / write (1) through vfs_read/vfs_write and sock_read_iter/sock_write_iter.
void libc_read(Task& task, int fd, size_t len, SysDone done);
void libc_write(Task& task, int fd, std::vector<uint8_t> buf, SysDone done);
// sendmsg with one iovec and an optional msg_name: syscall sendmsg (46).
void libc_sendmsg(Task& task, int fd, std::vector<uint8_t> buf, std::optional<SockAddrIn> to, int flags, SysDone done);

// recvmsg with one iovec of len bytes, a msg_name and room for control messages: syscall recvmsg
// (47). With MSG_ERRQUEUE it reads the error queue (IP_RECVERR): data, from, ee, ee_offender.
void libc_recvmsg(Task& task, int fd, size_t len, int flags, SysDone done);

// ---- epoll (sys/epoll.h): glibc's functions are the user's (epoll_wait is a cancellation point) ----
// epoll_create1 (291): ret is the epoll fd. flags: 0 or EPOLL_CLOEXEC.
void libc_epoll_create1(Task& task, int flags, SysDone done);
// epoll_ctl (233): op EPOLL_CTL_ADD 1 / DEL 2 / MOD 3, events EPOLLIN | EPOLLOUT | ... (stack/fs/eventpoll.h).
void libc_epoll_ctl(Task& task, int epfd, int op, int fd, uint32_t events, SysDone done);
// epoll_wait (232): may sleep up to timeout_ms (-1: forever, 0: never); ret is the number of ready
// files, in SysResult::events as (fd, revents).
void libc_epoll_wait(Task& task, int epfd, int maxevents, int64_t timeout_ms, SysDone done);

// nanosleep in virtual time: then runs in the task's context after ns.
// SIMPLIFICATION: only a Note; the nanosleep system call path is not traced.
void task_sleep(Task& task, TimeNs ns, std::function<void()> then);

// The ICMP message iputils ping writes for one echo request: type 8, code 0, checksum 0, id 0 (a
// ping socket's kernel puts its own), seq; a 16-byte struct timeval (x86-64, little endian) of the
// send time, then the pattern 0x10, 0x11, ... up to datalen bytes of data (default 56: a 98-byte frame).
std::vector<uint8_t> iputils_echo_request(uint16_t seq, TimeNs now, size_t datalen = 56);

} // namespace skbscope
