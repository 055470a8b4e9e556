// struct sk_buff, modelled on include/linux/skbuff.h: a descriptor over a real byte buffer.
//
//                                 ---------------
//                                | sk_buff       |
//                                 ---------------
//    ,---------------------------  + head
//   /          ,-----------------  + data
//  /          /      ,-----------  + tail
// |          |      |            , + end
// |          |      |           |
// v          v      v           v
//  -----------------------------------------------
// | headroom | data |  tailroom | skb_shared_info |
//  -----------------------------------------------
//                                 + [page frag]
//
// data, tail, end and the header marks are offsets from head (as Linux keeps tail and end on 64-bit).
// Every operation that moves a pointer emits an SkbPtr event with the new geometry. Breaking
// head <= data <= tail <= end is reported as Linux reports it (skb_over_panic / skb_under_panic)
// as an Error event and the operation is refused; it is never undefined behaviour.
// SIMPLIFICATION: page frags are owned byte vectors; no GSO; fclones are plain clones marked fclone.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/trace/tracepoints.h"
#include "core/trace/trace.h"

namespace skbscope {

class Sim;
class NetDevice;
struct Sock;

// The data buffer, shared by clones (skb_shared_info's dataref is the use count).
struct SkbDataBuf {
    std::vector<uint8_t> bytes; // head .. end + shinfo
    uint64_t addr = 0;          // kernel-like virtual address of head
};

struct SkbFrag {
    std::shared_ptr<std::vector<uint8_t>> page;
    uint32_t offset = 0, size = 0;
};

// The routing decision attached to an skb (skb_dst). The stack derives its rtable from this.
struct DstEntry {
    virtual ~DstEntry() = default;
    NetDevice* dev = nullptr;
    uint32_t mtu = 1500;
};

constexpr uint16_t kHdrUnset = 0xffff;
// Sizes of Linux's structures on x86-64 (6.x), used for truesize the way SKB_TRUESIZE computes it.
constexpr uint32_t kSizeofSkBuff = 232;
constexpr uint32_t kSizeofSharedInfo = 320;
constexpr uint32_t kSmpCacheBytes = 64;
constexpr uint32_t kNetSkbPad = 64; // NET_SKB_PAD: headroom drivers reserve on receive
inline constexpr uint32_t skb_data_align(uint32_t x) { return (x + kSmpCacheBytes - 1) & ~(kSmpCacheBytes - 1); }
// kmalloc_size_roundup: the slab bucket a kmalloc of n bytes comes from (8 .. 8192, with 96 and
// 192), or whole pages (a power of two) beyond.
uint32_t kmalloc_size_roundup(uint32_t n);
// skb_small_head_cache's object size: SKB_HEAD_ALIGN(MAX_TCP_HEADER) = 192 + 320 = 512, a power
// of two, so one cache line more (576) to tell it from kmalloc-512. A head that fits comes from it.
constexpr uint32_t kSkbSmallHeadCacheSize = 576;

enum class PktType : uint8_t { Host = 0, Broadcast = 1, Multicast = 2, OtherHost = 3, Outgoing = 4 };
enum class IpSummed : uint8_t { None = 0, Unnecessary = 1, Complete = 2, Partial = 3 };

class SkBuff {
public:
    // geometry (offsets from head)
    std::shared_ptr<SkbDataBuf> buf;
    uint32_t data = 0, tail = 0, end = 0;
    uint32_t len = 0, data_len = 0;
    uint16_t mac_header = kHdrUnset, network_header = kHdrUnset, transport_header = kHdrUnset;
    uint16_t protocol = 0; // EtherType, host byte order
    PktType pkt_type = PktType::Host;
    IpSummed ip_summed = IpSummed::None;
    // CHECKSUM_PARTIAL: the device sums from csum_start (offset from head) to the end and stores
    // the result at csum_start + csum_offset.
    uint16_t csum_start = 0, csum_offset = 0;
    uint32_t truesize = 0;
    int users = 1;
    bool cloned = false;
    bool fclone = false;
    uint8_t priority = 0;
    std::vector<SkbFrag> frags;

    NetDevice* dev = nullptr;
    Sock* sk = nullptr;
    std::shared_ptr<DstEntry> dst;
    std::array<uint8_t, 48> cb{}; // protocol-private control block (TCP_SKB_CB, IPCB)

    uint32_t id = 0;   // unique per run
    uint32_t flow = 0; // packet id: kept across hosts, clones and forwarding
    // Trace bookkeeping, not a kernel field: the Wire event (Recorder::wire's reference) of a frame
    // a veth sent, whose arrival the peer's __netif_receive_skb_core fills in. Not cloned.
    uint64_t wire_event = 0;
    // skb_shinfo(skb)->gso_segs: our TCP sends one-MSS skbs; those that go down as one GSO packet
    // carry its segment count (shared by clones, as skb_shared_info is). 0: not part of one.
    uint16_t gso_segs = 0;
    Sim* sim = nullptr;

    // head .. end as a span over the linear buffer
    uint8_t* head_ptr() { return buf->bytes.data(); }
    const uint8_t* head_ptr() const { return buf->bytes.data(); }
    uint8_t* data_ptr() { return head_ptr() + data; }
    const uint8_t* data_ptr() const { return head_ptr() + data; }
    uint32_t headlen() const { return len - data_len; }
    std::span<uint8_t> linear() { return {data_ptr(), headlen()}; }
    std::span<const uint8_t> linear() const { return {data_ptr(), headlen()}; }
    uint64_t head_addr() const { return buf->addr; }
    bool is_nonlinear() const { return data_len != 0; }
    int dataref() const { return static_cast<int>(buf.use_count()); }

