// SPDX-License-Identifier: GPL-2.0-or-later
#include "findings.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
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

namespace {

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing
// past U+10FFFF) at the start of `s`, 0 when there is none.
std::size_t utf8_sequence(std::string_view s) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char b = byte(0);
    if (b < 0x80) return 1;
    std::size_t n;
    unsigned char low = 0x80, high = 0xbf;  // the second byte's range
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        if (b == 0xe0) low = 0xa0;
        if (b == 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        if (b == 0xf0) low = 0x90;
        if (b == 0xf4) high = 0x8f;
    } else {
        return 0;
    }
    if (s.size() < n || byte(1) < low || byte(1) > high) return 0;
    for (std::size_t i = 2; i < n; ++i)
        if ((byte(i) & 0xc0) != 0x80) return 0;
    return n;
}

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0, n; i < s.size(); i += n)
        if ((n = utf8_sequence(s.substr(i))) == 0) return false;
    return true;
}

// Text from packets as Wireshark's string fields must carry it: UTF-8, each byte of an ill-formed
// sequence shown as U+FFFD (as Wireshark labels show it), or one bad name spoils a JSON or PDML export.
std::string repaired_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_sequence(s.substr(i));
        if (n == 0) {
            out += "\xef\xbf\xbd";
            ++i;
        } else {
            out.append(s, i, n);
            i += n;
        }
    }
    return out;
}

// `s` as the table keeps it: itself when valid, else repaired into `storage`.
std::string_view as_kept(std::string_view s, std::string& storage) {
    if (valid_utf8(s)) return s;
    storage = repaired_utf8(s);
    return storage;
}

}  // namespace

StringTable::StringTable() { intern(""); }

std::uint32_t StringTable::intern(std::string_view s) {
    std::string repaired;
    s = as_kept(s, repaired);
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    auto id = static_cast<std::uint32_t>(strings_.size());
    strings_.emplace_back(s);
    index_.emplace(std::string_view(strings_.back()), id);
    return id;
}

