// The user programs of a scenario: a scripted list of socket calls, and an iputils-style ping.
// Each runs in its task's context and makes its calls through the stack's libc wrappers, so the
// trace shows send() from the program down; a blocking call resumes the program when it returns.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "app/lab/scenario.h"

namespace skbscope {
class Host;
struct Task;
} // namespace skbscope

namespace skbscope::lab {

class Program {
public:
    virtual ~Program() = default;
    // Schedules the program's first step at its start time.
    virtual void start() = 0;
    virtual bool finished() const = 0;
    // The task the program runs in (its fd table), when it has one.
    virtual Task* task() const { return nullptr; }
    // Interactive mode: runs one more socket call after the ones before it; false when the program
    // does not take typed calls (ping, tcpdump).
    virtual bool append_step(const StepSpec&) { return false; }
    // What the program printed (ping's lines, a call's failure), for the CLI summary.
    const std::vector<std::string>& output() const { return m_output; }

protected:
    std::vector<std::string> m_output;
};

std::unique_ptr<Program> make_program(Host& host, const ProgramSpec& spec);
// A scripted program with no steps yet, for the console: in `task` (sharing its fds) or a new one.
std::unique_ptr<Program> make_console_program(Host& host, const std::string& name, Task* task);

} // namespace skbscope::lab
