// Bus-address regions for the DMA engine.
#include "core/hw/dma.h"

#include <cstring>

namespace skbscope {

uint64_t DmaMemory::alloc_coherent(uint32_t size, std::string label) {
    uint64_t addr = m_next;
    m_next += (static_cast<uint64_t>(size) + 4095) & ~uint64_t(4095);
    Region r;
    r.buffer = std::make_shared<std::vector<uint8_t>>(size, 0);
    r.len = size;
    r.label = std::move(label);
    m_regions.emplace(addr, std::move(r));
    return addr;
}

uint64_t DmaMemory::map_single(std::shared_ptr<std::vector<uint8_t>> buffer, uint32_t offset, uint32_t len,
                               std::string label, uint32_t flow) {
    uint64_t addr = m_next;
    m_next += (static_cast<uint64_t>(len) + 4095) & ~uint64_t(4095);
    if (len == 0) m_next += 4096;
    m_regions.emplace(addr, Region{std::move(buffer), offset, len, std::move(label), flow});
    return addr;
}

bool DmaMemory::unmap(uint64_t addr) { return m_regions.erase(addr) != 0; }

const DmaMemory::Region* DmaMemory::find(uint64_t addr, uint64_t len, uint64_t* base) const {
    auto it = m_regions.upper_bound(addr);
    if (it == m_regions.begin()) return nullptr;
    --it;
    const Region& r = it->second;
    if (addr < it->first || addr + len > it->first + r.len) return nullptr;
    if (r.offset + r.len > r.buffer->size()) return nullptr;
    *base = it->first;
    return &r;
}

bool DmaMemory::read(uint64_t addr, std::span<uint8_t> out) const {
    uint64_t base;
    const Region* r = find(addr, out.size(), &base);
    if (!r) return false;
    if (!out.empty()) std::memcpy(out.data(), r->buffer->data() + r->offset + (addr - base), out.size());
    return true;
}

bool DmaMemory::write(uint64_t addr, std::span<const uint8_t> in) {
    uint64_t base;
    const Region* r = find(addr, in.size(), &base);
    if (!r) return false;
    if (!in.empty()) std::memcpy(r->buffer->data() + r->offset + (addr - base), in.data(), in.size());
    return true;
}

std::span<uint8_t> DmaMemory::host_view(uint64_t addr, uint32_t len) {
    uint64_t base;
    const Region* r = find(addr, len, &base);
    if (!r) return {};
    return std::span<uint8_t>(r->buffer->data() + r->offset + (addr - base), len);
}

uint32_t DmaMemory::flow_at(uint64_t addr) const {
    uint64_t base;
    const Region* r = find(addr, 0, &base);
    return r ? r->flow : 0;
}

void DmaMemory::set_flow(uint64_t addr, uint32_t flow) {
    uint64_t base;
    if (const Region* r = find(addr, 0, &base)) const_cast<Region*>(r)->flow = flow;
}

} // namespace skbscope