    uint8_t* mac_ptr() { return head_ptr() + mac_header; }
    uint8_t* network_ptr() { return head_ptr() + network_header; }
    uint8_t* transport_ptr() { return head_ptr() + transport_header; }
    const uint8_t* network_ptr() const { return head_ptr() + network_header; }
    const uint8_t* transport_ptr() const { return head_ptr() + transport_header; }
    bool mac_header_was_set() const { return mac_header != kHdrUnset; }

    // All bytes of the packet from data (linear part, then frags).
    std::vector<uint8_t> to_bytes() const;
    SkbSnapshot snapshot() const;
    // head <= data <= tail <= end and len/data_len agree with the buffer; false on a broken invariant.
    bool check_invariants() const;
};

// ---- allocation and freeing (net/core/skbuff.c) ----
// __alloc_skb: a kmalloc'ed buffer for SKB_DATA_ALIGN(size) + skb_shared_info, rounded up to its
// slab bucket (or the small-head cache); end takes what the rounding gave; data = tail = head.
SkBuff* alloc_skb(Sim& sim, uint32_t size, Fn allocator = Fn::__alloc_skb);
// netdev_alloc_skb: reserves NET_SKB_PAD headroom, as receive buffers have.
SkBuff* netdev_alloc_skb(Sim& sim, NetDevice* dev, uint32_t length);
// Drops a reference; frees the skb on the last one, with a drop reason (traced). Returns true when freed.
bool kfree_skb_reason(SkBuff* skb, DropReason reason);
inline bool kfree_skb(SkBuff* skb) { return kfree_skb_reason(skb, DropReason::NotSpecified); }
// Frees an skb that was used successfully (not a drop).
bool consume_skb(SkBuff* skb);
// skb_get: takes a reference.
inline SkBuff* skb_get(SkBuff* skb) { ++skb->users; return skb; }

// ---- pointer operations ----
void skb_reserve(SkBuff* skb, uint32_t len);
// Extends the data at the tail; returns the start of the new area, or nullptr (skb_over_panic).
uint8_t* skb_put(SkBuff* skb, uint32_t len);
// skb_put and copy bytes in (skb_put_data).
uint8_t* skb_put_data(SkBuff* skb, std::span<const uint8_t> bytes);
// Extends the data at the front; returns the new data pointer, or nullptr (skb_under_panic).
uint8_t* skb_push(SkBuff* skb, uint32_t len);
// Removes len bytes at the front; nullptr when len > skb->len (as Linux returns NULL).
uint8_t* skb_pull(SkBuff* skb, uint32_t len);
// Cuts the linear data to len bytes.
void skb_trim(SkBuff* skb, uint32_t len);
inline uint32_t skb_headroom(const SkBuff* skb) { return skb->data; }
inline uint32_t skb_tailroom(const SkBuff* skb) { return skb->is_nonlinear() ? 0 : skb->end - skb->tail; }
void skb_reset_mac_header(SkBuff* skb);
void skb_reset_network_header(SkBuff* skb);
void skb_reset_transport_header(SkBuff* skb);
void skb_set_network_header(SkBuff* skb, int offset);
void skb_set_transport_header(SkBuff* skb, int offset);
// Appends a page fragment of bytes (paged data: len and data_len grow, tail does not), as
// tcp_sendmsg_locked's skb_copy_to_page_nocache + skb_fill_page_desc do: truesize grows by the
// bytes (the trace names the operation skb_copy_to_page_nocache).
void skb_add_frag(SkBuff* skb, std::span<const uint8_t> bytes);
constexpr uint32_t MAX_SKB_FRAGS = 17;
// skb_try_coalesce: appends from's data to to (TCP's receive queue tail), if to is not a clone:
// copied into to's tailroom when it fits, else from's page frags move over. *delta_truesize is
// what to's truesize grew by. from is left as it was; the caller frees it (kfree_skb_partial).
// SIMPLIFICATION: our heads are kmalloc'ed, never page frags (head_frag), so a from with linear
// data that does not fit the tailroom is refused (skb_head_is_locked) rather than its head stolen.
bool skb_try_coalesce(SkBuff* to, SkBuff* from, uint32_t* delta_truesize);

// ---- copies ----
// A new sk_buff sharing the data buffer; both become cloned. fclone marks TCP's fast clone.
SkBuff* skb_clone(SkBuff* skb, bool fclone = false);
// A private copy of header and data (linearised).
SkBuff* skb_copy(const SkBuff* skb);
// A new skb holding all of skb's data linear, with headroom in front and tailroom behind, in a
// kmalloc'ed head: what skb_copy, skb_copy_expand and skb_segment's non-scatter-gather path
// allocate. Header offsets and fields follow; the SkbAlloc event names allocator.
SkBuff* skb_copy_linear(const SkBuff* skb, uint32_t headroom, uint32_t tailroom, Fn allocator);
// Reallocates head with nhead more headroom and ntail more tailroom; the skb keeps its identity.
bool pskb_expand_head(SkBuff* skb, uint32_t nhead, uint32_t ntail);
// Makes sure the first len bytes are in the linear part; false when the skb is shorter.
bool pskb_may_pull(SkBuff* skb, uint32_t len);

} // namespace skbscope
