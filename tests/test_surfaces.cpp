// Tests for glassbox/train/surfaces.hpp: every surface's gradient against centred finite
// differences, its minimum, the grid sample's orientation, and descend() stepping a point with a
// library optimizer (a first step worked by hand, divergence caught, the stopping rule kept).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/surfaces.hpp"

using namespace glassbox;

TEST_CASE("every surface's gradient agrees with centred finite differences", "[surfaces]") {
  // (f(x + h) − f(x − h)) / 2h has error ∝ h²·f‴; h = 1e-5 leaves ~1e-10 of truncation and ~1e-11 of
  // round-off at these magnitudes, so a relative error under 1e-6 is a pass and a wrong term fails.
  const std::vector<Point2> points{{-1.3, 0.7}, {0.4, -1.1}, {2.2, 0.3}, {-0.6, 1.8}, {1.7, -0.4}};
  const double h = 1e-5;
  for (const Surface& s : surfaces())
    for (const Point2& p : points) {
      const Gradient2 g = s.gradient(p.x, p.y);
      const double nx = (s.value(p.x + h, p.y) - s.value(p.x - h, p.y)) / (2 * h);
      const double ny = (s.value(p.x, p.y + h) - s.value(p.x, p.y - h)) / (2 * h);
      INFO(s.name << " at (" << p.x << ", " << p.y << "): analytic (" << g.dx << ", " << g.dy << "), numeric (" << nx
                  << ", " << ny << ")");
      REQUIRE(std::max(std::abs(g.dx), std::abs(g.dy)) > 1e-3);  // a check of zeros would prove nothing
      CHECK(std::abs(g.dx - nx) <= 1e-6 * std::max(1.0, std::abs(nx)));
      CHECK(std::abs(g.dy - ny) <= 1e-6 * std::max(1.0, std::abs(ny)));
    }
}

TEST_CASE("the surfaces have the values and minima their formulas give", "[surfaces]") {
  // bowl ½(x² + 20y²) at (1, 1): ½·21 = 10.5; rosenbrock at (0, 0): (1 − 0)² = 1;
  // saddle at (1, 2): 1 − 4 = −3; beale at (0, 0): 1.5² + 2.25² + 2.625² = 2.25 + 5.0625 + 6.890625
  CHECK(surface("bowl").value(1, 1) == 10.5);
  CHECK(surface("rosenbrock").value(0, 0) == 1);
  CHECK(surface("saddle").value(1, 2) == -3);
  CHECK(surface("beale").value(0, 0) == Approx(14.203125));
  for (const Surface& s : surfaces()) {
    INFO(s.name);
    const Point2 at = s.minimum.value_or(Point2{0, 0});  // the saddle's stationary point is (0, 0)
    const Gradient2 g = s.gradient(at.x, at.y);
    CHECK(g.dx == 0);
    CHECK(g.dy == 0);
    if (s.minimum) CHECK(s.value(at.x, at.y) == 0);
    // the start lies in the window the plots show
    CHECK((s.start.x > s.x_min && s.start.x < s.x_max && s.start.y > s.y_min && s.start.y < s.y_max));
  }
  // the saddle: uphill along x, downhill along y, from (0, 0)
  CHECK(surface("saddle").value(0.1, 0) > 0);
  CHECK(surface("saddle").value(0, 0.1) < 0);
}

TEST_CASE("an unknown surface is refused with the names it knows", "[surfaces]") {
  CHECK_THROWS_WITH(surface("rosenbrok"),
                    Catch::Contains("\"rosenbrok\"") && Catch::Contains("did you mean \"rosenbrock\"") &&
                        Catch::Contains("bowl, rosenbrock, saddle, beale"));
}

TEST_CASE("sample() puts row 0 at the top of the window and includes its corners", "[surfaces]") {
  const Surface& s = surface("saddle");  // window [−3, 3] × [−3, 3]
  const Matrix grid = sample(s, 3, 4);
  REQUIRE(grid.rows() == 3);
  REQUIRE(grid.cols() == 4);
  CHECK(grid(0, 0) == s.value(-3, 3));   // top left
  CHECK(grid(0, 3) == s.value(3, 3));    // top right
  CHECK(grid(2, 0) == s.value(-3, -3));  // bottom left
  CHECK(grid(1, 1) == s.value(-1, 0));   // x = −3 + 1·2, y = 3 − 1·3
  CHECK_THROWS_AS(sample(s, 1, 4), std::invalid_argument);
}

TEST_CASE("descend() steps the point with the optimizer, as training steps a weight", "[surfaces]") {
  const Surface& bowl = surface("bowl");
  SGD sgd(0.01);
  std::vector<std::size_t> seen;
  const Descent d = descend(bowl, sgd, {-4.5, 1.5}, 3, {}, [&](std::size_t t, const ParameterRef& theta, const Optimizer&) {
    seen.push_back(t);
    CHECK(theta.name == "theta");
  });
  REQUIRE(d.path.size() == 4);
  CHECK_FALSE(d.diverged);
  CHECK(seen == std::vector<std::size_t>{1, 2, 3});
  CHECK(sgd.steps() == 3);
  // step 1: g = (x, 20y) = (−4.5, 30); θ ← θ − 0.01·g = (−4.5 + 0.045, 1.5 − 0.3) = (−4.455, 1.2)
  CHECK(d.path[1].x == Approx(-4.455));
  CHECK(d.path[1].y == Approx(1.2));
  // step 2: g = (−4.455, 24); θ = (−4.455 + 0.04455, 1.2 − 0.24) = (−4.41045, 0.96)
  CHECK(d.path[2].x == Approx(-4.41045));
  CHECK(d.path[2].y == Approx(0.96));
  CHECK(d.values[2] == Approx(bowl.value(-4.41045, 0.96)));
}

TEST_CASE("descend() stops when the point diverges, and when `done` says so", "[surfaces]") {
  const Surface& bowl = surface("bowl");
  // η = 0.2: along y each step multiplies y by 1 − 0.2·20 = −3; |y| = 1.5·3ᵗ passes 1e6 at t = 13
  SGD fast(0.2);
  const Descent d = descend(bowl, fast, {-4.5, 1.5}, 1000);
  CHECK(d.diverged);
  CHECK(d.path.size() == 14);  // the start and 13 steps
  CHECK(std::abs(d.path.back().y) > 1e6);

  // η = 0.01: y shrinks by 0.8 a step; |y| < 0.5 first after ln(3)/ln(1.25) = 4.9 → 5 steps
  SGD slow(0.01);
  const Descent e = descend(bowl, slow, {-4.5, 1.5}, 1000, [](Point2 p) { return std::abs(p.y) < 0.5; });
  CHECK_FALSE(e.diverged);
  CHECK(e.path.size() == 6);
  CHECK(std::abs(e.path.back().y) < 0.5);
  CHECK(std::abs(e.path[4].y) >= 0.5);
}
