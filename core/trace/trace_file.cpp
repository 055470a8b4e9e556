// The .sktrace reader and writer. The whole file is read into memory and parsed with bounds-checked
// cursors: a section's byte count is checked against what is left before anything is allocated,
// and counts are checked against the bytes they claim, so no input can make us allocate or read
// beyond the file. The layout is documented in trace_file.h.
#include "core/trace/trace_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <sys/stat.h>
#include <type_traits>

namespace skbscope {

namespace {

constexpr const char* kSectionNames[9] = {"hosts",        "contexts",  "strings", "events",  "snapshots",
                                          "blob_offsets", "blob_data", "seed",    "scenario"};
enum Section { kHosts, kContexts, kStrings, kEvents, kSnapshots, kBlobOffsets, kBlobData, kSeed, kScenario };

template <typename T> T load_le(const uint8_t* p) {
    std::make_unsigned_t<T> v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
        v |= static_cast<std::make_unsigned_t<T>>(p[i]) << (8 * i);
    return static_cast<T>(v);
}

// ---- writing ----
class Out {
  public:
    std::vector<uint8_t> buf;
    template <typename T> void put(T v) {
        auto u = static_cast<std::make_unsigned_t<T>>(v);
        for (size_t i = 0; i < sizeof(T); ++i)
            buf.push_back(static_cast<uint8_t>(u >> (8 * i)));
    }
    void bytes(const void* p, size_t n) {
        auto* b = static_cast<const uint8_t*>(p);
        buf.insert(buf.end(), b, b + n);
    }
    void str(const std::string& s) {
        put<uint32_t>(static_cast<uint32_t>(s.size()));
        bytes(s.data(), s.size());
    }
    // Grows the buffer by n bytes and returns where they start.
    uint8_t* grow(size_t n) {
        size_t at = buf.size();
        buf.resize(at + n);
        return buf.data() + at;
    }
    // Patches a u64 already written at offset.
    void patch64(size_t off, uint64_t v) {
        for (size_t i = 0; i < 8; ++i)
            buf[off + i] = static_cast<uint8_t>(v >> (8 * i));
    }
};

template <typename T> void store_le(uint8_t*& p, T v) {
    auto u = static_cast<std::make_unsigned_t<T>>(v);
    for (size_t i = 0; i < sizeof(T); ++i)
        *p++ = static_cast<uint8_t>(u >> (8 * i));
}

// Fixed-size records are written through a pointer into space reserved for the whole section.
void put_event(uint8_t*& p, const TraceEvent& e) {
    store_le<uint64_t>(p, e.time);
    store_le<uint16_t>(p, e.ctx);
    store_le<uint8_t>(p, static_cast<uint8_t>(e.kind));
    store_le<uint8_t>(p, static_cast<uint8_t>(e.layer));
    store_le<uint32_t>(p, e.name);
    store_le<uint32_t>(p, e.skb);
    store_le<uint32_t>(p, e.flow);
    store_le<uint16_t>(p, e.depth);
    store_le<uint16_t>(p, e.pad);
    store_le<uint32_t>(p, e.ref);
    store_le<uint32_t>(p, e.ref2);
    for (int64_t a : e.a)
        store_le<int64_t>(p, a);
}

void put_snapshot(uint8_t*& p, const SkbSnapshot& s) {
    store_le<uint64_t>(p, s.head_addr);
    for (uint32_t v : {s.data, s.tail, s.end, s.len, s.data_len, s.truesize})
        store_le<uint32_t>(p, v);
    for (uint16_t v : {s.mac_header, s.network_header, s.transport_header, s.protocol})
        store_le<uint16_t>(p, v);
    for (uint8_t v : {s.users, s.cloned, s.nr_frags, s.dataref})
        store_le<uint8_t>(p, v);
    store_le<uint32_t>(p, s.bytes);
}

// ---- reading ----
class In {
  public:
    In(const uint8_t* p, size_t n) : m_p(p), m_n(n) {}
    size_t left() const { return m_n - m_pos; }
    bool has(size_t n) const { return n <= left(); }
    template <typename T> T get() { // caller checked has(sizeof(T))
        T v = load_le<T>(m_p + m_pos);
        m_pos += sizeof(T);
        return v;
    }
    const uint8_t* take(size_t n) { // caller checked has(n)
        const uint8_t* p = m_p + m_pos;
        m_pos += n;
        return p;
    }

  private:
    const uint8_t* m_p;
    size_t m_n;
    size_t m_pos = 0;
};

struct SectionHdr {
    uint64_t count = 0, bytes = 0;
};

class Loader {
  public:
    explicit Loader(const std::string& name) : m_name(name) {}
    Result<Trace> load(std::span<const uint8_t> b);

