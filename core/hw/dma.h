// Simulated host memory as a device sees it over the bus: regions with bus addresses that the
// driver allocates (dma_alloc_coherent, for descriptor rings) or maps (dma_map_single, for packet
// buffers). The DMA engine reads and writes real bytes through it; an access outside any region is
// refused (and the device reports it as a warning), as an IOMMU fault would be.
// SIMPLIFICATION: each region also carries the packet id (flow) of the skb it belongs to. Hardware
// has no such thing; it is trace metadata so a packet can be followed from host to host.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace skbscope {

class DmaMemory {
public:
    // Coherent memory owned by the region (descriptor rings). Returns the bus address.
    uint64_t alloc_coherent(uint32_t size, std::string label);
    // Maps len bytes of a buffer that stays owned by the caller (an skb's data). The shared_ptr
    // keeps the buffer alive while mapped. Returns the bus address.
    uint64_t map_single(std::shared_ptr<std::vector<uint8_t>> buffer, uint32_t offset, uint32_t len,
                        std::string label, uint32_t flow);
    // Unmaps a region; false if addr does not start a mapped region.
    bool unmap(uint64_t addr);
    void free_coherent(uint64_t addr) { unmap(addr); }

    // Device-side access; false when [addr, addr+len) is not inside one region.
    bool read(uint64_t addr, std::span<uint8_t> out) const;
    bool write(uint64_t addr, std::span<const uint8_t> in);
    // Host-side view of a coherent region (the driver reads and writes descriptors through it).
    std::span<uint8_t> host_view(uint64_t addr, uint32_t len);
    uint32_t flow_at(uint64_t addr) const;
    void set_flow(uint64_t addr, uint32_t flow);
    size_t region_count() const { return m_regions.size(); }

private:
    struct Region {
        std::shared_ptr<std::vector<uint8_t>> buffer;
        uint32_t offset = 0, len = 0;
        std::string label;
        uint32_t flow = 0;
    };
    const Region* find(uint64_t addr, uint64_t len, uint64_t* base) const;
    std::map<uint64_t, Region> m_regions; // by bus address
    uint64_t m_next = 0x100000000ULL;      // bus addresses start at 4 GiB, 4 KiB aligned
};

} // namespace skbscope
