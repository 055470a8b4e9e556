// A scenario file (YAML) as plain data: hosts with interfaces, addresses, routes and programs,
// links between interfaces, the seed. Loading checks every field and reports errors as
// "<file>:<line>:<col>: <field path>: <problem>". See README.md for the format.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time/scheduler.h"
#include "core/util/result.h"
#include "core/wire/addr.h"

namespace skbscope::lab {

struct InterfaceSpec {
    std::string name;
    wire::MacAddr mac;
    std::optional<wire::Ipv4Addr> address;
    int prefix_len = 0;
    uint32_t mtu = 1500;
    uint32_t tx_ring = 256, rx_ring = 256;
    // Interrupt moderation, stored in the registers' units: itr in 256 ns, rdtr/radv/tidv/tadv in
    // 1.024 us. The file and --set take either a number (register units) or a duration with its
    // unit ("100us", "1ms"), rounded to the nearest unit. 0 (the default) is off.
    uint32_t itr = 0, rdtr = 0, radv = 0, tidv = 0, tadv = 0;
    uint32_t copybreak = 256;      // e1000's copybreak module parameter (0: never copy)
    uint32_t txqueuelen = 1000;    // the qdisc's limit (ip link set DEV txqueuelen N), per pfifo_fast band
    bool checksum_offload = false; // true: the NIC inserts TCP/UDP checksums (NETIF_F_HW_CSUM)
    bool sg = true;                // scatter-gather (NETIF_F_SG); off: paged skbs are made linear first
};

struct RouteSpec {
    wire::Ipv4Addr dst;
    int prefix_len = 0;
    std::optional<wire::Ipv4Addr> via;
    std::string dev;
};

// One socket call (or sleep) of a scripted program.
struct StepSpec {
    enum class Op { Socket, Bind, Sendto, Recvfrom, Setsockopt, Close, Sleep, Listen, Accept, Connect, Send, Recv, Shutdown,
                    EpollCreate1, EpollCtl, EpollWait, Write, Read };
    Op op = Op::Sleep;
    int fd = -1;
    int domain = 2, type = 2, protocol = 0; // socket
    std::optional<wire::Ipv4Addr> addr;     // bind / sendto destination
    uint16_t port = 0;
    std::vector<uint8_t> data;              // sendto
    uint64_t len = 0;                       // recvfrom
    int level = 0, optname = 0;             // setsockopt
    int64_t value = 0;
    int flags = 0;
    int backlog = 0;                        // listen
    int how = 1;                            // shutdown: SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2
    bool until_eof = false;                 // recv: call again until it returns 0 (EOF)
    TimeNs duration = 0;                    // sleep
    int epfd = -1, epoll_op = 1;            // epoll_ctl (EPOLL_CTL_ADD 1, DEL 2, MOD 3), epoll_wait
    uint32_t events = 0;                    // epoll_ctl: EPOLLIN | EPOLLOUT | ...
    int maxevents = 8;                      // epoll_wait
    int64_t timeout_ms = -1;                // epoll_wait: -1 forever
    int line = 0;                           // for messages
};

struct ProgramSpec {
    std::string name;
    int pid = 0;
    TimeNs start = 0;
    enum class Kind { Steps, Ping, Tcpdump } kind = Kind::Steps;
    std::vector<StepSpec> steps;
    // ping
    wire::Ipv4Addr ping_dst;
    int ping_count = 3;
    TimeNs ping_interval = kNsPerSec;
    uint32_t ping_size = 56;
    int ping_ttl = 0; // ping -t: IP_TTL on the socket (0: the default, 64)
    // tcpdump: tcpdump: { filter: "tcp and dst port 8080", count: 10, snaplen: 262144, interface: eth0 }
    std::string tcpdump_filter;      // a pcap-filter(7) expression; "" captures every frame
    int tcpdump_count = 0;           // -c: stop after this many frames (0: never)
    int tcpdump_snaplen = 262144;    // -s
    std::string tcpdump_interface;   // -i; "" reads every device (an unbound packet socket)
};

// netfilter: [{hook: FORWARD, proto: udp, dst: 192.168.2.0/24, dport: 9000, verdict: DROP}]
// hook: PRE_ROUTING, LOCAL_IN, FORWARD, LOCAL_OUT, POST_ROUTING (nf_inet_hooks order, 0..4);
// unset fields match anything; first match wins, default ACCEPT.
struct NetfilterRuleSpec {
    int hook = 0;
    uint8_t proto = 0; // IP protocol number, 0: any
    std::optional<wire::Ipv4Addr> src, dst;
    int src_prefix = 32, dst_prefix = 32;
    std::optional<uint16_t> sport, dport;
    bool drop = true;
};

struct HostSpec {
    std::string name;
    bool ip_forward = false;
    std::vector<NetfilterRuleSpec> netfilter;
    std::vector<InterfaceSpec> interfaces;
    std::vector<RouteSpec> routes;
    std::vector<ProgramSpec> programs;
};

// Impairments of one direction of a link, probabilities 0..1 (nic/link/link.h's LinkImpairments).
struct LinkDirSpec {
    double loss = 0, duplicate = 0, reorder = 0, corrupt = 0;
    TimeNs reorder_delay = 1 * kNsPerMs;
};

// drop: [{dir: a_to_b, match: tcp-data, nth: 3}]: the 3rd TCP data segment from a to b is lost.
struct LinkDropSpec {
    bool a_to_b = true;
    std::string match = "any"; // any, tcp-data, tcp-syn, arp, icmp, udp
    uint64_t nth = 1;
};

// ethernet: a cable between two emulated e1000 NICs (speed, delay, impairments).
// veth: a veth pair between two network namespaces of one kernel (netns: true); no wire.
enum class LinkType : uint8_t { Ethernet, Veth };

struct LinkSpec {
    std::string a_host, a_dev, b_host, b_dev;
    LinkType type = LinkType::Ethernet;
    uint64_t speed_bps = 1'000'000'000ULL;
    TimeNs delay = 5 * kNsPerUs;
    LinkDirSpec a_to_b, b_to_a; // loss: 1% etc. set both; a_to_b: {...} / b_to_a: {...} override
    std::vector<LinkDropSpec> drops;
};

struct Scenario {
    std::string file;
    std::string name;
    std::string description;
    uint64_t seed = 1;
    TimeNs duration = 60 * kNsPerSec; // the run stops here at the latest
    // The hosts are network namespaces of one kernel on one CPU (an `ip netns` lab): one
    // softnet_data, softirqs run where bottom halves are re-enabled; veth links need it.
    bool netns = false;
    std::vector<HostSpec> hosts;
    std::vector<LinkSpec> links;

