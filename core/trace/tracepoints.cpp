// Tables generated from the .def registries.
#include "core/trace/tracepoints.h"

namespace skbscope {

namespace {
constexpr std::string_view kLayerNames[] = {
#define LAYER(e, n) n,
#include "core/trace/layers.def"
#undef LAYER
};
const FnInfo kFnInfo[] = {
#define TP(name, layer, file, cost, text) {#name, Layer::layer, file, cost, text},
#include "core/trace/tracepoints.def"
#undef TP
};
struct DropInfo {
    std::string_view name, text;
};
constexpr DropInfo kDropInfo[] = {
#define DROP(e, name, text) {name, text},
#include "core/trace/drop_reasons.def"
#undef DROP
};
} // namespace

std::string_view layer_name(Layer l) {
    auto i = static_cast<unsigned>(l);
    return i < kLayerCount ? kLayerNames[i] : std::string_view("?");
}

std::optional<Layer> layer_from_name(std::string_view name) {
    for (unsigned i = 0; i < kLayerCount; ++i)
        if (kLayerNames[i] == name) return static_cast<Layer>(i);
    return std::nullopt;
}

const FnInfo& fn_info(Fn f) { return kFnInfo[static_cast<uint32_t>(f)]; }

std::optional<Fn> fn_from_name(std::string_view name) {
    for (uint32_t i = 0; i < kFnCount; ++i)
        if (kFnInfo[i].name == name) return static_cast<Fn>(i);
    return std::nullopt;
}

std::string_view drop_reason_name(DropReason r) {
    auto i = static_cast<unsigned>(r);
    return i < kDropReasonCount ? kDropInfo[i].name : std::string_view("?");
}

std::string_view drop_reason_explanation(DropReason r) {
    auto i = static_cast<unsigned>(r);
    return i < kDropReasonCount ? kDropInfo[i].text : std::string_view("?");
}

} // namespace skbscope
