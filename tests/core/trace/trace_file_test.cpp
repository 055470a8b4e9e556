// The .sktrace file: round trip field by field, determinism, and refusal of every kind of bad
// file (missing, bad magic, other version, truncated at every byte, corrupted bytes, bad references)
// with a message that names the file, never a crash.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/trace/trace_file.h"
#include "tests/core/trace/sample_trace.h"

namespace skbscope {
namespace {

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("skbscope_tf_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

void expect_same(const Trace& a, const Trace& b) {
    EXPECT_EQ(a.hosts, b.hosts);
    ASSERT_EQ(a.contexts.size(), b.contexts.size());
    for (size_t i = 0; i < a.contexts.size(); ++i) {
        EXPECT_EQ(a.contexts[i].host, b.contexts[i].host);
        EXPECT_EQ(a.contexts[i].kind, b.contexts[i].kind);
        EXPECT_EQ(a.contexts[i].name, b.contexts[i].name);
    }
    EXPECT_EQ(a.strings, b.strings);
    ASSERT_EQ(a.events.size(), b.events.size());
    for (size_t i = 0; i < a.events.size(); ++i) {
        const TraceEvent &x = a.events[i], &y = b.events[i];
        SCOPED_TRACE("event " + std::to_string(i));
        EXPECT_EQ(x.time, y.time);
        EXPECT_EQ(x.ctx, y.ctx);
        EXPECT_EQ(x.kind, y.kind);
        EXPECT_EQ(x.layer, y.layer);
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.skb, y.skb);
        EXPECT_EQ(x.flow, y.flow);
        EXPECT_EQ(x.depth, y.depth);
        EXPECT_EQ(x.pad, y.pad);
        EXPECT_EQ(x.ref, y.ref);
        EXPECT_EQ(x.ref2, y.ref2);
        for (int k = 0; k < 4; ++k)
            EXPECT_EQ(x.a[k], y.a[k]);
    }
    ASSERT_EQ(a.snapshots.size(), b.snapshots.size());
    for (size_t i = 0; i < a.snapshots.size(); ++i) {
        const SkbSnapshot &x = a.snapshots[i], &y = b.snapshots[i];
        EXPECT_EQ(x.head_addr, y.head_addr);
        EXPECT_EQ(x.data, y.data);
        EXPECT_EQ(x.tail, y.tail);
        EXPECT_EQ(x.end, y.end);
        EXPECT_EQ(x.len, y.len);
        EXPECT_EQ(x.data_len, y.data_len);
        EXPECT_EQ(x.truesize, y.truesize);
        EXPECT_EQ(x.mac_header, y.mac_header);
        EXPECT_EQ(x.network_header, y.network_header);
        EXPECT_EQ(x.transport_header, y.transport_header);
        EXPECT_EQ(x.protocol, y.protocol);
        EXPECT_EQ(x.users, y.users);
        EXPECT_EQ(x.cloned, y.cloned);
        EXPECT_EQ(x.nr_frags, y.nr_frags);
        EXPECT_EQ(x.dataref, y.dataref);
        EXPECT_EQ(x.bytes, y.bytes);
    }
    EXPECT_EQ(a.blob_offsets, b.blob_offsets);
    EXPECT_EQ(a.blob_data, b.blob_data);
    EXPECT_EQ(a.seed, b.seed);
    EXPECT_EQ(a.scenario, b.scenario);
}

void expect_refused(std::span<const uint8_t> bytes, const std::string& what) {
    auto r = load_trace_bytes(bytes, "bad.sktrace");
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().message.rfind("bad.sktrace: ", 0), 0u) << r.error().message;
}

TEST(TraceFile, RoundTripKeepsEveryField) {
    auto sim = testing::make_sample();
    const Trace& t = sim->trace();
    ASSERT_EQ(t.validate(), "");
    ASSERT_GT(t.events.size(), 20u);
    std::string path = temp_path("rt.sktrace");
    ASSERT_TRUE(save_trace(t, path).ok());
    auto loaded = load_trace(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    expect_same(t, *loaded);
    // Saving what was loaded gives the same bytes again.
    EXPECT_EQ(trace_to_bytes(*loaded), trace_to_bytes(t));
    std::remove(path.c_str());
}

TEST(TraceFile, SameRecordingGivesIdenticalBytes) {
    auto a = testing::make_sample();
    auto b = testing::make_sample();
    std::string pa = temp_path("det_a.sktrace"), pb = temp_path("det_b.sktrace");
    ASSERT_TRUE(save_trace(a->trace(), pa).ok());
    ASSERT_TRUE(save_trace(b->trace(), pb).ok());
    std::ifstream fa(pa, std::ios::binary), fb(pb, std::ios::binary);
    std::vector<char> ba((std::istreambuf_iterator<char>(fa)), {}),
        bb((std::istreambuf_iterator<char>(fb)), {});
    EXPECT_FALSE(ba.empty());
    EXPECT_EQ(ba, bb);
    std::remove(pa.c_str());
    std::remove(pb.c_str());
}

TEST(TraceFile, EmptyTraceRoundTrips) {
    Trace t;
    auto bytes = trace_to_bytes(t);
    EXPECT_EQ(bytes.size() >= kTraceHeaderBytes, true);
    auto r = load_trace_bytes(bytes, "empty.sktrace");
    ASSERT_TRUE(r.ok()) << r.error().message;
    expect_same(t, *r);
}

TEST(TraceFile, MissingFileAndDirectoryNameThePath) {
    auto r = load_trace("/nonexistent/dir/x.sktrace");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message.rfind("/nonexistent/dir/x.sktrace: cannot open", 0), 0u) << r.error().message;
    auto d = load_trace(std::filesystem::temp_directory_path().string());
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.error().message.find("directory"), std::string::npos);
    auto w = save_trace(Trace{}, "/nonexistent/dir/x.sktrace");
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().message.rfind("/nonexistent/dir/x.sktrace: cannot write", 0), 0u);
}

