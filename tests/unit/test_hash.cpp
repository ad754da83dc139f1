// The word-at-a-time hash behind Call-ID, AOR and URI identities: every byte and the length count,
// including the bytes that the last step reads twice (overlapping words) or picks (under 4 bytes).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <set>
#include <string>

#include "core/hash.h"

using namespace ka;

namespace {

std::uint64_t h(const std::string& s) { return hash::bytes(hash::kSeed, s.data(), s.size()); }

}  // namespace

TEST_CASE("hash: changing any one byte changes the hash, at every length up to 70") {
    std::string base;
    for (std::size_t n = 0; n <= 70; ++n, base.push_back(static_cast<char>('a' + n % 26))) {
        const std::uint64_t original = h(base);
        for (std::size_t i = 0; i < n; ++i)
            for (int bit = 0; bit < 8; ++bit) {
                std::string s = base;
                s[i] = static_cast<char>(s[i] ^ (1 << bit));
                INFO("length " << n << " byte " << i << " bit " << bit);
                REQUIRE(h(s) != original);
            }
    }
}

TEST_CASE("hash: strings of zero bytes differ by their length") {
    std::set<std::uint64_t> seen;
    for (std::size_t n = 0; n <= 64; ++n) REQUIRE(seen.insert(h(std::string(n, '\0'))).second);
}

TEST_CASE("hash: the seed counts") {
    const std::string s = "a84b4c76e66710@pc33.atlanta.com";
    REQUIRE(hash::bytes(1, s.data(), s.size()) != hash::bytes(2, s.data(), s.size()));
}

TEST_CASE("hash: no collisions among 200,000 Call-ID-like strings") {
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 200000; ++i) {
        const std::string s = std::to_string(i) + "@10.1." + std::to_string(i % 251) + ".7";
        REQUIRE(seen.insert(h(s)).second);
    }
}