    const HostSpec* host(const std::string& name) const;
    HostSpec* host(const std::string& name);
};

Result<Scenario> parse_scenario(const std::string& text, const std::string& file);
Result<Scenario> load_scenario_file(const std::string& path);
// Applies one "--set" override: seed=N, duration=5s, HOST.ip_forward=1, HOST.DEV.mtu=N,
// HOST.DEV.tx_ring=N, HOST.DEV.rx_ring=N, HOST.DEV.itr|rdtr|radv|tidv|tadv=N or duration,
// HOST.DEV.copybreak=N, HOST.DEV.txqueuelen=N, HOST.DEV.checksum_offload=on|off, HOST.DEV.sg=on|off, link.N.speed=1Gbit, link.N.delay=10us.
Result<void> apply_override(Scenario& s, const std::string& assignment);

// One program step in the scenario's syntax, e.g. "{send: {fd: 3, size: 4000}}" (the console's
// typed calls are translated to it, so both accept exactly the same calls and values).
Result<StepSpec> parse_step_yaml(const std::string& text, const std::string& source);

// Parsers shared with the CLI: "1s", "250ms", "10us", "100ns" -> ns; "1Gbit", "100Mbit" -> bit/s.
std::optional<TimeNs> parse_duration(const std::string& text);
std::optional<uint64_t> parse_rate(const std::string& text);

} // namespace skbscope::lab
