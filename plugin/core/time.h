// Time values of the engine: absolute times and durations, both in nanoseconds.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace ka {

// Absolute time (ns since the Unix epoch) or a signed duration (ns).
using Nanos = std::int64_t;

constexpr Nanos kMicrosecond = 1000;
constexpr Nanos kMillisecond = 1000 * kMicrosecond;
constexpr Nanos kSecond = 1000 * kMillisecond;

constexpr Nanos seconds(std::int64_t s) { return s * kSecond; }
constexpr Nanos millis(std::int64_t ms) { return ms * kMillisecond; }

// Saturating arithmetic: timestamps in malformed captures can be anything, and an overflow
// must not turn a late refresh into an early one.
Nanos add_sat(Nanos a, Nanos b);
Nanos sub_sat(Nanos a, Nanos b);
// A frame's time from its seconds and nanoseconds since the epoch, saturated beyond what Nanos
// holds (before 1677, after 2262): a corrupt timestamp is an extreme time, not a wrapped one.
Nanos time_from(std::int64_t secs, std::int64_t nsecs);
// Time from `earlier` to `later`; a clock that steps back yields 0, not a negative duration.
Nanos elapsed(Nanos later, Nanos earlier);

// "8.3 s", "-1.25 s", "420 ms", "3 min 5 s": what a person reads in an expert message.
std::string format_duration(Nanos d);

// "22:58:12.909" in the local time zone (as Wireshark's time column shows by default).
std::string format_clock(Nanos t);

}  // namespace ka