  private:
    Error fail(const std::string& what) const { return make_error(m_name + ": " + what); }
    // Reads count length-prefixed strings from a section's cursor.
    bool read_strings(In& in, uint64_t count, std::vector<std::string>& out, const char* section,
                      std::string& err);
    void remap_names(Trace& t, uint32_t file_fn_count);
    const std::string& m_name;
};

bool Loader::read_strings(In& in, uint64_t count, std::vector<std::string>& out, const char* section,
                          std::string& err) {
    out.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
        if (!in.has(4)) {
            err =
                std::string("section ") + section + ": entry " + std::to_string(i) + " runs past the section";
            return false;
        }
        uint32_t len = in.get<uint32_t>();
        if (!in.has(len)) {
            err = std::string("section ") + section + ": entry " + std::to_string(i) + " needs " +
                  std::to_string(len) + " bytes, " + std::to_string(in.left()) + " left";
            return false;
        }
        const uint8_t* p = in.take(len);
        out.emplace_back(reinterpret_cast<const char*>(p), len);
    }
    return true;
}

bool uses_str_ref(EventKind k) {
    return k != EventKind::FuncExit && k != EventKind::SkbAlloc && k != EventKind::SkbFree &&
           k != EventKind::SkbPtr;
}

// The file's string table came from another registry: put the current registry first and move
// every file string after it, mapping names that are trace points onto their current ids.
void Loader::remap_names(Trace& t, uint32_t file_fn_count) {
    std::vector<std::string> file = std::move(t.strings);
    t.strings.clear();
    for (uint32_t i = 0; i < kFnCount; ++i)
        t.strings.emplace_back(fn_info(static_cast<Fn>(i)).name);
    std::vector<StrId> map(file.size());
    for (size_t i = 0; i < file.size(); ++i) {
        std::optional<Fn> fn = i < file_fn_count ? fn_from_name(file[i]) : std::nullopt;
        if (fn) {
            map[i] = static_cast<StrId>(*fn);
        } else {
            map[i] = static_cast<StrId>(t.strings.size());
            t.strings.push_back(std::move(file[i]));
        }
    }
    for (TraceEvent& e : t.events) {
        if (e.name < map.size()) e.name = map[e.name];
        if (e.ref != kNoRef && uses_str_ref(e.kind) && e.ref < map.size()) e.ref = map[e.ref];
    }
}

Result<Trace> Loader::load(std::span<const uint8_t> b) {
    In in(b.data(), b.size());
    if (b.empty()) return fail("empty file, not a skbscope trace");
    if (!in.has(8) || std::memcmp(b.data(), kTraceMagic, 8) != 0)
        return fail("not a skbscope trace (bad magic)");
    in.take(8);
    if (!in.has(8))
        return fail("truncated: header needs " + std::to_string(kTraceHeaderBytes) + " bytes, " +
                    std::to_string(b.size()) + " in the file");
    uint32_t version = in.get<uint32_t>();
    if (version != kTraceFormatVersion)
        return fail("format version " + std::to_string(version) + ", this build reads " +
                    std::to_string(kTraceFormatVersion));
    uint32_t file_fn_count = in.get<uint32_t>();
    if (!in.has(9 * 16))
        return fail("truncated: header needs " + std::to_string(kTraceHeaderBytes) + " bytes, " +
                    std::to_string(b.size()) + " in the file");
    SectionHdr sec[9];
    for (auto& s : sec) {
        s.count = in.get<uint64_t>();
        s.bytes = in.get<uint64_t>();
    }
    // Counts must fit the bytes they claim: fixed records exactly, variable ones at their minimum.
    auto fixed = [&](int i, uint64_t size) -> std::string {
        if (sec[i].count > sec[i].bytes / size || sec[i].count * size != sec[i].bytes)
            return std::string("section ") + kSectionNames[i] + ": " + std::to_string(sec[i].count) +
                   " records of " + std::to_string(size) + " bytes do not make " +
                   std::to_string(sec[i].bytes) + " bytes";
        return {};
    };
    auto atleast = [&](int i, uint64_t min) -> std::string {
        if (sec[i].count > sec[i].bytes / min)
            return std::string("section ") + kSectionNames[i] + ": count " + std::to_string(sec[i].count) +
                   " cannot fit in " + std::to_string(sec[i].bytes) + " bytes";
        return {};
    };
    for (const std::string& err : {atleast(kHosts, 4), atleast(kContexts, 8), atleast(kStrings, 4),
                                   fixed(kEvents, kEventRecordBytes), fixed(kSnapshots, kSnapshotRecordBytes),
                                   fixed(kBlobOffsets, 8), fixed(kBlobData, 1), fixed(kSeed, 8)})
        if (!err.empty()) return fail(err);
    if (sec[kHosts].count > 0x10000)
        return fail("section hosts: " + std::to_string(sec[kHosts].count) + " hosts");
    if (sec[kContexts].count > 0x10000)
        return fail("section contexts: " + std::to_string(sec[kContexts].count) + " contexts");
    if (sec[kSeed].count != 1)
        return fail("section seed: count " + std::to_string(sec[kSeed].count) + ", not 1");
    if (sec[kBlobOffsets].count < 1 || sec[kBlobOffsets].count > 0xffffffffULL)
        return fail("section blob_offsets: count " + std::to_string(sec[kBlobOffsets].count));
    if (file_fn_count > sec[kStrings].count)
        return fail("header: " + std::to_string(file_fn_count) + " trace points but " +
                    std::to_string(sec[kStrings].count) + " strings");

    Trace t;
    for (int i = 0; i < 9; ++i) {
        if (!in.has(sec[i].bytes))
            return fail(std::string("truncated: section ") + kSectionNames[i] + " needs " +
                        std::to_string(sec[i].bytes) + " bytes, " + std::to_string(in.left()) + " left");
        In s(in.take(sec[i].bytes), sec[i].bytes);
        const uint64_t n = sec[i].count;
        std::string err;
        switch (i) {
        case kHosts:
            if (!read_strings(s, n, t.hosts, "hosts", err)) return fail(err);
            break;
        case kContexts:
            t.contexts.reserve(n);
            for (uint64_t k = 0; k < n; ++k) {
                if (!s.has(8))
                    return fail("section contexts: entry " + std::to_string(k) + " runs past the section");
                ContextInfo c;
                c.host = s.get<uint16_t>();
                uint8_t kind = s.get<uint8_t>();
                s.get<uint8_t>();
                if (kind > static_cast<uint8_t>(ContextKind::Lab))
                    return fail("section contexts: entry " + std::to_string(k) + " has unknown kind " +
                                std::to_string(kind));
                c.kind = static_cast<ContextKind>(kind);
                uint32_t len = s.get<uint32_t>();
                if (!s.has(len))
                    return fail("section contexts: entry " + std::to_string(k) + " runs past the section");
                c.name.assign(reinterpret_cast<const char*>(s.take(len)), len);
                t.contexts.push_back(std::move(c));
            }
            break;
        case kStrings:
            t.strings.clear();
            if (!read_strings(s, n, t.strings, "strings", err)) return fail(err);
            break;
        case kEvents:
            t.events.resize(n);
            for (TraceEvent& e : t.events) {
                e.time = s.get<uint64_t>();
                e.ctx = s.get<uint16_t>();
                e.kind = static_cast<EventKind>(s.get<uint8_t>());
                e.layer = static_cast<Layer>(s.get<uint8_t>());
                e.name = s.get<uint32_t>();
                e.skb = s.get<uint32_t>();
                e.flow = s.get<uint32_t>();
                e.depth = s.get<uint16_t>();
                e.pad = s.get<uint16_t>();
                e.ref = s.get<uint32_t>();
                e.ref2 = s.get<uint32_t>();
                for (int64_t& a : e.a)
                    a = s.get<int64_t>();
            }
            break;
        case kSnapshots:
            t.snapshots.resize(n);
            for (SkbSnapshot& p : t.snapshots) {
                p.head_addr = s.get<uint64_t>();
                for (uint32_t* v : {&p.data, &p.tail, &p.end, &p.len, &p.data_len, &p.truesize})
                    *v = s.get<uint32_t>();
                for (uint16_t* v : {&p.mac_header, &p.network_header, &p.transport_header, &p.protocol})
                    *v = s.get<uint16_t>();
                for (uint8_t* v : {&p.users, &p.cloned, &p.nr_frags, &p.dataref})
                    *v = s.get<uint8_t>();
                p.bytes = s.get<uint32_t>();
            }
            break;
        case kBlobOffsets:
            t.blob_offsets.resize(n);
            for (uint64_t& o : t.blob_offsets)
                o = s.get<uint64_t>();
            if (t.blob_offsets[0] != 0) return fail("section blob_offsets: the first offset is not 0");
            break;
        case kBlobData:
            if (const uint8_t* p = s.take(n)) t.blob_data.assign(p, p + n);
            break;
        case kSeed:
            t.seed = s.get<uint64_t>();
            break;
        case kScenario:
            t.scenario.assign(reinterpret_cast<const char*>(s.take(sec[i].bytes)), sec[i].bytes);
            break;
        }
        if (i != kScenario && s.left() != 0)
            return fail(std::string("section ") + kSectionNames[i] + ": " + std::to_string(s.left()) +
                        " bytes after its last entry");
    }
    if (in.left() != 0) return fail(std::to_string(in.left()) + " bytes after the last section");

    bool same_registry = file_fn_count == kFnCount;
    for (uint32_t i = 0; same_registry && i < kFnCount; ++i)
        same_registry = t.strings[i] == fn_info(static_cast<Fn>(i)).name;
    if (!same_registry) remap_names(t, file_fn_count);
    if (std::string problem = t.validate(); !problem.empty()) return fail(problem);
    return t;
}

} // namespace

