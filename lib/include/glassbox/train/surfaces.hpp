// glassbox/train/surfaces.hpp — 2-D test surfaces for optimizers: f(x, y) and its gradient, and a
// point walked downhill on one by any Optimizer.
//
//   const Surface& s = surface("rosenbrock");
//   Adam adam(…);
//   const Descent d = descend(s, adam, s.start, 5000);   // d.path: every point visited
//
// The point is a (1×2) parameter θ = [x y] with its gradient dθ = [∂f/∂x ∂f/∂y], stepped by
// optimizer.step({ParameterRef}) — exactly as a network's weights are — so an optimizer behaves
// here as it does in training, and its state after each step is the state a trace records.
//
// The surfaces (value and gradient side by side, each in surfaces.cpp):
//   bowl        f = ½·(x² + 20·y²)                                  a long narrow valley: curvature 1
//               along x and 20 along y (condition number 20); minimum 0 at (0, 0)
//   rosenbrock  f = (1 − x)² + 100·(y − x²)²                        a curved, flat-bottomed valley;
//               minimum 0 at (1, 1)
//   saddle      f = x² − y²                                         a saddle point at (0, 0): downhill
//               along x towards it, and along y away from it; no minimum
//   beale       f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²   flat plateaus and
//               steep walls; minimum 0 at (3, 0.5)
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/core/matrix.hpp"
#include "glassbox/nn/layer.hpp"
#include "glassbox/train/optimizers.hpp"

namespace glassbox {

struct Point2 {
  double x = 0, y = 0;
};

struct Gradient2 {
  double dx = 0, dy = 0;  // ∂f/∂x, ∂f/∂y
};

struct Surface {
  const char* name;      // "rosenbrock"
  const char* formula;   // "f = (1 − x)² + 100·(y − x²)²"
  double (*value)(double x, double y);
  Gradient2 (*gradient)(double x, double y);
  std::optional<Point2> minimum;  // none for the saddle
  Point2 start;                   // where the course starts its optimizers
  double x_min, x_max, y_min, y_max;  // the window its plots show
};

// bowl, rosenbrock, saddle, beale, in that order.
const std::vector<Surface>& surfaces();
// The surface called `name`; std::invalid_argument naming the known ones otherwise.
const Surface& surface(std::string_view name);

// f on a grid of rows × cols points spanning the surface's window, corners included:
// value(r, c) = f(x_min + c·Δx, y_max − r·Δy), Δx = (x_max − x_min)/(cols − 1), Δy likewise —
// row 0 at the top, as a picture reads. rows, cols ≥ 2 (std::invalid_argument otherwise).
Matrix sample(const Surface& s, std::size_t rows, std::size_t cols);

struct Descent {
  std::vector<Point2> path;    // the start, then the point after every step taken
  std::vector<double> values;  // f at each point of the path
  bool diverged = false;       // stopped early: f or the point stopped being finite, or |x| or |y| > 1e6
};

// Called after each step with its number (1, 2, …), the point as a parameter (name "theta", its
// gradient the one the step used) and the optimizer, e.g. to record the step's "update" event.
using DescentCallback = std::function<void(std::size_t step, const ParameterRef& theta, const Optimizer& optimizer)>;

// Up to `steps` steps of `optimizer` on θ = [x y] from `start`; stops early when `done` (if given)
// says so of a point reached, or when the point diverges. The optimizer should be fresh: its state
// follows its one parameter, "theta".
Descent descend(const Surface& s, Optimizer& optimizer, Point2 start, std::size_t steps,
                const std::function<bool(Point2)>& done = {}, const DescentCallback& on_step = {});

}  // namespace glassbox
