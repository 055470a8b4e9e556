// epoll (fs/eventpoll.c, include/uapi/linux/eventpoll.h): struct eventpoll with its red-black tree
// of watched files (rbr), the ready list (rdllist) and the task sleeping in epoll_wait; struct epitem
// hooked into the watched socket's wait queue with ep_poll_callback as its wake function.
// SIMPLIFICATION: wake-ups carry no poll key (ep_poll re-polls and sleeps again if nothing is ready);
// no nested epoll, no EPOLLEXCLUSIVE/EPOLLWAKEUP, one waiter per epoll instance.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/time/scheduler.h"
#include "stack/socket/sock.h"

namespace skbscope {

class Host;
struct Task;
struct SysCall;

// include/uapi/linux/eventpoll.h
inline constexpr uint32_t EPOLLIN = 0x001, EPOLLPRI = 0x002, EPOLLOUT = 0x004, EPOLLERR = 0x008,
                          EPOLLHUP = 0x010, EPOLLRDNORM = 0x040, EPOLLRDBAND = 0x080, EPOLLWRNORM = 0x100,
                          EPOLLWRBAND = 0x200, EPOLLRDHUP = 0x2000, EPOLLONESHOT = 1u << 30,
                          EPOLLET = 1u << 31;
inline constexpr int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
inline constexpr int EPOLL_CLOEXEC = 02000000;

struct EventPoll;

// struct epitem: one watched file in one epoll instance.
struct EpItem {
    EventPoll* ep = nullptr;
    int fd = -1;
    std::shared_ptr<Socket> file;
    uint32_t events = 0;  // the interest mask (event.events)
    uint64_t wait_id = 0; // its entry on the socket's wait queue (eppoll_entry)
    bool ready = false;   // on rdllist
};

// struct eventpoll: the private data of an "[eventpoll]" file.
struct EventPoll {
    Host* host = nullptr;
    std::string label;                          // "B:epoll 5"
    std::map<int, std::unique_ptr<EpItem>> rbr; // keyed by fd (Linux: file + fd)
    std::deque<EpItem*> rdllist;
    // The task sleeping in ep_poll (ep->wq), its wake-up and its timeout.
    Task* waiter = nullptr;
    std::function<void(bool timed_out)> wake;
    Scheduler::EventId timeout{};
};

// Poll masks of sockets (sock->ops->poll).
uint32_t sock_poll(Host& host, Socket* sock);

// ---- system calls (x86-64: epoll_create1 291, epoll_ctl 233, epoll_wait 232) ----
void __x64_sys_epoll_create1(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_epoll_ctl(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);
void __x64_sys_epoll_wait(Host& host, Task& task, std::shared_ptr<SysCall> sc, SysRet ret);

// __fput of a watched file: removes it from every epoll instance (eventpoll_release).
void eventpoll_release(Host& host, Socket* file);
// __fput of an epoll file: unhooks all its items (ep_eventpoll_release -> ep_clear_and_put).
void ep_eventpoll_release(Host& host, Socket* file);

} // namespace skbscope
