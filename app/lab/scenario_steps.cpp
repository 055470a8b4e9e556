// The programs' steps of a scenario: one socket call (or a sleep) each, "- send: {fd: 3, size: 4000}",
// checked field by field like the rest of the file; the console's typed calls come through here too
// (parse_step_yaml).
#include <charconv>

#include "app/lab/scenario.h"
#include "app/lab/scenario_yaml.h"

namespace skbscope::lab {

Result<StepSpec> parse_step(const Ctx& c, const YAML::Node& n, const std::string& path) {
    if (!n.IsMap() || n.size() != 1)
        return c.err(n, path, "a step is one call, e.g. '- sendto: {fd: 3, to: 10.0.0.2:9000, data: hi}'");
    auto it = n.begin();
    std::string op = scalar(it->first);
    const YAML::Node v = it->second;
    std::string p = path + "." + op;
    StepSpec s;
    s.line = n.Mark().line + 1;
    auto get_fd = [&]() -> Result<void> {
        if (!v.IsMap() || !v["fd"]) return c.err(v, p + ".fd", "missing (the file descriptor, e.g. 3)");
        auto fd = parse_int<int>(scalar(v["fd"]));
        if (!fd || *fd < 0) return c.err(v["fd"], p + ".fd", "expected a file descriptor number");
        s.fd = *fd;
        return {};
    };
    auto get_endpoint = [&](const char* key) -> Result<void> {
        if (!v[key]) return c.err(v, p + "." + key, "missing (ADDRESS:PORT)");
        auto ep = parse_endpoint(scalar(v[key]));
        if (!ep) return c.err(v[key], p + "." + key, "expected A.B.C.D:PORT, got '" + scalar(v[key]) + "'");
        s.addr = ep->first;
        s.port = ep->second;
        return {};
    };
    if (op == "socket") {
        s.op = StepSpec::Op::Socket;
        std::string type = v.IsScalar() ? scalar(v) : (v.IsMap() && v["type"] ? scalar(v["type"]) : "");
        if (v.IsMap()) TRY(only_keys(c, v, p, {"type"}));
        if (type == "dgram" || type == "udp") {
            s.type = 2;
            s.protocol = 17;
        } else if (type == "icmp" || type == "ping") {
            s.type = 2;
            s.protocol = 1;
        } else if (type == "stream" || type == "tcp") {
            s.type = 1;
            s.protocol = 6;
        } else {
            return c.err(v, p + ".type", "expected stream, dgram or icmp, got '" + type + "'");
        }
    } else if (op == "bind") {
        s.op = StepSpec::Op::Bind;
        TRY(only_keys(c, v, p, {"fd", "addr"}));
        TRY(get_fd());
        TRY(get_endpoint("addr"));
    } else if (op == "sendto" || op == "send") {
        s.op = op == "send" ? StepSpec::Op::Send : StepSpec::Op::Sendto;
        if (op == "send") TRY(only_keys(c, v, p, {"fd", "data", "size", "flags"}));
        else TRY(only_keys(c, v, p, {"fd", "to", "data", "size", "flags"}));
        TRY(get_fd());
        if (v["to"]) TRY(get_endpoint("to"));
        if (v["data"] && v["size"]) return c.err(v, p, "give either data or size, not both");
        if (v["data"]) {
            std::string d = scalar(v["data"]);
            s.data.assign(d.begin(), d.end());
        } else if (v["size"]) {
            auto sz = parse_int<uint32_t>(scalar(v["size"]));
            const uint32_t max = op == "send" ? (64u << 20) : 65507u;
            if (!sz || *sz > max)
                return c.err(v["size"], p + ".size", "expected a size from 0 to " + std::to_string(max));
            s.data.resize(*sz);
            for (uint32_t i = 0; i < *sz; ++i) s.data[i] = static_cast<uint8_t>('a' + i % 26);
        }
        if (v["flags"]) {
            std::string f = scalar(v["flags"]);
            if (f == "MSG_DONTWAIT") s.flags = 0x40;
            else return c.err(v["flags"], p + ".flags", "expected MSG_DONTWAIT");
        }
    } else if (op == "recvfrom" || op == "recv") {
        s.op = op == "recv" ? StepSpec::Op::Recv : StepSpec::Op::Recvfrom;
        if (op == "recv") TRY(only_keys(c, v, p, {"fd", "len", "flags", "until_eof"}));
        else TRY(only_keys(c, v, p, {"fd", "len", "flags"}));
        if (v["until_eof"]) {
            auto b = parse_bool(scalar(v["until_eof"]));
            if (!b) return c.err(v["until_eof"], p + ".until_eof", "expected true or false");
            s.until_eof = *b;
        }
        TRY(get_fd());
        s.len = 65536;
        if (v["len"]) {
            auto l = parse_int<uint32_t>(scalar(v["len"]));
            if (!l || *l == 0 || *l > (1u << 20)) return c.err(v["len"], p + ".len", "expected a length from 1 to 1048576");
            s.len = *l;
        }
        if (v["flags"]) {
            if (scalar(v["flags"]) != "MSG_DONTWAIT") return c.err(v["flags"], p + ".flags", "expected MSG_DONTWAIT");
            s.flags = 0x40;
        }
    } else if (op == "setsockopt") {
        s.op = StepSpec::Op::Setsockopt;
        TRY(only_keys(c, v, p, {"fd", "opt", "value"}));
        TRY(get_fd());
        std::string opt = v["opt"] ? scalar(v["opt"]) : "";
        if (!v["value"]) return c.err(v, p + ".value", "missing");
        s.level = 1;
        if (opt == "SO_RCVTIMEO") {
            s.optname = 20;
            auto d = parse_duration(scalar(v["value"]));
            if (!d) return c.err(v["value"], p + ".value", "expected a duration like 2s or 500ms");
            s.value = static_cast<int64_t>(*d);
        } else if (opt == "SO_RCVBUF" || opt == "SO_SNDBUF") {
            s.optname = opt == "SO_RCVBUF" ? 8 : 7;
            auto b = parse_int<int64_t>(scalar(v["value"]));
            if (!b || *b < 0) return c.err(v["value"], p + ".value", "expected a byte count");
            s.value = *b;
        } else if (opt == "TCP_NODELAY" || opt == "TCP_CORK" || opt == "SO_KEEPALIVE") {
            s.level = opt == "SO_KEEPALIVE" ? 1 : 6; // SOL_SOCKET or IPPROTO_TCP
            s.optname = opt == "TCP_NODELAY" ? 1 : opt == "TCP_CORK" ? 3 : 9;
            auto b = parse_bool(scalar(v["value"]));
            if (!b) return c.err(v["value"], p + ".value", "expected true or false");
            s.value = *b ? 1 : 0;
        } else if (opt == "TCP_KEEPIDLE" || opt == "TCP_KEEPINTVL" || opt == "TCP_KEEPCNT") {
            s.level = 6; // IPPROTO_TCP; seconds (TCP_KEEPCNT: probes), as Linux takes them
            s.optname = opt == "TCP_KEEPIDLE" ? 4 : opt == "TCP_KEEPINTVL" ? 5 : 6;
            auto n = parse_int<int64_t>(scalar(v["value"]));
            if (!n || *n < 1) return c.err(v["value"], p + ".value", "expected a positive integer");
            s.value = *n;
        } else {
            return c.err(v, p + ".opt",
                         "expected SO_RCVTIMEO, SO_RCVBUF, SO_SNDBUF, SO_KEEPALIVE, TCP_NODELAY, TCP_CORK, "
                         "TCP_KEEPIDLE, TCP_KEEPINTVL or TCP_KEEPCNT, got '" + opt + "'");
        }
    } else if (op == "listen") {
        s.op = StepSpec::Op::Listen;
        TRY(only_keys(c, v, p, {"fd", "backlog"}));
        TRY(get_fd());
        s.backlog = 128;
        if (v["backlog"]) {
            auto b = parse_int<int>(scalar(v["backlog"]));
            if (!b || *b < 0 || *b > 4096) return c.err(v["backlog"], p + ".backlog", "expected 0..4096");
            s.backlog = *b;
        }
    } else if (op == "accept") {
        s.op = StepSpec::Op::Accept;
        TRY(only_keys(c, v, p, {"fd"}));
        TRY(get_fd());
    } else if (op == "connect") {
        s.op = StepSpec::Op::Connect;
        TRY(only_keys(c, v, p, {"fd", "to"}));
        TRY(get_fd());
        TRY(get_endpoint("to"));
    } else if (op == "shutdown") {
        s.op = StepSpec::Op::Shutdown;
        TRY(only_keys(c, v, p, {"fd", "how"}));
        TRY(get_fd());
        std::string how = v["how"] ? scalar(v["how"]) : "SHUT_WR";
        if (how == "SHUT_RD") s.how = 0;
        else if (how == "SHUT_WR") s.how = 1;
        else if (how == "SHUT_RDWR") s.how = 2;
        else return c.err(v["how"], p + ".how", "expected SHUT_RD, SHUT_WR or SHUT_RDWR");
    } else if (op == "close") {
        s.op = StepSpec::Op::Close;
        TRY(only_keys(c, v, p, {"fd"}));
        TRY(get_fd());
    } else if (op == "epoll_create1") {
        s.op = StepSpec::Op::EpollCreate1;
        if (v.IsMap()) TRY(only_keys(c, v, p, {}));
    } else if (op == "epoll_ctl") {
        s.op = StepSpec::Op::EpollCtl;
        TRY(only_keys(c, v, p, {"epfd", "op", "fd", "events"}));
        TRY(get_fd());
        auto epfd = v["epfd"] ? parse_int<int>(scalar(v["epfd"])) : std::nullopt;
        if (!epfd || *epfd < 0) return c.err(v, p + ".epfd", "expected the epoll file descriptor");
        s.epfd = *epfd;
        std::string o = v["op"] ? scalar(v["op"]) : "ADD";
        if (o == "ADD" || o == "EPOLL_CTL_ADD") s.epoll_op = 1;
        else if (o == "DEL" || o == "EPOLL_CTL_DEL") s.epoll_op = 2;
        else if (o == "MOD" || o == "EPOLL_CTL_MOD") s.epoll_op = 3;
        else return c.err(v["op"], p + ".op", "expected ADD, MOD or DEL");
        if (v["events"]) {
            const YAML::Node ev = v["events"];
            std::vector<std::string> names;
            if (ev.IsSequence())
                for (size_t i = 0; i < ev.size(); ++i) names.push_back(scalar(ev[i]));
            else names.push_back(scalar(ev));
            for (const auto& e : names) {
                static const std::pair<const char*, uint32_t> known[] = {
                    {"EPOLLIN", 0x001}, {"EPOLLPRI", 0x002}, {"EPOLLOUT", 0x004}, {"EPOLLRDHUP", 0x2000},
                    {"EPOLLET", 1u << 31}, {"EPOLLONESHOT", 1u << 30}};
                bool found = false;
                for (const auto& [name, bit] : known)
                    if (e == name) {
                        s.events |= bit;
                        found = true;
                    }
                if (!found) return c.err(ev, p + ".events", "expected EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLPRI, EPOLLET or EPOLLONESHOT, got '" + e + "'");
            }
        } else if (s.epoll_op != 2) {
            s.events = 0x001; // EPOLLIN
        }
    } else if (op == "epoll_wait") {
        s.op = StepSpec::Op::EpollWait;
        TRY(only_keys(c, v, p, {"epfd", "maxevents", "timeout"}));
        auto epfd = v["epfd"] ? parse_int<int>(scalar(v["epfd"])) : std::nullopt;
        if (!epfd || *epfd < 0) return c.err(v, p + ".epfd", "expected the epoll file descriptor");
        s.epfd = *epfd;
        if (v["maxevents"]) {
            auto m = parse_int<int>(scalar(v["maxevents"]));
            if (!m || *m < 1 || *m > 1024) return c.err(v["maxevents"], p + ".maxevents", "expected 1..1024");
            s.maxevents = *m;
        }
        if (v["timeout"]) {
            std::string t = scalar(v["timeout"]);
            if (t == "-1" || t == "infinite" || t == "forever") s.timeout_ms = -1;
            else if (auto d = parse_duration(t)) s.timeout_ms = static_cast<int64_t>(*d / kNsPerMs);
            else return c.err(v["timeout"], p + ".timeout", "expected a duration like 1s or 500ms, or -1");
        }
    } else if (op == "write") {
        s.op = StepSpec::Op::Write;
        TRY(only_keys(c, v, p, {"fd", "data", "size"}));
        TRY(get_fd());
        if (v["data"] && v["size"]) return c.err(v, p, "give either data or size, not both");
        if (v["data"]) {
            std::string d = scalar(v["data"]);
            s.data.assign(d.begin(), d.end());
        } else if (v["size"]) {
            auto sz = parse_int<uint32_t>(scalar(v["size"]));
            if (!sz || *sz > (64u << 20)) return c.err(v["size"], p + ".size", "expected a size from 0 to " + std::to_string(64u << 20));
            s.data.resize(*sz);
            for (uint32_t i = 0; i < *sz; ++i) s.data[i] = static_cast<uint8_t>('a' + i % 26);
        }
    } else if (op == "read") {
        s.op = StepSpec::Op::Read;
        TRY(only_keys(c, v, p, {"fd", "len"}));
        TRY(get_fd());
        s.len = 65536;
        if (v["len"]) {
            auto l = parse_int<uint32_t>(scalar(v["len"]));
            if (!l || *l == 0 || *l > (1u << 20)) return c.err(v["len"], p + ".len", "expected a length from 1 to 1048576");
            s.len = *l;
        }
    } else if (op == "sleep") {
        s.op = StepSpec::Op::Sleep;
        auto d = parse_duration(scalar(v));
        if (!d) return c.err(v, p, "expected a duration like 1s, 10ms, 5us");
        s.duration = *d;
    } else {
        return c.err(it->first, path, "unknown call '" + op + "' (socket, bind, listen, accept, connect, send, sendto, write, recv, recvfrom, read, setsockopt, shutdown, close, epoll_create1, epoll_ctl, epoll_wait, sleep)");
    }
    return s;
}

Result<StepSpec> parse_step_yaml(const std::string& text, const std::string& source) {
    YAML::Node node;
    try {
        node = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        return Error{source + ": " + e.what()};
    }
    const Ctx c{source};
    return parse_step(c, node, "step");
}

} // namespace skbscope::lab
