// SeriesExtractor: the data of the charts panel, with no widget. For a socket ("A:sock 3") its TCP
// Counter events (cwnd, ssthresh, srtt_us, rto_ms, packets_in_flight, recorded by tcp_counters in
// stack/ipv4/tcp.cpp) and the depths of its queues; for a device ("B:eth0") its qdisc depth, the
// host's NAPI poll list and backlog queue (softnet_data), its rings' descriptors in use,
// its interrupts per interval (Irq Deliver at the NIC, as `skbscope-cli stats` counts them) and the
// packets of each NAPI poll (the napi_poll Counter: Linux's napi:napi_poll tracepoint, recorded when
// the driver's poll, e1000_clean, returns its work). Counters change discretely, so each series is
// a step line: x is virtual time in ms, never decreasing.
// TimeIndex maps a time back to the last event at or before it (a click on a chart).
#pragma once
#include <QList>
#include <QPointF>
#include <QString>
#include <string>
#include <vector>

#include "ui/tracedocument.h"

namespace skbscope::ui {

// What the combo of the charts panel offers: a TCP socket or a network device.
struct ChartSource {
    enum Kind { Socket, Device };
    Kind kind = Socket;
    std::string owner; // "A:sock 3", "B:eth0"
    QString label;     // "A:sock 3 (TCP socket)"
};

struct ChartSeries {
    enum Style { Step, Points };
    QString name;
    Style style = Step;
    QList<QPointF> points; // (virtual ms, value)
    bool rightAxis = false; // plotted against the chart's second (right) y axis
};

struct ChartData {
    QString title;
    QString unit;      // of the left y axis
    QString rightUnit; // of the right y axis, empty when there is none
    std::vector<ChartSeries> series;
    double maxValue(bool rightAxis = false) const; // over the series of that axis, 0 when empty
};

struct ChartSet {
    double beginMs = 0, endMs = 0; // the x range: the source's active span
    std::vector<ChartData> charts;
};

class SeriesExtractor final {
  public:
    // TCP's "no threshold yet" (TCP_INFINITE_SSTHRESH): left out of the series, not plotted as 2^31.
    static constexpr int64_t kInfiniteSsthresh = 0x7fffffff;

    // Sockets with Tcp-layer counters, then devices with NIC interrupts or NAPI polls, in order of
    // first appearance.
    static std::vector<ChartSource> sources(const TraceDocument& doc);
    // Every chart of one source, in one pass over the events.
    static ChartSet extract(const TraceDocument& doc, const ChartSource& source);

    // A Counter (owner, name) as a step line from its first value to endMs; values >= skipFrom are
    // left out. divisor scales values (srtt_us / 1000 = ms).
    static QList<QPointF> counterSeries(const TraceDocument& doc, std::string_view owner, std::string_view name,
                                        double endMs, double divisor = 1, int64_t skipFrom = INT64_MAX);
    // A step line from (time ns, value) samples in event order: times that run backwards (contexts
    // keep their own CPU clocks) are held at the latest time seen, so x never decreases.
    static QList<QPointF> stepLine(const std::vector<std::pair<TimeNs, double>>& samples, double endMs);
    // Counts per bin of width interval over [begin, end) as a step line.
    static QList<QPointF> binnedCounts(const std::vector<TimeNs>& times, TimeNs begin, TimeNs end, TimeNs interval);
    // A round bin width (1, 2 or 5 times a power of ten ns, at least 1 us) giving about `bins` bins.
    static TimeNs niceInterval(TimeNs span, int bins);
};

// The last event (highest index) whose time is at or before t, in O(log n); kNone before the first.
class TimeIndex final {
  public:
    void build(const TraceDocument& doc);
    uint32_t lastAtOrBefore(TimeNs t) const;

  private:
    std::vector<TimeNs> m_sortedTimes;   // event times, sorted
    std::vector<uint32_t> m_prefixMaxIdx; // max event index among m_sortedTimes[0..i]
};

} // namespace skbscope::ui
