// The recorder appends events to a Trace. It knows the current execution context, its clock and its
// nesting depth through the Sim, so callers never pass time or depth: nesting comes from TraceScope
// (an RAII slice), never from hand-kept counters. With tracing off it keeps time and depth but
// stores nothing (for benchmarks).
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/trace/trace.h"

namespace skbscope {

class Sim;
class SkBuff;

class Recorder {
public:
    Recorder(Sim& sim, Trace& trace);

    bool enabled() const { return m_enabled; }
    void set_enabled(bool on) { m_enabled = on; }
    Trace& trace() { return m_trace; }
    const Trace& trace() const { return m_trace; }

    StrId intern(std::string_view s);
    uint32_t add_blob(std::span<const uint8_t> bytes);
    // Stores skb's current geometry (and its first kSnapshotBytes bytes from data) as a snapshot.
    uint32_t snapshot(const SkBuff& skb);

    // Function slices. Prefer TraceScope / TRACE_FUNC, which pair these and keep depth.
    void enter(Fn fn, const SkBuff* skb, int64_t a0 = 0, int64_t a1 = 0, StrId note = kNoRef);
    void exit(Fn fn, uint32_t skb_id, uint32_t flow, int64_t ret);

    void skb_alloc(Fn allocator, const SkBuff& skb, int64_t size);
    void skb_free(Fn freer, const SkBuff& skb, DropReason reason);
    void skb_ptr(std::string_view op, const SkBuff& skb, int64_t delta);
    void queue(std::string_view kind, std::string_view instance, QueueOp op, int64_t qlen, int64_t bytes,
               const SkBuff* skb, Layer layer);
    void ring(std::string_view ring, std::string_view dev, int64_t next_to_use, int64_t next_to_clean,
              int64_t head, int64_t tail, std::span<const uint8_t> desc_states, uint32_t flow = 0);
    void reg(std::string_view device, std::string_view reg, RegAccess acc, uint32_t offset, uint64_t value,
             Layer layer);
    void dma(std::string_view device, std::string_view purpose, DmaDir dir, uint64_t bus_addr,
             std::span<const uint8_t> bytes, uint32_t flow);
    void irq(std::string_view device, std::string_view what, IrqOp op, uint32_t causes, uint32_t ims, Layer layer);
    void timer(std::string_view owner, std::string_view name, TimerOp op, TimeNs expires, Layer layer);
    void tcp_state(std::string_view sock, int old_state, int new_state);
    void counter(std::string_view owner, std::string_view name, int64_t value, Layer layer);
    // A frame leaves a port: arrival is when its last bit reaches the other end.
    // Returns a reference for wire_arrival (0 when tracing is off).
    uint64_t wire(std::string_view link, std::span<const uint8_t> frame, int port, TimeNs arrival, uint32_t flow,
              WireFate fate = WireFate::Delivered);
    // A frame whose arrival was not known when it left (veth: it arrives when the peer's stack
    // takes it off the CPU's backlog): sets the Wire event's arrival time and fate.
    void wire_arrival(uint64_t ref, TimeNs arrival, WireFate fate);
    void note(std::string_view text, Layer layer, const SkBuff* skb = nullptr);
    // A note about a packet that has no sk_buff (a frame on a link): carries its flow id.
    void note_flow(std::string_view text, Layer layer, uint32_t flow);
    void warning(std::string_view text, Layer layer, const SkBuff* skb = nullptr);
    void error(std::string_view text, Layer layer, const SkBuff* skb = nullptr);

    // Index of the next event (its sequence number).
    size_t next_seq() const { return m_trace.events.size(); }

private:
    TraceEvent& push(EventKind kind, Layer layer, StrId name, const SkBuff* skb);
    TraceEvent m_scratch; // target of push() when tracing is off
    Sim& m_sim;
    Trace& m_trace;
    bool m_enabled = true;
    std::unordered_map<std::string, StrId> m_interned;
};

// One function call in the trace: FuncEnter now, FuncExit (with the return value) at scope end.
// Entering charges the function's modelled cost to the current context's clock.
class TraceScope {
public:
    TraceScope(Sim& sim, Fn fn, const SkBuff* skb = nullptr, int64_t a0 = 0, int64_t a1 = 0);
    ~TraceScope();
    TraceScope(const TraceScope&) = delete;
    TraceScope& operator=(const TraceScope&) = delete;
    void ret(int64_t value) { m_ret = value; }

private:
    Sim& m_sim;
    Fn m_fn;
    uint32_t m_skb_id = 0, m_flow = 0; // kept by value: the skb may be freed inside the function
    int64_t m_ret = 0;
};

#define SKB_CONCAT_(a, b) a##b
#define SKB_CONCAT(a, b) SKB_CONCAT_(a, b)
// TRACE_FUNC(sim, ip_rcv, skb): a scoped slice named after the kernel function.
#define TRACE_FUNC(sim, fn, ...) ::skbscope::TraceScope SKB_CONCAT(trace_scope_, __LINE__)((sim), ::skbscope::Fn::fn, ##__VA_ARGS__)
// TRACE_FUNC_NAMED(var, sim, fn, skb): the same, with a name to call var.ret(x) on.
#define TRACE_FUNC_NAMED(var, sim, fn, ...) ::skbscope::TraceScope var((sim), ::skbscope::Fn::fn, ##__VA_ARGS__)

} // namespace skbscope
