// libFuzzer target for the wire formats: any bytes as an Ethernet frame go through describe and
// dissect (the packet pane's view of nonsense) and every checked view; never an out-of-bounds read.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/wire/describe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> frame(data, size);
    auto line = skbscope::wire::describe_frame(frame);
    auto tree = skbscope::wire::dissect_frame(frame);
    // Every field's bytes lie inside the frame.
    std::vector<const skbscope::wire::DissectField*> pending{&tree};
    while (!pending.empty()) {
        const auto* f = pending.back();
        pending.pop_back();
        if (f->offset + f->length > size && f->length) __builtin_trap();
        for (const auto& c : f->children) pending.push_back(&c);
    }
    return static_cast<int>(line.size() & 0);
}
