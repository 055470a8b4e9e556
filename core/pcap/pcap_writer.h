// Writers for capture files: classic pcap through libpcap (nanosecond timestamps, DLT_EN10MB) and
// pcapng written by hand (libpcap 1.10 cannot write pcapng) with one interface block per link and
// an optional comment per packet (skbscope puts the trace event ids there). Formats: pcap-savefile(5)
// and draft-ietf-opsawg-pcapng (SHB, IDB with if_name and if_tsresol=9, EPB with opt_comment).
// SIMPLIFICATION: pcapng is written in host byte order, one section, no NRB/ISB/DSB blocks.
#pragma once
#include "core/util/result.h"

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct pcap;
struct pcap_dumper;

namespace skbscope {

inline constexpr uint32_t PCAP_DEFAULT_SNAPLEN = 65535;
inline constexpr uint16_t LINKTYPE_ETHERNET = 1; // DLT_EN10MB

// Classic pcap (magic a1b23c4d, nanosecond timestamps) through libpcap's pcap_dump.
class PcapWriter {
  public:
    PcapWriter() = default;
    ~PcapWriter();
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;
    PcapWriter(PcapWriter&& other) noexcept;
    PcapWriter& operator=(PcapWriter&& other) noexcept;

    // Creates (truncates) path. Error: "<path>: <reason>". Frames longer than snaplen are cut.
    Result<void> open(const std::string& path, uint32_t snaplen = PCAP_DEFAULT_SNAPLEN);
    bool is_open() const { return m_dumper != nullptr; }
    // One Ethernet frame at virtual time time_ns (orig_len = frame.size()). Must be open (asserted).
    Result<void> write(std::span<const uint8_t> frame, uint64_t time_ns);
    // The same for a frame cut short at capture (a tap's snapshot length): orig_len >= frame.size().
    Result<void> write(std::span<const uint8_t> frame, uint64_t time_ns, uint32_t orig_len);
    // Flushes and closes; reports a write error that happened on the way. Idempotent.
    Result<void> close();

  private:
    pcap* m_pcap = nullptr;
    pcap_dumper* m_dumper = nullptr;
    std::string m_path;
    uint32_t m_snaplen = PCAP_DEFAULT_SNAPLEN;
};

// pcapng with one IDB per add_interface() call and EPBs with nanosecond timestamps.
class PcapngWriter {
  public:
    PcapngWriter() = default;
    ~PcapngWriter();
    PcapngWriter(const PcapngWriter&) = delete;
    PcapngWriter& operator=(const PcapngWriter&) = delete;
    PcapngWriter(PcapngWriter&& other) noexcept;
    PcapngWriter& operator=(PcapngWriter&& other) noexcept;

    // Creates (truncates) path and writes the Section Header Block (shb_userappl = application).
    Result<void> open(const std::string& path, std::string_view application = "skbscope");
    bool is_open() const { return m_file != nullptr; }
    // Writes an Interface Description Block (if_name = name, if_tsresol = 9); returns its interface
    // id (0, 1, ...) for write(). Must be open (asserted).
    Result<uint32_t> add_interface(std::string_view name, uint16_t linktype = LINKTYPE_ETHERNET,
                                   uint32_t snaplen = PCAP_DEFAULT_SNAPLEN);
    // An Enhanced Packet Block; comment (opt_comment) is omitted when empty. interface_id must come
    // from add_interface (asserted). Frames longer than the interface's snaplen are cut.
    Result<void> write(uint32_t interface_id, std::span<const uint8_t> frame, uint64_t time_ns,
                       std::string_view comment = {});
    Result<void> close();

  private:
    Result<void> write_block(uint32_t type, const std::vector<uint8_t>& body);
    std::FILE* m_file = nullptr;
    std::string m_path;
    std::vector<uint32_t> m_snaplens; // per interface id
};

} // namespace skbscope
