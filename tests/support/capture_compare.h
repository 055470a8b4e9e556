// Compares two captures of the same program frame by frame, in the terms of
// ../shared/refcaps/README.md: direction, size, ARP operation, TTL, TCP flags, options (kinds in
// order, values other than timestamps), window after scaling, payload length. Times, ports, ISNs,
// timestamps and MAC addresses may differ and are not compared. Used against Linux's captures.
#pragma once
#include <string>
#include <vector>

#include "core/pcap/pcap_reader.h"

namespace skbscope::test {

// One frame reduced to what is compared.
struct FrameKey {
    std::string from;    // sender IP
    std::string what;    // "ARP request", "ARP reply", "TCP", "ICMP 8", "UDP", "other"
    size_t frame_len = 0;
    int ttl = -1;
    std::string flags;   // tshark style, e.g. "[SYN, ACK]"
    std::string options; // "MSS=1460 SACK_PERM TS NOP WS=1024"
    long window = -1;    // after scaling (SYN windows are not scaled)
    size_t payload = 0;
    std::string to_string() const;
    bool operator==(const FrameKey&) const = default;
};

// Reduces a capture; the window scale of each direction is learned from its SYN.
std::vector<FrameKey> reduce_capture(const std::vector<PcapRecord>& frames);
// "" when equal, else a report naming the first difference with both frames and the context.
std::string compare_captures(const std::vector<FrameKey>& ours, const std::vector<FrameKey>& linux_);

} // namespace skbscope::test
