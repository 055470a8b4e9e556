// Golden chains of a fragmented UDP datagram (lessons/scenarios/udp-fragments.yaml): the send path
// through __ip_finish_output -> ip_fragment -> ip_do_fragment, and B's ip_local_deliver -> ip_defrag
// -> ... -> udp_rcv for the fragment that completes it, against ../shared/callchains.md and the
// rendered trees in tests/golden/expected; with tshark, the link pcap decodes and reassembles.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/trace/export_pcap.h"
#include "tests/support/paths.h"
#include "tests/support/scenario_run.h"
#include "tests/support/trace_checker.h"

using namespace skbscope;
using namespace skbscope::test;

namespace {

lab::Lab& lab_run() {
    return run_shipped_scenario("udp-fragments.yaml");
}

std::string sh(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

} // namespace

TEST(GoldenChains, FragmentedUdpSend) {
    const Trace& t = lab_run().trace();
    auto at = find_call(t, "A", "sendto");
    ASSERT_TRUE(at);
    std::vector<std::string> expected = {
        "udp_sendmsg", "ip_route_output_flow", "ip_make_skb", "ip_append_data", "udp_send_skb", "ip_send_skb",
        "ip_local_out", "__ip_local_out", "dst_output", "ip_output", "ip_finish_output", "__ip_finish_output",
        "ip_fragment", "ip_do_fragment", "ip_finish_output2", "neigh_output", "neigh_resolve_output"};
    expect_names_in_callchains(expected);
    auto calls = calls_inside(t, *at);
    EXPECT_EQ(check_in_order(calls, expected), "");
    // Three fragments, each through ip_finish_output2, all inside ip_do_fragment.
    auto frag = find_call(t, "A", "ip_do_fragment");
    ASSERT_TRUE(frag);
    auto inside = calls_inside(t, *frag);
    EXPECT_EQ(std::count(inside.begin(), inside.end(), "ip_frag_next"), 3);
    EXPECT_EQ(std::count(inside.begin(), inside.end(), "ip_send_check"), 3);
    EXPECT_EQ(std::count(inside.begin(), inside.end(), "ip_finish_output2"), 3);
    expect_golden(t, *at, "udp_fragments_sendto");
}

TEST(GoldenChains, FragmentedUdpReassembly) {
    const Trace& t = lab_run().trace();
    // The first two fragments stop in ip_defrag (queued); the third completes the datagram.
    for (int i = 0; i < 2; ++i) {
        auto q = find_call(t, "B", "ip_local_deliver", i);
        ASSERT_TRUE(q);
        auto c = calls_inside(t, *q);
        EXPECT_EQ(check_in_order(c, {"ip_defrag", "ip_find", "ip_frag_queue"}), "");
        EXPECT_EQ(std::count(c.begin(), c.end(), "udp_rcv"), 0);
    }
    auto at = find_call(t, "B", "ip_local_deliver", 2);
    ASSERT_TRUE(at);
    std::vector<std::string> expected = {"ip_local_deliver", "ip_defrag", "ip_local_deliver_finish",
                                         "ip_protocol_deliver_rcu", "udp_rcv", "__udp4_lib_rcv",
                                         "udp_unicast_rcv_skb", "udp_queue_rcv_skb", "__udp_enqueue_schedule_skb"};
    expect_names_in_callchains(expected);
    std::vector<std::string> calls = {"ip_local_deliver"};
    auto inside = calls_inside(t, *at);
    calls.insert(calls.end(), inside.begin(), inside.end());
    EXPECT_EQ(check_in_order(calls, expected), "");
    EXPECT_EQ(check_in_order(calls, {"ip_defrag", "ip_find", "ip_frag_queue", "ip_frag_reasm", "udp_rcv"}), "");
    expect_golden(t, *at, "udp_fragments_reassembly");
}

TEST(GoldenChains, FragmentedUdpPcapReassemblesInTshark) {
    if (!have_tshark()) GTEST_SKIP() << "tshark is not installed";
    const Trace& t = lab_run().trace();
    std::string f = (std::filesystem::temp_directory_path() / "skbscope-fragments-A_eth0.pcap").string();
    ASSERT_TRUE(export_pcap(t, "A:eth0", f).ok());
    const char* check = "-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.defragment:TRUE";
    std::string all = sh("tshark -r " + f + " " + check + " -V 2>&1");
    ASSERT_NE(all.find("Frame 4:"), std::string::npos) << all.substr(0, 2000);
    EXPECT_EQ(all.find("Malformed"), std::string::npos) << all.substr(0, 4000);
    EXPECT_EQ(all.find("[Checksum Status: Bad]"), std::string::npos);
    EXPECT_EQ(all.find("Expert Info (Error"), std::string::npos);
    EXPECT_NE(all.find("[3 IPv4 Fragments (4008 bytes)"), std::string::npos) << all.substr(0, 6000);
    std::string fields = sh("tshark -r " + f + " " + check +
                            " -Y udp -T fields -E separator=, -e ip.frag_offset -e udp.length -e data.len 2>/dev/null");
    EXPECT_NE(fields.find(",4008,4000"), std::string::npos) << fields;
    std::filesystem::remove(f);
}
