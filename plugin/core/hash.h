// Hashing for the engine's tables and for the identities it keeps as hashes (Call-IDs, AORs,
// segments). Works on 16 bytes per multiplication: a byte-at-a-time hash (FNV) waits on one
// multiplication per byte, and every SIP message hashes a hundred bytes or more.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ka::hash {

constexpr std::uint64_t kSeed = 0x9e3779b97f4a7c15ull;

inline std::uint64_t rotl(std::uint64_t x, int r) { return x << r | x >> (64 - r); }

// Folds one word into h (MurmurHash3's 64-bit block step).
inline std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    v *= 0x87c37b91114253d5ull;
    v = rotl(v, 31) * 0x4cf5ad432745937full;
    return rotl(h ^ v, 27) * 5 + 0x52dce729;
}

// splitmix64's finalizer: every input bit affects every output bit.
inline std::uint64_t finish(std::uint64_t h) {
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

// The 128-bit product of a and b folded to 64 bits: one multiplication mixes 16 bytes.
inline std::uint64_t fold_mul(std::uint64_t a, std::uint64_t b) {
    __extension__ using U128 = unsigned __int128;
    const U128 p = static_cast<U128>(a) * b;
    return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}

inline std::uint64_t load64(const unsigned char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

inline std::uint64_t load32(const unsigned char* p) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
}

// Folds n bytes into h, sixteen at a time, the length too. The last 1-16 bytes are read as two
// words that may overlap (or, under 4 bytes, the first, middle and last byte): with the length
// folded in, the words still determine the bytes. The construction is wyhash's (Wang Yi), with
// its constants: odd, with balanced bits, XORed into the words so that one product depends on
// all of h and the 16 bytes.
inline std::uint64_t bytes(std::uint64_t h, const void* data, std::size_t n) {
    constexpr std::uint64_t k1 = 0xa0761d6478bd642full, k2 = 0xe7037ed1a0b428dbull;
    const auto* p = static_cast<const unsigned char*>(data);
    h = fold_mul(h ^ k1, n ^ k2);
    for (; n > 16; p += 16, n -= 16) h = fold_mul(load64(p) ^ k1, load64(p + 8) ^ h);
    std::uint64_t a = 0, b = 0;
    if (n > 8) {
        a = load64(p);
        b = load64(p + n - 8);
    } else if (n >= 4) {
        a = load32(p);
        b = load32(p + n - 4);
    } else if (n > 0) {
        a = std::uint64_t{p[0]} << 16 | std::uint64_t{p[n / 2]} << 8 | p[n - 1];
    }
    return fold_mul(a ^ k1, b ^ h ^ k2);
}

}  // namespace ka::hash
