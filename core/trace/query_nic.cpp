// The per-NIC statistics of query_nic.h, computed in one pass over the trace. Functions are found
// by their names in the trace's string table, so a trace saved by another build reads the same.
#include "core/trace/query_nic.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>

namespace skbscope {

namespace {

constexpr const char* kRegisters[] = {"GPRC", "GPTC", "GORCL", "GOTCL", "TPR", "TPT", "MPC", "RNBC"};
constexpr struct {
    uint32_t bit;
    const char* name;
} kCauses[] = {{0x80, "RXT0"}, {0x01, "TXDW"},   {0x02, "TXQE"},
               {0x04, "LSC"},  {0x10, "RXDMT0"}, {0x40, "RXO"}};
constexpr const char* kBuckets[] = {"0", "1", "2-3", "4-7", "8-15", "16-31", "32-63", "64+"};

size_t bucket(int64_t work) {
    if (work <= 0) return 0;
    size_t b = 1;
    for (int64_t v = work; v > 1 && b < 7; v >>= 1)
        ++b;
    return b;
}

StrId find_str(const Trace& t, std::string_view s) {
    for (StrId i = 0; i < t.strings.size(); ++i)
        if (t.strings[i] == s) return i;
    return kNoRef;
}

} // namespace

Result<NicStats> nic_stats(const Trace& t, const std::string& host, const std::string& dev) {
    NicStats s;
    s.label = host + ":" + dev;
    HostId hid = 0;
    bool host_found = false;
    for (HostId h = 0; h < t.hosts.size(); ++h)
        if (t.hosts[h] == host) {
            hid = h;
            host_found = true;
        }
    if (!host_found) return Error{"no host '" + host + "' in the trace"};
    // The NIC's own context ("eth0 NIC") and every context of the host.
    std::vector<bool> on_host(t.contexts.size()), nic_ctx(t.contexts.size());
    std::string devs;
    bool dev_found = false;
    for (size_t c = 0; c < t.contexts.size(); ++c) {
        const ContextInfo& ci = t.contexts[c];
        on_host[c] = ci.host == hid;
        if (ci.host == hid && ci.kind == ContextKind::Nic) {
            const std::string name = ci.name.size() > 4 ? ci.name.substr(0, ci.name.size() - 4) : ci.name;
            devs += (devs.empty() ? "" : ", ") + name;
            nic_ctx[c] = name == dev;
            dev_found |= name == dev;
        }
    }
    if (!dev_found)
        return Error{"host " + host + " has no NIC '" + dev + "'" +
                     (devs.empty() ? " (its interfaces are veth ends or none: no rings, no interrupts)"
                                   : " (it has: " + devs + ")")};

    const StrId label = find_str(t, s.label), softnet = find_str(t, host + ":softnet_data");
    const StrId f_rx_frame = find_str(t, "nic_rx_frame"), f_missed = find_str(t, "nic_rx_missed");
    const StrId f_receive = find_str(t, "e1000_receive_skb"), f_napi_poll = find_str(t, "napi_poll");
    const StrId f_stop = find_str(t, "netif_tx_stop_queue"), f_wake = find_str(t, "netif_tx_wake_queue");

    std::map<std::string, uint64_t> regs;
    std::map<uint32_t, uint64_t> cause_count;
    std::map<uint32_t, std::deque<TimeNs>> arrivals; // packet id -> arrival times at the NIC
    std::map<ContextId, int64_t> weight;             // the last napi_poll's weight per context
    s.poll_histogram.assign(std::size(kBuckets), {});
    for (size_t b = 0; b < std::size(kBuckets); ++b)
        s.poll_histogram[b].first = kBuckets[b];
    double latency_sum = 0;

    for (const TraceEvent& e : t.events) {
        if (e.ctx >= t.contexts.size() || !on_host[e.ctx]) continue;
        switch (e.kind) {
        case EventKind::FuncEnter:
            if (nic_ctx[e.ctx] && e.name == f_rx_frame) {
                ++s.rx_frames;
                if (e.a[1]) arrivals[static_cast<uint32_t>(e.a[1])].push_back(e.time);
            } else if (nic_ctx[e.ctx] && e.name == f_missed) {
                ++s.rx_missed;
            } else if (e.name == f_receive && e.flow) {
                auto it = arrivals.find(e.flow);
                if (it == arrivals.end() || it->second.empty()) break;
                const TimeNs arrived = it->second.front();
                it->second.pop_front();
                const TimeNs lat = e.time >= arrived ? e.time - arrived : 0;
                if (s.latency_count == 0 || lat < s.latency_min) s.latency_min = lat;
                s.latency_max = std::max(s.latency_max, lat);
                latency_sum += static_cast<double>(lat);
                ++s.latency_count;
            } else if (e.name == f_napi_poll) {
                weight[e.ctx] = e.a[0];
            } else if (e.name == f_stop) {
                ++s.queue_stops;
            } else if (e.name == f_wake) {
                ++s.queue_wakes;
            }
            break;
        case EventKind::Irq:
            if (e.ref != label || e.layer != Layer::Nic) break;
            if (e.a[0] == static_cast<int64_t>(IrqOp::Deliver)) {
                ++s.interrupts;
                for (const auto& c : kCauses)
                    if (static_cast<uint32_t>(e.a[1]) & c.bit) ++cause_count[c.bit];
            } else if (e.a[0] == static_cast<int64_t>(IrqOp::Coalesce)) {
                const std::string_view n = t.str(e.name);
                if (n == "INTA") ++s.itr_holds;
                if (n == "RXT0") ++s.rx_timer_holds;
                if (n == "TXDW") ++s.tx_timer_holds;
            }
            break;
        case EventKind::Counter:
            if (e.ref == label && t.str(e.name) == "napi_poll") {
                ++s.polls;
                s.poll_packets += static_cast<uint64_t>(std::max<int64_t>(e.a[0], 0));
                ++s.poll_histogram[bucket(e.a[0])].second;
                auto w = weight.find(e.ctx);
                if (w != weight.end() && e.a[0] >= w->second && w->second > 0) ++s.repolls;
            } else if (e.ref == softnet && t.str(e.name) == "time_squeeze") {
                s.time_squeeze = std::max<uint64_t>(s.time_squeeze, static_cast<uint64_t>(e.a[0]));
            }
            break;
        case EventKind::Reg:
            if (e.ref == label && e.a[1] == static_cast<int64_t>(RegAccess::Read))
                for (const char* r : kRegisters)
                    if (t.str(e.name) == r) regs[r] += static_cast<uint64_t>(e.a[0]);
            break;
        case EventKind::Queue:
            if (e.ref != label || t.str(e.name) != "qdisc") break;
            if (e.a[0] == static_cast<int64_t>(QueueOp::Drop)) ++s.qdisc_drops;
            if (e.a[0] == static_cast<int64_t>(QueueOp::Requeue)) ++s.qdisc_requeues;
            s.qdisc_max_backlog = std::max<uint64_t>(s.qdisc_max_backlog, static_cast<uint64_t>(e.a[2]));
            break;
        default:
            break;
        }
    }
    for (const auto& c : kCauses)
        s.causes.emplace_back(c.name, cause_count[c.bit]);
    for (const char* r : kRegisters)
        s.registers.emplace_back(r, regs[r]);
    if (s.latency_count) s.latency_mean_ns = latency_sum / static_cast<double>(s.latency_count);
    return s;
}

std::string render_nic_stats(const NicStats& s) {
    std::string out = "NIC statistics of " + s.label + " (from the trace):\n";
    char buf[160];
    auto line = [&](const char* name, uint64_t v) {
        std::snprintf(buf, sizeof buf, "     %s: %llu\n", name, static_cast<unsigned long long>(v));
        out += buf;
    };
    line("interrupts", s.interrupts);
    for (const auto& [name, n] : s.causes)
        if (n) {
            std::snprintf(buf, sizeof buf, "       with %s: %llu\n", name.c_str(),
                          static_cast<unsigned long long>(n));
            out += buf;
        }
    line("held_by_itr", s.itr_holds);
    line("rxt0_held_by_rdtr_radv", s.rx_timer_holds);
    line("txdw_held_by_tidv_tadv", s.tx_timer_holds);
    line("rx_frames_at_nic", s.rx_frames);
    std::snprintf(buf, sizeof buf, "     frames_per_interrupt: %.2f\n", s.packets_per_interrupt());
    out += buf;
    line("napi_polls", s.polls);
    line("napi_packets", s.poll_packets);
    std::snprintf(buf, sizeof buf, "     packets_per_poll: %.2f\n", s.packets_per_poll());
    out += buf;
    for (const auto& [name, n] : s.poll_histogram) {
        std::snprintf(buf, sizeof buf, "       %5s packets: %llu\n", name.c_str(),
                      static_cast<unsigned long long>(n));
        out += buf;
    }
    line("napi_repolls", s.repolls);
    line("time_squeeze (host softnet_stat)", s.time_squeeze);
    line("rx_missed (ring full, MPC drops)", s.rx_missed);
    for (const auto& [name, v] : s.registers) {
        std::snprintf(buf, sizeof buf, "     reg_%s: %llu\n", name.c_str(),
                      static_cast<unsigned long long>(v));
        out += buf;
    }
    line("qdisc_drops", s.qdisc_drops);
    line("qdisc_requeues", s.qdisc_requeues);
    line("qdisc_max_backlog_bytes", s.qdisc_max_backlog);
    line("queue_stops (host)", s.queue_stops);
    line("queue_wakes (host)", s.queue_wakes);
    if (s.latency_count) {
        std::snprintf(
            buf, sizeof buf,
            "     irq_latency_us: mean %.3f min %.3f max %.3f (%llu frames, NIC arrival -> NAPI poll)\n",
            s.latency_mean_ns / 1e3, static_cast<double>(s.latency_min) / 1e3,
            static_cast<double>(s.latency_max) / 1e3, static_cast<unsigned long long>(s.latency_count));
    } else {
        std::snprintf(buf, sizeof buf, "     irq_latency_us: - (no frame reached the NAPI poll)\n");
    }
    out += buf;
    return out;
}

} // namespace skbscope
