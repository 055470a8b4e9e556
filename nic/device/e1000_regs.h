// The device's copy of the Intel 8254x (e1000) programming interface: register offsets, bits,
// legacy TX/RX descriptor layouts (as QEMU's hw/net/e1000_regs.h holds them for its model).
// The driver keeps its own copy (nic/driver/e1000_hw.h, like Linux's e1000_hw.h): the two sides
// share only the datasheet, and tests/nic check the copies agree.
// SIMPLIFICATION: legacy descriptors only (no context/data descriptors, no TSO); checksum offload by
// the legacy descriptor's CSO/CSS with CMD.IC.
#pragma once
#include <cstdint>
#include <span>

namespace skbscope::e1000_regs {

// ---- register offsets in the MMIO BAR ----
constexpr uint32_t CTRL = 0x0000, STATUS = 0x0008;
constexpr uint32_t ICR = 0x00C0, ITR = 0x00C4, ICS = 0x00C8, IMS = 0x00D0, IMC = 0x00D8;
constexpr uint32_t RCTL = 0x0100, TCTL = 0x0400;
constexpr uint32_t RDBAL = 0x2800, RDBAH = 0x2804, RDLEN = 0x2808, RDH = 0x2810, RDT = 0x2818;
constexpr uint32_t RDTR = 0x2820, RADV = 0x282C;
constexpr uint32_t TDBAL = 0x3800, TDBAH = 0x3804, TDLEN = 0x3808, TDH = 0x3810, TDT = 0x3818;
constexpr uint32_t TIDV = 0x3820, TADV = 0x382C;
constexpr uint32_t MPC = 0x4010, GPRC = 0x4074, GPTC = 0x4080, GORCL = 0x4088, GOTCL = 0x4090;
constexpr uint32_t RNBC = 0x40A0, TPR = 0x40D0, TPT = 0x40D4;
constexpr uint32_t RAL0 = 0x5400, RAH0 = 0x5404;
constexpr uint32_t kMmioSize = 0x20000; // BAR0 is 128 KiB

// ---- interrupt causes (ICR, ICS, IMS, IMC share the bit layout) ----
constexpr uint32_t ICR_TXDW = 0x01;   // a descriptor with RS was written back
constexpr uint32_t ICR_TXQE = 0x02;   // transmit queue empty (TDH == TDT)
constexpr uint32_t ICR_LSC = 0x04;    // link status change
constexpr uint32_t ICR_RXDMT0 = 0x10; // free RX descriptors reached the minimum threshold
constexpr uint32_t ICR_RXO = 0x40;    // receiver overrun (no descriptor for a frame)
constexpr uint32_t ICR_RXT0 = 0x80;   // receiver timer: a frame was written back
constexpr uint32_t ICR_INT_ASSERTED = 0x80000000u;

// ---- CTRL, STATUS ----
constexpr uint32_t CTRL_FD = 1u << 0, CTRL_SLU = 1u << 6, CTRL_RST = 1u << 26;
constexpr uint32_t STATUS_FD = 1u << 0, STATUS_LU = 1u << 1, STATUS_SPEED_1000 = 2u << 6;

// ---- RCTL ----
constexpr uint32_t RCTL_EN = 1u << 1;
constexpr uint32_t RCTL_UPE = 1u << 3;                              // unicast promiscuous
constexpr uint32_t RCTL_MPE = 1u << 4;                              // multicast promiscuous
constexpr uint32_t RCTL_LPE = 1u << 5;                              // long packets
constexpr uint32_t RCTL_RDMTS_SHIFT = 8, RCTL_RDMTS_MASK = 3u << 8; // 0: 1/2, 1: 1/4, 2: 1/8
constexpr uint32_t RCTL_BAM = 1u << 15;                             // accept broadcast
constexpr uint32_t RCTL_BSIZE_SHIFT = 16, RCTL_BSIZE_MASK = 3u << 16;
constexpr uint32_t RCTL_BSEX = 1u << 25;  // buffer size extension (x16)
constexpr uint32_t RCTL_SECRC = 1u << 26; // strip Ethernet CRC
// Receive buffer size from RCTL.BSIZE/BSEX (8254x manual 13.4.22).
inline uint32_t rctl_buffer_size(uint32_t rctl) {
    const uint32_t bsize = (rctl & RCTL_BSIZE_MASK) >> RCTL_BSIZE_SHIFT;
    static constexpr uint32_t kNormal[4] = {2048, 1024, 512, 256};
    static constexpr uint32_t kExtended[4] = {2048, 16384, 8192, 4096}; // BSEX with 00 is reserved
    return (rctl & RCTL_BSEX) ? kExtended[bsize] : kNormal[bsize];
}

// ---- TCTL ----
constexpr uint32_t TCTL_EN = 1u << 1, TCTL_PSP = 1u << 3;

// ---- RAH ----
constexpr uint32_t RAH_AV = 1u << 31; // address valid

// ---- legacy descriptors: 16 bytes, little endian, in host memory ----
constexpr uint32_t kDescSize = 16;
constexpr uint32_t kRingLenAlign = 128; // TDLEN/RDLEN must be a multiple of 128 bytes

constexpr uint8_t TXD_CMD_EOP = 0x01, TXD_CMD_IFCS = 0x02, TXD_CMD_IC = 0x04, TXD_CMD_RS = 0x08;
constexpr uint8_t TXD_CMD_IDE = 0x80; // interrupt delay enable: TXDW waits for TIDV/TADV
constexpr uint8_t TXD_STAT_DD = 0x01;
constexpr uint8_t RXD_STAT_DD = 0x01, RXD_STAT_EOP = 0x02, RXD_STAT_IXSM = 0x04;
constexpr uint8_t RXD_ERR_RXE = 0x80;

//  0        8      10    11    12     13    14
// | buffer_addr | length | cso | cmd | status | css | special |
struct TxDesc {
    uint64_t buffer_addr = 0;
    uint16_t length = 0;
    uint8_t cso = 0, cmd = 0, status = 0, css = 0;
    uint16_t special = 0;
    static constexpr uint32_t kStatusOffset = 12; // write-back touches bytes 12..15 only

