// libFuzzer target for the AF_PACKET receive path (stack/socket/af_packet.cpp): arbitrary frames
// arrive on a host's device while a tcpdump-like packet socket holds a classic BPF filter, either
// compiled by libpcap from a pcap-filter expression (app/lab/tcpdump_program.h, as the tcpdump
// program does) or taken raw from the input (SO_ATTACH_FILTER must refuse what bpf_check_classic
// would). Each frame goes eth_type_trans -> __netif_receive_skb_core -> deliver_skb -> packet_rcv
// -> run_filter (libpcap's bpf_filter) and on up the stack; whatever the host sends back passes the
// tap on transmit. Never an out-of-bounds read, every queued frame reads back no longer than the
// filter's snapshot length, and no sk_buff outlives the socket.
//
// Input: byte 0 picks the filter (bits 0-3: the expression, bit 4: SOCK_DGRAM, bit 5: bind to
// eth0, bit 6: a raw program of (byte 1 % 16 + 1) instructions follows); then frames, each a
// 2-byte little-endian length and that many bytes (the last one takes what is left).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "app/lab/tcpdump_program.h"
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/socket/af_packet.h"
#include "stack/syscall/libc.h"
#include "tests/support/fake_net_device.h"

namespace {

using namespace skbscope;

struct Filter {
    const char* expr;
    int snaplen;
};
// tcpdump filters of each kind the compiler produces: header fields at fixed offsets, variable
// offsets from the IP header length (tcp[...], port), packet-relative loads past any header, VLAN
// and MPLS shifts, and snapshot lengths shorter than most frames (skb_trim in packet_rcv).
constexpr Filter kFilters[16] = {
    {"", 262144},
    {"tcp and dst port 8080", 262144},
    {"udp and (port 53 or port 5000)", 96},
    {"icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-unreach", 262144},
    {"tcp[tcpflags] & (tcp-syn|tcp-fin) != 0", 68},
    {"ip[6:2] & 0x1fff != 0 or ip[6] & 0x20 != 0", 262144},
    {"arp and arp[6:2] == 2", 42},
    {"ether[200:4] == 0x01020304 or ip[60:2] == 7", 262144},
    {"vlan and ip", 262144},
    {"mpls and udp", 262144},
    {"ip6 and tcp port 80", 262144},
    {"less 64", 262144},
    {"greater 1000 and ip", 128},
    {"net 192.168.0.0/16 and not host 192.168.1.200", 1},
    {"tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420", 262144},
    {"ip proto 47 or ip[9] == 132 or (udp and udp[8:2] == 0xffff)", 262144},
};

constexpr int kHtonsEthPAll = 0x0300;


// The compiled program of each expression, compiled once (libpcap's compiler is slow and not what
// this target tests).
const std::string& compiled(size_t i) {
    static std::vector<std::optional<std::string>> cache(std::size(kFilters));
    if (!cache[i]) {
        auto p = lab::tcpdump_compile(kFilters[i].expr, kFilters[i].snaplen);
        if (!p.ok()) std::abort(); // a fixed expression above must compile
        cache[i] = sock_fprog_bytes(*p);
    }
    return *cache[i];
}

// A libc call that does not sleep (socket, bind, setsockopt, non-blocking recvfrom, close).
template <typename F> SysResult now(F&& f) {
    std::optional<SysResult> out;
    f([&](const SysResult& r) { out = r; });
    if (!out) std::abort();
    return *out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const uint8_t mode = data[0];
    size_t at = 1;
    std::string prog;
    if (mode & 0x40) {
        if (size < 2) return 0;
        const size_t bytes = (data[1] % 16 + 1) * 8u;
        at = 2;
        if (size - at < bytes) return 0;
        prog.assign(reinterpret_cast<const char*>(data + at), bytes);
        at += bytes;
    } else {
        prog = compiled(mode & 0x0f);
    }
    std::vector<std::vector<uint8_t>> frames;
    while (at < size && frames.size() < 16) {
        size_t len = size - at;
        if (len >= 2) {
            const size_t want = data[at] | (data[at + 1] << 8);
            at += 2;
            len = std::min(want, size - at);
        }
        frames.emplace_back(data + at, data + at + len);
        at += len;
    }

    Sim sim(7);
    test::FakeNetDevice eth0(sim, "eth0", *wire::MacAddr::parse("02:00:00:00:00:0b"));
    uint64_t largest = 0;
    {
        Host host(sim, "B");
        host.register_netdev(&eth0);
        eth0.irq = host.irq_handler_for(&eth0);
        if (!host.add_address("eth0", *wire::Ipv4Addr::parse("192.168.1.200"), 24).ok()) std::abort();
        host.open_devices();
        Task* dump = host.spawn_task("tcpdump", 300);
        const int type = (mode & 0x10) ? SOCK_DGRAM : SOCK_RAW;
        const int fd = static_cast<int>(
            now([&](SysDone d) { libc_socket(*dump, AF_PACKET, type, kHtonsEthPAll, d); }).ret);
        if (fd != 3) std::abort();
        if (mode & 0x20) {
            SockAddrLl ll;
            ll.protocol = kEthPAll;
            ll.ifindex = eth0.ifindex;
            if (now([&](SysDone d) { libc_bind_ll(*dump, fd, ll, d); }).ret != 0) std::abort();
        }
        const auto attached =
            now([&](SysDone d) { libc_setsockopt_str(*dump, fd, SOL_SOCKET, SO_ATTACH_FILTER, prog, d); });
        if (!(mode & 0x40) && attached.ret != 0) std::abort(); // libpcap's programs pass the check
        if (attached.ret != 0 && attached.err != EINVAL) std::abort();

        for (auto& f : frames) {
            largest = std::max<uint64_t>(largest, f.size());
            eth0.receive(std::move(f));
        }
        sim.run_until(60 * kNsPerSec); // past the reassembly and neighbour timers
        for (const auto& f : eth0.sent)
            largest = std::max<uint64_t>(largest, f.size());

        // Read back every queued frame: none is longer than the largest frame or the snapshot.
        const uint64_t snap =
            (mode & 0x40) ? UINT32_MAX : static_cast<uint64_t>(kFilters[mode & 0x0f].snaplen);
        for (;;) {
            auto r = now([&](SysDone d) { libc_recvfrom(*dump, fd, 65536, MSG_DONTWAIT, d); });
            if (r.ret < 0) {
                if (r.err != EAGAIN) std::abort();
                break;
            }
            if (static_cast<uint64_t>(r.ret) > largest || static_cast<uint64_t>(r.ret) > snap ||
                r.data.size() != static_cast<size_t>(r.ret))
                std::abort();
            if (!r.aux || r.aux->tp_snaplen != static_cast<uint64_t>(r.ret) ||
                r.aux->tp_len < r.aux->tp_snaplen)
                std::abort();
        }
        now([&](SysDone d) { libc_close(*dump, fd, d); });
        sim.run_until(120 * kNsPerSec);
        if (!sim.trace().validate().empty()) std::abort();
    }
    if (sim.live_skbs() != 0) std::abort(); // no skb outlives the host
    return 0;
}
