// connect() on a datagram socket (net/ipv4/datagram.c): ip4_datagram_connect routes to the peer,
// fixes the local address and marks the socket TCP_ESTABLISHED, so that sends need no address,
// only the peer's datagrams are delivered to it (compute_score) and a hard ICMP error (port
// unreachable) is reported to it (__udp4_lib_err); udp_disconnect undoes it (AF_UNSPEC).
// SIMPLIFICATION: no cached dst (each send routes again), no SO_BINDTODEVICE; udp_disconnect keeps
// the local address and port (Linux drops those not fixed by bind: SOCK_BINDADDR_LOCK/BINDPORT_LOCK).
// LINUX: connecting to a broadcast address without SO_BROADCAST is EACCES; inet_id starts random.
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/ipv4/ip.h"
#include "stack/ipv4/ip_sockglue.h"
#include "stack/ipv4/tcp.h" // TCP_ESTABLISHED, TCP_CLOSE (include/net/tcp_states.h)

namespace skbscope {

static int __ip4_datagram_connect(Host& host, Sock* sk, const SockAddrIn& usin) {
    TRACE_FUNC_NAMED(scope, host.sim(), __ip4_datagram_connect, nullptr, usin.addr.value, usin.port);
    auto fail = [&](int err) {
        host.note("connect: " + errno_name(-err), Layer::Socket);
        scope.ret(err);
        return err;
    };
    if (usin.family != AF_INET) return fail(-EAFNOSUPPORT);
    Flowi4 fl4; // ip_route_connect
    fl4.daddr = usin.addr;
    fl4.saddr = sk->inet_rcv_saddr;
    fl4.proto = static_cast<uint8_t>(sk->sk_protocol);
    fl4.sport = sk->inet_num;
    fl4.dport = usin.port;
    int err = 0;
    std::shared_ptr<Rtable> rt;
    {
        TRACE_FUNC(host.sim(), ip_route_connect, nullptr, usin.addr.value);
        rt = ip_route_output_flow(host, fl4, &err);
    }
    if (!rt) return fail(err);
    if (rt->rt_type == RtnType::Broadcast) return fail(-EACCES);     // no SOCK_BROADCAST
    if (sk->inet_rcv_saddr.is_any()) sk->inet_rcv_saddr = fl4.saddr; // (rehash)
    sk->inet_daddr = fl4.daddr;
    sk->inet_dport = usin.port;
    sk->sk_state = TCP_ESTABLISHED;
    sk->inet_id = static_cast<uint16_t>(host.sim().rng().uniform(0, 0xffff)); // get_random_u16
    host.note(sk->label + " connected to " + usin.addr.to_string() + ":" + std::to_string(usin.port) +
                  " from " + sk->inet_rcv_saddr.to_string() + ":" + std::to_string(sk->inet_num),
              Layer::Socket);
    scope.ret(0);
    return 0;
}

int ip4_datagram_connect(Host& host, Sock* sk, const SockAddrIn& addr) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip4_datagram_connect, nullptr, addr.addr.value, addr.port);
    int err = __ip4_datagram_connect(host, sk, addr); // under lock_sock
    scope.ret(err);
    return err;
}

int udp_disconnect(Host& host, Sock* sk) {
    TRACE_FUNC(host.sim(), udp_disconnect);
    TRACE_FUNC(host.sim(), __udp_disconnect);
    sk->sk_state = TCP_CLOSE;
    sk->inet_daddr = {};
    sk->inet_dport = 0;
    host.note(sk->label + " disconnected (connect to AF_UNSPEC)", Layer::Socket);
    return 0;
}

} // namespace skbscope
