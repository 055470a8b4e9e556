// TCP inside the stack (include/net/tcp.h, include/linux/tcp.h, include/net/inet_connection_sock.h):
// struct tcp_sock as TcpSock (a Sock plus the congestion-control part TcpCongCtl), the control
// block of a TCP skb (TCP_SKB_CB), the states with Linux's numbers, the constants, and the
// functions of tcp.c, tcp_input.c, tcp_output.c, tcp_ipv4.c, tcp_minisocks.c, tcp_timer.c and
// inet_connection_sock.c, each traced under its kernel name.
// SIMPLIFICATION: no GSO skbs: an skb holds at most one MSS; what Linux builds as one skb of up to
// size_goal bytes (tcp_xmit_size_goal) is a run of ours (gso_skb_seq: where the run began), and
// tcp_write_xmit sends up to its quota of them as Linux sends one GSO packet. No TIME_WAIT mini
// socket (the full sock stays in TIME_WAIT), no urgent data, no ECN, no MD5/AO, no Fast Open, PRR
// reduced to halving cwnd on entering recovery.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/skb/skbuff.h"
#include "core/wire/addr.h"
#include "core/wire/tcp.h"
#include "stack/ipv4/ip.h"
#include "stack/ipv4/tcp_cong.h"
#include "stack/socket/sock.h"

