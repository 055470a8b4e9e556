// Host: one simulated kernel's state and its NetdevKernel services (the driver-facing half of
// net/core/dev.c: napi_schedule, napi_complete_done, napi_gro_receive, netif_{stop,wake}_queue).
// SIMPLIFICATION: one CPU per host (one softnet_data, one softirq and one hardirq context).
// LINUX: lo is registered first in every network namespace, so it has ifindex 1 and 127.0.0.1/8.
#include "stack/host.h"

#include "core/skb/skbuff.h"
#include "stack/ipv4/arp.h"
#include "stack/ipv4/icmp.h"
#include "stack/ipv4/tcp.h"
#include "stack/ipv4/udp.h"
#include "stack/socket/sock.h"

namespace skbscope {

Host::Host(Sim& sim, std::string name) : m_sim(sim), m_name(std::move(name)) {
    m_host = sim.add_host(m_name);
    m_softirq_ctx = sim.add_context(m_host, ContextKind::Softirq, "softirq");
    m_hardirq_ctx = sim.add_context(m_host, ContextKind::Hardirq, "hardirq");
    // inet_init / arp_init: the protocols register themselves with the device layer and IPv4.
    ptype_base[0x0800] = ip_rcv;  // ip_packet_type
    ptype_base[0x0806] = arp_rcv; // arp_packet_type
    inet_protos[1] = icmp_rcv;    // icmp_protocol
    inet_protos[17] = udp_rcv;    // udp_protocol
    inet_protos[6] = tcp_v4_rcv;  // tcp_protocol
    m_sd = std::make_shared<SoftnetData>();
    m_sd->label = m_name + ":softnet_data";
    init_backlog(*m_sd, *this);
    // loopback_net_init: lo with 127.0.0.1/8 (its address and local route come from userspace in
    // Linux; every distribution configures them at boot).
    m_lo = loopback_dev_create();
    register_netdev(m_lo.get());
    (void)add_address("lo", wire::Ipv4Addr{0x7f000001}, 8);
}

Host::~Host() {
    ipfrag_destroy(*this);
    // A shared CPU's backlog may hold other namespaces' packets: the last host to go frees them.
    if (m_sd.use_count() == 1) {
        for (SkBuff* skb : m_sd->input_pkt_queue) kfree_skb(skb);
        m_sd->input_pkt_queue.clear();
    }
    for (auto& [dev, q] : m_qdiscs) qdisc_reset(q.get());
    for (auto& [key, n] : arp_tbl.entries) {
        if (n->timer) m_sim.cancel(n->timer);
        for (SkBuff* skb : n->arp_queue) kfree_skb(skb);
    }
    for (auto& t : m_tasks) {
        for (auto& [fd, sock] : t->fdtable)
            if (sock && sock->sk && !sock->sk->kernel_owned) {
                for (SkBuff* skb : sock->sk->sk_receive_queue) kfree_skb(skb);
                for (SkBuff* skb : sock->sk->sk_error_queue) kfree_skb(skb); // IP_RECVERR errors
            }
        t->fdtable.clear();
    }
    for (auto& tp : tcp_socks) {
        for (auto* q : {&tp->sk_receive_queue, &tp->sk_write_queue, &tp->tcp_rtx_queue, &tp->out_of_order_queue,
                        &tp->sk_error_queue}) {
            for (SkBuff* skb : *q) kfree_skb(skb);
            q->clear();
        }
    }
}

void Host::init_backlog(SoftnetData& sd, Host& owner) {
    // The backlog NAPI of softnet_data (net_dev_init), polled by process_backlog with dev_weight.
    sd.backlog.weight = 64;
    sd.backlog.poll = [&owner](NapiStruct* n, int quota) { return process_backlog(owner, n, quota); };
}

void Host::note(const std::string& text, Layer layer, const SkBuff* skb) {
    m_sim.rec().note(m_name + ": " + text, layer, skb);
}

void Host::register_netdev(NetDevice* dev) {
    dev->kernel = this;
    dev->ifindex = static_cast<int>(m_devs.size()) + 1;
    dev->label = m_name + ":" + dev->name;
    m_devs.push_back(dev);
    if ((dev->flags & IFF_LOOPBACK) || (dev->priv_flags & IFF_NO_QUEUE)) return; // noqueue
    auto q = std::make_unique<Qdisc>();
    q->dev = dev;
    q->label = dev->label;
    m_qdiscs[dev] = std::move(q);
}

NetDevice* Host::dev_get_by_name(const std::string& name) const {
    for (NetDevice* d : m_devs)
        if (d->name == name) return d;
    return nullptr;
}

NetDevice* Host::dev_get_by_index(int ifindex) const {
    for (NetDevice* d : m_devs)
        if (d->ifindex == ifindex) return d;
    return nullptr;
}

Qdisc* Host::qdisc(const NetDevice* dev) {
    auto it = m_qdiscs.find(dev);
    return it == m_qdiscs.end() ? nullptr : it->second.get();
}

bool Host::is_local_addr(wire::Ipv4Addr addr) const {
    for (const auto& a : ifaddrs)
        if (a.local == addr) return true;
    return false;
}

Result<void> Host::add_address(const std::string& devname, wire::Ipv4Addr addr, int prefix_len) {
    NetDevice* dev = dev_get_by_name(devname);
    if (!dev) return make_error(m_name + ": no device " + devname);
    if (prefix_len < 0 || prefix_len > 32) return make_error(m_name + ": bad prefix length " + std::to_string(prefix_len));
    if (is_local_addr(addr)) return make_error(m_name + ": address " + addr.to_string() + " already assigned (EEXIST)");
    InIfaddr ifa{dev, addr, prefix_len};
    ifaddrs.push_back(ifa);
    // fib_add_ifaddr: local route for the address, broadcast route, and the connected prefix.
    fib.add(FibRoute{addr, 32, std::nullopt, dev, RtnType::Local, addr, true});
    if (dev->flags & IFF_LOOPBACK) {
        // On lo the whole prefix is local (local 127.0.0.0/8 dev lo table local).
        fib.add(FibRoute{addr.masked(prefix_len), prefix_len, std::nullopt, dev, RtnType::Local, addr, true});
        return {};
    }
    if (prefix_len < 31) fib.add(FibRoute{ifa.broadcast(), 32, std::nullopt, dev, RtnType::Broadcast, addr, true});
    auto r = fib.add(FibRoute{addr.masked(prefix_len), prefix_len, std::nullopt, dev, RtnType::Unicast, addr, false});
    (void)r; // a second address in a prefix already connected keeps the first route, as Linux does
    return {};
}

Result<void> Host::add_route(wire::Ipv4Addr dst, int prefix_len, std::optional<wire::Ipv4Addr> gw,
                             const std::string& devname) {
    NetDevice* dev = dev_get_by_name(devname);
    if (!dev) return make_error(m_name + ": no device " + devname);
    if (prefix_len < 0 || prefix_len > 32) return make_error(m_name + ": bad prefix length " + std::to_string(prefix_len));
    if (gw) {
        // fib_check_nh: the gateway must be reachable on-link through dev.
        bool onlink = false;
        for (const auto& a : ifaddrs)
            if (a.dev == dev && gw->in_subnet(a.local, a.prefix_len)) onlink = true;
        if (!onlink)
            return make_error(m_name + ": gateway " + gw->to_string() + " is not on-link on " + devname +
                              " (Nexthop has invalid gateway, ENETUNREACH)");
    }
    return fib.add(FibRoute{dst.masked(prefix_len), prefix_len, gw, dev, RtnType::Unicast, wire::Ipv4Addr{}, false});
}

void Host::open_devices() {
    for (NetDevice* d : m_devs)
        if (!(d->flags & IFF_LOOPBACK)) dev_open(*this, d);
}

Task* Host::spawn_task(std::string comm, int pid) {
    ContextId ctx = m_sim.add_context(m_host, ContextKind::Task, comm + " (pid " + std::to_string(pid) + ")");
    m_tasks.push_back(std::make_unique<Task>(*this, m_sim, std::move(comm), pid, ctx));
    return m_tasks.back().get();
}

// ---- interrupts and NAPI ----

void Host::request_irq(NetDevice* dev, std::function<void()> handler) { m_irq_handlers[dev] = std::move(handler); }

std::function<void()> Host::irq_handler_for(NetDevice* dev) {
    return [this, dev] {
        m_sim.at(m_sim.now(), m_hardirq_ctx, [this, dev] {
            auto it = m_irq_handlers.find(dev);
            if (it == m_irq_handlers.end() || !it->second) {
                m_sim.rec().warning(m_name + ": interrupt from " + dev->label + " with no handler (request_irq)",
                                    Layer::Driver);
                return;
            }
            m_sim.rec().irq(dev->label, "irq", IrqOp::Deliver, 0, 0, Layer::Driver);
            auto handler = it->second;
            handler();
        });
    };
}

void Host::napi_schedule(NapiStruct* napi) {
    TRACE_FUNC(m_sim, napi_schedule);
    // napi_schedule_prep: test_and_set NAPI_STATE_SCHED
    if (napi->scheduled) return;
    napi->scheduled = true;
    __napi_schedule(*this, napi);
}

bool Host::napi_complete_done(NapiStruct* napi, int work_done) {
    TRACE_FUNC_NAMED(scope, m_sim, napi_complete_done, nullptr, work_done);
    // Leaves the poll list (net_rx_action took it off; it is not re-added) and clears SCHED.
    napi->scheduled = false;
    scope.ret(1);
    return true;
}

void Host::napi_gro_receive(NapiStruct* napi, SkBuff* skb) {
    TRACE_FUNC(m_sim, napi_gro_receive, skb);
    // SIMPLIFICATION: no GRO merging (GRO_NORMAL): the skb goes straight up.
    netif_receive_skb(*this, skb);
}

uint16_t Host::eth_type_trans(SkBuff* skb, NetDevice* dev) { return skbscope::eth_type_trans(*this, skb, dev); }

void Host::netif_stop_queue(NetDevice* dev) {
    TRACE_FUNC(m_sim, netif_tx_stop_queue);
    dev->queue_stopped = true;
}

void Host::netif_wake_queue(NetDevice* dev) {
    TRACE_FUNC(m_sim, netif_tx_wake_queue);
    // netif_tx_wake_queue: test_and_clear DRV_XOFF, then __netif_schedule(txq->qdisc)
    if (!dev->queue_stopped) return;
    dev->queue_stopped = false;
    if (Qdisc* q = qdisc(dev)) __netif_schedule(*this, q);
}

void Host::dev_kfree_skb_any(SkBuff* skb) {
    TRACE_FUNC(m_sim, dev_kfree_skb_any, skb);
    // SIMPLIFICATION: freed at once, not deferred to net_tx_action's completion queue in hardirq.
    consume_skb(skb);
}

int Host::dev_forward_skb(NetDevice* dev, SkBuff* skb) { return __dev_forward_skb(*this, dev, skb); }

int Host::netif_rx(SkBuff* skb) { return skbscope::netif_rx(*this, skb); }

} // namespace skbscope
