// skbscope-cli from the outside: exit codes (0 ok, 1 bad file, 2 usage), usage on stderr for bad
// arguments, and exactly one line "<path>: <problem>" for a bad file. Runs the built binary
// (SKBSCOPE_CLI_PATH) on traces written by the core API, so it needs no scenario.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/trace/trace_file.h"
#include "tests/core/trace/sample_trace.h"

#ifndef SKBSCOPE_CLI_PATH
#error "SKBSCOPE_CLI_PATH must name the skbscope-cli binary"
#endif

namespace skbscope {
namespace {

struct CliRun {
    int code = -1;
    std::string out, err;
};

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("skbscope_cli_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), {});
}

// Runs the CLI with args (already shell-quoted where needed); captures stdout and stderr apart.
CliRun cli(const std::string& args) {
    std::string out = temp_path("stdout"), err = temp_path("stderr");
    std::string cmd = std::string("'") + SKBSCOPE_CLI_PATH + "' " + args + " >'" + out + "' 2>'" + err + "'";
    int status = std::system(cmd.c_str());
    CliRun r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    r.out = slurp(out);
    r.err = slurp(err);
    std::remove(out.c_str());
    std::remove(err.c_str());
    return r;
}

class CliTest : public ::testing::Test {
  protected:
    void SetUp() override {
        m_sim = testing::make_sample();
        m_trace = temp_path("sample.sktrace");
        ASSERT_TRUE(save_trace(m_sim->trace(), m_trace).ok());
    }
    void TearDown() override { std::remove(m_trace.c_str()); }
    std::unique_ptr<Sim> m_sim;
    std::string m_trace;
};

void expect_usage(const CliRun& r, const std::string& message) {
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("usage: skbscope-cli"), std::string::npos);
    EXPECT_TRUE(r.out.empty());
}

void expect_one_line(const CliRun& r, const std::string& line) {
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, line + "\n");
}

TEST_F(CliTest, UsageErrorsExitTwo) {
    expect_usage(cli(""), "no command given");
    expect_usage(cli("frobnicate"), "unknown command 'frobnicate'");
    expect_usage(cli("info"), "info: missing TRACE file");
    expect_usage(cli("info '" + m_trace + "' --bogus"), "info: unknown option '--bogus'");
    expect_usage(cli("info a b"), "info: unexpected argument 'b'");
    expect_usage(cli("chain '" + m_trace + "' --host A"), "chain: missing --syscall NAME");
    expect_usage(cli("chain '" + m_trace + "' --host"), "chain: option --host needs a value");
    expect_usage(cli("chain '" + m_trace + "' --host A --syscall sendto --index x"),
                 "--index needs a number");
    expect_usage(cli("path '" + m_trace + "' --packet 0"), "--packet needs a packet number");
    expect_usage(cli("path '" + m_trace + "'"), "path: missing --packet N");
    expect_usage(cli("export '" + m_trace + "'"), "export: nothing to export");
    expect_usage(cli("export '" + m_trace + "' --pcap A:eth0"), "expected HOST:DEV=FILE");
    expect_usage(cli("run"), "run: missing SCENARIO file");
    expect_usage(cli("run x.yaml --no-trace --trace t.sktrace"), "--no-trace records nothing");
}

TEST_F(CliTest, HelpGoesToStdout) {
    for (const char* h : {"help", "--help", "chain --help"}) {
        CliRun r = cli(h);
        EXPECT_EQ(r.code, 0) << h;
        EXPECT_NE(r.out.find("usage: skbscope-cli"), std::string::npos);
        EXPECT_TRUE(r.err.empty());
    }
}

TEST_F(CliTest, BadFilesGiveOneLineAndExitOne) {
    std::string missing = temp_path("missing.sktrace");
    expect_one_line(cli("info '" + missing + "'"), missing + ": cannot open: No such file or directory");
    std::string text = temp_path("text.sktrace");
    std::ofstream(text) << "hello, not a trace\n";
    expect_one_line(cli("info '" + text + "'"), text + ": not a skbscope trace (bad magic)");
    std::string cut = temp_path("cut.sktrace");
    std::string bytes = slurp(m_trace);
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - 7);
    CliRun r = cli("path '" + cut + "' --packet 1");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err.rfind(cut + ": truncated: section ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
    // A scenario that does not exist: the lab's message, one line naming the file.
    std::string scen = temp_path("missing.yaml");
    CliRun s = cli("run '" + scen + "'");
    EXPECT_EQ(s.code, 1);
    EXPECT_EQ(s.err.rfind(scen + ":", 0), 0u) << s.err;
    EXPECT_EQ(std::count(s.err.begin(), s.err.end(), '\n'), 1);
    std::remove(text.c_str());
    std::remove(cut.c_str());
}

TEST_F(CliTest, QueriesAnswerOnAGoodTrace) {
    CliRun info = cli("info '" + m_trace + "'");
    EXPECT_EQ(info.code, 0) << info.err;
    EXPECT_NE(info.out.find("SKB_DROP_REASON_NO_SOCKET"), std::string::npos);
    CliRun chain = cli("chain '" + m_trace + "' --host A --syscall sendto");
    EXPECT_EQ(chain.code, 0) << chain.err;
    EXPECT_NE(chain.out.find("    udp_sendmsg  [udp, net/ipv4/udp.c]"), std::string::npos) << chain.out;
    CliRun nohost = cli("chain '" + m_trace + "' --host C --syscall sendto");
    expect_one_line(nohost, m_trace + ": no host 'C' (hosts: A, B)");
    CliRun path = cli("path '" + m_trace + "' --packet 1");
    EXPECT_EQ(path.code, 0) << path.err;
    EXPECT_NE(path.out.find("[4] B / softirq"), std::string::npos);
    CliRun desc = cli("describe '" + m_trace + "' --packet 1");
    EXPECT_EQ(desc.code, 0);
    EXPECT_NE(desc.out.find("A:eth0 -> B:eth0  ARP 42 Who has 192.168.1.1? Tell 192.168.1.100"),
              std::string::npos)
        << desc.out;
}

TEST_F(CliTest, ExportWritesEveryFormat) {
    std::string chrome = temp_path("c.json"), jsonl = temp_path("c.jsonl"), pcap = temp_path("a.pcap"),
                ng = temp_path("b.pcapng");
    CliRun r = cli("export '" + m_trace + "' --chrome '" + chrome + "' --jsonl '" + jsonl +
                   "' --pcap 'A:eth0=" + pcap + "' --pcapng 'B:eth0=" + ng + "'");
    EXPECT_EQ(r.code, 0) << r.err;
    for (const auto& f : {chrome, jsonl, pcap, ng}) {
        EXPECT_GT(std::filesystem::exists(f) ? std::filesystem::file_size(f) : 0u, 0u) << f;
        std::remove(f.c_str());
    }
    CliRun bad = cli("export '" + m_trace + "' --pcap 'Z:eth9=" + pcap + "'");
    expect_one_line(bad, m_trace + ": no interface 'Z:eth9' in the trace (available: A:eth0, B:eth0)");
    EXPECT_FALSE(std::filesystem::exists(pcap));
}

} // namespace
} // namespace skbscope
