// libFuzzer target for pcap/pcapng reading through libpcap: any file must read or be refused
// with one line naming the file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "core/pcap/pcap_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = "/tmp/skbscope-fuzz-" + std::to_string(getpid()) + ".pcap";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    auto r = skbscope::read_pcap_file(path);
    if (!r.ok() && r.error().message.rfind(path, 0) != 0) std::abort();
    return 0;
}
