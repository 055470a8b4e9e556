// sk_buff: geometry after each operation as include/linux/skbuff.h defines it, invariants,
// the panics reported as Error events (never undefined behaviour), clones sharing data, copies,
// expansion, and the trace events every pointer move emits.
#include <gtest/gtest.h>

#include <cstring>

#include "core/skb/skbuff.h"
#include "core/time/sim.h"

using namespace skbscope;

class SkBuffTest : public ::testing::Test {
protected:
    Sim sim{1};
    size_t count(EventKind k) const {
        size_t n = 0;
        for (const auto& e : sim.trace().events) n += e.kind == k;
        return n;
    }
};

TEST_F(SkBuffTest, AllocReservePutPushPullTrim) {
    SkBuff* skb = alloc_skb(sim, 200);
    EXPECT_EQ(skb->end, skb_data_align(200));
    EXPECT_EQ(skb->data, 0u);
    EXPECT_EQ(skb->truesize, skb_data_align(200) + skb_data_align(kSizeofSkBuff) + skb_data_align(kSizeofSharedInfo));
    skb_reserve(skb, 64);
    EXPECT_EQ(skb_headroom(skb), 64u);
    uint8_t* p = skb_put(skb, 100);
    ASSERT_NE(p, nullptr);
    std::memset(p, 0xab, 100);
    EXPECT_EQ(skb->len, 100u);
    EXPECT_EQ(skb->tail, 164u);
    uint8_t* h = skb_push(skb, 20);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(skb->data, 44u);
    EXPECT_EQ(skb->len, 120u);
    skb_reset_network_header(skb);
    EXPECT_EQ(skb->network_header, 44);
    EXPECT_NE(skb_pull(skb, 20), nullptr);
    EXPECT_EQ(skb->data, 64u);
    EXPECT_EQ(skb_pull(skb, 101), nullptr) << "Linux returns NULL when pulling more than len";
    skb_trim(skb, 10);
    EXPECT_EQ(skb->len, 10u);
    EXPECT_EQ(skb->tail, 74u);
    EXPECT_TRUE(skb->check_invariants());
    EXPECT_EQ(count(EventKind::SkbPtr), 5u); // reserve, put, push, pull, trim (the refused pull emits nothing)
    EXPECT_TRUE(consume_skb(skb));
    EXPECT_EQ(sim.live_skbs(), 0);
}

TEST_F(SkBuffTest, OverAndUnderPanicAreErrorEventsAndRefused) {
    SkBuff* skb = alloc_skb(sim, 64);
    skb_reserve(skb, 16);
    EXPECT_EQ(skb_push(skb, 17), nullptr);
    EXPECT_EQ(skb_put(skb, 1000), nullptr);
    EXPECT_EQ(skb->data, 16u);
    EXPECT_EQ(skb->len, 0u);
    EXPECT_TRUE(skb->check_invariants());
    ASSERT_EQ(count(EventKind::Error), 2u);
    std::string first(sim.trace().str(sim.trace().events[sim.trace().events.size() - 2].ref));
    EXPECT_EQ(first.rfind("skb_under_panic", 0), 0u) << first;
    kfree_skb(skb);
}

TEST_F(SkBuffTest, CloneSharesDataAndFreesOnLastReference) {
    SkBuff* skb = alloc_skb(sim, 128);
    skb->flow = sim.new_flow();
    skb_put(skb, 50);
    SkBuff* c = skb_clone(skb, true);
    EXPECT_TRUE(skb->cloned && c->cloned);
    EXPECT_EQ(c->buf, skb->buf);
    EXPECT_EQ(skb->dataref(), 2);
    EXPECT_EQ(c->flow, skb->flow);
    EXPECT_NE(c->id, skb->id);
    SkBuff* copy = skb_copy(skb);
    EXPECT_NE(copy->buf, skb->buf);
    EXPECT_EQ(copy->to_bytes(), skb->to_bytes());
    skb_get(skb);
    EXPECT_FALSE(kfree_skb(skb)); // users 2 -> 1
    EXPECT_TRUE(kfree_skb_reason(skb, DropReason::NeighQueuefull));
    EXPECT_EQ(c->dataref(), 1);
    consume_skb(c);
    consume_skb(copy);
    EXPECT_EQ(sim.live_skbs(), 0);
    // The drop carries its Linux reason.
    bool found = false;
    for (const auto& e : sim.trace().events)
        found |= e.kind == EventKind::SkbFree && e.a[0] == static_cast<int64_t>(DropReason::NeighQueuefull);
    EXPECT_TRUE(found);
    EXPECT_EQ(drop_reason_name(DropReason::NeighQueuefull), "NEIGH_QUEUEFULL");
}

TEST_F(SkBuffTest, ExpandHeadKeepsBytesAndHeaderOffsets) {
    SkBuff* skb = alloc_skb(sim, 64);
    skb_reserve(skb, 8);
    uint8_t* p = skb_put(skb, 40);
    for (int i = 0; i < 40; ++i) p[i] = static_cast<uint8_t>(i);
    skb_reset_network_header(skb);
    auto before = skb->to_bytes();
    ASSERT_TRUE(pskb_expand_head(skb, 64, 0));
    EXPECT_EQ(skb_headroom(skb), 72u);
    EXPECT_EQ(skb->network_header, 72);
    EXPECT_EQ(skb->to_bytes(), before);
    EXPECT_NE(skb_push(skb, 60), nullptr);
    EXPECT_TRUE(skb->check_invariants());
    consume_skb(skb);
}

