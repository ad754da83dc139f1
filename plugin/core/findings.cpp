// SPDX-License-Identifier: GPL-2.0-or-later
#include "findings.h"

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

// Layout: per frame a count byte, then each annotation:
//   u8 subject, u8 role, varint experts, varint endpoint, varint server, varint present mask,
//   then per present value in Field order a zigzag varint of its difference from a reference:
//   frame links from the frame itself, the first absolute time from the store's first one and the
//   next from the previous, anything else from 0. Differences wrap, so every int64 round-trips.
namespace {

enum class Ref : std::uint8_t { Zero, Frame, Time };

Ref ref_of(Field f) {
    switch (f) {
    case Field::RefreshPrev:
    case Field::RetransOriginal:
    case Field::ArpFrame:
    case Field::SyslogLastSeen:
    case Field::DeliveryFrame:
    case Field::OwnerFrame:
    case Field::SccpRequestFrame:
    case Field::PathFrame: return Ref::Frame;
    case Field::RefreshExpected:
    case Field::RefreshDeadline:
    case Field::ForecastTime: return Ref::Time;
    default: return Ref::Zero;
    }
}

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}

std::uint64_t get_varint(const std::uint8_t*& p) {
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        const std::uint8_t b = *p++;
        v |= std::uint64_t{b & 0x7fu} << shift;
        if (!(b & 0x80)) break;
    }
    return v;
}

std::uint64_t zigzag(std::uint64_t d) { return d << 1 ^ (0 - (d >> 63)); }
std::uint64_t unzigzag(std::uint64_t z) { return z >> 1 ^ (0 - (z & 1)); }

}  // namespace

void FindingStore::add(std::uint32_t frame, const Annotation& a) {
    if (arena_.size() > std::numeric_limits<std::uint32_t>::max() - 1024) return;  // cache full: keep the process sane
    if (frame >= offsets_.size()) {
        if (frame - offsets_.size() > kMaxFrameJump) return;
        offsets_.resize(std::size_t{frame} + 1, 0);
    }
    std::uint32_t& at = offsets_[frame];
    if (at != 0) {
        // Appending to an earlier frame would interleave arenas; such a frame keeps its first set.
        if (frame != last_frame_ || arena_[at - 1] == kMaxPerFrame) return;
        ++arena_[at - 1];
    } else {
        at = static_cast<std::uint32_t>(arena_.size()) + 1;
        arena_.push_back(1);
    }
    last_frame_ = frame;

    arena_.push_back(static_cast<std::uint8_t>(a.subject));
    arena_.push_back(static_cast<std::uint8_t>(a.role));
    put_varint(arena_, a.experts_);
    put_varint(arena_, a.endpoint);
    put_varint(arena_, a.server);
    put_varint(arena_, a.present_);
    std::uint64_t prev_time = 0;
    bool first_time = true;
    for (std::size_t i = 0; i < kFieldCount; ++i) {
        if (!(a.present_ >> i & 1)) continue;
        const auto v = static_cast<std::uint64_t>(a.values_[i]);
        std::uint64_t ref = 0;
        switch (ref_of(static_cast<Field>(i))) {
        case Ref::Zero: break;
        case Ref::Frame: ref = frame; break;
        case Ref::Time:
            if (!has_time_base_) {
                time_base_ = a.values_[i];
                has_time_base_ = true;
            }
            ref = first_time ? static_cast<std::uint64_t>(time_base_) : prev_time;
            first_time = false;
            prev_time = v;
            break;
        }
        put_varint(arena_, zigzag(v - ref));
    }
}

std::size_t FindingStore::count(std::uint32_t frame) const {
    if (frame >= offsets_.size() || offsets_[frame] == 0) return 0;
    return arena_[offsets_[frame] - 1];
}

Annotation FindingStore::get(std::uint32_t frame, std::size_t i) const {
    Annotation a;
    if (i >= count(frame)) return a;
    const std::uint8_t* p = arena_.data() + offsets_[frame];
    for (std::size_t k = 0;; ++k) {
        a.subject = static_cast<Subject>(*p++);
        a.role = static_cast<Role>(*p++);
        a.experts_ = static_cast<std::uint32_t>(get_varint(p));
        a.endpoint = static_cast<std::uint32_t>(get_varint(p));
        a.server = static_cast<std::uint32_t>(get_varint(p));
        a.present_ = get_varint(p);
        std::uint64_t prev_time = 0;
        bool first_time = true;
        for (std::size_t f = 0; f < kFieldCount; ++f) {
            if (!(a.present_ >> f & 1)) continue;
            std::uint64_t ref = 0;
            switch (ref_of(static_cast<Field>(f))) {
            case Ref::Zero: break;
            case Ref::Frame: ref = frame; break;
            case Ref::Time:
                ref = first_time ? static_cast<std::uint64_t>(time_base_) : prev_time;
                first_time = false;
                break;
            }
            const std::uint64_t v = unzigzag(get_varint(p)) + ref;
            if (ref_of(static_cast<Field>(f)) == Ref::Time) prev_time = v;
            a.values_[f] = static_cast<std::int64_t>(v);
        }
        if (k == i) return a;
        a = Annotation{};
    }
}

std::size_t FindingStore::bytes() const {
    return offsets_.capacity() * sizeof(std::uint32_t) + arena_.capacity();
}

void FindingStore::clear() {
    offsets_.clear();
    arena_.clear();
    last_frame_ = 0;
    has_time_base_ = false;
}

}  // namespace ka
