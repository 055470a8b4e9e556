// The console's grammar: HOST ':' CALL ARG*. Positional arguments map onto the keys of the
// scenario's step syntax (the table below); the values are quoted YAML scalars, so nothing a user
// types can change the structure of the step that parse_step_yaml() then checks.
#include "app/lab/console.h"

#include <sstream>
#include <vector>

namespace skbscope::lab {

namespace {

struct CallSyntax {
    const char* call;
    std::vector<const char*> keys; // positional arguments, in order
    size_t required;               // how many of them must be given
    const char* usage;
};

const std::vector<CallSyntax>& calls() {
    static const std::vector<CallSyntax> table = {
        {"socket", {""}, 1, "socket stream|dgram"},
        {"bind", {"fd", "addr"}, 2, "bind FD ADDRESS:PORT"},
        {"listen", {"fd", "backlog"}, 1, "listen FD [BACKLOG]"},
        {"accept", {"fd"}, 1, "accept FD"},
        {"connect", {"fd", "to"}, 2, "connect FD ADDRESS:PORT"},
        {"send", {"fd", "size", "flags"}, 2, "send FD SIZE [MSG_DONTWAIT]"},
        {"sendto", {"fd", "size", "to", "flags"}, 3, "sendto FD SIZE ADDRESS:PORT [MSG_DONTWAIT]"},
        {"write", {"fd", "size"}, 2, "write FD SIZE"},
        {"recv", {"fd", "len", "flags"}, 1, "recv FD [LEN] [MSG_DONTWAIT]"},
        {"recvfrom", {"fd", "len", "flags"}, 1, "recvfrom FD [LEN] [MSG_DONTWAIT]"},
        {"read", {"fd", "len"}, 1, "read FD [LEN]"},
        {"shutdown", {"fd", "how"}, 1, "shutdown FD [SHUT_RD|SHUT_WR|SHUT_RDWR]"},
        {"close", {"fd"}, 1, "close FD"},
        {"setsockopt", {"fd", "opt", "value"}, 3, "setsockopt FD OPTION VALUE (TCP_NODELAY true, SO_SNDBUF 8192, ...)"},
        {"sleep", {""}, 1, "sleep DURATION (10ms, 5us)"},
    };
    return table;
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "\"";
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

} // namespace

Result<ConsoleCommand> parse_console_command(const std::string& line) {
    const auto colon = line.find(':');
    if (colon == std::string::npos)
        return Error{"expected HOST: CALL ARGS, e.g. \"A: send 3 4000\" (calls: " + console_help() + ")"};
    ConsoleCommand cmd;
    cmd.host = trim(line.substr(0, colon));
    if (cmd.host.empty()) return Error{"missing the host before ':'"};
    std::istringstream in(line.substr(colon + 1));
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.empty()) return Error{"missing the call after '" + cmd.host + ":'"};
    const std::string& call = words[0];
    const CallSyntax* syntax = nullptr;
    for (const CallSyntax& c : calls())
        if (call == c.call) syntax = &c;
    if (!syntax) return Error{"unknown call '" + call + "' (calls: " + console_help() + ")"};
    const size_t args = words.size() - 1;
    if (args < syntax->required || args > syntax->keys.size())
        return Error{call + ": expected " + syntax->usage};
    std::string yaml;
    if (syntax->keys[0][0] == '\0') {
        yaml = "{" + call + ": " + quoted(words[1]) + "}";
    } else {
        yaml = "{" + call + ": {";
        for (size_t i = 0; i < args; ++i) {
            std::string key = syntax->keys[i];
            // "send 3 10 MSG_DONTWAIT": a trailing flag may stand where an optional value would.
            if (words[i + 1] == "MSG_DONTWAIT") key = "flags";
            yaml += (i ? ", " : "") + key + ": " + quoted(words[i + 1]);
        }
        yaml += "}}";
    }
    auto step = parse_step_yaml(yaml, "console");
    if (!step) {
        // The parser names the field ("step.send.size: expected a size ..."); keep that part and
        // drop the position inside the generated YAML, which the user never saw.
        std::string msg = step.error().message;
        const auto at = msg.find("step.");
        return Error{(at == std::string::npos ? msg : msg.substr(at + 5)) + " (usage: " + syntax->usage + ")"};
    }
    cmd.step = *step;
    return cmd;
}

std::string console_help() {
    std::string out;
    for (const CallSyntax& c : calls()) out += (out.empty() ? "" : "; ") + std::string(c.usage);
    return out;
}

} // namespace skbscope::lab
