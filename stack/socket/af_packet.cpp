// AF_PACKET sockets (net/packet/af_packet.c) and SO_ATTACH_FILTER (net/core/filter.c): packet_create
// registers the socket's packet_type (__register_prot_hook -> dev_add_pack), packet_bind moves it to
// one device, packet_rcv (the hook) runs the filter and queues a clone, packet_recvmsg copies a
// frame out with its sockaddr_ll, packet_release unhooks and purges.
// SIMPLIFICATION: no sending (packet_sendmsg: EOPNOTSUPP), no PACKET_MMAP rings (tpacket_rcv), no
// fanout, no SOCK_PACKET; programs may open packet sockets (no CAP_NET_RAW check). The classic BPF
// program runs in libpcap's bpf_filter (the same instruction set) instead of the kernel's JIT; the
// snapshot trim is skb_trim (a paged skb would be queued whole: e1000's receive skbs are linear).
// LINUX: a frame the filter rejects is consumed, not dropped (consume_skb); only a full receive
// buffer is a drop (PACKET_SOCK_ERROR). A shared skb (from deliver_skb) is cloned before queueing.
#include "stack/socket/af_packet.h"

#include <algorithm>
#include <cstring>

#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "stack/host.h"
#include "stack/syscall/entry_64.h"

namespace skbscope {

static_assert(sizeof(PacketSkbCb) <= sizeof(SkBuff::cb), "PACKET_SKB_CB must fit skb->cb");

PacketSkbCb& packet_skb_cb(SkBuff* skb) {
    return *reinterpret_cast<PacketSkbCb*>(skb->cb.data());
}

static uint16_t ntohs16(int v) {
    return static_cast<uint16_t>(((v & 0xff) << 8) | ((v >> 8) & 0xff));
}

// ---- the hook ----

static void __register_prot_hook(Host& host, PacketSock* po) {
    TRACE_FUNC(host.sim(), __register_prot_hook, nullptr, po->num, po->ifindex);
    dev_add_pack(host, &po->prot_hook);
    po->running = true;
}

static void __unregister_prot_hook(Host& host, PacketSock* po) {
    TRACE_FUNC(host.sim(), __unregister_prot_hook, nullptr, po->num, po->ifindex);
    po->running = false;
    dev_remove_pack(host, &po->prot_hook);
}

int packet_create(Host& host, Socket* sock, int protocol) {
    TRACE_FUNC_NAMED(scope, host.sim(), packet_create, nullptr, sock->type, protocol);
    if (sock->type != SOCK_RAW && sock->type != SOCK_DGRAM) {
        scope.ret(-ESOCKTNOSUPPORT);
        return -ESOCKTNOSUPPORT;
    }
    PacketSock* po;
    {
        TRACE_FUNC(host.sim(), sk_alloc, nullptr, sock->type, protocol);
        po = new PacketSock();
        po->host = &host;
        po->sk_type = sock->type;
        po->sk_protocol = protocol;
        po->sk_family = AF_PACKET;
    }
    sock->sk.reset(po);
    sock_init_data(host, po);
    const uint16_t proto = ntohs16(protocol); // the user passes htons(ETH_P_ALL)
    po->num = proto;
    po->prot_hook.func = packet_rcv;
    po->prot_hook.af_packet_priv = po;
    if (proto) {
        po->prot_hook.type = proto;
        __register_prot_hook(host, po);
    }
    scope.ret(0);
    return 0;
}

static int packet_do_bind(Host& host, PacketSock* po, int ifindex, uint16_t proto) {
    TRACE_FUNC_NAMED(scope, host.sim(), packet_do_bind, nullptr, ifindex, proto);
    NetDevice* dev = nullptr;
    if (ifindex) {
        dev = host.dev_get_by_index(ifindex);
        if (!dev) {
            scope.ret(-ENODEV);
            return -ENODEV;
        }
    }
    if (po->running) __unregister_prot_hook(host, po);
    po->num = proto;
    po->prot_hook.type = proto;
    po->prot_hook.dev = dev;
    po->ifindex = dev ? dev->ifindex : 0;
    if (proto) __register_prot_hook(host, po);
    if (dev) host.note(po->label + " bound to " + dev->name, Layer::Socket);
    scope.ret(0);
    return 0;
}

int packet_bind(Host& host, Socket* sock, const SockAddrLl& addr) {
    TRACE_FUNC_NAMED(scope, host.sim(), packet_bind, nullptr, addr.ifindex, addr.protocol);
    PacketSock* po = pkt_sk(sock->sk.get());
    int err = addr.family != AF_PACKET
                  ? -EINVAL
                  : packet_do_bind(host, po, addr.ifindex, addr.protocol ? addr.protocol : po->num);
    scope.ret(err);
    return err;
}

// ---- SO_ATTACH_FILTER ----

// chk_code_allowed (net/core/filter.c's codes[] table): the 16-bit opcodes of classic BPF. libpcap's
// bpf_validate looks at the class and operation bits only, and its bpf_filter abort()s on any other
// opcode (e.g. a RET with high bits set), so the kernel's table is checked first, as Linux does.
static bool chk_code_allowed(uint16_t code) {
    switch (code) {
    case BPF_ALU | BPF_ADD | BPF_K:
    case BPF_ALU | BPF_ADD | BPF_X:
    case BPF_ALU | BPF_SUB | BPF_K:
    case BPF_ALU | BPF_SUB | BPF_X:
    case BPF_ALU | BPF_MUL | BPF_K:
    case BPF_ALU | BPF_MUL | BPF_X:
    case BPF_ALU | BPF_DIV | BPF_K:
    case BPF_ALU | BPF_DIV | BPF_X:
    case BPF_ALU | BPF_MOD | BPF_K:
    case BPF_ALU | BPF_MOD | BPF_X:
    case BPF_ALU | BPF_AND | BPF_K:
    case BPF_ALU | BPF_AND | BPF_X:
    case BPF_ALU | BPF_OR | BPF_K:
    case BPF_ALU | BPF_OR | BPF_X:
    case BPF_ALU | BPF_XOR | BPF_K:
    case BPF_ALU | BPF_XOR | BPF_X:
    case BPF_ALU | BPF_LSH | BPF_K:
    case BPF_ALU | BPF_LSH | BPF_X:
    case BPF_ALU | BPF_RSH | BPF_K:
    case BPF_ALU | BPF_RSH | BPF_X:
    case BPF_ALU | BPF_NEG:
    case BPF_LD | BPF_W | BPF_ABS:
    case BPF_LD | BPF_H | BPF_ABS:
    case BPF_LD | BPF_B | BPF_ABS:
    case BPF_LD | BPF_W | BPF_LEN:
    case BPF_LD | BPF_W | BPF_IND:
    case BPF_LD | BPF_H | BPF_IND:
    case BPF_LD | BPF_B | BPF_IND:
    case BPF_LD | BPF_IMM:
    case BPF_LD | BPF_MEM:
    case BPF_LDX | BPF_W | BPF_LEN:
    case BPF_LDX | BPF_B | BPF_MSH:
    case BPF_LDX | BPF_IMM:
    case BPF_LDX | BPF_MEM:
    case BPF_ST:
    case BPF_STX:
    case BPF_MISC | BPF_TAX:
    case BPF_MISC | BPF_TXA:
    case BPF_RET | BPF_K:
    case BPF_RET | BPF_A:
    case BPF_JMP | BPF_JA:
    case BPF_JMP | BPF_JEQ | BPF_K:
    case BPF_JMP | BPF_JEQ | BPF_X:
    case BPF_JMP | BPF_JGE | BPF_K:
    case BPF_JMP | BPF_JGE | BPF_X:
    case BPF_JMP | BPF_JGT | BPF_K:
    case BPF_JMP | BPF_JGT | BPF_X:
    case BPF_JMP | BPF_JSET | BPF_K:
    case BPF_JMP | BPF_JSET | BPF_X:
        return true;
    default:
        return false;
    }
}

std::string sock_fprog_bytes(const std::vector<bpf_insn>& insns) {
    std::string out;
    for (const bpf_insn& in : insns) {
        const uint8_t b[8] = {static_cast<uint8_t>(in.code),
                              static_cast<uint8_t>(in.code >> 8),
                              in.jt,
                              in.jf,
                              static_cast<uint8_t>(in.k),
                              static_cast<uint8_t>(in.k >> 8),
                              static_cast<uint8_t>(in.k >> 16),
                              static_cast<uint8_t>(in.k >> 24)};
        out.append(reinterpret_cast<const char*>(b), 8);
    }
    return out;
}

int sk_attach_filter(Host& host, Sock* sk, const std::string& prog_bytes) {
    TRACE_FUNC_NAMED(scope, host.sim(), sk_attach_filter, nullptr,
                     static_cast<int64_t>(prog_bytes.size() / 8));
    constexpr size_t BPF_MAXINSNS = 4096;
    const size_t n = prog_bytes.size() / sizeof(bpf_insn);
    host.sim().charge_bytes(prog_bytes.size()); // copy_from_user of the sock_filter array
    if (sk->sk_family != AF_PACKET) {
        // SIMPLIFICATION: only packet sockets run a filter here (UDP/TCP receive do not call sk_filter).
        scope.ret(-ENOPROTOOPT);
        return -ENOPROTOOPT;
    }
    if (n == 0 || n > BPF_MAXINSNS || prog_bytes.size() % sizeof(bpf_insn) != 0) {
        scope.ret(-EINVAL);
        return -EINVAL;
    }
    auto fp = std::make_shared<SkFilter>();
    fp->insns.resize(n);
    for (size_t i = 0; i < n; ++i) { // struct sock_filter { __u16 code; __u8 jt, jf; __u32 k; }, x86-64 order
        const auto* b = reinterpret_cast<const uint8_t*>(prog_bytes.data()) + i * 8;
        bpf_insn& in = fp->insns[i];
        in.code = static_cast<u_short>(b[0] | (b[1] << 8));
        in.jt = b[2];
        in.jf = b[3];
        in.k =
            static_cast<bpf_u_int32>(b[4] | (b[5] << 8) | (b[6] << 16) | (static_cast<uint32_t>(b[7]) << 24));
    }
    // bpf_check_classic: known opcodes, jumps inside the program, ends in a return.
    const bool known = std::all_of(fp->insns.begin(), fp->insns.end(),
                                   [](const bpf_insn& in) { return chk_code_allowed(in.code); });
    if (!known || !bpf_validate(fp->insns.data(), static_cast<int>(n))) {
        host.note(sk->label + ": SO_ATTACH_FILTER: the BPF program does not pass bpf_check_classic",
                  Layer::Socket);
        scope.ret(-EINVAL);
        return -EINVAL;
    }
    pkt_sk(sk)->sk_filter = std::move(fp);
    host.note(sk->label + ": filter of " + std::to_string(n) + " BPF instructions attached", Layer::Socket);
    scope.ret(0);
    return 0;
}

// ---- receive: the hook ----

// run_filter: the filter's verdict over the frame from skb->data; res when there is no filter.
static unsigned run_filter(Host& host, SkBuff* skb, PacketSock* po, unsigned res) {
    TRACE_FUNC_NAMED(scope, host.sim(), run_filter, skb, res);
    if (po->sk_filter) {
        std::vector<uint8_t> pkt = skb->to_bytes(); // skb_header_pointer reads frags as well
        res = bpf_filter(po->sk_filter->insns.data(), pkt.data(), static_cast<u_int>(pkt.size()),
                         static_cast<u_int>(pkt.size()));
        host.sim().charge(static_cast<TimeNs>(po->sk_filter->insns.size()) * 2); // ~2 ns an instruction
    }
    scope.ret(res);
    return res;
}

int packet_rcv(Host& host, SkBuff* skb, NetDevice* dev, PacketType* pt, NetDevice* orig_dev) {
    TRACE_FUNC_NAMED(scope, host.sim(), packet_rcv, skb, static_cast<int64_t>(skb->pkt_type));
    auto* po = pkt_sk(pt->af_packet_priv);
    const uint32_t skb_head = skb->data;
    bool drop_n_acct = false;
    skb->dev = dev;
    // The device has a link-layer header: SOCK_RAW sees it (received frames have it pulled by
    // eth_type_trans), SOCK_DGRAM does not (outgoing frames still carry it).
    if (po->sk_type != SOCK_DGRAM) {
        if (skb->mac_header != kHdrUnset && skb->data > skb->mac_header)
            skb_push(skb, skb->data - skb->mac_header);
    } else if (skb->pkt_type == PktType::Outgoing && skb->network_header != kHdrUnset &&
               skb->network_header > skb->data) {
        skb_pull(skb, skb->network_header - skb->data);
    }
    unsigned snaplen = skb->len;
    unsigned res = run_filter(host, skb, po, snaplen);
    if (res) {
        if (snaplen > res) snaplen = res;
        if (po->sk_rmem_alloc >= po->sk_rcvbuf) {
            host.note(po->label + ": receive buffer full (" + std::to_string(po->sk_rmem_alloc) +
                          " >= " + std::to_string(po->sk_rcvbuf) + ")",
                      Layer::Socket, skb);
            drop_n_acct = true;
        } else {
            if (skb->users > 1) { // skb_shared: the stack still holds it; queue our own clone
                SkBuff* nskb = skb_clone(skb);
                if (skb_head != skb->data) { // restore the shared skb for the next handler
                    if (skb->data < skb_head)
                        skb_pull(skb, skb_head - skb->data);
                    else
                        skb_push(skb, skb->data - skb_head);
                }
                consume_skb(skb);
                skb = nskb;
            }
            PacketSkbCb& cb = packet_skb_cb(skb);
            cb = PacketSkbCb{};
            cb.origlen = skb->len;
            cb.ifindex = dev ? dev->ifindex : 0;
            cb.protocol = skb->protocol;
            cb.pkttype = static_cast<uint8_t>(skb->pkt_type);
            cb.tstamp = host.sim().now();                   // net_timestamp: when the tap saw the frame
            if (snaplen < skb->len) skb_trim(skb, snaplen); // pskb_trim to the filter's snap length
            skb->dev = nullptr;
            skb->dst.reset(); // skb_dst_drop
            ++po->tp_packets;
            sk_receive_queue_tail(host, po, skb); // skb_set_owner_r + __skb_queue_tail
            if (po->sk_data_ready) po->sk_data_ready(host, po);
            scope.ret(0);
            return 0;
        }
    }
    // drop_n_restore: give a shared skb back as it came.
    if (skb_head != skb->data && skb->users > 1) {
        if (skb->data < skb_head)
            skb_pull(skb, skb_head - skb->data);
        else
            skb_push(skb, skb->data - skb_head);
    }
    if (drop_n_acct) {
        ++po->tp_drops;
        kfree_skb_reason(skb, DropReason::PacketSockError);
    } else {
        consume_skb(skb); // the filter did not match: not a drop
    }
    scope.ret(0);
    return 0;
}

// ---- recvmsg and release ----

void packet_recvmsg(Host& host, Task& task, Socket* sock, std::shared_ptr<SysCall> sc, SysRet ret) {
    task.frames.open(Fn::packet_recvmsg, nullptr, static_cast<int64_t>(sc->len), sc->flags);
    Sock* sk = sock->sk.get();
    // skb_recv_datagram
    __skb_recv_datagram(host, task, sk, sc->flags, [&host, &task, sc, ret](SkBuff* skb, int err) {
        if (!skb) {
            task.frames.close(Fn::packet_recvmsg, err);
            ret(err);
            return;
        }
        uint32_t copied = skb->len;
        if (copied > sc->len) copied = static_cast<uint32_t>(sc->len); // msg_flags |= MSG_TRUNC
        sc->ubuf.clear();
        skb_copy_datagram_iter(host, skb, 0, sc->ubuf, copied); // skb_copy_datagram_msg
        const PacketSkbCb& cb = packet_skb_cb(skb);
        SockAddrLl ll;
        ll.protocol = cb.protocol;
        ll.ifindex = cb.ifindex;
        ll.pkttype = cb.pkttype;
        sc->ll = ll;
        sc->aux = TpacketAuxdata{cb.origlen, skb->len, cb.tstamp}; // sock_recv_cmsgs, PACKET_AUXDATA
        int64_t r = (sc->flags & MSG_TRUNC) ? skb->len : copied;
        {
            TRACE_FUNC(host.sim(), skb_free_datagram, skb);
            consume_skb(skb);
        }
        task.frames.close(Fn::packet_recvmsg, r);
        ret(r);
    });
}

int packet_release(Host& host, Socket* sock) {
    TRACE_FUNC(host.sim(), packet_release);
    auto* po = pkt_sk(sock->sk.get());
    if (!po) return 0;
    if (po->running) __unregister_prot_hook(host, po);
    po->dead = true; // sock_orphan
    while (SkBuff* skb = sk_receive_queue_dequeue(host, po))
        kfree_skb(skb); // skb_queue_purge
    host.note(po->label + ": " + std::to_string(po->tp_packets) + " packets received by filter, " +
                  std::to_string(po->tp_drops) + " packets dropped by kernel",
              Layer::Socket);
    return 0;
}

} // namespace skbscope
