// Human-readable views of a frame for the UI and logs: a tshark-like one-line summary and a
// dissection tree with exact byte ranges for the packet-bytes panel (Wireshark's packet details).
// Both accept any bytes: nonsense is described, never read out of bounds.
// SIMPLIFICATION: Ethernet II with ARP / IPv4 (ICMP, UDP, TCP) only; no reassembly, no
// relative sequence numbers (Seq/Ack are raw), no stream analysis.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace skbscope::wire {

// One line, e.g.
//   "ARP 42 Who has 192.168.1.1? Tell 192.168.1.100"
//   "192.168.1.100 -> 192.168.2.100 TCP 74 51322 -> 8080 [SYN] Seq=3722886551 Win=64240 Len=0 MSS=1460
//    SACK_PERM TSval=1996698398 TSecr=0 WS=1024"
//   "[Malformed Packet: Ethernet: frame too short (3 < 14 bytes)]"
// A layer that fails its checks ends the line with "[Malformed Packet: <why>]"; a wrong checksum
// appends "[<proto> checksum incorrect]".
std::string describe_frame(std::span<const uint8_t> frame);

// A node of the dissection tree. offset/length locate the bytes within the frame (bit fields such
// as IPv4 flags or TCP flags share bytes with their neighbours).
struct DissectField {
    std::string name;
    std::string value;
    size_t offset = 0;
    size_t length = 0;
    std::vector<DissectField> children;
};

// Root "Frame" (0, frame.size()) with one child per layer: "Ethernet II", then "Address Resolution
// Protocol" or "Internet Protocol Version 4", then "Internet Control Message Protocol" / "User
// Datagram Protocol" / "Transmission Control Protocol" (with "Options"), then "Payload".
// A layer cut short by the end of the frame gets "[truncated ...]" in its value and keeps only the
// fields that fit; a layer with impossible lengths says so and ends the dissection.
DissectField dissect_frame(std::span<const uint8_t> frame);

// The header the bytes handed to dissect_from() begin with: an sk_buff's data pointer sits at one
// of these while the stack pushes (transmit) or pulls (receive) headers.
enum class DissectStart : uint8_t { Ethernet, Arp, Ipv4, Tcp, Udp, Icmp };
const char* dissect_start_name(DissectStart start); // "Ethernet", "ARP", "IPv4", "TCP", "UDP", "ICMP"

// The tree of bytes that begin with the given header: Ethernet is dissect_frame(); otherwise root
// "Packet" (0, bytes.size()) with the layers from that header down, offsets from the first byte.
// TCP and UDP checksums starting there are "[unverified]" (the pseudo-header's addresses are not
// in the bytes); a header still being written (zeros) is described as the bytes say.
DissectField dissect_from(std::span<const uint8_t> bytes, DissectStart start);

// Renders a tree as indented text ("name: value [offset+length]"), for tests and the CLI.
std::string dissect_to_text(const DissectField& root);

} // namespace skbscope::wire