std::vector<uint8_t> trace_to_bytes(const Trace& t) {
    Out o;
    size_t approx = kTraceHeaderBytes + t.events.size() * kEventRecordBytes +
                    t.snapshots.size() * kSnapshotRecordBytes + t.blob_offsets.size() * 8 +
                    t.blob_data.size();
    o.buf.reserve(approx + 64 * (t.strings.size() + t.contexts.size() + t.hosts.size()));
    o.bytes(kTraceMagic, 8);
    o.put<uint32_t>(kTraceFormatVersion);
    o.put<uint32_t>(kFnCount);
    size_t table = o.buf.size();
    o.buf.resize(kTraceHeaderBytes, 0);
    auto section = [&](int i, uint64_t count, auto&& body) {
        size_t start = o.buf.size();
        body();
        o.patch64(table + 16 * i, count);
        o.patch64(table + 16 * i + 8, o.buf.size() - start);
    };
    section(kHosts, t.hosts.size(), [&] {
        for (const auto& h : t.hosts)
            o.str(h);
    });
    section(kContexts, t.contexts.size(), [&] {
        for (const auto& c : t.contexts) {
            o.put<uint16_t>(c.host);
            o.put<uint8_t>(static_cast<uint8_t>(c.kind));
            o.put<uint8_t>(0);
            o.str(c.name);
        }
    });
    section(kStrings, t.strings.size(), [&] {
        for (const auto& s : t.strings)
            o.str(s);
    });
    section(kEvents, t.events.size(), [&] {
        uint8_t* p = o.grow(t.events.size() * kEventRecordBytes);
        for (const auto& e : t.events)
            put_event(p, e);
    });
    section(kSnapshots, t.snapshots.size(), [&] {
        uint8_t* p = o.grow(t.snapshots.size() * kSnapshotRecordBytes);
        for (const auto& s : t.snapshots)
            put_snapshot(p, s);
    });
    // An empty offset table (a hand-built Trace) is written as the canonical {0}.
    section(kBlobOffsets, t.blob_offsets.empty() ? 1 : t.blob_offsets.size(), [&] {
        uint8_t* p = o.grow(8 * std::max<size_t>(t.blob_offsets.size(), 1));
        if (t.blob_offsets.empty()) store_le<uint64_t>(p, 0);
        for (uint64_t v : t.blob_offsets)
            store_le<uint64_t>(p, v);
    });
    section(kBlobData, t.blob_data.size(), [&] { o.bytes(t.blob_data.data(), t.blob_data.size()); });
    section(kSeed, 1, [&] { o.put<uint64_t>(t.seed); });
    section(kScenario, 1, [&] { o.bytes(t.scenario.data(), t.scenario.size()); });
    return std::move(o.buf);
}

