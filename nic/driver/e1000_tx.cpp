// e1000 transmit: e1000_xmit_frame (ndo_start_xmit), e1000_tx_map (dma_map_single),
// e1000_tx_queue (descriptors, TDT doorbell), e1000_maybe_stop_tx and the completion side
// e1000_clean_tx_irq, after drivers/net/ethernet/intel/e1000/e1000_main.c.
// SIMPLIFICATION: no TSO/VLAN, one descriptor per buffer (the linear part and each frag); checksum
// offload by the legacy CSO/CSS fields; the doorbell is written in e1000_tx_queue (no xmit_more).
// LINUX: short frames are padded in software (eth_skb_pad): PCI/PCI-X parts may corrupt them.
#include <cerrno>
#include <cstring>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"
#include "core/wire/ethernet.h"
#include "nic/driver/e1000.h"
#include "nic/driver/e1000_hw.h"

namespace skbscope {

using namespace e1000_hw;

int E1000Adapter::eth_skb_pad(SkBuff* skb) {
    if (skb->len >= wire::ETH_ZLEN) return 0;
    TRACE_FUNC_NAMED(scope, m_sim, eth_skb_pad, skb);
    const uint32_t pad = static_cast<uint32_t>(wire::ETH_ZLEN) - skb->len;
    // skb_pad: a shared (cloned) or too small buffer is reallocated before the zeros go in.
    if (skb->is_nonlinear()) pskb_may_pull(skb, skb->len);
    if (skb->cloned || skb_tailroom(skb) < pad) pskb_expand_head(skb, 0, pad);
    uint8_t* p = skb_put(skb, pad);
    if (!p) {
        kernel->dev_kfree_skb_any(skb);
        scope.ret(-ENOMEM);
        return -ENOMEM;
    }
    std::memset(p, 0, pad);
    return 0;
}

NetdevTx E1000Adapter::e1000_xmit_frame(SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, m_sim, e1000_xmit_frame, skb);
    if (eth_skb_pad(skb)) return NetdevTx::Ok; // freed
    if (skb->len == 0) {
        kernel->dev_kfree_skb_any(skb);
        return NetdevTx::Ok;
    }
    const int count = (skb->headlen() ? 1 : 0) + static_cast<int>(skb->frags.size());
    // Need count descriptors, plus 2 to keep tail from touching head.
    if (e1000_maybe_stop_tx(count + 2)) {
        scope.ret(static_cast<int64_t>(NetdevTx::Busy));
        return NetdevTx::Busy;
    }
    const int first = tx_ring.next_to_use;
    const uint32_t flow = skb->flow;
    const uint32_t csum = skb->ip_summed == IpSummed::Partial ? e1000_tx_csum(skb) : 0;
    if (int mapped = e1000_tx_map(skb, first)) {
        e1000_tx_queue(mapped, flow, csum);
        // Make sure there is room for the next packet of the largest kind.
        e1000_maybe_stop_tx(kMaxSkbFrags + 2);
    } else {
        kernel->dev_kfree_skb_any(skb);
        tx_ring.next_to_use = first;
    }
    return NetdevTx::Ok;
}

int E1000Adapter::e1000_maybe_stop_tx(int size) {
    if (e1000_desc_unused(tx_ring) >= size) return 0; // the inline fast path
    TRACE_FUNC_NAMED(scope, m_sim, e1000_maybe_stop_tx, nullptr, size);
    kernel->netif_stop_queue(this);
    // Linux re-checks here in case another CPU just cleaned the ring; with one simulated CPU
    // nothing can have changed, so the queue stays stopped until e1000_clean_tx_irq wakes it.
    scope.ret(-EBUSY);
    return -EBUSY;
}

int E1000Adapter::e1000_tx_map(SkBuff* skb, int first) {
    TRACE_FUNC_NAMED(scope, m_sim, e1000_tx_map, skb);
    int i = first, count = 0;
    auto next = [this](int j) { return j + 1 == tx_ring.count ? 0 : j + 1; };
    if (const uint32_t len = skb->headlen()) {
        E1000TxBuffer& bi = tx_ring.buffer_info[i];
        bi.length = len;
        // The mapping shares ownership of the skb's data buffer (an aliasing pointer to its bytes).
        bi.dma = dma_map_single(std::shared_ptr<std::vector<uint8_t>>(skb->buf, &skb->buf->bytes), skb->data,
                                len, skb, "tx buf");
        bi.next_to_watch = i;
        ++count;
    }
    for (const SkbFrag& f : skb->frags) {
        if (count) i = next(i);
        E1000TxBuffer& bi = tx_ring.buffer_info[i];
        bi.length = f.size;
        bi.dma = dma_map_single(f.page, f.offset, f.size, skb, "tx frag");
        bi.next_to_watch = i;
        ++count;
    }
    if (count) {
        tx_ring.buffer_info[i].skb = skb;
        tx_ring.buffer_info[i].segs = 1;
        tx_ring.buffer_info[i].bytecount = skb->len;
        tx_ring.buffer_info[first].next_to_watch = i;
    }
    scope.ret(count);
    return count;
}

