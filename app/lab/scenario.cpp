// Scenario loading with yaml-cpp. yaml-cpp reports syntax errors by exception: they are caught
// here (app/ is the I/O boundary) and turned into "<file>:<line>:<col>: ..." errors. Every field
// is checked; unknown keys are errors too, so a typo never silently changes a lesson.
#include "app/lab/scenario.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "app/lab/scenario_yaml.h"
#include "app/lab/tcpdump_program.h"
#include "nic/link/link.h"

namespace skbscope::lab {

std::optional<bool> parse_bool(const std::string& s) {
    if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
    if (s == "false" || s == "no" || s == "off" || s == "0") return false;
    return std::nullopt;
}

// Checks that a map holds only the allowed keys.
Result<void> only_keys(const Ctx& c, const YAML::Node& n, const std::string& path,
                       std::initializer_list<const char*> allowed) {
    if (!n.IsMap()) return c.err(n, path, "expected a mapping");
    for (auto it = n.begin(); it != n.end(); ++it) {
        std::string k = scalar(it->first);
        bool ok = false;
        for (const char* a : allowed) ok |= (k == a);
        if (!ok) {
            std::string list;
            for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
            return c.err(it->first, path, "unknown key '" + k + "' (expected one of: " + list + ")");
        }
    }
    return {};
}

std::optional<std::pair<wire::Ipv4Addr, int>> parse_cidr(const std::string& s) {
    auto slash = s.find('/');
    if (slash == std::string::npos) return std::nullopt;
    auto a = wire::Ipv4Addr::parse(s.substr(0, slash));
    auto p = parse_int<int>(s.substr(slash + 1));
    if (!a || !p || *p < 0 || *p > 32) return std::nullopt;
    return std::make_pair(*a, *p);
}

std::optional<std::pair<wire::Ipv4Addr, uint16_t>> parse_endpoint(const std::string& s) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    auto a = wire::Ipv4Addr::parse(s.substr(0, colon));
    auto p = parse_int<uint32_t>(s.substr(colon + 1));
    if (!a || !p || *p > 65535) return std::nullopt;
    return std::make_pair(*a, static_cast<uint16_t>(*p));
}

