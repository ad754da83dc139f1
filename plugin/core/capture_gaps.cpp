// SPDX-License-Identifier: GPL-2.0-or-later
#include "capture_gaps.h"

#include <algorithm>
#include <cstring>

namespace ka {

namespace {

// A stretch's slot: any time, negative ones included, has one.
std::size_t slot(std::int64_t stretch, std::size_t n) { return static_cast<std::size_t>(static_cast<std::uint64_t>(stretch) % n); }

// An address in 32 bits: enough to tell a few dozen hosts apart.
std::uint32_t fold(const IpAddr& a) {
    std::uint32_t w[4];
    std::memcpy(w, a.bytes, sizeof w);
    return w[0] ^ w[1] ^ w[2] ^ w[3] ^ a.family;
}

}  // namespace

void CaptureGaps::count(Stretch& s, std::uint32_t source) {
    ++s.frames;
    if (s.source_count == kBusySources) return;  // many enough: no more look-ups this stretch
    for (std::uint32_t i = 0; i < s.source_count; ++i)
        if (s.sources[i] == source) return;
    s.sources[s.source_count++] = source;
}

// Busy: at least kBusyRate frames a second over the stretches kept, from the oldest one's start
// to the latest frame (51.5 to 60.1 s, as that frame falls early or late in its stretch).
bool CaptureGaps::busy(const Point& p, bool steadily) {
    std::uint32_t frames = 0;
    std::array<std::uint32_t, kStretches * kBusySources> sources;  // on the stack: no allocation
    std::size_t n = 0;
    const std::size_t latest = slot(p.stretch, kStretches);
    for (std::size_t k = 0; k < kStretches; ++k) {
        const Stretch& s = p.stretches[k];
        if (steadily && k != latest && s.frames < kSteadyFrames) return false;
        frames += s.frames;
        for (std::uint32_t i = 0; i < s.source_count; ++i) sources[n++] = s.sources[i];
    }
    const Nanos window = (p.last & (kStretch - 1)) + static_cast<Nanos>(kStretches - 1) * kStretch;
    if (Nanos{frames} * kSecond < Nanos{kBusyRate} * window) return false;
    std::sort(sources.begin(), sources.begin() + n);
    return static_cast<std::size_t>(std::unique(sources.begin(), sources.begin() + n) - sources.begin()) >= kBusySources;
}

// The point's timeline starts at `time`: its first frame, or the clock set back (counts from
// before a step would make a busy point of a quiet one).
void CaptureGaps::restart(Point& p, Nanos time, std::uint32_t frame) {
    p.seen = true;
    p.stretches = {};
    p.stretch = time >> kStretchBits;
    p.last = time;
    p.last_frame = frame;
}

bool CaptureGaps::on_frame(std::uint32_t clock, Nanos time, std::uint32_t frame, const IpAddr& source, Gap& gap) {
    Point& p = points_[clock];
    const std::uint32_t folded = fold(source);
    if (!p.seen) {
        restart(p, time, frame);
        count(p.stretches[slot(p.stretch, kStretches)], folded);
        return false;
    }
    if (sub_sat(p.last, time) >= kMinStep) {
        if (!p.behind) {  // one bad timestamp, or a step: the next frame tells
            p.behind = true;
            p.behind_time = time;
            p.behind_frame = frame;
            return false;
        }
        gap = {Kind::StepBack, p.last, p.behind_time, p.last_frame, p.behind_frame};
        p.behind = false;
        p.stepped = true;
        p.before_step = p.last;
        p.step_frame = p.behind_frame;
        if (time >= p.behind_time) restart(p, time, frame);
        else restart(p, p.behind_time, p.behind_frame);
        count(p.stretches[slot(p.stretch, kStretches)], folded);
        return true;
    }
    p.behind = false;
    if (time <= p.last) {  // stamped before the latest: counted where the clock stands
        count(p.stretches[slot(p.stretch, kStretches)], folded);
        return false;
    }
    bool found = false;
    if (p.stepped && time > p.before_step) {
        // Past where the clock stood before it stepped back: after a silence, it was set forward.
        p.stepped = false;
        if (sub_sat(time, p.last) >= kMinSilence) {
            gap = {Kind::StepForward, p.last, time, p.last_frame, p.step_frame};
            found = true;
        }
    } else if (const Nanos silence = sub_sat(time, p.last); silence >= kMinSilence && busy(p, silence < kLongSilence)) {
        gap = {Kind::Silence, p.last, time, p.last_frame, 0};
        found = true;
    }
    const std::int64_t stretch = time >> kStretchBits;
    // Stretches passed since the latest frame start empty (all of them after a long silence).
    for (std::int64_t s = p.stretch + 1; s <= stretch && s <= p.stretch + static_cast<std::int64_t>(kStretches); ++s)
        p.stretches[slot(s, kStretches)] = Stretch{};
    p.stretch = stretch;
    count(p.stretches[slot(stretch, kStretches)], folded);
    p.last = time;
    p.last_frame = frame;
    return found;
}

}  // namespace ka
