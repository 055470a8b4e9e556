// PcapReader: pcap and pcapng through libpcap (pcap_open_offline_with_tstamp_precision, pcap_next_ex).
#include "core/pcap/pcap_reader.h"

#include "core/util/assert.h"

#include <pcap/pcap.h>

#include <utility>

namespace skbscope {

namespace {

Error file_error(const std::string& path, const std::string& why) {
    if (why.rfind(path, 0) == 0) return make_error(why);
    return make_error(path + ": " + why);
}

} // namespace

PcapReader::~PcapReader() {
    close();
}

PcapReader::PcapReader(PcapReader&& other) noexcept
    : m_pcap(std::exchange(other.m_pcap, nullptr)), m_path(std::move(other.m_path)), m_count(other.m_count) {}

PcapReader& PcapReader::operator=(PcapReader&& other) noexcept {
    if (this != &other) {
        close();
        m_pcap = std::exchange(other.m_pcap, nullptr);
        m_path = std::move(other.m_path);
        m_count = other.m_count;
    }
    return *this;
}

Result<void> PcapReader::open(const std::string& path) {
    close();
    m_path = path;
    m_count = 0;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    m_pcap = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (m_pcap == nullptr) {
        std::string why = errbuf;
        if (why.empty()) why = "cannot open capture file";
        return file_error(path, why);
    }
    return {};
}

int PcapReader::linktype() const {
    SKB_ASSERT(m_pcap != nullptr);
    return pcap_datalink(m_pcap);
}

Result<std::optional<PcapRecord>> PcapReader::next() {
    SKB_ASSERT(m_pcap != nullptr);
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(m_pcap, &hdr, &data);
    if (rc == PCAP_ERROR_BREAK) return std::optional<PcapRecord>{};
    if (rc != 1)
        return file_error(m_path, "record " + std::to_string(m_count + 1) + ": " + pcap_geterr(m_pcap));
    ++m_count;
    PcapRecord rec;
    rec.time_ns =
        static_cast<uint64_t>(hdr->ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(hdr->ts.tv_usec);
    rec.bytes.assign(data, data + hdr->caplen);
    rec.orig_len = hdr->len;
    return std::optional<PcapRecord>{std::move(rec)};
}

void PcapReader::close() {
    if (m_pcap != nullptr) {
        pcap_close(m_pcap);
        m_pcap = nullptr;
    }
}

Result<std::vector<PcapRecord>> read_pcap_file(const std::string& path) {
    PcapReader reader;
    if (auto r = reader.open(path); !r) return r.error();
    if (reader.linktype() != DLT_EN10MB) {
        const char* name = pcap_datalink_val_to_name(reader.linktype());
        return make_error(path + ": link type " + std::to_string(reader.linktype()) + " (" +
                          (name != nullptr ? name : "unknown") + ") is not Ethernet (EN10MB)");
    }
    std::vector<PcapRecord> records;
    for (;;) {
        auto rec = reader.next();
        if (!rec) return rec.error();
        if (!rec->has_value()) break;
        records.push_back(std::move(**rec));
    }
    return records;
}

} // namespace skbscope
