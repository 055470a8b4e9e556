// struct socket and struct sock (include/linux/net.h, include/net/sock.h, include/net/inet_sock.h),
// reduced to what UDP and ping sockets use, plus the protocol's operations (struct proto), and the
// socket's errors: sk_err / sk_err_soft and the error queue of IP_RECVERR (include/linux/errqueue.h).
// The socket lock (socket_lock_t: lock_sock / release_sock) with its backlog (sk_backlog), in
// virtual time: see the model at the top of sock.cpp.
// SIMPLIFICATION: no memory accounting beyond sk_rmem_alloc (and sk_backlog.len).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/skb/skbuff.h"
#include "core/time/scheduler.h"
#include "core/wire/addr.h"
#include "stack/socket/uapi.h"

namespace skbscope {

class Host;
struct Task;
struct Sock;
struct SysCall;
using SysRet = std::function<void(int64_t ret)>;

// struct proto: what a transport protocol does for its sockets.
struct Proto {
    const char* name;
    // get_port: reserve snum (0 = pick one); 0 or -errno.
    int (*get_port)(Host& host, Sock* sk, uint16_t snum);
    // bind replaces inet_bind's own path when set (ping_bind).
    int (*bind)(Host& host, Sock* sk, const SockAddrIn& addr);
    // sendmsg: returns bytes sent or -errno (never sleeps in this slice).
    int64_t (*sendmsg)(Host& host, Sock* sk, SysCall& sc);
    // recvmsg may sleep: it reports its result through ret, in the task's context.
    void (*recvmsg)(Host& host, Task& task, Sock* sk, std::shared_ptr<SysCall> sc, SysRet ret);
    // close: the protocol's part of inet_release (udp_lib_close, ping_close).
    void (*close)(Host& host, Sock* sk);
    // connect / disconnect of a datagram socket (ip4_datagram_connect, udp_disconnect); 0 or -errno.
    int (*connect)(Host& host, Sock* sk, const SockAddrIn& addr) = nullptr;
    int (*disconnect)(Host& host, Sock* sk) = nullptr;
};

// A task sleeping on the socket's wait queue (wait_queue_entry).
struct SockWaiter {
    uint64_t id = 0;
    Task* task = nullptr;
    std::function<void()> wake;   // runs in the task's context
    Scheduler::EventId timeout;   // schedule_timeout's timer, when SO_RCVTIMEO is set
    // A custom wake function (wait_queue_entry.func, e.g. ep_poll_callback): the entry stays on the
    // queue and func runs inside the wake-up, in the waker's context; task and wake are unused.
    std::function<void()> func;
};

// One interval during which a task owned the socket (sk_lock.owned), in its context's time.
struct SockOwnedSpan {
    TimeNs from = 0, to = 0;
    ContextId ctx = 0;
};
// socket_lock_t: owned while a task's chain runs between lock_sock and release_sock; the closed
// intervals stay in spans (the newest kSpans) so a softirq that runs later in C++ order but at a
// time inside one of them still finds the socket owned.
struct SockLock {
    static constexpr size_t kSpans = 16;
    bool owned = false; // the task's C++ chain is between lock_sock and release_sock now
    ContextId owner_ctx = 0;
    TimeNs owned_from = 0;
    std::deque<SockOwnedSpan> spans;
};
// One skb on sk_backlog: due is the time of the release_sock that processes it (kAtRelease: the
// release of the lock held now), ctx the owner's context it is processed in.
struct SockBacklogEntry {
    static constexpr TimeNs kAtRelease = ~TimeNs(0);
    SkBuff* skb = nullptr;
    TimeNs due = 0;
    ContextId ctx = 0;
};
// sk->sk_backlog: the queue, its truesize total (len), and the scheduler event that runs
// __release_sock for entries whose release_sock already ran in C++.
struct SockBacklog {
    std::deque<SockBacklogEntry> q;
    uint32_t len = 0;
    Scheduler::EventId ev{};
    TimeNs ev_at = 0;
};

struct Sock {
    virtual ~Sock() = default; // a PacketSock is deleted through its Sock (SockDeleter)
    Host* host = nullptr;
    const Proto* sk_prot = nullptr;
    int sk_family = AF_INET; // AF_INET, or AF_PACKET (a PacketSock)
    int sk_type = SOCK_DGRAM;
    int sk_protocol = 0;
    std::string label; // "A:sock 3", the instance name of its queues

