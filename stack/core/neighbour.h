// The neighbour table (include/net/neighbour.h, net/core/neighbour.c) with ARP as its protocol.
//
//            neigh_event_send                 reply (neigh_update)
//   NONE ----------------------> INCOMPLETE ----------------------> REACHABLE
//                                  | probes >= max (3 s)              | reachable_time
//                                  v                                  v
//                                FAILED      STALE <---------------- (timer)
//                                              | packet sent (neigh_event_send)
//                                              v
//                         REACHABLE <------- DELAY --(delay_probe_time 5 s)--> PROBE (unicast ARP)
//                          (confirmed)                                          | no reply: FAILED
// Every state change is a Note; timers are Timer events; arp_queue changes are Queue events.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "core/skb/skbuff.h"
#include "core/time/scheduler.h"
#include "core/wire/addr.h"

namespace skbscope {

class Host;

// NUD_* bits as Linux numbers them.
enum NudState : uint8_t {
    NUD_NONE = 0x00,
    NUD_INCOMPLETE = 0x01,
    NUD_REACHABLE = 0x02,
    NUD_STALE = 0x04,
    NUD_DELAY = 0x08,
    NUD_PROBE = 0x10,
    NUD_FAILED = 0x20,
    NUD_NOARP = 0x40,
    NUD_PERMANENT = 0x80,
};
constexpr uint8_t NUD_IN_TIMER = NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE;
constexpr uint8_t NUD_VALID = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;
constexpr uint8_t NUD_CONNECTED = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE;
const char* nud_state_name(uint8_t state);

// struct neigh_parms: the defaults of /proc/sys/net/ipv4/neigh/default.
struct NeighParms {
    TimeNs retrans_time = kNsPerSec;          // RETRANS_TIME
    TimeNs base_reachable_time = 30 * kNsPerSec;
    TimeNs delay_probe_time = 5 * kNsPerSec;  // DELAY_PROBE_TIME
    int ucast_probes = 3;
    int mcast_probes = 3;
    int app_probes = 0;
    int mcast_reprobes = 0;
    uint32_t queue_len_bytes = 212992;        // QUEUE_LEN_BYTES (unres_qlen_bytes = SK_WMEM_MAX)
    TimeNs locktime = kNsPerSec;              // LOCKTIME
};

// struct hh_cache: the Ethernet header prebuilt for this neighbour.
struct HhCache {
    uint16_t hh_len = 0;
    std::array<uint8_t, 16> hh_data{};
};

struct Neighbour {
    wire::Ipv4Addr primary_key;
    NetDevice* dev = nullptr;
    uint8_t nud_state = NUD_NONE;
    wire::MacAddr ha;
    std::deque<SkBuff*> arp_queue;
    uint32_t arp_queue_len_bytes = 0;
    int probes = 0;
    TimeNs updated = 0, used = 0, confirmed = 0;
    TimeNs reachable_time = 0;
    Scheduler::EventId timer;
    TimeNs timer_expires = 0;
    HhCache hh;
    // neigh->output: neigh_resolve_output (not connected) or the connected output (also
    // neigh_resolve_output for ARP, as arp_hh_ops has it); neigh_output prefers hh when connected.
    bool output_connected = false;
    std::string label; // "A:192.168.1.1", the arp_queue's instance name
};

struct NeighTable {
    NeighParms parms;
    std::map<std::pair<int, uint32_t>, std::unique_ptr<Neighbour>> entries; // (ifindex, ip)
    Neighbour* lookup(const NetDevice* dev, wire::Ipv4Addr ip) const;
};

// __ipv4_neigh_lookup_noref (traced)
Neighbour* __ipv4_neigh_lookup_noref(Host& host, NetDevice* dev, wire::Ipv4Addr ip);
// __neigh_create: NONE (NOARP with the broadcast address for broadcast keys: arp_constructor).
Neighbour* __neigh_create(Host& host, NetDevice* dev, wire::Ipv4Addr ip);
// neigh_output: neigh_hh_output when connected with a cached header, else neigh->output.
int neigh_output(Host& host, Neighbour* n, SkBuff* skb);
int neigh_resolve_output(Host& host, Neighbour* n, SkBuff* skb);
// neigh_event_send: 0 = send now, 1 = the skb was queued (or dropped) for resolution.
int neigh_event_send(Host& host, Neighbour* n, SkBuff* skb);
// neigh_update flags
constexpr uint32_t NEIGH_UPDATE_F_OVERRIDE = 0x1;
int neigh_update(Host& host, Neighbour* n, const wire::MacAddr* lladdr, uint8_t new_state, uint32_t flags);
// neigh_event_ns: an ARP request from lladdr/ip names us: create or refresh the entry as STALE.
Neighbour* neigh_event_ns(Host& host, NetDevice* dev, const wire::MacAddr& lladdr, wire::Ipv4Addr ip);

} // namespace skbscope
