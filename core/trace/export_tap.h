// pcap of what a tcpdump program captured on one host ("B:tap"), rebuilt from the trace: each
// pcap_dump call the program made is a FuncEnter event with the frame as its blob (ref2), a0 the
// frame's timestamp (the tap's: when packet_rcv saw it) and a1 its length before the snapshot cut.
// So the file holds exactly the frames the program received through its filter, in the order it
// read them, with the tap's timestamps.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope {

struct TapFrame {
    uint64_t time_ns = 0;  // the tap's timestamp
    uint32_t orig_len = 0; // before the snapshot cut
    size_t seq = 0;        // the pcap_dump event
    std::span<const uint8_t> bytes;
};

// True for "HOST:tap" (what --pcap takes for a tap instead of "HOST:DEV").
bool is_tap_name(std::string_view name);

// The frames the tcpdump programs of HOST ("B:tap") wrote, in event order. An unknown host, or a
// host that ran no tcpdump program, is an error naming the hosts that did.
Result<std::vector<TapFrame>> tap_frames(const Trace& t, std::string_view tap);

// Writes them as classic pcap (nanosecond timestamps). Errors read "<path>: <problem>".
Result<void> export_tap_pcap(const Trace& t, std::string_view tap, const std::string& path);

} // namespace skbscope
