// Frame-by-frame comparison of captures (see capture_compare.h).
#include "tests/support/capture_compare.h"

#include <map>
#include <sstream>

#include "core/wire/arp.h"
#include "core/wire/ethernet.h"
#include "core/wire/ipv4.h"
#include "core/wire/tcp.h"

namespace skbscope::test {

using namespace skbscope::wire;

std::string FrameKey::to_string() const {
    std::ostringstream o;
    o << from << " " << what << " len=" << frame_len;
    if (ttl >= 0) o << " ttl=" << ttl;
    if (!flags.empty()) o << " " << flags;
    if (!options.empty()) o << " opts=" << options;
    if (window >= 0) o << " win=" << window;
    if (what == "TCP") o << " payload=" << payload;
    return o.str();
}

std::vector<FrameKey> reduce_capture(const std::vector<PcapRecord>& frames) {
    std::vector<FrameKey> out;
    std::map<std::string, int> wscale; // sender IP -> its window scale (from its SYN)
    for (const PcapRecord& r : frames) {
        FrameKey k;
        k.frame_len = r.bytes.size();
        k.what = "other";
        auto eth = EthernetView::new_checked(r.bytes);
        if (!eth) {
            out.push_back(k);
            continue;
        }
        if (eth->ethertype() == EtherType::Arp) {
            auto av = ArpView::new_checked(eth->payload());
            auto a = av ? ArpRepr::parse(*av) : Result<ArpRepr>(Error{"bad"});
            if (a) {
                k.from = a->spa.to_string();
                k.what = a->oper == 1 ? "ARP request" : "ARP reply";
                // Linux pads ARP to 60 bytes only on the wire past the NIC; a capture on the host
                // shows 42. The README compares frames "as on the link": compare the ARP body.
                k.frame_len = ETH_HLEN + 28;
            }
            out.push_back(k);
            continue;
        }
        auto iv = Ipv4View::new_checked(eth->payload());
        if (!iv) {
            out.push_back(k);
            continue;
        }
        k.from = iv->saddr().to_string();
        k.ttl = iv->ttl();
        if (iv->protocol() == IpProto::Tcp) {
            auto tv = TcpView::new_checked(iv->payload());
            auto t = tv ? TcpRepr::parse(*tv) : Result<TcpRepr>(Error{"bad"});
            if (t) {
                k.what = "TCP";
                k.flags = tcp_flags_to_string(t->flags);
                std::string opts;
                for (const TcpOption& o : t->options) {
                    if (!opts.empty()) opts += " ";
                    if (o.kind == TcpOptKind::Timestamp) opts += "TS";
                    else if (o.kind == TcpOptKind::Nop) opts += "NOP";
                    else opts += o.to_string();
                    if (o.kind == TcpOptKind::WScale) wscale[k.from] = o.wscale;
                }
                k.options = opts;
                bool syn = t->flags & TcpFlags::Syn;
                k.window = syn ? t->window : static_cast<long>(t->window) << wscale[k.from];
                k.payload = iv->payload().size() - t->header_len();
            }
        } else if (iv->protocol() == IpProto::Icmp) {
            k.what = "ICMP " + std::to_string(iv->payload().empty() ? -1 : iv->payload()[0]);
        } else if (iv->protocol() == IpProto::Udp) {
            k.what = "UDP";
        }
        out.push_back(k);
    }
    return out;
}

std::string compare_captures(const std::vector<FrameKey>& ours, const std::vector<FrameKey>& linux_) {
    std::ostringstream o;
    size_t n = std::max(ours.size(), linux_.size());
    for (size_t i = 0; i < n; ++i) {
        bool have_o = i < ours.size(), have_l = i < linux_.size();
        if (have_o && have_l && ours[i] == linux_[i]) continue;
        o << "frame " << i + 1 << " differs (ours " << ours.size() << " frames, Linux " << linux_.size() << "):\n";
        o << "  ours:  " << (have_o ? ours[i].to_string() : "(none)") << "\n";
        o << "  Linux: " << (have_l ? linux_[i].to_string() : "(none)") << "\n";
        o << "context:\n";
        for (size_t j = i >= 3 ? i - 3 : 0; j < std::min(n, i + 4); ++j)
            o << "  " << j + 1 << "  ours: " << (j < ours.size() ? ours[j].to_string() : "-") << "\n"
              << "     Linux: " << (j < linux_.size() ? linux_[j].to_string() : "-") << "\n";
        return o.str();
    }
    return {};
}

} // namespace skbscope::test
