// SeriesExtractor: one pass over the events per source collects the samples of every chart; the
// step lines, bins and x range are built from those samples. TimeIndex: event times sorted once,
// with the highest event index seen so far, so "last event at or before t" is one binary search even
// though event times are not monotone across contexts.
#include "ui/charts/seriesextractor.h"

#include <QObject>
#include <algorithm>
#include <map>

#include "ui/eventtext.h"

namespace skbscope::ui {

namespace {

double toMs(TimeNs t) { return double(t) / 1e6; }

using Samples = std::vector<std::pair<TimeNs, double>>;

} // namespace

double ChartData::maxValue(bool rightAxis) const {
    double m = 0;
    for (const ChartSeries& s : series)
        if (s.rightAxis == rightAxis)
            for (const QPointF& p : s.points)
                m = std::max(m, p.y());
    return m;
}

std::vector<ChartSource> SeriesExtractor::sources(const TraceDocument& doc) {
    const Trace& t = doc.trace();
    std::vector<ChartSource> sockets, devices;
    std::vector<bool> seen(t.strings.size(), false);
    const StrId napiPoll = [&t] {
        for (StrId i = 0; i < t.strings.size(); ++i)
            if (t.strings[i] == "napi_poll") return i; // the trace point's name, interned once
        return kNoRef;
    }();
    for (const TraceEvent& e : t.events) {
        const bool socket = e.kind == EventKind::Counter && e.layer == Layer::Tcp;
        const bool device = (e.kind == EventKind::Irq && e.layer == Layer::Nic &&
                             e.a[0] == int64_t(IrqOp::Deliver)) ||
                            (e.kind == EventKind::Counter && e.name == napiPoll);
        if ((!socket && !device) || e.ref >= seen.size() || seen[e.ref]) continue;
        seen[e.ref] = true;
        ChartSource s;
        s.kind = socket ? ChartSource::Socket : ChartSource::Device;
        s.owner = std::string(t.str(e.ref));
        s.label = toQString(s.owner) + (socket ? QObject::tr(" (TCP socket)") : QObject::tr(" (network device)"));
        (socket ? sockets : devices).push_back(std::move(s));
    }
    sockets.insert(sockets.end(), devices.begin(), devices.end());
    return sockets;
}

QList<QPointF> SeriesExtractor::stepLine(const Samples& samples, double endMs) {
    QList<QPointF> out;
    TimeNs latest = 0;
    for (const auto& [time, value] : samples) {
        latest = std::max(latest, time);
        const double x = toMs(latest);
        if (!out.isEmpty()) {
            if (out.last().y() == value) continue;
            if (out.last().x() != x) out.append(QPointF(x, out.last().y())); // the step's corner
        }
        out.append(QPointF(x, value));
    }
    if (!out.isEmpty() && endMs > out.last().x()) out.append(QPointF(endMs, out.last().y()));
    return out;
}

QList<QPointF> SeriesExtractor::counterSeries(const TraceDocument& doc, std::string_view owner, std::string_view name,
                                              double endMs, double divisor, int64_t skipFrom) {
    const Trace& t = doc.trace();
    Samples samples;
    for (const TraceEvent& e : t.events)
        if (e.kind == EventKind::Counter && t.str(e.ref) == owner && t.str(e.name) == name && e.a[0] < skipFrom)
            samples.emplace_back(e.time, double(e.a[0]) / divisor);
    return stepLine(samples, endMs);
}

QList<QPointF> SeriesExtractor::binnedCounts(const std::vector<TimeNs>& times, TimeNs begin, TimeNs end,
                                             TimeNs interval) {
    QList<QPointF> out;
    if (interval <= 0 || end <= begin) return out;
    const size_t bins = size_t((end - begin + interval - 1) / interval);
    std::vector<int> count(bins, 0);
    for (TimeNs t : times)
        if (t >= begin && t < end) ++count[size_t((t - begin) / interval)];
    for (size_t b = 0; b < bins; ++b) {
        const double x0 = toMs(begin + TimeNs(b) * interval), x1 = toMs(begin + TimeNs(b + 1) * interval);
        out.append(QPointF(x0, count[b]));
        out.append(QPointF(x1, count[b]));
    }
    return out;
}

TimeNs SeriesExtractor::niceInterval(TimeNs span, int bins) {
    const TimeNs raw = std::max<TimeNs>(1, span / TimeNs(std::max(1, bins)));
    for (TimeNs p = 1000;; p *= 10)
        for (TimeNs m : {1, 2, 5})
            if (p * m >= raw) return p * m;
}

ChartSet SeriesExtractor::extract(const TraceDocument& doc, const ChartSource& source) {
    const Trace& t = doc.trace();
    ChartSet set;
    bool any = false;
    TimeNs first = 0, last = 0;
    auto seen = [&any, &first, &last](TimeNs time) {
        if (!any || time < first) first = time;
        last = any ? std::max(last, time) : time;
        any = true;
    };
    std::map<std::string, Samples> counters; // counter name -> samples
    std::vector<std::pair<std::string, Samples>> queues; // queue kind -> qlen samples, first-seen order
    struct RingSamples {
        std::string name;
        uint32_t count = 0;
        std::vector<std::tuple<TimeNs, int64_t, int64_t>> ntuNtc;
    };
    std::vector<RingSamples> rings;
    std::vector<TimeNs> interrupts;
    Samples polls;

    // A device's host's softnet_data: its NAPI poll list and backlog queue.
    const std::string softnet = source.owner.substr(0, source.owner.find(':')) + ":softnet_data";
    for (const TraceEvent& e : t.events) {
        if (e.ref == kNoRef) continue;
        const std::string_view ref = t.str(e.ref);
        if (ref != source.owner) {
            if (source.kind == ChartSource::Device && e.kind == EventKind::Queue && ref == softnet) {
                const std::string kind = std::string(ref) + " " + std::string(t.str(e.name));
                auto it = std::find_if(queues.begin(), queues.end(), [&kind](const auto& q) { return q.first == kind; });
                if (it == queues.end()) it = queues.insert(queues.end(), {kind, {}});
                it->second.emplace_back(e.time, double(e.a[1]));
            }
            continue;
        }
        switch (e.kind) {
        case EventKind::Counter:
            if (source.kind == ChartSource::Socket && e.layer == Layer::Tcp) {
                counters[std::string(t.str(e.name))].emplace_back(e.time, double(e.a[0]));
                seen(e.time);
            } else if (source.kind == ChartSource::Device && t.str(e.name) == "napi_poll") {
                polls.emplace_back(e.time, double(e.a[0]));
                seen(e.time);
            }
            break;
        case EventKind::Queue: {
            const std::string kind(t.str(e.name));
            auto it = std::find_if(queues.begin(), queues.end(), [&kind](const auto& q) { return q.first == kind; });
            if (it == queues.end()) it = queues.insert(queues.end(), {kind, {}});
            it->second.emplace_back(e.time, double(e.a[1]));
            seen(e.time);
            break;
        }
        case EventKind::Ring: {
            if (source.kind != ChartSource::Device) break;
            const std::string name(t.str(e.name));
            auto it = std::find_if(rings.begin(), rings.end(), [&name](const auto& r) { return r.name == name; });
            if (it == rings.end()) it = rings.insert(rings.end(), RingSamples{name, 0, {}});
            if (e.a[2] >= 0 || e.a[3] >= 0) { // the device's: its blob tells the ring size
                if (e.ref2 != kNoRef) it->count = std::max(it->count, uint32_t(t.blob(e.ref2).size()));
            } else {
                it->ntuNtc.emplace_back(e.time, e.a[0], e.a[1]);
                seen(e.time);
            }
            break;
        }
        case EventKind::Irq:
            if (e.layer == Layer::Nic && e.a[0] == int64_t(IrqOp::Deliver)) {
                interrupts.push_back(e.time);
                seen(e.time);
            }
            break;
        default: break;
        }
    }
    if (!any) return set;
    const TimeNs span = std::max<TimeNs>(last - first, 100000);
    const TimeNs pad = span / 30;
    const TimeNs begin = first > pad ? first - pad : 0, end = last + pad;
    set.beginMs = toMs(begin);
    set.endMs = toMs(end);

    auto step = [&](const char* name, int64_t skipFrom = INT64_MAX) {
        Samples s;
        for (const auto& [time, v] : counters[name])
            if (v < double(skipFrom)) s.emplace_back(time, v);
        return stepLine(s, set.endMs);
    };
    ChartData queueChart{QObject::tr("Queue depths"), QObject::tr("packets"), {}, {}};
    for (const auto& [kind, samples] : queues)
        queueChart.series.push_back({toQString(kind), ChartSeries::Step, stepLine(samples, set.endMs)});

    if (source.kind == ChartSource::Socket) {
        ChartSeries ssthresh{QStringLiteral("ssthresh"), ChartSeries::Step, step("ssthresh", kInfiniteSsthresh)};
        if (ssthresh.points.isEmpty() && !counters["ssthresh"].empty())
            ssthresh.name = QObject::tr("ssthresh (infinite)"); // TCP_INFINITE_SSTHRESH: no loss yet
        set.charts.push_back({QObject::tr("Congestion window and slow-start threshold"), QObject::tr("segments"),
                              {},
                              {{QStringLiteral("cwnd"), ChartSeries::Step, step("cwnd")}, std::move(ssthresh)}});
        // srtt is microseconds where rto is at least 200 ms (TCP_RTO_MIN): one axis each.
        set.charts.push_back({QObject::tr("Smoothed RTT (left) and retransmission timeout (right)"),
                              QObject::tr("srtt (µs)"),
                              QObject::tr("rto (ms)"),
                              {{QStringLiteral("srtt"), ChartSeries::Step, step("srtt_us")},
                               {QStringLiteral("rto"), ChartSeries::Step, step("rto_ms"), true}}});
        set.charts.push_back({QObject::tr("Packets in flight"), QObject::tr("segments"), {},
                              {{QStringLiteral("packets_in_flight"), ChartSeries::Step, step("packets_in_flight")}}});
        if (!queueChart.series.empty()) set.charts.push_back(std::move(queueChart));
        return set;
    }
    if (!queueChart.series.empty()) set.charts.push_back(std::move(queueChart));
    ChartData ringChart{QObject::tr("Descriptors in use (next_to_use - next_to_clean)"), QObject::tr("descriptors"),
                        {}, {}};
    for (const RingSamples& r : rings) {
        Samples s;
        for (const auto& [time, ntu, ntc] : r.ntuNtc)
            s.emplace_back(time, r.count ? double(((ntu - ntc) % r.count + r.count) % r.count) : 0.0);
        ringChart.series.push_back({toQString(r.name), ChartSeries::Step, stepLine(s, set.endMs)});
    }
    if (!ringChart.series.empty()) set.charts.push_back(std::move(ringChart));
    const TimeNs interval = niceInterval(end - begin, 60);
    set.charts.push_back(
        {QObject::tr("Interrupts and packets per NAPI poll"), QObject::tr("count"), {},
         {{QObject::tr("interrupts per %1 µs").arg(double(interval) / 1000.0), ChartSeries::Step,
           binnedCounts(interrupts, begin, end, interval)},
          {QObject::tr("packets per poll"), ChartSeries::Points, {}}}});
    QList<QPointF>& pts = set.charts.back().series.back().points;
    for (const auto& [time, work] : polls)
        pts.append(QPointF(toMs(time), work));
    return set;
}

void TimeIndex::build(const TraceDocument& doc) {
    const uint32_t n = doc.eventCount();
    std::vector<uint32_t> order(n);
    for (uint32_t i = 0; i < n; ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&doc](uint32_t a, uint32_t b) { return doc.event(a).time < doc.event(b).time; });
    m_sortedTimes.resize(n);
    m_prefixMaxIdx.resize(n);
    uint32_t best = 0;
    for (uint32_t k = 0; k < n; ++k) {
        m_sortedTimes[k] = doc.event(order[k]).time;
        best = k == 0 ? order[k] : std::max(best, order[k]);
        m_prefixMaxIdx[k] = best;
    }
}

uint32_t TimeIndex::lastAtOrBefore(TimeNs t) const {
    auto it = std::upper_bound(m_sortedTimes.begin(), m_sortedTimes.end(), t);
    if (it == m_sortedTimes.begin()) return TraceDocument::kNone;
    return m_prefixMaxIdx[size_t(it - m_sortedTimes.begin()) - 1];
}

} // namespace skbscope::ui