Result<void> save_trace(const Trace& trace, const std::string& path) {
    std::vector<uint8_t> bytes = trace_to_bytes(trace);
    std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return make_error(path + ": cannot write: " + std::strerror(errno));
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    int err = errno;
    if (std::fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        std::remove(tmp.c_str());
        return make_error(path + ": cannot write: " + std::strerror(err));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        err = errno;
        std::remove(tmp.c_str());
        return make_error(path + ": cannot write: " + std::strerror(err));
    }
    return {};
}

Result<Trace> load_trace(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return make_error(path + ": cannot open: " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return make_error(path + ": cannot read: is a directory");
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return make_error(path + ": cannot open: " + std::strerror(errno));
    // One bulk read of the whole file, then chunks for anything that is not a regular file.
    std::vector<uint8_t> bytes(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 0);
    bytes.resize(std::fread(bytes.data(), 1, bytes.size(), f));
    uint8_t chunk[1 << 14];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0)
        bytes.insert(bytes.end(), chunk, chunk + n);
    bool bad = std::ferror(f);
    int err = errno;
    std::fclose(f);
    if (bad) return make_error(path + ": cannot read: " + std::strerror(err));
    return load_trace_bytes(bytes, path);
}

Result<Trace> load_trace_bytes(std::span<const uint8_t> bytes, const std::string& name) {
    return Loader(name).load(bytes);
}

} // namespace skbscope
