// e1000 receive: e1000_clean_rx_irq (the NAPI receive loop with copybreak), e1000_alloc_rx_buffers
// (refill and the RDT write), e1000_rx_checksum and e1000_receive_skb, after
// drivers/net/ethernet/intel/e1000/e1000_main.c (the skb-buffer scheme of kernels before 4.x).
// SIMPLIFICATION: every frame fits one buffer; a descriptor without EOP or with errors is recycled.
// LINUX: RDT is written with the index of the last filled descriptor, one behind next_to_use.
#include <cstring>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"
#include "nic/driver/e1000.h"
#include "nic/driver/e1000_hw.h"

namespace skbscope {

using namespace e1000_hw;

SkBuff* E1000Adapter::napi_alloc_skb(uint32_t length) {
    TRACE_FUNC(m_sim, napi_alloc_skb, nullptr, length);
    SkBuff* skb = alloc_skb(m_sim, length + kNetSkbPad);
    skb->dev = this;
    skb_reserve(skb, kNetSkbPad);
    return skb;
}

void E1000Adapter::e1000_alloc_rx_buffers(int cleaned_count) {
    TRACE_FUNC(m_sim, e1000_alloc_rx_buffers, nullptr, cleaned_count);
    int i = rx_ring.next_to_use;
    while (cleaned_count--) {
        E1000RxBuffer& bi = rx_ring.buffer_info[i];
        SkBuff* skb = bi.skb;
        if (skb) {
            skb_trim(skb, 0); // a buffer kept by copybreak: map it again
        } else {
            skb = netdev_alloc_skb(m_sim, this, rx_buffer_len);
            if (!skb) {
                ++alloc_rx_buff_failed;
                break;
            }
            bi.skb = skb;
            bi.length = rx_buffer_len;
        }
        // The NIC will write the frame at skb->data; the mapping shares the skb's data buffer.
        bi.dma = dma_map_single(std::shared_ptr<std::vector<uint8_t>>(skb->buf, &skb->buf->bytes), skb->data,
                                bi.length, skb, "rx buf");
        write_rx_desc(rx_desc(i), E1000RxDesc{bi.dma});
        if (++i == rx_ring.count) i = 0;
    }
    if (rx_ring.next_to_use != i) {
        rx_ring.next_to_use = i;
        if (i-- == 0) i = rx_ring.count - 1;
        // (wmb: descriptors are in memory before the NIC may fetch them.)
        ew32(E1000_RDT, static_cast<uint32_t>(i));
    }
    rx_ring_event(0);
}

SkBuff* E1000Adapter::e1000_copybreak(const SkBuff* rxbuf, uint32_t length) {
    TRACE_FUNC(m_sim, e1000_copybreak, rxbuf, length);
    SkBuff* skb = napi_alloc_skb(length);
    // The frame sits at rxbuf->data (the NIC wrote it there); rxbuf->len is still 0.
    skb_put_data(skb, std::span<const uint8_t>(rxbuf->data_ptr(), length));
    return skb;
}

void E1000Adapter::e1000_rx_checksum(uint8_t status, uint8_t errors, SkBuff* skb) {
    TRACE_FUNC(m_sim, e1000_rx_checksum, skb);
    skb->ip_summed = IpSummed::None;
    if (status & E1000_RXD_STAT_IXSM) return; // the NIC did not check: the stack will
    if (errors & (E1000_RXD_ERR_TCPE | E1000_RXD_ERR_IPE)) return;
    if (status & E1000_RXD_STAT_TCPCS) skb->ip_summed = IpSummed::Unnecessary;
}

void E1000Adapter::e1000_receive_skb(uint8_t status, uint16_t special, SkBuff* skb) {
    TRACE_FUNC(m_sim, e1000_receive_skb, skb);
    skb->protocol = kernel->eth_type_trans(skb, this);
    kernel->napi_gro_receive(&napi, skb);
}

bool E1000Adapter::e1000_clean_rx_irq(int* work_done, int work_to_do) {
    TRACE_FUNC_NAMED(scope, m_sim, e1000_clean_rx_irq, nullptr, work_to_do);
    int i = rx_ring.next_to_clean;
    int cleaned_count = 0;
    bool cleaned = false;
    uint64_t total_rx_bytes = 0, total_rx_packets = 0;
    while (true) {
        E1000RxDesc desc = read_rx_desc(rx_desc(i));
        if (!(desc.status & E1000_RXD_STAT_DD)) break;
        if (*work_done >= work_to_do) break;
        ++*work_done;
        // (dma_rmb: read the rest of the descriptor only after DD.)
        E1000RxBuffer& bi = rx_ring.buffer_info[i];
        SkBuff* skb = bi.skb;
        bi.skb = nullptr;
        const uint32_t length = desc.length;
        const uint32_t flow = m_mem.flow_at(bi.dma); // the packet id the NIC tagged the buffer with
        dma_unmap_single(bi.dma, bi.length, skb);
        bi.dma = 0;
        if (++i == rx_ring.count) i = 0;
        cleaned = true;
        ++cleaned_count;

        if (!(desc.status & E1000_RXD_STAT_EOP) || (desc.errors & E1000_RXD_ERR_FRAME_ERR_MASK) ||
            length > bi.length) {
            // All receives must fit into a single buffer; a bad frame is dropped by reusing its buffer.
            ++stats.rx_errors;
            bi.skb = skb;
        } else {
            total_rx_bytes += length;
            ++total_rx_packets;
            SkBuff* nskb = length < copybreak ? e1000_copybreak(skb, length) : nullptr;
            if (nskb) {
                bi.skb = skb; // the big buffer goes back to the ring
                skb = nskb;
            } else {
                skb_put(skb, length); // the NIC's bytes become the skb's data
            }
            skb->flow = flow;
            e1000_rx_checksum(desc.status, desc.errors, skb);
            e1000_receive_skb(desc.status, desc.special, skb);
        }
        // next_desc: the slot is the driver's again.
        E1000RxDesc clear = read_rx_desc(rx_desc((i + rx_ring.count - 1) % rx_ring.count));
        clear.status = 0;
        write_rx_desc(rx_desc((i + rx_ring.count - 1) % rx_ring.count), clear);
        // Return some buffers to the hardware; one at a time is too slow.
        if (cleaned_count >= kRxBufferWrite) {
            e1000_alloc_rx_buffers(cleaned_count);
            cleaned_count = 0;
        }
    }
    rx_ring.next_to_clean = i;
    cleaned_count = e1000_desc_unused(rx_ring);
    if (cleaned_count) e1000_alloc_rx_buffers(cleaned_count);
    stats.rx_bytes += total_rx_bytes;
    stats.rx_packets += total_rx_packets;
    scope.ret(cleaned);
    return cleaned;
}

} // namespace skbscope
