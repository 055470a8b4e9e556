// PcapWriter (libpcap pcap_dump) and PcapngWriter (hand-written blocks, see the pcapng draft).
#include "core/pcap/pcap_writer.h"

#include "core/util/assert.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace skbscope {

namespace {

// libpcap messages often already start with the path ("x.pcap: No such file or directory").
Error file_error(const std::string& path, const std::string& why) {
    if (why.rfind(path, 0) == 0) return make_error(why);
    return make_error(path + ": " + why);
}

} // namespace

// ---- PcapWriter ----

PcapWriter::~PcapWriter() {
    (void)close();
}

PcapWriter::PcapWriter(PcapWriter&& other) noexcept
    : m_pcap(std::exchange(other.m_pcap, nullptr)), m_dumper(std::exchange(other.m_dumper, nullptr)),
      m_path(std::move(other.m_path)), m_snaplen(other.m_snaplen) {}

PcapWriter& PcapWriter::operator=(PcapWriter&& other) noexcept {
    if (this != &other) {
        (void)close();
        m_pcap = std::exchange(other.m_pcap, nullptr);
        m_dumper = std::exchange(other.m_dumper, nullptr);
        m_path = std::move(other.m_path);
        m_snaplen = other.m_snaplen;
    }
    return *this;
}

Result<void> PcapWriter::open(const std::string& path, uint32_t snaplen) {
    (void)close();
    m_path = path;
    m_snaplen = snaplen;
    m_pcap = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, static_cast<int>(snaplen),
                                                  PCAP_TSTAMP_PRECISION_NANO);
    if (m_pcap == nullptr) return file_error(path, "cannot create a libpcap handle");
    m_dumper = pcap_dump_open(m_pcap, path.c_str());
    if (m_dumper == nullptr) {
        Error e = file_error(path, pcap_geterr(m_pcap));
        pcap_close(m_pcap);
        m_pcap = nullptr;
        return e;
    }
    return {};
}

Result<void> PcapWriter::write(std::span<const uint8_t> frame, uint64_t time_ns) {
    return write(frame, time_ns, static_cast<uint32_t>(frame.size()));
}

