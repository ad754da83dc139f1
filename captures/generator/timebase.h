// Absolute time for captures: int64 nanoseconds since the Unix epoch (UTC).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kagen {

/// Absolute time or a duration, in nanoseconds (absolute: since 1970-01-01 UTC).
using TimeNs = std::int64_t;

constexpr TimeNs kNanosPerSecond = 1'000'000'000;

constexpr TimeNs seconds(std::int64_t s) { return s * kNanosPerSecond; }
constexpr TimeNs millis(std::int64_t ms) { return ms * 1'000'000; }
constexpr TimeNs micros(std::int64_t us) { return us * 1'000; }
constexpr TimeNs nanos(std::int64_t ns) { return ns; }

/// Parses "YYYY-MM-DD HH:MM:SS" with an optional fraction of 1 to 9 digits
/// (".457226" is microseconds), always UTC. A 'T' may replace the space.
/// Throws std::invalid_argument on malformed text.
TimeNs utc(std::string_view text);

/// Formats as "YYYY-MM-DD HH:MM:SS.ffffff"; `decimals` (0..9) digits of fraction.
std::string format_utc(TimeNs t, int decimals = 6);

/// Broken-down UTC time, for builders that print dates (syslog, SIP Date).
struct CivilTime {
  int year, month, day, hour, minute, second;
  std::int64_t nanos;   // within the second
  int weekday;          // 0 = Sunday
};
CivilTime to_civil(TimeNs t);

/// Duration literals: `115_s`, `20_ms`, `457_us`, `5_ns`, and exact decimal
/// seconds such as `6.695938_s` (rounded to the nearest nanosecond).
namespace literals {
constexpr TimeNs operator""_s(unsigned long long v) { return static_cast<TimeNs>(v) * kNanosPerSecond; }
constexpr TimeNs operator""_ms(unsigned long long v) { return static_cast<TimeNs>(v) * 1'000'000; }
constexpr TimeNs operator""_us(unsigned long long v) { return static_cast<TimeNs>(v) * 1'000; }
constexpr TimeNs operator""_ns(unsigned long long v) { return static_cast<TimeNs>(v); }
constexpr TimeNs operator""_s(long double v) { return static_cast<TimeNs>(v * 1e9L + 0.5L); }
constexpr TimeNs operator""_ms(long double v) { return static_cast<TimeNs>(v * 1e6L + 0.5L); }
}  // namespace literals

}  // namespace kagen
