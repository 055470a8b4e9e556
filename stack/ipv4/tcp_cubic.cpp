// CUBIC, Linux's default congestion control, as net/ipv4/tcp_cubic.c: after a loss cwnd drops to
// 0.7 * cwnd and then follows W(t) = C (t - K)^3 + Wmax in real time, whatever the RTT (concave up
// to the old maximum, convex beyond), never slower than Reno would grow (TCP friendliness).
// HyStart (ACK train and delay detection) can end slow start before the first loss. The integer
// arithmetic (1/1024 s time units, the cube-root table, jiffies) is Linux's, so the windows match.
// SIMPLIFICATION: no pacing (sk_pacing_status is SK_PACING_NONE), no MIB counters, HZ = 1000.
#include "stack/ipv4/tcp_cubic.h"

#include <algorithm>
#include <bit>
#include <new>

#include "stack/ipv4/tcp_cong_trace.h"

namespace skbscope {

using namespace cubic;

Bictcp& bictcp(TcpCongCtl& ctl) { return *std::launder(reinterpret_cast<Bictcp*>(ctl.icsk_ca_priv.data())); }
const Bictcp& bictcp(const TcpCongCtl& ctl) {
    return *std::launder(reinterpret_cast<const Bictcp*>(ctl.icsk_ca_priv.data()));
}

namespace cubic {

uint32_t tcp_jiffies32(TimeNs t) { return INITIAL_JIFFIES + static_cast<uint32_t>(t / (kNsPerSec / HZ)); }

uint32_t usecs_to_jiffies(uint32_t us) {
    return static_cast<uint32_t>((uint64_t(us) * HZ + 999'999) / 1'000'000);
}

uint32_t cubic_root(uint64_t a) {
    // v[x] = cbrt(x << 18) - 1 for x in 0..63, hand-refined (Willy Tarreau); cbrt(x) = (v[x] + 10) >> 6.
    static constexpr uint8_t v[64] = {
        0,   54,  54,  54,  118, 118, 118, 118, 123, 129, 134, 138, 143, 147, 151, 156,
        157, 161, 164, 168, 170, 173, 176, 179, 181, 185, 187, 190, 192, 194, 197, 199,
        200, 202, 204, 206, 209, 211, 213, 215, 217, 219, 221, 222, 224, 225, 227, 229,
        231, 232, 234, 236, 237, 239, 240, 242, 244, 245, 246, 248, 250, 251, 252, 254,
    };
    uint32_t b = static_cast<uint32_t>(std::bit_width(a)); // fls64
    if (b < 7) return (uint32_t(v[a]) + 35) >> 6;          // a in 0..63

    // Keep the top 6 bits: a = s * 2^(3b'), cbrt(a) ~ cbrt(s) * 2^b'. (b * 84) >> 8 is b / 3.
    b = ((b * 84) >> 8) - 1;
    const uint32_t shift = static_cast<uint32_t>(a >> (b * 3));
    uint32_t x = static_cast<uint32_t>((uint32_t(v[shift]) + 10) << b) >> 6;

    // One Newton-Raphson step, x = (2x + a / x^2) / 3, with x(x-1) for x^2 and * 341/1024 for / 3.
    x = 2 * x + static_cast<uint32_t>(a / (uint64_t(x) * uint64_t(x - 1)));
    return (x * 341) >> 10;
}

} // namespace cubic

namespace {

bool after(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) > 0; }
uint32_t bictcp_clock_us(const TcpCongCtl& ctl) { return static_cast<uint32_t>(ctl.tcp_mstamp / kNsPerUs); }

// Clears the cubic curve (everything above `unused`) and HyStart's verdict; keeps the round.
void bictcp_reset(Bictcp& ca) {
    ca.cnt = ca.last_max_cwnd = ca.last_cwnd = ca.last_time = 0;
    ca.bic_origin_point = ca.bic_K = ca.delay_min = ca.epoch_start = 0;
    ca.ack_cnt = ca.tcp_cwnd = 0;
    ca.found = 0;
}

// A new HyStart round: it ends when the data sent so far (snd_nxt) is ACKed.
void bictcp_hystart_reset(TcpCongCtl& ctl) {
    Bictcp& ca = bictcp(ctl);
    ca.round_start = ca.last_ack = bictcp_clock_us(ctl);
    ca.end_seq = ctl.snd_nxt;
    ca.curr_rtt = ~0u;
    ca.sample_cnt = 0;
}

void cubictcp_init(TcpCongCtl& ctl) {
    CA_TRACE(ctl, cubictcp_init);
    ::new (ctl.icsk_ca_priv.data()) Bictcp{};
    bictcp_reset(bictcp(ctl));
    if (hystart) bictcp_hystart_reset(ctl);
    // LINUX: initial_ssthresh (0 by default) applies only with HyStart off.
}

void cubictcp_cwnd_event(TcpCongCtl& ctl, CaEvent ev) {
    CA_TRACE(ctl, cubictcp_cwnd_event, static_cast<int64_t>(ev));
    if (ev != CaEvent::TxStart) return;
    Bictcp& ca = bictcp(ctl);
    const uint32_t now = tcp_jiffies32(ctl.tcp_mstamp);
    const int32_t delta = static_cast<int32_t>(now - tcp_jiffies32(ctl.lsndtime));
    // The application left the connection idle: move the epoch so the curve resumes where it was.
    if (ca.epoch_start && delta > 0) {
        ca.epoch_start += static_cast<uint32_t>(delta);
        if (after(ca.epoch_start, now)) ca.epoch_start = now;
    }
}

// Sets ca.cnt: the number of ACKed segments that earn one more segment of cwnd, so that cwnd
// reaches the cubic target one RTT (delay_min) from now.
void bictcp_update(TcpCongCtl& ctl, Bictcp& ca, uint32_t cwnd, uint32_t acked) {
    CA_TRACE_NAMED(scope, ctl, bictcp_update, cwnd, acked);
    const uint32_t jiffies = tcp_jiffies32(ctl.tcp_mstamp);
    ca.ack_cnt += acked;

    if (ca.last_cwnd == cwnd && static_cast<int32_t>(jiffies - ca.last_time) <= int32_t(HZ / 32)) {
        scope.ret(ca.cnt);
        return;
    }
    // The curve is evaluated at most once per jiffy; a cwnd reduction clears epoch_start to force it.
    if (!(ca.epoch_start && jiffies == ca.last_time)) {
        ca.last_cwnd = cwnd;
        ca.last_time = jiffies;

        if (ca.epoch_start == 0) { // a new epoch
            ca.epoch_start = jiffies;
            ca.ack_cnt = acked;
            ca.tcp_cwnd = cwnd;
            if (ca.last_max_cwnd <= cwnd) {
                ca.bic_K = 0;
                ca.bic_origin_point = cwnd;
            } else {
                // K = cbrt((Wmax - cwnd) / C) in 1/1024 s: cube_factor is 2^30 * 1024 / 410.
                ca.bic_K = cubic_root(cube_factor * (ca.last_max_cwnd - cwnd));
                ca.bic_origin_point = ca.last_max_cwnd;
            }
        }

        // t: time since the epoch plus one RTT (the target for when this ACK's data is ACKed), in 1/1024 s.
        uint64_t t = static_cast<uint64_t>(int64_t{static_cast<int32_t>(jiffies - ca.epoch_start)});
        t += usecs_to_jiffies(ca.delay_min);
        t = (t << BICTCP_HZ) / HZ;

        const uint64_t offs = t < ca.bic_K ? ca.bic_K - t : t - ca.bic_K;
        // C (t - K)^3 with C = cube_rtt_scale / 1024 and t, K in 1/1024 s: one shift of 10 + 3 * 10.
        const uint32_t delta = static_cast<uint32_t>((cube_rtt_scale * offs * offs * offs) >> (10 + 3 * BICTCP_HZ));
        const uint32_t bic_target = t < ca.bic_K ? ca.bic_origin_point - delta : ca.bic_origin_point + delta;

        if (bic_target > cwnd)
            ca.cnt = cwnd / (bic_target - cwnd);
        else
            ca.cnt = 100 * cwnd; // at or above the target: grow very slowly

        // Before any loss the curve knows no bandwidth: grow at least 5% per RTT.
        if (ca.last_max_cwnd == 0 && ca.cnt > 20) ca.cnt = 20;
    }

    if (tcp_friendliness) {
        // Reno with CUBIC's beta grows 3(1-b)/(1+b) ~ 0.53 segments per RTT: one per cwnd * 15/8 ACKs.
        const uint32_t delta = (cwnd * beta_scale) >> 3;
        while (ca.ack_cnt > delta) {
            ca.ack_cnt -= delta;
            ++ca.tcp_cwnd;
        }
        if (ca.tcp_cwnd > cwnd) { // CUBIC is slower than Reno would be: catch up within an RTT
            const uint32_t max_cnt = cwnd / (ca.tcp_cwnd - cwnd);
            if (ca.cnt > max_cnt) ca.cnt = max_cnt;
        }
    }
    // At most one segment per two ACKed: cwnd grows at most 1.5x per RTT.
    ca.cnt = std::max(ca.cnt, 2u);
    scope.ret(ca.cnt);
}

void cubictcp_cong_avoid(TcpCongCtl& ctl, uint32_t ack, uint32_t acked) {
    CA_TRACE(ctl, cubictcp_cong_avoid, ack, acked);
    if (!tcp_is_cwnd_limited(ctl)) return;
    if (tcp_in_slow_start(ctl)) {
        acked = tcp_slow_start(ctl, acked);
        if (!acked) return;
    }
    Bictcp& ca = bictcp(ctl);
    bictcp_update(ctl, ca, ctl.snd_cwnd, acked);
    tcp_cong_avoid_ai(ctl, ca.cnt, acked);
}

uint32_t cubictcp_recalc_ssthresh(TcpCongCtl& ctl) {
    CA_TRACE_NAMED(scope, ctl, cubictcp_recalc_ssthresh, ctl.snd_cwnd);
    Bictcp& ca = bictcp(ctl);
    ca.epoch_start = 0; // the epoch ends
    // Fast convergence: a loss below the previous Wmax means a new flow takes a share; release
    // bandwidth sooner by remembering a lower Wmax, cwnd * (1 + beta) / 2.
    if (ctl.snd_cwnd < ca.last_max_cwnd && fast_convergence)
        ca.last_max_cwnd = (ctl.snd_cwnd * (BICTCP_BETA_SCALE + beta)) / (2 * BICTCP_BETA_SCALE);
    else
        ca.last_max_cwnd = ctl.snd_cwnd;
    const uint32_t r = std::max((ctl.snd_cwnd * beta) / BICTCP_BETA_SCALE, 2u);
    scope.ret(r);
    return r;
}

void cubictcp_state(TcpCongCtl& ctl, uint8_t new_state) {
    CA_TRACE(ctl, cubictcp_state, new_state);
    if (new_state != TCP_CA_Loss) return;
    bictcp_reset(bictcp(ctl));
    bictcp_hystart_reset(ctl);
}

// Cushion for TSO/GRO batching: 4 GSO-sized packets at the pacing rate, at most 1 ms.
uint32_t hystart_ack_delay(const TcpCongCtl& ctl) {
    if (!ctl.sk_pacing_rate) return 0;
    return static_cast<uint32_t>(
        std::min<uint64_t>(1000, uint64_t(ctl.sk_gso_max_size) * 4 * 1'000'000 / ctl.sk_pacing_rate));
}

void hystart_update(TcpCongCtl& ctl, uint32_t delay) {
    CA_TRACE(ctl, hystart_update, delay, ctl.snd_cwnd);
    Bictcp& ca = bictcp(ctl);
    if (after(ctl.snd_una, ca.end_seq)) bictcp_hystart_reset(ctl);

    if (hystart_detect & HYSTART_ACK_TRAIN) {
        const uint32_t now = bictcp_clock_us(ctl);
        // ACKs closer than 2 ms apart form a train; a train that lasts longer than half the
        // minimum RTT means the pipe is full: leave slow start now.
        if (static_cast<int32_t>(now - ca.last_ack) <= int32_t(hystart_ack_delta_us)) {
            ca.last_ack = now;
            uint32_t threshold = ca.delay_min + hystart_ack_delay(ctl);
            threshold >>= 1; // SK_PACING_NONE: unpaced data comes back within RTT/2
            if (static_cast<int32_t>(now - ca.round_start) > static_cast<int32_t>(threshold)) {
                ca.found = 1;
                ctl.snd_ssthresh = ctl.snd_cwnd;
            }
        }
    }
    if (hystart_detect & HYSTART_DELAY) {
        // The round's smallest RTT, after 8 samples, rising by delay_min/8 (4..16 ms) means queues build.
        if (ca.curr_rtt > delay) ca.curr_rtt = delay;
        if (ca.sample_cnt < HYSTART_MIN_SAMPLES) {
            ++ca.sample_cnt;
        } else if (ca.curr_rtt > ca.delay_min + std::clamp(ca.delay_min >> 3, HYSTART_DELAY_MIN, HYSTART_DELAY_MAX)) {
            ca.found = 1;
            ctl.snd_ssthresh = ctl.snd_cwnd;
        }
    }
}

void cubictcp_acked(TcpCongCtl& ctl, const AckSample& sample) {
    CA_TRACE(ctl, cubictcp_acked, sample.pkts_acked, sample.rtt_us);
    Bictcp& ca = bictcp(ctl);
    if (sample.rtt_us < 0) return; // no RTT sample (duplicate ACK, Karn)
    // Delays measured within a second of a reduction still carry the queue of the old window.
    if (ca.epoch_start && static_cast<int32_t>(tcp_jiffies32(ctl.tcp_mstamp) - ca.epoch_start) < int32_t(HZ))
        return;
    const uint32_t delay = sample.rtt_us == 0 ? 1u : static_cast<uint32_t>(sample.rtt_us);
    if (ca.delay_min == 0 || ca.delay_min > delay) ca.delay_min = delay;
    if (!ca.found && tcp_in_slow_start(ctl) && hystart && ctl.snd_cwnd >= hystart_low_window)
        hystart_update(ctl, delay);
}

const TcpCongestionOps kCubic{
    "cubic",
    cubictcp_init,
    cubictcp_recalc_ssthresh,
    cubictcp_cong_avoid,
    cubictcp_state,
    cubictcp_cwnd_event,
    tcp_reno_undo_cwnd,
    cubictcp_acked,
};

} // namespace

const TcpCongestionOps& tcp_cubic_ops() { return kCubic; }

} // namespace skbscope
