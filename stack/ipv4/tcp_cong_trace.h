// CaTraceScope: the TraceScope of a congestion-control hook when ctl.sim is set. The algorithms
// also run without a Sim (unit tests, the engine's own arithmetic), then nothing is traced.
#pragma once
#include <optional>

#include "core/time/sim.h"
#include "core/trace/recorder.h"
#include "stack/ipv4/tcp_cong.h"

namespace skbscope {

class CaTraceScope {
  public:
    CaTraceScope(const TcpCongCtl& ctl, Fn fn, int64_t a0 = 0, int64_t a1 = 0) {
        if (ctl.sim) m_scope.emplace(*ctl.sim, fn, nullptr, a0, a1);
    }
    void ret(int64_t v) {
        if (m_scope) m_scope->ret(v);
    }

  private:
    std::optional<TraceScope> m_scope;
};

// CA_TRACE(ctl, cubictcp_cong_avoid, a0, a1): TRACE_FUNC for a hook, a no-op without a Sim.
#define CA_TRACE(ctl, fn, ...) ::skbscope::CaTraceScope SKB_CONCAT(ca_scope_, __LINE__)((ctl), ::skbscope::Fn::fn, ##__VA_ARGS__)
#define CA_TRACE_NAMED(var, ctl, fn, ...) ::skbscope::CaTraceScope var((ctl), ::skbscope::Fn::fn, ##__VA_ARGS__)

} // namespace skbscope
