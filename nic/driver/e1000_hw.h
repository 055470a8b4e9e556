// The driver's copy of the 8254x programming interface, with Linux's names (from
// drivers/net/ethernet/intel/e1000/e1000_hw.h): register offsets, bits and legacy descriptors.
// The device keeps its own copy (nic/device/e1000_regs.h, like QEMU's): the two sides share only
// the datasheet, and tests/nic check that the copies agree.
// SIMPLIFICATION: only what a legacy-descriptor, single-queue driver uses.
#pragma once
#include <cstdint>
#include <span>

namespace skbscope::e1000_hw {

// ---- registers ----
constexpr uint32_t E1000_CTRL = 0x00000, E1000_STATUS = 0x00008;
constexpr uint32_t E1000_ICR = 0x000C0, E1000_ITR = 0x000C4, E1000_ICS = 0x000C8;
constexpr uint32_t E1000_IMS = 0x000D0, E1000_IMC = 0x000D8;
constexpr uint32_t E1000_RCTL = 0x00100, E1000_TCTL = 0x00400;
constexpr uint32_t E1000_RDBAL = 0x02800, E1000_RDBAH = 0x02804, E1000_RDLEN = 0x02808;
constexpr uint32_t E1000_RDH = 0x02810, E1000_RDT = 0x02818, E1000_RDTR = 0x02820, E1000_RADV = 0x0282C;
constexpr uint32_t E1000_TDBAL = 0x03800, E1000_TDBAH = 0x03804, E1000_TDLEN = 0x03808;
constexpr uint32_t E1000_TDH = 0x03810, E1000_TDT = 0x03818, E1000_TIDV = 0x03820, E1000_TADV = 0x0382C;
constexpr uint32_t E1000_MPC = 0x04010, E1000_GPRC = 0x04074, E1000_GPTC = 0x04080;
constexpr uint32_t E1000_GORCL = 0x04088, E1000_GOTCL = 0x04090, E1000_RNBC = 0x040A0;
constexpr uint32_t E1000_TPR = 0x040D0, E1000_TPT = 0x040D4;
constexpr uint32_t E1000_RA = 0x05400; // RAL(n) = RA + 8n, RAH(n) = RA + 8n + 4

// ---- interrupt causes (ICR/ICS/IMS/IMC) ----
constexpr uint32_t E1000_ICR_TXDW = 0x01, E1000_ICR_TXQE = 0x02, E1000_ICR_LSC = 0x04;
constexpr uint32_t E1000_ICR_RXSEQ = 0x08, E1000_ICR_RXDMT0 = 0x10, E1000_ICR_RXO = 0x40;
constexpr uint32_t E1000_ICR_RXT0 = 0x80;
constexpr uint32_t E1000_ICS_LSC = E1000_ICR_LSC;
// The causes e1000_irq_enable unmasks.
constexpr uint32_t IMS_ENABLE_MASK =
    E1000_ICR_TXDW | E1000_ICR_RXT0 | E1000_ICR_LSC | E1000_ICR_RXO | E1000_ICR_RXDMT0;

// ---- RCTL ----
constexpr uint32_t E1000_RCTL_EN = 0x00000002, E1000_RCTL_SBP = 0x00000004;
constexpr uint32_t E1000_RCTL_UPE = 0x00000008, E1000_RCTL_MPE = 0x00000010, E1000_RCTL_LPE = 0x00000020;
constexpr uint32_t E1000_RCTL_LBM_NO = 0x00000000, E1000_RCTL_RDMTS_HALF = 0x00000000;
constexpr uint32_t E1000_RCTL_MO_SHIFT = 12, E1000_RCTL_BAM = 0x00008000;
constexpr uint32_t E1000_RCTL_SZ_2048 = 0x00000000, E1000_RCTL_SZ_4096 = 0x00030000;
constexpr uint32_t E1000_RCTL_SZ_8192 = 0x00020000, E1000_RCTL_SZ_16384 = 0x00010000;
constexpr uint32_t E1000_RCTL_BSEX = 0x02000000, E1000_RCTL_SECRC = 0x04000000;

// ---- TCTL ----
constexpr uint32_t E1000_TCTL_EN = 0x00000002, E1000_TCTL_PSP = 0x00000008;
constexpr uint32_t E1000_TCTL_CT = 0x00000ff0, E1000_TCTL_COLD = 0x003ff000, E1000_TCTL_RTLC = 0x01000000;
constexpr uint32_t E1000_CT_SHIFT = 4, E1000_COLD_SHIFT = 12;
constexpr uint32_t E1000_COLLISION_THRESHOLD = 15, E1000_FDX_COLLISION_DISTANCE = 63;

constexpr uint32_t E1000_RAH_AV = 0x80000000;

// ---- legacy descriptors (16 bytes, little endian) ----
// TX: buffer_addr (8) | lower.data = cmd << 24 | cso << 16 | length | upper.data = special << 16 | css << 8 |
// status
constexpr uint32_t E1000_TXD_CMD_EOP = 0x01000000, E1000_TXD_CMD_IFCS = 0x02000000;
constexpr uint32_t E1000_TXD_CMD_IC = 0x04000000, E1000_TXD_CMD_RS = 0x08000000;
constexpr uint32_t E1000_TXD_CMD_IDE = 0x80000000; // delay TXDW by TIDV/TADV
constexpr uint32_t E1000_TXD_STAT_DD = 0x00000001;
// RX: buffer_addr (8) | length (2) | csum (2) | status (1) | errors (1) | special (2)
constexpr uint8_t E1000_RXD_STAT_DD = 0x01, E1000_RXD_STAT_EOP = 0x02, E1000_RXD_STAT_IXSM = 0x04;
constexpr uint8_t E1000_RXD_STAT_TCPCS = 0x20, E1000_RXD_STAT_IPCS = 0x40;
constexpr uint8_t E1000_RXD_ERR_TCPE = 0x20, E1000_RXD_ERR_IPE = 0x40;
constexpr uint8_t E1000_RXD_ERR_FRAME_ERR_MASK = 0x97; // CE | SE | SEQ | CXE | RXE

struct E1000TxDesc {
    uint64_t buffer_addr = 0;
    uint32_t lower = 0; // lower.data
    uint32_t upper = 0; // upper.data
};
struct E1000RxDesc {
    uint64_t buffer_addr = 0;
    uint16_t length = 0, csum = 0;
    uint8_t status = 0, errors = 0;
    uint16_t special = 0;
};
constexpr uint32_t kDescSize = 16;

inline uint64_t le_get(std::span<const uint8_t> b, size_t off, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v |= uint64_t{b[off + i]} << (8 * i);
    return v;
}
inline void le_put(std::span<uint8_t> b, size_t off, size_t n, uint64_t v) {
    for (size_t i = 0; i < n; ++i)
        b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}
inline E1000TxDesc read_tx_desc(std::span<const uint8_t> b) {
    return {le_get(b, 0, 8), static_cast<uint32_t>(le_get(b, 8, 4)), static_cast<uint32_t>(le_get(b, 12, 4))};
}
inline void write_tx_desc(std::span<uint8_t> b, const E1000TxDesc& d) {
    le_put(b, 0, 8, d.buffer_addr);
    le_put(b, 8, 4, d.lower);
    le_put(b, 12, 4, d.upper);
}
inline E1000RxDesc read_rx_desc(std::span<const uint8_t> b) {
    E1000RxDesc d;
    d.buffer_addr = le_get(b, 0, 8);
    d.length = static_cast<uint16_t>(le_get(b, 8, 2));
    d.csum = static_cast<uint16_t>(le_get(b, 10, 2));
    d.status = b[12];
    d.errors = b[13];
    d.special = static_cast<uint16_t>(le_get(b, 14, 2));
    return d;
}
inline void write_rx_desc(std::span<uint8_t> b, const E1000RxDesc& d) {
    le_put(b, 0, 8, d.buffer_addr);
    le_put(b, 8, 2, d.length);
    le_put(b, 10, 2, d.csum);
    b[12] = d.status;
    b[13] = d.errors;
    le_put(b, 14, 2, d.special);
}

} // namespace skbscope::e1000_hw
