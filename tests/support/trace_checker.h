// Reading a trace in tests: find a function call, list what ran inside it, check an expected
// chain of kernel functions appears in order (gVisor-checker style messages on failure).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/trace/trace.h"

namespace skbscope::test {

// Index of the nth (0-based) FuncEnter named fn on host (any context of it; kind filters the
// context kind when given). nullopt when there is none.
std::optional<size_t> find_call(const Trace& t, const std::string& host, const std::string& fn, int nth = 0,
                                std::optional<ContextKind> kind = std::nullopt);
// The index of the FuncExit matching the FuncEnter at i (same context, same depth), or nullopt.
std::optional<size_t> matching_exit(const Trace& t, size_t enter);
// Names of the FuncEnter events inside the call at i, in order (the call itself first).
std::vector<std::string> calls_inside(const Trace& t, size_t enter);
// Checks expected is a subsequence of actual; returns "" or a message naming the first missing
// function and what came around the place it was expected.
std::string check_in_order(const std::vector<std::string>& actual, const std::vector<std::string>& expected);
// The nth call of fn on host (as find_call): fails the current test unless it exists and
// `expected` runs inside it in order (check_in_order). Returns the call's index, e.g. for
// expect_golden, or nullopt after the failure.
std::optional<size_t> expect_call_chain(const Trace& t, const std::string& host, const std::string& fn,
                                        int nth, const std::vector<std::string>& expected,
                                        std::optional<ContextKind> kind = std::nullopt);
// The first call of fn on host whose tree holds every name of `with` in order, or nullopt.
std::optional<size_t> find_call_containing(const Trace& t, const std::string& host, const std::string& fn,
                                           const std::vector<std::string>& with);
// The last call of fn on host that starts before event `before` (e.g. the net_rx_action around a
// udp_rcv), or nullopt.
std::optional<size_t> last_call_before(const Trace& t, const std::string& host, const std::string& fn,
                                       size_t before);
// The call tree at i rendered as indented text: one function per line (for golden files).
std::string render_tree(const Trace& t, size_t enter);
// All function names that callchains.md (shared/) mentions.
std::vector<std::string> callchains_names();
// Fails the current test for each name callchains.md does not mention.
void expect_names_in_callchains(const std::vector<std::string>& names);
// Diffs render_tree(t, at) with tests/golden/expected/<name>.txt; SKBSCOPE_UPDATE_GOLDEN=1 rewrites it.
void expect_golden(const Trace& t, size_t at, const std::string& name);

} // namespace skbscope::test
