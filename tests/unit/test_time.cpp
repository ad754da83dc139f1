// Durations and clock times as people read them in expert messages.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "catch.h"

#include <cstdlib>
#include <ctime>
#include <limits>

#include "core/time.h"

using namespace ka;

TEST_CASE("durations are formatted in the unit a person expects") {
    CHECK(format_duration(millis(8300)) == "8.3 s");
    CHECK(format_duration(-millis(1250)) == "-1.2 s");  // %.1f rounds half to even on 1.25
    CHECK(format_duration(millis(420)) == "420 ms");
    CHECK(format_duration(kMicrosecond * 250) == "0.250 ms");
    CHECK(format_duration(kMicrosecond * 3400) == "3.4 ms");
    CHECK(format_duration(kMicrosecond * 9949) == "9.9 ms");
    CHECK(format_duration(kMicrosecond * 9950) == "10 ms");  // not "10.0 ms"
    CHECK(format_duration(-kMicrosecond * 1000) == "-1.0 ms");
    CHECK(format_duration(0) == "0 s");  // e.g. a grace window preference of 0
    CHECK(format_duration(seconds(605)) == "10 min 5 s");
    // Rounding never shows a unit's upper bound: "1000 ms" is "1.0 s", "600.0 s" is "10 min 0 s".
    CHECK(format_duration(kMicrosecond * 999'499) == "999 ms");
    CHECK(format_duration(kMicrosecond * 999'700) == "1.0 s");
    CHECK(format_duration(-kMicrosecond * 999'700) == "-1.0 s");
    CHECK(format_duration(millis(599'940)) == "599.9 s");
    CHECK(format_duration(millis(599'960)) == "10 min 0 s");
    CHECK(format_duration(std::numeric_limits<Nanos>::min()).front() == '-');
}

TEST_CASE("clock times are local wall-clock times with milliseconds") {
    setenv("TZ", "UTC", 1);
    tzset();
    // 2014-11-14 22:58:12.909452 UTC
    Nanos t = Nanos{1416005892} * kSecond + 909452000;
    CHECK(format_clock(t) == "22:58:12.909");
    CHECK(format_clock(-1) == "23:59:59.999");  // just before the epoch
}

TEST_CASE("saturating arithmetic never wraps") {
    constexpr Nanos max = std::numeric_limits<Nanos>::max();
    constexpr Nanos min = std::numeric_limits<Nanos>::min();
    CHECK(add_sat(max, 1) == max);
    CHECK(add_sat(min, -1) == min);
    CHECK(sub_sat(min, 1) == min);
    CHECK(sub_sat(max, -1) == max);
    CHECK(sub_sat(seconds(130), seconds(115)) == seconds(15));
}

TEST_CASE("a frame's time saturates beyond the years Nanos holds") {
    constexpr Nanos max = std::numeric_limits<Nanos>::max();
    constexpr Nanos min = std::numeric_limits<Nanos>::min();
    CHECK(time_from(1684227600, 5) == seconds(1684227600) + 5);  // 2023-05-16 09:00:00 UTC
    CHECK(time_from(0, 0) == 0);
    CHECK(time_from(-1, 999999999) == -1);
    CHECK(time_from(9223372036, 854775807) == max);              // the last time it holds, 2262
    CHECK(time_from(9223372036, 854775808) == max);
    CHECK(time_from(31684227600, 0) == max);                     // a pcapng stamped in 2974
    CHECK(time_from(max, 0) == max);
    CHECK(time_from(-9223372037, 0) == min);
    CHECK(time_from(min, 999999999) == min);
}
