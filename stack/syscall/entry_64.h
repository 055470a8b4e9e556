// The x86-64 system call entry: entry_SYSCALL_64 -> do_syscall_64 -> sys_call_table[rax], and the
// syscall's arguments and "user memory" as one record that travels down the call and back.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "stack/socket/uapi.h"

namespace skbscope {

class Host;
struct Task;
struct Socket;
using SysRet = std::function<void(int64_t ret)>;

// One system call: the registers (rax, rdi, rsi, rdx, r10, r8, r9) and the user buffers they
// point at, modelled as values the kernel copies from and to.
struct SysCall {
    int nr = 0;
    std::array<int64_t, 6> args{};     // rdi, rsi, rdx, r10, r8, r9
    std::vector<uint8_t> ubuf;         // sendto: the data; recvfrom: filled with what was received
    size_t len = 0;                    // recvfrom: the buffer's size
    std::optional<SockAddrIn> addr;    // sendto/bind: the address; recvfrom: the sender (out)
    int64_t optval = 0;                // setsockopt (getsockopt: the value read)
    std::string optstr;                // setsockopt with a string (TCP_CONGESTION)
    int flags = 0;
    std::vector<std::pair<int, uint32_t>> events; // epoll_wait: the ready (fd, events) (out)
    std::optional<SockAddrLl> ll;      // packet sockets: bind's sockaddr_ll; recvfrom: the source (out)
    std::optional<TpacketAuxdata> aux; // packet sockets, recvfrom: lengths and timestamp (out)
    // recvmsg(MSG_ERRQUEUE) (out): the IP_RECVERR control message (the error and its offender) and
    // msg_flags (MSG_ERRQUEUE, MSG_TRUNC).
    std::optional<SockExtendedErr> ee;
    std::optional<SockAddrIn> ee_offender;
    int msg_flags = 0;
};

// The user side has loaded the registers and runs `syscall`: runs the kernel path in the task's
// context and calls ret with rax (>= 0 or -errno) when the call returns, which may be after a sleep.
void entry_SYSCALL_64(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);

// ---- net/socket.c, fs/open.c: the system calls themselves (stack/socket/socket.cpp) ----
void __x64_sys_socket(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_bind(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_sendto(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_recvfrom(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_setsockopt(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_close(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_listen(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_connect(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_accept(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_accept4(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_shutdown(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_getsockopt(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_sendmsg(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_recvmsg(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);

// ---- a socket file's read_iter / write_iter (net/socket.c); they may sleep (frames in task.frames) ----
void sock_read_iter(Host& host, Task& task, std::shared_ptr<Socket> sock, std::shared_ptr<SysCall> sc, SysRet ret);
void sock_write_iter(Host& host, Task& task, std::shared_ptr<Socket> sock, std::shared_ptr<SysCall> sc, SysRet ret);

// ---- fs/read_write.c (stack/fs/read_write.cpp) ----
void __x64_sys_read(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_write(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);

} // namespace skbscope
