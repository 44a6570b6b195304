// glassbox/core/random.cpp — hand-written distributions over std::mt19937_64.
#include "glassbox/core/random.hpp"

#include <cassert>
#include <cmath>
#include <limits>

namespace glassbox {

Rng Rng::derived(std::uint64_t seed, std::string_view name) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : name) hash = (hash ^ c) * 1099511628211ull;
  std::uint64_t z = seed ^ hash;  // one step of splitmix64 spreads the bits
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return Rng(z ^ (z >> 31));
}

double Rng::uniform() {
  constexpr double kTwoToMinus53 = 1.0 / 9007199254740992.0;  // 2⁻⁵³
  return static_cast<double>(engine_() >> 11) * kTwoToMinus53;
}

double Rng::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double u = 0, v = 0, s = 0;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * portable_log(s) / s);
  spare_normal_ = v * factor;
  has_spare_normal_ = true;
  return u * factor;
}

std::uint64_t Rng::below(std::uint64_t n) {
  assert(n > 0);
  // Reject the lowest (2⁶⁴ mod n) outputs so that the rest split evenly into n classes.
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    const std::uint64_t r = engine_();
    if (r >= threshold) return r % n;
  }
}

std::vector<std::size_t> Rng::permutation(std::size_t n) {
  std::vector<std::size_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = i;
  shuffle(p);
  return p;
}

double portable_log(double x) {
  if (std::isnan(x) || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  // x = m·2ᵉ with m in [√½, √2); then ln x = e·ln 2 + ln m, and with s = (m − 1)/(m + 1),
  // ln m = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …). |s| ≤ 0.1716, so twelve terms reach double precision.
  int e = 0;
  double m = std::frexp(x, &e);  // m in [½, 1), exact
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double series = 1.0 / 25.0;
  for (int k = 11; k >= 0; --k) series = 1.0 / (2.0 * k + 1.0) + s2 * series;
  // ln 2 split into a part with trailing zero bits (so e·ln2_hi is exact) and the remainder.
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double de = static_cast<double>(e);
  return de * kLn2Hi + (2.0 * s * series + de * kLn2Lo);
}

double portable_exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.2) return 0.0;
  // k = the nearest whole number to x/ln 2; r = x − k·ln 2 in two parts, so it stays exact to the last bits.
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double k = std::nearbyint(x * 1.44269504088896338700);  // 1/ln 2
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  // eʳ = 1 + r + r²/2! + … + r¹⁶/16!; |r| ≤ 0.347, so the terms after r¹⁶ are below 10⁻²⁰.
  double series = 1.0;
  for (int n = 16; n >= 1; --n) series = 1.0 + series * r / static_cast<double>(n);
  return std::ldexp(series, static_cast<int>(k));
}

}  // namespace glassbox