TEST(TraceFile, RefusesBadMagicAndOtherVersions) {
    auto sim = testing::make_sample();
    auto bytes = trace_to_bytes(sim->trace());
    auto bad = bytes;
    bad[0] = 'X';
    auto r = load_trace_bytes(bad, "m.sktrace");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "m.sktrace: not a skbscope trace (bad magic)");
    EXPECT_EQ(load_trace_bytes({}, "e.sktrace").error().message,
              "e.sktrace: empty file, not a skbscope trace");
    for (uint8_t v : {0, 2, 200}) {
        bad = bytes;
        bad[8] = v;
        auto rv = load_trace_bytes(bad, "v.sktrace");
        ASSERT_FALSE(rv.ok());
        EXPECT_EQ(rv.error().message,
                  "v.sktrace: format version " + std::to_string(v) + ", this build reads 1");
    }
}

TEST(TraceFile, RefusesEveryTruncation) {
    auto sim = testing::make_sample();
    auto bytes = trace_to_bytes(sim->trace());
    for (size_t n = 0; n < bytes.size(); ++n)
        expect_refused(std::span<const uint8_t>(bytes).first(n), "cut at " + std::to_string(n));
    // A cut inside the events section says which section and how much is missing.
    size_t events_at = kTraceHeaderBytes;
    for (int s = 0; s < 3; ++s) { // hosts, contexts, strings come first
        uint64_t len = 0;
        for (int k = 0; k < 8; ++k)
            len |= uint64_t{bytes[16 + 16 * s + 8 + k]} << (8 * k);
        events_at += len;
    }
    auto r = load_trace_bytes(std::span<const uint8_t>(bytes).first(events_at + 10), "cut.sktrace");
    ASSERT_FALSE(r.ok());
    size_t ev_bytes = sim->trace().events.size() * kEventRecordBytes;
    EXPECT_EQ(r.error().message,
              "cut.sktrace: truncated: section events needs " + std::to_string(ev_bytes) + " bytes, 10 left");
    // Trailing garbage is refused too.
    auto longer = bytes;
    longer.push_back(0);
    expect_refused(longer, "one byte too many");
}

TEST(TraceFile, RefusesAbsurdCounts) {
    auto sim = testing::make_sample();
    auto bytes = trace_to_bytes(sim->trace());
    auto bad = bytes;
    // events count (section 3) set to 2^60: must be refused without allocating.
    for (int k = 0; k < 8; ++k)
        bad[16 + 16 * 3 + k] = k == 7 ? 0x10 : 0;
    auto r = load_trace_bytes(bad, "big.sktrace");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("section events"), std::string::npos) << r.error().message;
    bad = bytes;
    for (int k = 0; k < 8; ++k)
        bad[16 + 16 * 2 + k] = 0xff; // strings count
    expect_refused(bad, "string count");
}

TEST(TraceFile, RefusesBrokenReferencesThroughValidate) {
    auto sim = testing::make_sample();
    Trace t = sim->trace();
    t.events[3].ctx = 999;
    auto r = load_trace_bytes(trace_to_bytes(t), "ref.sktrace");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "ref.sktrace: event 3: context out of range");
    Trace u = sim->trace();
    for (auto& e : u.events)
        if (e.kind == EventKind::Wire) e.ref2 = 77;
    auto r2 = load_trace_bytes(trace_to_bytes(u), "blob.sktrace");
    ASSERT_FALSE(r2.ok());
    EXPECT_NE(r2.error().message.find("blob out of range"), std::string::npos);
}

TEST(TraceFile, RandomCorruptionNeverCrashes) {
    auto sim = testing::make_sample();
    auto bytes = trace_to_bytes(sim->trace());
    const uint32_t seed = 20240601;
    std::mt19937 rng(seed);
    size_t accepted = 0;
    for (int round = 0; round < 3000; ++round) {
        auto bad = bytes;
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f)
            bad[rng() % bad.size()] = static_cast<uint8_t>(rng());
        auto r = load_trace_bytes(bad, "fuzz.sktrace");
        if (r.ok()) {
            ++accepted;
            EXPECT_EQ(r->validate(), "") << "seed " << seed << " round " << round;
        } else {
            EXPECT_EQ(r.error().message.rfind("fuzz.sktrace: ", 0), 0u) << "seed " << seed;
        }
    }
    EXPECT_GT(accepted, 0u); // flips in times and arguments are legal values
}

TEST(TraceFile, LoadsTraceOfAnOlderRegistryByName) {
    auto sim = testing::make_sample();
    const Trace& t = sim->trace();
    // Pretend an older build had the first two trace points in the other order.
    Trace old = t;
    std::swap(old.strings[0], old.strings[1]);
    for (auto& e : old.events)
        if (e.name < 2) e.name ^= 1;
    auto r = load_trace_bytes(trace_to_bytes(old), "old.sktrace");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->events.size(), t.events.size());
    for (size_t i = 0; i < t.events.size(); ++i)
        EXPECT_EQ(r->str(r->events[i].name), t.str(t.events[i].name));
    for (uint32_t i = 0; i < kFnCount; ++i)
        EXPECT_EQ(r->strings[i], fn_info(static_cast<Fn>(i)).name);
}

} // namespace
} // namespace skbscope
