// The epoll and read/write steps of the scenario format, end to end on lessons/scenarios/epoll-echo.yaml:
// the steps parse (and bad ones are refused with their field), B's epoll loop sees the listener,
// then the data, then the FIN, and reads every byte A wrote.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app/lab/lab.h"
#include "app/lab/scenario.h"
#include "tests/support/paths.h"

using namespace skbscope;
using namespace skbscope::lab;
using skbscope::test::source_dir;

namespace {

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& l : v)
        s += l + "\n";
    return s;
}

TEST(ScenarioEpoll, EpollEchoRunsTheEpollLoop) {
    auto r = Lab::load(source_dir() + "/lessons/scenarios/epoll-echo.yaml", LabOptions{});
    ASSERT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    (*r)->run();
    std::string out = joined((*r)->program_output());
    EXPECT_NE(out.find("server: epoll_wait -> 1 (fd 3, events 0x1)"), std::string::npos) << out;
    EXPECT_NE(out.find("server: accepted fd 5"), std::string::npos) << out;
    EXPECT_NE(out.find("(fd 5, events 0x1)"), std::string::npos) << out;
    EXPECT_NE(out.find("(fd 5, events 0x2001)"), std::string::npos)
        << out; // EPOLLIN | EPOLLRDHUP after the FIN
    EXPECT_NE(out.find("client: wrote 1000 bytes"), std::string::npos) << out;
    EXPECT_NE(out.find("server: read 1000 bytes"), std::string::npos) << out;
    EXPECT_NE(out.find("server: read 3 bytes"), std::string::npos) << out;
    EXPECT_NE(out.find("server: read 0 bytes (EOF)"), std::string::npos) << out;
    EXPECT_EQ(out.find("failed"), std::string::npos) << out;
    size_t errors = 0;
    for (const auto& e : (*r)->trace().events)
        if (e.kind == EventKind::Error) ++errors;
    EXPECT_EQ(errors, 0u);
}

std::string epoll_echo_text() {
    std::ifstream in(source_dir() + "/lessons/scenarios/epoll-echo.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(ScenarioEpoll, StepsParseIntoTheirFields) {
    auto s = parse_scenario(epoll_echo_text(), "epoll-echo.yaml");
    ASSERT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    const ProgramSpec* server = nullptr;
    for (const auto& h : s->hosts)
        for (const auto& p : h.programs)
            if (p.name == "server") server = &p;
    ASSERT_NE(server, nullptr);
    const auto& st = server->steps;
    ASSERT_GE(st.size(), 10u);
    EXPECT_EQ(st[3].op, StepSpec::Op::EpollCreate1);
    EXPECT_EQ(st[4].op, StepSpec::Op::EpollCtl);
    EXPECT_EQ(st[4].epfd, 4);
    EXPECT_EQ(st[4].fd, 3);
    EXPECT_EQ(st[4].epoll_op, 1);
    EXPECT_EQ(st[4].events, 0x1u);
    EXPECT_EQ(st[7].events, 0x2001u);
    EXPECT_EQ(st[5].op, StepSpec::Op::EpollWait);
    EXPECT_EQ(st[5].maxevents, 8);
    EXPECT_EQ(st[5].timeout_ms, 1000);
    EXPECT_EQ(st[9].op, StepSpec::Op::Read);
    EXPECT_EQ(st[9].len, 65536u);
}

TEST(ScenarioEpoll, BadStepsNameTheirField) {
    struct Bad {
        const char* from;
        const char* to;
        const char* expect;
    };
    for (const Bad& b :
         {Bad{"events: [EPOLLIN]", "events: [EPOLLFOO]", "epoll_ctl.events: expected EPOLLIN"},
          Bad{"op: ADD, fd: 3", "op: PUT, fd: 3", "epoll_ctl.op: expected ADD, MOD or DEL"},
          Bad{"maxevents: 8, timeout: 1s }\n          - accept",
              "maxevents: 0, timeout: 1s }\n          - accept", "epoll_wait.maxevents: expected 1..1024"},
          Bad{"read: { fd: 5, len: 65536 }\n          - epoll_wait",
              "read: { fd: 5, len: 0 }\n          - epoll_wait", "read.len: expected a length"},
          Bad{"write: { fd: 3, size: 1000 }", "write: { fd: 3, size: 1000, data: x }",
              "either data or size"}}) {
        std::string text = epoll_echo_text();
        size_t at = text.find(b.from);
        ASSERT_NE(at, std::string::npos) << b.from;
        text.replace(at, std::string(b.from).size(), b.to);
        auto s = parse_scenario(text, "t.yaml");
        ASSERT_FALSE(s.ok()) << b.to;
        EXPECT_NE(s.error().message.find(b.expect), std::string::npos) << s.error().message;
    }
}

} // namespace
