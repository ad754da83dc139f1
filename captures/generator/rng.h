// Small deterministic PRNG (SplitMix64) for scenarios that need jitter. Integer
// arithmetic only, so a seed gives the same sequence on every machine.
#pragma once

#include <cstdint>
#include <stdexcept>

#include "timebase.h"

namespace kagen {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  /// Uniform in [0, n), without modulo bias. n must be > 0.
  std::uint64_t below(std::uint64_t n) {
    if (n == 0) throw std::invalid_argument("Rng::below(0)");
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
    std::uint64_t v;
    do {
      v = next();
    } while (v >= limit);
    return v % n;
  }

  /// Uniform integer in [lo, hi] (inclusive).
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    if (hi < lo) throw std::invalid_argument("Rng::between: hi < lo");
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  /// Uniform duration in [lo, hi], a multiple of `step` (default 1 us) above lo.
  TimeNs duration(TimeNs lo, TimeNs hi, TimeNs step = 1000) {
    if (step <= 0) throw std::invalid_argument("Rng::duration: step must be > 0");
    return lo + between(0, (hi - lo) / step) * step;
  }

  /// True with probability num/den.
  bool chance(std::uint64_t num, std::uint64_t den) { return below(den) < num; }

 private:
  std::uint64_t state_;
};

}  // namespace kagen
