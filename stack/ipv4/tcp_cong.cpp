// Congestion control's common part, as net/ipv4/tcp_cong.c: the registry of algorithms
// (tcp_ca_find, the default net.ipv4.tcp_congestion_control = cubic), the slow-start and
// additive-increase helpers every algorithm builds on, and Reno (tcp_reno_*).
// SIMPLIFICATION: the registry is a fixed list (no modules, no tcp_register_congestion_control),
// cwnd is counted in segments as Linux counts it, with no TSO (one segment per skb).
#include "stack/ipv4/tcp_cong.h"

#include <algorithm>

#include "stack/ipv4/tcp_cong_trace.h"

namespace skbscope {

bool tcp_in_slow_start(const TcpCongCtl& ctl) { return ctl.snd_cwnd < ctl.snd_ssthresh; }

// include/net/tcp.h: growth only when the window, not the application, limited sending; in slow
// start also while cwnd is below twice what was in flight, so cwnd can keep up with a doubling.
bool tcp_is_cwnd_limited(const TcpCongCtl& ctl) {
    if (ctl.is_cwnd_limited) return true;
    if (tcp_in_slow_start(ctl)) return ctl.snd_cwnd < 2 * ctl.max_packets_out;
    return false;
}

// One more segment per segment ACKed, but never past ssthresh: what is left of `acked` after
// reaching ssthresh goes back to the caller for congestion avoidance.
uint32_t tcp_slow_start(TcpCongCtl& ctl, uint32_t acked) {
    CA_TRACE_NAMED(scope, ctl, tcp_slow_start, acked, ctl.snd_cwnd);
    const uint32_t cwnd = std::min(ctl.snd_cwnd + acked, ctl.snd_ssthresh);
    acked -= cwnd - ctl.snd_cwnd;
    ctl.snd_cwnd = std::min(cwnd, ctl.snd_cwnd_clamp);
    scope.ret(acked);
    return acked;
}

// Additive increase: one segment for every w segments ACKed, credits kept in snd_cwnd_cnt.
void tcp_cong_avoid_ai(TcpCongCtl& ctl, uint32_t w, uint32_t acked) {
    CA_TRACE(ctl, tcp_cong_avoid_ai, w, acked);
    // LINUX: credits earned while w was larger are spent at once, gently (one segment).
    if (ctl.snd_cwnd_cnt >= w) {
        ctl.snd_cwnd_cnt = 0;
        ++ctl.snd_cwnd;
    }
    ctl.snd_cwnd_cnt += acked;
    if (ctl.snd_cwnd_cnt >= w) {
        const uint32_t delta = ctl.snd_cwnd_cnt / w;
        ctl.snd_cwnd_cnt -= delta * w;
        ctl.snd_cwnd += delta;
    }
    ctl.snd_cwnd = std::min(ctl.snd_cwnd, ctl.snd_cwnd_clamp);
}

void tcp_reno_cong_avoid(TcpCongCtl& ctl, uint32_t ack, uint32_t acked) {
    CA_TRACE(ctl, tcp_reno_cong_avoid, ack, acked);
    if (!tcp_is_cwnd_limited(ctl)) return;
    if (tcp_in_slow_start(ctl)) { // the "safe" area: exponential growth
        acked = tcp_slow_start(ctl, acked);
        if (!acked) return;
    }
    tcp_cong_avoid_ai(ctl, ctl.snd_cwnd, acked); // the "dangerous" area: one segment per RTT
}

uint32_t tcp_reno_ssthresh(TcpCongCtl& ctl) {
    CA_TRACE_NAMED(scope, ctl, tcp_reno_ssthresh, ctl.snd_cwnd);
    const uint32_t r = std::max(ctl.snd_cwnd >> 1, 2u);
    scope.ret(r);
    return r;
}

uint32_t tcp_reno_undo_cwnd(TcpCongCtl& ctl) {
    CA_TRACE_NAMED(scope, ctl, tcp_reno_undo_cwnd, ctl.snd_cwnd, ctl.prior_cwnd);
    const uint32_t r = std::max(ctl.snd_cwnd, ctl.prior_cwnd);
    scope.ret(r);
    return r;
}

namespace {
void tcp_reno_init(TcpCongCtl&) {} // Reno keeps no private state (Linux's tcp_reno has no .init)

const TcpCongestionOps kReno{
    "reno",
    tcp_reno_init,
    tcp_reno_ssthresh,
    tcp_reno_cong_avoid,
    nullptr,
    nullptr,
    tcp_reno_undo_cwnd,
    nullptr,
};
} // namespace

const TcpCongestionOps& tcp_reno_ops() { return kReno; }

const TcpCongestionOps* tcp_ca_find(std::string_view name) {
    for (const TcpCongestionOps* ops : {&tcp_cubic_ops(), &tcp_reno_ops()})
        if (name == ops->name) return ops;
    return nullptr;
}

const TcpCongestionOps& tcp_default_ca() { return tcp_cubic_ops(); }

} // namespace skbscope
