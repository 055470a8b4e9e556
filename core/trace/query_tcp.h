// TCP state over time for one socket: the Counter events the TCP engine records (cwnd, ssthresh,
// srtt, rto, snd_una, snd_nxt, ...) folded into rows, one per moment something changed, each row
// holding every counter's value at that moment. What `skbscope-cli tcp` prints and charts plot.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope {

struct CounterSeries {
    std::string owner;              // "A:sock 3"
    std::vector<std::string> names; // in order of first appearance
    struct Row {
        TimeNs time = 0;
        size_t seq = 0; // the first event of the row
        std::vector<std::optional<int64_t>> values;
    };
    std::vector<Row> rows;
};

// Owners (e.g. "A:sock 3") that have Counter events in the Tcp layer, in order of appearance.
std::vector<std::string> tcp_counter_owners(const Trace& t);
// The series of owner "<host>:sock <fd>"; an error lists the sockets that have counters.
Result<CounterSeries> tcp_counter_series(const Trace& t, const std::string& host, uint64_t fd);
// A fixed-width table: time in ms, then one column per counter ("-" before its first value).
std::string render_counter_series(const CounterSeries& s);

} // namespace skbscope