Result<void> PcapWriter::write(std::span<const uint8_t> frame, uint64_t time_ns, uint32_t orig_len) {
    SKB_ASSERT(is_open());
    pcap_pkthdr hdr{};
    hdr.ts.tv_sec = static_cast<time_t>(time_ns / 1'000'000'000u);
    hdr.ts.tv_usec = static_cast<suseconds_t>(time_ns % 1'000'000'000u); // nanoseconds: NANO precision
    hdr.caplen = static_cast<bpf_u_int32>(std::min<size_t>(frame.size(), m_snaplen));
    hdr.len = static_cast<bpf_u_int32>(std::max<size_t>(orig_len, frame.size()));
    pcap_dump(reinterpret_cast<u_char*>(m_dumper), &hdr, frame.data());
    if (std::ferror(pcap_dump_file(m_dumper))) return file_error(m_path, "write failed");
    return {};
}

Result<void> PcapWriter::close() {
    Result<void> result;
    if (m_dumper != nullptr) {
        if (pcap_dump_flush(m_dumper) != 0 || std::ferror(pcap_dump_file(m_dumper)))
            result = file_error(m_path, "write failed");
        pcap_dump_close(m_dumper);
        m_dumper = nullptr;
    }
    if (m_pcap != nullptr) {
        pcap_close(m_pcap);
        m_pcap = nullptr;
    }
    return result;
}

// ---- PcapngWriter ----

namespace {

constexpr uint32_t SHB_TYPE = 0x0A0D0D0A;
constexpr uint32_t IDB_TYPE = 0x00000001;
constexpr uint32_t EPB_TYPE = 0x00000006;
constexpr uint32_t BYTE_ORDER_MAGIC = 0x1A2B3C4D;
constexpr uint16_t OPT_ENDOFOPT = 0;
constexpr uint16_t OPT_COMMENT = 1;
constexpr uint16_t SHB_USERAPPL = 4;
constexpr uint16_t IF_NAME = 2;
constexpr uint16_t IF_TSRESOL = 9;

// Host byte order throughout: the byte-order magic in the SHB tells readers which one.
void put16(std::vector<uint8_t>& b, uint16_t v) {
    uint8_t raw[2];
    std::memcpy(raw, &v, 2);
    b.insert(b.end(), raw, raw + 2);
}

void put32(std::vector<uint8_t>& b, uint32_t v) {
    uint8_t raw[4];
    std::memcpy(raw, &v, 4);
    b.insert(b.end(), raw, raw + 4);
}

void pad4(std::vector<uint8_t>& b) {
    while (b.size() % 4 != 0)
        b.push_back(0);
}

void put_option(std::vector<uint8_t>& b, uint16_t code, std::span<const uint8_t> value) {
    put16(b, code);
    put16(b, static_cast<uint16_t>(value.size()));
    b.insert(b.end(), value.begin(), value.end());
    pad4(b);
}

void put_option(std::vector<uint8_t>& b, uint16_t code, std::string_view text) {
    put_option(b, code, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

void end_options(std::vector<uint8_t>& b) {
    put16(b, OPT_ENDOFOPT);
    put16(b, 0);
}

} // namespace

PcapngWriter::~PcapngWriter() {
    (void)close();
}

PcapngWriter::PcapngWriter(PcapngWriter&& other) noexcept
    : m_file(std::exchange(other.m_file, nullptr)), m_path(std::move(other.m_path)),
      m_snaplens(std::move(other.m_snaplens)) {}

PcapngWriter& PcapngWriter::operator=(PcapngWriter&& other) noexcept {
    if (this != &other) {
        (void)close();
        m_file = std::exchange(other.m_file, nullptr);
        m_path = std::move(other.m_path);
        m_snaplens = std::move(other.m_snaplens);
    }
    return *this;
}

Result<void> PcapngWriter::open(const std::string& path, std::string_view application) {
    (void)close();
    m_path = path;
    m_snaplens.clear();
    m_file = std::fopen(path.c_str(), "wb");
    if (m_file == nullptr) return file_error(path, std::strerror(errno));
    std::vector<uint8_t> body;
    put32(body, BYTE_ORDER_MAGIC);
    put16(body, 1);           // major version
    put16(body, 0);           // minor version
    put32(body, 0xffffffffu); // section length: -1, not specified (64 bits)
    put32(body, 0xffffffffu);
    if (!application.empty()) {
        put_option(body, SHB_USERAPPL, application);
        end_options(body);
    }
    return write_block(SHB_TYPE, body);
}

Result<uint32_t> PcapngWriter::add_interface(std::string_view name, uint16_t linktype, uint32_t snaplen) {
    SKB_ASSERT(is_open());
    std::vector<uint8_t> body;
    put16(body, linktype);
    put16(body, 0); // reserved
    put32(body, snaplen);
    if (!name.empty()) put_option(body, IF_NAME, name);
    const uint8_t tsresol = 9; // 10^-9 s
    put_option(body, IF_TSRESOL, std::span<const uint8_t>(&tsresol, 1));
    end_options(body);
    if (auto r = write_block(IDB_TYPE, body); !r) return r.error();
    m_snaplens.push_back(snaplen);
    return static_cast<uint32_t>(m_snaplens.size() - 1);
}

Result<void> PcapngWriter::write(uint32_t interface_id, std::span<const uint8_t> frame, uint64_t time_ns,
                                 std::string_view comment) {
    SKB_ASSERT(is_open());
    SKB_ASSERT(interface_id < m_snaplens.size());
    const size_t caplen = std::min<size_t>(frame.size(), m_snaplens[interface_id]);
    std::vector<uint8_t> body;
    body.reserve(20 + caplen + 8 + comment.size() + 8);
    put32(body, interface_id);
    put32(body, static_cast<uint32_t>(time_ns >> 32));
    put32(body, static_cast<uint32_t>(time_ns));
    put32(body, static_cast<uint32_t>(caplen));
    put32(body, static_cast<uint32_t>(frame.size()));
    body.insert(body.end(), frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(caplen));
    pad4(body);
    if (!comment.empty()) {
        put_option(body, OPT_COMMENT, comment);
        end_options(body);
    }
    return write_block(EPB_TYPE, body);
}

Result<void> PcapngWriter::write_block(uint32_t type, const std::vector<uint8_t>& body) {
    SKB_ASSERT(body.size() % 4 == 0);
    std::vector<uint8_t> block;
    const uint32_t total = static_cast<uint32_t>(body.size() + 12);
    put32(block, type);
    put32(block, total);
    block.insert(block.end(), body.begin(), body.end());
    put32(block, total);
    if (std::fwrite(block.data(), 1, block.size(), m_file) != block.size())
        return file_error(m_path, std::string("write failed: ") + std::strerror(errno));
    return {};
}

Result<void> PcapngWriter::close() {
    if (m_file == nullptr) return {};
    const bool failed = std::fflush(m_file) != 0 || std::ferror(m_file) != 0;
    const bool close_failed = std::fclose(m_file) != 0;
    m_file = nullptr;
    if (failed || close_failed) return file_error(m_path, "write failed");
    return {};
}

} // namespace skbscope
