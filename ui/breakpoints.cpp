// Breakpoints: parsing what the user types, and the hit test on a recorded event.
#include "ui/breakpoints.h"

namespace skbscope::ui {

QString Breakpoints::Entry::label() const {
    if (kind == Kind::Function) return QString::fromLatin1(fn_info(fn).name.data(), int(fn_info(fn).name.size()));
    const std::string_view n = layer_name(layer);
    return QStringLiteral("layer %1").arg(QString::fromLatin1(n.data(), int(n.size())));
}

Breakpoints::Breakpoints(QObject* parent) : QObject(parent) {}

bool Breakpoints::add(const QString& text) {
    QString t = text.trimmed();
    const bool layerPrefix = t.startsWith(QLatin1String("layer "));
    if (layerPrefix) t = t.mid(6).trimmed();
    const std::string s = t.toStdString();
    if (!layerPrefix) {
        if (auto fn = fn_from_name(s)) return addFunction(*fn);
    }
    if (auto layer = layer_from_name(s)) return addLayer(*layer);
    return false;
}

bool Breakpoints::addFunction(Fn fn) {
    for (const Entry& e : m_entries)
        if (e.kind == Entry::Kind::Function && e.fn == fn) return false;
    m_entries.push_back(Entry{Entry::Kind::Function, fn, Layer{}, true});
    emit changed();
    return true;
}

bool Breakpoints::addLayer(Layer layer) {
    for (const Entry& e : m_entries)
        if (e.kind == Entry::Kind::Layer && e.layer == layer) return false;
    m_entries.push_back(Entry{Entry::Kind::Layer, Fn{}, layer, true});
    emit changed();
    return true;
}

void Breakpoints::remove(int row) {
    if (row < 0 || row >= int(m_entries.size())) return;
    m_entries.erase(m_entries.begin() + row);
    emit changed();
}

void Breakpoints::setEnabled(int row, bool on) {
    if (row < 0 || row >= int(m_entries.size()) || m_entries[size_t(row)].enabled == on) return;
    m_entries[size_t(row)].enabled = on;
    emit changed();
}

void Breakpoints::clear() {
    if (m_entries.empty()) return;
    m_entries.clear();
    emit changed();
}

bool Breakpoints::hits(const TraceDocument& doc, uint32_t i) const {
    if (!doc.isValid(i)) return false;
    const TraceEvent& e = doc.event(i);
    if (e.kind != EventKind::FuncEnter) return false;
    for (const Entry& b : m_entries) {
        if (!b.enabled) continue;
        if (b.kind == Entry::Kind::Function) {
            if (doc.trace().is_fn(e.name) && Fn(e.name) == b.fn) return true;
        } else if (e.layer == b.layer) {
            // Entering the layer: the caller (if any) is in another layer.
            const uint32_t caller = doc.parent(i);
            if (caller == TraceDocument::kNone || doc.event(caller).layer != b.layer) return true;
        }
    }
    return false;
}

} // namespace skbscope::ui
