// pcap / pcapng of one interface, rebuilt from the trace's Wire events: what tcpdump on that
// interface would have captured. A link is named "<H>:<dev> <-> <H2>:<dev2>"; a Wire event's a1 is
// the port that sent the frame (0 = left side, 1 = right side), a0 its length, a2 the time its last
// bit arrives. For "A:eth0" the capture holds the frames A:eth0 sent (stamped with the event time)
// and those it received (stamped with the arrival time), in time order. The Wire event's a3
// (WireFate) says what the link did: a lost or corrupted frame is only in the sender's capture, a
// duplicate the link made only in the receiver's.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/trace/trace.h"
#include "core/util/result.h"

namespace skbscope {

struct CapturedFrame {
    uint64_t time_ns = 0;
    size_t seq = 0;    // the Wire event
    bool sent = false; // sent by the interface (else received)
    uint32_t flow = 0;
    std::span<const uint8_t> bytes; // into the trace's blob store
};

// Every interface that appears at an end of a link with Wire events, sorted ("A:eth0", "B:eth0").
std::vector<std::string> trace_interfaces(const Trace& t);

// The frames iface sent and received, by time (then sequence). An unknown interface is an error
// that lists the available ones: "no interface 'C:eth0' in the trace (available: A:eth0, R:eth0)".
Result<std::vector<CapturedFrame>> interface_frames(const Trace& t, std::string_view iface);

// Writes them as classic pcap (nanosecond timestamps) or as pcapng with the comment
// "skbscope event #<seq>" on each packet. Errors read "<path>: <problem>" (or the interface error).
Result<void> export_pcap(const Trace& t, std::string_view iface, const std::string& path);
Result<void> export_pcapng(const Trace& t, std::string_view iface, const std::string& path);

// Splits "A:eth0 <-> R:eth0" (spaces optional) into its two ends; false when it is not a link name.
bool split_link_name(std::string_view link, std::string& left, std::string& right);

} // namespace skbscope
