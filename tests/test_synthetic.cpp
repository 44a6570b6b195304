// Tests for glassbox/data/synthetic.hpp: linspace's two forms; circles and moons — counts, label
// balance, the curves before noise, shuffling before noise, the noise's spread, determinism per
// seed, and refused arguments.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "glassbox/data/synthetic.hpp"

using namespace glassbox;
using namespace glassbox::synthetic;

namespace {

double radius(const Matrix& X, std::size_t n) { return std::hypot(X(n, 0), X(n, 1)); }

std::size_t count_label(const LabelledPoints& d, std::size_t label) {
  return static_cast<std::size_t>(std::count(d.labels.begin(), d.labels.end(), label));
}

}  // namespace

TEST_CASE("linspace with and without its end point", "[synthetic]") {
  CHECK(linspace(0, 1, 5) == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  const auto quarter = linspace(0, 2 * std::numbers::pi, 4, false);
  REQUIRE(quarter.size() == 4);
  CHECK(quarter[0] == 0);
  CHECK(quarter[1] == Approx(std::numbers::pi / 2));
  CHECK(quarter[3] == Approx(3 * std::numbers::pi / 2));
  CHECK(linspace(-std::numbers::pi, std::numbers::pi, 3).back() == std::numbers::pi);
  CHECK(linspace(2, 3, 1) == std::vector<double>{2});
  CHECK(linspace(2, 3, 1, false) == std::vector<double>{2});
  CHECK(linspace(2, 3, 0).empty());
}

TEST_CASE("make_circles: n // 2 outer points, the rest inner, the inner one more for odd n", "[synthetic]") {
  Rng rng(1);
  const auto even = make_circles(100, 0.15, 0.3, rng);
  CHECK(even.X.rows() == 100);
  CHECK(even.X.cols() == 2);
  CHECK(even.labels.size() == 100);
  CHECK(count_label(even, 0) == 50);
  CHECK(count_label(even, 1) == 50);
  const auto odd = make_circles(7, 0.1, 0.5, rng);
  CHECK(count_label(odd, 0) == 3);
  CHECK(count_label(odd, 1) == 4);
  const Matrix T = even.targets();
  REQUIRE(T.rows() == 100);
  REQUIRE(T.cols() == 1);
  for (std::size_t n = 0; n < 100; ++n) CHECK(T(n, 0) == static_cast<double>(even.labels[n]));
}

TEST_CASE("make_circles without noise: radius 1 and factor, evenly spaced angles from 0", "[synthetic]") {
  Rng rng(3);
  const auto d = make_circles(12, 0, 0.3, rng, /*shuffle=*/false);
  for (std::size_t n = 0; n < 12; ++n) {
    CHECK(d.labels[n] == (n < 6 ? 0u : 1u));
    CHECK(radius(d.X, n) == Approx(n < 6 ? 1.0 : 0.3).epsilon(1e-12));
    const double angle = 2 * std::numbers::pi * static_cast<double>(n % 6) / 6;  // end point left out
    CHECK(std::atan2(d.X(n, 1), d.X(n, 0)) == Approx(std::remainder(angle, 2 * std::numbers::pi)).margin(1e-12));
  }
  CHECK(d.X(0, 0) == 1);
  CHECK(d.X(6, 0) == Approx(0.3));

  // Shuffled, the same points in another order: the radii before noise are still exactly two values.
  const auto s = make_circles(100, 0, 0.3, rng);
  std::size_t outer_first = 0;
  for (std::size_t n = 0; n < 100; ++n) {
    CHECK(radius(s.X, n) == Approx(s.labels[n] == 0 ? 1.0 : 0.3).epsilon(1e-12));
    outer_first += n < 50 && s.labels[n] == 0;
  }
  CHECK(outer_first < 50);  // not in the unshuffled order
}

TEST_CASE("make_circles shuffles first, then adds noise with the given standard deviation", "[synthetic]") {
  // Same seed: the permutation is drawn first, so the noisy and the clean sets have the same order.
  Rng a(11), b(11);
  const auto noisy = make_circles(40, 0.2, 0.5, a);
  const auto clean = make_circles(40, 0, 0.5, b);
  CHECK(noisy.labels == clean.labels);

  // The differences from the clean points are the noise: mean ≈ 0, standard deviation ≈ 0.1.
  Rng c(5), d(5);
  const std::size_t n = 20000;
  const Matrix X = make_circles(n, 0.1, 0.3, c, false).X;
  const Matrix X0 = make_circles(n, 0, 0.3, d, false).X;
  double sum = 0, sum_sq = 0;
  for (std::size_t k = 0; k < X.size(); ++k) {
    const double e = X.data()[k] - X0.data()[k];
    sum += e;
    sum_sq += e * e;
  }
  const double count = static_cast<double>(X.size());
  const double mean = sum / count;
  CHECK(std::fabs(mean) < 0.003);
  CHECK(std::sqrt(sum_sq / count - mean * mean) == Approx(0.1).epsilon(0.02));
}

TEST_CASE("the same seed gives the same points, another seed others", "[synthetic]") {
  Rng a(7), b(7), c(8);
  const auto x = make_circles(100, 0.15, 0.3, a), y = make_circles(100, 0.15, 0.3, b), z = make_circles(100, 0.15, 0.3, c);
  CHECK(x.X == y.X);
  CHECK(x.labels == y.labels);
  CHECK_FALSE(x.X == z.X);
  Rng m1(7), m2(7);
  CHECK(make_moons(30, 0.1, m1).X == make_moons(30, 0.1, m2).X);
}

TEST_CASE("make_moons without noise: two half circles, end points included", "[synthetic]") {
  Rng rng(2);
  const auto d = make_moons(10, 0, rng, false);
  CHECK(count_label(d, 0) == 5);
  CHECK(count_label(d, 1) == 5);
  for (std::size_t n = 0; n < 5; ++n) {
    CHECK(radius(d.X, n) == Approx(1).epsilon(1e-12));  // upper half of the unit circle
    CHECK(d.X(n, 1) >= 0);
    CHECK(std::hypot(d.X(n + 5, 0) - 1, d.X(n + 5, 1) - 0.5) == Approx(1).epsilon(1e-12));  // centred (1, ½)
    CHECK(d.X(n + 5, 1) <= 0.5);
  }
  CHECK(d.X(0, 0) == 1);
  CHECK(d.X(4, 0) == Approx(-1));
  CHECK(d.X(5, 0) == Approx(0).margin(1e-15));
  CHECK(d.X(9, 0) == Approx(2));
}

TEST_CASE("make_circles and make_moons refuse a negative noise or a factor outside 0 ≤ factor < 1", "[synthetic]") {
  Rng rng(1);
  CHECK_THROWS_WITH(make_circles(10, 0.1, 1.0, rng), Catch::Contains("factor 1 must be in [0, 1)"));
  CHECK_THROWS_AS(make_circles(10, 0.1, -0.1, rng), std::invalid_argument);
  CHECK_THROWS_WITH(make_circles(10, -0.1, 0.5, rng), Catch::Contains("noise -0.1"));
  CHECK_THROWS_AS(make_circles(10, std::nan(""), 0.5, rng), std::invalid_argument);
  CHECK_THROWS_WITH(make_moons(10, -1, rng), Catch::Contains("make_moons"));
  CHECK(make_circles(0, 0.1, 0.5, rng).X.rows() == 0);
}

TEST_CASE("make_disc: uniform points in the square, class 1 exactly inside x² + y² < 2/π", "[synthetic]") {
  Rng rng(5), same(5);
  const auto d = make_disc(2000, rng);
  REQUIRE(d.X.rows() == 2000);
  REQUIRE(d.X.cols() == 2);
  // The points are Matrix::uniform's draws, row by row.
  CHECK(d.X == Matrix::uniform(2000, 2, same, -1, 1));
  std::size_t inside = 0;
  for (std::size_t i = 0; i < d.X.rows(); ++i) {
    const double x = d.X(i, 0), y = d.X(i, 1);
    CHECK(std::abs(x) <= 1.0);
    CHECK(std::abs(y) <= 1.0);
    CHECK(d.labels[i] == (x * x + y * y < 2.0 / std::numbers::pi ? 1u : 0u));
    inside += d.labels[i];
  }
  // The disc covers half the square: about 1000 of 2000 (σ ≈ 22).
  CHECK(inside > 900);
  CHECK(inside < 1100);
}
