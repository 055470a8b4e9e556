// AF_INET's socket operations (net/ipv4/af_inet.c).
#pragma once
#include <memory>

#include "stack/socket/sock.h"

namespace skbscope {

class Host;
struct Task;
struct SysCall;

// inet_create: picks the protocol from (type, protocol); 0 or -errno (EPROTONOSUPPORT, ...).
int inet_create(Host& host, Socket* sock, int protocol);
int inet_bind(Host& host, Socket* sock, const SockAddrIn& addr);
int64_t inet_sendmsg(Host& host, Socket* sock, SysCall& sc);
void inet_recvmsg(Host& host, Task& task, Socket* sock, std::shared_ptr<SysCall> sc, SysRet ret);
int inet_release(Host& host, Socket* sock);
// inet_dgram_connect: a datagram socket's connect (autobind, then sk_prot->connect; AF_UNSPEC:
// sk_prot->disconnect). 0 or -errno.
int inet_dgram_connect(Host& host, Socket* sock, const SockAddrIn& addr);
// inet_autobind: an ephemeral port through sk_prot->get_port(sk, 0).
int inet_autobind(Host& host, Sock* sk);

// ---- inet_stream_ops (SOCK_STREAM); the calls that may sleep keep their frames in task.frames ----
int inet_listen(Host& host, Socket* sock, int backlog);
void inet_stream_connect(Host& host, Task& task, Socket* sock, const SockAddrIn& addr, SysRet ret);
// inet_accept: grafts the child onto newsock; ret(0) or -errno.
void inet_accept(Host& host, Task& task, Socket* sock, Socket* newsock, int flags, SysRet ret);
int inet_shutdown(Host& host, Socket* sock, int how);
// inet_sendmsg for a stream socket: tcp_sendmsg, which may sleep.
void inet_stream_sendmsg(Host& host, Task& task, Socket* sock, std::shared_ptr<SysCall> sc, SysRet ret);

} // namespace skbscope
