// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>

#include "core/flat_map.h"

using ka::FlatMap;

TEST_CASE("flat map: insert, find, overwrite, erase", "[flat_map]") {
    FlatMap<std::uint64_t, std::string> m;
    CHECK(m.find(7) == nullptr);
    CHECK_FALSE(m.erase(7));
    m[7] = "seven";
    m[1ull << 40] = "big";
    REQUIRE(m.find(7) != nullptr);
    CHECK(*m.find(7) == "seven");
    CHECK(*m.find(1ull << 40) == "big");
    CHECK(m.size() == 2);
    m[7] = "again";
    CHECK(m.size() == 2);
    CHECK(*m.find(7) == "again");
    CHECK(m.erase(7));
    CHECK(m.find(7) == nullptr);
    CHECK(m.size() == 1);
    CHECK(m[7].empty());  // value-initialised on re-insertion
}

// Keys that all land in one probe run (same home slot) are the case backward-shift deletion must
// get right: erasing the first or a middle one must leave every other one reachable.
TEST_CASE("flat map: erasing inside a collision run keeps the rest reachable", "[flat_map]") {
    struct Same {
        std::size_t operator()(std::uint32_t) const { return 0; }
    };
    for (std::uint32_t victim = 0; victim < 8; ++victim) {
        FlatMap<std::uint32_t, std::uint32_t, Same> m;
        for (std::uint32_t k = 0; k < 8; ++k) m[k] = k * 10;
        REQUIRE(m.erase(victim));
        for (std::uint32_t k = 0; k < 8; ++k) {
            if (k == victim) {
                CHECK(m.find(k) == nullptr);
            } else {
                REQUIRE(m.find(k) != nullptr);
                CHECK(*m.find(k) == k * 10);
            }
        }
    }
}

TEST_CASE("flat map: agrees with std::unordered_map over random operations", "[flat_map]") {
    std::mt19937_64 rng(12345);
    FlatMap<std::uint64_t, std::uint64_t> m;
    std::unordered_map<std::uint64_t, std::uint64_t> ref;
    for (int step = 0; step < 200000; ++step) {
        // A small key space makes hits, misses, overwrites and erasures all frequent; the high
        // bits vary as in (interface << 32 | id) keys.
        const std::uint64_t key = (rng() % 4096) | (rng() % 3) << 32;
        switch (rng() % 4) {
        case 0:
        case 1: {
            const std::uint64_t v = rng();
            m[key] = v;
            ref[key] = v;
            break;
        }
        case 2: CHECK(m.erase(key) == (ref.erase(key) == 1)); break;
        default: {
            const std::uint64_t* v = m.find(key);
            auto it = ref.find(key);
            REQUIRE((v != nullptr) == (it != ref.end()));
            if (v) CHECK(*v == it->second);
        }
        }
        REQUIRE(m.size() == ref.size());
    }
    std::size_t seen = 0;
    m.for_each([&](std::uint64_t k, std::uint64_t v) {
        ++seen;
        auto it = ref.find(k);
        REQUIRE(it != ref.end());
        CHECK(it->second == v);
    });
    CHECK(seen == ref.size());
    m.clear();
    CHECK(m.empty());
    CHECK(m.find(1) == nullptr);
}

TEST_CASE("flat map: erase_oldest forgets the entries of smallest age") {
    FlatMap<std::uint64_t, std::uint32_t> m;
    // Key k was last active at (k * 7) % 100: a permutation of 0..99.
    for (std::uint64_t k = 0; k < 100; ++k) m[k] = static_cast<std::uint32_t>(k * 7 % 100);
    erase_oldest(m, 30, [](std::uint32_t when) { return when; });
    CHECK(m.size() == 70);
    m.for_each([](std::uint64_t, std::uint32_t when) { CHECK(when >= 30); });
    erase_oldest(m, 0, [](std::uint32_t when) { return when; });
    CHECK(m.size() == 70);
    erase_oldest(m, 1000, [](std::uint32_t when) { return when; });
    CHECK(m.empty());
}
