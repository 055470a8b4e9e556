// Trace reading helpers for tests (see trace_checker.h).
#include "tests/support/trace_checker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/paths.h"

namespace skbscope::test {

std::optional<size_t> find_call(const Trace& t, const std::string& host, const std::string& fn, int nth,
                                std::optional<ContextKind> kind) {
    for (size_t i = 0; i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.kind != EventKind::FuncEnter || t.str(e.name) != fn) continue;
        const ContextInfo& c = t.contexts[e.ctx];
        if (t.host_name(c.host) != host) continue;
        if (kind && c.kind != *kind) continue;
        if (nth-- == 0) return i;
    }
    return std::nullopt;
}

std::optional<size_t> matching_exit(const Trace& t, size_t enter) {
    const TraceEvent& e = t.events[enter];
    for (size_t i = enter + 1; i < t.events.size(); ++i) {
        const TraceEvent& x = t.events[i];
        if (x.ctx != e.ctx) continue;
        if (x.kind == EventKind::FuncExit && x.depth == e.depth) return i;
        if (x.depth < e.depth) return std::nullopt;
    }
    return std::nullopt;
}

std::vector<std::string> calls_inside(const Trace& t, size_t enter) {
    std::vector<std::string> out;
    auto end = matching_exit(t, enter).value_or(t.events.size());
    ContextId ctx = t.events[enter].ctx;
    for (size_t i = enter; i < end; ++i)
        if (t.events[i].ctx == ctx && t.events[i].kind == EventKind::FuncEnter) out.emplace_back(t.str(t.events[i].name));
    return out;
}

std::string check_in_order(const std::vector<std::string>& actual, const std::vector<std::string>& expected) {
    size_t pos = 0;
    for (const auto& want : expected) {
        size_t found = pos;
        while (found < actual.size() && actual[found] != want) ++found;
        if (found == actual.size()) {
            std::ostringstream m;
            m << "expected '" << want << "' after position " << pos << "; the calls from there are:";
            for (size_t i = pos; i < actual.size() && i < pos + 25; ++i) m << " " << actual[i];
            return m.str();
        }
        pos = found + 1;
    }
    return {};
}

std::optional<size_t> expect_call_chain(const Trace& t, const std::string& host, const std::string& fn,
                                        int nth, const std::vector<std::string>& expected,
                                        std::optional<ContextKind> kind) {
    auto at = find_call(t, host, fn, nth, kind);
    if (!at) {
        ADD_FAILURE() << host << " has no call " << nth << " of " << fn;
        return std::nullopt;
    }
    EXPECT_EQ(check_in_order(calls_inside(t, *at), expected), "") << host << " " << fn << " #" << nth;
    return at;
}

std::optional<size_t> find_call_containing(const Trace& t, const std::string& host, const std::string& fn,
                                           const std::vector<std::string>& with) {
    for (int n = 0;; ++n) {
        auto at = find_call(t, host, fn, n);
        if (!at) return std::nullopt;
        if (check_in_order(calls_inside(t, *at), with).empty()) return at;
    }
}

std::optional<size_t> last_call_before(const Trace& t, const std::string& host, const std::string& fn,
                                       size_t before) {
    std::optional<size_t> at;
    for (int n = 0;; ++n) {
        auto r = find_call(t, host, fn, n);
        if (!r || *r > before) return at;
        at = r;
    }
}

std::string render_tree(const Trace& t, size_t enter) {
    std::ostringstream out;
    auto end = matching_exit(t, enter).value_or(t.events.size());
    const TraceEvent& root = t.events[enter];
    for (size_t i = enter; i <= end && i < t.events.size(); ++i) {
        const TraceEvent& e = t.events[i];
        if (e.ctx != root.ctx || e.kind != EventKind::FuncEnter) continue;
        out << std::string(2 * (e.depth - root.depth), ' ') << t.str(e.name) << "\n";
    }
    return out.str();
}

std::vector<std::string> callchains_names() {
    std::ifstream in(shared_dir() + "/callchains.md");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    static const std::regex word(R"([A-Za-z_][A-Za-z0-9_]*)");
    std::set<std::string> names;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), word); it != std::sregex_iterator(); ++it)
        names.insert(it->str());
    return {names.begin(), names.end()};
}

void expect_names_in_callchains(const std::vector<std::string>& names) {
    static const auto doc = callchains_names();
    for (const auto& n : names)
        EXPECT_TRUE(std::binary_search(doc.begin(), doc.end(), n)) << n << " is not a name from callchains.md";
}

void expect_golden(const Trace& t, size_t at, const std::string& name) {
    std::string actual = render_tree(t, at);
    std::string path = source_dir() + "/tests/golden/expected/" + name + ".txt";
    const char* update = std::getenv("SKBSCOPE_UPDATE_GOLDEN");
    if (update && *update) {
        std::ofstream out(path);
        out << actual;
        ASSERT_TRUE(out.good()) << "cannot write " << path;
        return;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << path << " is missing; run with SKBSCOPE_UPDATE_GOLDEN=1 to create it";
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), actual) << "call tree changed: " << path;
}

} // namespace skbscope::test
