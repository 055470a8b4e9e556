// The user-space ABI of the socket calls: address family, socket type, protocol and option numbers
// as x86-64 Linux defines them, struct sockaddr_in as a value, and errno names.
// The constants are declared only where the system headers have not already defined the same names
// (with the same values on Linux).
#pragma once
#include <cerrno>
#include <cstdint>
#include <string>

#include "core/wire/addr.h"

namespace skbscope {

#ifndef AF_INET
inline constexpr int AF_INET = 2;
#endif
#ifndef AF_UNSPEC
inline constexpr int AF_UNSPEC = 0;
#endif
#ifndef SOCK_STREAM
inline constexpr int SOCK_STREAM = 1;
#endif
#ifndef SOCK_DGRAM
inline constexpr int SOCK_DGRAM = 2;
#endif
#ifndef IPPROTO_ICMP
inline constexpr int IPPROTO_ICMP = 1;
#endif
#ifndef IPPROTO_UDP
inline constexpr int IPPROTO_UDP = 17;
#endif
#ifndef IPPROTO_TCP
inline constexpr int IPPROTO_TCP = 6;
#endif
#ifndef SOL_SOCKET
inline constexpr int SOL_SOCKET = 1;
#endif
#ifndef SO_RCVBUF
inline constexpr int SO_RCVBUF = 8;
#endif
#ifndef SO_RCVTIMEO
inline constexpr int SO_RCVTIMEO = 20;
#endif
#ifndef MSG_DONTWAIT
inline constexpr int MSG_DONTWAIT = 0x40;
#endif
#ifndef MSG_TRUNC
inline constexpr int MSG_TRUNC = 0x20;
#endif

// x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
namespace nr {
inline constexpr int close = 3;
inline constexpr int socket = 41;
inline constexpr int sendto = 44;
inline constexpr int recvfrom = 45;
inline constexpr int bind = 49;
inline constexpr int setsockopt = 54;
inline constexpr int getsockopt = 55;
inline constexpr int connect = 42;
inline constexpr int accept = 43;
inline constexpr int shutdown = 48;
inline constexpr int listen = 50;
inline constexpr int accept4 = 288;
inline constexpr int read = 0;
inline constexpr int write = 1;
inline constexpr int sendmsg = 46;
inline constexpr int recvmsg = 47;
inline constexpr int epoll_wait = 232;
inline constexpr int epoll_ctl = 233;
inline constexpr int epoll_create1 = 291;
} // namespace nr

// struct sockaddr_in, host-order port.
struct SockAddrIn {
    int family = AF_INET;
    uint16_t port = 0;
    wire::Ipv4Addr addr;
    bool operator==(const SockAddrIn&) const = default;
};

// "EAGAIN" for EAGAIN (the names strerror's callers know); "E<n>" for others.
std::string errno_name(int err);

} // namespace skbscope
