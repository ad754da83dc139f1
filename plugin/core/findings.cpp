// SPDX-License-Identifier: GPL-2.0-or-later
#include "findings.h"

#include <algorithm>
#include <limits>

namespace ka {

const char* role_name(Role r) {
    switch (r) {
    case Role::Primary: return "primary";
    case Role::Backup: return "backup";
    case Role::Unknown: break;
    }
    return "";
}

StringTable::StringTable() { intern(""); }

std::uint32_t StringTable::intern(std::string_view s) {
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    auto id = static_cast<std::uint32_t>(strings_.size());
    strings_.emplace_back(s);
    index_.emplace(std::string_view(strings_.back()), id);
    return id;
}

std::uint32_t StringTable::find(std::string_view s) const {
    auto it = index_.find(s);
    return it == index_.end() ? 0 : it->second;
}

const std::string& StringTable::get(std::uint32_t id) const {
    return id < strings_.size() ? strings_[id] : strings_[0];
}

std::size_t StringTable::bytes() const {
    std::size_t n = strings_.size() * sizeof(std::string) + index_.size() * (sizeof(std::string_view) + 24);
    for (const auto& s : strings_) n += s.capacity();
    return n;
}

// Layout of one annotation in the arena:
//   word 0: subject | role << 8 | experts << 16 (experts fit in 16 bits, checked below)
//   word 1: endpoint | server << 32
//   word 2: present mask
//   then one word per present value, in Field order.
static_assert(kExpertCount <= 16, "experts are packed in 16 bits");

void FindingStore::add(std::uint32_t frame, const Annotation& a) {
    if (arena_.size() > std::numeric_limits<std::uint32_t>::max() - 80) return;  // cache full: keep the process sane
    auto offset = static_cast<std::uint32_t>(arena_.size());
    arena_.push_back(std::uint64_t(a.subject) | std::uint64_t(a.role) << 8 | std::uint64_t(a.experts_) << 16);
    arena_.push_back(std::uint64_t(a.endpoint) | std::uint64_t(a.server) << 32);
    arena_.push_back(a.present_);
    for (std::size_t i = 0; i < kFieldCount; ++i)
        if (a.present_ >> i & 1) arena_.push_back(static_cast<std::uint64_t>(a.values_[i]));

    if (!index_.empty() && index_.back().frame == frame) {
        ++index_.back().count;
        return;
    }
    if (index_.empty() || index_.back().frame < frame) {
        index_.push_back({frame, offset, 1});
        return;
    }
    // Frames arrive in order on a first pass; anything else is kept correct but not fast.
    auto it = std::lower_bound(index_.begin(), index_.end(), frame,
                               [](const Entry& e, std::uint32_t f) { return e.frame < f; });
    if (it != index_.end() && it->frame == frame) {
        // Appending to an earlier frame would interleave arenas; such a frame keeps its first set.
        return;
    }
    index_.insert(it, {frame, offset, 1});
}

const FindingStore::Entry* FindingStore::find(std::uint32_t frame) const {
    auto it = std::lower_bound(index_.begin(), index_.end(), frame,
                               [](const Entry& e, std::uint32_t f) { return e.frame < f; });
    return it != index_.end() && it->frame == frame ? &*it : nullptr;
}

std::size_t FindingStore::count(std::uint32_t frame) const {
    const Entry* e = find(frame);
    return e ? e->count : 0;
}

Annotation FindingStore::get(std::uint32_t frame, std::size_t i) const {
    Annotation a;
    const Entry* e = find(frame);
    if (!e || i >= e->count) return a;
    std::size_t pos = e->offset;
    for (std::size_t k = 0; k < i; ++k) pos += 3 + static_cast<std::size_t>(__builtin_popcountll(arena_[pos + 2]));
    std::uint64_t w0 = arena_[pos];
    a.subject = static_cast<Subject>(w0 & 0xff);
    a.role = static_cast<Role>(w0 >> 8 & 0xff);
    a.experts_ = static_cast<std::uint32_t>(w0 >> 16 & 0xffff);
    a.endpoint = static_cast<std::uint32_t>(arena_[pos + 1]);
    a.server = static_cast<std::uint32_t>(arena_[pos + 1] >> 32);
    a.present_ = arena_[pos + 2];
    pos += 3;
    for (std::size_t f = 0; f < kFieldCount; ++f)
        if (a.present_ >> f & 1) a.values_[f] = static_cast<std::int64_t>(arena_[pos++]);
    return a;
}

std::size_t FindingStore::bytes() const {
    return index_.capacity() * sizeof(Entry) + arena_.capacity() * sizeof(std::uint64_t);
}

void FindingStore::clear() {
    index_.clear();
    arena_.clear();
}

}  // namespace ka
