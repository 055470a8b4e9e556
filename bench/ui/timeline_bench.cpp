// skbscope_ui_bench: the timeline's frame time on a 1,000,000-event trace (issue #5: "the timeline
// paints a frame of a 1,000,000-event trace in well under 16 ms at any zoom"). Builds a synthetic
// but realistic trace once (8 hosts, each with 4 tasks, softirq, hardirq and a NIC, 8 links; TCP
// send chains 19 calls deep with skb/queue/register markers, NIC DMA and IRQs, frames on the wire,
// hardirq and NAPI receive chains, one packet id per segment), then measures one paint of the
// TimelineView into a 1600x900 QImage at several zooms and in event-order mode.
// Run: QT_QPA_PLATFORM=offscreen is set here if unset. Read the "Time" column as ms per frame
// (wall clock; "CPU" is this thread's time, the better figure on a loaded machine).
#include <QApplication>
#include <QImage>

#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <vector>

#include "ui/cursor.h"
#include "ui/timelineview.h"
#include "ui/tracedocument.h"

using namespace skbscope;
using namespace skbscope::ui;

namespace {

constexpr uint32_t kTargetEvents = 1000000;
constexpr int kHosts = 8, kTasks = 4;

class SyntheticTrace {
  public:
    SyntheticTrace() : m_rng(42) {
        for (int h = 0; h < kHosts; ++h)
            m_t.hosts.push_back(QStringLiteral("H%1").arg(h).toStdString());
        m_t.contexts.push_back(ContextInfo{0, ContextKind::Lab, "lab"});
        for (int h = 0; h < kHosts; ++h) {
            Host host;
            for (int k = 0; k < kTasks; ++k)
                host.tasks.push_back(
                    addContext(h, ContextKind::Task,
                               QStringLiteral("app%1 (pid %2)").arg(k).arg(100 + k).toStdString()));
            host.softirq = addContext(h, ContextKind::Softirq, "softirq");
            host.hardirq = addContext(h, ContextKind::Hardirq, "hardirq");
            host.nic = addContext(h, ContextKind::Nic, "eth0 NIC");
            m_hosts.push_back(host);
        }
        for (int h = 0; h < kHosts; ++h) {
            const std::string name =
                QStringLiteral("H%1:eth0<->H%2:eth0").arg(h).arg((h + 1) % kHosts).toStdString();
            m_links.push_back(addContext(h, ContextKind::Link, name));
            m_linkNames.push_back(intern(name.c_str()));
        }
        m_clock.assign(m_t.contexts.size(), 0);
        m_depth.assign(m_t.contexts.size(), 0);
        m_regTdt = intern("TDT");
        m_regIcr = intern("ICR");
        m_dmaDesc = intern("tx descriptor");
        m_qdisc = intern("qdisc");
        m_skbPush = intern("skb_push");
    }

    Trace build() {
        uint32_t round = 0;
        while (m_t.events.size() < kTargetEvents) {
            const int s = int(round % kHosts), r = (s + 1) % kHosts;
            m_now += 2000 + m_rng() % 2000; // a new send() every 2-4 µs somewhere in the network
            sendAndReceive(s, r, m_hosts[size_t(s)].tasks[(round / kHosts) % kTasks]);
            ++round;
        }
        m_t.events.resize(kTargetEvents); // the last chains stay open: the viewer copes
        return std::move(m_t);
    }

  private:
    struct Host {
        std::vector<ContextId> tasks;
        ContextId softirq = 0, hardirq = 0, nic = 0;
    };

    ContextId addContext(int host, ContextKind kind, std::string name) {
        m_t.contexts.push_back(ContextInfo{HostId(host), kind, std::move(name)});
        return ContextId(m_t.contexts.size() - 1);
    }
    StrId intern(const char* s) {
        m_t.strings.emplace_back(s);
        return StrId(m_t.strings.size() - 1);
    }
    void start(ContextId ctx) { m_clock[ctx] = std::max(m_clock[ctx], m_now); }
    TraceEvent& push(ContextId ctx, EventKind kind, Layer layer, StrId name, uint32_t flow) {
        TraceEvent e;
        e.time = m_clock[ctx];
        e.ctx = ctx;
        e.kind = kind;
        e.layer = layer;
        e.name = name;
        e.flow = flow;
        e.skb = flow;
        e.depth = m_depth[ctx];
        m_t.events.push_back(e);
        return m_t.events.back();
    }
    void enter(ContextId ctx, Fn fn, uint32_t flow) {
        push(ctx, EventKind::FuncEnter, fn_info(fn).layer, StrId(fn), flow);
        m_clock[ctx] += fn_info(fn).cost_ns + m_rng() % 8;
        ++m_depth[ctx];
    }
    void exit(ContextId ctx, Fn fn, uint32_t flow) {
        m_clock[ctx] += 2;
        --m_depth[ctx];
        push(ctx, EventKind::FuncExit, fn_info(fn).layer, StrId(fn), flow);
    }
    void marker(ContextId ctx, EventKind kind, Layer layer, StrId name, uint32_t flow, TimeNs cost) {
        push(ctx, kind, layer, name, flow);
        m_clock[ctx] += cost;
    }
    // Calls fns[0] > fns[1] > ... nested, running inner() at the deepest level.
    template <typename F>
    void chain(ContextId ctx, const std::vector<Fn>& fns, size_t i, uint32_t flow, F&& inner) {
        if (i == fns.size()) return inner();
        enter(ctx, fns[i], flow);
        if (fns[i] == Fn::tcp_transmit_skb || fns[i] == Fn::ip_output || fns[i] == Fn::ip_rcv)
            marker(ctx, EventKind::SkbPtr, Layer::Mem, m_skbPush, flow, 5);
        chain(ctx, fns, i + 1, flow, inner);
        exit(ctx, fns[i], flow);
    }