namespace {

// The NIC settings an interface takes both in the file and from --set: the moderation registers
// (a plain number in the register's units, or a duration rounded to them), copybreak, txqueuelen and
// checksum_offload and sg. Returns "" when set, else what was expected; nullopt for another key.
std::optional<std::string> set_nic_setting(InterfaceSpec& i, const std::string& key, const std::string& val) {
    auto units = [&](uint32_t& out, TimeNs unit_ns, const char* unit) -> std::string {
        std::optional<uint64_t> v;
        if (!val.empty() && val.find_first_not_of("0123456789") == std::string::npos)
            v = parse_int<uint64_t>(val);
        else if (auto d = parse_duration(val); d && !val.empty() && !isdigit(static_cast<unsigned char>(val.back())))
            v = (*d + unit_ns / 2) / unit_ns;
        if (!v || *v > 0xFFFF)
            return std::string("expected a number of ") + unit + " units (0..65535) or a duration like 100us";
        out = static_cast<uint32_t>(*v);
        return "";
    };
    if (key == "itr") return units(i.itr, 256, "256 ns");
    if (key == "rdtr") return units(i.rdtr, 1024, "1.024 us");
    if (key == "radv") return units(i.radv, 1024, "1.024 us");
    if (key == "tidv") return units(i.tidv, 1024, "1.024 us");
    if (key == "tadv") return units(i.tadv, 1024, "1.024 us");
    if (key == "copybreak") {
        auto v = parse_int<uint32_t>(val);
        if (!v || *v > 16384) return std::string("expected a frame length from 0 to 16384");
        i.copybreak = *v;
        return "";
    }
    if (key == "txqueuelen") {
        auto v = parse_int<uint32_t>(val);
        if (!v || *v < 1 || *v > 100000) return std::string("expected a queue length from 1 to 100000 packets");
        i.txqueuelen = *v;
        return "";
    }
    if (key == "checksum_offload") {
        auto b = parse_bool(val);
        if (!b) return std::string("expected on or off");
        i.checksum_offload = *b;
        return "";
    }
    if (key == "sg") {
        auto b = parse_bool(val);
        if (!b) return std::string("expected on or off");
        i.sg = *b;
        return "";
    }
    return std::nullopt;
}

Result<InterfaceSpec> parse_interface(const Ctx& c, const std::string& name, const YAML::Node& n,
                                      const std::string& path) {
    TRY(only_keys(c, n, path, {"mac", "address", "mtu", "tx_ring", "rx_ring", "itr", "rdtr", "radv", "tidv",
                               "tadv", "copybreak", "checksum_offload", "sg", "txqueuelen"}));
    InterfaceSpec i;
    i.name = name;
    if (!n["mac"]) return c.err(n, path + ".mac", "missing (e.g. mac: \"02:00:00:00:00:01\")");
    auto mac = wire::MacAddr::parse(scalar(n["mac"]));
    if (!mac) return c.err(n["mac"], path + ".mac", "not a MAC address: '" + scalar(n["mac"]) + "'");
    i.mac = *mac;
    if (n["address"]) {
        auto cidr = parse_cidr(scalar(n["address"]));
        if (!cidr) return c.err(n["address"], path + ".address", "expected A.B.C.D/N, got '" + scalar(n["address"]) + "'");
        i.address = cidr->first;
        i.prefix_len = cidr->second;
    }
    auto num = [&](const char* key, uint32_t& out, uint32_t lo, uint32_t hi) -> Result<void> {
        if (!n[key]) return {};
        auto v = parse_int<uint32_t>(scalar(n[key]));
        if (!v || *v < lo || *v > hi)
            return c.err(n[key], path + "." + key,
                         "expected a number from " + std::to_string(lo) + " to " + std::to_string(hi));
        out = *v;
        return {};
    };
    TRY(num("mtu", i.mtu, 68, 9000));
    TRY(num("tx_ring", i.tx_ring, 8, 4096));
    TRY(num("rx_ring", i.rx_ring, 8, 4096));
    if (i.tx_ring % 8 || i.rx_ring % 8) return c.err(n, path, "ring sizes must be multiples of 8 (e1000 RDLEN/TDLEN)");
    for (const char* key : {"itr", "rdtr", "radv", "tidv", "tadv", "copybreak", "checksum_offload", "sg", "txqueuelen"}) {
        if (!n[key]) continue;
        const std::string why = *set_nic_setting(i, key, scalar(n[key]));
        if (!why.empty()) return c.err(n[key], path + "." + key, why + ", got '" + scalar(n[key]) + "'");
    }
    return i;
}

Result<RouteSpec> parse_route(const Ctx& c, const YAML::Node& n, const std::string& path) {
    TRY(only_keys(c, n, path, {"dst", "via", "dev"}));
    RouteSpec r;
    if (!n["dst"]) return c.err(n, path + ".dst", "missing (a prefix like 10.0.0.0/8, or default)");
    std::string dst = scalar(n["dst"]);
    if (dst != "default") {
        auto cidr = parse_cidr(dst);
        if (!cidr) return c.err(n["dst"], path + ".dst", "expected A.B.C.D/N or default, got '" + dst + "'");
        r.dst = cidr->first;
        r.prefix_len = cidr->second;
    }
    if (n["via"]) {
        auto gw = wire::Ipv4Addr::parse(scalar(n["via"]));
        if (!gw) return c.err(n["via"], path + ".via", "not an IPv4 address: '" + scalar(n["via"]) + "'");
        r.via = *gw;
    }
    if (!n["dev"]) return c.err(n, path + ".dev", "missing (the interface, e.g. eth0)");
    r.dev = scalar(n["dev"]);
    return r;
}

} // namespace

std::optional<TimeNs> parse_duration(const std::string& text) {
    size_t i = 0;
    while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == 0) return std::nullopt;
    double v = 0;
    try {
        v = std::stod(text.substr(0, i));
    } catch (...) {
        return std::nullopt;
    }
    std::string unit = text.substr(i);
    double mul;
    if (unit == "s") mul = 1e9;
    else if (unit == "ms") mul = 1e6;
    else if (unit == "us") mul = 1e3;
    else if (unit == "ns" || unit.empty()) mul = 1;
    else return std::nullopt;
    double ns = v * mul;
    if (ns < 0 || ns > 1e18) return std::nullopt;
    return static_cast<TimeNs>(ns + 0.5);
}

