// libFuzzer target for the interactive console (app/lab/console.h): any line a user can type must
// parse to a host and one of the console's calls with values the scenario parser accepts, or be
// refused with a non-empty message; never a crash (yaml-cpp's exceptions stay inside the parser).
// The same line always gives the same answer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/lab/console.h"

namespace {

using Op = skbscope::lab::StepSpec::Op;

// The calls console.cpp's table offers (no epoll: a scenario's programs only).
bool console_call(Op op) {
    switch (op) {
    case Op::EpollCreate1:
    case Op::EpollCtl:
    case Op::EpollWait:
        return false;
    default:
        return true;
    }
}

bool takes_fd(Op op) {
    return op != Op::Socket && op != Op::Sleep;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace skbscope::lab;
    const std::string line(reinterpret_cast<const char*>(data), size);
    auto r = parse_console_command(line);
    auto again = parse_console_command(line);
    if (r.ok() != again.ok()) std::abort();
    if (!r.ok()) {
        if (r.error().message.empty() || r.error().message != again.error().message) std::abort();
        return 0;
    }
    const ConsoleCommand& cmd = *r;
    // The host is the trimmed text before the first ':'.
    if (cmd.host.empty() || cmd.host.find(':') != std::string::npos) std::abort();
    if (cmd.host.find_first_of(" \t\r\n") == 0 || cmd.host.find_last_of(" \t\r\n") == cmd.host.size() - 1)
        std::abort();
    if (line.find(cmd.host) == std::string::npos) std::abort();
    const StepSpec& s = cmd.step;
    if (!console_call(s.op)) std::abort();
    if (takes_fd(s.op) && s.fd < 0) std::abort();
    if ((s.op == Op::Recv || s.op == Op::Recvfrom || s.op == Op::Read) && (s.len == 0 || s.len > (1u << 20)))
        std::abort();
    if (s.op == Op::Shutdown && (s.how < 0 || s.how > 2)) std::abort();
    if (again->host != cmd.host || again->step.op != s.op || again->step.fd != s.fd ||
        again->step.data != s.data || again->step.len != s.len)
        std::abort();
    return 0;
}
