// Topology: the scenario's network as the trace recorded it: hosts, their interfaces (name, MAC,
// IPv4 address from the lab's "ip addr show" Notes), the links between interfaces (Link contexts
// named "A:eth0<->R:eth0"), and the frames on the wire at a moment (Wire events sent at or before
// t whose arrival a2 is after t, with their fate a3). No widget: topologyview.h draws it.
// SIMPLIFICATION: traces recorded before the lab wrote its "ip addr show" Notes still load; their
// interfaces come from the NIC contexts ("eth0 NIC") and link names, without MAC or address.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ui/tracedocument.h"

namespace skbscope::ui {

struct TopoInterface {
    HostId host = 0;
    std::string name;    // "eth0"
    std::string mac;     // "02:00:00:00:01:64", empty when the trace does not say
    std::string address; // "192.168.1.100/24", empty when none or not recorded
};

struct TopoHost {
    HostId id = 0;
    std::string name;
    std::vector<int> interfaces; // indexes into Topology::interfaces(), in order of appearance
};

struct TopoLink {
    std::string name;
    ContextId ctx = 0;
    int ends[2] = {-1, -1}; // interface at port 0 ("a", left of "<->") and port 1 ("b")
    bool veth = false;      // a veth pair between namespaces (the lab's "ip link add ... type veth" Note)
};

// One frame between its send and its arrival. fraction: how far it has come, 0 at the sending
// port, towards 1 at the receiving one.
struct FrameInFlight {
    uint32_t event = 0; // the Wire event
    int link = -1;
    int fromPort = 0; // the Wire event's port (a1): 0 travels a -> b, 1 travels b -> a
    double fraction = 0;
    WireFate fate = WireFate::Delivered;
    uint32_t flow = 0;
    int64_t length = 0;
};

class Topology final {
  public:
    // Reads hosts, interfaces and links (O(contexts + Notes)) and indexes the Wire events by send
    // time (O(events)): call off the paint path, once per document.
    void setDocument(TraceDocumentPtr doc);
    const TraceDocumentPtr& document() const { return m_doc; }

    const std::vector<TopoHost>& hosts() const { return m_hosts; }
    const std::vector<TopoInterface>& interfaces() const { return m_interfaces; }
    const std::vector<TopoLink>& links() const { return m_links; }
    // Index of a host by id in hosts(), of an interface by host and name, of a link by context; -1.
    int hostIndex(HostId id) const;
    int interfaceIndex(HostId host, std::string_view name) const;
    int linkOfContext(ContextId ctx) const;

    // Frames on the wire at time t: send time <= t < arrival, in send order. A binary search over
    // the send times bounded by the longest time any frame spent on the wire: O(log n + frames).
    std::vector<FrameInFlight> framesInFlight(TimeNs t) const;

    // The host (hosts() index) and link (-1 when none) an event happened in: a Wire event or an event
    // of a link context belongs to its link.
    int hostOfEvent(uint32_t i) const;
    int linkOfEvent(uint32_t i) const;

    // Parses "A:eth0<->R:eth0" (spaces around "<->" allowed) into its two "host:dev" halves.
    static bool parseLinkName(std::string_view name, std::string_view* a, std::string_view* b);
    // Parses a Note "ip link add eth0 type veth peer name eth1 netns R": the end on this host (dev)
    // and its peer ("R:eth1").
    static bool parseVethNote(std::string_view text, std::string* dev, std::string* peer);
    // Parses a Note "ip addr show eth0: link/ether 02:..:64 inet 192.168.1.100/24" (inet optional).
    static bool parseAddrNote(std::string_view text, std::string* dev, std::string* mac,
                              std::string* address);

  private:
    int addInterface(HostId host, std::string_view name);

    TraceDocumentPtr m_doc;
    std::vector<TopoHost> m_hosts;
    std::vector<TopoInterface> m_interfaces;
    std::vector<TopoLink> m_links;
    std::vector<uint32_t> m_wires; // Wire events in send order (events are recorded in time order)
    TimeNs m_longestFlight = 0;
};

} // namespace skbscope::ui
