// Searching text for the first byte of a small fixed set (line ends, parameter separators). SIP
// parsing runs such searches over every byte of every message: sixteen bytes per step where SSE2 is
// there (every x86-64), with the set's bytes as constants of the code; a byte at a time elsewhere.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace ka {

template <char... Cs>
struct ByteSet {
    static constexpr bool has(char c) { return ((c == Cs) || ...); }

    // The first position in [from, end) of `p` holding a byte of the set, else end.
    static std::size_t first(const char* p, std::size_t from, std::size_t end) {
#ifdef __SSE2__
        for (; from + 16 <= end; from += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + from));
            __m128i hit = _mm_setzero_si128();
            ((hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8(Cs)))), ...);
            if (const int mask = _mm_movemask_epi8(hit)) return from + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
        }
#endif
        while (from < end && !has(p[from])) ++from;
        return from;
    }
};

}  // namespace ka
