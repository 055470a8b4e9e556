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
};

struct RouteSpec {
    wire::Ipv4Addr dst;
    int prefix_len = 0;
    std::optional<wire::Ipv4Addr> via;
    std::string dev;
};

// One socket call (or sleep) of a scripted program.
struct StepSpec {
    enum class Op { Socket, Bind, Sendto, Recvfrom, Setsockopt, Close, Sleep } op = Op::Sleep;
    int fd = -1;
    int domain = 2, type = 2, protocol = 0; // socket
    std::optional<wire::Ipv4Addr> addr;     // bind / sendto destination
    uint16_t port = 0;
    std::vector<uint8_t> data;              // sendto
    uint64_t len = 0;                       // recvfrom
    int level = 0, optname = 0;             // setsockopt
    int64_t value = 0;
    int flags = 0;
    TimeNs duration = 0;                    // sleep
    int line = 0;                           // for messages
};

struct ProgramSpec {
    std::string name;
    int pid = 0;
    TimeNs start = 0;
    enum class Kind { Steps, Ping } kind = Kind::Steps;
    std::vector<StepSpec> steps;
    // ping
    wire::Ipv4Addr ping_dst;
    int ping_count = 3;
    TimeNs ping_interval = kNsPerSec;
    uint32_t ping_size = 56;
};

struct HostSpec {
    std::string name;
    bool ip_forward = false;
    std::vector<InterfaceSpec> interfaces;
    std::vector<RouteSpec> routes;
    std::vector<ProgramSpec> programs;
};

struct LinkSpec {
    std::string a_host, a_dev, b_host, b_dev;
    uint64_t speed_bps = 1'000'000'000ULL;
    TimeNs delay = 5 * kNsPerUs;
};

struct Scenario {
    std::string file;
    std::string name;
    std::string description;
    uint64_t seed = 1;
    TimeNs duration = 60 * kNsPerSec; // the run stops here at the latest
    std::vector<HostSpec> hosts;
    std::vector<LinkSpec> links;

    const HostSpec* host(const std::string& name) const;
    HostSpec* host(const std::string& name);
};

Result<Scenario> parse_scenario(const std::string& text, const std::string& file);
Result<Scenario> load_scenario_file(const std::string& path);
// Applies one "--set" override: seed=N, duration=5s, HOST.ip_forward=1, HOST.DEV.mtu=N,
// HOST.DEV.tx_ring=N, HOST.DEV.rx_ring=N, link.N.speed=1Gbit, link.N.delay=10us.
Result<void> apply_override(Scenario& s, const std::string& assignment);

// Parsers shared with the CLI: "1s", "250ms", "10us", "100ns" -> ns; "1Gbit", "100Mbit" -> bit/s.
std::optional<TimeNs> parse_duration(const std::string& text);
std::optional<uint64_t> parse_rate(const std::string& text);

} // namespace skbscope::lab
