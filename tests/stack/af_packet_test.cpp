// Packet taps (stack/socket/af_packet.cpp, the tap parts of stack/core/dev.cpp): a packet socket
// joins ptype_all (or its device's list after bind), its filter (compiled by libpcap, attached with
// SO_ATTACH_FILTER) decides what is queued, deliver_skb takes a reference on receive, outgoing
// frames arrive as PACKET_OUTGOING clones, a full receive buffer drops with PACKET_SOCK_ERROR, and
// no clone outlives the socket.
#include <gtest/gtest.h>

#include <pcap/pcap.h>

#include "stack/socket/af_packet.h"
#include "tests/stack/stack_fixture.h"

namespace skbscope::test {
namespace {

constexpr int kHtonsEthPAll = 0x0300;

// The user's struct sock_filter array for expr, as tcpdump hands it to SO_ATTACH_FILTER.
std::string compiled(const char* expr) {
    pcap_t* p = pcap_open_dead(DLT_EN10MB, 262144);
    bpf_program prog{};
    EXPECT_EQ(pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN), 0) << pcap_geterr(p);
    std::string out = sock_fprog_bytes(std::vector<bpf_insn>(prog.bf_insns, prog.bf_insns + prog.bf_len));
    pcap_freecode(&prog);
    pcap_close(p);
    return out;
}

std::vector<uint8_t> bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

struct Tapped : TwoHosts {
    int afd = -1;
    Task* dump = nullptr;
    int tap = -1;
    // A UDP socket on A; a tcpdump task on host `on` with a packet socket (optionally filtered).
    explicit Tapped(bool on_b, const char* filter = nullptr, bool bind_eth0 = false) {
        Host& on = on_b ? B : A;
        afd = static_cast<int>(call([&](SysDone d) { libc_socket(*a, AF_INET, SOCK_DGRAM, 0, d); }).ret);
        dump = on.spawn_task("tcpdump", 300);
        tap = static_cast<int>(
            call([&](SysDone d) { libc_socket(*dump, AF_PACKET, SOCK_RAW, kHtonsEthPAll, d); }).ret);
        EXPECT_EQ(tap, 3);
        if (bind_eth0) {
            SockAddrLl ll;
            ll.protocol = kEthPAll;
            ll.ifindex = on.dev_get_by_name("eth0")->ifindex;
            EXPECT_EQ(call([&](SysDone d) { libc_bind_ll(*dump, tap, ll, d); }).ret, 0);
        }
        if (filter) {
            EXPECT_EQ(call([&](SysDone d) {
                          libc_setsockopt_str(*dump, tap, SOL_SOCKET, SO_ATTACH_FILTER, compiled(filter), d);
                      }).ret,
                      0);
        }
    }
    void send_udp(uint16_t port, const std::string& s) {
        EXPECT_GE(call([&](SysDone d) {
                      libc_sendto(*a, afd, bytes(s), SockAddrIn{AF_INET, port, ip("192.168.1.200")}, 0, d);
                  }).ret,
                  0);
    }
    SysResult read_tap() {
        return call([&](SysDone d) { libc_recvfrom(*dump, tap, 65536, MSG_DONTWAIT, d); });
    }
    void close_tap() {
        call([&](SysDone d) { libc_close(*dump, tap, d); });
    }
};

TEST(AfPacket, SocketJoinsPtypeAllAndBindMovesItToTheDevice) {
    TwoHosts t;
    Task* dump = t.B.spawn_task("tcpdump", 300);
    int fd = static_cast<int>(
        call([&](SysDone d) { libc_socket(*dump, AF_PACKET, SOCK_RAW, kHtonsEthPAll, d); }).ret);
    ASSERT_EQ(fd, 3);
    EXPECT_EQ(t.B.ptype_all.size(), 1u);
    EXPECT_EQ(
        in_order(calls_on(t.sim.trace(), "B"), {"__sys_socket", "__sock_create", "packet_create", "sk_alloc",
                                                "sock_init_data", "__register_prot_hook", "dev_add_pack"}),
        "");
    SockAddrLl ll;
    ll.protocol = kEthPAll;
    ll.ifindex = t.b_eth0.ifindex;
    EXPECT_EQ(call([&](SysDone d) { libc_bind_ll(*dump, fd, ll, d); }).ret, 0);
    EXPECT_TRUE(t.B.ptype_all.empty());
    EXPECT_EQ(t.B.dev_ptype_all[&t.b_eth0].size(), 1u);
    ll.ifindex = 42;
    auto bad = call([&](SysDone d) { libc_bind_ll(*dump, fd, ll, d); });
    EXPECT_EQ(bad.err, ENODEV);
    call([&](SysDone d) { libc_close(*dump, fd, d); });
    EXPECT_TRUE(t.B.ptype_all.empty());
    EXPECT_TRUE(t.B.dev_ptype_all[&t.b_eth0].empty());
    EXPECT_NE(find_enter(t.sim.trace(), "B", "dev_remove_pack"), std::string::npos);
    // A socket of an unknown type and a send on a packet socket are refused.
    EXPECT_EQ(call([&](SysDone d) { libc_socket(*dump, AF_PACKET, SOCK_STREAM, kHtonsEthPAll, d); }).err,
              ESOCKTNOSUPPORT);
}

TEST(AfPacket, FilterQueuesOnlyMatchingFramesAndConsumesTheRest) {
    Tapped t(/*on_b=*/true, "udp and dst port 5000");
    t.send_udp(5000, "match");
    t.send_udp(6000, "no match"); // B answers with ICMP port unreachable: outgoing, not matched
    t.sim.run_until(10 * kNsPerMs);
    const Trace& tr = t.sim.trace();
    auto r = t.read_tap();
    ASSERT_GE(t.a_eth0.sent.size(), 2u);
    const auto& wire = t.a_eth0.sent[1];
    ASSERT_EQ(r.ret, 60); // 14 + 20 + 8 + 5 = 47, as received: padded to ETH_ZLEN by the sender
    EXPECT_EQ(r.data, wire) << "the tap holds the frame's bytes";
    ASSERT_TRUE(r.from_ll && r.aux);
    EXPECT_EQ(r.from_ll->pkttype, kPacketHost);
    EXPECT_EQ(r.from_ll->ifindex, t.b_eth0.ifindex);
    EXPECT_EQ(r.from_ll->protocol, 0x0800);
    EXPECT_GT(r.aux->tstamp_ns, 0);
    EXPECT_EQ(t.read_tap().err, EAGAIN) << "only one frame matched";
    // Every frame B saw went through the filter: ARP request and reply, two datagrams (no socket is
    // bound) and the two ICMP port unreachables B sent back.
    int filtered = 0;
    for (const auto& e : tr.events)
        if (e.kind == EventKind::FuncEnter && tr.str(e.name) == "run_filter") ++filtered;
    EXPECT_EQ(filtered, 6);
    EXPECT_EQ(drops(tr, DropReason::PacketSockError), 0);
    EXPECT_EQ(drops(tr, DropReason::SocketFilter), 0) << "a tap's no-match is consume_skb, not a drop";
    EXPECT_EQ(in_order(calls_on(tr, "B"), {"__netif_receive_skb_core", "deliver_skb", "packet_rcv",
                                           "run_filter", "skb_clone", "ip_rcv"}),
              "");
    t.close_tap();
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(t.sim.live_skbs(), 0) << "tap clones are freed";
}

TEST(AfPacket, DeliverSkbTakesAReferenceOnReceive) {
    Tapped t(/*on_b=*/true, nullptr, /*bind_eth0=*/true);
    t.send_udp(6000, "x");
    t.sim.run_until(10 * kNsPerMs);
    const Trace& tr = t.sim.trace();
    size_t i = find_enter(tr, "B", "deliver_skb");
    ASSERT_NE(i, std::string::npos);
    EXPECT_EQ(tr.events[i].a[0], 2) << "refcount_inc(&skb->users): the stack's reference and the tap's";
    // packet_rcv sees a shared skb: it queues its own clone and drops its reference (consume_skb)
    // before ip_rcv goes on with the original.
    size_t rcv = find_enter(tr, "B", "packet_rcv", i);
    size_t clone = find_enter(tr, "B", "skb_clone", rcv);
    size_t ip = find_enter(tr, "B", "ip_rcv", rcv);
    ASSERT_NE(ip, std::string::npos);
    EXPECT_LT(clone, ip);
    EXPECT_EQ(tr.events[clone].skb, tr.events[i].skb);
    while (t.read_tap().ret >= 0) {
    }
    t.close_tap();
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

TEST(AfPacket, OutgoingFramesArriveAsPacketOutgoingClones) {
    Tapped t(/*on_b=*/false); // on A, the sender, no filter
    t.send_udp(5000, "hello");
    t.sim.run_until(10 * kNsPerMs);
    // A's tap: ARP request (out), ARP reply (in), the datagram (out), B's ICMP port unreachable (in).
    std::vector<uint8_t> types;
    std::vector<std::vector<uint8_t>> frames;
    for (SysResult r = t.read_tap(); r.ret >= 0; r = t.read_tap()) {
        ASSERT_TRUE(r.from_ll);
        types.push_back(r.from_ll->pkttype);
        frames.push_back(r.data);
    }
    ASSERT_EQ(types.size(), 4u);
    EXPECT_EQ(types, (std::vector<uint8_t>{kPacketOutgoing, kPacketHost, kPacketOutgoing, kPacketHost}));
    // LINUX: an outgoing frame is captured before the driver pads it to 60 bytes.
    EXPECT_EQ(frames[2].size(), 47u);
    EXPECT_EQ(t.a_eth0.sent[1].size(), 60u);
    EXPECT_TRUE(std::equal(frames[2].begin(), frames[2].end(), t.a_eth0.sent[1].begin()));
    const Trace& tr = t.sim.trace();
    EXPECT_EQ(in_order(calls_on(tr, "A"), {"dev_hard_start_xmit", "xmit_one", "dev_queue_xmit_nit",
                                           "skb_clone", "packet_rcv", "run_filter", "netdev_start_xmit"}),
              "");
    t.close_tap();
    t.sim.run_until(kNsPerSec);
    EXPECT_EQ(t.sim.live_skbs(), 0);
}

// On A, the tap sees A's own datagrams as unshared PACKET_OUTGOING clones: past sk_rcvbuf each is
// freed with PACKET_SOCK_ERROR. On B the skb is shared (deliver_skb's reference): the drop only
// releases the tap's reference (the stack goes on with the skb), counted in tp_drops.
TEST(AfPacket, FullReceiveBufferDropsWithPacketSockError) {
    for (bool on_b : {false, true}) {
        SCOPED_TRACE(on_b ? "tap on B (receive)" : "tap on A (transmit)");
        Tapped t(on_b, "udp");
        EXPECT_EQ(call([&](SysDone d) { libc_setsockopt(*t.dump, t.tap, SOL_SOCKET, SO_RCVBUF, 1, d); }).ret,
                  0);
        t.send_udp(5000, "resolve"); // ARP first: A's arp_queue would hold only a few datagrams
        t.sim.run_until(5 * kNsPerMs);
        while (t.read_tap().ret >= 0) {
        }
        for (int i = 0; i < 20; ++i)
            t.send_udp(5000, "datagram " + std::to_string(i));
        t.sim.run_until(10 * kNsPerMs);
        const Trace& tr = t.sim.trace();
        int queued = 0;
        while (t.read_tap().ret >= 0)
            ++queued;
        auto* po = pkt_sk(t.dump->fdtable.at(t.tap)->sk.get());
        EXPECT_GT(queued, 0);
        EXPECT_GT(po->tp_drops, 0u);
        EXPECT_EQ(queued + static_cast<int>(po->tp_drops), 20);
        EXPECT_EQ(drops(tr, DropReason::PacketSockError), on_b ? 0 : static_cast<int>(po->tp_drops));
        EXPECT_EQ(notes_with(tr, "receive buffer full"), static_cast<int>(po->tp_drops));
        t.close_tap();
        t.sim.run_until(kNsPerSec);
        EXPECT_EQ(t.sim.live_skbs(), 0);
    }
}

TEST(AfPacket, AttachFilterRefusesBadPrograms) {
    Tapped t(/*on_b=*/true);
    auto attach = [&](const std::string& prog) {
        return call(
            [&](SysDone d) { libc_setsockopt_str(*t.dump, t.tap, SOL_SOCKET, SO_ATTACH_FILTER, prog, d); });
    };
    EXPECT_EQ(attach("").err, EINVAL);
    EXPECT_EQ(attach("abc").err, EINVAL); // not a whole sock_filter
    // "ja +5" past the end, then "ret #0": bpf_check_classic refuses the jump.
    const uint8_t jump_out[16] = {0x05, 0x00, 0, 0, 5, 0, 0, 0, 0x06, 0x00, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(attach(std::string(reinterpret_cast<const char*>(jump_out), 16)).err, EINVAL);
    // "ret #0" with stray high bits in its opcode (0xfd06): libpcap's bpf_validate accepts it and
    // bpf_filter would abort() on the first frame; the kernel's opcode list (chk_code_allowed)
    // refuses it, and so do we (found by fuzz_tap_filter).
    const uint8_t high_bits_ret[8] = {0x06, 0xfd, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(attach(std::string(reinterpret_cast<const char*>(high_bits_ret), 8)).err, EINVAL);
    EXPECT_EQ(attach(compiled("tcp")).ret, 0);
    // SO_ATTACH_FILTER on a UDP socket: not modelled.
    EXPECT_EQ(call([&](SysDone d) {
                  libc_setsockopt_str(*t.a, t.afd, SOL_SOCKET, SO_ATTACH_FILTER, compiled("tcp"), d);
              }).err,
              ENOPROTOOPT);
}

} // namespace
} // namespace skbscope::test
