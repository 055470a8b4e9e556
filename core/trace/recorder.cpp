// Recorder: appends typed events, interning names and storing snapshots and blobs once.
#include "core/trace/recorder.h"

#include <algorithm>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"

namespace skbscope {

Recorder::Recorder(Sim& sim, Trace& trace) : m_sim(sim), m_trace(trace) {
    for (uint32_t i = 0; i < m_trace.strings.size(); ++i) m_interned.emplace(m_trace.strings[i], i);
}

StrId Recorder::intern(std::string_view s) {
    auto it = m_interned.find(std::string(s));
    if (it != m_interned.end()) return it->second;
    StrId id = static_cast<StrId>(m_trace.strings.size());
    m_trace.strings.emplace_back(s);
    m_interned.emplace(std::string(s), id);
    return id;
}

uint32_t Recorder::add_blob(std::span<const uint8_t> bytes) {
    if (!m_enabled) return kNoRef;
    uint32_t id = static_cast<uint32_t>(m_trace.blob_count());
    m_trace.blob_data.insert(m_trace.blob_data.end(), bytes.begin(), bytes.end());
    m_trace.blob_offsets.push_back(m_trace.blob_data.size());
    return id;
}

uint32_t Recorder::snapshot(const SkBuff& skb) {
    if (!m_enabled) return kNoRef;
    SkbSnapshot s = skb.snapshot();
    auto lin = skb.linear();
    s.bytes = add_blob(lin.first(std::min<size_t>(lin.size(), kSnapshotBytes)));
    m_trace.snapshots.push_back(s);
    return static_cast<uint32_t>(m_trace.snapshots.size() - 1);
}

TraceEvent& Recorder::push(EventKind kind, Layer layer, StrId name, const SkBuff* skb) {
    if (!m_enabled) return m_scratch = TraceEvent{};
    TraceEvent& e = m_trace.events.emplace_back();
    e.time = m_sim.now();
    e.ctx = m_sim.current();
    e.kind = kind;
    e.layer = layer;
    e.name = name;
    e.depth = m_sim.depth();
    if (skb) {
        e.skb = skb->id;
        e.flow = skb->flow;
    }
    return e;
}

void Recorder::enter(Fn fn, const SkBuff* skb, int64_t a0, int64_t a1, StrId note) {
    TraceEvent& e = push(EventKind::FuncEnter, fn_info(fn).layer, static_cast<StrId>(fn), skb);
    e.a[0] = a0;
    e.a[1] = a1;
    e.ref = note;
}

void Recorder::exit(Fn fn, uint32_t skb_id, uint32_t flow, int64_t ret) {
    TraceEvent& e = push(EventKind::FuncExit, fn_info(fn).layer, static_cast<StrId>(fn), nullptr);
    e.skb = skb_id;
    e.flow = flow;
    e.a[0] = ret;
}

void Recorder::skb_alloc(Fn allocator, const SkBuff& skb, int64_t size) {
    if (!m_enabled) return;
    uint32_t snap = snapshot(skb);
    TraceEvent& e = push(EventKind::SkbAlloc, Layer::Mem, static_cast<StrId>(allocator), &skb);
    e.a[0] = size;
    e.a[1] = skb.truesize;
    e.ref = snap;
}

void Recorder::skb_free(Fn freer, const SkBuff& skb, DropReason reason) {
    if (!m_enabled) return;
    uint32_t snap = snapshot(skb);
    TraceEvent& e = push(EventKind::SkbFree, Layer::Mem, static_cast<StrId>(freer), &skb);
    e.a[0] = static_cast<int64_t>(reason);
    e.ref = snap;
}

void Recorder::skb_ptr(std::string_view op, const SkBuff& skb, int64_t delta) {
    if (!m_enabled) return;
    uint32_t snap = snapshot(skb);
    TraceEvent& e = push(EventKind::SkbPtr, Layer::Mem, intern(op), &skb);
    e.a[0] = delta;
    e.ref = snap;
}

void Recorder::queue(std::string_view kind, std::string_view instance, QueueOp op, int64_t qlen, int64_t bytes,
                     const SkBuff* skb, Layer layer) {
    if (!m_enabled) return;
    TraceEvent& e = push(EventKind::Queue, layer, intern(kind), skb);
    e.a[0] = static_cast<int64_t>(op);
    e.a[1] = qlen;
    e.a[2] = bytes;
    e.ref = intern(instance);
}

void Recorder::ring(std::string_view ring, std::string_view dev, int64_t next_to_use, int64_t next_to_clean,
                    int64_t head, int64_t tail, std::span<const uint8_t> desc_states, uint32_t flow) {
    if (!m_enabled) return;
    TraceEvent& e = push(EventKind::Ring, Layer::Driver, intern(ring), nullptr);
    e.flow = flow;
    e.a[0] = next_to_use;
    e.a[1] = next_to_clean;
    e.a[2] = head;
    e.a[3] = tail;
    StrId devid = intern(dev);
    uint32_t blob = add_blob(desc_states);
    TraceEvent& e2 = m_trace.events.back();
    e2.ref = devid;
    e2.ref2 = blob;
}

void Recorder::reg(std::string_view device, std::string_view reg, RegAccess acc, uint32_t offset, uint64_t value,
                   Layer layer) {
    if (!m_enabled) return;
    StrId dev = intern(device);
    TraceEvent& e = push(EventKind::Reg, layer, intern(reg), nullptr);
    e.a[0] = static_cast<int64_t>(value);
    e.a[1] = static_cast<int64_t>(acc);
    e.a[2] = offset;
    e.ref = dev;
}

void Recorder::dma(std::string_view device, std::string_view purpose, DmaDir dir, uint64_t bus_addr,
                   std::span<const uint8_t> bytes, uint32_t flow) {
    if (!m_enabled) return;
    StrId dev = intern(device);
    StrId name = intern(purpose);
    uint32_t blob = add_blob(bytes.first(std::min<size_t>(bytes.size(), kSnapshotBytes)));
    TraceEvent& e = push(EventKind::Dma, Layer::Nic, name, nullptr);
    e.flow = flow;
    e.a[0] = static_cast<int64_t>(bus_addr);
    e.a[1] = static_cast<int64_t>(bytes.size());
    e.a[2] = static_cast<int64_t>(dir);
    e.ref = dev;
    e.ref2 = blob;
}

void Recorder::irq(std::string_view device, std::string_view what, IrqOp op, uint32_t causes, uint32_t ims,
                   Layer layer) {
    if (!m_enabled) return;
    StrId dev = intern(device);
    TraceEvent& e = push(EventKind::Irq, layer, intern(what), nullptr);
    e.a[0] = static_cast<int64_t>(op);
    e.a[1] = causes;
    e.a[2] = ims;
    e.ref = dev;
}

void Recorder::timer(std::string_view owner, std::string_view name, TimerOp op, TimeNs expires, Layer layer) {
    if (!m_enabled) return;
    StrId o = intern(owner);
    TraceEvent& e = push(EventKind::Timer, layer, intern(name), nullptr);
    e.a[0] = static_cast<int64_t>(op);
    e.a[1] = static_cast<int64_t>(expires);
    e.ref = o;
}

void Recorder::tcp_state(std::string_view sock, int old_state, int new_state) {
    if (!m_enabled) return;
    StrId s = intern(sock);
    TraceEvent& e = push(EventKind::TcpState, Layer::Tcp, intern("tcp_set_state"), nullptr);
    e.a[0] = old_state;
    e.a[1] = new_state;
    e.ref = s;
}

void Recorder::counter(std::string_view owner, std::string_view name, int64_t value, Layer layer) {
    if (!m_enabled) return;
    StrId o = intern(owner);
    TraceEvent& e = push(EventKind::Counter, layer, intern(name), nullptr);
    e.a[0] = value;
    e.ref = o;
}

uint64_t Recorder::wire(std::string_view link, std::span<const uint8_t> frame, int port, TimeNs arrival,
                        uint32_t flow, WireFate fate) {
    if (!m_enabled) return 0;
    StrId l = intern(link);
    uint32_t blob = add_blob(frame);
    TraceEvent& e = push(EventKind::Wire, Layer::Link, l, nullptr);
    e.flow = flow;
    e.a[0] = static_cast<int64_t>(frame.size());
    e.a[1] = port;
    e.a[2] = static_cast<int64_t>(arrival);
    e.a[3] = static_cast<int64_t>(fate);
    e.ref = l;
    e.ref2 = blob;
    return m_trace.events.size(); // index + 1
}

void Recorder::wire_arrival(uint64_t ref, TimeNs arrival, WireFate fate) {
    if (!m_enabled || ref == 0 || ref > m_trace.events.size()) return;
    TraceEvent& e = m_trace.events[ref - 1];
    if (e.kind != EventKind::Wire) return;
    e.a[2] = static_cast<int64_t>(arrival);
    e.a[3] = static_cast<int64_t>(fate);
}

void Recorder::note(std::string_view text, Layer layer, const SkBuff* skb) {
    if (!m_enabled) return;
    StrId t = intern(text);
    push(EventKind::Note, layer, t, skb).ref = t;
}

void Recorder::note_flow(std::string_view text, Layer layer, uint32_t flow) {
    if (!m_enabled) return;
    StrId t = intern(text);
    TraceEvent& e = push(EventKind::Note, layer, t, nullptr);
    e.ref = t;
    e.flow = flow;
}

void Recorder::warning(std::string_view text, Layer layer, const SkBuff* skb) {
    if (!m_enabled) return;
    StrId t = intern(text);
    push(EventKind::Warning, layer, t, skb).ref = t;
}

void Recorder::error(std::string_view text, Layer layer, const SkBuff* skb) {
    if (!m_enabled) return;
    StrId t = intern(text);
    push(EventKind::Error, layer, t, skb).ref = t;
}

TraceScope::TraceScope(Sim& sim, Fn fn, const SkBuff* skb, int64_t a0, int64_t a1)
    : m_sim(sim), m_fn(fn), m_skb_id(skb ? skb->id : 0), m_flow(skb ? skb->flow : 0) {
    // Enter first, then charge: the function's own cost lies inside its slice, so a leaf has width.
    sim.rec().enter(fn, skb, a0, a1);
    sim.charge(fn_info(fn).cost_ns);
    sim.push_depth();
}

TraceScope::~TraceScope() {
    m_sim.pop_depth();
    m_sim.rec().exit(m_fn, m_skb_id, m_flow, m_ret);
}

} // namespace skbscope