    void sendAndReceive(int s, int r, ContextId task) {
        const Host &hs = m_hosts[size_t(s)], &hr = m_hosts[size_t(r)];
        start(task);
        const int segments = 1 + int(m_rng() % 3);
        std::vector<uint32_t> flows;
        chain(task,
              {Fn::send, Fn::__libc_send, Fn::entry_SYSCALL_64, Fn::do_syscall_64, Fn::__sys_sendto,
               Fn::tcp_sendmsg, Fn::tcp_push, Fn::tcp_write_xmit},
              0, 0, [&] {
                  for (int k = 0; k < segments; ++k) {
                      const uint32_t flow = ++m_flow;
                      flows.push_back(flow);
                      marker(task, EventKind::SkbAlloc, Layer::Mem, StrId(Fn::tcp_sendmsg), flow, 30);
                      chain(task,
                            {Fn::tcp_transmit_skb, Fn::ip_queue_xmit, Fn::ip_output, Fn::ip_finish_output2,
                             Fn::neigh_output, Fn::dev_queue_xmit, Fn::__dev_queue_xmit, Fn::sch_direct_xmit,
                             Fn::dev_hard_start_xmit, Fn::e1000_xmit_frame, Fn::e1000_tx_map},
                            0, flow, [&] {
                                marker(task, EventKind::Queue, Layer::Qdisc, m_qdisc, flow, 10);
                                marker(task, EventKind::Reg, Layer::Driver, m_regTdt, flow, 40);
                            });
                  }
              });
        for (uint32_t flow : flows) {
            // The sender's NIC fetches descriptor and data, the frame crosses the link, the
            // receiver's NIC writes it to memory and raises its interrupt.
            m_clock[hs.nic] = std::max(m_clock[hs.nic], m_clock[task]);
            marker(hs.nic, EventKind::Dma, Layer::Nic, m_dmaDesc, flow, 100);
            marker(hs.nic, EventKind::Dma, Layer::Nic, m_dmaDesc, flow, 200);
            const ContextId link = m_links[size_t(s)];
            m_clock[link] = std::max(m_clock[link], m_clock[hs.nic]);
            marker(link, EventKind::Wire, Layer::Link, m_linkNames[size_t(s)], flow, 400);
            m_clock[hr.nic] = std::max(m_clock[hr.nic], m_clock[link]);
            marker(hr.nic, EventKind::Dma, Layer::Nic, m_dmaDesc, flow, 300);
            marker(hr.nic, EventKind::Irq, Layer::Nic, m_regIcr, flow, 10);

            m_clock[hr.hardirq] = std::max(m_clock[hr.hardirq], m_clock[hr.nic]);
            chain(hr.hardirq, {Fn::e1000_intr, Fn::__napi_schedule}, 0, flow,
                  [&] { marker(hr.hardirq, EventKind::Reg, Layer::Driver, m_regIcr, flow, 60); });

            m_clock[hr.softirq] = std::max(m_clock[hr.softirq], m_clock[hr.hardirq]);
            chain(hr.softirq,
                  {Fn::net_rx_action, Fn::e1000_clean, Fn::e1000_clean_rx_irq, Fn::napi_gro_receive,
                   Fn::__netif_receive_skb_core, Fn::ip_rcv, Fn::ip_rcv_finish, Fn::ip_local_deliver,
                   Fn::tcp_v4_rcv, Fn::tcp_rcv_established},
                  0, flow, [&] {
                      if (m_rng() % 2) chain(hr.softirq, {Fn::tcp_ack}, 0, flow, [] {});
                  });
            // The sender cleans its TX ring in its own softirq.
            m_clock[hs.softirq] = std::max(m_clock[hs.softirq], m_clock[hs.nic]);
            chain(hs.softirq, {Fn::net_rx_action, Fn::e1000_clean, Fn::e1000_clean_tx_irq}, 0, flow, [&] {
                marker(hs.softirq, EventKind::SkbFree, Layer::Mem, StrId(Fn::e1000_clean_tx_irq), flow, 20);
            });
        }
    }

