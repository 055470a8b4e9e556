// IPv4 reassembly (net/ipv4/ip_fragment.c, net/ipv4/inet_fragment.c): ip_defrag -> ip_find (the
// queue per saddr, daddr, id, protocol; inet_frag_find) -> ip_frag_queue (insert by offset) ->
// ip_frag_reasm once the first and last fragments are in and no hole is left; ip_expire after
// net.ipv4.ipfrag_time (30 s) drops an incomplete queue and, when the first fragment came, sends
// ICMP time exceeded (fragment reassembly time exceeded).
// SIMPLIFICATION: ip_frag_reasm copies the fragments into one new linear skb instead of chaining them
// on the head's frag_list; an overlap frees every fragment with DUP_FRAG (Linux frees the new one
// NOT_SPECIFIED and the queued ones from inet_frag_destroy); no ipfrag_max_dist (FRAG_TOO_FAR).
// LINUX: an exact duplicate drops only itself (DUP_FRAG); any other overlap kills the queue
// (RFC 5722); a datagram over 65535 bytes is refused; no new queue above ipfrag_high_thresh.
#include <cstring>

#include "core/time/sim.h"
#include "core/wire/checksum.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "stack/host.h"
#include "stack/ipv4/icmp.h"
#include "stack/ipv4/ip.h"
#include "stack/ipv4/ip_fragment.h"

namespace skbscope {

static IpFragKey frag_key(const IpFragQueue& q) { return {q.saddr, q.daddr, q.id, q.protocol}; }

static void ipq_free_fragments(Host& host, IpFragQueue& q, DropReason reason) {
    for (auto& [off, f] : q.fragments) kfree_skb_reason(f, reason);
    q.fragments.clear();
    q.ends.clear();
    host.ipfrag.mem -= q.mem;
    q.mem = 0;
}

// inet_frag_kill: unhash and stop the timer. The queue object is destroyed by the caller.
static void inet_frag_kill(Host& host, IpFragQueue& q) {
    TRACE_FUNC(host.sim(), inet_frag_kill, nullptr, q.id);
    if (q.timer) host.sim().cancel(q.timer);
    q.timer = {};
}

static void ipq_destroy(Host& host, IpFragQueue* q, DropReason reason) {
    inet_frag_kill(host, *q);
    ipq_free_fragments(host, *q, reason);
    host.ipfrag.queues.erase(frag_key(*q));
}

// ip_expire: the timer of an incomplete queue.
static void ip_expire(Host& host, IpFragKey key) {
    auto it = host.ipfrag.queues.find(key);
    if (it == host.ipfrag.queues.end()) return;
    IpFragQueue* q = it->second.get();
    q->timer = {};
    TRACE_FUNC(host.sim(), ip_expire, nullptr, q->id);
    host.note("IP reassembly of id " + std::to_string(q->id) + " timed out after " +
                  std::to_string(host.ipfrag.timeout / kNsPerSec) + " s with " + std::to_string(q->meat) +
                  " bytes received (REASMFAILS)",
              Layer::Ipv4);
    // Only when the first fragment is in: it holds the header and the start of the data to quote.
    if (q->first_in && !q->fragments.empty() && q->fragments.begin()->first == 0)
        icmp_send(host, q->fragments.begin()->second, wire::IcmpType::TimeExceeded, wire::IcmpCode::ExcFragTime, 0);
    ipq_destroy(host, q, DropReason::FragReasmTimeout);
}

// ip_find -> inet_frag_find (-> inet_frag_create -> inet_frag_alloc, which starts the timer).
static IpFragQueue* ip_find(Host& host, const uint8_t* iph) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_find);
    auto rd32 = [&](int o) { return (uint32_t{iph[o]} << 24) | (uint32_t{iph[o + 1]} << 16) | (uint32_t{iph[o + 2]} << 8) | iph[o + 3]; };
    IpFragKey key{rd32(12), rd32(16), static_cast<uint16_t>((iph[4] << 8) | iph[5]), iph[9]};
    auto it = host.ipfrag.queues.find(key);
    if (it != host.ipfrag.queues.end()) {
        scope.ret(1);
        return it->second.get();
    }
    if (host.ipfrag.mem >= host.ipfrag.high_thresh) { // inet_frag_alloc: frag_mem_limit over high_thresh
        host.note("ip_find: fragment memory " + std::to_string(host.ipfrag.mem) + " >= ipfrag_high_thresh " +
                      std::to_string(host.ipfrag.high_thresh) + ": no new queue",
                  Layer::Ipv4);
        scope.ret(0);
        return nullptr;
    }
    auto q = std::make_unique<IpFragQueue>();
    std::tie(q->saddr, q->daddr, q->id, q->protocol) = key;
    Host* h = &host;
    q->timer = host.sim().after(host.ipfrag.timeout, host.softirq_ctx(), [h, key] { ip_expire(*h, key); });
    IpFragQueue* out = q.get();
    host.ipfrag.queues.emplace(key, std::move(q));
    scope.ret(2);
    return out;
}

