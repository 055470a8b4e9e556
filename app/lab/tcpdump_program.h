// tcpdump as a scenario program: compiles its filter expression with libpcap (pcap_open_dead +
// pcap_compile, as tcpdump does before it opens the capture), opens a packet socket
// (socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)), bind to the interface when one is named),
// attaches the program with SO_ATTACH_FILTER and reads frames with recvfrom in a loop, printing
// one line per frame and writing each with pcap_dump (the trace keeps the frame: --pcap HOST:tap).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <pcap/bpf.h>

#include "app/lab/programs.h"
#include "core/util/result.h"

namespace skbscope::lab {

// pcap_compile of expr for Ethernet (DLT_EN10MB) with snaplen, optimised. The error is libpcap's
// own text (pcap_geterr), e.g. "syntax error".
Result<std::vector<bpf_insn>> tcpdump_compile(const std::string& expr, int snaplen);

std::unique_ptr<Program> make_tcpdump_program(Host& host, const ProgramSpec& spec);

} // namespace skbscope::lab
