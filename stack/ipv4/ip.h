// IPv4 inside the stack: the route attached to an skb (struct rtable), the flow key (struct flowi4),
// and the functions of net/ipv4/{route,ip_input,ip_output,ip_forward}.c, each traced under its name.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "core/skb/skbuff.h"
#include "core/wire/addr.h"
#include "stack/ipv4/fib.h"

namespace skbscope {

class Host;
struct Sock;

// struct rtable: the routing decision (skb_dst). dst_input/dst_output dispatch on input/output.
struct Rtable : DstEntry {
    enum class Input : uint8_t { None, LocalDeliver, Forward, Error };
    RtnType rt_type = RtnType::Unicast;
    std::optional<wire::Ipv4Addr> rt_gw4; // next hop when not on-link
    Input input = Input::None;
    int error = 0;                        // dst.error for ip_error (EHOSTUNREACH, ENETUNREACH)
    wire::Ipv4Addr spec_dst;              // our address the packet was sent to (replies come from it)
};
inline Rtable* skb_rtable(const SkBuff* skb) { return static_cast<Rtable*>(skb->dst.get()); }

// struct flowi4: what an output route is looked up for.
struct Flowi4 {
    wire::Ipv4Addr daddr, saddr;
    uint8_t proto = 0;
    uint16_t sport = 0, dport = 0;
};

// Control block of a received or corked IPv4 skb (IPCB).
struct InetCork {
    SkBuff* skb = nullptr;
    std::shared_ptr<Rtable> rt;
    Flowi4 fl4;
    uint8_t ttl = 64;
    bool df = false;
};

// ---- route.c ----
// ip_route_output_flow -> ip_route_output_key_hash -> fib_lookup. Fills fl4.saddr if 0.
std::shared_ptr<Rtable> ip_route_output_flow(Host& host, Flowi4& fl4, int* err);
// ip_route_output_key: the same for callers without a socket (icmp_reply).
std::shared_ptr<Rtable> ip_route_output_key(Host& host, Flowi4& fl4, int* err);
// ip_route_input_noref -> ip_route_input_slow -> fib_lookup: sets skb->dst (local, forward, or an
// error route whose input is ip_error). Returns 0 or -errno.
int ip_route_input_noref(Host& host, SkBuff* skb, wire::Ipv4Addr daddr, wire::Ipv4Addr saddr, NetDevice* dev);
// inet_select_addr: our address on dev for talking to dst (same subnet first, else the primary).
wire::Ipv4Addr inet_select_addr(const Host& host, const NetDevice* dev, wire::Ipv4Addr dst);

// ---- ip_input.c ----
int ip_rcv(Host& host, SkBuff* skb);
// ip_local_deliver is reached through dst_input.
int dst_input(Host& host, SkBuff* skb);

// ---- ip_output.c ----
// ip_append_data: allocates the skb (alloc_skb, skb_reserve(hh_len), skb_put of the IP header,
// transport header and data) and copies data after the transport header (or, with header bytes
// given, copies those into the transport header first, as ping_getfrag/icmp_glue_bits do).
// Returns 0 or -errno (EMSGSIZE over 65535 bytes, or over the MTU with IP_PMTUDISC_DO); the skb,
// possibly larger than the MTU (fragmented later in __ip_finish_output), waits in cork.skb.
int ip_append_data(Host& host, Sock* sk, InetCork& cork, std::span<const uint8_t> transport_hdr,
                   uint32_t transhdrlen, std::span<const uint8_t> data);
// ip_make_skb: ip_append_data + __ip_make_skb (UDP's uncorked path). nullptr with *err on failure.
SkBuff* ip_make_skb(Host& host, Sock* sk, InetCork& cork, uint32_t transhdrlen, std::span<const uint8_t> data,
                    int* err);
// __ip_make_skb: fills the IPv4 header of the corked skb and hands it over.
SkBuff* __ip_make_skb(Host& host, Sock* sk, InetCork& cork);
// ip_push_pending_frames: __ip_make_skb + ip_send_skb.
int ip_push_pending_frames(Host& host, Sock* sk, InetCork& cork);
int ip_send_skb(Host& host, SkBuff* skb);
int ip_local_out(Host& host, Sock* sk, SkBuff* skb);
int dst_output(Host& host, SkBuff* skb);
int ip_output(Host& host, SkBuff* skb);
// ip_queue_xmit -> __ip_queue_xmit: TCP's output. skb->data is at the TCP header; pushes and fills
// the IPv4 header (DF, TTL, the socket's IP ID) using the route cached in *dst (looked up with
// ip_route_output_ports when empty) and sends with ip_local_out. 0 or -errno.
int ip_queue_xmit(Host& host, Sock* sk, SkBuff* skb, std::shared_ptr<Rtable>& dst, const Flowi4& fl4);
// ip_build_and_send_pkt: a packet with its own route and addresses (SYN-ACK, RST, ACK without a
// full socket). IP ID 0 with DF, as Linux sends them.
int ip_build_and_send_pkt(Host& host, SkBuff* skb, std::shared_ptr<Rtable> rt, wire::Ipv4Addr saddr,
                          wire::Ipv4Addr daddr, uint8_t ttl);

// ---- ip_forward.c ----
int ip_forward(Host& host, SkBuff* skb);

// The IPv4 protocol handlers (inet_protos): registered by udp and icmp at start-up.
using InetProtoHandler = int (*)(Host& host, SkBuff* skb);

} // namespace skbscope