uint32_t E1000Adapter::e1000_tx_csum(const SkBuff* skb) {
    TRACE_FUNC_NAMED(scope, m_sim, e1000_tx_csum, skb);
    if (!checksum_offload) {
        // The stack only leaves a checksum partial for a device with NETIF_F_HW_CSUM.
        m_sim.rec().warning(trace_label() + ": CHECKSUM_PARTIAL skb on a device without offload", Layer::Driver);
        return 0;
    }
    // CSS: where summing starts, CSO: where the result goes; both from the frame's first byte.
    const uint32_t css = skb->csum_start - skb->data;
    const uint32_t cso = css + skb->csum_offset;
    scope.ret(cso);
    // lower.data bits 23:16 = CSO and CMD.IC; upper.data bits 15:8 = CSS (returned in bits 15:8).
    return (cso << 16) | E1000_TXD_CMD_IC | (css << 8);
}

void E1000Adapter::e1000_tx_queue(int count, uint32_t flow, uint32_t csum_bits) {
    TRACE_FUNC(m_sim, e1000_tx_queue, nullptr, count);
    // LINUX: e1000 puts checksum offsets in a context descriptor; the legacy CSO/CSS fields used
    // here do the same for one packet.
    const uint32_t txd_lower = E1000_TXD_CMD_IFCS | (csum_bits & (0xFF0000u | E1000_TXD_CMD_IC));
    const uint32_t txd_upper = csum_bits & 0xFF00u;
    int i = tx_ring.next_to_use;
    int last = i;
    while (count--) {
        const E1000TxBuffer& bi = tx_ring.buffer_info[i];
        write_tx_desc(tx_desc(i), E1000TxDesc{bi.dma, txd_lower | bi.length, txd_upper});
        last = i;
        if (++i == tx_ring.count) i = 0;
    }
    // The packet's last descriptor carries EOP and RS.
    E1000TxDesc d = read_tx_desc(tx_desc(last));
    d.lower |= txd_cmd;
    write_tx_desc(tx_desc(last), d);
    // (wmb: descriptors are in memory before the NIC is told to fetch them.)
    tx_ring.next_to_use = i;
    ew32(E1000_TDT, static_cast<uint32_t>(i)); // the doorbell
    tx_ring_event(flow);
}

void E1000Adapter::e1000_unmap_and_free_tx_resource(E1000TxBuffer& bi) {
    TRACE_FUNC(m_sim, e1000_unmap_and_free_tx_resource, bi.skb);
    if (bi.dma) {
        dma_unmap_single(bi.dma, bi.length, bi.skb);
        bi.dma = 0;
    }
    if (bi.skb) {
        kernel->dev_kfree_skb_any(bi.skb);
        bi.skb = nullptr;
    }
    bi.next_to_watch = -1;
    bi.length = bi.bytecount = 0;
    bi.segs = 0;
}

bool E1000Adapter::e1000_clean_tx_irq() {
    TRACE_FUNC_NAMED(scope, m_sim, e1000_clean_tx_irq);
    int i = tx_ring.next_to_clean;
    int eop = tx_ring.buffer_info[i].next_to_watch;
    int count = 0;
    uint64_t total_packets = 0, total_bytes = 0;
    uint32_t flow = 0;
    while (eop >= 0 && (read_tx_desc(tx_desc(eop)).upper & E1000_TXD_STAT_DD) && count < tx_ring.count) {
        for (bool cleaned = false; !cleaned; ++count) {
            E1000TxBuffer& bi = tx_ring.buffer_info[i];
            cleaned = (i == eop);
            if (cleaned) {
                total_packets += bi.segs;
                total_bytes += bi.bytecount;
                if (bi.skb) flow = bi.skb->flow;
            }
            e1000_unmap_and_free_tx_resource(bi);
            E1000TxDesc d = read_tx_desc(tx_desc(i));
            d.upper = 0;
            write_tx_desc(tx_desc(i), d);
            if (++i == tx_ring.count) i = 0;
        }
        eop = tx_ring.buffer_info[i].next_to_watch;
    }
    tx_ring.next_to_clean = i;
    if (count) tx_ring_event(flow);
    if (count && e1000_desc_unused(tx_ring) >= kTxWakeThreshold && queue_stopped) {
        kernel->netif_wake_queue(this);
        ++restart_queue;
    }
    stats.tx_bytes += total_bytes;
    stats.tx_packets += total_packets;
    const bool complete = count < tx_ring.count;
    scope.ret(complete);
    return complete;
}

} // namespace skbscope
