// The 8254x receive path: a frame from the link, the address filter, a descriptor at RDH (needs
// RDH != RDT), the frame by DMA into its buffer, write-back of length and DD|EOP, RDH advance and
// the RXT0/RXDMT0/RXO causes (8254x manual 3.2, QEMU hw/net/e1000.c e1000_receive_iov).
// SIMPLIFICATION: one buffer per frame (a longer frame is discarded, never split), no multicast
// table (MTA: RCTL.MPE accepts all multicast), no VLAN filter, no checksum offload (IXSM is set),
// the FCS is never stored (as with RCTL.SECRC). A missed frame is a Note "drop NIC_RX_MISSED" and
// an MPC Counter event: no sk_buff ever exists for it, so there is no SkbFree.
#include <array>

#include "core/time/sim.h"
#include "nic/device/e1000_device.h"

namespace skbscope {

using namespace e1000_regs;

static constexpr size_t kEthHlen = 14;

void E1000Device::Port::receive_frame(std::vector<uint8_t> frame, uint32_t flow) {
    // Runs in the link's context at arrival; the MAC handles the frame in the NIC's context.
    auto bytes = std::make_shared<std::vector<uint8_t>>(std::move(frame));
    E1000Device& d = m_dev;
    d.m_sim.at(d.m_sim.now(), d.m_ctx, [&d, bytes, flow] { d.rx_frame(std::move(*bytes), flow); });
}

bool E1000Device::rx_address_match(std::span<const uint8_t> frame) const {
    const uint32_t rctl = mac(RCTL);
    const auto dst = wire::MacAddr::from_bytes(frame.first(6));
    if (dst.is_broadcast()) return rctl & RCTL_BAM;
    if (dst.is_multicast()) return rctl & RCTL_MPE;
    if (rctl & RCTL_UPE) return true;
    if (!(mac(RAH0) & RAH_AV)) return false;
    const uint32_t ral = mac(RAL0), rah = mac(RAH0);
    const std::array<uint8_t, 6> ours{static_cast<uint8_t>(ral),       static_cast<uint8_t>(ral >> 8),
                                      static_cast<uint8_t>(ral >> 16), static_cast<uint8_t>(ral >> 24),
                                      static_cast<uint8_t>(rah),       static_cast<uint8_t>(rah >> 8)};
    return dst.bytes == ours;
}

void E1000Device::rx_frame(std::vector<uint8_t> frame, uint32_t flow) {
    TRACE_FUNC(m_sim, nic_rx_frame, nullptr, static_cast<int64_t>(frame.size()), flow);
    if (!(mac(RCTL) & RCTL_EN)) {
        m_sim.rec().note(m_label + ": RCTL.EN is off: the frame is ignored", Layer::Nic);
        return;
    }
    if (frame.size() < kEthHlen) {
        m_sim.rec().note(m_label + ": runt frame of " + std::to_string(frame.size()) + " bytes discarded",
                         Layer::Nic);
        return;
    }
    if (!rx_address_match(frame)) {
        m_sim.rec().note(m_label + ": destination " +
                             wire::MacAddr::from_bytes(std::span(frame).first(6)).to_string() +
                             " is not ours: the MAC filter discards the frame",
                         Layer::Nic);
        return;
    }
    stat_add(TPR, 1);
    const uint32_t n = ring_count(kRxRing);
    if (n == 0 || mac(RDH) >= n || mac(RDT) >= n || mac(RDH) == mac(RDT)) {
        TRACE_FUNC(m_sim, nic_rx_missed, nullptr, mac(RDH), flow);
        stat_add(MPC, 1);
        stat_add(RNBC, 1); // no FIFO to hold it: the frame that found no buffer is also missed
        m_sim.rec().note(m_label + ": drop NIC_RX_MISSED: no free RX descriptor (RDH " +
                             std::to_string(mac(RDH)) + " == RDT " + std::to_string(mac(RDT)) +
                             "); MPC and RNBC count it",
                         Layer::Nic);
        m_sim.rec().counter(m_label, "MPC", mac(MPC), Layer::Nic);
        set_ics(ICR_RXO);
        return;
    }
    const uint32_t bufsize = rctl_buffer_size(mac(RCTL));
    if (frame.size() > bufsize) {
        m_sim.rec().note(m_label + ": frame of " + std::to_string(frame.size()) + " bytes does not fit a " +
                             std::to_string(bufsize) + "-byte RX buffer: discarded",
                         Layer::Nic);
        return;
    }

    const uint32_t index = mac(RDH);
    const uint64_t daddr = desc_addr(kRxRing, index);
    std::array<uint8_t, kDescSize> raw{};
    RxDesc desc;
    {
        TRACE_FUNC(m_sim, nic_rx_fetch, nullptr, index);
        if (!dma_read("rx desc fetch", daddr, raw, flow)) return; // master abort: the frame is lost
        desc = RxDesc::load(raw);
        set_state(kRxRing, index, DescState::Fetched);
    }
    bool ok;
    {
        TRACE_FUNC(m_sim, nic_rx_writeback, nullptr, index, static_cast<int64_t>(frame.size()));
        ok = dma_write("rx buffer", desc.buffer_addr, frame, flow);
        if (ok) m_mem.set_flow(desc.buffer_addr, flow);
        set_state(kRxRing, index, DescState::Processed);
        desc.length = ok ? static_cast<uint16_t>(frame.size()) : 0;
        desc.csum = 0;
        desc.status = RXD_STAT_DD | RXD_STAT_EOP | RXD_STAT_IXSM;
        desc.errors = ok ? 0 : RXD_ERR_RXE;
        desc.special = 0;
        desc.store(raw);
        dma_write("rx desc writeback", daddr + RxDesc::kLengthOffset,
                  std::span<const uint8_t>(raw).subspan(RxDesc::kLengthOffset), flow);
        set_state(kRxRing, index, DescState::WrittenBack);
    }
    mac(RDH) = (index + 1) % n;
    ring_event(kRxRing, flow);
    if (ok) {
        stat_add(GPRC, 1);
        stat_add(GORCL, frame.size() + 4); // octets counted with the FCS
    }
    // RXDMT0: the descriptors hardware still owns fell to the RCTL.RDMTS threshold (1/2, 1/4, 1/8).
    const uint32_t owned = (mac(RDT) + n - mac(RDH)) % n;
    const uint32_t rdmts = (mac(RCTL) & RCTL_RDMTS_MASK) >> RCTL_RDMTS_SHIFT;
    uint32_t causes = owned <= (n >> (rdmts + 1)) ? ICR_RXDMT0 : 0;
    if (moderate_rx_writeback()) causes |= ICR_RXT0; // else RXT0 waits for RDTR/RADV
    if (causes) set_ics(causes);
}

} // namespace skbscope
