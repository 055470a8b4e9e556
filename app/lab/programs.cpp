// Scripted programs (a list of socket calls) and iputils-style ping, on the stack's libc wrappers.
// LINUX: ping uses an ICMP "ping socket" (SOCK_DGRAM, IPPROTO_ICMP) as iputils does when raw
// sockets are not allowed; the kernel puts the socket's identifier into the echo id.
// Errors: ping sets IP_RECVERR (and IP_TTL for -t); an ICMP error about a request makes the waiting
// recvfrom fail, ping then reads the error queue (recvmsg MSG_ERRQUEUE) and prints iputils' line,
// "From 192.168.1.1 icmp_seq=1 Time to live exceeded", counting it in "+N errors".
// SIMPLIFICATION: ping waits for each reply with SO_RCVTIMEO up to the next send time instead of
// poll(); it prints no TTL (iputils reads it from IP_RECVTTL ancillary data) and no "time" total.
#include "app/lab/programs.h"

#include <cstdio>
#include <deque>

#include "app/lab/tcpdump_program.h"
#include "stack/host.h"
#include "stack/syscall/libc.h"

namespace skbscope::lab {

namespace {

std::string fmt_ms(TimeNs ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns) / 1e6);
    return buf;
}

// iputils' pr_icmph for the errors a ping socket reports (ping/ping4.c).
std::string pr_icmph(uint8_t type, uint8_t code, uint32_t info) {
    if (type == 3) {
        static const char* const unreach[] = {
            "Destination Net Unreachable", "Destination Host Unreachable", "Destination Protocol Unreachable",
            "Destination Port Unreachable", nullptr, "Source Route Failed", "Destination Net Unknown",
            "Destination Host Unknown", "Source Host Isolated", "Destination Net Prohibited",
            "Destination Host Prohibited", "Destination Net Unreachable for Type of Service",
            "Destination Host Unreachable for Type of Service", "Packet filtered", "Precedence Violation",
            "Precedence Cutoff"};
        if (code == 4) return "Frag needed and DF set (mtu = " + std::to_string(info) + ")";
        if (code < 16) return unreach[code];
        return "Dest Unreachable, Bad Code: " + std::to_string(code);
    }
    if (type == 11) {
        if (code == 0) return "Time to live exceeded";
        if (code == 1) return "Frag reassembly time exceeded";
        return "Time exceeded, Bad Code: " + std::to_string(code);
    }
    if (type == 4) return "Source Quench";
    if (type == 5) return "Redirect";
    if (type == 12) return "Parameter problem: pointer = " + std::to_string(info >> 24);
    return "Bad ICMP type: " + std::to_string(type);
}

std::string call_failed(const char* call, const SysResult& r) {
    return std::string(call) + "() failed: " + errno_name(r.err);
}

class ScriptProgram final : public Program {
public:
    // task: run in an existing task (its fd table), as the console does; else spawn one.
    // echo: print every call's return value ("console: socket() = 3"), as the console shows them.
    ScriptProgram(Host& host, const ProgramSpec& spec, Task* task = nullptr, bool echo = false)
        : m_host(host), m_spec(spec), m_steps(spec.steps.begin(), spec.steps.end()),
          m_task(task ? task : host.spawn_task(spec.name, spec.pid)), m_echo(echo) {}

