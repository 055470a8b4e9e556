// Reading capture files through libpcap: classic pcap (micro- or nanosecond) and pcapng, with
// timestamps scaled to nanoseconds (pcap_open_offline_with_tstamp_precision, PCAP_TSTAMP_PRECISION_NANO).
// Every failure is one line naming the file and the problem, in libpcap's own words where it has
// them ("truncated dump file; ...", "unknown file format"); a truncated last record is an error,
// not a silent end of file.
// SIMPLIFICATION: pcapng comments and per-interface names are not returned (libpcap drops them).
#pragma once
#include "core/util/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct pcap;

namespace skbscope {

struct PcapRecord {
    uint64_t time_ns = 0;
    std::vector<uint8_t> bytes; // the captured bytes (caplen)
    uint32_t orig_len = 0;      // the length on the wire
};

class PcapReader {
  public:
    PcapReader() = default;
    ~PcapReader();
    PcapReader(const PcapReader&) = delete;
    PcapReader& operator=(const PcapReader&) = delete;
    PcapReader(PcapReader&& other) noexcept;
    PcapReader& operator=(PcapReader&& other) noexcept;

    // Error: "<path>: <reason>" for a missing, unreadable, empty, truncated or non-pcap file.
    Result<void> open(const std::string& path);
    // DLT_* of the file (1 = Ethernet). Must be open (asserted).
    int linktype() const;
    // The next record, nullopt at a clean end of file; an error names the file and the record
    // number (1-based). Must be open (asserted).
    Result<std::optional<PcapRecord>> next();
    void close();

  private:
    pcap* m_pcap = nullptr;
    std::string m_path;
    size_t m_count = 0;
};

// All records of an Ethernet capture. A file whose link type is not Ethernet is an error, since the
// lab only models Ethernet links.
Result<std::vector<PcapRecord>> read_pcap_file(const std::string& path);

} // namespace skbscope
