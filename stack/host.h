// One simulated Linux kernel: its devices, addresses, routes, neighbour table, qdiscs, sockets,
// tasks and its softirq and hardirq contexts. Host implements NetdevKernel, the services a driver
// calls (NAPI, receive, eth_type_trans, queue stop/wake). The lab builds a Host with this API:
//   Host h(sim, "A"); h.register_netdev(&eth0); h.add_address("eth0", 192.168.1.100, 24);
//   h.add_route(0.0.0.0, 0, 192.168.1.1, "eth0"); irq_line.connect(h.irq_handler_for(&eth0));
//   h.open_devices(); Task* t = h.spawn_task("ping", 100); libc_socket(*t, ...)   (syscall/libc.h)
// The kernel functions themselves live in files named after Linux's and take Host& as their
// `struct net` / per-CPU data.
#pragma once
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/netdev/netdevice.h"
#include "core/time/sim.h"
#include "core/util/result.h"
#include "core/wire/addr.h"
#include "stack/core/dev.h"
#include "stack/core/neighbour.h"
#include "stack/ipv4/fib.h"
#include "stack/ipv4/ip.h"
#include "stack/ipv4/ip_fragment.h"
#include "stack/kernel/task.h"
#include "stack/netfilter/netfilter.h"

namespace skbscope {

struct Sock;
struct TcpSock;
struct RequestSock;
struct PacketType;

// struct in_ifaddr
struct InIfaddr {
    NetDevice* dev = nullptr;
    wire::Ipv4Addr local;
    int prefix_len = 0;
    wire::Ipv4Addr broadcast() const {
        return wire::Ipv4Addr{local.masked(prefix_len).value | ~wire::Ipv4Addr::mask_from_prefix(prefix_len).value};
    }
};

class Host : public NetdevKernel {
public:
    Host(Sim& sim, std::string name);
    ~Host() override;
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    // ---- NetdevKernel: what drivers call ----
    Sim& sim() override { return m_sim; }
    void request_irq(NetDevice* dev, std::function<void()> handler) override;
    void napi_schedule(NapiStruct* napi) override;
    bool napi_complete_done(NapiStruct* napi, int work_done) override;
    void napi_gro_receive(NapiStruct* napi, SkBuff* skb) override;
    uint16_t eth_type_trans(SkBuff* skb, NetDevice* dev) override;
    void netif_stop_queue(NetDevice* dev) override;
    void netif_wake_queue(NetDevice* dev) override;
    void dev_kfree_skb_any(SkBuff* skb) override;
    int dev_forward_skb(NetDevice* dev, SkBuff* skb) override;
    int netif_rx(SkBuff* skb) override;

    // ---- set-up, called by the lab ----
    // Sets dev->kernel, ifindex (lo, registered by the constructor, is 1; then 2, 3, ...), label
    // "<host>:<dev>", and attaches a pfifo_fast qdisc (none for lo: noqueue).
    void register_netdev(NetDevice* dev);
    // Adds the address, its local and broadcast routes (local table) and the connected route.
    Result<void> add_address(const std::string& dev, wire::Ipv4Addr addr, int prefix_len);
    // dst/prefix_len 0.0.0.0/0 is the default route; gw must be on-link through dev.
    Result<void> add_route(wire::Ipv4Addr dst, int prefix_len, std::optional<wire::Ipv4Addr> gw,
                           const std::string& dev);
    void set_ip_forward(bool on) { ip_forward_enabled = on; }
    // Appends a netfilter rule (iptables -A): rules are tried in order at their hook.
    void add_nf_rule(const NfRule& rule) { nf_rules.push_back(rule); }
    // dev_open on each registered device (ndo_open), in the current context (lo is up already).
    void open_devices();
    // A new task (its own ContextKind::Task context "comm (pid N)").
    Task* spawn_task(std::string comm, int pid);
    // What an IrqLine should call when its device asserts it (IrqLine::connect): schedules the
    // handler the driver registered with request_irq to run now in this host's hardirq context.
    std::function<void()> irq_handler_for(NetDevice* dev);

    // ---- identity and lookups ----
    const std::string& name() const { return m_name; }
    HostId host_id() const { return m_host; }
    ContextId softirq_ctx() const { return m_softirq_ctx; }
    ContextId hardirq_ctx() const { return m_hardirq_ctx; }
    NetDevice* dev_get_by_name(const std::string& name) const;
    NetDevice* dev_get_by_index(int ifindex) const;
    const std::vector<NetDevice*>& devices() const { return m_devs; }
    // lo (ifindex 1, 127.0.0.1/8): net->loopback_dev.
    NetDevice* loopback_dev() const { return m_lo.get(); }
    // True when addr is one of our addresses (inet_addr_type == RTN_LOCAL).
    bool is_local_addr(wire::Ipv4Addr addr) const;
    Qdisc* qdisc(const NetDevice* dev);
    // "A: text" as a Note in the current context.
    void note(const std::string& text, Layer layer, const SkBuff* skb = nullptr);