    void start() override {
        m_host.sim().at(m_spec.start, m_task->ctx, [this] { next(); });
    }
    bool finished() const override { return m_pc >= m_steps.size(); }
    Task* task() const override { return m_task; }
    bool append_step(const StepSpec& step) override {
        const bool idle = finished();
        m_steps.push_back(step); // a deque: the running step's reference stays valid
        if (idle) m_host.sim().at(m_host.sim().now(), m_task->ctx, [this] { next(); });
        return true;
    }

private:
    void next() {
        if (m_pc >= m_steps.size()) return;
        const StepSpec& s = m_steps[m_pc];
        auto cont = [this, name = op_name(s.op)](const SysResult& r) {
            if (r.ret < 0) m_output.push_back(m_spec.name + ": " + call_failed(name, r));
            else if (m_echo) m_output.push_back(m_spec.name + ": " + name + "() = " + std::to_string(r.ret));
            ++m_pc;
            next();
        };
        Task& t = *m_task;
        switch (s.op) {
        case StepSpec::Op::Socket:
            libc_socket(t, AF_INET, s.type, s.protocol, cont);
            break;
        case StepSpec::Op::Bind:
            libc_bind(t, s.fd, SockAddrIn{AF_INET, s.port, *s.addr}, cont);
            break;
        case StepSpec::Op::Sendto: {
            std::optional<SockAddrIn> to;
            if (s.addr) to = SockAddrIn{AF_INET, s.port, *s.addr};
            libc_sendto(t, s.fd, s.data, to, s.flags, cont);
            break;
        }
        case StepSpec::Op::Recvfrom:
            libc_recvfrom(t, s.fd, s.len, s.flags, [this, cont](const SysResult& r) {
                if (r.ret >= 0) {
                    std::string from = r.from ? r.from->addr.to_string() + ":" + std::to_string(r.from->port) : "?";
                    m_output.push_back(m_spec.name + ": received " + std::to_string(r.ret) + " bytes from " + from);
                }
                cont(r);
            });
            break;
        case StepSpec::Op::Listen:
            libc_listen(t, s.fd, s.backlog, cont);
            break;
        case StepSpec::Op::Accept:
            libc_accept(t, s.fd, 0, [this, cont](const SysResult& r) {
                if (r.ret >= 0) {
                    std::string from = r.from ? r.from->addr.to_string() + ":" + std::to_string(r.from->port) : "?";
                    m_output.push_back(m_spec.name + ": accepted fd " + std::to_string(r.ret) + " from " + from);
                }
                cont(r);
            });
            break;
        case StepSpec::Op::Connect:
            libc_connect(t, s.fd, SockAddrIn{AF_INET, s.port, *s.addr}, cont);
            break;
        case StepSpec::Op::Send:
            libc_send(t, s.fd, s.data, s.flags, [this, cont](const SysResult& r) {
                if (r.ret >= 0) m_output.push_back(m_spec.name + ": sent " + std::to_string(r.ret) + " bytes");
                cont(r);
            });
            break;
        case StepSpec::Op::Recv:
            recv_step(s, cont);
            break;
        case StepSpec::Op::Shutdown:
            libc_shutdown(t, s.fd, s.how, cont);
            break;
        case StepSpec::Op::Setsockopt:
            libc_setsockopt(t, s.fd, s.level, s.optname, s.value, cont);
            break;
        case StepSpec::Op::Close:
            libc_close(t, s.fd, cont);
            break;
        case StepSpec::Op::EpollCreate1:
            libc_epoll_create1(t, 0, cont);
            break;
        case StepSpec::Op::EpollCtl:
            libc_epoll_ctl(t, s.epfd, s.epoll_op, s.fd, s.events, cont);
            break;
        case StepSpec::Op::EpollWait:
            libc_epoll_wait(t, s.epfd, s.maxevents, s.timeout_ms, [this, cont](const SysResult& r) {
                if (r.ret >= 0) {
                    std::string line = m_spec.name + ": epoll_wait -> " + std::to_string(r.ret);
                    for (const auto& [fd, ev] : r.events) {
                        char hex[16];
                        std::snprintf(hex, sizeof hex, "%#x", ev);
                        line += " (fd " + std::to_string(fd) + ", events " + hex + ")";
                    }
                    m_output.push_back(line);
                }
                cont(r);
            });
            break;
        case StepSpec::Op::Write:
            libc_write(t, s.fd, s.data, [this, cont](const SysResult& r) {
                if (r.ret >= 0) m_output.push_back(m_spec.name + ": wrote " + std::to_string(r.ret) + " bytes");
                cont(r);
            });
            break;
        case StepSpec::Op::Read:
            libc_read(t, s.fd, s.len, [this, cont](const SysResult& r) {
                if (r.ret >= 0) m_output.push_back(m_spec.name + ": read " + std::to_string(r.ret) + " bytes" + (r.ret == 0 ? " (EOF)" : ""));
                cont(r);
            });
            break;
        case StepSpec::Op::Sleep:
            task_sleep(t, s.duration, [this] {
                ++m_pc;
                next();
            });
            break;
        }
    }
    // recv, and with until_eof recv again until it returns 0 (the peer's FIN), as a server's read
    // loop does. The bytes are summed into an FNV-1a hash that the output line prints, so a test can
    // check a transfer byte for byte. The next recv is scheduled, not called, so a long transfer
    // does not nest one C++ frame per call.
    void recv_step(const StepSpec& s, std::function<void(const SysResult&)> cont) {
        libc_recv(*m_task, s.fd, s.len, s.flags, [this, &s, cont](const SysResult& r) {
            if (r.ret > 0) {
                m_received += static_cast<uint64_t>(r.ret);
                for (uint8_t b : r.data) m_hash = (m_hash ^ b) * 0x100000001b3ULL;
            }
            if (r.ret > 0 && s.until_eof) {
                m_host.sim().at(m_host.sim().now(), m_task->ctx, [this, &s, cont] { recv_step(s, cont); });
                return;
            }
            if (r.ret >= 0) {
                char hash[32];
                std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(m_hash));
                m_output.push_back(m_spec.name + ": received " + std::to_string(s.until_eof ? m_received : r.ret) +
                                   " bytes" + (r.ret == 0 ? ", then EOF" : "") + " (fnv1a " + hash + ")");
            }
            m_received = 0;
            m_hash = kFnvOffset;
            cont(r);
        });
    }

    static const char* op_name(StepSpec::Op op) {
        switch (op) {
        case StepSpec::Op::Socket: return "socket";
        case StepSpec::Op::Bind: return "bind";
        case StepSpec::Op::Sendto: return "sendto";
        case StepSpec::Op::Recvfrom: return "recvfrom";
        case StepSpec::Op::Setsockopt: return "setsockopt";
        case StepSpec::Op::Close: return "close";
        case StepSpec::Op::Sleep: return "sleep";
        case StepSpec::Op::Listen: return "listen";
        case StepSpec::Op::Accept: return "accept";
        case StepSpec::Op::Connect: return "connect";
        case StepSpec::Op::Send: return "send";
        case StepSpec::Op::Recv: return "recv";
        case StepSpec::Op::Shutdown: return "shutdown";
        case StepSpec::Op::EpollCreate1: return "epoll_create1";
        case StepSpec::Op::EpollCtl: return "epoll_ctl";
        case StepSpec::Op::EpollWait: return "epoll_wait";
        case StepSpec::Op::Write: return "write";
        case StepSpec::Op::Read: return "read";
        }
        return "?";
    }

    Host& m_host;
    ProgramSpec m_spec;
    std::deque<StepSpec> m_steps;
    Task* m_task;
    bool m_echo = false;
    size_t m_pc = 0;
    static constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
    uint64_t m_received = 0;
    uint64_t m_hash = kFnvOffset;
};

