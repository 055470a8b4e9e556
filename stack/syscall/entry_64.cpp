// The x86-64 system call path (arch/x86/entry/entry_64.S, arch/x86/entry/common.c,
// kernel/entry/common.c): entry_SYSCALL_64 -> do_syscall_64 -> sys_call_table[rax] -> the handler;
// syscall_exit_to_user_mode runs pending task_work (such as __fput after close) and returns with
// rax. The frames stay open across a sleep, so a blocking call is one slice from entry to exit.
// SIMPLIFICATION: only the socket, read/write and epoll calls are in the table (others: -ENOSYS);
// no seccomp, audit or ptrace on entry.
#include <map>

#include "core/time/sim.h"
#include "stack/fs/eventpoll.h"
#include "stack/host.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

using SyscallHandler = void (*)(Host&, Task&, std::shared_ptr<SysCall>, SysRet);

// sys_call_table (arch/x86/entry/syscalls/syscall_64.tbl)
static const std::map<int, SyscallHandler> sys_call_table = {
    {nr::close, __x64_sys_close},           {nr::socket, __x64_sys_socket}, {nr::sendto, __x64_sys_sendto},
    {nr::recvfrom, __x64_sys_recvfrom},     {nr::bind, __x64_sys_bind},     {nr::setsockopt, __x64_sys_setsockopt},
    {nr::listen, __x64_sys_listen},         {nr::connect, __x64_sys_connect}, {nr::accept, __x64_sys_accept},
    {nr::accept4, __x64_sys_accept4},       {nr::shutdown, __x64_sys_shutdown}, {nr::getsockopt, __x64_sys_getsockopt},
    {nr::read, __x64_sys_read},             {nr::write, __x64_sys_write},   {nr::sendmsg, __x64_sys_sendmsg},
    {nr::epoll_create1, __x64_sys_epoll_create1}, {nr::epoll_ctl, __x64_sys_epoll_ctl},
    {nr::epoll_wait, __x64_sys_epoll_wait}, {nr::recvmsg, __x64_sys_recvmsg},
};

static void syscall_exit_to_user_mode(Host& host, Task& task, int64_t rax) {
    Sim& sim = host.sim();
    TRACE_FUNC_NAMED(scope, sim, syscall_exit_to_user_mode, nullptr, rax);
    // exit_to_user_mode_loop: task_work_run (____fput)
    auto works = std::move(task.task_works);
    task.task_works.clear();
    for (auto& w : works) w();
    sim.rec().reg("cpu", "rax", RegAccess::Write, 0, static_cast<uint64_t>(rax), Layer::Syscall);
    scope.ret(rax);
}

void entry_SYSCALL_64(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::entry_SYSCALL_64, nullptr, sc->nr);
    task.frames.open(Fn::do_syscall_64, nullptr, sc->nr);
    auto finish = [&host, &task, ret](int64_t rax) {
        syscall_exit_to_user_mode(host, task, rax);
        task.frames.close(Fn::do_syscall_64, rax);
        task.frames.close(Fn::entry_SYSCALL_64, rax);
        ret(rax);
    };
    auto it = sys_call_table.find(sc->nr);
    if (it == sys_call_table.end()) {
        host.note("system call " + std::to_string(sc->nr) + " is not modelled: ENOSYS", Layer::Syscall);
        finish(-ENOSYS);
        return;
    }
    it->second(host, task, std::move(sc), finish);
}

} // namespace skbscope
