// The 8254x transmit engine: doorbell (TDT write), descriptor fetch, buffer read, the frame onto
// the link, DD write-back, TDH advance and the TXDW/TXQE causes (8254x manual 3.3, QEMU
// hw/net/e1000.c start_xmit/process_tx_desc) in the NIC's own context; legacy checksum offload (IC).
// SIMPLIFICATION: legacy descriptors only; the TX FIFO holds one frame: the engine fetches the next
// descriptor while the current frame is on the wire, and DD is written back once the frame is in
// the FIFO (the buffer may be freed before the last bit leaves, as on hardware).
#include <algorithm>
#include <array>

#include "core/time/sim.h"
#include "core/wire/checksum.h"
#include "nic/device/e1000_device.h"

namespace skbscope {

using namespace e1000_regs;

static constexpr size_t kMaxTxFrame = 16288; // the 8254x's largest non-TSO frame
static constexpr size_t kMinFrame = 60;      // ETH_ZLEN: TCTL.PSP pads shorter frames
static constexpr uint8_t TXD_CMD_DEXT = 0x20;

void E1000Device::tx_kick() {
    if (m_tx_running || !(mac(TCTL) & TCTL_EN) || mac(TDH) == mac(TDT)) return;
    m_tx_running = true;
    // The doorbell is a posted write: the engine wakes a little later, once the FIFO has room.
    const TimeNs start = std::max(m_sim.now() + kDoorbellNs, m_tx_fifo_free);
    m_tx_event = m_sim.at(start, m_ctx, [this] { tx_step(); });
}

void E1000Device::tx_step() {
    m_tx_event = {};
    const uint32_t n = ring_count(kTxRing);
    if (!(mac(TCTL) & TCTL_EN) || mac(TDH) == mac(TDT)) {
        m_tx_running = false;
        return;
    }
    if (n == 0 || mac(TDH) >= n || mac(TDT) >= n) {
        warn("TX ring misprogrammed (TDLEN " + std::to_string(mac(TDLEN)) + ", TDH " +
             std::to_string(mac(TDH)) + ", TDT " + std::to_string(mac(TDT)) + "): the transmit engine stops");
        m_tx_running = false;
        return;
    }
    const uint32_t index = mac(TDH);
    const uint64_t daddr = desc_addr(kTxRing, index);
    std::array<uint8_t, kDescSize> raw{};
    // The packet id of the buffer the descriptor points to (trace metadata, not hardware).
    uint32_t flow = m_mem.read(daddr, raw) ? m_mem.flow_at(TxDesc::load(raw).buffer_addr) : 0;
    TxDesc desc;
    {
        TRACE_FUNC(m_sim, nic_tx_fetch, nullptr, index);
        if (!dma_read("tx desc fetch", daddr, raw, flow)) {
            m_tx_running = false; // a master abort: the engine stops until the next doorbell
            return;
        }
        desc = TxDesc::load(raw);
        set_state(kTxRing, index, DescState::Fetched);
    }
    {
        TRACE_FUNC(m_sim, nic_tx_process, nullptr, index, desc.length);
        if (desc.cmd & TXD_CMD_DEXT)
            warn("TX descriptor " + std::to_string(index) +
                 " is extended (DEXT): not modelled, read as legacy");
        if (desc.length) {
            std::vector<uint8_t> buf(desc.length);
            if (dma_read("tx buffer", desc.buffer_addr, buf, flow)) {
                m_tx_frame.insert(m_tx_frame.end(), buf.begin(), buf.end());
                if (!m_tx_flow) m_tx_flow = flow;
            } else {
                m_tx_bad = true;
            }
        }
        set_state(kTxRing, index, DescState::Processed);
        if (desc.cmd & TXD_CMD_IC) m_tx_csum = {true, desc.cso, desc.css};
        if (desc.cmd & TXD_CMD_EOP) tx_send_frame();
    }
    if (desc.cmd & TXD_CMD_RS) {
        TRACE_FUNC(m_sim, nic_tx_writeback, nullptr, index);
        desc.status |= TXD_STAT_DD;
        desc.store(raw);
        dma_write("tx desc writeback", daddr + TxDesc::kStatusOffset,
                  std::span<const uint8_t>(raw).subspan(TxDesc::kStatusOffset), flow);
        set_state(kTxRing, index, DescState::WrittenBack);
    }
    mac(TDH) = (index + 1) % n;
    ring_event(kTxRing, flow);

    uint32_t causes = 0;
    if ((desc.cmd & TXD_CMD_RS) && moderate_tx_writeback(desc.cmd & TXD_CMD_IDE)) causes |= ICR_TXDW;
    if (mac(TDH) == mac(TDT)) causes |= ICR_TXQE;
    if (causes) set_ics(causes);

    if (mac(TDH) == mac(TDT)) {
        m_tx_running = false;
        return;
    }
    // The next descriptor once the FIFO has room: when the frame before the last one has left.
    m_tx_event = m_sim.at(std::max(m_sim.now(), m_tx_fifo_free), m_ctx, [this] { tx_step(); });
}

void E1000Device::tx_send_frame() {
    if (m_tx_frame.size() > kMaxTxFrame) {
        warn("TX frame of " + std::to_string(m_tx_frame.size()) + " bytes is longer than " +
             std::to_string(kMaxTxFrame) + ": discarded");
        m_tx_bad = true;
    }
    if (m_tx_csum.insert && !m_tx_bad) tx_insert_checksum();
    if (!m_tx_bad && !m_tx_frame.empty()) {
        if (m_tx_frame.size() < kMinFrame && (mac(TCTL) & TCTL_PSP)) m_tx_frame.resize(kMinFrame, 0);
        stat_add(GPTC, 1);
        stat_add(TPT, 1);
        stat_add(GOTCL, m_tx_frame.size() + 4); // octets counted with the FCS
        if (!m_port.carrier())
            m_sim.rec().note(m_label + ": no carrier (no link attached): the frame is lost", Layer::Nic);
        m_tx_fifo_free = m_tx_wire_free;
        m_tx_wire_free = std::max(m_sim.now(), m_port.transmit(m_tx_frame, m_tx_flow));
    }
    m_tx_frame.clear();
    m_tx_flow = 0;
    m_tx_bad = false;
    m_tx_csum = {};
}

void E1000Device::tx_insert_checksum() {
    // Legacy IC: the one's-complement sum of the bytes from CSS to the end of the frame, stored
    // complemented at CSO. The stack left the pseudo-header sum in the field (CHECKSUM_PARTIAL).
    const size_t css = m_tx_csum.css, cso = m_tx_csum.cso;
    if (css >= m_tx_frame.size() || cso + 2 > m_tx_frame.size() || cso < css) {
        warn("TX checksum offload: CSS " + std::to_string(css) + " / CSO " + std::to_string(cso) +
             " outside the " + std::to_string(m_tx_frame.size()) + "-byte frame: not inserted");
        return;
    }
    TRACE_FUNC(m_sim, nic_tx_csum, nullptr, static_cast<int64_t>(css), static_cast<int64_t>(cso));
    wire::InetChecksum sum;
    sum.add(std::span<const uint8_t>(m_tx_frame).subspan(css));
    const uint16_t c = sum.finish();
    m_tx_frame[cso] = static_cast<uint8_t>(c >> 8);
    m_tx_frame[cso + 1] = static_cast<uint8_t>(c);
}

} // namespace skbscope
