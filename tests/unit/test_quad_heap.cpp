// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "core/quad_heap.h"

using ka::QuadHeap;

namespace {

struct Entry {
    std::int64_t at;
    std::uint32_t id;
    bool operator>(const Entry& o) const { return at != o.at ? at > o.at : id > o.id; }
    bool operator<(const Entry& o) const { return o > *this; }
};

std::vector<Entry> drain(QuadHeap<Entry>& h) {
    std::vector<Entry> out;
    while (!h.empty()) {
        out.push_back(h.top());
        h.pop();
    }
    return out;
}

}  // namespace

TEST_CASE("quad heap: pops in ascending order, ties by the whole order", "[quad_heap]") {
    std::mt19937 rng(7);
    std::vector<Entry> all;
    QuadHeap<Entry> h;
    // Few distinct times: many ties, broken by id.
    for (std::uint32_t i = 0; i < 5000; ++i) {
        Entry e{static_cast<std::int64_t>(rng() % 100), i};
        all.push_back(e);
        h.push(e);
    }
    REQUIRE(h.size() == 5000);
    std::sort(all.begin(), all.end());
    std::vector<Entry> got = drain(h);
    REQUIRE(got.size() == all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        CHECK(got[i].at == all[i].at);
        CHECK(got[i].id == all[i].id);
    }
}

TEST_CASE("quad heap: built from a vector, then pushes and pops interleaved", "[quad_heap]") {
    std::mt19937 rng(11);
    std::vector<Entry> items;
    for (std::uint32_t i = 0; i < 1001; ++i) items.push_back({static_cast<std::int64_t>(rng() % 10000), i});
    QuadHeap<Entry> h(items);
    std::vector<Entry> model = items;
    std::make_heap(model.begin(), model.end(), std::greater<Entry>());
    for (std::uint32_t i = 0; i < 3000; ++i) {
        if (rng() % 3 != 0 || model.empty()) {
            Entry e{static_cast<std::int64_t>(rng() % 10000), 2000 + i};
            h.push(e);
            model.push_back(e);
            std::push_heap(model.begin(), model.end(), std::greater<Entry>());
        } else {
            REQUIRE(h.top().id == model.front().id);
            h.pop();
            std::pop_heap(model.begin(), model.end(), std::greater<Entry>());
            model.pop_back();
        }
        REQUIRE(h.size() == model.size());
    }
    std::sort(model.begin(), model.end());
    std::vector<Entry> got = drain(h);
    REQUIRE(got.size() == model.size());
    for (std::size_t i = 0; i < model.size(); ++i) CHECK(got[i].id == model[i].id);
}

TEST_CASE("quad heap: empty and single-entry heaps", "[quad_heap]") {
    QuadHeap<Entry> h(std::vector<Entry>{});
    CHECK(h.empty());
    h.push({5, 1});
    CHECK(h.top().id == 1);
    h.pop();
    CHECK(h.empty());
    QuadHeap<Entry> one(std::vector<Entry>{{3, 9}});
    CHECK(one.top().at == 3);
}
