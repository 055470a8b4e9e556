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
// inet_autobind: an ephemeral port through sk_prot->get_port(sk, 0).
int inet_autobind(Host& host, Sock* sk);

} // namespace skbscope
