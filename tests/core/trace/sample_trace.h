// A small hand-made recording for the trace file, exporter and query tests: host A's program calls
// sendto (nested calls, an sk_buff allocated, reserved, filled and pushed, a qdisc enqueue), A's
// softirq dequeues it and the link carries an ARP request to B and B's ARP reply back (real frame
// bytes), B's softirq receives packet 1 and drops it with SKB_DROP_REASON_NO_SOCKET.
#pragma once
#include <memory>
#include <vector>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"

namespace skbscope::testing {

struct SampleIds {
    ContextId a_task = 0, a_softirq = 0, link = 0, b_softirq = 0;
};

// ARP request "Who has 192.168.1.1? Tell 192.168.1.100" (42 bytes, as Linux sends it: no padding).
inline std::vector<uint8_t> arp_frame(bool reply) {
    const uint8_t a_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
    const uint8_t b_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};
    const uint8_t a_ip[4] = {192, 168, 1, 100}, b_ip[4] = {192, 168, 1, 1};
    std::vector<uint8_t> f;
    auto add = [&](const uint8_t* p, size_t n) { f.insert(f.end(), p, p + n); };
    const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    add(reply ? a_mac : bcast, 6);
    add(reply ? b_mac : a_mac, 6);
    const uint8_t hdr[] = {0x08, 0x06, 0x00, 0x01, 0x08,
                           0x00, 6,    4,    0x00, static_cast<uint8_t>(reply ? 2 : 1)};
    add(hdr, sizeof hdr);
    add(reply ? b_mac : a_mac, 6);
    add(reply ? b_ip : a_ip, 4);
    const uint8_t zero[6] = {0, 0, 0, 0, 0, 0};
    add(reply ? a_mac : zero, 6);
    add(reply ? a_ip : b_ip, 4);
    return f;
}

// Records the sample into a fresh Sim; the trace is sim->trace().
inline std::unique_ptr<Sim> make_sample(SampleIds* ids = nullptr) {
    auto sim = std::make_unique<Sim>(42);
    Sim& s = *sim;
    s.trace().scenario = "hand-made.yaml";
    HostId a = s.add_host("A");
    HostId b = s.add_host("B");
    SampleIds id;
    id.a_task = s.add_context(a, ContextKind::Task, "app (pid 100)");
    id.a_softirq = s.add_context(a, ContextKind::Softirq, "softirq");
    id.link = s.add_context(a, ContextKind::Link, "A:eth0 <-> B:eth0");
    id.b_softirq = s.add_context(b, ContextKind::Softirq, "softirq");
    if (ids) *ids = id;

    SkBuff* skb = nullptr;
    s.in_context(id.a_task, [&] {
        TRACE_FUNC_NAMED(call, s, sendto);
        {
            TRACE_FUNC(s, __libc_sendto);
            TRACE_FUNC_NAMED(udp, s, udp_sendmsg);
            skb = alloc_skb(s, 256);
            skb->flow = s.new_flow();
            skb_reserve(skb, 64);
            const std::vector<uint8_t> payload(28, 0x41);
            skb_put_data(skb, payload);
            {
                TRACE_FUNC(s, ip_output, skb);
                TRACE_FUNC(s, dev_queue_xmit, skb);
                s.rec().queue("pfifo_fast", "A:eth0", QueueOp::Enqueue, 1, skb->len, skb, Layer::Qdisc);
                s.rec().note("The neighbour is not resolved yet: the packet waits.", Layer::Neigh, skb);
            }
            udp.ret(28);
        }
        call.ret(28);
    });
    s.at(1000, id.a_softirq, [&] {
        TRACE_FUNC(s, net_tx_action, skb);
        s.rec().queue("pfifo_fast", "A:eth0", QueueOp::Dequeue, 0, 0, skb, Layer::Qdisc);
        skb_push(skb, 14);
        s.rec().counter("A:eth0", "tx_packets", 1, Layer::Dev);
        consume_skb(skb);
    });
    s.at(5000, id.link, [&] { s.rec().wire("A:eth0 <-> B:eth0", arp_frame(false), 0, 5600, 1); });
    s.at(8000, id.link, [&] { s.rec().wire("A:eth0 <-> B:eth0", arp_frame(true), 1, 8700, 2); });
    s.at(20000, id.b_softirq, [&] {
        SkBuff* rx = alloc_skb(s, 128);
        rx->flow = 1;
        TRACE_FUNC(s, netif_receive_skb, rx);
        {
            TRACE_FUNC_NAMED(udp, s, udp_rcv, rx);
            kfree_skb_reason(rx, DropReason::NoSocket);
            udp.ret(0);
        }
        s.rec().warning("port unreachable not sent (sample)", Layer::Icmp);
    });
    s.run_until(1000000);
    return sim;
}

} // namespace skbscope::testing
