// AF_PACKET sockets (net/packet/af_packet.c) and the device layer's packet taps (net/core/dev.c's
// ptype_all, dev_add_pack, deliver_skb, dev_queue_xmit_nit): what tcpdump opens. A SOCK_RAW socket
// for ETH_P_ALL hooks a PacketType into ptype_all (or one device's list after bind); every frame a
// device sends (xmit_one -> dev_queue_xmit_nit) or receives (__netif_receive_skb_core) reaches
// packet_rcv, which runs the socket's classic BPF filter (SO_ATTACH_FILTER, run with libpcap's
// bpf_filter) and queues a clone on sk_receive_queue.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <pcap/bpf.h>

#include "stack/socket/sock.h"

namespace skbscope {

class Host;
class NetDevice;
struct Task;
struct SysCall;
struct PacketType;

// struct packet_type: a handler for one EtherType (or ETH_P_ALL: a tap), on one device or all.
using PacketRcvFn = int (*)(Host& host, SkBuff* skb, NetDevice* dev, PacketType* pt, NetDevice* orig_dev);
struct PacketType {
    uint16_t type = 0;          // host order; kEthPAll for taps
    NetDevice* dev = nullptr;   // nullptr: every device (net's ptype_all), else dev->ptype_all
    PacketRcvFn func = nullptr; // packet_rcv
    Sock* af_packet_priv = nullptr;
    bool ignore_outgoing = false; // PACKET_IGNORE_OUTGOING
};

// struct sk_filter: a checked classic BPF program (struct sock_filter == libpcap's struct bpf_insn).
struct SkFilter {
    std::vector<bpf_insn> insns;
};

// struct packet_sock: a sock with its hook, the bound device and protocol, the filter and
// PACKET_STATISTICS' counters.
struct PacketSock : Sock {
    PacketType prot_hook;
    bool running = false; // the hook is registered
    uint16_t num = 0;     // protocol, host order
    int ifindex = 0;      // bound device, 0 = all
    std::shared_ptr<SkFilter> sk_filter;
    uint64_t tp_packets = 0, tp_drops = 0;
};
inline PacketSock* pkt_sk(Sock* sk) {
    return static_cast<PacketSock*>(sk);
}

// PACKET_SKB_CB: what packet_rcv notes in a queued skb's control block for packet_recvmsg.
// SIMPLIFICATION: the timestamp (Linux: skb->tstamp, set by net_timestamp_set) lives here too.
struct PacketSkbCb {
    uint32_t origlen = 0; // the frame's length before the snapshot trim
    int ifindex = 0;
    uint16_t protocol = 0; // skb->protocol, host order
    uint8_t pkttype = 0;
    int64_t tstamp = 0; // virtual ns
};
PacketSkbCb& packet_skb_cb(SkBuff* skb);

// ---- net/packet/af_packet.c (the socket's operations, called from net/socket.c) ----
// packet_create: SOCK_RAW or SOCK_DGRAM (else -ESOCKTNOSUPPORT); protocol is htons(ETH_P_*) as the
// user passes it. A non-zero protocol registers the hook at once (__register_prot_hook).
int packet_create(Host& host, Socket* sock, int protocol);
// packet_bind: sockaddr_ll with a device index (0: all devices) and protocol (0: keep).
int packet_bind(Host& host, Socket* sock, const SockAddrLl& addr);
// SO_ATTACH_FILTER: bytes are the user's struct sock_filter array (8 bytes each, host order).
// -EINVAL for an empty, too long (> BPF_MAXINSNS) or invalid program.
int sk_attach_filter(Host& host, Sock* sk, const std::string& prog_bytes);
// The bytes a program hands SO_ATTACH_FILTER for a compiled filter (libpcap's bpf_insn array as
// struct sock_filter, x86-64: little endian): what sk_attach_filter reads back.
std::string sock_fprog_bytes(const std::vector<bpf_insn>& insns);
// packet_recvmsg: may sleep; fills sc->ubuf (up to sc->len bytes), sc->ll, sc->aux. Returns the
// bytes copied, or the frame's length with MSG_TRUNC.
void packet_recvmsg(Host& host, Task& task, Socket* sock, std::shared_ptr<SysCall> sc, SysRet ret);
int packet_release(Host& host, Socket* sock);
// packet_rcv: the tap handler (pt->func). Consumes its reference to skb.
int packet_rcv(Host& host, SkBuff* skb, NetDevice* dev, PacketType* pt, NetDevice* orig_dev);

// ---- net/core/dev.c: the tap lists (stack/core/dev.cpp) ----
// dev_add_pack / dev_remove_pack: ETH_P_ALL hooks go on ptype_all (pt->dev == nullptr) or the
// device's list, at the head (list_add_rcu); others on ptype_base (not used by packet sockets here).
void dev_add_pack(Host& host, PacketType* pt);
void dev_remove_pack(Host& host, PacketType* pt);
// dev_nit_active: a tap is registered for all devices or for dev.
bool dev_nit_active(Host& host, const NetDevice* dev);
// dev_queue_xmit_nit: one clone (pkt_type PACKET_OUTGOING) for the taps of an outgoing frame;
// every tap but the last through deliver_skb (which takes a reference), the last called directly.
void dev_queue_xmit_nit(Host& host, SkBuff* skb, NetDevice* dev);
// deliver_skb: refcount_inc(&skb->users), then pt->func.
int deliver_skb(Host& host, SkBuff* skb, PacketType* pt, NetDevice* orig_dev);

} // namespace skbscope
