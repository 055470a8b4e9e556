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
#ifndef MSG_ERRQUEUE
inline constexpr int MSG_ERRQUEUE = 0x2000;
#endif
#ifndef SOL_IP
inline constexpr int SOL_IP = 0;
#endif
#ifndef IP_TTL
inline constexpr int IP_TTL = 2;
#endif
#ifndef IP_MTU_DISCOVER
inline constexpr int IP_MTU_DISCOVER = 10;
#endif
#ifndef IP_RECVERR
inline constexpr int IP_RECVERR = 11;
#endif
#ifndef IP_PMTUDISC_DONT
inline constexpr int IP_PMTUDISC_DONT = 0;
inline constexpr int IP_PMTUDISC_WANT = 1;
inline constexpr int IP_PMTUDISC_DO = 2;
inline constexpr int IP_PMTUDISC_PROBE = 3;
#endif
#ifndef SO_ERROR
inline constexpr int SO_ERROR = 4;
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

// struct sock_extended_err (linux/errqueue.h): what recvmsg(MSG_ERRQUEUE) returns in its
// SOL_IP/IP_RECVERR control message, followed there by the offender's address (SO_EE_OFFENDER).
inline constexpr uint8_t SO_EE_ORIGIN_NONE = 0, SO_EE_ORIGIN_LOCAL = 1, SO_EE_ORIGIN_ICMP = 2;
struct SockExtendedErr {
    uint32_t ee_errno = 0;
    uint8_t ee_origin = SO_EE_ORIGIN_NONE, ee_type = 0, ee_code = 0, ee_pad = 0;
    uint32_t ee_info = 0; // FRAG_NEEDED / a local EMSGSIZE: the MTU
    uint32_t ee_data = 0;
};

// ---- AF_PACKET (linux/if_packet.h, linux/if_ether.h, asm-generic/socket.h), for packet taps ----
#ifndef AF_PACKET
inline constexpr int AF_PACKET = 17;
#endif
#ifndef SOCK_RAW
inline constexpr int SOCK_RAW = 3;
#endif
#ifndef SO_ATTACH_FILTER
inline constexpr int SO_ATTACH_FILTER = 26;
#endif
inline constexpr uint16_t kEthPAll = 0x0003; // ETH_P_ALL, host order (the ABI passes htons(ETH_P_ALL))
// sll_pkttype values (PACKET_HOST ... PACKET_OUTGOING), as skb->pkt_type.
inline constexpr uint8_t kPacketHost = 0, kPacketBroadcast = 1, kPacketMulticast = 2, kPacketOtherhost = 3,
                         kPacketOutgoing = 4;

// struct sockaddr_ll: bind() of a packet socket (protocol, ifindex; 0 = every device) and the
// source recvfrom() reports (msg_name). Host-order protocol.
struct SockAddrLl {
    int family = AF_PACKET;
    uint16_t protocol = 0;
    int ifindex = 0;
    uint16_t hatype = 1; // ARPHRD_ETHER
    uint8_t pkttype = 0;
    bool operator==(const SockAddrLl&) const = default;
};

// What libpcap learns about a received frame beside its bytes: the length before the snapshot cut
// and the filter's trim (struct tpacket_auxdata tp_len, tp_snaplen) and the frame's timestamp
// (skb->tstamp, SO_TIMESTAMPNS / SIOCGSTAMPNS), in virtual ns.
struct TpacketAuxdata {
    uint32_t tp_len = 0;
    uint32_t tp_snaplen = 0;
    int64_t tstamp_ns = 0;
};

// "EAGAIN" for EAGAIN (the names strerror's callers know); "E<n>" for others.
std::string errno_name(int err);

} // namespace skbscope
