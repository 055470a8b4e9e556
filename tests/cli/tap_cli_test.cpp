// skbscope-cli with a tcpdump tap: `run lessons/scenarios/tcpdump.yaml --pcap B:tap=FILE` writes
// the tap's capture next to the link's, `export TRACE --pcap B:tap=FILE` rebuilds the same file
// from a saved trace, a host with no tcpdump program is an error (exit 1), and a tap cannot be
// written as pcapng.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/paths.h"

#ifndef SKBSCOPE_CLI_PATH
#error "SKBSCOPE_CLI_PATH must name the skbscope-cli binary"
#endif

namespace skbscope {
namespace {

struct Run {
    int code = -1;
    std::string out, err;
};

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), {});
}

Run cli(const std::string& dir, const std::string& args) {
    std::string out = dir + "/stdout", err = dir + "/stderr";
    std::string cmd = std::string("'") + SKBSCOPE_CLI_PATH + "' " + args + " >'" + out + "' 2>'" + err + "'";
    int status = std::system(cmd.c_str());
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

TEST(TapCli, RunWritesTheTapCaptureAndExportRebuildsIt) {
    std::string dir = test::temp_dir("tap-cli");
    std::string scenario = test::source_dir() + "/lessons/scenarios/tcpdump.yaml";
    auto r = cli(dir, "run '" + scenario + "' --pcap B:tap='" + dir + "/tap.pcap' --pcap B:eth0='" + dir +
                          "/link.pcap' --trace '" + dir + "/t.sktrace'");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("capture of B:tap: " + dir + "/tap.pcap"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("| tcpdump: listening on eth0"), std::string::npos) << r.out;
    std::string tap = slurp(dir + "/tap.pcap");
    std::string link = slurp(dir + "/link.pcap");
    EXPECT_GT(tap.size(), 24u);
    EXPECT_GT(link.size(), tap.size()); // the filter kept part of B's traffic
    auto e = cli(dir, "export '" + dir + "/t.sktrace' --pcap B:tap='" + dir + "/again.pcap'");
    ASSERT_EQ(e.code, 0) << e.err;
    EXPECT_EQ(slurp(dir + "/again.pcap"), tap);
}

TEST(TapCli, ATapWhereNoTcpdumpRanIsAnError) {
    std::string dir = test::temp_dir("tap-cli-err");
    std::string scenario = test::source_dir() + "/lessons/scenarios/tcpdump.yaml";
    auto r = cli(dir, "run '" + scenario + "' --pcap A:tap='" + dir + "/a.pcap'");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("no tcpdump program ran on host 'A' (taps in the trace: B:tap)"), std::string::npos)
        << r.err;
    auto n = cli(dir, "run '" + scenario + "' --pcapng B:tap='" + dir + "/b.pcapng'");
    EXPECT_EQ(n.code, 1);
    EXPECT_NE(n.err.find("pcap only"), std::string::npos) << n.err;
}

} // namespace
} // namespace skbscope