namespace skbscope {

class Host;
struct Task;
struct SysCall;
struct Socket;

// include/net/tcp_states.h: Linux's numbering (the TcpState trace events carry these).
enum TcpStateNum : int {
    TCP_ESTABLISHED = 1,
    TCP_SYN_SENT = 2,
    TCP_SYN_RECV = 3,
    TCP_FIN_WAIT1 = 4,
    TCP_FIN_WAIT2 = 5,
    TCP_TIME_WAIT = 6,
    TCP_CLOSE = 7,
    TCP_CLOSE_WAIT = 8,
    TCP_LAST_ACK = 9,
    TCP_LISTEN = 10,
    TCP_CLOSING = 11,
    TCP_NEW_SYN_RECV = 12,
};
const char* tcp_state_name(int state);

// ---- constants (include/net/tcp.h; sysctl defaults of Linux 6.18) ----
constexpr TimeNs TCP_RTO_MIN = 200 * kNsPerMs;
constexpr TimeNs TCP_RTO_MAX = 120 * kNsPerSec;
constexpr TimeNs TCP_TIMEOUT_INIT = 1 * kNsPerSec;
constexpr TimeNs TCP_DELACK_MIN = 40 * kNsPerMs;
constexpr TimeNs TCP_DELACK_MAX = 200 * kNsPerMs;
constexpr TimeNs TCP_ATO_MIN = 40 * kNsPerMs;
constexpr TimeNs TCP_TIMEWAIT_LEN = 60 * kNsPerSec;
constexpr TimeNs TCP_FIN_TIMEOUT = 60 * kNsPerSec;
constexpr int TCP_RETR2 = 15;                     // net.ipv4.tcp_retries2
constexpr int TCP_SYN_RETRIES = 6;                // net.ipv4.tcp_syn_retries
constexpr uint32_t TCP_MSS_DEFAULT = 536;
constexpr uint32_t TCP_RMEM_DEFAULT = 131072;     // net.ipv4.tcp_rmem[1]
constexpr uint32_t TCP_RMEM_MAX = 33554432;       // net.ipv4.tcp_rmem[2] (32 MB since 6.x)
constexpr uint32_t TCP_WMEM_DEFAULT = 16384;      // net.ipv4.tcp_wmem[1]
constexpr uint32_t TCP_WMEM_MAX = 4194304;        // net.ipv4.tcp_wmem[2]
// L1_CACHE_ALIGN(128 + MAX_HEADER). LINUX: MAX_HEADER depends on the configuration: 32 in a
// kernel without Wi-Fi, AX.25, Hyper-V netvsc or IP tunnels (the kernel of ../shared/refcaps, whose
// 1448-byte segments arrive in 2304-byte skbs), 176 in a typical distribution kernel (320 here).
constexpr uint32_t MAX_TCP_HEADER = 192;
constexpr uint32_t GSO_MAX_SEGS = 65535;          // dev->gso_max_segs, sk->sk_gso_max_segs
constexpr uint32_t TCP_MIN_TSO_SEGS = 2;          // net.ipv4.tcp_min_tso_segs
constexpr int TCP_MAX_QUICKACKS = 16;
constexpr int TCP_APP_WIN = 31;                   // net.ipv4.tcp_app_win
constexpr uint8_t TCP_DEFAULT_SCALING_RATIO = 128; // 1 << (TCP_RMEM_TO_WIN_SCALE - 1)
constexpr int TCP_RMEM_TO_WIN_SCALE = 8;
constexpr uint32_t SOCK_MIN_RCVBUF = 2304;          // 2048 + sizeof(struct sk_buff) rounded, include/net/sock.h
// include/uapi/linux/tcp.h
constexpr int TCP_NODELAY = 1;
constexpr int TCP_MAXSEG = 2;
constexpr int TCP_CORK = 3;
constexpr int TCP_CONGESTION = 13;
constexpr int TCP_KEEPIDLE = 4;
constexpr int TCP_KEEPINTVL = 5;
constexpr int TCP_KEEPCNT = 6;
// keepalive defaults (include/net/tcp.h: net.ipv4.tcp_keepalive_time, _intvl, _probes) and limits
constexpr TimeNs TCP_KEEPALIVE_TIME = 7200 * kNsPerSec;
constexpr TimeNs TCP_KEEPALIVE_INTVL = 75 * kNsPerSec;
constexpr int TCP_KEEPALIVE_PROBES = 9;
constexpr int MAX_TCP_KEEPIDLE = 32767, MAX_TCP_KEEPINTVL = 32767, MAX_TCP_KEEPCNT = 127;
constexpr TimeNs TCP_RESOURCE_PROBE_INTERVAL = 500 * kNsPerMs;
constexpr int SO_SNDBUF_ = 7;
constexpr int SO_KEEPALIVE_ = 9;
// shutdown how
constexpr int SHUT_RD_ = 0, SHUT_WR_ = 1, SHUT_RDWR_ = 2;
constexpr int RCV_SHUTDOWN = 1, SEND_SHUTDOWN = 2;

// Sequence-number arithmetic across the 2^32 wrap (before()/after() in include/net/tcp.h).
inline bool before(uint32_t seq1, uint32_t seq2) { return static_cast<int32_t>(seq1 - seq2) < 0; }
inline bool after(uint32_t seq2, uint32_t seq1) { return before(seq1, seq2); }
inline bool between(uint32_t seq1, uint32_t seq2, uint32_t seq3) { return seq3 - seq2 >= seq1 - seq2; }

// struct tcp_skb_cb, kept in skb->cb.
struct TcpSkbCb {
    uint32_t seq = 0;
    uint32_t end_seq = 0; // seq + SYN + FIN + data length
    uint32_t ack_seq = 0; // received segments: the ACK field
    uint8_t tcp_flags = 0;
    uint8_t sacked = 0;   // TCPCB_SACKED_ACKED, TCPCB_RETRANS, TCPCB_LOST, TCPCB_EVER_RETRANS
    uint8_t eor = 0;
    uint8_t pad = 0;
    uint32_t tx_time_lo = 0, tx_time_hi = 0; // skb_mstamp_ns: when the segment was last sent
    uint32_t tsval = 0, tsecr = 0;           // received segments: the timestamp option
    uint8_t saw_tstamp = 0;
};
static_assert(sizeof(TcpSkbCb) <= 48);
constexpr uint8_t TCPCB_SACKED_ACKED = 0x01;
constexpr uint8_t TCPCB_SACKED_RETRANS = 0x02;
constexpr uint8_t TCPCB_LOST = 0x04;
constexpr uint8_t TCPCB_EVER_RETRANS = 0x80;
inline TcpSkbCb& TCP_SKB_CB(SkBuff* skb) { return *reinterpret_cast<TcpSkbCb*>(skb->cb.data()); }
inline const TcpSkbCb& TCP_SKB_CB(const SkBuff* skb) { return *reinterpret_cast<const TcpSkbCb*>(skb->cb.data()); }
inline TimeNs tcp_skb_timestamp(const SkBuff* skb) {
    const auto& cb = TCP_SKB_CB(skb);
    return static_cast<TimeNs>((uint64_t(cb.tx_time_hi) << 32) | cb.tx_time_lo);
}
inline void tcp_skb_set_timestamp(SkBuff* skb, TimeNs t) {
    TCP_SKB_CB(skb).tx_time_lo = static_cast<uint32_t>(uint64_t(t));
    TCP_SKB_CB(skb).tx_time_hi = static_cast<uint32_t>(uint64_t(t) >> 32);
}

// struct tcp_options_received (what tcp_parse_options found in a segment).
struct TcpOptionsReceived {
    bool saw_tstamp = false;
    uint32_t rcv_tsval = 0, rcv_tsecr = 0;
    bool sack_ok = false;
    bool wscale_ok = false;
    uint8_t snd_wscale = 0;
    uint16_t mss_clamp = 0;
    std::vector<wire::TcpSackBlock> sacks;
};

struct TcpSock;

// struct request_sock / tcp_request_sock: a connection in the SYN queue (TCP_NEW_SYN_RECV).
struct RequestSock {
    TcpSock* rsk_listener = nullptr;
    wire::Ipv4Addr ir_loc_addr, ir_rmt_addr;
    uint16_t ir_num = 0, ir_rmt_port = 0;
    uint32_t rcv_isn = 0, snt_isn = 0;
    uint32_t ts_recent = 0;
    uint32_t ts_off = 0;
    uint16_t mss = 0;
    bool tstamp_ok = false, sack_ok = false, wscale_ok = false;
    uint8_t snd_wscale = 0, rcv_wscale = 0;
    uint32_t rsk_rcv_wnd = 0, rsk_window_clamp = 0;
    uint32_t snd_wnd = 0;
    int num_retrans = 0;
    TimeNs snt_synack = 0;
    Scheduler::EventId rsk_timer{};
    std::string label;
};

// struct tcp_sock (with inet_connection_sock's icsk_* fields).
struct TcpSock : Sock, TcpCongCtl {
    // sk_state, sk_err, sk_err_soft: in struct Sock (stack/socket/sock.h), TCP_CLOSE at first
    int sk_shutdown = 0;
    int sk_max_ack_backlog = 0;
    uint32_t sk_sndbuf = TCP_WMEM_DEFAULT;
    uint32_t sk_wmem_queued = 0;
    bool sndbuf_locked = false, rcvbuf_locked = false;
    bool nonblock = false;          // O_NONBLOCK on the file (SOCK_NONBLOCK)
    bool keepalive = false;         // SO_KEEPALIVE
    std::shared_ptr<Rtable> sk_dst; // the cached route (sk_dst_cache)

