// glassbox/data/synthetic.cpp — circles and moons: points on curves, shuffled, then noise.
#include "glassbox/data/synthetic.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include <fmt/format.h>

namespace glassbox::synthetic {

namespace {

// Both curves' points, outer (class 0) first; then the shuffle and the noise, in that order, as
// scikit-learn does: the noise of row n is drawn for the row that ends up in place n.
LabelledPoints finish(std::vector<double> xs, std::vector<double> ys, std::size_t outer, double noise, Rng& rng,
                      bool shuffle) {
  const std::size_t n = xs.size();
  LabelledPoints data;
  data.X = Matrix(n, 2);
  data.labels.resize(n);
  std::vector<std::size_t> order(n);
  if (shuffle) {
    order = rng.permutation(n);
  } else {
    for (std::size_t k = 0; k < n; ++k) order[k] = k;
  }
  for (std::size_t row = 0; row < n; ++row) {
    const std::size_t k = order[row];
    data.X(row, 0) = xs[k];
    data.X(row, 1) = ys[k];
    data.labels[row] = k < outer ? 0 : 1;
  }
  if (noise > 0)
    for (std::size_t row = 0; row < n; ++row) {
      data.X(row, 0) += rng.normal(0, noise);
      data.X(row, 1) += rng.normal(0, noise);
    }
  return data;
}

void require_noise(const char* what, double noise) {
  if (!(noise >= 0) || !std::isfinite(noise))
    throw std::invalid_argument(fmt::format("{}: noise {} must be a standard deviation ≥ 0", what, noise));
}

}  // namespace

Matrix LabelledPoints::targets() const {
  Matrix T(labels.size(), 1);
  for (std::size_t n = 0; n < labels.size(); ++n) T(n, 0) = static_cast<Scalar>(labels[n]);
  return T;
}

std::vector<double> linspace(double start, double stop, std::size_t n, bool endpoint) {
  std::vector<double> values(n);
  if (n == 0) return values;
  const std::size_t divisions = endpoint ? n - 1 : n;
  const double step = divisions > 0 ? (stop - start) / static_cast<double>(divisions) : 0.0;
  for (std::size_t k = 0; k < n; ++k) values[k] = start + static_cast<double>(k) * step;
  if (endpoint && n > 1) values.back() = stop;
  return values;
}

LabelledPoints make_circles(std::size_t n, double noise, double factor, Rng& rng, bool shuffle) {
  require_noise("make_circles", noise);
  if (!(factor >= 0 && factor < 1))
    throw std::invalid_argument(fmt::format("make_circles: factor {} must be in [0, 1): the inner circle's radius", factor));
  const std::size_t outer = n / 2, inner = n - outer;
  std::vector<double> xs, ys;
  xs.reserve(n);
  ys.reserve(n);
  for (double angle : linspace(0, 2 * std::numbers::pi, outer, false)) {
    xs.push_back(std::cos(angle));
    ys.push_back(std::sin(angle));
  }
  for (double angle : linspace(0, 2 * std::numbers::pi, inner, false)) {
    xs.push_back(std::cos(angle) * factor);
    ys.push_back(std::sin(angle) * factor);
  }
  return finish(std::move(xs), std::move(ys), outer, noise, rng, shuffle);
}

LabelledPoints make_moons(std::size_t n, double noise, Rng& rng, bool shuffle) {
  require_noise("make_moons", noise);
  const std::size_t outer = n / 2, inner = n - outer;
  std::vector<double> xs, ys;
  xs.reserve(n);
  ys.reserve(n);
  for (double angle : linspace(0, std::numbers::pi, outer)) {
    xs.push_back(std::cos(angle));
    ys.push_back(std::sin(angle));
  }
  for (double angle : linspace(0, std::numbers::pi, inner)) {
    xs.push_back(1 - std::cos(angle));
    ys.push_back(1 - std::sin(angle) - 0.5);
  }
  return finish(std::move(xs), std::move(ys), outer, noise, rng, shuffle);
}

LabelledPoints make_disc(std::size_t n, Rng& rng) {
  LabelledPoints points{Matrix::uniform(n, 2, rng, -1, 1), std::vector<std::size_t>(n)};
  const double r2 = 2.0 / std::numbers::pi;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = points.X(i, 0), y = points.X(i, 1);
    points.labels[i] = x * x + y * y < r2 ? 1 : 0;
  }
  return points;
}

}  // namespace glassbox::synthetic
