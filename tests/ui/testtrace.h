// A small hand-built trace for the ui tests, recorded with core's Sim and Recorder: nested
// TRACE_FUNC scopes in two contexts of host A and one of host B (interleaved inside A's call), an
// sk_buff allocated, reserved, put, pushed and dropped with NO_SOCKET, and a qdisc enqueue.
// The E enum names each event's index, so the tests read like the trace.
#pragma once
#include "core/trace/trace.h"

namespace skbscope::test {

// Event indexes of makeTestTrace(); indentation = call depth, [ctx] = context.
enum E : int {
    SendtoEnter = 0,     // [A task] → sendto
    LibcEnter = 1,       //   → __libc_sendto
    UdpSendmsgEnter = 2, //     → udp_sendmsg
    SkbAllocEv = 3,      //       skb_alloc (skb 1, no packet yet)
    SkbReserveEv = 4,    //       skb_reserve 64        packet 1
    SkbPutEv = 5,        //       skb_put 8             packet 1
    NetRxEnter = 6,      // [B softirq] → net_rx_action
    IpRcvEnter = 7,      //   → ip_rcv
    BNote = 8,           //     note
    IpRcvExit = 9,       //   ← ip_rcv
    NetRxExit = 10,      // ← net_rx_action
    IpSendSkbEnter = 11, // [A task]   → ip_send_skb    packet 1
    SkbPushEv = 12,      //         skb_push 20         packet 1
    QdiscEnqueueEv = 13, //         enqueue qdisc A:eth0 packet 1
    IpSendSkbExit = 14,  //       ← ip_send_skb         packet 1
    SkbDropEv = 15,      //       skb_free NO_SOCKET    packet 1
    UdpSendmsgExit = 16, //     ← udp_sendmsg
    LibcExit = 17,       //   ← __libc_sendto
    SendtoExit = 18,     // ← sendto
    NetTxEnter = 19,     // [A softirq] → net_tx_action
    NetTxExit = 20,      // ← net_tx_action
    EventCount = 21
};

Trace makeTestTrace();
// A trace of n events (a flat run of enter/exit pairs and skb events) for speed checks.
Trace makeBigTrace(uint32_t n);

} // namespace skbscope::test
