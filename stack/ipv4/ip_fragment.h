// IPv4 reassembly state (struct ipq / struct inet_frag_queue of net/ipv4/ip_fragment.c and
// include/net/inet_frag.h): one queue per (saddr, daddr, id, protocol), its fragments by offset,
// its timer, and the per-namespace limits (net.ipv4.ipfrag_time, ipfrag_high_thresh).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <tuple>

#include "core/skb/skbuff.h"
#include "core/time/scheduler.h"

namespace skbscope {

class Host;

// struct ipq
struct IpFragQueue {
    uint32_t saddr = 0, daddr = 0;
    uint16_t id = 0;
    uint8_t protocol = 0;
    std::map<uint32_t, SkBuff*> fragments; // by byte offset (the rb_fragments tree)
    std::map<uint32_t, uint32_t> ends;     // offset -> end of each queued fragment
    uint32_t len = 0;                      // end of the highest fragment seen (total once LAST_IN)
    uint32_t meat = 0;                     // bytes of data received
    bool first_in = false, last_in = false; // INET_FRAG_FIRST_IN, INET_FRAG_LAST_IN
    uint32_t mem = 0;                      // truesize of the queued fragments
    Scheduler::EventId timer;
};

using IpFragKey = std::tuple<uint32_t, uint32_t, uint16_t, uint8_t>;

// The fqdir of the namespace: the queues and their memory accounting.
struct IpFragState {
    std::map<IpFragKey, std::unique_ptr<IpFragQueue>> queues;
    uint64_t mem = 0;                        // frag_mem_limit
    uint64_t high_thresh = 4 * 1024 * 1024;  // net.ipv4.ipfrag_high_thresh
    TimeNs timeout = 30 * kNsPerSec;         // net.ipv4.ipfrag_time
};

// ip_defrag: skb is an IP fragment addressed to us (data at the IP header). Returns 0 with *skb the
// reassembled datagram (data at its IP header) when this fragment completed it, else -errno
// (-EINPROGRESS: queued, waiting for more; other: dropped). The fragment is consumed either way.
int ip_defrag(Host& host, SkBuff** skb);
// Frees every queue (host teardown).
void ipfrag_destroy(Host& host);

} // namespace skbscope