std::optional<uint64_t> parse_rate(const std::string& text) {
    size_t i = 0;
    while (i < text.size() && isdigit(static_cast<unsigned char>(text[i]))) ++i;
    auto v = parse_int<uint64_t>(text.substr(0, i));
    if (!v || *v == 0) return std::nullopt;
    std::string unit = text.substr(i);
    uint64_t mul;
    if (unit == "Gbit") mul = 1'000'000'000ULL;
    else if (unit == "Mbit") mul = 1'000'000ULL;
    else if (unit == "Kbit") mul = 1'000ULL;
    else if (unit == "bit" || unit.empty()) mul = 1;
    else return std::nullopt;
    if (*v > 400'000'000'000ULL / mul) return std::nullopt;
    return *v * mul;
}

namespace {

Result<ProgramSpec> parse_program(const Ctx& c, const YAML::Node& n, const std::string& path, int pid) {
    TRY(only_keys(c, n, path, {"name", "start", "steps", "ping", "tcpdump"}));
    ProgramSpec p;
    p.pid = pid;
    p.name = n["name"] ? scalar(n["name"]) : (n["ping"] ? "ping" : n["tcpdump"] ? "tcpdump" : "prog");
    if (n["start"]) {
        auto d = parse_duration(scalar(n["start"]));
        if (!d) return c.err(n["start"], path + ".start", "expected a duration like 10ms");
        p.start = *d;
    }
    if (n["ping"] && n["steps"]) return c.err(n, path, "a program has either steps or ping, not both");
    if (n["tcpdump"] && (n["steps"] || n["ping"]))
        return c.err(n, path, "a program has one of steps, ping or tcpdump");
    if (n["tcpdump"]) {
        const YAML::Node tn = n["tcpdump"];
        if (!tn.IsMap() && !tn.IsNull()) return c.err(tn, path + ".tcpdump", "expected a mapping (filter, count, snaplen, interface)");
        if (tn.IsMap()) TRY(only_keys(c, tn, path + ".tcpdump", {"filter", "count", "snaplen", "interface"}));
        p.kind = ProgramSpec::Kind::Tcpdump;
        if (tn["count"]) {
            auto cnt = parse_int<int>(scalar(tn["count"]));
            if (!cnt || *cnt < 1 || *cnt > 1000000) return c.err(tn["count"], path + ".tcpdump.count", "expected 1..1000000");
            p.tcpdump_count = *cnt;
        }
        if (tn["snaplen"]) {
            auto sl = parse_int<int>(scalar(tn["snaplen"]));
            if (!sl || *sl < 1 || *sl > 262144) return c.err(tn["snaplen"], path + ".tcpdump.snaplen", "expected 1..262144 bytes");
            p.tcpdump_snaplen = *sl;
        }
        if (tn["interface"]) p.tcpdump_interface = scalar(tn["interface"]);
        if (tn["filter"]) {
            p.tcpdump_filter = scalar(tn["filter"]);
            auto prog = tcpdump_compile(p.tcpdump_filter, p.tcpdump_snaplen);
            if (!prog)
                return c.err(tn["filter"], path + ".tcpdump.filter",
                             "cannot compile \"" + p.tcpdump_filter + "\": " + prog.error().message);
        }
        return p;
    }
    if (n["ping"]) {
        const YAML::Node pn = n["ping"];
        TRY(only_keys(c, pn, path + ".ping", {"dst", "count", "interval", "size", "ttl"}));
        p.kind = ProgramSpec::Kind::Ping;
        auto dst = pn["dst"] ? wire::Ipv4Addr::parse(scalar(pn["dst"])) : std::nullopt;
        if (!dst) return c.err(pn, path + ".ping.dst", "missing or not an IPv4 address");
        p.ping_dst = *dst;
        if (pn["count"]) {
            auto cnt = parse_int<int>(scalar(pn["count"]));
            if (!cnt || *cnt < 1 || *cnt > 100000) return c.err(pn["count"], path + ".ping.count", "expected 1..100000");
            p.ping_count = *cnt;
        }
        if (pn["interval"]) {
            auto d = parse_duration(scalar(pn["interval"]));
            if (!d || *d == 0) return c.err(pn["interval"], path + ".ping.interval", "expected a duration like 1s");
            p.ping_interval = *d;
        }
        if (pn["size"]) {
            auto sz = parse_int<uint32_t>(scalar(pn["size"]));
            if (!sz || *sz < 16 || *sz > 1472) return c.err(pn["size"], path + ".ping.size", "expected 16..1472 data bytes");
            p.ping_size = *sz;
        }
        if (pn["ttl"]) { // ping -t
            auto ttl = parse_int<int>(scalar(pn["ttl"]));
            if (!ttl || *ttl < 1 || *ttl > 255) return c.err(pn["ttl"], path + ".ping.ttl", "expected a TTL from 1 to 255");
            p.ping_ttl = *ttl;
        }
        return p;
    }
    if (!n["steps"] || !n["steps"].IsSequence()) return c.err(n, path + ".steps", "missing: a list of calls");
    for (size_t i = 0; i < n["steps"].size(); ++i) {
        auto s = parse_step(c, n["steps"][i], path + ".steps[" + std::to_string(i) + "]");
        if (!s) return s.error();
        p.steps.push_back(std::move(*s));
    }
    return p;
}

Result<NetfilterRuleSpec> parse_netfilter(const Ctx& c, const YAML::Node& n, const std::string& path) {
    TRY(only_keys(c, n, path, {"hook", "proto", "src", "dst", "sport", "dport", "verdict"}));
    NetfilterRuleSpec r;
    static const char* const hooks[] = {"PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING"};
    if (!n["hook"]) return c.err(n, path + ".hook", "missing (PRE_ROUTING, LOCAL_IN, FORWARD, LOCAL_OUT or POST_ROUTING)");
    std::string hook = scalar(n["hook"]);
    r.hook = -1;
    for (int i = 0; i < 5; ++i)
        if (hook == hooks[i]) r.hook = i;
    if (r.hook < 0)
        return c.err(n["hook"], path + ".hook",
                     "expected one of PRE_ROUTING, LOCAL_IN, FORWARD, LOCAL_OUT, POST_ROUTING, got '" + hook + "'");
    if (n["proto"]) {
        std::string p = scalar(n["proto"]);
        if (p == "udp") r.proto = 17;
        else if (p == "tcp") r.proto = 6;
        else if (p == "icmp") r.proto = 1;
        else if (p != "all") return c.err(n["proto"], path + ".proto", "expected one of udp, tcp, icmp, all, got '" + p + "'");
    }
    auto addr = [&](const char* key, std::optional<wire::Ipv4Addr>& out, int& prefix) -> Result<void> {
        if (!n[key]) return {};
        std::string v = scalar(n[key]);
        if (auto cidr = parse_cidr(v)) {
            out = cidr->first;
            prefix = cidr->second;
        } else if (auto a = wire::Ipv4Addr::parse(v)) {
            out = *a;
            prefix = 32;
        } else {
            return c.err(n[key], path + "." + key, "expected A.B.C.D or A.B.C.D/N, got '" + v + "'");
        }
        return {};
    };
    TRY(addr("src", r.src, r.src_prefix));
    TRY(addr("dst", r.dst, r.dst_prefix));
    auto port = [&](const char* key, std::optional<uint16_t>& out) -> Result<void> {
        if (!n[key]) return {};
        auto v = parse_int<uint32_t>(scalar(n[key]));
        if (!v || *v < 1 || *v > 65535) return c.err(n[key], path + "." + key, "expected a port from 1 to 65535");
        if (r.proto != 6 && r.proto != 17)
            return c.err(n[key], path + "." + key, "a port match needs proto: udp or tcp");
        out = static_cast<uint16_t>(*v);
        return {};
    };
    TRY(port("sport", r.sport));
    TRY(port("dport", r.dport));
    if (!n["verdict"]) return c.err(n, path + ".verdict", "missing (ACCEPT or DROP)");
    std::string v = scalar(n["verdict"]);
    if (v == "DROP") r.drop = true;
    else if (v == "ACCEPT") r.drop = false;
    else return c.err(n["verdict"], path + ".verdict", "expected ACCEPT or DROP, got '" + v + "'");
    return r;
}

Result<HostSpec> parse_host(const Ctx& c, const std::string& name, const YAML::Node& n, const std::string& path,
                            int& next_pid) {
    TRY(only_keys(c, n, path, {"interfaces", "routes", "programs", "ip_forward", "netfilter"}));
    HostSpec h;
    h.name = name;
    if (n["ip_forward"]) {
        auto b = parse_bool(scalar(n["ip_forward"]));
        if (!b) return c.err(n["ip_forward"], path + ".ip_forward", "expected true or false");
        h.ip_forward = *b;
    }
    if (!n["interfaces"] || !n["interfaces"].IsMap() || n["interfaces"].size() == 0)
        return c.err(n, path + ".interfaces", "missing: at least one interface, e.g. eth0: {mac: ..., address: ...}");
    for (auto it = n["interfaces"].begin(); it != n["interfaces"].end(); ++it) {
        std::string dev = scalar(it->first);
        auto i = parse_interface(c, dev, it->second, path + ".interfaces." + dev);
        if (!i) return i.error();
        h.interfaces.push_back(std::move(*i));
    }
    if (n["routes"]) {
        if (!n["routes"].IsSequence()) return c.err(n["routes"], path + ".routes", "expected a list");
        for (size_t i = 0; i < n["routes"].size(); ++i) {
            std::string rp = path + ".routes[" + std::to_string(i) + "]";
            auto r = parse_route(c, n["routes"][i], rp);
            if (!r) return r.error();
            bool known = false;
            for (auto& itf : h.interfaces) known |= itf.name == r->dev;
            if (!known) return c.err(n["routes"][i], rp + ".dev", "no interface '" + r->dev + "' on host " + name);
            h.routes.push_back(std::move(*r));
        }
    }
    if (n["netfilter"]) {
        if (!n["netfilter"].IsSequence()) return c.err(n["netfilter"], path + ".netfilter", "expected a list");
        for (size_t i = 0; i < n["netfilter"].size(); ++i) {
            auto r = parse_netfilter(c, n["netfilter"][i], path + ".netfilter[" + std::to_string(i) + "]");
            if (!r) return r.error();
            h.netfilter.push_back(*r);
        }
    }
    if (n["programs"]) {
        if (!n["programs"].IsSequence()) return c.err(n["programs"], path + ".programs", "expected a list");
        for (size_t i = 0; i < n["programs"].size(); ++i) {
            auto p = parse_program(c, n["programs"][i], path + ".programs[" + std::to_string(i) + "]", next_pid++);
            if (!p) return p.error();
            if (p->kind == ProgramSpec::Kind::Tcpdump && !p->tcpdump_interface.empty() &&
                std::none_of(h.interfaces.begin(), h.interfaces.end(),
                             [&](const InterfaceSpec& i) { return i.name == p->tcpdump_interface || p->tcpdump_interface == "lo"; }))
                return c.err(n["programs"][i]["tcpdump"]["interface"],
                             path + ".programs[" + std::to_string(i) + "].tcpdump.interface",
                             "no interface '" + p->tcpdump_interface + "' on this host");
            h.programs.push_back(std::move(*p));
        }
    }
    return h;
}

// "1%", "0.5%", "100%" -> 0.01, 0.005, 1.0.
std::optional<double> parse_percent(const std::string& text) {
    if (text.size() < 2 || text.back() != '%') return std::nullopt;
    const std::string num = text.substr(0, text.size() - 1);
    double v = 0;
    auto r = std::from_chars(num.data(), num.data() + num.size(), v);
    if (r.ec != std::errc() || r.ptr != num.data() + num.size() || !(v >= 0 && v <= 100)) return std::nullopt;
    return v / 100;
}

// The impairment keys of a link or of one direction (a_to_b: {...}), applied onto `d`.
Result<void> parse_impairments(const Ctx& c, const YAML::Node& n, const std::string& path, LinkDirSpec& d) {
    for (auto [key, field] : {std::pair{"loss", &d.loss}, std::pair{"duplicate", &d.duplicate},
                              std::pair{"reorder", &d.reorder}, std::pair{"corrupt", &d.corrupt}}) {
        if (!n[key]) continue;
        auto p = parse_percent(scalar(n[key]));
        if (!p) return c.err(n[key], path + "." + key, "expected a percentage like 1%");
        *field = *p;
    }
    if (n["reorder_delay"]) {
        auto t = parse_duration(scalar(n["reorder_delay"]));
        if (!t) return c.err(n["reorder_delay"], path + ".reorder_delay", "expected a duration like 1ms");
        d.reorder_delay = *t;
    }
    return {};
}

Result<LinkDropSpec> parse_drop(const Ctx& c, const YAML::Node& n, const std::string& path) {
    TRY(only_keys(c, n, path, {"dir", "match", "nth"}));
    LinkDropSpec d;
    if (n["dir"]) {
        std::string v = scalar(n["dir"]);
        if (v != "a_to_b" && v != "b_to_a") return c.err(n["dir"], path + ".dir", "expected a_to_b or b_to_a");
        d.a_to_b = v == "a_to_b";
    }
    if (n["match"]) {
        d.match = scalar(n["match"]);
        if (!frame_match_from_name(d.match))
            return c.err(n["match"], path + ".match", "expected any, tcp-data, tcp-syn, arp, icmp or udp");
    }
    if (!n["nth"]) return c.err(n, path + ".nth", "missing (which matching frame to drop, from 1)");
    auto nth = parse_int<uint64_t>(scalar(n["nth"]));
    if (!nth || *nth == 0) return c.err(n["nth"], path + ".nth", "expected a positive integer");
    d.nth = *nth;
    return d;
}

Result<LinkSpec> parse_link(const Ctx& c, const Scenario& s, const YAML::Node& n, const std::string& path) {
    TRY(only_keys(c, n, path, {"a", "b", "type", "speed", "delay", "loss", "duplicate", "reorder", "reorder_delay",
                                "corrupt", "a_to_b", "b_to_a", "drop"}));
    LinkSpec l;
    if (n["type"]) {
        const std::string t = scalar(n["type"]);
        if (t == "veth") l.type = LinkType::Veth;
        else if (t != "ethernet") return c.err(n["type"], path + ".type", "expected ethernet or veth, got '" + t + "'");
    }
    if (l.type == LinkType::Veth) {
        if (!s.netns)
            return c.err(n["type"], path + ".type",
                         "a veth pair joins network namespaces of one kernel: set `netns: true` at the top of the scenario");
        for (const char* key : {"speed", "delay", "loss", "duplicate", "reorder", "reorder_delay", "corrupt", "a_to_b",
                                "b_to_a", "drop"})
            if (n[key])
                return c.err(n[key], path + "." + key,
                             std::string("a veth pair has no wire: '") + key + "' applies to ethernet links only");
    }
    auto end = [&](const char* key, std::string& host, std::string& dev) -> Result<void> {
        if (!n[key]) return c.err(n, path + "." + key, "missing (HOST:DEV, e.g. A:eth0)");
        std::string v = scalar(n[key]);
        auto colon = v.find(':');
        if (colon == std::string::npos) return c.err(n[key], path + "." + key, "expected HOST:DEV, got '" + v + "'");
        host = v.substr(0, colon);
        dev = v.substr(colon + 1);
        const HostSpec* h = s.host(host);
        if (!h) return c.err(n[key], path + "." + key, "no host '" + host + "'");
        bool found = false;
        for (auto& i : h->interfaces) found |= i.name == dev;
        if (!found) return c.err(n[key], path + "." + key, "host " + host + " has no interface '" + dev + "'");
        return {};
    };
    TRY(end("a", l.a_host, l.a_dev));
    TRY(end("b", l.b_host, l.b_dev));
    if (n["speed"]) {
        auto r = parse_rate(scalar(n["speed"]));
        if (!r) return c.err(n["speed"], path + ".speed", "expected a rate like 1Gbit or 100Mbit");
        l.speed_bps = *r;
    }
    if (n["delay"]) {
        auto d = parse_duration(scalar(n["delay"]));
        if (!d) return c.err(n["delay"], path + ".delay", "expected a duration like 5us");
        l.delay = *d;
    }
    // Impairments: the link's keys set both directions, a_to_b / b_to_a override field by field.
    TRY(parse_impairments(c, n, path, l.a_to_b));
    l.b_to_a = l.a_to_b;
    for (auto [key, dir] : {std::pair{"a_to_b", &l.a_to_b}, std::pair{"b_to_a", &l.b_to_a}}) {
        if (!n[key]) continue;
        TRY(only_keys(c, n[key], path + "." + key, {"loss", "duplicate", "reorder", "reorder_delay", "corrupt"}));
        TRY(parse_impairments(c, n[key], path + "." + key, *dir));
    }
    if (n["drop"]) {
        if (!n["drop"].IsSequence()) return c.err(n["drop"], path + ".drop", "expected a list like [{dir: a_to_b, match: tcp-data, nth: 3}]");
        for (size_t i = 0; i < n["drop"].size(); ++i) {
            auto d = parse_drop(c, n["drop"][i], path + ".drop[" + std::to_string(i) + "]");
            if (!d) return d.error();
            l.drops.push_back(std::move(*d));
        }
    }
    return l;
}

} // namespace

const HostSpec* Scenario::host(const std::string& name) const {
    for (auto& h : hosts)
        if (h.name == name) return &h;
    return nullptr;
}
HostSpec* Scenario::host(const std::string& name) {
    for (auto& h : hosts)
        if (h.name == name) return &h;
    return nullptr;
}

Result<Scenario> parse_scenario(const std::string& text, const std::string& file) {
    Ctx c{file};
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        return Error{file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                     ": not valid YAML: " + e.msg};
    }
    try {
        if (!root.IsMap()) return Error{file + ": not a scenario: expected a YAML mapping with hosts and links"};
        TRY(only_keys(c, root, "scenario", {"name", "description", "seed", "duration", "netns", "hosts", "links"}));
        Scenario s;
        s.file = file;
        s.name = root["name"] ? scalar(root["name"]) : file;
        s.description = root["description"] ? scalar(root["description"]) : "";
        if (root["seed"]) {
            auto v = parse_int<uint64_t>(scalar(root["seed"]));
            if (!v) return c.err(root["seed"], "seed", "expected a non-negative integer");
            s.seed = *v;
        }
        if (root["duration"]) {
            auto d = parse_duration(scalar(root["duration"]));
            if (!d || *d == 0) return c.err(root["duration"], "duration", "expected a duration like 10s");
            s.duration = *d;
        }
        if (root["netns"]) {
            const std::string v = scalar(root["netns"]);
            if (v == "true") s.netns = true;
            else if (v != "false") return c.err(root["netns"], "netns", "expected true or false, got '" + v + "'");
        }
        if (!root["hosts"] || !root["hosts"].IsMap() || root["hosts"].size() == 0)
            return c.err(root, "hosts", "missing: a mapping of host names to hosts");
        int next_pid = 100;
        std::set<std::string> macs;
        for (auto it = root["hosts"].begin(); it != root["hosts"].end(); ++it) {
            std::string name = scalar(it->first);
            if (name.empty() || name.find_first_of(":. ") != std::string::npos)
                return c.err(it->first, "hosts", "host names must be non-empty without ':', '.' or spaces");
            auto h = parse_host(c, name, it->second, "hosts." + name, next_pid);
            if (!h) return h.error();
            for (auto& i : h->interfaces)
                if (!macs.insert(i.mac.to_string()).second)
                    return c.err(it->second, "hosts." + name + ".interfaces." + i.name + ".mac",
                                 "MAC address " + i.mac.to_string() + " is used twice");
            s.hosts.push_back(std::move(*h));
        }
        if (root["links"]) {
            if (!root["links"].IsSequence()) return c.err(root["links"], "links", "expected a list");
            std::set<std::string> used;
            for (size_t i = 0; i < root["links"].size(); ++i) {
                std::string lp = "links[" + std::to_string(i) + "]";
                auto l = parse_link(c, s, root["links"][i], lp);
                if (!l) return l.error();
                for (auto e : {l->a_host + ":" + l->a_dev, l->b_host + ":" + l->b_dev})
                    if (!used.insert(e).second) return c.err(root["links"][i], lp, e + " is on two links");
                s.links.push_back(std::move(*l));
            }
        }
        return s;
    } catch (const YAML::Exception& e) {
        return Error{file + ": " + e.what()};
    }
}

