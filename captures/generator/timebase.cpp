#include "timebase.h"

#include <cstdio>
#include <stdexcept>

namespace kagen {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

[[noreturn]] void bad_time(std::string_view text) {
  throw std::invalid_argument("bad UTC time (want YYYY-MM-DD HH:MM:SS[.fraction]): '" +
                              std::string(text) + "'");
}

}  // namespace

TimeNs utc(std::string_view t) {
  auto num = [&](std::size_t pos, std::size_t len) {
    std::int64_t v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (i >= t.size() || t[i] < '0' || t[i] > '9') bad_time(t);
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != ' ' && t[10] != 'T') || t[13] != ':' ||
      t[16] != ':') {
    bad_time(t);
  }
  const std::int64_t year = num(0, 4), month = num(5, 2), day = num(8, 2);
  const std::int64_t hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) bad_time(t);
  std::int64_t frac = 0;
  if (t.size() > 19) {
    const std::size_t digits = t.size() - 20;
    if (t[19] != '.' || digits < 1 || digits > 9) bad_time(t);
    frac = num(20, digits);
    for (std::size_t i = digits; i < 9; ++i) frac *= 10;
  }
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60 * kNanosPerSecond + second * kNanosPerSecond + frac;
}

CivilTime to_civil(TimeNs t) {
  std::int64_t secs = t / kNanosPerSecond;
  std::int64_t ns = t % kNanosPerSecond;
  if (ns < 0) {
    ns += kNanosPerSecond;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  CivilTime c{};
  civil_from_days(days, c.year, c.month, c.day);
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem / 60 % 60);
  c.second = static_cast<int>(rem % 60);
  c.nanos = ns;
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  return c;
}

std::string format_utc(TimeNs t, int decimals) {
  if (decimals < 0 || decimals > 9) throw std::invalid_argument("format_utc: decimals must be 0..9");
  const CivilTime c = to_civil(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute,
                c.second);
  std::string s = buf;
  if (decimals > 0) {
    std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(c.nanos));
    s.append(buf, static_cast<std::size_t>(decimals + 1));
  }
  return s;
}

}  // namespace kagen
