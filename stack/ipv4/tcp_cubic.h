// CUBIC's private state and arithmetic (net/ipv4/tcp_cubic.c), exposed for the tests and for the
// GUI's explanations; the engine only needs tcp_cubic_ops() from tcp_cong.h.
//
//   W(t) = C (t - K)^3 + Wmax      C = 0.4 (bic_scale 41 / 1024 * 10), t in seconds since the epoch
//   K = cbrt(Wmax * (1 - beta) / C) after a loss, beta = 717/1024 (cwnd -> cwnd * 0.7)
//
//            cwnd ^            ..----- Wmax -----..        (concave, then convex)
//                 |        .-'                      '-.
//       W*beta -> |     .-'                            (probing above Wmax)
//                 +----+---------------K----------------------> t
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "stack/ipv4/tcp_cong.h"

namespace skbscope {

// struct bictcp: CUBIC's part of icsk_ca_priv, field by field as Linux lays it out.
struct Bictcp {
    uint32_t cnt = 0;              // increase cwnd by 1 after this many ACKed segments
    uint32_t last_max_cwnd = 0;    // Wmax: cwnd before the last loss (lowered by fast convergence)
    uint32_t last_cwnd = 0;        // cwnd when cnt was last computed
    uint32_t last_time = 0;        // jiffies when cnt was last computed
    uint32_t bic_origin_point = 0; // the curve's plateau (Wmax, or cwnd when above it)
    uint32_t bic_K = 0;            // time from epoch start to the plateau, in 1/1024 s
    uint32_t delay_min = 0;        // smallest RTT seen, us
    uint32_t epoch_start = 0;      // jiffies at the start of the growth epoch, 0 = none
    uint32_t ack_cnt = 0;          // segments ACKed in the epoch (for the Reno estimate)
    uint32_t tcp_cwnd = 0;         // what Reno's cwnd would be (TCP friendliness)
    uint16_t unused = 0;           // bictcp_reset clears everything above this field
    uint8_t sample_cnt = 0;        // HyStart: RTT samples in this round
    uint8_t found = 0;             // HyStart: the exit point was found
    uint32_t round_start = 0;      // HyStart: us at the start of the round
    uint32_t end_seq = 0;          // HyStart: snd_nxt when the round started
    uint32_t last_ack = 0;         // HyStart: us of the last ACK close to the previous one
    uint32_t curr_rtt = 0;         // HyStart: smallest RTT of this round, us
};
static_assert(sizeof(Bictcp) <= sizeof(TcpCongCtl::icsk_ca_priv), "ICSK_CA_PRIV_SIZE");
static_assert(alignof(Bictcp) <= alignof(uint64_t));
static_assert(std::is_trivially_copyable_v<Bictcp>);

// inet_csk_ca(sk): CUBIC's state inside ctl.icsk_ca_priv.
Bictcp& bictcp(TcpCongCtl& ctl);
const Bictcp& bictcp(const TcpCongCtl& ctl);

namespace cubic {
// Linux's module parameters at their defaults.
constexpr uint32_t BICTCP_BETA_SCALE = 1024;
constexpr uint32_t BICTCP_HZ = 10; // time in 1/2^10 s for the cubic function
constexpr uint32_t beta = 717;     // 717/1024 ~ 0.7
constexpr uint32_t bic_scale = 41; // C = 41 * 10 / 1024 ~ 0.4
constexpr bool fast_convergence = true;
constexpr bool tcp_friendliness = true;
constexpr bool hystart = true;
constexpr uint32_t HYSTART_ACK_TRAIN = 0x1, HYSTART_DELAY = 0x2;
constexpr uint32_t hystart_detect = HYSTART_ACK_TRAIN | HYSTART_DELAY;
constexpr uint32_t hystart_low_window = 16;
constexpr uint32_t hystart_ack_delta_us = 2000;
constexpr uint32_t HYSTART_MIN_SAMPLES = 8;
constexpr uint32_t HYSTART_DELAY_MIN = 4000, HYSTART_DELAY_MAX = 16000; // us
// Computed at module load (cubictcp_register), for an srtt of 100 ms.
constexpr uint32_t beta_scale = 8 * (BICTCP_BETA_SCALE + beta) / 3 / (BICTCP_BETA_SCALE - beta); // 15
constexpr uint32_t cube_rtt_scale = bic_scale * 10;                                               // 410
constexpr uint64_t cube_factor = (uint64_t(1) << (10 + 3 * BICTCP_HZ)) / (bic_scale * 10);       // 2^40/410

// CONFIG_HZ: the jiffy is 1 ms. LINUX: jiffies start 300 s before wrapping (INITIAL_JIFFIES), so
// a jiffies value of 0 (CUBIC's "no epoch") is as rare here as in the kernel.
constexpr uint32_t HZ = 1000;
constexpr uint32_t INITIAL_JIFFIES = static_cast<uint32_t>(-300 * static_cast<int32_t>(HZ));
uint32_t tcp_jiffies32(TimeNs t);
uint32_t usecs_to_jiffies(uint32_t us); // rounds up, as the kernel's

// cbrt(a) by a 64-entry table of the top bits and one Newton-Raphson step (average error ~0.2%).
uint32_t cubic_root(uint64_t a);
} // namespace cubic

} // namespace skbscope
