// epoll (fs/eventpoll.c): epoll_create1 -> do_epoll_create -> ep_alloc; epoll_ctl -> do_epoll_ctl ->
// ep_insert (ep_item_poll -> sock_poll with ep_ptable_queue_proc hooking ep_poll_callback into the
// socket's wait queue) | ep_modify | ep_remove; epoll_wait -> do_epoll_wait -> ep_poll, which sleeps
// (frames stay open in task.frames) until ep_poll_callback puts an item on rdllist or the timeout ends.
// SIMPLIFICATION: wake-ups carry no poll key; ep_send_events re-polls every ready item (level-triggered
// items go back on rdllist, as Linux does) and ep_poll sleeps again when nothing was ready.
#include "stack/fs/eventpoll.h"

#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/ipv4/tcp.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

uint32_t sock_poll(Host& host, Socket* sock) {
    TRACE_FUNC_NAMED(scope, host.sim(), sock_poll);
    uint32_t mask = 0;
    if (sock->sk) {
        if (sock->type == SOCK_STREAM)
            mask = tcp_poll(host, tcp_sk(sock->sk.get())); // sock->ops->poll
        else
            mask = datagram_poll(host, sock->sk.get());
    }
    scope.ret(mask);
    return mask;
}

namespace {

// The waiter's wake-up: runs in its context, after the current handler (try_to_wake_up).
void ep_wake_waiter(Host& host, EventPoll* ep, bool timed_out) {
    if (!ep->waiter) return;
    Sim& sim = host.sim();
    Task* t = ep->waiter;
    auto wake = std::move(ep->wake);
    ep->waiter = nullptr;
    ep->wake = nullptr;
    if (!timed_out && ep->timeout && sim.cancel(ep->timeout))
        sim.rec().timer(ep->label, "schedule_hrtimeout_range", TimerOp::Cancel, 0, Layer::Socket);
    ep->timeout = {};
    if (!timed_out) {
        host.note("wakes " + t->comm + " (pid " + std::to_string(t->pid) + ") sleeping in epoll_wait on " +
                      ep->label,
                  Layer::Socket);
        sim.at(sim.now(), t->ctx, [wake] { wake(false); });
    } else {
        wake(true);
    }
}

void ep_poll_callback(Host& host, EpItem* epi) {
    TRACE_FUNC(host.sim(), ep_poll_callback, nullptr, epi->fd);
    EventPoll* ep = epi->ep;
    if (!(epi->events & ~(EPOLLONESHOT | EPOLLET))) return; // disabled by EPOLLONESHOT
    if (!epi->ready) {
        epi->ready = true;
        ep->rdllist.push_back(epi);
    }
    ep_wake_waiter(host, ep, false); // wake_up(&ep->wq)
}

uint32_t ep_item_poll(Host& host, EpItem* epi, bool queue) {
    TRACE_FUNC_NAMED(scope, host.sim(), ep_item_poll, nullptr, epi->fd);
    // vfs_poll -> sock_poll -> sock->ops->poll, whose sock_poll_wait calls the poll table's
    // queue function the first time only (ep_insert).
    uint32_t mask = sock_poll(host, epi->file.get());
    if (queue && epi->file->sk) {
        TRACE_FUNC(host.sim(), ep_ptable_queue_proc, nullptr, epi->fd);
        SockWaiter w;
        w.task = nullptr;
        w.func = [&host, epi] { ep_poll_callback(host, epi); };
        epi->wait_id = sk_add_waiter(epi->file->sk.get(), std::move(w)); // add_wait_queue(whead, &pwq->wait)
    }
    mask &= epi->events | EPOLLERR | EPOLLHUP;
    scope.ret(mask);
    return mask;
}

void ep_unhook(EpItem* epi) {
    if (epi->wait_id && epi->file->sk)
        sk_remove_waiter(epi->file->sk.get(), epi->wait_id); // ep_unregister_pollwait
    epi->wait_id = 0;
}

void ep_remove(Host& host, EventPoll* ep, EpItem* epi) {
    TRACE_FUNC(host.sim(), ep_remove, nullptr, epi->fd);
    ep_unhook(epi);
    if (epi->ready)
        for (auto it = ep->rdllist.begin(); it != ep->rdllist.end(); ++it)
            if (*it == epi) {
                ep->rdllist.erase(it);
                break;
            }
    ep->rbr.erase(epi->fd);
}

int ep_insert(Host& host, EventPoll* ep, int fd, std::shared_ptr<Socket> file, uint32_t events,
              const std::shared_ptr<EventPoll>& self) {
    TRACE_FUNC_NAMED(scope, host.sim(), ep_insert, nullptr, fd, events);
    auto item = std::make_unique<EpItem>();
    EpItem* epi = item.get();
    epi->ep = ep;
    epi->fd = fd;
    epi->file = file;
    epi->events = events;
    ep->rbr[fd] = std::move(item); // ep_rbtree_insert
    file->f_ep.push_back(self);    // list_add(&epi->fllink, &file->f_ep)
    uint32_t revents = ep_item_poll(host, epi, true);
    if (revents && !epi->ready) {
        epi->ready = true;
        ep->rdllist.push_back(epi);
        ep_wake_waiter(host, ep, false);
    }
    scope.ret(0);
    return 0;
}

int ep_modify(Host& host, EventPoll* ep, EpItem* epi, uint32_t events) {
    TRACE_FUNC_NAMED(scope, host.sim(), ep_modify, nullptr, epi->fd, events);
    epi->events = events;
    if (ep_item_poll(host, epi, false) && !epi->ready) {
        epi->ready = true;
        ep->rdllist.push_back(epi);
        ep_wake_waiter(host, ep, false);
    }
    scope.ret(0);
    return 0;
}

std::shared_ptr<EventPoll> epoll_of(Task& task, int epfd, int* err) {
    auto it = task.fdtable.find(epfd);
    if (it == task.fdtable.end()) {
        *err = -EBADF;
        return nullptr;
    }
    if (!it->second->ep) {
        *err = -EINVAL; // is_file_epoll
        return nullptr;
    }
    return it->second->ep;
}

// ep_send_events: moves ready items to the user's array, re-polling each; level-triggered items
// that are still ready go back on rdllist.
int ep_send_events(Host& host, EventPoll* ep, int maxevents, std::vector<std::pair<int, uint32_t>>& out) {
    TRACE_FUNC_NAMED(scope, host.sim(), ep_send_events, nullptr, static_cast<int64_t>(ep->rdllist.size()));
    std::deque<EpItem*> txlist = std::move(ep->rdllist);
    ep->rdllist.clear();
    std::vector<EpItem*> requeue;
    while (!txlist.empty() && static_cast<int>(out.size()) < maxevents) {
        EpItem* epi = txlist.front();
        txlist.pop_front();
        epi->ready = false;
        uint32_t revents = ep_item_poll(host, epi, false);
        if (!revents) continue;
        out.emplace_back(epi->fd, revents);
        host.sim().charge_bytes(12); // epoll_put_uevent: sizeof(struct epoll_event)
        if (epi->events & EPOLLONESHOT)
            epi->events &= EPOLLONESHOT | EPOLLET;
        else if (!(epi->events & EPOLLET))
            requeue.push_back(epi);
    }
    for (EpItem* epi : txlist)
        ep->rdllist.push_back(epi); // not consumed (maxevents reached)
    for (EpItem* epi : requeue) {
        if (epi->ready) continue;
        epi->ready = true;
        ep->rdllist.push_back(epi);
    }
    scope.ret(static_cast<int64_t>(out.size()));
    return static_cast<int>(out.size());
}

// A timeout of -1: wait until an event comes, with no timer.
constexpr TimeNs kNoDeadline = ~TimeNs{0};

// ep_poll: sends what is ready or sleeps until ep_poll_callback or the timeout (kNoDeadline: none).
void ep_poll(Host& host, Task& task, std::shared_ptr<EventPoll> ep, std::shared_ptr<SysCall> sc,
             int maxevents, TimeNs deadline, SysRet ret) {
    Sim& sim = host.sim();
    if (!ep->rdllist.empty()) { // ep_events_available
        int n = ep_send_events(host, ep.get(), maxevents, sc->events);
        if (n > 0) return ret(n);
    }
    if (deadline != kNoDeadline && sim.now() >= deadline) return ret(0);
    if (ep->waiter) return ret(-EBUSY); // SIMPLIFICATION: one waiter per epoll instance
    task.frames.open(Fn::schedule_hrtimeout_range, nullptr,
                     deadline == kNoDeadline ? -1 : static_cast<int64_t>((deadline - sim.now()) / kNsPerMs));
    host.note(task.comm + " (pid " + std::to_string(task.pid) + ") sleeps in epoll_wait on " + ep->label,
              Layer::Socket);
    ep->waiter = &task;
    std::weak_ptr<EventPoll> wep = ep;
    ep->wake = [&host, &task, wep, sc, maxevents, deadline, ret](bool timed_out) {
        task.frames.close(Fn::schedule_hrtimeout_range, timed_out ? 0 : 1);
        auto ep = wep.lock();
        if (!ep) return ret(0);
        ep_poll(host, task, ep, sc, maxevents, deadline, ret);
    };
    if (deadline != kNoDeadline) {
        sim.rec().timer(ep->label, "schedule_hrtimeout_range", TimerOp::Arm, deadline, Layer::Socket);
        EventPoll* raw = ep.get();
        ep->timeout = sim.at(deadline, task.ctx, [&host, raw] {
            host.sim().rec().timer(raw->label, "schedule_hrtimeout_range", TimerOp::Fire, host.sim().now(),
                                   Layer::Socket);
            raw->timeout = {};
            ep_wake_waiter(host, raw, true);
        });
    }
}

} // namespace

