// glassbox/core/portable_math.cpp — eˣ and cos x from +, −, ×, ÷: the same bits on every machine.
#include "glassbox/core/portable_math.hpp"

#include <cmath>
#include <limits>

#include "glassbox/core/random.hpp"

namespace glassbox {

namespace {

// ln 2 and π/2 split into a leading part with trailing zero bits, so that k times it is exact for
// the k used here, and the rest (Cody and Waite's reduction).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kPio2Hi = 1.57079632673412561417e+00;   // the first 33 bits of π/2
constexpr double kPio2Mid = 6.07710050630396597660e-11;  // the next 33
constexpr double kPio2Lo = 2.02226624879595063154e-21;   // the rest

// Taylor series about 0 for |r| ≤ π/4, the small terms summed first (Horner's rule) and the
// leading ones added last, so that their rounding is the only one that counts:
//   sin r = r + r·(−r²/3! + r⁴/5! − …)
//   cos r = 1 − r²/2 + (r⁴/4! − r⁶/6! + …), with 1 − r²/2 carried in two parts (w and its error)
// Ten terms each leave less than 10⁻²⁰.
double sin_series(double r) {
  const double r2 = r * r;
  double tail = 0;  // −r²/3! + r⁴/5! − …
  for (int n = 21; n >= 3; n -= 2) tail = -(r2 / (static_cast<double>(n) * (n - 1))) * (1.0 + tail);
  return r + r * tail;
}
double cos_series(double r) {
  const double r2 = r * r;
  double tail = 0;  // r⁴/4! − r⁶/6! + …  =  (r²/4·3)(r²/2)(1 − r²/6·5(1 − …))
  for (int n = 20; n >= 4; n -= 2) tail = (r2 / (static_cast<double>(n) * (n - 1))) * (1.0 - tail);
  const double half = 0.5 * r2;
  tail *= half;
  const double w = 1.0 - half;
  return w + (((1.0 - w) - half) + tail);
}

}  // namespace

double portable_exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.2) return 0.0;
  // x = k·ln 2 + r with |r| ≤ ½ln 2; eˣ = 2ᵏ·eʳ, eʳ = 1 + r + r²/2! + … (seventeen terms for |r| ≤ 0.35).
  const double k = std::nearbyint(x / 0.69314718055994530942);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  // eʳ = 1 + (r + r²/2·(1 + r/3·(1 + r/4·(…)))): the small terms first, the leading ones added last.
  double inner = 1.0;
  for (int n = 17; n >= 3; --n) inner = 1.0 + r * inner / n;
  const double series = 1.0 + (r + 0.5 * r * r * inner);
  return std::ldexp(series, static_cast<int>(k));  // exact: a power of two
}

double portable_cos(double x) {
  if (!std::isfinite(x) || std::fabs(x) > 1647099.0) return std::numeric_limits<double>::quiet_NaN();
  // x = k·π/2 + r with |r| ≤ π/4; then cos x is cos r, −sin r, −cos r or sin r as k mod 4 is 0, 1, 2, 3.
  const double k = std::nearbyint(x / 1.57079632679489661923);
  const double r = ((x - k * kPio2Hi) - k * kPio2Mid) - k * kPio2Lo;
  const long quadrant = static_cast<long>(k) & 3;
  switch (quadrant) {
    case 0: return cos_series(r);
    case 1: return -sin_series(r);
    case 2: return -cos_series(r);
    default: return sin_series(r);
  }
}

double portable_pow(double base, double exponent) {
  if (exponent == 0) return 1.0;
  return portable_exp(exponent * portable_log(base));
}

}  // namespace glassbox
