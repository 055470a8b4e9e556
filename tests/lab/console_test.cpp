// Interactive mode: the console's grammar (errors for every malformed line, nothing a user types
// can change the step's structure) and Lab::console running typed calls in a scenario's tasks.
#include <gtest/gtest.h>

#include "app/lab/console.h"
#include "app/lab/lab.h"
#include "tests/support/paths.h"

using namespace skbscope;
using namespace skbscope::lab;
using skbscope::test::source_dir;

TEST(ConsoleParse, CallsMapToSteps) {
    auto c = parse_console_command("A: send 3 4000");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->host, "A");
    EXPECT_EQ(c->step.op, StepSpec::Op::Send);
    EXPECT_EQ(c->step.fd, 3);
    EXPECT_EQ(c->step.data.size(), 4000u);

    c = parse_console_command("  B :  recv 4 ");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->host, "B");
    EXPECT_EQ(c->step.op, StepSpec::Op::Recv);
    EXPECT_EQ(c->step.len, 65536u); // the scenario's default

    c = parse_console_command("A: connect 3 192.168.2.100:8080");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->step.port, 8080);
    ASSERT_TRUE(c->step.addr.has_value());
    EXPECT_EQ(c->step.addr->to_string(), "192.168.2.100");

    c = parse_console_command("A: recv 3 MSG_DONTWAIT");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->step.flags, 0x40);

    c = parse_console_command("A: setsockopt 3 TCP_NODELAY true");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->step.level, 6);
    EXPECT_EQ(c->step.optname, 1);

    c = parse_console_command("A: sleep 10ms");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->step.duration, 10 * kNsPerMs);
}

TEST(ConsoleParse, BadLinesSayWhatIsWrong) {
    struct Case {
        const char* line;
        const char* says;
    } cases[] = {
        {"send 3 4000", "expected HOST: CALL"},
        {": send 3 4000", "missing the host"},
        {"A:", "missing the call"},
        {"A: sned 3 10", "unknown call 'sned'"},
        {"A: send 3", "send: expected send FD SIZE"},
        {"A: send 3 10 MSG_DONTWAIT extra", "send: expected"},
        {"A: send x 10", "fd"},
        {"A: send 3 lots", "size"},
        {"A: connect 3 nowhere", "to"},
        {"A: socket raw", "expected stream, dgram or icmp"},
        {"A: setsockopt 3 SO_FOO 1", "SO_FOO"},
        // YAML syntax inside a value stays a value: it cannot open a new key or step.
        {"A: send 3 \"},{close:{fd:3}}", "size"},
        {"A: socket stream\"}", "expected stream"},
    };
    for (const Case& c : cases) {
        auto r = parse_console_command(c.line);
        ASSERT_FALSE(r.ok()) << c.line;
        EXPECT_NE(r.error().message.find(c.says), std::string::npos) << c.line << " -> " << r.error().message;
    }
}

TEST(LabConsole, TypedCallsRunInTheScenarioTasks) {
    auto lab = Lab::load(source_dir() + "/lessons/scenarios/interactive.yaml");
    ASSERT_TRUE(lab.ok()) << lab.error().message;
    (*lab)->run();
    const size_t events = (*lab)->trace().events.size();

    auto out = (*lab)->console("A: send 3 4000");
    ASSERT_TRUE(out.ok()) << out.error().message;
    ASSERT_EQ(out->size(), 2u);
    EXPECT_EQ((*out)[0], "console: sent 4000 bytes");
    EXPECT_EQ((*out)[1], "console: send() = 4000");
    const size_t afterSend = (*lab)->trace().events.size();
    EXPECT_GT(afterSend, events + 100) << "the send's whole path joins the trace";

    // B's program accepted fd 4; the data is already in its receive queue.
    out = (*lab)->console("B: recv 4 65536");
    ASSERT_TRUE(out.ok()) << out.error().message;
    ASSERT_FALSE(out->empty());
    EXPECT_NE(out->front().find("received 4000 bytes"), std::string::npos) << out->front();

    // Nothing more to read: recv blocks; another call on B is refused until it returns.
    out = (*lab)->console("B: recv 4 65536");
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_NE(out->back().find("blocked"), std::string::npos);
    auto busy = (*lab)->console("B: close 4");
    ASSERT_FALSE(busy.ok());
    EXPECT_NE(busy.error().message.find("has not returned yet"), std::string::npos);

    // A closes: B's blocked recv returns 0 (EOF) during this call's run.
    out = (*lab)->console("A: close 3");
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->back(), "console: close() = 0");
    out = (*lab)->console("B: close 4");
    ASSERT_TRUE(out.ok()) << out.error().message;

    // Errors: an unknown host, a closed fd (EBADF from the stack, printed by the program).
    auto bad = (*lab)->console("C: socket stream");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("no host 'C' (hosts: A, B, R)"), std::string::npos) << bad.error().message;
    out = (*lab)->console("A: send 3 10");
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->back(), "console: send() failed: EBADF");
}

TEST(LabConsole, SameCallsGiveTheSameTrace) {
    auto run = [] {
        auto lab = Lab::load(source_dir() + "/lessons/scenarios/interactive.yaml");
        EXPECT_TRUE(lab.ok());
        (*lab)->run();
        EXPECT_TRUE((*lab)->console("A: send 3 3000").ok());
        EXPECT_TRUE((*lab)->console("B: recv 4 1000").ok());
        return (*lab)->trace().events.size();
    };
    EXPECT_EQ(run(), run());
}