    // ---- kernel state, used by the files that model the kernel (the kernel's globals) ----
    std::vector<InIfaddr> ifaddrs;
    Fib fib;
    NeighTable arp_tbl;
    bool ip_forward_enabled = false;                 // net.ipv4.ip_forward
    std::vector<NfRule> nf_rules;                    // netfilter rules, in order (first match wins)
    // ICMP rate limiting (net/ipv4/icmp.c, net/ipv4/inetpeer.c), in virtual time.
    int sysctl_icmp_msgs_per_sec = 1000;             // net.ipv4.icmp_msgs_per_sec
    int sysctl_icmp_msgs_burst = 50;                 // net.ipv4.icmp_msgs_burst
    TimeNs sysctl_icmp_ratelimit = kNsPerSec;        // net.ipv4.icmp_ratelimit (1000 ms)
    uint32_t sysctl_icmp_ratemask = 0x1818;          // net.ipv4.icmp_ratemask (types 3, 4, 11, 12)
    int icmp_global_credit = 0;                      // net->ipv4.icmp_global_credit
    TimeNs icmp_global_stamp = 0;                    // net->ipv4.icmp_global_stamp
    bool icmp_global_stamped = false;                // false: the stamp is long past (jiffies at boot)
    struct InetPeer {
        TimeNs rate_tokens = 0, rate_last = 0;
    };
    std::map<uint32_t, InetPeer> inet_peers;         // inet_getpeer_v4, by destination address
    IpFragState ipfrag;                              // IPv4 reassembly queues (net->ipv4.fqdir)
    std::array<uint32_t, 2048> ip_idents{};           // ip_idents: IP ID counters by hashed destination
    std::map<uint16_t, int (*)(Host&, SkBuff*)> ptype_base; // EtherType -> handler (dev_add_pack)
    // Packet taps (dev_add_pack of ETH_P_ALL, stack/socket/af_packet.h): net's ptype_all and each
    // device's dev->ptype_all, newest first as list_add_rcu puts them.
    std::vector<PacketType*> ptype_all;
    std::map<const NetDevice*, std::vector<PacketType*>> dev_ptype_all;
    std::map<uint8_t, InetProtoHandler> inet_protos;   // IP protocol -> handler (inet_add_protocol)
    std::multimap<uint16_t, Sock*> udp_table;          // port -> sockets
    std::map<uint16_t, Sock*> ping_table;              // identifier -> socket
    uint16_t ping_port_rover = 0;
    // TCP (inet_hashinfo): ehash holds connected socks (SYN_SENT .. TIME_WAIT) and request socks
    // (TCP_NEW_SYN_RECV); bhash the bound ports; lhash the listeners by port.
    std::vector<TcpSock*> tcp_ehash;
    std::vector<RequestSock*> tcp_reqsk_ehash;
    std::multimap<uint16_t, Sock*> tcp_bhash;
    std::multimap<uint16_t, TcpSock*> tcp_lhash;
    std::vector<std::unique_ptr<TcpSock>> tcp_socks; // every TcpSock, owned here (freed with the host)
    int tcp_sock_count = 0;                          // for labels of children ("B:tcp 2")
    // softnet_data: this host's own CPU, or the CPU the network namespaces share (netns).
    SoftnetData& sd() { return *m_sd; }
    const SoftnetData& sd() const { return *m_sd; }
    // Makes this host a network namespace on a CPU it shares with others (the lab's netns mode):
    // its devices' packets and softirqs go to that CPU's softnet_data. Before any traffic.
    void share_cpu(std::shared_ptr<SoftnetData> sd) { m_sd = std::move(sd); }
    // The backlog NAPI poll of a softnet_data (net_dev_init): process_backlog.
    static void init_backlog(SoftnetData& sd, Host& owner);
    int netdev_max_backlog = 1000;                     // net.core.netdev_max_backlog
    int netdev_budget = 300;                           // net.core.netdev_budget
    int netdev_budget_usecs = 2000;                    // net.core.netdev_budget_usecs (virtual time)
    int dev_tx_weight = 64;                            // net.core.dev_weight * dev_weight_tx_bias

private:
    Sim& m_sim;
    std::string m_name;
    HostId m_host;
    ContextId m_softirq_ctx, m_hardirq_ctx;
    std::shared_ptr<SoftnetData> m_sd;
    std::vector<NetDevice*> m_devs;
    std::unique_ptr<NetDevice> m_lo;
    std::map<const NetDevice*, std::unique_ptr<Qdisc>> m_qdiscs;
    std::map<const NetDevice*, std::function<void()>> m_irq_handlers;
    std::vector<std::unique_ptr<Task>> m_tasks;
};

} // namespace skbscope
