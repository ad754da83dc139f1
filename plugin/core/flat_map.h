// The engine's hash table for lookups made on every frame: open addressing with linear probing in
// one array of (key, value) slots, power-of-two capacity. A lookup touches one or two adjacent
// cache lines, where std::unordered_map follows a bucket, the node before and the node itself
// (three cache misses once the tables outgrow the CPU caches) and divides by a prime.
// Pointers and references to values are invalidated by any insertion or erasure.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace ka {

template <class K, class V, class Hash = std::hash<K>>
class FlatMap {
public:
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    // Memory held: slots are allocated for the whole capacity.
    std::size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

    V* find(const K& key) {
        if (size_ == 0) return nullptr;
        for (std::size_t i = home(key);; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (!s.used) return nullptr;
            if (s.key == key) return &s.value;
        }
    }
    const V* find(const K& key) const { return const_cast<FlatMap*>(this)->find(key); }
    // Starts loading the slot where a lookup of `key` begins, so that the lookup, made after other
    // work, does not wait for memory.
    void prefetch(const K& key) const {
        if (size_ != 0) __builtin_prefetch(&slots_[home(key)]);
    }
    bool contains(const K& key) const { return find(key) != nullptr; }

    // The value of `key`, value-initialised if it was absent.
    V& operator[](const K& key) {
        if ((size_ + 1) * 4 > slots_.size() * 3) grow();
        std::size_t i = home(key);
        for (; slots_[i].used; i = (i + 1) & mask_)
            if (slots_[i].key == key) return slots_[i].value;
        Slot& s = slots_[i];
        s.key = key;
        s.value = V{};
        s.used = true;
        ++size_;
        return s.value;
    }

    bool erase(const K& key) {
        if (size_ == 0) return false;
        for (std::size_t i = home(key);; i = (i + 1) & mask_) {
            if (!slots_[i].used) return false;
            if (slots_[i].key == key) {
                erase_slot(i);
                return true;
            }
        }
    }

    // Erases some entry, the first one found: how a table bounded at random makes room.
    void erase_any() {
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i].used) return erase_slot(i);
    }

    // f(key, value) for every entry, in no particular order. f must not insert or erase.
    template <class F>
    void for_each(F&& f) const {
        for (const Slot& s : slots_)
            if (s.used) f(s.key, s.value);
    }
    template <class F>
    void for_each(F&& f) {
        for (Slot& s : slots_)
            if (s.used) f(s.key, s.value);
    }

    void clear() {
        slots_.clear();
        slots_.shrink_to_fit();
        size_ = 0;
        mask_ = 0;
        shift_ = 64;
    }

private:
    // The flag next to the key: a probe reads both, and for a large value they share a cache line.
    struct Slot {
        K key{};
        bool used = false;
        V value{};
    };

    // Fibonacci hashing: the top bits of the product depend on every bit of the hash, so keys
    // that differ only in high bits (interface << 32 | id) still spread.
    std::size_t home(const K& key) const {
        return static_cast<std::size_t>((static_cast<std::uint64_t>(Hash{}(key)) * 0x9E3779B97F4A7C15ull) >> shift_);
    }

    void grow() {
        std::vector<Slot> old;
        old.swap(slots_);
        const std::size_t capacity = old.empty() ? 16 : old.size() * 2;
        slots_.resize(capacity);
        mask_ = capacity - 1;
        shift_ = 64;
        for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
        for (Slot& s : old) {
            if (!s.used) continue;
            std::size_t i = home(s.key);
            while (slots_[i].used) i = (i + 1) & mask_;
            slots_[i] = std::move(s);
        }
    }

    // Backward-shift deletion: later entries of the probe run move up, so no tombstones pile up.
    void erase_slot(std::size_t hole) {
        for (std::size_t j = (hole + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
            const std::size_t h = home(slots_[j].key);
            // The entry at j may fill the hole if the hole lies on its probe path [h, j).
            if (((j - h) & mask_) >= ((j - hole) & mask_)) {
                slots_[hole] = std::move(slots_[j]);
                hole = j;
            }
        }
        slots_[hole] = Slot{};
        --size_;
    }

    std::vector<Slot> slots_;
    std::size_t size_ = 0;
    std::size_t mask_ = 0;
    unsigned shift_ = 64;
};

// Erases the `n` entries whose age(value) is smallest: how a table at its bound makes room, by
// forgetting what was least recently active.
template <class K, class V, class Hash, class Age>
void erase_oldest(FlatMap<K, V, Hash>& map, std::size_t n, Age age) {
    n = std::min(n, map.size());
    if (n == 0) return;
    using When = decltype(age(std::declval<const V&>()));
    std::vector<std::pair<When, K>> order;
    order.reserve(map.size());
    map.for_each([&](const K& key, const V& value) { order.emplace_back(age(value), key); });
    const auto nth = order.begin() + static_cast<std::ptrdiff_t>(n - 1);
    std::nth_element(order.begin(), nth, order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < n; ++i) map.erase(order[i].second);
}

// Before an insertion into a table bounded at `max` entries: when full, the eighth least recently
// active goes, so that what comes after a flood is still followed.
template <class K, class V, class Hash, class Age>
void make_room_in(FlatMap<K, V, Hash>& map, std::size_t max, Age age) {
    if (map.size() >= max) erase_oldest(map, max / 8, age);
}

}  // namespace ka