// ---- epoll_create1 ----

void __x64_sys_epoll_create1(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    int64_t r;
    {
        Sim& sim = host.sim();
        TRACE_FUNC_NAMED(scope, sim, __x64_sys_epoll_create1, nullptr, sc->args[0]);
        TRACE_FUNC_NAMED(inner, sim, do_epoll_create, nullptr, sc->args[0]);
        if (sc->args[0] & ~int64_t(EPOLL_CLOEXEC)) {
            r = -EINVAL;
        } else {
            auto file = std::make_shared<Socket>();
            file->type = 0; // not a socket: an anon inode "[eventpoll]"
            {
                TRACE_FUNC(sim, ep_alloc);
                file->ep = std::make_shared<EventPoll>();
                file->ep->host = &host;
            }
            TRACE_FUNC_NAMED(s, sim, fd_install);
            int fd = task.get_unused_fd();
            file->ep->label = host.name() + ":epoll " + std::to_string(fd);
            task.fdtable[fd] = file;
            s.ret(fd);
            r = fd;
        }
        inner.ret(r);
        scope.ret(r);
    }
    ret(r);
}

// ---- epoll_ctl ----

void __x64_sys_epoll_ctl(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    int64_t r;
    {
        Sim& sim = host.sim();
        int epfd = static_cast<int>(sc->args[0]), op = static_cast<int>(sc->args[1]),
            fd = static_cast<int>(sc->args[2]);
        uint32_t events = static_cast<uint32_t>(sc->optval);
        TRACE_FUNC_NAMED(scope, sim, __x64_sys_epoll_ctl, nullptr, epfd, op);
        if (op != EPOLL_CTL_DEL) sim.charge_bytes(12); // copy_from_user(&epds, event)
        TRACE_FUNC_NAMED(inner, sim, do_epoll_ctl, nullptr, op, fd);
        int err = 0;
        auto ep = epoll_of(task, epfd, &err);
        auto fit = task.fdtable.find(fd);
        if (!err && fit == task.fdtable.end()) err = -EBADF;
        if (!err && (fd == epfd || fit->second->ep)) err = -EINVAL; // SIMPLIFICATION: no nested epoll
        if (!err) {
            auto it = ep->rbr.find(fd); // ep_find
            EpItem* epi = it == ep->rbr.end() ? nullptr : it->second.get();
            events |= EPOLLERR | EPOLLHUP; // always reported
            switch (op) {
            case EPOLL_CTL_ADD:
                err = epi ? -EEXIST : ep_insert(host, ep.get(), fd, fit->second, events, ep);
                break;
            case EPOLL_CTL_DEL:
                if (!epi)
                    err = -ENOENT;
                else
                    ep_remove(host, ep.get(), epi);
                break;
            case EPOLL_CTL_MOD:
                err = epi ? ep_modify(host, ep.get(), epi, events) : -ENOENT;
                break;
            default:
                err = -EINVAL;
            }
        }
        r = err;
        inner.ret(r);
        scope.ret(r);
    }
    ret(r);
}

