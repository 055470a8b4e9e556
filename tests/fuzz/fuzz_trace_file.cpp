// libFuzzer target for the .sktrace reader: any bytes must load or be refused with a message naming
// the file, never crash or read out of bounds. A trace that loads is also pushed through the
// queries and exporters, which must cope with whatever validate() lets through, including the
// tcpdump captures rebuilt from pcap_dump events (a FuncEnter whose ref2 is the frame's blob).
// Build (clang only): clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I. this file + core.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>

#include "core/trace/export_chrome.h"
#include "core/trace/export_jsonl.h"
#include "core/trace/export_pcap.h"
#include "core/trace/export_tap.h"
#include "core/trace/query.h"
#include "core/trace/trace_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace skbscope;
    auto r = load_trace_bytes(std::span<const uint8_t>(data, size), "fuzz.sktrace");
    if (!r.ok()) {
        if (r.error().message.rfind("fuzz.sktrace: ", 0) != 0) std::abort();
        return 0;
    }
    const Trace& t = *r;
    if (!t.validate().empty()) std::abort();
    // Keep each input cheap: the queries are linear, the exporters too.
    if (t.events.size() > 4096) return 0;
    std::ostringstream sink;
    write_jsonl(t, sink);
    write_chrome_json(t, sink);
    sink << render_info(t, trace_info(t));
    CallIndex idx(t);
    for (size_t i = 0; i < t.events.size(); ++i)
        idx.stack_at(i);
    if (!t.events.empty()) sink << render_call_tree(t, call_tree_at(t, 0));
    if (auto j = packet_journey(t, 1); j.ok()) sink << render_journey(t, *j);
    for (const auto& iface : trace_interfaces(t))
        (void)interface_frames(t, iface);
    const uint8_t* blobs = t.blob_data.data();
    for (const auto& host : t.hosts) {
        auto frames = tap_frames(t, host + ":tap");
        if (!frames) continue;
        for (const TapFrame& f : *frames) {
            // Each frame is a slice of the blob store, never past it; its original length covers it.
            if (!f.bytes.empty() &&
                (f.bytes.data() < blobs || f.bytes.data() + f.bytes.size() > blobs + t.blob_data.size()))
                std::abort();
            if (f.orig_len < f.bytes.size() || t.events[f.seq].ref2 == kNoRef) std::abort();
        }
    }
    return 0;
}
