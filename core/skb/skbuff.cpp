// sk_buff allocation, pointer operations and copies, after net/core/skbuff.c.
// LINUX: skb_pull returns NULL when asked for more than skb->len, and __skb_pull may not pull into
// paged data; we keep both rules. truesize follows SKB_TRUESIZE.
#include "core/skb/skbuff.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/time/sim.h"
#include "core/util/assert.h"

namespace skbscope {

std::vector<uint8_t> SkBuff::to_bytes() const {
    std::vector<uint8_t> out(data_ptr(), data_ptr() + headlen());
    for (const auto& f : frags) out.insert(out.end(), f.page->begin() + f.offset, f.page->begin() + f.offset + f.size);
    return out;
}

SkbSnapshot SkBuff::snapshot() const {
    SkbSnapshot s;
    s.head_addr = head_addr();
    s.data = data;
    s.tail = tail;
    s.end = end;
    s.len = len;
    s.data_len = data_len;
    s.truesize = truesize;
    s.mac_header = mac_header;
    s.network_header = network_header;
    s.transport_header = transport_header;
    s.protocol = protocol;
    s.users = static_cast<uint8_t>(std::min(users, 255));
    s.cloned = cloned;
    s.nr_frags = static_cast<uint8_t>(std::min<size_t>(frags.size(), 255));
    s.dataref = static_cast<uint8_t>(std::min(dataref(), 255));
    return s;
}

bool SkBuff::check_invariants() const {
    if (!buf) return false;
    if (!(data <= tail && tail <= end)) return false;
    if (end + kSizeofSharedInfo > buf->bytes.size()) return false;
    if (len < data_len) return false;
    if (tail - data != len - data_len) return false;
    uint32_t paged = 0;
    for (const auto& f : frags) paged += f.size;
    return paged == data_len && users >= 1;
}

static SkBuff* new_skb(Sim& sim) {
    auto* skb = new SkBuff();
    skb->sim = &sim;
    skb->id = sim.new_skb_id();
    sim.skb_created();
    return skb;
}

uint32_t kmalloc_size_roundup(uint32_t n) {
    static constexpr uint32_t kBuckets[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
    for (uint32_t b : kBuckets)
        if (n <= b) return b;
    uint32_t pages = 4096; // kmalloc_large: PAGE_SIZE << get_order(n)
    while (pages < n) pages <<= 1;
    return pages;
}

// kmalloc_reserve + __finalize_skb_around for a head of size bytes: SKB_HEAD_ALIGN(size) comes
// from the small-head cache or its slab bucket, and all of it but skb_shared_info is data (end).
static uint32_t kmalloc_reserve_end(uint32_t size) {
    uint32_t obj = skb_data_align(size) + skb_data_align(kSizeofSharedInfo);
    obj = obj <= kSkbSmallHeadCacheSize ? kSkbSmallHeadCacheSize : kmalloc_size_roundup(obj);
    return obj - skb_data_align(kSizeofSharedInfo);
}

// A head with `aligned` bytes of data area; truesize is SKB_TRUESIZE(end).
static SkBuff* alloc_skb_head(Sim& sim, uint32_t aligned, Fn allocator, uint32_t size) {
    SkBuff* skb = new_skb(sim);
    skb->buf = std::make_shared<SkbDataBuf>();
    skb->buf->bytes.assign(aligned + kSizeofSharedInfo, 0);
    skb->buf->addr = sim.kmalloc_addr(aligned + kSizeofSharedInfo);
    skb->end = aligned;
    skb->truesize = aligned + skb_data_align(kSizeofSkBuff) + skb_data_align(kSizeofSharedInfo);
    sim.charge(fn_info(allocator).cost_ns);
    sim.rec().skb_alloc(allocator, *skb, size);
    return skb;
}

SkBuff* alloc_skb(Sim& sim, uint32_t size, Fn allocator) {
    return alloc_skb_head(sim, kmalloc_reserve_end(size), allocator, size);
}

SkBuff* netdev_alloc_skb(Sim& sim, NetDevice* dev, uint32_t length) {
    TRACE_FUNC(sim, __netdev_alloc_skb);
    // LINUX: a page-frag allocation of exactly SKB_HEAD_ALIGN(len) (no slab rounding).
    SkBuff* skb = alloc_skb_head(sim, skb_data_align(length + kNetSkbPad), Fn::__alloc_skb, length + kNetSkbPad);
    skb->dev = dev;
    skb_reserve(skb, kNetSkbPad);
    return skb;
}

static void destroy(SkBuff* skb) {
    Sim* sim = skb->sim;
    delete skb;
    sim->skb_destroyed();
}

bool kfree_skb_reason(SkBuff* skb, DropReason reason) {
    if (!skb) return false;
    Sim& sim = *skb->sim;
    if (--skb->users > 0) return false;
    sim.charge(fn_info(Fn::kfree_skb_reason).cost_ns);
    sim.rec().skb_free(Fn::kfree_skb_reason, *skb, reason);
    destroy(skb);
    return true;
}

bool consume_skb(SkBuff* skb) {
    if (!skb) return false;
    Sim& sim = *skb->sim;
    if (--skb->users > 0) return false;
    sim.charge(fn_info(Fn::consume_skb).cost_ns);
    sim.rec().skb_free(Fn::consume_skb, *skb, DropReason::NotDropped);
    destroy(skb);
    return true;
}

static void panic(SkBuff* skb, const char* which, const char* op, uint32_t len) {
    std::string msg = std::string(which) + ": " + op + " of " + std::to_string(len) + " bytes: data " +
                      std::to_string(skb->data) + " tail " + std::to_string(skb->tail) + " end " +
                      std::to_string(skb->end) + " len " + std::to_string(skb->len);
    skb->sim->rec().error(msg, Layer::Mem, skb);
}

void skb_reserve(SkBuff* skb, uint32_t len) {
    if (skb->tail + len > skb->end || skb->len != 0) {
        panic(skb, "skb_over_panic", "skb_reserve", len);
        return;
    }
    skb->data += len;
    skb->tail += len;
    skb->sim->rec().skb_ptr("skb_reserve", *skb, len);
}

uint8_t* skb_put(SkBuff* skb, uint32_t len) {
    if (skb->is_nonlinear() || skb->tail + len > skb->end) {
        panic(skb, "skb_over_panic", "skb_put", len);
        return nullptr;
    }
    uint8_t* p = skb->head_ptr() + skb->tail;
    skb->tail += len;
    skb->len += len;
    skb->sim->rec().skb_ptr("skb_put", *skb, len);
    return p;
}

uint8_t* skb_put_data(SkBuff* skb, std::span<const uint8_t> bytes) {
    uint8_t* p = skb_put(skb, static_cast<uint32_t>(bytes.size()));
    if (p && !bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
    if (p) skb->sim->charge_bytes(bytes.size());
    return p;
}

uint8_t* skb_push(SkBuff* skb, uint32_t len) {
    if (len > skb->data) {
        panic(skb, "skb_under_panic", "skb_push", len);
        return nullptr;
    }
    skb->data -= len;
    skb->len += len;
    skb->sim->rec().skb_ptr("skb_push", *skb, len);
    return skb->data_ptr();
}

uint8_t* skb_pull(SkBuff* skb, uint32_t len) {
    if (len > skb->len || len > skb->headlen()) return nullptr;
    skb->data += len;
    skb->len -= len;
    skb->sim->rec().skb_ptr("skb_pull", *skb, len);
    return skb->data_ptr();
}

void skb_trim(SkBuff* skb, uint32_t len) {
    if (skb->len <= len || skb->is_nonlinear()) return;
    int64_t delta = static_cast<int64_t>(skb->len) - len;
    skb->len = len;
    skb->tail = skb->data + len;
    skb->sim->rec().skb_ptr("skb_trim", *skb, -delta);
}

void skb_reset_mac_header(SkBuff* skb) { skb->mac_header = static_cast<uint16_t>(skb->data); }
void skb_reset_network_header(SkBuff* skb) { skb->network_header = static_cast<uint16_t>(skb->data); }
void skb_reset_transport_header(SkBuff* skb) { skb->transport_header = static_cast<uint16_t>(skb->data); }
void skb_set_network_header(SkBuff* skb, int offset) {
    skb->network_header = static_cast<uint16_t>(static_cast<int>(skb->data) + offset);
}
void skb_set_transport_header(SkBuff* skb, int offset) {
    skb->transport_header = static_cast<uint16_t>(static_cast<int>(skb->data) + offset);
}

void skb_add_frag(SkBuff* skb, std::span<const uint8_t> bytes) {
    SkbFrag f;
    f.page = std::make_shared<std::vector<uint8_t>>(bytes.begin(), bytes.end());
    f.size = static_cast<uint32_t>(bytes.size());
    skb->frags.push_back(std::move(f));
    skb->len += static_cast<uint32_t>(bytes.size());
    skb->data_len += static_cast<uint32_t>(bytes.size());
    // skb_len_add: truesize grows by the bytes copied, as tcp_sendmsg_locked charges a page-frag
    // copy (the page itself is the task's page_frag, shared by many skbs).
    skb->truesize += static_cast<uint32_t>(bytes.size());
    skb->sim->charge_bytes(bytes.size());
    skb->sim->rec().skb_ptr("skb_copy_to_page_nocache", *skb, static_cast<int64_t>(bytes.size()));
}

bool skb_try_coalesce(SkBuff* to, SkBuff* from, uint32_t* delta_truesize) {
    const uint32_t len = from->len;
    if (to->cloned && to->dataref() != 1) return false; // skb_cloned(to)
    if (len <= skb_tailroom(to)) {
        const std::vector<uint8_t> bytes = from->to_bytes();
        skb_put_data(to, bytes);
        *delta_truesize = 0;
        return true;
    }
    if (from->headlen() != 0) return false; // skb_head_is_locked(from): no head_frag to steal
    if (to->frags.size() + from->frags.size() > MAX_SKB_FRAGS) return false;
    // delta = from->truesize - SKB_TRUESIZE(skb_end_offset(from)): what the frags cost
    const uint32_t head = from->end + skb_data_align(kSizeofSkBuff) + skb_data_align(kSizeofSharedInfo);
    const uint32_t delta = from->truesize > head ? from->truesize - head : 0;
    // The pages are shared (__skb_frag_ref); from keeps its len and truesize, as in Linux, for the
    // caller's accounting (tcp_event_data_recv) until it frees from.
    for (const SkbFrag& f : from->frags) to->frags.push_back(f);
    to->truesize += delta;
    to->len += len;
    to->data_len += len;
    *delta_truesize = delta;
    to->sim->rec().skb_ptr("skb_try_coalesce", *to, len);
    return true;
}

static void copy_header_fields(SkBuff* to, const SkBuff* from) {
    to->data = from->data;
    to->tail = from->tail;
    to->end = from->end;
    to->len = from->len;
    to->data_len = from->data_len;
    to->mac_header = from->mac_header;
    to->network_header = from->network_header;
    to->transport_header = from->transport_header;
    to->protocol = from->protocol;
    to->pkt_type = from->pkt_type;
    to->ip_summed = from->ip_summed;
    to->csum_start = from->csum_start;
    to->csum_offset = from->csum_offset;
    to->priority = from->priority;
    to->dev = from->dev;
    to->dst = from->dst;
    to->cb = from->cb;
    to->flow = from->flow;
    to->truesize = from->truesize;
    to->gso_segs = from->gso_segs;
}

SkBuff* skb_clone(SkBuff* skb, bool fclone) {
    Sim& sim = *skb->sim;
    TRACE_FUNC(sim, skb_clone, skb);
    SkBuff* n = new_skb(sim);
    copy_header_fields(n, skb);
    n->buf = skb->buf;
    n->frags = skb->frags;
    n->sk = nullptr;
    n->cloned = skb->cloned = true;
    n->fclone = skb->fclone = fclone;
    sim.rec().skb_alloc(Fn::skb_clone, *n, 0);
    return n;
}

SkBuff* skb_copy_linear(const SkBuff* skb, uint32_t headroom, uint32_t tailroom, Fn allocator) {
    Sim& sim = *skb->sim;
    SkBuff* n = new_skb(sim);
    copy_header_fields(n, skb);
    n->end = kmalloc_reserve_end(headroom + skb->len + tailroom);
    n->buf = std::make_shared<SkbDataBuf>();
    n->buf->bytes.assign(n->end + kSizeofSharedInfo, 0);
    n->buf->addr = sim.kmalloc_addr(n->buf->bytes.size());
    const std::vector<uint8_t> bytes = skb->to_bytes();
    std::memcpy(n->buf->bytes.data() + headroom, bytes.data(), bytes.size());
    // The header offsets move with data; the headroom's old bytes are not copied (skb_copy keeps
    // the same headroom and copies them: Linux's skb_copy_bits from -headroom).
    const auto moved = [&](uint16_t h) {
        return h == kHdrUnset ? h : static_cast<uint16_t>(h - skb->data + headroom);
    };
    if (headroom == skb->data) std::memcpy(n->buf->bytes.data(), skb->head_ptr(), headroom);
    n->mac_header = moved(skb->mac_header);
    n->network_header = moved(skb->network_header);
    n->transport_header = moved(skb->transport_header);
    if (skb->ip_summed == IpSummed::Partial) n->csum_start = moved(skb->csum_start);
    n->data = headroom;
    n->tail = headroom + skb->len;
    n->len = skb->len;
    n->data_len = 0;
    n->truesize = n->end + skb_data_align(kSizeofSkBuff) + skb_data_align(kSizeofSharedInfo);
    sim.charge_bytes(skb->len);
    sim.rec().skb_alloc(allocator, *n, skb->len);
    return n;
}

SkBuff* skb_copy(const SkBuff* skb) {
    TRACE_FUNC(*skb->sim, skb_copy, skb);
    // __alloc_skb(skb_end_offset(skb) + skb->data_len), the same headroom, all data linear.
    return skb_copy_linear(skb, skb->data, skb->end + skb->data_len - skb->data - skb->len, Fn::skb_copy);
}

bool pskb_expand_head(SkBuff* skb, uint32_t nhead, uint32_t ntail) {
    Sim& sim = *skb->sim;
    TRACE_FUNC(sim, pskb_expand_head, skb, nhead, ntail);
    uint32_t old_end = skb->end;
    uint32_t size = kmalloc_reserve_end(old_end + nhead + ntail);
    auto nb = std::make_shared<SkbDataBuf>();
    nb->bytes.assign(size + kSizeofSharedInfo, 0);
    nb->addr = sim.kmalloc_addr(nb->bytes.size());
    std::memcpy(nb->bytes.data() + nhead, skb->head_ptr(), skb->tail);
    skb->buf = std::move(nb);
    skb->data += nhead;
    skb->tail += nhead;
    skb->end = size;
    auto shift = [&](uint16_t& h) {
        if (h != kHdrUnset) h = static_cast<uint16_t>(h + nhead);
    };
    shift(skb->mac_header);
    shift(skb->network_header);
    shift(skb->transport_header);
    if (skb->ip_summed == IpSummed::Partial) skb->csum_start = static_cast<uint16_t>(skb->csum_start + nhead);
    skb->cloned = false;
    skb->truesize += size - old_end;
    sim.charge_bytes(skb->tail);
    sim.rec().skb_ptr("pskb_expand_head", *skb, nhead);
    return true;
}

bool pskb_may_pull(SkBuff* skb, uint32_t len) {
    if (len <= skb->headlen()) return true;
    if (len > skb->len) return false;
    // __pskb_pull_tail: move bytes from the frags into the linear part.
    uint32_t need = len - skb->headlen();
    if (skb->end - skb->tail < need) pskb_expand_head(skb, 0, need);
    while (need > 0 && !skb->frags.empty()) {
        SkbFrag& f = skb->frags.front();
        uint32_t take = std::min(need, f.size);
        std::memcpy(skb->head_ptr() + skb->tail, f.page->data() + f.offset, take);
        skb->tail += take;
        skb->data_len -= take;
        f.offset += take;
        f.size -= take;
        need -= take;
        if (f.size == 0) skb->frags.erase(skb->frags.begin());
    }
    skb->sim->rec().skb_ptr("__pskb_pull_tail", *skb, len);
    return true;
}

} // namespace skbscope