    static TxDesc load(std::span<const uint8_t> b);
    void store(std::span<uint8_t> b) const;
};

//  0        8      10     12       13       14
// | buffer_addr | length | csum | status | errors | special |
struct RxDesc {
    uint64_t buffer_addr = 0;
    uint16_t length = 0, csum = 0;
    uint8_t status = 0, errors = 0;
    uint16_t special = 0;
    static constexpr uint32_t kLengthOffset = 8; // write-back touches bytes 8..15

    static RxDesc load(std::span<const uint8_t> b);
    void store(std::span<uint8_t> b) const;
};

// Little-endian loads and stores (the 8254x is a little-endian PCI device).
inline uint64_t get_le(std::span<const uint8_t> b, size_t off, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v |= uint64_t{b[off + i]} << (8 * i);
    return v;
}
inline void put_le(std::span<uint8_t> b, size_t off, size_t n, uint64_t v) {
    for (size_t i = 0; i < n; ++i)
        b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

inline TxDesc TxDesc::load(std::span<const uint8_t> b) {
    TxDesc d;
    d.buffer_addr = get_le(b, 0, 8);
    d.length = static_cast<uint16_t>(get_le(b, 8, 2));
    d.cso = b[10];
    d.cmd = b[11];
    d.status = b[12];
    d.css = b[13];
    d.special = static_cast<uint16_t>(get_le(b, 14, 2));
    return d;
}
inline void TxDesc::store(std::span<uint8_t> b) const {
    put_le(b, 0, 8, buffer_addr);
    put_le(b, 8, 2, length);
    b[10] = cso;
    b[11] = cmd;
    b[12] = status;
    b[13] = css;
    put_le(b, 14, 2, special);
}
inline RxDesc RxDesc::load(std::span<const uint8_t> b) {
    RxDesc d;
    d.buffer_addr = get_le(b, 0, 8);
    d.length = static_cast<uint16_t>(get_le(b, 8, 2));
    d.csum = static_cast<uint16_t>(get_le(b, 10, 2));
    d.status = b[12];
    d.errors = b[13];
    d.special = static_cast<uint16_t>(get_le(b, 14, 2));
    return d;
}
inline void RxDesc::store(std::span<uint8_t> b) const {
    put_le(b, 0, 8, buffer_addr);
    put_le(b, 8, 2, length);
    put_le(b, 10, 2, csum);
    b[12] = status;
    b[13] = errors;
    put_le(b, 14, 2, special);
}

} // namespace skbscope::e1000_regs

namespace skbscope {

// A descriptor slot's state as the device sees it, one byte per slot in the device's Ring events
// (the ring views draw them). Posted: handed to hardware by a tail write, not yet fetched.
//   Empty --tail write--> Posted --DMA read--> Fetched --buffer done--> Processed --DD--> WrittenBack
enum class DescState : uint8_t { Empty = 0, Posted = 1, Fetched = 2, Processed = 3, WrittenBack = 4 };

} // namespace skbscope