Result<Scenario> load_scenario_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path + ": cannot open scenario file"};
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Error{path + ": read error"};
    std::string text = ss.str();
    if (text.find('\0') != std::string::npos) return Error{path + ": not a scenario: binary data"};
    return parse_scenario(text, path);
}

Result<void> apply_override(Scenario& s, const std::string& assignment) {
    auto eq = assignment.find('=');
    if (eq == std::string::npos) return Error{"--set " + assignment + ": expected KEY=VALUE"};
    std::string key = assignment.substr(0, eq), val = assignment.substr(eq + 1);
    auto bad = [&](const std::string& why) { return Error{"--set " + assignment + ": " + why}; };
    if (key == "seed") {
        auto v = parse_int<uint64_t>(val);
        if (!v) return bad("expected a non-negative integer");
        s.seed = *v;
        return {};
    }
    if (key == "duration") {
        auto d = parse_duration(val);
        if (!d || *d == 0) return bad("expected a duration like 10s");
        s.duration = *d;
        return {};
    }
    std::vector<std::string> parts;
    std::stringstream ks(key);
    for (std::string part; std::getline(ks, part, '.');) parts.push_back(part);
    if (parts.size() == 3 && parts[0] == "link") {
        auto idx = parse_int<size_t>(parts[1]);
        if (!idx || *idx >= s.links.size()) return bad("no link " + parts[1]);
        if (s.links[*idx].type == LinkType::Veth) return bad("link " + parts[1] + " is a veth pair: it has no wire");
        if (parts[2] == "speed") {
            auto r = parse_rate(val);
            if (!r) return bad("expected a rate like 1Gbit");
            s.links[*idx].speed_bps = *r;
        } else if (parts[2] == "delay") {
            auto d = parse_duration(val);
            if (!d) return bad("expected a duration like 5us");
            s.links[*idx].delay = *d;
        } else {
            return bad("links have speed and delay");
        }
        return {};
    }
    if (parts.empty()) return bad("empty key");
    HostSpec* h = s.host(parts[0]);
    if (!h) return bad("no host '" + parts[0] + "'");
    if (parts.size() == 2 && parts[1] == "ip_forward") {
        auto b = parse_bool(val);
        if (!b) return bad("expected true or false");
        h->ip_forward = *b;
        return {};
    }
    if (parts.size() == 3) {
        for (auto& i : h->interfaces) {
            if (i.name != parts[1]) continue;
            if (auto why = set_nic_setting(i, parts[2], val)) {
                if (!why->empty()) return bad(*why);
                return {};
            }
            auto v = parse_int<uint32_t>(val);
            if (!v) return bad("expected a number");
            if (parts[2] == "mtu" && *v >= 68 && *v <= 9000) i.mtu = *v;
            else if (parts[2] == "tx_ring" && *v >= 8 && *v <= 4096 && *v % 8 == 0) i.tx_ring = *v;
            else if (parts[2] == "rx_ring" && *v >= 8 && *v <= 4096 && *v % 8 == 0) i.rx_ring = *v;
            else return bad("unknown key or value out of range (mtu 68..9000, tx_ring/rx_ring 8..4096 multiple of 8; "
                            "also itr, rdtr, radv, tidv, tadv, copybreak, checksum_offload, sg, txqueuelen)");
            return {};
        }
        return bad("host " + parts[0] + " has no interface '" + parts[1] + "'");
    }
    return bad("unknown key (seed, duration, HOST.ip_forward, HOST.DEV.mtu|tx_ring|rx_ring|itr|rdtr|radv|tidv|tadv|"
               "copybreak|checksum_offload|sg|txqueuelen, link.N.speed|delay)");
}

} // namespace skbscope::lab
