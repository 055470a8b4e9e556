// describe_frame(): the tshark-like one-line summary of a frame (Wireshark's Info column).
#include "core/wire/describe.h"

#include "core/wire/arp.h"
#include "core/wire/ethernet.h"
#include "core/wire/icmp.h"
#include "core/wire/ipv4.h"
#include "core/wire/tcp.h"
#include "core/wire/udp.h"

#include <cstdio>

namespace skbscope::wire {

namespace {

std::string malformed(const std::string& why) {
    return "[Malformed Packet: " + why + "]";
}

std::string hex16(uint16_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04x", v);
    return buf;
}

std::string describe_arp(std::span<const uint8_t> payload, const std::string& n) {
    auto view = ArpView::new_checked(payload);
    if (!view) return "ARP " + n + " " + malformed(view.error().message);
    auto arp = ArpRepr::parse(*view);
    if (!arp) return "ARP " + n + " " + malformed(arp.error().message);
    if (arp->oper == ARPOP_REQUEST) {
        if (arp->spa == arp->tpa)
            return "ARP " + n + " Gratuitous ARP for " + arp->spa.to_string() + " (Request)";
        return "ARP " + n + " Who has " + arp->tpa.to_string() + "? Tell " + arp->spa.to_string();
    }
    return "ARP " + n + " " + arp->spa.to_string() + " is at " + arp->sha.to_string();
}

std::string describe_icmp(const Ipv4View& ip, const std::string& n) {
    auto icmp = IcmpView::new_checked(ip.payload());
    if (!icmp) return "ICMP " + n + " " + malformed(icmp.error().message);
    std::string s = "ICMP " + n + " " + icmp_type_name(icmp->type(), icmp->code());
    if (icmp->type() == IcmpType::Echo || icmp->type() == IcmpType::EchoReply)
        s += " id=" + hex16(icmp->echo_id()) + ", seq=" + std::to_string(icmp->echo_seq()) +
             ", ttl=" + std::to_string(ip.ttl());
    if (!icmp->verify_checksum()) s += " [ICMP checksum incorrect]";
    return s;
}

std::string describe_udp(const Ipv4View& ip, const std::string& n) {
    auto udp = UdpView::new_checked(ip.payload());
    if (!udp) return "UDP " + n + " " + malformed(udp.error().message);
    std::string s = "UDP " + n + " " + std::to_string(udp->src_port()) + " -> " +
                    std::to_string(udp->dst_port()) + " Len=" + std::to_string(udp->payload().size());
    if (!udp->verify_checksum(ip.saddr(), ip.daddr())) s += " [UDP checksum incorrect]";
    return s;
}

std::string describe_tcp(const Ipv4View& ip, const std::string& n) {
    auto tcp = TcpView::new_checked(ip.payload());
    if (!tcp) return "TCP " + n + " " + malformed(tcp.error().message);
    std::string s = "TCP " + n + " " + std::to_string(tcp->src_port()) + " -> " +
                    std::to_string(tcp->dst_port()) + " " + tcp_flags_to_string(tcp->flags()) +
                    " Seq=" + std::to_string(tcp->seq());
    if (tcp->has(TcpFlags::Ack)) s += " Ack=" + std::to_string(tcp->ack_seq());
    s += " Win=" + std::to_string(tcp->window());
    if (tcp->has(TcpFlags::Urg)) s += " Urg=" + std::to_string(tcp->urg_ptr());
    s += " Len=" + std::to_string(tcp->payload().size());
    auto opts = parse_tcp_options(tcp->options());
    if (!opts) return s + " " + malformed(opts.error().message);
    for (const auto& o : *opts) {
        const std::string text = o.to_string();
        if (!text.empty()) s += " " + text;
    }
    if (!tcp->verify_checksum(ip.saddr(), ip.daddr())) s += " [TCP checksum incorrect]";
    return s;
}

std::string describe_ipv4(std::span<const uint8_t> payload, const std::string& n) {
    auto ip = Ipv4View::new_checked(payload);
    if (!ip) return malformed(ip.error().message);
    if (ip->version() != 4) return malformed("IPv4: version " + std::to_string(ip->version()) + " != 4");
    const std::string prefix = ip->saddr().to_string() + " -> " + ip->daddr().to_string() + " ";
    const std::string bad_csum = ip->verify_checksum() ? "" : " [IPv4 checksum incorrect]";
    if (ip->is_fragment())
        return prefix + "IPv4 " + n + " Fragmented IP protocol (proto=" + ip_proto_name(ip->protocol()) +
               " " + std::to_string(ip->protocol()) + ", off=" + std::to_string(ip->frag_offset()) +
               ", ID=" + hex16(ip->id()).substr(2) + ")" + bad_csum;
    switch (ip->protocol()) {
    case IpProto::Icmp:
        return prefix + describe_icmp(*ip, n) + bad_csum;
    case IpProto::Udp:
        return prefix + describe_udp(*ip, n) + bad_csum;
    case IpProto::Tcp:
        return prefix + describe_tcp(*ip, n) + bad_csum;
    default:
        return prefix + "IPv4 " + n + " proto=" + std::to_string(ip->protocol()) + bad_csum;
    }
}

} // namespace

std::string describe_frame(std::span<const uint8_t> frame) {
    auto eth = EthernetView::new_checked(frame);
    if (!eth) return malformed(eth.error().message);
    const std::string n = std::to_string(frame.size());
    switch (eth->ethertype()) {
    case EtherType::Arp:
        return describe_arp(eth->payload(), n);
    case EtherType::Ipv4:
        return describe_ipv4(eth->payload(), n);
    default:
        return eth->src().to_string() + " -> " + eth->dst().to_string() + " " +
               ethertype_name(eth->ethertype()) + " " + n + " Ethernet II";
    }
}

} // namespace skbscope::wire
