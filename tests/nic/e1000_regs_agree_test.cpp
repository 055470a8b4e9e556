// The driver's and the device's copies of the 8254x interface (nic/driver/e1000_hw.h and
// nic/device/e1000_regs.h) must agree: offsets, bits and descriptor layouts. Only a test may see both.
#include <gtest/gtest.h>

#include <array>

#include "nic/device/e1000_regs.h"
#include "nic/driver/e1000_hw.h"

namespace skbscope {
namespace {

namespace dv = e1000_regs;
namespace hw = e1000_hw;

static_assert(dv::CTRL == hw::E1000_CTRL && dv::STATUS == hw::E1000_STATUS);
static_assert(dv::ICR == hw::E1000_ICR && dv::ITR == hw::E1000_ITR && dv::ICS == hw::E1000_ICS);
static_assert(dv::IMS == hw::E1000_IMS && dv::IMC == hw::E1000_IMC);
static_assert(dv::RCTL == hw::E1000_RCTL && dv::TCTL == hw::E1000_TCTL);
static_assert(dv::RDBAL == hw::E1000_RDBAL && dv::RDBAH == hw::E1000_RDBAH && dv::RDLEN == hw::E1000_RDLEN);
static_assert(dv::RDH == hw::E1000_RDH && dv::RDT == hw::E1000_RDT && dv::RDTR == hw::E1000_RDTR);
static_assert(dv::RADV == hw::E1000_RADV);
static_assert(dv::TDBAL == hw::E1000_TDBAL && dv::TDBAH == hw::E1000_TDBAH && dv::TDLEN == hw::E1000_TDLEN);
static_assert(dv::TDH == hw::E1000_TDH && dv::TDT == hw::E1000_TDT && dv::TIDV == hw::E1000_TIDV);
static_assert(dv::TADV == hw::E1000_TADV);
static_assert(dv::MPC == hw::E1000_MPC && dv::GPRC == hw::E1000_GPRC && dv::GPTC == hw::E1000_GPTC);
static_assert(dv::GORCL == hw::E1000_GORCL && dv::GOTCL == hw::E1000_GOTCL);
static_assert(dv::TPR == hw::E1000_TPR && dv::TPT == hw::E1000_TPT);
static_assert(dv::RAL0 == hw::E1000_RA && dv::RAH0 == hw::E1000_RA + 4);
static_assert(dv::ICR_TXDW == hw::E1000_ICR_TXDW && dv::ICR_TXQE == hw::E1000_ICR_TXQE);
static_assert(dv::ICR_LSC == hw::E1000_ICR_LSC && dv::ICR_RXDMT0 == hw::E1000_ICR_RXDMT0);
static_assert(dv::ICR_RXO == hw::E1000_ICR_RXO && dv::ICR_RXT0 == hw::E1000_ICR_RXT0);
static_assert(dv::RCTL_EN == hw::E1000_RCTL_EN && dv::RCTL_UPE == hw::E1000_RCTL_UPE);
static_assert(dv::RCTL_MPE == hw::E1000_RCTL_MPE && dv::RCTL_BAM == hw::E1000_RCTL_BAM);
static_assert(dv::RCTL_BSEX == hw::E1000_RCTL_BSEX && dv::RCTL_SECRC == hw::E1000_RCTL_SECRC);
static_assert(dv::TCTL_EN == hw::E1000_TCTL_EN && dv::TCTL_PSP == hw::E1000_TCTL_PSP);
static_assert(dv::RAH_AV == hw::E1000_RAH_AV);
static_assert(dv::kDescSize == hw::kDescSize);

TEST(E1000RegsAgree, BufferSizesTheDriverProgramsAreTheOnesTheDeviceUses) {
    EXPECT_EQ(dv::rctl_buffer_size(hw::E1000_RCTL_SZ_2048), 2048u);
    EXPECT_EQ(dv::rctl_buffer_size(hw::E1000_RCTL_SZ_4096 | hw::E1000_RCTL_BSEX), 4096u);
    EXPECT_EQ(dv::rctl_buffer_size(hw::E1000_RCTL_SZ_8192 | hw::E1000_RCTL_BSEX), 8192u);
    EXPECT_EQ(dv::rctl_buffer_size(hw::E1000_RCTL_SZ_16384 | hw::E1000_RCTL_BSEX), 16384u);
}

TEST(E1000RegsAgree, TxDescriptorTheDriverWritesIsTheOneTheDeviceReads) {
    std::array<uint8_t, 16> raw{};
    hw::write_tx_desc(raw,
                      {0x1122334455667788ull,
                       hw::E1000_TXD_CMD_EOP | hw::E1000_TXD_CMD_IFCS | hw::E1000_TXD_CMD_RS | 1514u, 0});
    const dv::TxDesc d = dv::TxDesc::load(raw);
    EXPECT_EQ(d.buffer_addr, 0x1122334455667788ull);
    EXPECT_EQ(d.length, 1514);
    EXPECT_EQ(d.cmd, dv::TXD_CMD_EOP | dv::TXD_CMD_IFCS | dv::TXD_CMD_RS);
    dv::TxDesc wb = d;
    wb.status = dv::TXD_STAT_DD;
    wb.store(raw);
    EXPECT_TRUE(hw::read_tx_desc(raw).upper & hw::E1000_TXD_STAT_DD);
}

TEST(E1000RegsAgree, RxDescriptorTheDeviceWritesIsTheOneTheDriverReads) {
    std::array<uint8_t, 16> raw{};
    dv::RxDesc d;
    d.buffer_addr = 0x100000000ull;
    d.length = 60;
    d.status = dv::RXD_STAT_DD | dv::RXD_STAT_EOP | dv::RXD_STAT_IXSM;
    d.errors = dv::RXD_ERR_RXE;
    d.store(raw);
    const hw::E1000RxDesc r = hw::read_rx_desc(raw);
    EXPECT_EQ(r.buffer_addr, 0x100000000ull);
    EXPECT_EQ(r.length, 60);
    EXPECT_EQ(r.status, hw::E1000_RXD_STAT_DD | hw::E1000_RXD_STAT_EOP | hw::E1000_RXD_STAT_IXSM);
    EXPECT_TRUE(r.errors & hw::E1000_RXD_ERR_FRAME_ERR_MASK);
}

} // namespace
} // namespace skbscope
