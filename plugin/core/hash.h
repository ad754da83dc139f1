// Hashing for the engine's tables and for the identities it keeps as hashes (Call-IDs, AORs,
// segments). Works on 64-bit words: a byte-at-a-time hash (FNV) waits on one multiplication per
// byte, and every SIP message hashes a hundred bytes or more.
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

// Folds n bytes into h, eight at a time; the length too, so that trailing zero bytes count.
inline std::uint64_t bytes(std::uint64_t h, const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    h = mix(h, n);
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = mix(h, w);
    }
    if (n > 0) {
        std::uint64_t w = 0;
        std::memcpy(&w, p, n);
        h = mix(h, w);
    }
    return h;
}

}  // namespace ka::hash