    Trace m_t;
    std::mt19937 m_rng;
    std::vector<Host> m_hosts;
    std::vector<ContextId> m_links;
    std::vector<StrId> m_linkNames;
    std::vector<TimeNs> m_clock;
    std::vector<uint16_t> m_depth;
    TimeNs m_now = 0;
    uint32_t m_flow = 0;
    StrId m_regTdt = 0, m_regIcr = 0, m_dmaDesc = 0, m_qdisc = 0, m_skbPush = 0;
};

// The trace, its document, a cursor on a packet in the middle and the panel, built once.
struct Fixture {
    Cursor cursor;
    std::unique_ptr<TimelineView> view;
    QImage image{1600, 900, QImage::Format_ARGB32_Premultiplied};
    uint32_t middle = 0;

    Fixture() {
        TraceDocumentPtr doc = TraceDocument::build(SyntheticTrace().build(), "synthetic 1M");
        view = std::make_unique<TimelineView>(&cursor);
        view->resize(1600, 900);
        view->show();
        QApplication::processEvents();
        cursor.setDocument(doc);
        middle = doc->eventCount() / 2;
        while (doc->event(middle).flow == 0 || doc->event(middle).kind != EventKind::FuncEnter)
            ++middle;
        cursor.setIndex(int(middle));
    }
    // Owned here and released by main() while the QApplication still exists: a function-local
    // static would destroy its widgets after QApplication, at exit, and crash.
    static std::unique_ptr<Fixture>& slot() {
        static std::unique_ptr<Fixture> f;
        return f;
    }
    static Fixture& get() {
        if (!slot()) slot() = std::make_unique<Fixture>();
        return *slot();
    }
    TimelineCanvas& canvas() { return *view->canvas(); }
};

// With SKBSCOPE_BENCH_PNG_DIR set, each benchmark saves its last frame there, to look at.
void paintFrames(benchmark::State& state, const char* name, TimelineAxis axis, double window) {
    Fixture& f = Fixture::get();
    TimelineCanvas& canvas = f.canvas();
    canvas.setAxis(axis);
    const double centre = canvas.model().xOf(axis, f.middle);
    if (window > 0)
        canvas.setVisibleRange(centre - window / 2, centre + window / 2);
    else
        canvas.showAll();
    for (auto _ : state) {
        f.view->render(&f.image);
        benchmark::DoNotOptimize(f.image.constBits());
    }
    const QString pngDir = qEnvironmentVariable("SKBSCOPE_BENCH_PNG_DIR");
    if (!pngDir.isEmpty())
        f.image.save(pngDir + QLatin1Char('/') + QLatin1String(name) + QStringLiteral(".png"));
    state.counters["events"] = double(f.cursor.document()->eventCount());
    state.counters["lanes"] = double(canvas.model().laneCount());
    state.counters["window"] = canvas.timelineViewport().span();
}

void BM_TimelinePaint_WholeTrace(benchmark::State& s) {
    paintFrames(s, "WholeTrace", TimelineAxis::Time, 0);
}
void BM_TimelinePaint_1ms(benchmark::State& s) {
    paintFrames(s, "1ms", TimelineAxis::Time, 1e6);
}
void BM_TimelinePaint_10us(benchmark::State& s) {
    paintFrames(s, "10us", TimelineAxis::Time, 1e4);
}
void BM_TimelinePaint_EventOrderWhole(benchmark::State& s) {
    paintFrames(s, "EventOrderWhole", TimelineAxis::EventOrder, 0);
}
void BM_TimelinePaint_EventOrder2000(benchmark::State& s) {
    paintFrames(s, "EventOrder2000", TimelineAxis::EventOrder, 2000);
}
BENCHMARK(BM_TimelinePaint_WholeTrace)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TimelinePaint_1ms)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TimelinePaint_10us)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TimelinePaint_EventOrderWhole)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TimelinePaint_EventOrder2000)->Unit(benchmark::kMillisecond);

// Building the model (lanes, rows, markers) when a 1M-event document arrives: once per document.
void BM_TimelineModelBuild(benchmark::State& state) {
    const TraceDocumentPtr& doc = Fixture::get().cursor.document();
    for (auto _ : state) {
        TimelineModel model;
        model.setDocument(doc);
        benchmark::DoNotOptimize(model.laneCount());
    }
}
BENCHMARK(BM_TimelineModelBuild)->Unit(benchmark::kMillisecond)->Iterations(3);

} // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    Fixture::slot().reset();
    return 0;
}