// iputils ping: socket, then per sequence number sendto, wait for the reply until the next send
// time, then close and print the statistics line.
class PingProgram final : public Program {
public:
    PingProgram(Host& host, const ProgramSpec& spec)
        : m_host(host), m_spec(spec), m_task(host.spawn_task(spec.name, spec.pid)) {}

    void start() override {
        m_host.sim().at(m_spec.start, m_task->ctx, [this] {
            m_output.push_back("PING " + m_spec.ping_dst.to_string() + " " + std::to_string(m_spec.ping_size) + "(" +
                               std::to_string(m_spec.ping_size + 28) + ") bytes of data.");
            libc_socket(*m_task, AF_INET, SOCK_DGRAM, IPPROTO_ICMP, [this](const SysResult& r) {
                if (r.ret < 0) return fail("socket", r);
                m_fd = static_cast<int>(r.ret);
                // iputils: IP_RECVERR always, IP_TTL with -t
                libc_setsockopt(*m_task, m_fd, SOL_IP, IP_RECVERR, 1, [this](const SysResult& r2) {
                    if (r2.ret < 0) return fail("setsockopt", r2);
                    if (!m_spec.ping_ttl) return begin();
                    libc_setsockopt(*m_task, m_fd, SOL_IP, IP_TTL, m_spec.ping_ttl, [this](const SysResult& r3) {
                        if (r3.ret < 0) return fail("setsockopt", r3);
                        begin();
                    });
                });
            });
        });
    }
    bool finished() const override { return m_done; }

private:
    void fail(const char* call, const SysResult& r) {
        m_output.push_back("ping: " + call_failed(call, r));
        m_done = true;
    }
    TimeNs send_time(int seq) const { return m_t0 + static_cast<TimeNs>(seq - 1) * m_spec.ping_interval; }
    void begin() {
        m_t0 = m_host.sim().now();
        send_next();
    }
    // Sleep until the next interval, as ping's main loop does, or end after the last request.
    void next_or_finish() {
        TimeNs now = m_host.sim().now();
        if (m_seq < m_spec.ping_count) {
            TimeNs next = send_time(m_seq + 1);
            return task_sleep(*m_task, next > now ? next - now : 0, [this] { send_next(); });
        }
        finish();
    }

    void send_next() {
        if (m_seq >= m_spec.ping_count) return finish();
        ++m_seq;
        TimeNs now = m_host.sim().now();
        m_sent_at = now;
        libc_sendto(*m_task, m_fd, iputils_echo_request(static_cast<uint16_t>(m_seq), now, m_spec.ping_size),
                    SockAddrIn{AF_INET, 0, m_spec.ping_dst}, 0, [this](const SysResult& r) {
                        if (r.ret < 0) return fail("sendto", r);
                        ++m_transmitted;
                        wait_reply();
                    });
    }

