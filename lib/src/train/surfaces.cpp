// glassbox/train/surfaces.cpp — the test surfaces (each value above its gradient) and descend().
#include "glassbox/train/surfaces.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/core/text.hpp"

namespace glassbox {

namespace {

// f = ½·(x² + 20·y²)
// ∂f/∂x = x ;  ∂f/∂y = 20·y
double bowl_value(double x, double y) { return 0.5 * (x * x + 20 * y * y); }
Gradient2 bowl_gradient(double x, double y) { return {x, 20 * y}; }

// f = (1 − x)² + 100·(y − x²)²
// ∂f/∂x = −2·(1 − x) − 400·x·(y − x²) ;  ∂f/∂y = 200·(y − x²)
double rosenbrock_value(double x, double y) {
  const double a = 1 - x, b = y - x * x;
  return a * a + 100 * b * b;
}
Gradient2 rosenbrock_gradient(double x, double y) {
  const double a = 1 - x, b = y - x * x;
  return {-2 * a - 400 * x * b, 200 * b};
}

// f = x² − y²
// ∂f/∂x = 2x ;  ∂f/∂y = −2y
double saddle_value(double x, double y) { return x * x - y * y; }
Gradient2 saddle_gradient(double x, double y) { return {2 * x, -2 * y}; }

// f = a₁² + a₂² + a₃²  with  aₖ = cₖ − x + x·yᵏ,  c = (1.5, 2.25, 2.625)
// ∂f/∂x = Σ 2·aₖ·(yᵏ − 1) ;  ∂f/∂y = Σ 2·aₖ·k·x·yᵏ⁻¹
double beale_value(double x, double y) {
  const double a1 = 1.5 - x + x * y, a2 = 2.25 - x + x * y * y, a3 = 2.625 - x + x * y * y * y;
  return a1 * a1 + a2 * a2 + a3 * a3;
}
Gradient2 beale_gradient(double x, double y) {
  const double y2 = y * y, y3 = y2 * y;
  const double a1 = 1.5 - x + x * y, a2 = 2.25 - x + x * y2, a3 = 2.625 - x + x * y3;
  return {2 * a1 * (y - 1) + 2 * a2 * (y2 - 1) + 2 * a3 * (y3 - 1),
          2 * a1 * x + 2 * a2 * 2 * x * y + 2 * a3 * 3 * x * y2};
}

}  // namespace

const std::vector<Surface>& surfaces() {
  static const std::vector<Surface> table{
      {"bowl", "f = ½·(x² + 20·y²)", bowl_value, bowl_gradient, Point2{0, 0}, Point2{-4.5, 1.5}, -5, 5, -2, 2},
      {"rosenbrock", "f = (1 − x)² + 100·(y − x²)²", rosenbrock_value, rosenbrock_gradient, Point2{1, 1},
       Point2{-1.5, 2.5}, -2, 2, -1, 3},
      {"saddle", "f = x² − y²", saddle_value, saddle_gradient, std::nullopt, Point2{-2.5, 0.001}, -3, 3, -3, 3},
      {"beale", "f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²", beale_value, beale_gradient,
       Point2{3, 0.5}, Point2{1, 1.4}, -1, 4.5, -1.5, 2},
  };
  return table;
}

const Surface& surface(std::string_view name) {
  std::vector<std::string> names;
  for (const Surface& s : surfaces()) {
    if (s.name == name) return s;
    names.emplace_back(s.name);
  }
  std::string message = fmt::format("surface: unknown \"{}\"", name);
  if (auto near = did_you_mean(name, names)) message += fmt::format(" (did you mean \"{}\"?)", *near);
  throw std::invalid_argument(fmt::format("{}; known: {}", message, fmt::join(names, ", ")));
}

Matrix sample(const Surface& s, std::size_t rows, std::size_t cols) {
  if (rows < 2 || cols < 2)
    throw std::invalid_argument(fmt::format("sample({}): a grid of {}×{} points; at least 2×2", s.name, rows, cols));
  Matrix values(rows, cols);
  const double dx = (s.x_max - s.x_min) / static_cast<double>(cols - 1);
  const double dy = (s.y_max - s.y_min) / static_cast<double>(rows - 1);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c)
      values(r, c) = s.value(s.x_min + static_cast<double>(c) * dx, s.y_max - static_cast<double>(r) * dy);
  return values;
}

Descent descend(const Surface& s, Optimizer& optimizer, Point2 start, std::size_t steps,
                const std::function<bool(Point2)>& done, const DescentCallback& on_step) {
  // θ = [x y] (1×2), dθ = [∂f/∂x ∂f/∂y]
  Matrix theta{{start.x, start.y}}, dtheta(1, 2);
  const std::vector<ParameterRef> parameters{ParameterRef{"theta", theta, dtheta}};
  Descent d;
  d.path.push_back(start);
  d.values.push_back(s.value(start.x, start.y));
  if (done && done(start)) return d;
  for (std::size_t t = 1; t <= steps; ++t) {
    const Gradient2 g = s.gradient(theta(0, 0), theta(0, 1));
    dtheta(0, 0) = g.dx;
    dtheta(0, 1) = g.dy;
    optimizer.step(parameters);
    if (on_step) on_step(t, parameters[0], optimizer);
    const Point2 p{theta(0, 0), theta(0, 1)};
    const double f = s.value(p.x, p.y);
    d.path.push_back(p);
    d.values.push_back(f);
    if (!std::isfinite(f) || !(std::fabs(p.x) <= 1e6) || !(std::fabs(p.y) <= 1e6)) {
      d.diverged = true;
      break;
    }
    if (done && done(p)) break;
  }
  return d;
}

}  // namespace glassbox
