// Tests for glassbox/core/portable_math.hpp: eˣ and cos x within one ulp of the exact value (checked
// against libm, itself within an ulp, so within two of it), exact where the value is exact, and the
// edges (overflow, underflow, NaN, arguments too large to reduce).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "glassbox/core/portable_math.hpp"

using namespace glassbox;

namespace {

// |a − b| in units of b's last place.
double ulps(double a, double b) {
  if (a == b) return 0;
  const double spacing = std::nextafter(std::fabs(b), std::numeric_limits<double>::infinity()) - std::fabs(b);
  return std::fabs(a - b) / spacing;
}

constexpr double kPi = 3.14159265358979323846;

}  // namespace

TEST_CASE("portable_exp: exact at 0, within an ulp of e at 1, within two ulps of std::exp elsewhere", "[core]") {
  CHECK(portable_exp(0) == 1.0);
  CHECK(ulps(portable_exp(1), 2.718281828459045) <= 1);  // e rounded to a double (0x4005BF0A8B145769)
  CHECK(portable_exp(std::log(2.0) * 10) == Approx(1024).epsilon(1e-15));
  double worst = 0;
  for (double x = -700; x < 700; x += 0.37) worst = std::max(worst, ulps(portable_exp(x), std::exp(x)));
  CHECK(worst <= 2);
  CHECK(std::isinf(portable_exp(710)));
  CHECK(portable_exp(-746) == 0.0);
  CHECK(std::isnan(portable_exp(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("portable_cos: exact at 0 and π, within two ulps of std::cos, periodic", "[core]") {
  CHECK(portable_cos(0) == 1.0);
  CHECK(portable_cos(kPi) == -1.0);
  CHECK(portable_cos(kPi / 2) == Approx(6.123233995736766e-17).epsilon(1e-15));  // π/2 as a double is not π/2
  CHECK(portable_cos(kPi / 3) == Approx(0.5).epsilon(1e-15));
  double worst = 0;
  for (double x = -100; x < 100; x += 0.0123) {
    const double c = std::cos(x);
    if (std::fabs(c) > 1e-3) worst = std::max(worst, ulps(portable_cos(x), c));  // near a zero, ulps mislead
  }
  CHECK(worst <= 2);
  CHECK(portable_cos(-1.25) == portable_cos(1.25));  // even, to the bit
  CHECK(std::isnan(portable_cos(std::numeric_limits<double>::infinity())));
  CHECK(std::isnan(portable_cos(1e7)));  // beyond the reduction's range: NaN, not a wrong number
}

TEST_CASE("portable_pow: bᵉ through exp and log, within a few ulps", "[core]") {
  CHECK(portable_pow(10, 0) == 1.0);
  CHECK(portable_pow(1e8, 0.5) == Approx(1e4).epsilon(1e-14));
  CHECK(portable_pow(2, 10) == Approx(1024).epsilon(1e-14));
  CHECK(portable_pow(1e8, 0.99) == Approx(std::pow(1e8, 0.99)).epsilon(1e-14));
}
