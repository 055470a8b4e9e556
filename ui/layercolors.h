// The one palette of the stack's layers (core/trace/layers.def): every panel that colours an event
// by its layer (timeline spans, markers, legends) asks here, so "tcp" is the same colour everywhere.
// Fills are light enough for black text on a projector; neighbouring layers differ in hue.
#pragma once
#include <QColor>

#include "core/trace/tracepoints.h"

namespace skbscope::ui {

// The fill colour of a layer's spans and markers.
QColor layerColor(Layer layer);
// A darker shade of the same hue, for outlines and folded blocks.
QColor layerOutlineColor(Layer layer);

} // namespace skbscope::ui
