// tcpdump on the stack's libc wrappers (tcpdump_program.h).
// SIMPLIFICATION: libpcap's non-mmap path (recvfrom per frame, not a TPACKET_V3 ring); the
// interface's index comes from the host directly (tcpdump asks with ioctl(SIOCGIFINDEX)); each
// line is tshark-like (core/wire's describe_frame) after the timestamp and direction, not
// tcpdump's own format; with no count the program reads until the run ends (no SIGINT, so no
// statistics lines).
// LINUX: pcap_compile's program returns the snapshot length for a match, so packet_rcv trims a
// longer frame to it; the pcap record keeps the original length (PACKET_AUXDATA's tp_len).
#include "app/lab/tcpdump_program.h"

#include <pcap/pcap.h>

#include <cstdio>

#include "app/lab/scenario.h"
#include "core/time/sim.h"
#include "core/wire/describe.h"
#include "stack/host.h"
#include "stack/socket/af_packet.h"
#include "stack/syscall/libc.h"

namespace skbscope::lab {

Result<std::vector<bpf_insn>> tcpdump_compile(const std::string& expr, int snaplen) {
    pcap_t* p = pcap_open_dead(DLT_EN10MB, snaplen);
    if (!p) return make_error("pcap_open_dead failed");
    bpf_program prog{};
    if (pcap_compile(p, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        std::string err = pcap_geterr(p);
        pcap_close(p);
        return make_error(err);
    }
    std::vector<bpf_insn> insns(prog.bf_insns, prog.bf_insns + prog.bf_len);
    pcap_freecode(&prog);
    pcap_close(p);
    return insns;
}

namespace {

std::string fmt_time(TimeNs ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llu.%06llu", static_cast<unsigned long long>(ns / kNsPerSec),
                  static_cast<unsigned long long>((ns % kNsPerSec) / 1000));
    return buf;
}


class TcpdumpProgram final : public Program {
  public:
    TcpdumpProgram(Host& host, const ProgramSpec& spec)
        : m_host(host), m_spec(spec), m_task(host.spawn_task(spec.name, spec.pid)) {}

    void start() override {
        m_host.sim().at(m_spec.start, m_task->ctx, [this] { open(); });
    }
    bool finished() const override { return m_done; }

  private:
    void fail(const std::string& what) {
        m_output.push_back("tcpdump: " + what);
        m_done = true;
    }

    void open() {
        Sim& sim = m_host.sim();
        std::vector<bpf_insn> insns;
        {
            TRACE_FUNC(sim, tcpdump, nullptr, m_spec.tcpdump_snaplen, m_spec.tcpdump_count);
            { TRACE_FUNC(sim, pcap_open_dead, nullptr, DLT_EN10MB, m_spec.tcpdump_snaplen); }
            TRACE_FUNC_NAMED(scope, sim, pcap_compile, nullptr,
                             static_cast<int64_t>(m_spec.tcpdump_filter.size()));
            auto prog = tcpdump_compile(m_spec.tcpdump_filter, m_spec.tcpdump_snaplen);
            if (!prog) {
                scope.ret(-1);
                return fail("\"" + m_spec.tcpdump_filter + "\": " + prog.error().message);
            }
            insns = std::move(*prog);
            scope.ret(static_cast<int64_t>(insns.size()));
        }
        if (!m_spec.tcpdump_interface.empty()) {
            NetDevice* dev = m_host.dev_get_by_name(m_spec.tcpdump_interface); // ioctl(SIOCGIFINDEX)
            if (!dev) return fail(m_spec.tcpdump_interface + ": No such device exists");
            m_ifindex = dev->ifindex;
        }
        m_output.push_back(
            "tcpdump: listening on " +
            (m_spec.tcpdump_interface.empty() ? std::string("every device") : m_spec.tcpdump_interface) +
            ", link-type EN10MB (Ethernet), snapshot length " + std::to_string(m_spec.tcpdump_snaplen) +
            " bytes" + (m_spec.tcpdump_filter.empty() ? "" : ", filter \"" + m_spec.tcpdump_filter + "\""));
        const int proto = ((kEthPAll & 0xff) << 8) | (kEthPAll >> 8); // htons(ETH_P_ALL)
        libc_socket(*m_task, AF_PACKET, SOCK_RAW, proto, [this, insns](const SysResult& r) {
            if (r.ret < 0) return fail("socket: " + errno_name(r.err));
            m_fd = static_cast<int>(r.ret);
            auto attach = [this, insns] {
                libc_setsockopt_str(*m_task, m_fd, SOL_SOCKET, SO_ATTACH_FILTER, sock_fprog_bytes(insns),
                                    [this](const SysResult& r2) {
                                        if (r2.ret < 0)
                                            return fail("SO_ATTACH_FILTER: " + errno_name(r2.err));
                                        read_next();
                                    });
            };
            if (!m_ifindex) return attach();
            SockAddrLl ll;
            ll.protocol = kEthPAll;
            ll.ifindex = m_ifindex;
            libc_bind_ll(*m_task, m_fd, ll, [this, attach](const SysResult& r2) {
                if (r2.ret < 0) return fail("bind: " + errno_name(r2.err));
                attach();
            });
        });
    }

    void read_next() {
        libc_recvfrom(*m_task, m_fd, static_cast<size_t>(m_spec.tcpdump_snaplen), 0,
                      [this](const SysResult& r) { on_frame(r); });
    }

    void on_frame(const SysResult& r) {
        if (r.ret < 0) return fail("recvfrom: " + errno_name(r.err));
        Sim& sim = m_host.sim();
        const TpacketAuxdata aux = r.aux.value_or(TpacketAuxdata{
            static_cast<uint32_t>(r.data.size()), static_cast<uint32_t>(r.data.size()), static_cast<int64_t>(sim.now())});
        const bool out = r.from_ll && r.from_ll->pkttype == kPacketOutgoing;
        std::string dev;
        if (r.from_ll)
            if (NetDevice* d = m_host.dev_get_by_index(r.from_ll->ifindex)) dev = d->name + " ";
        m_output.push_back(fmt_time(aux.tstamp_ns) + " " + dev + (out ? "Out " : "In  ") +
                           wire::describe_frame(r.data));
        {
            // pcap_dump: the record (timestamp, captured and original length) and the bytes.
            TRACE_FUNC(sim, pcap_dump, nullptr, aux.tstamp_ns, aux.tp_len);
            Recorder& rec = sim.rec();
            if (rec.enabled() && !rec.trace().events.empty()) {
                TraceEvent& e = rec.trace().events.back();
                if (e.kind == EventKind::FuncEnter && e.name == static_cast<StrId>(Fn::pcap_dump))
                    e.ref2 = rec.add_blob(r.data);
            }
            sim.charge_bytes(r.data.size() + 16);
        }
        ++m_captured;
        if (m_spec.tcpdump_count && m_captured >= m_spec.tcpdump_count) {
            return libc_close(*m_task, m_fd, [this](const SysResult&) {
                m_output.push_back(std::to_string(m_captured) + " packets captured");
                m_done = true;
            });
        }
        // The next read is scheduled, not called, so a long capture does not nest C++ frames.
        sim.at(sim.now(), m_task->ctx, [this] { read_next(); });
    }

    Host& m_host;
    ProgramSpec m_spec;
    Task* m_task;
    int m_fd = -1;
    int m_ifindex = 0;
    int m_captured = 0;
    bool m_done = false;
};

} // namespace

std::unique_ptr<Program> make_tcpdump_program(Host& host, const ProgramSpec& spec) {
    return std::make_unique<TcpdumpProgram>(host, spec);
}

} // namespace skbscope::lab
