// A test-only Ethernet device for stack tests: ndo_start_xmit keeps the frame's bytes (padded to
// ETH_ZLEN, as the NIC pads), records a Wire event, frees the skb and, after a fixed delay in the
// link's context, hands the bytes to the peer device, whose "interrupt" schedules its NAPI poll.
// The poll builds a fresh skb per frame (netdev_alloc_skb, skb_put_data, eth_type_trans,
// napi_gro_receive) up to the budget and calls napi_complete_done when done, as e1000_clean does.
// Header-only so that it depends on core alone (NetDevice/NetdevKernel), never on stack or nic.
#pragma once
#include <cstring>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/netdev/netdevice.h"
#include "core/skb/skbuff.h"
#include "core/time/sim.h"
#include "core/wire/ethernet.h"

namespace skbscope::test {

class FakeNetDevice final : public NetDevice {
public:
    FakeNetDevice(Sim& sim, std::string ifname, wire::MacAddr mac) : m_sim(sim) {
        name = std::move(ifname);
        dev_addr = mac;
        napi.dev = this;
        napi.poll = [this](NapiStruct* n, int budget) { return poll(n, budget); };
    }

    // Joins two devices with a link context (one per direction is not needed: events are ordered).
    static void connect(Sim& sim, FakeNetDevice& a, FakeNetDevice& b, const std::string& link, TimeNs delay = 1000) {
        ContextId ctx = sim.add_context(0, ContextKind::Link, link);
        a.m_peer = &b;
        b.m_peer = &a;
        a.m_link_ctx = b.m_link_ctx = ctx;
        a.m_link = b.m_link = link;
        a.m_port = 0;
        b.m_port = 1;
        a.m_delay = b.m_delay = delay;
    }

    bool ndo_open() override {
        kernel->request_irq(this, [this] { kernel->napi_schedule(&napi); }); // the interrupt handler
        return true;
    }

    NetdevTx ndo_start_xmit(SkBuff* skb) override {
        if (busy_next > 0) {
            --busy_next;
            return NetdevTx::Busy;
        }
        std::vector<uint8_t> frame = skb->to_bytes();
        if (frame.size() < wire::ETH_ZLEN) frame.resize(wire::ETH_ZLEN, 0);
        uint32_t flow = skb->flow;
        sent.push_back(frame);
        ++stats.tx_packets;
        stats.tx_bytes += frame.size();
        TimeNs arrival = m_sim.now() + m_delay;
        m_sim.rec().wire(m_link, frame, m_port, arrival, flow);
        kernel->dev_kfree_skb_any(skb);
        bool dropped = drop_if && drop_if(frame);
        if (m_peer && !drop_all && !dropped) {
            FakeNetDevice* peer = m_peer;
            m_sim.at(arrival, m_link_ctx, [peer, frame, flow] { peer->receive(frame, flow); });
        }
        return NetdevTx::Ok;
    }

    std::string driver_name() const override { return "fake"; }

    // A frame from the link (or a test): queue it and raise the interrupt.
    void receive(std::vector<uint8_t> frame, uint32_t flow = 0) {
        rx_fifo.emplace_back(std::move(frame), flow);
        if (irq) irq();
    }

    NapiStruct napi;
    std::function<void()> irq;                 // the host's irq_handler_for(this)
    std::vector<std::vector<uint8_t>> sent;    // every frame transmitted, in order
    std::deque<std::pair<std::vector<uint8_t>, uint32_t>> rx_fifo;
    int busy_next = 0;                         // answer NETDEV_TX_BUSY this many times
    bool drop_all = false;                     // the peer never receives (an unplugged cable)
    // Drops one chosen frame on the way to the peer (it is still recorded in `sent`).
    std::function<bool(const std::vector<uint8_t>&)> drop_if;

private:
    int poll(NapiStruct* n, int budget) {
        int work = 0;
        while (work < budget && !rx_fifo.empty()) {
            auto [bytes, flow] = std::move(rx_fifo.front());
            rx_fifo.pop_front();
            SkBuff* skb = netdev_alloc_skb(m_sim, this, static_cast<uint32_t>(bytes.size()));
            skb->flow = flow ? flow : m_sim.new_flow();
            skb_put_data(skb, bytes);
            ++stats.rx_packets;
            stats.rx_bytes += bytes.size();
            kernel->eth_type_trans(skb, this);
            kernel->napi_gro_receive(n, skb);
            ++work;
        }
        if (work < budget) kernel->napi_complete_done(n, work);
        return work;
    }

    Sim& m_sim;
    FakeNetDevice* m_peer = nullptr;
    ContextId m_link_ctx = 0;
    std::string m_link = "link";
    int m_port = 0;
    TimeNs m_delay = 1000;
};

} // namespace skbscope::test