    // sequence space
    uint32_t write_seq = 0, pushed_seq = 0, copied_seq = 0, rcv_nxt = 0, rcv_wup = 0;
    uint32_t snd_wl1 = 0, snd_wnd = 0, max_window = 0, snd_up = 0;
    uint32_t rcv_wnd = 0, rcv_ssthresh = 0, window_clamp = 0;
    uint8_t scaling_ratio = TCP_DEFAULT_SCALING_RATIO;
    uint32_t advmss = 1460;
    uint16_t mss_clamp = 536;       // rx_opt.mss_clamp: the peer's MSS
    uint8_t snd_wscale = 0, rcv_wscale = 0;
    bool tstamp_ok = false, sack_ok = false, wscale_ok = false;
    uint32_t ts_recent = 0, ts_off = 0;
    TimeNs ts_recent_stamp = 0;
    uint32_t tcp_header_len = 20;
    uint32_t isn = 0;
    uint32_t irs = 0; // the peer's initial sequence number (counters show rcv_nxt relative to it)
    // RTT and RTO (RFC 6298, as tcp_rtt_estimator keeps them: srtt << 3, mdev << 2, in us)
    uint32_t mdev_us = 0, mdev_max_us = 0, rttvar_us = 0;
    uint32_t rtt_seq = 0;
    TimeNs icsk_rto = TCP_TIMEOUT_INIT;
    int icsk_backoff = 0;
    int icsk_retransmits = 0;
    TimeNs retrans_stamp = 0;
    // loss recovery
    uint32_t sacked_out = 0, lost_out = 0, retrans_out = 0;
    uint32_t high_seq = 0;
    int dupacks = 0;
    uint32_t reordering = 3;
    uint32_t undo_marker = 0;
    // delayed ACK (icsk_ack)
    int ack_pending = 0;            // ICSK_ACK_SCHED | ICSK_ACK_TIMER
    int ack_quick = 0;
    bool ack_pingpong = false;
    TimeNs ack_ato = TCP_ATO_MIN;
    TimeNs ack_lrcvtime = 0;
    uint32_t rcv_mss = 536;
    uint32_t last_seg_size = 0;
    // Nagle/cork
    bool nodelay = false, cork = false;
    uint32_t snd_sml = 0;
    // GSO (Linux builds skbs of size_goal bytes, tcp_xmit_size_goal): tp->gso_segs, and the
    // sequence number where the skb at the tail of Linux's write queue begins (our run of MSS skbs)
    uint16_t gso_segs = 0;
    uint32_t gso_skb_seq = 0;
    // queues (sk_write_queue: not yet sent; tcp_rtx_queue: sent, not acked; out_of_order_queue)
    std::deque<SkBuff*> sk_write_queue, tcp_rtx_queue, out_of_order_queue;
    std::vector<wire::TcpSackBlock> selective_acks;
    bool fin_queued = false;        // a FIN is in the write queue
    bool rcv_fin = false;           // the peer's FIN was received (RCV_SHUTDOWN)
    // timers (scheduler events in the host's softirq context)
    Scheduler::EventId xmit_timer{}, delack_timer{}, tw_timer{};
    TimeNs xmit_timer_expires = 0, delack_timer_expires = 0;
    // listeners: the SYN queue (request socks) and the accept queue (children)
    std::vector<std::unique_ptr<RequestSock>> syn_queue;
    std::deque<TcpSock*> accept_queue;
    TcpSock* parent = nullptr;      // a child not yet accepted
    bool orphan = false;            // closed by the user (SOCK_DEAD), lives on for the protocol
    bool destroyed = false;
    std::vector<int64_t> last_ctr;  // the counters' last emitted values (tcp_counters)
    // keepalive (sk_timer, SOCK_KEEPOPEN in keepalive above): 0 = the sysctl default
    TimeNs keepalive_time = 0, keepalive_intvl = 0; // TCP_KEEPIDLE, TCP_KEEPINTVL
    int keepalive_probes = 0;                       // TCP_KEEPCNT
    int icsk_probes_out = 0;                        // unanswered probes
    TimeNs rcv_tstamp = 0;                          // when the last ACK arrived (tcp_ack)
    Scheduler::EventId keepalive_timer{};
    TimeNs keepalive_timer_expires = 0;
};
inline TcpSock* tcp_sk(Sock* sk) { return static_cast<TcpSock*>(sk); }

// ---- tcp.c ----
extern const Proto tcp_prot;
void tcp_init_sock(Host& host, TcpSock* sk);
void tcp_set_state(Host& host, TcpSock* sk, int state);
void tcp_done(Host& host, TcpSock* sk);
// The protocol's stream calls, used by af_inet.cpp. Each may sleep (frames in task.frames).
void tcp_sendmsg(Host& host, Task& task, TcpSock* sk, std::shared_ptr<SysCall> sc, SysRet ret);
void tcp_recvmsg(Host& host, Task& task, TcpSock* sk, std::shared_ptr<SysCall> sc, SysRet ret);
void tcp_close(Host& host, TcpSock* sk);
void tcp_shutdown(Host& host, TcpSock* sk, int how);
int tcp_setsockopt(Host& host, TcpSock* sk, int level, int optname, int64_t val, const std::string& str);
int tcp_getsockopt(Host& host, TcpSock* sk, int level, int optname, int64_t* val);
void tcp_cleanup_rbuf(Host& host, TcpSock* sk, int copied);
// tcp_poll: the socket's poll mask (EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLHUP, EPOLLERR) for epoll.
uint32_t tcp_poll(Host& host, TcpSock* sk);
// Counter events for the charts (cwnd, ssthresh, srtt, ..., queue bytes): each only when it changed.
void tcp_counters(Host& host, TcpSock* sk);
void sk_stream_write_space(Host& host, TcpSock* sk);
void sk_state_change(Host& host, TcpSock* sk);
uint32_t tcp_space(const TcpSock* sk);
uint32_t tcp_full_space(const TcpSock* sk);
inline uint32_t tcp_win_from_space(const TcpSock* sk, int64_t space) {
    return space <= 0 ? 0 : static_cast<uint32_t>((uint64_t(space) * sk->scaling_ratio) >> 8);
}
inline uint32_t tcp_packets_in_flight(const TcpSock* tp) { return tp->packets_out - (tp->sacked_out + tp->lost_out) + tp->retrans_out; }
inline uint32_t tcp_receive_window(const TcpSock* tp) {
    int32_t win = static_cast<int32_t>(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt);
    return win < 0 ? 0 : static_cast<uint32_t>(win);
}
// tcp_time_stamp_ts: the TS clock (ms of virtual time) plus the connection's offset.
uint32_t tcp_time_stamp_ts(Host& host, const TcpSock* sk);

// ---- tcp_output.c ----
int tcp_connect(Host& host, TcpSock* sk);
int tcp_transmit_skb(Host& host, TcpSock* sk, SkBuff* skb, bool clone_it);
bool tcp_write_xmit(Host& host, TcpSock* sk, uint32_t mss_now, int nonagle, int push_one);
void __tcp_push_pending_frames(Host& host, TcpSock* sk, uint32_t cur_mss, int nonagle);
void tcp_push_one(Host& host, TcpSock* sk, uint32_t mss_now);
void tcp_send_ack(Host& host, TcpSock* sk);
void tcp_send_delayed_ack(Host& host, TcpSock* sk);
void tcp_send_fin(Host& host, TcpSock* sk);
void tcp_send_active_reset(Host& host, TcpSock* sk);
int tcp_retransmit_skb(Host& host, TcpSock* sk, SkBuff* skb);
uint32_t tcp_current_mss(const TcpSock* sk);
SkBuff* tcp_stream_alloc_skb(Host& host, TcpSock* sk);
void tcp_select_initial_window(const TcpSock* sk, uint32_t space, uint32_t mss, uint32_t* rcv_wnd,
                               uint32_t* window_clamp, bool wscale_ok, uint8_t* rcv_wscale);
uint16_t tcp_select_window(Host& host, TcpSock* sk);
void tcp_event_new_data_sent(Host& host, TcpSock* sk, SkBuff* skb);
SkBuff* tcp_make_synack(Host& host, TcpSock* listener, RequestSock* req);
void tcp_mstamp_refresh(Host& host, TcpSock* sk);
void tcp_init_nondata_skb(Host& host, SkBuff* skb, uint32_t seq, uint8_t flags);
constexpr int TCP_NAGLE_OFF = 1, TCP_NAGLE_CORK = 2, TCP_NAGLE_PUSH = 4;

// ---- tcp_input.c ----
int tcp_rcv_state_process(Host& host, TcpSock* sk, SkBuff* skb);
void tcp_rcv_established(Host& host, TcpSock* sk, SkBuff* skb);
void tcp_parse_options(const SkBuff* skb, TcpOptionsReceived& opt);
void tcp_rtt_estimator(Host& host, TcpSock* sk, int64_t mrtt_us);
void tcp_set_rto(Host& host, TcpSock* sk);
void tcp_enter_loss(Host& host, TcpSock* sk);
void tcp_init_transfer(Host& host, TcpSock* sk);
void tcp_enter_quickack_mode(TcpSock* sk, int max_quickacks);
void tcp_set_window_clamp(TcpSock* sk, uint32_t val);
void tcp_reset(Host& host, TcpSock* sk, SkBuff* skb);

// ---- tcp_ipv4.c ----
int tcp_v4_rcv(Host& host, SkBuff* skb);
// tcp_v4_err: TCP's ICMP error handler (skb->data at the quoted IP header); 0 or -ENOENT.
int tcp_v4_err(Host& host, SkBuff* skb, uint8_t type, uint8_t code, uint32_t info);
int tcp_v4_connect(Host& host, TcpSock* sk, const SockAddrIn& addr);
int tcp_v4_do_rcv(Host& host, TcpSock* sk, SkBuff* skb);
int tcp_v4_backlog_rcv(Host& host, Sock* sk, SkBuff* skb);
bool tcp_add_backlog(Host& host, TcpSock* sk, SkBuff* skb, TimeNs due, ContextId owner, DropReason* reason);
void tcp_v4_send_check(Host& host, TcpSock* sk, SkBuff* skb);
void tcp_v4_send_reset(Host& host, TcpSock* sk, SkBuff* skb);
uint32_t secure_tcp_seq(Host& host, wire::Ipv4Addr saddr, wire::Ipv4Addr daddr, uint16_t sport, uint16_t dport);
uint32_t secure_tcp_ts_off(Host& host, wire::Ipv4Addr saddr, wire::Ipv4Addr daddr);
TcpSock* tcp_v4_syn_recv_sock(Host& host, TcpSock* listener, SkBuff* skb, RequestSock* req);
void inet_unhash(Host& host, TcpSock* sk);
void inet_ehash_insert(Host& host, TcpSock* sk);

// ---- tcp_minisocks.c ----
// Handles a segment for a request sock; returns the child (the ACK completed the handshake) or null.
TcpSock* tcp_check_req(Host& host, SkBuff* skb, RequestSock* req);
void tcp_time_wait(Host& host, TcpSock* sk, int state, TimeNs timeo);

// ---- tcp_timer.c ----
void tcp_init_xmit_timers(Host& host, TcpSock* sk);
void tcp_clear_xmit_timers(Host& host, TcpSock* sk);
void inet_csk_reset_xmit_timer(Host& host, TcpSock* sk, TimeNs when);
void inet_csk_clear_xmit_timer(Host& host, TcpSock* sk);
void inet_csk_reset_delack_timer(Host& host, TcpSock* sk, TimeNs when);
void inet_csk_clear_delack_timer(Host& host, TcpSock* sk);
void tcp_rearm_rto(Host& host, TcpSock* sk);
void reqsk_timer_arm(Host& host, RequestSock* req, TimeNs when);
// keepalive: keepalive_time_when / keepalive_intvl_when / keepalive_probes with the defaults.
TimeNs keepalive_time_when(const TcpSock* sk);
TimeNs keepalive_intvl_when(const TcpSock* sk);
int keepalive_probes(const TcpSock* sk);
void inet_csk_reset_keepalive_timer(Host& host, TcpSock* sk, TimeNs when);
void inet_csk_delete_keepalive_timer(Host& host, TcpSock* sk);
// tcp_set_keepalive: SO_KEEPALIVE changed on a socket that is not CLOSE/LISTEN.
void tcp_set_keepalive(Host& host, TcpSock* sk, bool on);
// tcp_write_wakeup (tcp_output.c): a window probe or keepalive; >0 / 0 sent, <0 could not.
int tcp_write_wakeup(Host& host, TcpSock* sk);

// ---- inet_connection_sock.c / inet_hashtables.c ----
int inet_csk_get_port(Host& host, Sock* sk, uint16_t snum);
int inet_csk_listen_start(Host& host, TcpSock* sk);
void inet_csk_listen_stop(Host& host, TcpSock* sk);
int inet_hash_connect(Host& host, TcpSock* sk);
void inet_csk_reqsk_queue_hash_add(Host& host, TcpSock* listener, std::unique_ptr<RequestSock> req);
void inet_csk_reqsk_queue_drop(Host& host, RequestSock* req);
bool inet_csk_reqsk_queue_add(Host& host, TcpSock* listener, TcpSock* child);
// inet_csk_accept: a child from the accept queue, or sleeps (frames in task.frames); reports the
// child (nullptr with err on failure).
void inet_csk_accept(Host& host, Task& task, TcpSock* sk, int flags, std::function<void(TcpSock*, int)> done);
TcpSock* tcp_sock_alloc(Host& host); // sk_alloc for TCP: the host owns every TcpSock
void inet_csk_destroy_sock(Host& host, TcpSock* sk);

} // namespace skbscope
