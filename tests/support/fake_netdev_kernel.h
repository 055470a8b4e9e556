// A fake of the stack's NetdevKernel for driver tests: records what a driver asks of the kernel.
// eth_type_trans pulls the Ethernet header as Linux does; napi_schedule either only marks the NAPI
// scheduled or, with a softirq context set, runs its poll there like net_rx_action (repolling
// while the driver uses its whole budget). Received skbs are kept, and freed with the fake.
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "core/netdev/netdevice.h"
#include "core/skb/skbuff.h"
#include "core/time/sim.h"

namespace skbscope::test {

class FakeNetdevKernel final : public NetdevKernel {
  public:
    explicit FakeNetdevKernel(Sim& sim) : m_sim(sim) {}
    ~FakeNetdevKernel() override {
        for (SkBuff* skb : received)
            kfree_skb(skb);
    }

    Sim& sim() override { return m_sim; }
    void request_irq(NetDevice* dev, std::function<void()> handler) override {
        irq_dev = dev;
        irq_handler = std::move(handler);
    }
    void napi_schedule(NapiStruct* napi) override {
        ++napi_schedules;
        if (napi->scheduled) return;
        napi->scheduled = true;
        if (softirq_ctx) m_sim.after(0, *softirq_ctx, [this, napi] { poll_until_done(napi); });
    }
    bool napi_complete_done(NapiStruct* napi, int) override {
        ++napi_completes;
        napi->scheduled = false;
        return true;
    }
    void napi_gro_receive(NapiStruct*, SkBuff* skb) override { received.push_back(skb); }
    uint16_t eth_type_trans(SkBuff* skb, NetDevice*) override {
        skb_reset_mac_header(skb);
        const uint8_t* h = skb->data_ptr();
        const uint16_t proto = static_cast<uint16_t>((h[12] << 8) | h[13]);
        skb_pull(skb, 14);
        skb->protocol = proto;
        return proto;
    }
    void netif_stop_queue(NetDevice* dev) override {
        dev->queue_stopped = true;
        ++stops;
    }
    void netif_wake_queue(NetDevice* dev) override {
        dev->queue_stopped = false;
        ++wakes;
    }
    void dev_kfree_skb_any(SkBuff* skb) override {
        ++freed;
        consume_skb(skb);
    }
    // A veth driver test's peer kernel: takes the skb as dev's (eth_type_trans), keeps it.
    int dev_forward_skb(NetDevice* dev, SkBuff* skb) override {
        skb->dev = dev;
        eth_type_trans(skb, dev);
        return 0;
    }
    int netif_rx(SkBuff* skb) override {
        received.push_back(skb);
        return 0;
    }

    // net_rx_action in miniature: poll with the weight until the driver completes.
    void poll_until_done(NapiStruct* napi) {
        for (int rounds = 0; napi->scheduled && rounds < 100; ++rounds) {
            ++polls;
            if (napi->poll(napi, napi->weight) < napi->weight) break;
        }
    }

    std::optional<ContextId> softirq_ctx;
    NetDevice* irq_dev = nullptr;
    std::function<void()> irq_handler;
    std::vector<SkBuff*> received;
    int napi_schedules = 0, napi_completes = 0, polls = 0, stops = 0, wakes = 0, freed = 0;

  private:
    Sim& m_sim;
};

} // namespace skbscope::test
