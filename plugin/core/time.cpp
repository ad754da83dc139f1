// SPDX-License-Identifier: GPL-2.0-or-later
#include "time.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <limits>

namespace ka {

Nanos add_sat(Nanos a, Nanos b) {
    Nanos r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? std::numeric_limits<Nanos>::max() : std::numeric_limits<Nanos>::min();
    return r;
}

Nanos sub_sat(Nanos a, Nanos b) {
    Nanos r;
    if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? std::numeric_limits<Nanos>::max() : std::numeric_limits<Nanos>::min();
    return r;
}

Nanos time_from(std::int64_t secs, std::int64_t nsecs) {
    Nanos t;
    if (__builtin_mul_overflow(secs, kSecond, &t)) return secs > 0 ? std::numeric_limits<Nanos>::max() : std::numeric_limits<Nanos>::min();
    return add_sat(t, nsecs);
}

Nanos elapsed(Nanos later, Nanos earlier) { return std::max<Nanos>(0, sub_sat(later, earlier)); }

std::string format_duration(Nanos d) {
    char buf[64];
    const char* sign = d < 0 ? "-" : "";
    // Magnitude as unsigned so that INT64_MIN does not overflow on negation.
    std::uint64_t m = d < 0 ? 0 - static_cast<std::uint64_t>(d) : static_cast<std::uint64_t>(d);
    if (m == 0) return "0 s";  // a preference set to zero, not a measured sub-millisecond time
    // Each unit up to what still rounds within it: 999.7 ms is "1.0 s", not "1000 ms". At least
    // two digits: a fast retransmission 3.4 ms after the original is not "3 ms".
    if (m < static_cast<std::uint64_t>(kMillisecond)) {
        std::snprintf(buf, sizeof buf, "%s%.3f ms", sign, static_cast<double>(m) / 1e6);
    } else if (m < static_cast<std::uint64_t>(10 * kMillisecond - kMillisecond / 20)) {
        std::snprintf(buf, sizeof buf, "%s%.1f ms", sign, static_cast<double>(m) / 1e6);
    } else if (m < static_cast<std::uint64_t>(kSecond - kMillisecond / 2)) {
        std::snprintf(buf, sizeof buf, "%s%" PRIu64 " ms", sign, (m + kMillisecond / 2) / kMillisecond);
    } else if (m < 600 * static_cast<std::uint64_t>(kSecond) - static_cast<std::uint64_t>(kSecond / 20)) {
        std::snprintf(buf, sizeof buf, "%s%.1f s", sign, static_cast<double>(m) / 1e9);
    } else {
        std::uint64_t s = (m + kSecond / 2) / kSecond;
        std::snprintf(buf, sizeof buf, "%s%" PRIu64 " min %" PRIu64 " s", sign, s / 60, s % 60);
    }
    return buf;
}

std::string format_clock(Nanos t) {
    // Floor division so that times before the epoch keep a non-negative fraction.
    std::int64_t secs = t / kSecond;
    std::int64_t frac = t % kSecond;
    if (frac < 0) {
        frac += kSecond;
        --secs;
    }
    std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    char buf[48];
    if (!localtime_r(&tt, &tm)) {
        std::snprintf(buf, sizeof buf, "%" PRId64 ".%03" PRId64, secs, frac / kMillisecond);
        return buf;
    }
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03" PRId64, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  frac / kMillisecond);
    return buf;
}

}  // namespace ka