static void ip_send_check_raw(uint8_t* iph, uint32_t ihl) {
    iph[10] = iph[11] = 0;
    uint16_t c = wire::ip_fast_csum(std::span<const uint8_t>(iph, ihl));
    iph[10] = static_cast<uint8_t>(c >> 8);
    iph[11] = static_cast<uint8_t>(c);
}

// ip_frag_reasm: every byte is here. Builds the datagram in a new skb.
static SkBuff* ip_frag_reasm(Host& host, IpFragQueue* q) {
    SkBuff* head = q->fragments.begin()->second;
    TRACE_FUNC_NAMED(scope, host.sim(), ip_frag_reasm, head, q->len);
    const uint32_t ihl = (head->network_ptr()[0] & 0xf) * 4u;
    const uint32_t len = ihl + q->len;
    if (len > 0xFFFF) {
        host.note("oversized IP packet from " + wire::Ipv4Addr{q->saddr}.to_string() + ": " + std::to_string(len) +
                      " bytes",
                  Layer::Ipv4);
        ipq_destroy(host, q, DropReason::PktTooBig);
        scope.ret(-E2BIG);
        return nullptr;
    }
    SkBuff* skb = alloc_skb(host.sim(), len + kNetSkbPad);
    skb_reserve(skb, kNetSkbPad);
    skb->flow = head->flow;
    skb->dev = head->dev;
    skb->dst = head->dst;
    skb->protocol = head->protocol;
    skb->pkt_type = head->pkt_type;
    uint8_t* p = skb_put(skb, len);
    skb_reset_network_header(skb);
    skb->transport_header = static_cast<uint16_t>(skb->network_header + ihl);
    std::memcpy(p, head->network_ptr(), ihl);
    for (auto& [off, f] : q->fragments) {
        const uint32_t fihl = (f->network_ptr()[0] & 0xf) * 4u;
        const uint32_t flen = q->ends[off] - off;
        std::memcpy(p + ihl + off, f->network_ptr() + fihl, flen);
    }
    host.sim().charge_bytes(len);
    // The datagram's header: tot_len, no MF, offset 0, a new checksum.
    p[2] = static_cast<uint8_t>(len >> 8);
    p[3] = static_cast<uint8_t>(len);
    p[6] = static_cast<uint8_t>(p[6] & (wire::IP_DF >> 8));
    p[7] = 0;
    ip_send_check_raw(p, ihl);
    // The fragments' job is done: they leave the queue as consumed, not dropped.
    inet_frag_kill(host, *q);
    for (auto& [off, f] : q->fragments) consume_skb(f);
    q->fragments.clear();
    host.ipfrag.mem -= q->mem;
    host.note("IP datagram id " + std::to_string(q->id) + " reassembled: " + std::to_string(len) + " bytes",
              Layer::Ipv4, skb);
    host.ipfrag.queues.erase(frag_key(*q));
    scope.ret(static_cast<int64_t>(len));
    return skb;
}

