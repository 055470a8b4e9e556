// A task (struct task_struct, reduced): the user program's execution context, its file table, and
// the kernel frames a system call leaves open while the task sleeps.
// SIMPLIFICATION: one thread per task, one system call at a time; no signals, no preemption.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"
#include "core/util/assert.h"

namespace skbscope {

class Host;
struct Socket;

// Function slices that stay open across a sleep. A TraceScope closes when its C++ scope ends, so it
// cannot span a sleep; a frame opened here closes when the code resuming after the wake-up says so,
// in order, in the task's context: the recvfrom slice then covers the sleep in virtual time.
class OpenFrames {
public:
    explicit OpenFrames(Sim& sim) : m_sim(sim) {}
    // FuncEnter now (charging the function's cost), depth + 1.
    void open(Fn fn, const SkBuff* skb = nullptr, int64_t a0 = 0, int64_t a1 = 0) {
        m_sim.charge(fn_info(fn).cost_ns);
        m_sim.rec().enter(fn, skb, a0, a1);
        m_sim.push_depth();
        m_stack.push_back(Frame{fn, skb ? skb->id : 0, skb ? skb->flow : 0});
    }
    // FuncExit of the innermost frame, which must be fn.
    void close(Fn fn, int64_t ret) {
        SKB_ASSERT(!m_stack.empty() && m_stack.back().fn == fn);
        Frame f = m_stack.back();
        m_stack.pop_back();
        m_sim.pop_depth();
        m_sim.rec().exit(f.fn, f.skb, f.flow, ret);
    }
    size_t size() const { return m_stack.size(); }
    bool empty() const { return m_stack.empty(); }

private:
    struct Frame {
        Fn fn;
        uint32_t skb, flow;
    };
    Sim& m_sim;
    std::vector<Frame> m_stack;
};

struct Task {
    Task(Host& h, Sim& sim, std::string c, int p, ContextId cx) : host(&h), comm(std::move(c)), pid(p), ctx(cx), frames(sim) {}
    Host* host;
    std::string comm;
    int pid;
    ContextId ctx;
    // The file table: fd -> file, a socket or an epoll file (Socket::ep set, no sk). fds start at 3.
    std::map<int, std::shared_ptr<Socket>> fdtable;
    OpenFrames frames;
    bool in_syscall = false;
    // task_work run on the way back to user mode (____fput after close).
    std::vector<std::function<void()>> task_works;

    // The lowest free descriptor >= 3 (0, 1, 2 are stdin, stdout, stderr).
    int get_unused_fd() const {
        int fd = 3;
        while (fdtable.count(fd)) ++fd;
        return fd;
    }
};

} // namespace skbscope