    void wait_reply() {
        TimeNs now = m_host.sim().now();
        TimeNs deadline = m_seq < m_spec.ping_count ? send_time(m_seq + 1) : now + 10 * kNsPerSec;
        TimeNs timeout = deadline > now ? deadline - now : 1;
        libc_setsockopt(*m_task, m_fd, SOL_SOCKET, SO_RCVTIMEO, static_cast<int64_t>(timeout), [this](const SysResult&) {
            libc_recvfrom(*m_task, m_fd, 192, 0, [this](const SysResult& r) { on_reply(r); });
        });
    }

    void on_reply(const SysResult& r) {
        TimeNs now = m_host.sim().now();
        if (r.ret >= 8 && r.data.size() >= 8 && r.data[0] == 0) {
            uint16_t seq = static_cast<uint16_t>((r.data[6] << 8) | r.data[7]);
            ++m_received;
            m_output.push_back(std::to_string(r.ret) + " bytes from " + (r.from ? r.from->addr.to_string() : "?") +
                               ": icmp_seq=" + std::to_string(seq) + " time=" + fmt_ms(now - m_sent_at) + " ms");
            return next_or_finish();
        }
        // recvmsg failed with the error an ICMP message set (sk_err): read the error queue.
        if (r.ret < 0 && r.err != EAGAIN) return receive_error_msg();
        // Timeout (EAGAIN) or something else: go on with the next request.
        send_next();
    }

    // iputils' ping4_receive_error_msg: recvmsg(MSG_ERRQUEUE | MSG_DONTWAIT) and the IP_RECVERR message.
    void receive_error_msg() {
        libc_recvmsg(*m_task, m_fd, 192, MSG_ERRQUEUE | MSG_DONTWAIT, [this](const SysResult& r) {
            if (r.ret < 0 || !r.ee) return next_or_finish();
            const SockExtendedErr& e = *r.ee;
            if (e.ee_origin == SO_EE_ORIGIN_LOCAL) {
                ++m_errors;
                m_output.push_back(e.ee_errno == EMSGSIZE ? "ping: local error: message too long, mtu=" + std::to_string(e.ee_info)
                                                          : "ping: local error: " + errno_name(static_cast<int>(e.ee_errno)));
            } else if (e.ee_origin == SO_EE_ORIGIN_ICMP) {
                // Ours: an echo request to our destination (the identifier is the socket's own).
                if (r.data.size() >= 8 && r.data[0] == 8 && r.from && r.from->addr == m_spec.ping_dst) {
                    uint16_t seq = static_cast<uint16_t>((r.data[6] << 8) | r.data[7]);
                    ++m_errors;
                    m_output.push_back("From " + (r.ee_offender ? r.ee_offender->addr.to_string() : "?") +
                                       " icmp_seq=" + std::to_string(seq) + " " + pr_icmph(e.ee_type, e.ee_code, e.ee_info));
                }
            }
            // The main loop ends once every request is answered or failed.
            next_or_finish();
        });
    }

    void finish() {
        if (m_done) return;
        libc_close(*m_task, m_fd, [this](const SysResult&) {
            int loss = m_transmitted ? 100 * (m_transmitted - m_received) / m_transmitted : 0;
            m_output.push_back("--- " + m_spec.ping_dst.to_string() + " ping statistics ---");
            m_output.push_back(std::to_string(m_transmitted) + " packets transmitted, " + std::to_string(m_received) +
                               " received, " + (m_errors ? "+" + std::to_string(m_errors) + " errors, " : "") +
                               std::to_string(loss) + "% packet loss");
            m_done = true;
        });
    }

    Host& m_host;
    ProgramSpec m_spec;
    Task* m_task;
    int m_fd = -1;
    int m_seq = 0;
    int m_transmitted = 0, m_received = 0, m_errors = 0;
    TimeNs m_t0 = 0, m_sent_at = 0;
    bool m_done = false;
};

} // namespace

std::unique_ptr<Program> make_program(Host& host, const ProgramSpec& spec) {
    if (spec.kind == ProgramSpec::Kind::Ping) return std::make_unique<PingProgram>(host, spec);
    if (spec.kind == ProgramSpec::Kind::Tcpdump) return make_tcpdump_program(host, spec);
    return std::make_unique<ScriptProgram>(host, spec);
}

std::unique_ptr<Program> make_console_program(Host& host, const std::string& name, Task* task) {
    ProgramSpec spec;
    spec.name = name;
    spec.pid = 900; // used only when the console needs a task of its own
    return std::make_unique<ScriptProgram>(host, spec, task, /*echo=*/true);
}

} // namespace skbscope::lab