// ip_frag_queue: adds skb (data at its IP header) to q. 0 and *out set when it completed the datagram,
// -EINPROGRESS when queued, else -errno with skb freed.
static int ip_frag_queue(Host& host, IpFragQueue* q, SkBuff* skb, SkBuff** out) {
    TRACE_FUNC_NAMED(scope, host.sim(), ip_frag_queue, skb);
    const uint8_t* iph = skb->network_ptr();
    const uint32_t ihl = (iph[0] & 0xf) * 4u;
    const uint16_t frag_off = static_cast<uint16_t>((iph[6] << 8) | iph[7]);
    const uint32_t offset = (frag_off & wire::IP_OFFSET) * 8u;
    const bool mf = frag_off & wire::IP_MF;
    const uint32_t end = offset + skb->len - ihl;
    auto fail = [&](int err) {
        scope.ret(err);
        return err;
    };
    if (end + ihl > 0xFFFF) { // the datagram would exceed 65535 bytes
        host.note("fragment ends at " + std::to_string(end) + ": datagram over 65535 bytes", Layer::Ipv4, skb);
        kfree_skb_reason(skb, DropReason::PktTooBig);
        ipq_destroy(host, q, DropReason::PktTooBig);
        return fail(-EINVAL);
    }
    if (!mf) {
        // The last fragment: its end is the total length; nothing may lie beyond it.
        if (end < q->len || (q->last_in && end != q->len)) {
            kfree_skb_reason(skb, DropReason::DupFrag);
            ipq_destroy(host, q, DropReason::DupFrag);
            return fail(-EINVAL);
        }
        q->last_in = true;
        q->len = end;
    } else {
        if (end & 7) { // not the last: a multiple of 8 bytes
            kfree_skb_reason(skb, DropReason::IpInhdr);
            return fail(-EINVAL);
        }
        if (end > q->len) {
            if (q->last_in) { // data beyond the end
                kfree_skb_reason(skb, DropReason::DupFrag);
                ipq_destroy(host, q, DropReason::DupFrag);
                return fail(-EINVAL);
            }
            q->len = end;
        }
    }
    if (end == offset) { // no data
        kfree_skb_reason(skb, DropReason::IpInhdr);
        return fail(-EINVAL);
    }
    // inet_frag_queue_insert: an exact duplicate is IPFRAG_DUP, any other overlap IPFRAG_OVERLAP.
    for (auto& [o, e] : q->ends) {
        if (o == offset && e == end) {
            host.note("duplicate IP fragment (offset " + std::to_string(offset) + ")", Layer::Ipv4, skb);
            kfree_skb_reason(skb, DropReason::DupFrag);
            return fail(-EINVAL);
        }
        if (offset < e && o < end) {
            host.note("overlapping IP fragment [" + std::to_string(offset) + ", " + std::to_string(end) +
                          ") with [" + std::to_string(o) + ", " + std::to_string(e) +
                          "): the whole queue is dropped (RFC 5722, REASM_OVERLAPS)",
                      Layer::Ipv4, skb);
            kfree_skb_reason(skb, DropReason::DupFrag);
            ipq_destroy(host, q, DropReason::DupFrag);
            return fail(-EINVAL);
        }
    }
    q->fragments[offset] = skb;
    q->ends[offset] = end;
    q->meat += end - offset;
    q->mem += skb->truesize;
    host.ipfrag.mem += skb->truesize;
    if (offset == 0) q->first_in = true;
    if (q->first_in && q->last_in && q->meat == q->len) {
        SkBuff* whole = ip_frag_reasm(host, q);
        if (!whole) return fail(-EINVAL);
        *out = whole;
        scope.ret(0);
        return 0;
    }
    return fail(-EINPROGRESS);
}

int ip_defrag(Host& host, SkBuff** pskb) {
    SkBuff* skb = *pskb;
    TRACE_FUNC_NAMED(scope, host.sim(), ip_defrag, skb);
    *pskb = nullptr;
    IpFragQueue* q = ip_find(host, skb->network_ptr());
    if (!q) {
        kfree_skb_reason(skb, DropReason::NoMem); // REASMFAILS
        scope.ret(-ENOMEM);
        return -ENOMEM;
    }
    int ret = ip_frag_queue(host, q, skb, pskb);
    scope.ret(ret);
    return ret;
}

void ipfrag_destroy(Host& host) {
    for (auto& [key, q] : host.ipfrag.queues) {
        if (q->timer) host.sim().cancel(q->timer);
        for (auto& [off, f] : q->fragments) kfree_skb(f);
    }
    host.ipfrag.queues.clear();
    host.ipfrag.mem = 0;
}

} // namespace skbscope