std::uint32_t StringTable::find(std::string_view s) const {
    std::string repaired;
    s = as_kept(s, repaired);
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

constexpr std::uint64_t bits_of(std::initializer_list<Field> fs) {
    std::uint64_t m = 0;
    for (Field f : fs) m |= std::uint64_t{1} << static_cast<unsigned>(f);
    return m;
}

// Values referenced to the frame, and absolute times; as masks by Field, so that a value's
// reference is a bit test.
constexpr std::uint64_t kFrameRefs =
    bits_of({Field::RefreshPrev, Field::RetransOriginal, Field::ArpFrame, Field::SyslogLastSeen,
             Field::DeliveryFrame, Field::OwnerFrame, Field::SccpRequestFrame, Field::PathFrame,
             Field::SyslogCopyOf, Field::CaptureGapFrame});
constexpr std::uint64_t kTimeRefs = bits_of({Field::RefreshExpected, Field::RefreshDeadline, Field::ForecastTime});

// The references of one record's values, walked in Field order by the encoder and the decoder
// alike: the first time's is the store's time base, each later time's the time before it.
class References {
public:
    References(std::uint32_t frame, std::int64_t time_base)
        : frame_(frame), prev_time_(static_cast<std::uint64_t>(time_base)) {}
    std::uint64_t of(std::size_t field) const {
        if (kFrameRefs >> field & 1) return frame_;
        return kTimeRefs >> field & 1 ? prev_time_ : 0;
    }
    // The field's value, once known: the next time's reference.
    void saw(std::size_t field, std::uint64_t v) {
        if (kTimeRefs >> field & 1) prev_time_ = v;
    }

private:
    std::uint64_t frame_;
    std::uint64_t prev_time_;
};

// At most 10 bytes for 64 bits.
constexpr std::size_t kMaxVarint = 10;

std::uint8_t* put_varint(std::uint8_t* out, std::uint64_t v) {
    while (v >= 0x80) {
        *out++ = static_cast<std::uint8_t>(v | 0x80);
        v >>= 7;
    }
    *out++ = static_cast<std::uint8_t>(v);
    return out;
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

// Reads past one encoded annotation; returns the experts it raised.
std::uint32_t skip_annotation(const std::uint8_t*& p) {
    p += 2;  // subject, role
    const auto experts = static_cast<std::uint32_t>(get_varint(p));
    get_varint(p);  // endpoint
    get_varint(p);  // server
    for (int v = __builtin_popcountll(get_varint(p)); v > 0; --v) get_varint(p);
    return experts;
}

std::uint64_t zigzag(std::uint64_t d) { return d << 1 ^ (0 - (d >> 63)); }
std::uint64_t unzigzag(std::uint64_t z) { return z >> 1 ^ (0 - (z & 1)); }

}  // namespace

bool FindingStore::next_chunk(std::size_t need) {
    if (chunks_.size() >= kMaxChunks) return false;  // cache full: keep the process sane
    std::size_t size = chunks_.empty() ? kFirstChunk : std::min(chunk_size_ * 2, std::size_t{1} << kChunkBits);
    size = std::max(size, need);
    // Not zero-filled: only written bytes are read, and untouched pages cost no memory.
    chunks_.push_back(std::unique_ptr<std::uint8_t[]>(new std::uint8_t[size]));
    chunk_size_ = size;
    chunk_bytes_ += size;
    used_ = 0;
    return true;
}

void FindingStore::add(std::uint32_t frame, const Annotation& a) {
    if (frame >= offsets_.size()) {
        if (frame - offsets_.size() > kMaxFrameJump) return;
        // Doubled at once, not one frame at a time: no call into the vector's growth per frame.
        offsets_.resize(std::max(std::size_t{frame} + 1, offsets_.size() * 2), 0);
        raised_.resize(offsets_.size() / 64 + 1, 0);
    }
    const bool new_frame = offsets_[frame] == 0;
    // Appending to an earlier frame would interleave frames; such a frame keeps its first set.
    if (!new_frame && (frame != last_frame_ || chunks_.back()[frame_at_] == kMaxPerFrame)) return;
    last_frame_ = frame;

    // Encoded on the stack, then appended at once: no capacity check per byte. Only the present
    // fields are visited.
    std::uint8_t buf[2 + kMaxVarint * (4 + kFieldCount)];
    std::uint8_t* out = buf;
    *out++ = static_cast<std::uint8_t>(a.subject);
    *out++ = static_cast<std::uint8_t>(a.role);
    out = put_varint(out, a.experts_);
    out = put_varint(out, a.endpoint);
    out = put_varint(out, a.server);
    out = put_varint(out, a.present_);
    if (!has_time_base_ && (a.present_ & kTimeRefs)) {  // the first absolute time stored
        time_base_ = a.values_[static_cast<std::size_t>(__builtin_ctzll(a.present_ & kTimeRefs))];
        has_time_base_ = true;
    }
    References refs(frame, time_base_);
    for (std::uint64_t bits = a.present_; bits != 0; bits &= bits - 1) {
        const auto i = static_cast<std::size_t>(__builtin_ctzll(bits));
        const auto v = static_cast<std::uint64_t>(a.values_[i]);
        out = put_varint(out, zigzag(v - refs.of(i)));
        refs.saw(i, v);
    }
    const auto n = static_cast<std::size_t>(out - buf);

    const std::size_t need = n + (new_frame ? 1 : 0);
    if (chunks_.empty() || used_ + need > chunk_size_) {
        // The frame's annotations so far move along to the new chunk.
        const std::size_t carry = new_frame ? 0 : used_ - frame_at_;
        const std::uint8_t* from = new_frame ? nullptr : chunks_.back().get() + frame_at_;
        if (!next_chunk(carry + need)) return;
        if (carry) {
            std::memcpy(chunks_.back().get(), from, carry);
            frame_at_ = 0;
            used_ = carry;
            offsets_[frame] = static_cast<std::uint32_t>((chunks_.size() - 1) << kChunkBits) + 1;
        }
    }
    std::uint8_t* chunk = chunks_.back().get();
    if (new_frame) {
        frame_at_ = used_;
        chunk[used_++] = 0;
        offsets_[frame] = static_cast<std::uint32_t>((chunks_.size() - 1) << kChunkBits | frame_at_) + 1;
    }
    std::memcpy(chunk + used_, buf, n);
    used_ += n;
    ++chunk[frame_at_];
    if (a.experts_) raised_[frame >> 6] |= std::uint64_t{1} << (frame & 63);
}

std::size_t FindingStore::count(std::uint32_t frame) const {
    if (frame >= offsets_.size() || offsets_[frame] == 0) return 0;
    return *at(offsets_[frame] - 1);
}

Annotation FindingStore::get(std::uint32_t frame, std::size_t i) const {
    Annotation a;
    if (i >= count(frame)) return a;
    const std::uint8_t* p = at(offsets_[frame] - 1) + 1;
    for (std::size_t k = 0; k < i; ++k) skip_annotation(p);
    a.subject = static_cast<Subject>(*p++);
    a.role = static_cast<Role>(*p++);
    a.experts_ = static_cast<std::uint32_t>(get_varint(p));
    a.endpoint = static_cast<std::uint32_t>(get_varint(p));
    a.server = static_cast<std::uint32_t>(get_varint(p));
    a.present_ = get_varint(p);
    References refs(frame, time_base_);
    for (std::size_t n = 0; n < kFieldCount; ++n) {
        if (!(a.present_ >> n & 1)) continue;
        const std::uint64_t v = unzigzag(get_varint(p)) + refs.of(n);
        refs.saw(n, v);
        a.values_[n] = static_cast<std::int64_t>(v);
    }
    return a;
}

std::uint32_t FindingStore::experts(std::uint32_t frame) const {
    if (frame >= offsets_.size() || !(raised_[frame >> 6] >> (frame & 63) & 1)) return 0;
    const std::size_t n = count(frame);
    const std::uint8_t* p = at(offsets_[frame] - 1) + 1;
    std::uint32_t all = 0;
    for (std::size_t k = 0; k < n; ++k) all |= skip_annotation(p);
    return all;
}

std::size_t FindingStore::bytes() const {
    return offsets_.capacity() * sizeof(std::uint32_t) + raised_.capacity() * sizeof(std::uint64_t) + chunk_bytes_ + chunks_.capacity() * sizeof(chunks_[0]);
}

void FindingStore::clear() {
    offsets_.clear();
    raised_.clear();
    chunks_.clear();
    chunk_size_ = used_ = frame_at_ = chunk_bytes_ = 0;
    last_frame_ = 0;
    has_time_base_ = false;
}

}  // namespace ka
