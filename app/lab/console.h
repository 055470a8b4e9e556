// Interactive mode: a socket call as a user types it in the GUI's console, "HOST: call args", e.g.
// "A: send 3 4000", "B: recv 4 65536", "A: connect 3 192.168.2.100:8080". Each call is translated to
// the scenario's step syntax and parsed by the same parser, so the console accepts exactly the
// calls and values a scenario's programs do (console_help() lists them).
#pragma once
#include <string>

#include "app/lab/scenario.h"
#include "core/util/result.h"

namespace skbscope::lab {

struct ConsoleCommand {
    std::string host;
    StepSpec step;
};

// Errors say what was wrong with the line ("unknown call 'sned'", "send: expected FD SIZE ...").
Result<ConsoleCommand> parse_console_command(const std::string& line);
// One line per call: "send FD SIZE [MSG_DONTWAIT]", ...
std::string console_help();

} // namespace skbscope::lab
