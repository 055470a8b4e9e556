// Seeded pseudo-random generator (splitmix64 seeding + xoshiro256**). The scenario's seed is the
// only source of randomness in a run, so a scenario gives the same trace every time.
#pragma once
#include <cstdint>

namespace skbscope {

class Rng {
public:
    explicit Rng(uint64_t seed = 1) { reseed(seed); }
    void reseed(uint64_t seed) {
        uint64_t x = seed;
        for (auto& s : m_s) {
            x += 0x9e3779b97f4a7c15ULL;
            uint64_t z = x;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            s = z ^ (z >> 31);
        }
    }
    uint64_t next_u64() {
        const uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    uint32_t next_u32() { return static_cast<uint32_t>(next_u64() >> 32); }
    // Uniform in [lo, hi] inclusive.
    uint64_t uniform(uint64_t lo, uint64_t hi) { return lo + next_u64() % (hi - lo + 1); }
    // True with probability p (0..1).
    bool chance(double p) { return (next_u64() >> 11) * (1.0 / 9007199254740992.0) < p; }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t m_s[4];
};

} // namespace skbscope