    // inet_sock
    wire::Ipv4Addr inet_rcv_saddr; // bound local address (0 = any)
    uint16_t inet_num = 0;         // local port (ping: the echo identifier), host order
    wire::Ipv4Addr inet_daddr;     // connected peer (connect(); 0 = not connected)
    uint16_t inet_dport = 0;
    uint8_t uc_ttl = 64;           // net.ipv4.ip_default_ttl (IP_TTL)
    bool recverr = false;          // IP_RECVERR: errors are queued on sk_error_queue, soft ones reported
    bool pmtudisc_want = true;     // IP_PMTUDISC_WANT: set DF when the packet fits the MTU
    bool pmtudisc_do = false;      // IP_PMTUDISC_DO: always DF, EMSGSIZE over the MTU (IP_MTU_DISCOVER)
    uint16_t inet_id = 0;

    // sock
    int sk_state = 7;              // TCP_CLOSE; a connected datagram socket is TCP_ESTABLISHED (1)
    int sk_err = 0;                // the pending error, taken (and cleared) by sock_error
    int sk_err_soft = 0;           // an error kept for later (a TCP timeout reports it)
    std::deque<SkBuff*> sk_error_queue; // sock_exterr_skb's for MSG_ERRQUEUE (IP_RECVERR)
    std::deque<SkBuff*> sk_receive_queue;
    uint32_t sk_rmem_alloc = 0;
    uint32_t sk_rcvbuf = 212992;   // net.core.rmem_default
    TimeNs sk_rcvtimeo = 0;        // 0: wait forever (MAX_SCHEDULE_TIMEOUT)
    bool dead = false;             // SOCK_DEAD
    bool kernel_owned = false;     // TCP: the host owns the sock; it outlives its struct socket
    void (*sk_data_ready)(Host& host, Sock* sk) = nullptr;
    std::vector<SockWaiter> sk_wq;
    uint64_t next_waiter = 1;
    SockLock sk_lock;
    SockBacklog sk_backlog;
    // sk_backlog_rcv: the protocol's receive for a backlogged skb (TCP: tcp_v4_do_rcv).
    int (*sk_backlog_rcv)(Host& host, Sock* sk, SkBuff* skb) = nullptr;
};

// Deletes a sock unless the kernel keeps it alive itself (a TCP sock lives on after close, in
// FIN_WAIT, TIME_WAIT ..., as Linux's sock_orphan leaves it to the protocol).
struct SockDeleter {
    void operator()(Sock* sk) const {
        if (sk && !sk->kernel_owned) delete sk;
    }
};

// struct socket: the file's view of a sock.
struct EventPoll;
struct Socket {
    int type = SOCK_DGRAM;
    // An epoll file (anon inode "[eventpoll]", type 0, no sk) keeps its struct eventpoll here.
    std::shared_ptr<EventPoll> ep;
    // The epoll instances watching this file (file->f_ep), for eventpoll_release at __fput.
    std::vector<std::weak_ptr<EventPoll>> f_ep;
    bool nonblock = false; // O_NONBLOCK on the file (SOCK_NONBLOCK at socket(), accept4)
    std::unique_ptr<Sock, SockDeleter> sk;
};

// ---- net/core/sock.c ----
// sk_alloc + sock_init_data: traced; sets sk_data_ready = sock_def_readable.
Sock* sk_alloc(Host& host, const Proto* prot, int type, int protocol);
void sock_init_data(Host& host, Sock* sk);
// sk_data_ready: wakes every task on sk_wq (__wake_up_sync_key schedules each in its context).
void sock_def_readable(Host& host, Sock* sk);
// Charges sk_rmem_alloc, appends to sk_receive_queue (Queue event), calls sk_data_ready.
// 0, or -ENOMEM when sk_rmem_alloc >= sk_rcvbuf (the caller drops with SOCKET_RCVBUFF).
int sock_queue_rcv_skb(Host& host, Sock* sk, SkBuff* skb);
// The queue bookkeeping and its Queue events, shared by UDP's and the generic enqueue.
void sk_receive_queue_tail(Host& host, Sock* sk, SkBuff* skb);
SkBuff* sk_receive_queue_dequeue(Host& host, Sock* sk);
// Adds a sleeper (returns its id) / removes one without waking it.
uint64_t sk_add_waiter(Sock* sk, SockWaiter w);
bool sk_remove_waiter(Sock* sk, uint64_t id, SockWaiter* out = nullptr);
// sk_common_release: unhash (done by the protocol's close), purge the receive and error queues, mark dead.
void sk_common_release(Host& host, Sock* sk);

// ---- the socket lock and its backlog (net/core/sock.c, include/net/sock.h) ----
// lock_sock: the current context (a task) owns the socket from now. Traced.
void lock_sock(Host& host, Sock* sk);
// release_sock: __release_sock runs the backlog entries due now through sk_backlog_rcv, in this
// context; the ownership interval [lock, now) is kept in sk_lock.spans; entries due later get a
// scheduler event. Traced (release_sock, __release_sock, sk_backlog_rcv, Queue "sk_backlog").
void release_sock(Host& host, Sock* sk);
// sk_flush_backlog: while the lock is held, runs __release_sock for the entries due now; true when
// it processed any (the caller restarts: the socket may have changed). Traced when it does.
bool sk_flush_backlog(Host& host, Sock* sk);
// sock_owned_by_user at virtual time t: true when t falls inside the lock held now or inside a
// recorded span; *due and *ctx say when and where the backlog entry will be processed.
bool sock_owned_by_user_at(const Sock* sk, TimeNs t, TimeNs* due, ContextId* ctx);
// sk_add_backlog: -ENOBUFS when sk_backlog.len + sk_rmem_alloc > limit (sk_rcvqueues_full), else
// appends (Queue event "sk_backlog") and makes sure __release_sock will run for it.
int sk_add_backlog(Host& host, Sock* sk, SkBuff* skb, uint32_t limit, TimeNs due, ContextId ctx);

// ---- errors (include/net/sock.h, net/core/skbuff.c, include/linux/errqueue.h) ----
// struct sock_exterr_skb: an error skb's control block (SKB_EXT_ERR), after the IPCB it keeps.
struct SockExterrSkb {
    uint8_t header[24];      // struct inet_skb_parm (IPCB), untouched
    SockExtendedErr ee;
    uint16_t addr_offset = 0; // from the network header to the address msg_name reports
    uint16_t port = 0;        // host order
};
static_assert(sizeof(SockExterrSkb) <= sizeof(SkBuff::cb));
inline SockExterrSkb& SKB_EXT_ERR(SkBuff* skb) { return *reinterpret_cast<SockExterrSkb*>(skb->cb.data()); }
// sock_error: takes sk_err (xchg with 0); -err, or 0 when there is none.
int sock_error(Host& host, Sock* sk);
// sk_error_report (sock_def_error_report): wakes the socket's sleepers (EPOLLERR), who see sk_err.
void sk_error_report(Host& host, Sock* sk);
// sock_queue_err_skb: charges the receive buffer and queues skb on sk_error_queue, then
// sk_error_report; -ENOMEM when the buffer is full (the caller frees skb).
int sock_queue_err_skb(Host& host, Sock* sk, SkBuff* skb);
// sock_dequeue_err_skb: the oldest error skb (or nullptr); sk_err becomes the next ICMP error's errno
// (reported again) or 0, as Linux keeps sk_err in step with the queue.
SkBuff* sock_dequeue_err_skb(Host& host, Sock* sk);

// ---- net/core/datagram.c ----
// __skb_recv_datagram: takes the next skb or sleeps (frames stay open in task.frames); reports the
// skb, or nullptr with -EAGAIN (MSG_DONTWAIT, SO_RCVTIMEO expired) or a pending error (sock_error).
void __skb_recv_datagram(Host& host, Task& task, Sock* sk, int flags,
                         std::function<void(SkBuff* skb, int err)> done);
// datagram_poll: the poll mask of a datagram socket (EPOLLIN when the receive queue holds one).
uint32_t datagram_poll(Host& host, Sock* sk);
// skb_copy_datagram_iter: copies len bytes from offset into out (appends).
void skb_copy_datagram_iter(Host& host, const SkBuff* skb, uint32_t offset, std::vector<uint8_t>& out,
                            uint32_t len);

} // namespace skbscope
