// Wires a scenario into a running lab: for each host a stack Host, per interface an emulated
// E1000Device with its E1000Adapter driver (joined only by MMIO, DMA memory and an IRQ line),
// links between the devices' ports, then the programs. The only file that knows all of them.
#include "app/lab/lab.h"

#include <map>
#include <set>

#include "app/lab/console.h"
#include "app/lab/programs.h"
#include "app/lab/scenario.h"
#include "core/hw/dma.h"
#include "core/hw/mmio.h"
#include "nic/device/e1000_device.h"
#include "nic/driver/e1000.h"
#include "nic/link/link.h"
#include "nic/veth/veth.h"
#include "stack/host.h"

namespace skbscope::lab {

struct Nic {
    std::unique_ptr<IrqLine> irq;
    std::unique_ptr<E1000Device> device;
    std::unique_ptr<E1000Adapter> driver;
};

struct Machine {
    std::unique_ptr<Host> host;
    std::unique_ptr<DmaMemory> memory; // the host's memory as its NICs see it over the bus
    std::map<std::string, Nic> nics;
    std::map<std::string, std::unique_ptr<VethDevice>> veths; // interfaces on veth links
    ContextId init_ctx = 0;
};

class World {
public:
    explicit World(const Scenario& s) : sim(s.seed) { sim.trace().scenario = s.name; }
    ~World() {
        // Programs and links refer to hosts and devices: tear down in reverse order of building.
        programs.clear();
        links.clear();
        for (auto& [name, m] : machines) {
            m.nics.clear();
            m.veths.clear();
        }
    }
    Sim sim;
    std::map<std::string, Machine> machines;
    std::vector<std::unique_ptr<Link>> links;
    std::vector<std::unique_ptr<Program>> programs;
    std::vector<std::string> program_hosts; // programs[i] runs on program_hosts[i]
    std::map<std::string, Program*> consoles; // interactive mode: one console program per host
};

namespace {

LinkImpairments impairments(const LinkDirSpec& d) { return {d.loss, d.duplicate, d.reorder, d.reorder_delay, d.corrupt}; }

LinkParams link_params(const LinkSpec& ls) {
    LinkParams p{ls.speed_bps, ls.delay, impairments(ls.a_to_b), impairments(ls.b_to_a), {}};
    for (const LinkDropSpec& d : ls.drops)
        p.drops.push_back({d.a_to_b ? 0 : 1, frame_match_from_name(d.match).value_or(FrameMatch::Any), d.nth});
    return p;
}

Result<void> build(World& w, const Scenario& s) {
    Sim& sim = w.sim;
    std::set<std::string> veth_ends; // "HOST:DEV" of every interface on a veth link
    for (const LinkSpec& ls : s.links)
        if (ls.type == LinkType::Veth) {
            veth_ends.insert(ls.a_host + ":" + ls.a_dev);
            veth_ends.insert(ls.b_host + ":" + ls.b_dev);
        }
    // netns: the hosts are namespaces of one kernel on one CPU, sharing one softnet_data.
    std::shared_ptr<SoftnetData> cpu;
    for (const HostSpec& hs : s.hosts) {
        Machine& m = w.machines[hs.name];
        m.host = std::make_unique<Host>(sim, hs.name);
        if (s.netns) {
            if (!cpu) {
                cpu = std::make_shared<SoftnetData>();
                cpu->label = "cpu0:softnet_data";
                cpu->shared = true;
                Host::init_backlog(*cpu, *m.host);
            }
            m.host->share_cpu(cpu);
            sim.set_host_cpu(m.host->host_id(), 0);
        }
        m.memory = std::make_unique<DmaMemory>();
        HostId hid = m.host->host_id();
        m.init_ctx = sim.add_context(hid, ContextKind::Task, "ip link set up (pid 1)");
        for (const InterfaceSpec& is : hs.interfaces) {
            if (veth_ends.count(hs.name + ":" + is.name)) { // ip link add ... type veth peer ...
                auto v = std::make_unique<VethDevice>(sim);
                v->name = is.name;
                v->dev_addr = is.mac;
                v->mtu = is.mtu;
                v->tx_queue_len = is.txqueuelen;
                v->priv_flags |= IFF_NO_QUEUE; // veth_setup: noqueue
                // SIMPLIFICATION: no NETIF_F_HW_CSUM on veth (Linux has it): our receive path
                // verifies every checksum, so the sender computes it.
                if (is.sg) v->features |= NETIF_F_SG;
                m.host->register_netdev(v.get());
                m.veths[is.name] = std::move(v);
                continue;
            }
            Nic& nic = m.nics[is.name];
            std::string label = hs.name + ":" + is.name;
            nic.irq = std::make_unique<IrqLine>();
            ContextId nic_ctx = sim.add_context(hid, ContextKind::Nic, is.name + " NIC");
            nic.device = std::make_unique<E1000Device>(sim, nic_ctx, *m.memory, *nic.irq, label, is.mac);
            nic.driver = std::make_unique<E1000Adapter>(sim, *nic.device, *m.memory, *nic.irq);
            E1000Adapter& d = *nic.driver;
            d.name = is.name;
            d.dev_addr = is.mac;
            d.mtu = is.mtu;
            d.tx_ring_count = static_cast<int>(is.tx_ring);
            d.rx_ring_count = static_cast<int>(is.rx_ring);
            d.itr = is.itr; // register units (scenario.h)
            d.rx_int_delay = is.rdtr;
            d.rx_abs_int_delay = is.radv;
            d.tx_int_delay = is.tidv;
            d.tx_abs_int_delay = is.tadv;
            d.copybreak = is.copybreak;
            d.tx_queue_len = is.txqueuelen; // ip link set DEV txqueuelen N
            d.checksum_offload = is.checksum_offload;
            d.scatter_gather = is.sg;
            m.host->register_netdev(&d);
            nic.irq->connect(m.host->irq_handler_for(&d));
        }
        for (const InterfaceSpec& is : hs.interfaces)
            if (is.address) {
                auto r = m.host->add_address(is.name, *is.address, is.prefix_len);
                if (!r) return Error{s.file + ": hosts." + hs.name + ".interfaces." + is.name + ": " + r.error().message};
            }
        m.host->set_ip_forward(hs.ip_forward);
        for (const NetfilterRuleSpec& ns : hs.netfilter) {
            NfRule rule;
            rule.hook = ns.hook;
            rule.proto = ns.proto;
            rule.src = ns.src;
            rule.dst = ns.dst;
            rule.src_prefix = ns.src_prefix;
            rule.dst_prefix = ns.dst_prefix;
            rule.sport = ns.sport;
            rule.dport = ns.dport;
            rule.drop = ns.drop;
            m.host->add_nf_rule(rule);
        }
    }
    for (const LinkSpec& ls : s.links) {
        std::string name = ls.a_host + ":" + ls.a_dev + "<->" + ls.b_host + ":" + ls.b_dev;
        ContextId ctx = sim.add_context(w.machines[ls.a_host].host->host_id(), ContextKind::Link, name);
        if (ls.type == LinkType::Veth) {
            VethDevice::pair(*w.machines[ls.a_host].veths[ls.a_dev], *w.machines[ls.b_host].veths[ls.b_dev], ctx, name);
            continue;
        }
        Nic& a = w.machines[ls.a_host].nics[ls.a_dev];
        Nic& b = w.machines[ls.b_host].nics[ls.b_dev];
        w.links.push_back(std::make_unique<Link>(sim, ctx, name, a.device->port(), b.device->port(),
                                                 link_params(ls)));
    }
    // Bring the interfaces up (ip link set up), then the routes (ip route add), as a boot script would.
    for (const HostSpec& hs : s.hosts) {
        Machine& m = w.machines[hs.name];
        Result<void> err;
        sim.in_context(m.init_ctx, [&] {
            // The veth pairs this namespace creates (the a end's), as the command that made them:
            // the GUI's topology panel (ui/topology.cpp) marks those links as veth pairs.
            for (const LinkSpec& ls : s.links)
                if (ls.type == LinkType::Veth && ls.a_host == hs.name)
                    sim.rec().note("ip link add " + ls.a_dev + " type veth peer name " + ls.b_dev + " netns " + ls.b_host,
                                   Layer::Lab);
            m.host->open_devices();
            // The interface table as `ip addr show` prints it, one Note per interface: the GUI's
            // topology panel (ui/topology.cpp) reads each interface's MAC and address from these.
            for (const InterfaceSpec& is : hs.interfaces)
                sim.rec().note("ip addr show " + is.name + ": link/ether " + is.mac.to_string() +
                                   (is.address ? " inet " + is.address->to_string() + "/" + std::to_string(is.prefix_len) : ""),
                               Layer::Lab);
            for (const RouteSpec& rs : hs.routes) {
                auto r = m.host->add_route(rs.dst, rs.prefix_len, rs.via, rs.dev);
                if (!r && err.ok()) err = Error{s.file + ": hosts." + hs.name + ".routes: " + r.error().message};
            }
        });
        if (!err) return err;
    }
    for (const HostSpec& hs : s.hosts)
        for (const ProgramSpec& ps : hs.programs) {
            w.programs.push_back(make_program(*w.machines[hs.name].host, ps));
            w.program_hosts.push_back(hs.name);
            w.programs.back()->start();
        }
    return {};
}

Result<std::unique_ptr<Lab>> finish_load(Result<Scenario> sc, const LabOptions& opts,
                                         std::unique_ptr<Lab> lab, std::unique_ptr<Scenario>& slot,
                                         std::unique_ptr<World>& world) {
    if (!sc) return sc.error();
    for (const std::string& set : opts.sets) {
        auto r = apply_override(*sc, set);
        if (!r) return r.error();
    }
    slot = std::make_unique<Scenario>(std::move(*sc));
    world = std::make_unique<World>(*slot);
    world->sim.rec().set_enabled(opts.tracing);
    auto r = build(*world, *slot);
    if (!r) return r.error();
    return lab;
}

} // namespace

Lab::Lab() = default;
Lab::~Lab() = default;

Result<std::unique_ptr<Lab>> Lab::load(const std::string& path, const LabOptions& opts) {
    std::unique_ptr<Lab> lab(new Lab());
    Lab* raw = lab.get();
    return finish_load(load_scenario_file(path), opts, std::move(lab), raw->m_scenario, raw->m_world);
}

Result<std::unique_ptr<Lab>> Lab::load_text(const std::string& text, const std::string& name, const LabOptions& opts) {
    std::unique_ptr<Lab> lab(new Lab());
    Lab* raw = lab.get();
    return finish_load(parse_scenario(text, name), opts, std::move(lab), raw->m_scenario, raw->m_world);
}

uint64_t Lab::run() {
    m_world->sim.run_until(m_scenario->duration);
    return m_world->sim.trace().events.size();
}

Result<std::vector<std::string>> Lab::console(const std::string& line) {
    auto cmd = parse_console_command(line);
    if (!cmd) return cmd.error();
    World& w = *m_world;
    auto machine = w.machines.find(cmd->host);
    if (machine == w.machines.end()) {
        std::string hosts;
        for (const auto& [name, m] : w.machines) hosts += (hosts.empty() ? "" : ", ") + name;
        return Error{"no host '" + cmd->host + "' (hosts: " + hosts + ")"};
    }
    Program*& console = w.consoles[cmd->host];
    if (!console) {
        // The host's first scripted program lends its task, so "A: send 3 ..." finds its fd 3.
        Program* owner = nullptr;
        for (size_t i = 0; i < w.programs.size() && !owner; ++i)
            if (w.program_hosts[i] == cmd->host && w.programs[i]->task()) owner = w.programs[i].get();
        if (owner && !owner->finished())
            return Error{cmd->host + "'s program is still inside a call (blocked); the console shares its "
                         "task, so wait until it returns"};
        w.programs.push_back(make_console_program(*machine->second.host, "console", owner ? owner->task() : nullptr));
        w.program_hosts.push_back(cmd->host);
        console = w.programs.back().get();
    } else if (!console->finished()) {
        return Error{"the console's previous call on " + cmd->host + " has not returned yet (it is blocked)"};
    }
    const size_t before = console->output().size();
    console->append_step(cmd->step);
    w.sim.run_until(w.sim.now() + kConsoleHorizon);
    const auto& out = console->output();
    std::vector<std::string> lines(out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
    if (!console->finished()) lines.push_back("console: the call is blocked; it returns when the stack wakes it");
    return lines;
}

const Trace& Lab::trace() const { return m_world->sim.trace(); }
Sim& Lab::sim() { return m_world->sim; }
const Scenario& Lab::scenario() const { return *m_scenario; }

std::vector<std::string> Lab::program_output() const {
    std::vector<std::string> out;
    for (const auto& p : m_world->programs)
        for (const auto& line : p->output()) out.push_back(line);
    return out;
}

} // namespace skbscope::lab
