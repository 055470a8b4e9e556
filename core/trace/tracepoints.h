// The registry of trace points (tracepoints.def), layers (layers.def) and drop reasons
// (drop_reasons.def) as enums with names, layers, source files, costs and explanations.
// Fn values are also the first string ids of every trace, so a name id < fn_count() is a Fn.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace skbscope {

enum class Layer : uint8_t {
#define LAYER(e, n) e,
#include "core/trace/layers.def"
#undef LAYER
    Count_
};
constexpr unsigned kLayerCount = static_cast<unsigned>(Layer::Count_);
std::string_view layer_name(Layer l);
std::optional<Layer> layer_from_name(std::string_view name);

enum class Fn : uint32_t {
#define TP(name, layer, file, cost, text) name,
#include "core/trace/tracepoints.def"
#undef TP
    Count_
};
constexpr uint32_t kFnCount = static_cast<uint32_t>(Fn::Count_);

struct FnInfo {
    std::string_view name;
    Layer layer;
    std::string_view source_file;
    uint32_t cost_ns; // modelled CPU time charged on entry
    std::string_view explanation;
};
const FnInfo& fn_info(Fn f);
std::optional<Fn> fn_from_name(std::string_view name);

enum class DropReason : uint16_t {
#define DROP(e, name, text) e,
#include "core/trace/drop_reasons.def"
#undef DROP
    Count_
};
constexpr unsigned kDropReasonCount = static_cast<unsigned>(DropReason::Count_);
// Linux's spelling without the SKB_DROP_REASON_ prefix, e.g. "NEIGH_QUEUEFULL".
std::string_view drop_reason_name(DropReason r);
std::string_view drop_reason_explanation(DropReason r);

} // namespace skbscope
