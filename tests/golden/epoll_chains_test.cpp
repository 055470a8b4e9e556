// Golden epoll chains from epoll-echo.yaml (B serves with an epoll loop; A connects and writes),
// checked in order against ../shared/callchains.md: epoll_create1 -> ep_alloc; epoll_ctl(ADD) ->
// ep_insert -> ep_item_poll -> ep_ptable_queue_proc; epoll_wait -> ep_poll; and the wake-up
// sk_data_ready = sock_def_readable -> ep_poll_callback inside B's receive softirq.
#include <gtest/gtest.h>

#include "tests/support/scenario_run.h"
#include "tests/support/trace_checker.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

const Trace& epoll_echo() {
    return run_shipped_scenario("epoll-echo.yaml").trace();
}

void expect_chain(const std::string& root, int nth, const std::vector<std::string>& expected) {
    expect_names_in_callchains(expected);
    expect_call_chain(epoll_echo(), "B", root, nth, expected);
}

} // namespace

TEST(EpollChains, Create) {
    expect_chain("epoll_create1", 0,
                 {"epoll_create1", "INLINE_SYSCALL", "entry_SYSCALL_64", "do_syscall_64", "ep_alloc"});
}

TEST(EpollChains, CtlAddHooksEpPollCallbackIntoTheSocket) {
    expect_chain("epoll_ctl", 0,
                 {"epoll_ctl", "entry_SYSCALL_64", "ep_insert", "ep_item_poll", "ep_ptable_queue_proc"});
    expect_chain("epoll_ctl", 1,
                 {"epoll_ctl", "entry_SYSCALL_64", "ep_insert", "ep_item_poll", "ep_ptable_queue_proc"});
}

TEST(EpollChains, WaitSleepsInEpPollAndIsWokenBySockDefReadable) {
    expect_chain("epoll_wait", 1,
                 {"epoll_wait", "SYSCALL_CANCEL", "entry_SYSCALL_64", "do_syscall_64", "ep_poll"});
    const Trace& t = epoll_echo();
    auto wait = find_call(t, "B", "ep_poll", 1);
    ASSERT_TRUE(wait);
    auto wait_end = matching_exit(t, *wait);
    ASSERT_TRUE(wait_end);
    // a sock_def_readable in B's softirq, during that ep_poll, runs ep_poll_callback
    bool found = false;
    for (int n = 0; !found; ++n) {
        auto rd = find_call(t, "B", "sock_def_readable", n, ContextKind::Softirq);
        if (!rd) break;
        if (*rd < *wait || *rd > *wait_end) continue;
        found = check_in_order(calls_inside(t, *rd), {"sock_def_readable", "ep_poll_callback"}).empty();
    }
    EXPECT_TRUE(found) << "no sock_def_readable -> ep_poll_callback while epoll_wait slept";
}
