// read() and write() (fs/read_write.c): __x64_sys_read -> ksys_read -> vfs_read -> file->f_op->read_iter
// (sock_read_iter for a socket) and __x64_sys_write -> ksys_write -> vfs_write -> sock_write_iter.
// The frames stay open in task.frames, since a socket read or write may sleep.
// SIMPLIFICATION: every file is a socket or an epoll file (which has no read/write: EINVAL); no file
// position (fdget_pos), no fsnotify, rw_verify_area only bounds the count.
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/socket/sock.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

namespace {

// The frames of one call, closed in reverse order when it returns.
void close_all(Task& task, std::initializer_list<Fn> fns, int64_t r) {
    for (Fn fn : fns)
        task.frames.close(fn, r);
}

} // namespace

void __x64_sys_read(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    OpenFrames& f = task.frames;
    f.open(Fn::__x64_sys_read, nullptr, sc->args[0], sc->args[2]);
    f.open(Fn::ksys_read, nullptr, sc->args[0], sc->args[2]);
    auto it = task.fdtable.find(static_cast<int>(sc->args[0])); // fdget_pos
    if (it == task.fdtable.end()) {
        close_all(task, {Fn::ksys_read, Fn::__x64_sys_read}, -EBADF);
        return ret(-EBADF);
    }
    auto file = it->second;
    f.open(Fn::vfs_read, nullptr, static_cast<int64_t>(sc->len));
    auto finish = [&task, ret](int64_t r) {
        close_all(task, {Fn::vfs_read, Fn::ksys_read, Fn::__x64_sys_read}, r);
        ret(r);
    };
    if (!file->sk) return finish(-EINVAL);          // no read_iter (an epoll file)
    if (sc->len > 0x7ffff000) sc->len = 0x7ffff000; // rw_verify_area: MAX_RW_COUNT
    sock_read_iter(host, task, file, sc, finish);   // file->f_op->read_iter
}

void __x64_sys_write(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    OpenFrames& f = task.frames;
    f.open(Fn::__x64_sys_write, nullptr, sc->args[0], sc->args[2]);
    f.open(Fn::ksys_write, nullptr, sc->args[0], sc->args[2]);
    auto it = task.fdtable.find(static_cast<int>(sc->args[0]));
    if (it == task.fdtable.end()) {
        close_all(task, {Fn::ksys_write, Fn::__x64_sys_write}, -EBADF);
        return ret(-EBADF);
    }
    auto file = it->second;
    f.open(Fn::vfs_write, nullptr, static_cast<int64_t>(sc->ubuf.size()));
    auto finish = [&task, ret](int64_t r) {
        close_all(task, {Fn::vfs_write, Fn::ksys_write, Fn::__x64_sys_write}, r);
        ret(r);
    };
    if (!file->sk) return finish(-EINVAL);
    { TRACE_FUNC(host.sim(), import_ubuf, nullptr, static_cast<int64_t>(sc->ubuf.size())); }
    sock_write_iter(host, task, file, sc, finish);
}

} // namespace skbscope
