// Pluggable congestion control, as include/net/tcp.h's struct tcp_congestion_ops: the engine
// (tcp_input.cpp / tcp_output.cpp) calls these hooks; Reno (tcp_cong.cpp) and CUBIC (tcp_cubic.cpp,
// Linux's default) implement them. TcpCongCtl is the part of struct tcp_sock (and of
// inet_connection_sock) that congestion control reads and writes; TcpSock derives from it.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

#include "core/time/scheduler.h"

namespace skbscope {

class Sim;

constexpr uint32_t TCP_INIT_CWND = 10;
constexpr uint32_t TCP_INFINITE_SSTHRESH = 0x7fffffff;

// enum tcp_ca_state
enum TcpCaState : uint8_t { TCP_CA_Open = 0, TCP_CA_Disorder = 1, TCP_CA_CWR = 2, TCP_CA_Recovery = 3, TCP_CA_Loss = 4 };
// enum tcp_ca_event
enum class CaEvent : uint8_t { TxStart, CwndRestart, CompleteCwr, Loss, EcnNoCe, EcnIsCe };

// struct ack_sample
struct AckSample {
    uint32_t pkts_acked = 0;
    int32_t rtt_us = -1; // -1: no valid RTT sample (Karn)
    uint32_t in_flight = 0;
};

struct TcpCongestionOps;

struct TcpCongCtl {
    Sim* sim = nullptr;              // for tracing the hooks
    uint32_t snd_cwnd = TCP_INIT_CWND;
    uint32_t snd_ssthresh = TCP_INFINITE_SSTHRESH;
    uint32_t snd_cwnd_cnt = 0;       // linear increase counter
    uint32_t snd_cwnd_clamp = ~0u;
    uint32_t prior_cwnd = 0;
    uint32_t prior_ssthresh = 0;
    uint32_t packets_out = 0;        // segments in flight (tcp_packets_in_flight as the engine computes it)
    uint32_t max_packets_out = 0;    // most packets_out in the last window (tcp_is_cwnd_limited in slow start)
    uint32_t mss_cache = 536;
    uint32_t srtt_us = 0;            // smoothed RTT << 3, in us, as Linux keeps it
    uint32_t snd_una = 0;
    uint32_t snd_nxt = 0;
    TimeNs tcp_mstamp = 0;           // the time of the current event (tcp_clock_us in ns)
    TimeNs lsndtime = 0;             // last time data was sent
    bool is_cwnd_limited = true;
    uint8_t icsk_ca_state = TCP_CA_Open;
    const TcpCongestionOps* icsk_ca_ops = nullptr;
    std::array<uint64_t, 13> icsk_ca_priv{}; // ICSK_CA_PRIV_SIZE: the algorithm's private state
    uint64_t sk_pacing_rate = 0;     // bytes/s as tcp_update_pacing_rate sets it; 0 = not computed
    uint32_t sk_gso_max_size = 65536; // for HyStart's ACK-train cushion (hystart_ack_delay)
};

// struct tcp_congestion_ops (the hooks skbscope uses). Each implementation traces itself
// (cubictcp_cong_avoid, tcp_reno_ssthresh, ...) through ctl.sim.
struct TcpCongestionOps {
    const char* name;
    void (*init)(TcpCongCtl& ctl);
    uint32_t (*ssthresh)(TcpCongCtl& ctl);                            // new ssthresh on loss
    void (*cong_avoid)(TcpCongCtl& ctl, uint32_t ack, uint32_t acked); // grow cwnd on an ACK
    void (*set_state)(TcpCongCtl& ctl, uint8_t new_state);             // may be null
    void (*cwnd_event)(TcpCongCtl& ctl, CaEvent ev);                   // may be null
    uint32_t (*undo_cwnd)(TcpCongCtl& ctl);                            // cwnd after a spurious loss
    void (*pkts_acked)(TcpCongCtl& ctl, const AckSample& sample);      // may be null
};

// tcp_ca_find: "cubic" or "reno"; nullptr for unknown names (setsockopt gives ENOENT).
const TcpCongestionOps* tcp_ca_find(std::string_view name);
const TcpCongestionOps& tcp_default_ca(); // cubic, net.ipv4.tcp_congestion_control

// Helpers shared by the algorithms (net/ipv4/tcp_cong.c).
uint32_t tcp_slow_start(TcpCongCtl& ctl, uint32_t acked);          // returns leftover acked
void tcp_cong_avoid_ai(TcpCongCtl& ctl, uint32_t w, uint32_t acked);
bool tcp_in_slow_start(const TcpCongCtl& ctl);
bool tcp_is_cwnd_limited(const TcpCongCtl& ctl);

// The Reno hooks (tcp_reno_*), also used by CUBIC for undo. Each traces itself.
void tcp_reno_cong_avoid(TcpCongCtl& ctl, uint32_t ack, uint32_t acked);
uint32_t tcp_reno_ssthresh(TcpCongCtl& ctl);   // max(cwnd >> 1, 2)
uint32_t tcp_reno_undo_cwnd(TcpCongCtl& ctl);  // max(cwnd, prior_cwnd)
const TcpCongestionOps& tcp_reno_ops();
const TcpCongestionOps& tcp_cubic_ops();

} // namespace skbscope
