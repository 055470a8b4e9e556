// JSON Lines export and the per-kind event fields shared with the Chrome exporter.
// Names follow the kernel's: drop reasons as SKB_DROP_REASON_*, TCP states as TCP_*, registers
// and addresses in hex as a driver developer would print them.
#include "core/trace/export_jsonl.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/trace/trace_names.h"
#include "core/wire/describe.h"

namespace skbscope {

namespace {

std::string_view str_ref(const Trace& t, uint32_t ref) {
    return ref == kNoRef ? std::string_view() : t.str(ref);
}

void append_snapshot(const Trace& t, const TraceEvent& e, json::Object& o) {
    const SkbSnapshot* s = e.ref == kNoRef ? nullptr : t.snapshot(e.ref);
    if (!s) return;
    o.str("head", hex(s->head_addr));
    o.unum("data", s->data).unum("tail", s->tail).unum("end", s->end);
    o.unum("len", s->len).unum("data_len", s->data_len).unum("truesize", s->truesize);
    if (s->mac_header != 0xffff) o.unum("mac_header", s->mac_header);
    if (s->network_header != 0xffff) o.unum("network_header", s->network_header);
    if (s->transport_header != 0xffff) o.unum("transport_header", s->transport_header);
    o.str("protocol", hex(s->protocol));
    o.unum("users", s->users).unum("cloned", s->cloned).unum("nr_frags", s->nr_frags);
}

} // namespace

void append_event_fields(const Trace& t, const TraceEvent& e, json::Object& o) {
    switch (e.kind) {
    case EventKind::FuncEnter:
        if (auto file = event_source_file(t, e); !file.empty()) o.str("file", file);
        o.num("arg0", e.a[0]).num("arg1", e.a[1]);
        if (e.ref != kNoRef) o.str("note", str_ref(t, e.ref));
        break;
    case EventKind::FuncExit:
        o.num("ret", e.a[0]);
        break;
    case EventKind::SkbAlloc:
        o.num("size", e.a[0]);
        append_snapshot(t, e, o);
        break;
    case EventKind::SkbFree:
        o.str("drop_reason", drop_reason_linux_name(e.a[0]));
        o.boolean("dropped", e.a[0] != static_cast<int64_t>(DropReason::NotDropped));
        append_snapshot(t, e, o);
        break;
    case EventKind::SkbPtr:
        o.str("op", t.str(e.name)).num("delta", e.a[0]);
        append_snapshot(t, e, o);
        break;
    case EventKind::Queue:
        o.str("queue", t.str(e.name)).str("instance", str_ref(t, e.ref));
        o.str("op", queue_op_name(static_cast<QueueOp>(e.a[0] & 0xff)))
            .num("qlen", e.a[1])
            .num("bytes", e.a[2]);
        break;
    case EventKind::Ring: {
        o.str("ring", t.str(e.name)).str("device", str_ref(t, e.ref));
        o.num("next_to_use", e.a[0]).num("next_to_clean", e.a[1]).num("head", e.a[2]).num("tail", e.a[3]);
        auto states = e.ref2 == kNoRef ? std::span<const uint8_t>() : t.blob(e.ref2);
        std::string s;
        for (uint8_t b : states)
            s += static_cast<char>('0' + (b % 10));
        o.str("desc_states", s);
        break;
    }
    case EventKind::Reg:
        o.str("device", str_ref(t, e.ref)).str("reg", t.str(e.name));
        o.str("access", e.a[1] == static_cast<int64_t>(RegAccess::Write) ? "write" : "read");
        o.str("offset", hex(static_cast<uint64_t>(e.a[2]))).str("value", hex(static_cast<uint64_t>(e.a[0])));
        break;
    case EventKind::Dma:
        o.str("device", str_ref(t, e.ref)).str("purpose", t.str(e.name));
        o.str("bus_addr", hex(static_cast<uint64_t>(e.a[0]))).num("length", e.a[1]);
        o.str("dir", e.a[2] == static_cast<int64_t>(DmaDir::ToDevice) ? "to_device" : "from_device");
        break;
    case EventKind::Irq:
        o.str("device", str_ref(t, e.ref)).str("what", t.str(e.name));
        o.str("op", irq_op_name(static_cast<IrqOp>(e.a[0] & 0xff)));
        o.str("causes", hex(static_cast<uint64_t>(e.a[1]))).str("ims", hex(static_cast<uint64_t>(e.a[2])));
        break;
    case EventKind::Timer:
        o.str("owner", str_ref(t, e.ref)).str("timer", t.str(e.name));
        o.str("op", timer_op_name(static_cast<TimerOp>(e.a[0] & 0xff))).num("expires", e.a[1]);
        break;
    case EventKind::TcpState:
        o.str("socket", str_ref(t, e.ref));
        o.str("old", tcp_state_name(e.a[0])).str("new", tcp_state_name(e.a[1]));
        break;
    case EventKind::Counter:
        o.str("owner", str_ref(t, e.ref)).str("counter", t.str(e.name)).num("value", e.a[0]);
        break;
    case EventKind::Wire: {
        o.str("link", str_ref(t, e.ref)).num("port", e.a[1]).num("len", e.a[0]).num("arrival", e.a[2]);
        if (e.a[3] != 0) o.str("fate", wire_fate_name(static_cast<WireFate>(e.a[3])));
        auto frame = e.ref2 == kNoRef ? std::span<const uint8_t>() : t.blob(e.ref2);
        if (!frame.empty()) o.str("summary", wire::describe_frame(frame));
        break;
    }
    case EventKind::Note:
    case EventKind::Warning:
    case EventKind::Error:
        o.str("text", str_ref(t, e.ref));
        break;
    default:
        break;
    }
}

void write_jsonl(const Trace& t, std::ostream& out) {
    std::string buf;
    buf.reserve(1 << 20);
    for (size_t i = 0; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        {
            json::Object o(buf);
            o.unum("seq", i).unum("t_ns", e.time);
            o.str("host", context_host_name(t, e.ctx)).str("ctx", context_name(t, e.ctx));
            o.str("ctx_kind", e.ctx < t.contexts.size() ? context_kind_name(t.contexts[e.ctx].kind) : "?");
            o.str("kind", event_kind_name(e.kind))
                .str("layer", layer_name(e.layer))
                .str("name", t.str(e.name));
            o.unum("skb", e.skb).unum("flow", e.flow).unum("depth", e.depth);
            append_event_fields(t, e, o);
        }
        buf += '\n';
        if (buf.size() > (1 << 20) - 4096) {
            out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
            buf.clear();
        }
    }
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

Result<void> export_jsonl(const Trace& t, const std::string& path) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) return make_error(path + ": cannot write: " + std::strerror(errno));
    write_jsonl(t, f);
    f.flush();
    if (!f) return make_error(path + ": cannot write: " + std::strerror(errno));
    return {};
}

} // namespace skbscope