// ---- epoll_wait ----

void __x64_sys_epoll_wait(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret) {
    Sim& sim = host.sim();
    int epfd = static_cast<int>(sc->args[0]), maxevents = static_cast<int>(sc->args[2]);
    int64_t timeout_ms = sc->args[3];
    task.frames.open(Fn::__x64_sys_epoll_wait, nullptr, epfd, timeout_ms);
    task.frames.open(Fn::do_epoll_wait, nullptr, epfd, maxevents);
    auto finish = [&task, ret](int64_t r) {
        task.frames.close(Fn::do_epoll_wait, r);
        task.frames.close(Fn::__x64_sys_epoll_wait, r);
        ret(r);
    };
    if (maxevents <= 0 || maxevents > 0x7fffffff / 12) return finish(-EINVAL); // EP_MAX_EVENTS
    int err = 0;
    auto ep = epoll_of(task, epfd, &err);
    if (!ep) return finish(err);
    TimeNs deadline = timeout_ms < 0 ? kNoDeadline : sim.now() + static_cast<TimeNs>(timeout_ms) * kNsPerMs; // ep_timeout_to_timespec
    sc->events.clear();
    task.frames.open(Fn::ep_poll, nullptr, maxevents, timeout_ms);
    ep_poll(host, task, ep, sc, maxevents, deadline, [&task, finish](int64_t r) {
        task.frames.close(Fn::ep_poll, r);
        finish(r);
    });
}

// ---- release ----

void eventpoll_release(Host& host, Socket* file) {
    if (file->f_ep.empty()) return;
    TRACE_FUNC(host.sim(), eventpoll_release);
    auto eps = std::move(file->f_ep);
    file->f_ep.clear();
    for (auto& w : eps) {
        auto ep = w.lock();
        if (!ep) continue;
        for (auto it = ep->rbr.begin(); it != ep->rbr.end();) {
            EpItem* epi = it->second.get();
            ++it;
            if (epi->file.get() == file) ep_remove(host, ep.get(), epi);
        }
    }
}

void ep_eventpoll_release(Host& host, Socket* file) {
    if (!file->ep) return;
    TRACE_FUNC(host.sim(), ep_eventpoll_release);
    EventPoll* ep = file->ep.get();
    while (!ep->rbr.empty())
        ep_remove(host, ep, ep->rbr.begin()->second.get()); // ep_clear_and_put
}

} // namespace skbscope