TEST_F(SkBuffTest, PagedDataAndMayPull) {
    SkBuff* skb = alloc_skb(sim, 128);
    skb_put(skb, 10);
    std::vector<uint8_t> frag(30, 7);
    skb_add_frag(skb, frag);
    EXPECT_EQ(skb->len, 40u);
    EXPECT_EQ(skb->data_len, 30u);
    EXPECT_EQ(skb_tailroom(skb), 0u) << "no tailroom once nonlinear, as Linux";
    EXPECT_TRUE(skb->check_invariants());
    EXPECT_TRUE(pskb_may_pull(skb, 25));
    EXPECT_EQ(skb->headlen(), 25u);
    EXPECT_FALSE(pskb_may_pull(skb, 41));
    EXPECT_EQ(skb->to_bytes().size(), 40u);
    EXPECT_TRUE(skb->check_invariants());
    consume_skb(skb);
}

TEST_F(SkBuffTest, SnapshotHoldsGeometryAndHeaderBytes) {
    SkBuff* skb = alloc_skb(sim, 128);
    skb_reserve(skb, 32);
    skb_put(skb, 20)[0] = 0x45; // the snapshot of skb_put was taken before this write
    skb_push(skb, 14);
    const auto& ev = sim.trace().events.back();
    ASSERT_EQ(ev.kind, EventKind::SkbPtr);
    EXPECT_EQ(ev.a[0], 14);
    const SkbSnapshot* s = sim.trace().snapshot(ev.ref);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->data, 18u);
    EXPECT_EQ(s->tail, 52u);
    EXPECT_EQ(s->len, 34u);
    EXPECT_GE(s->head_addr, 0xffff888100000000ULL);
    auto bytes = sim.trace().blob(s->bytes);
    ASSERT_EQ(bytes.size(), 34u);
    EXPECT_EQ(bytes[14], 0x45);
    consume_skb(skb);
}

// __alloc_skb's head comes from kmalloc_reserve: the small-head cache (576) or a slab bucket, and
// skb_shared_info sits at its very end, so end and truesize take what the rounding gave.
TEST_F(SkBuffTest, HeadsComeFromSlabBucketsAsKmallocReserveGives) {
    EXPECT_EQ(kmalloc_size_roundup(96), 96u);
    EXPECT_EQ(kmalloc_size_roundup(97), 128u);
    EXPECT_EQ(kmalloc_size_roundup(193), 256u);
    EXPECT_EQ(kmalloc_size_roundup(1984), 2048u);
    EXPECT_EQ(kmalloc_size_roundup(8193), 16384u);
    struct Case {
        uint32_t size, end, truesize;
    };
    // 192: MAX_TCP_HEADER, the small-head cache; 1640: a linear 1448-byte TCP segment with its
    // headers and 126 bytes of headroom, kmalloc-2048 (Linux: truesize 2304); 4000: kmalloc-8192.
    for (const Case& c : {Case{192, 256, 832}, Case{1640, 1728, 2304}, Case{4000, 7872, 8448}}) {
        SkBuff* skb = alloc_skb(sim, c.size);
        EXPECT_EQ(skb->end, c.end) << c.size;
        EXPECT_EQ(skb->truesize, c.truesize) << c.size;
        EXPECT_TRUE(skb->check_invariants());
        kfree_skb(skb);
    }
    // A driver's receive buffer is a page fragment of exactly SKB_HEAD_ALIGN(len): no rounding.
    SkBuff* rx = netdev_alloc_skb(sim, nullptr, 1522);
    EXPECT_EQ(rx->end, skb_data_align(1522 + kNetSkbPad));
    kfree_skb(rx);
}

// skb_try_coalesce: small data is copied into the tail's room; paged data moves over as frags,
// charging only the frags' share of truesize; a linear from that does not fit, or a cloned to,
// is refused.
TEST_F(SkBuffTest, TryCoalesceCopiesIntoTailroomOrTakesFrags) {
    std::vector<uint8_t> payload(1448, 0x5a);
    SkBuff* to = alloc_skb(sim, 192);
    skb_reserve(to, 192);
    skb_add_frag(to, payload);
    SkBuff* from = alloc_skb(sim, 192);
    skb_reserve(from, 192);
    skb_add_frag(from, payload);
    const uint32_t from_truesize = from->truesize;
    uint32_t delta = 0;
    ASSERT_TRUE(skb_try_coalesce(to, from, &delta));
    EXPECT_EQ(delta, 1448u) << "from's truesize less SKB_TRUESIZE(its end): the frag";
    EXPECT_EQ(to->len, 2896u);
    EXPECT_EQ(to->frags.size(), 2u);
    EXPECT_EQ(to->truesize, 832u + 2 * 1448u);
    EXPECT_EQ(from->truesize, from_truesize) << "from is left for the caller to account and free";
    EXPECT_TRUE(to->check_invariants());
    kfree_skb(from);

    SkBuff* lin = alloc_skb(sim, 1640); // a linear segment: no room in a paged to, no head to steal
    skb_reserve(lin, 126);
    skb_put_data(lin, payload);
    EXPECT_FALSE(skb_try_coalesce(to, lin, &delta));

    SkBuff* small_to = alloc_skb(sim, 1640);
    skb_put_data(small_to, std::vector<uint8_t>(100, 1));
    SkBuff* small = alloc_skb(sim, 192);
    skb_put_data(small, std::vector<uint8_t>(50, 2));
    ASSERT_TRUE(skb_try_coalesce(small_to, small, &delta));
    EXPECT_EQ(delta, 0u);
    EXPECT_EQ(small_to->len, 150u);
    EXPECT_EQ(small_to->data_ptr()[120], 2);
    SkBuff* clone = skb_clone(small_to);
    EXPECT_FALSE(skb_try_coalesce(small_to, lin, &delta)) << "a cloned to is never written";
    for (SkBuff* s : {to, lin, small_to, small, clone}) kfree_skb(s);
    EXPECT_EQ(sim.live_skbs(), 0);
}
