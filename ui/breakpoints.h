// Breakpoints: the functions and layers where running (F5 / Shift+F5, play) stops. A function
// breakpoint stops on every entry of that function; a layer breakpoint stops where execution
// enters the layer: a function of that layer called from outside it (or at the top of its
// context), so "break on tcp" stops once per trip through TCP, not on each of its helpers.
// Plain data plus a changed() signal for the panel; the hit test is what Cursor::run* uses.
#pragma once
#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

#include "core/trace/tracepoints.h"
#include "ui/tracedocument.h"

namespace skbscope::ui {

class Breakpoints final : public QObject {
    Q_OBJECT
  public:
    struct Entry {
        enum class Kind { Function, Layer } kind = Kind::Function;
        Fn fn{};
        Layer layer{};
        bool enabled = true;
        QString label() const; // "tcp_v4_rcv" or "layer tcp"
    };

    explicit Breakpoints(QObject* parent = nullptr);

    // Adds a breakpoint from what a user typed: a registered function name, or "layer NAME" / a
    // layer name. Returns false (and adds nothing) for an unknown name or a duplicate.
    bool add(const QString& text);
    bool addFunction(Fn fn);
    bool addLayer(Layer layer);
    void remove(int row);
    void setEnabled(int row, bool on);
    void clear();

    const std::vector<Entry>& entries() const { return m_entries; }
    bool isEmpty() const { return m_entries.empty(); }

    // Whether event i of doc is a stop: a FuncEnter matching an enabled breakpoint.
    bool hits(const TraceDocument& doc, uint32_t i) const;

  signals:
    void changed();

  private:
    std::vector<Entry> m_entries;
};

} // namespace skbscope::ui
