// glassbox/classic/perceptron.cpp — the TLU, its two learning rules, cycles, and the mistake bound.
#include "glassbox/classic/perceptron.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/nn/activations.hpp"
#include "glassbox/core/linalg.hpp"

namespace glassbox {

std::string_view to_string(StepFunction step) { return step == StepFunction::heaviside ? "heaviside" : "sign"; }
std::string_view to_string(LearningRule rule) { return rule == LearningRule::perceptron ? "perceptron" : "hebb"; }

std::string_view to_string(TrainingOutcome outcome) {
  switch (outcome) {
    case TrainingOutcome::converged: return "converged";
    case TrainingOutcome::cycle: return "cycle";
    case TrainingOutcome::max_epochs: return "max_epochs";
  }
  return "?";
}

Scalar heaviside(Scalar z) { return HeavisideStep{}.value(z); }
Scalar sign_step(Scalar z) { return Sign{}.value(z); }
Scalar step(StepFunction step, Scalar z) { return step == StepFunction::heaviside ? heaviside(z) : sign_step(z); }

Matrix with_bias_input(const Matrix& X) { return hconcat(Matrix::ones(X.rows(), 1), X); }

Scalar net_input(const Matrix& w, const Matrix& Xb, std::size_t i) {
  // z = Σⱼ wⱼ·x̃ⱼ, summed from j = 0 (the bias) up
  const Scalar* x = Xb.row_ptr(i);
  Scalar z = 0;
  for (std::size_t j = 0; j < Xb.cols(); ++j) z += w(0, j) * x[j];
  return z;
}

namespace {

void require_unit_shapes(const char* op, const Matrix& w, const Matrix& Xb, std::size_t targets) {
  if (w.rows() != 1 || w.cols() != Xb.cols())
    throw ShapeError(fmt::format("{}: w {} and X̃ {}: w must be one row with one weight per column of X̃", op,
                                 w.shape(), Xb.shape()));
  if (targets != Xb.rows())
    throw ShapeError(fmt::format("{}: X̃ {} has {} samples but {} targets were given", op, Xb.shape(), Xb.rows(),
                                 targets));
}

}  // namespace

Matrix tlu_outputs(const Matrix& w, const Matrix& Xb, StepFunction step_fn) {
  require_unit_shapes("tlu_outputs", w, Xb, Xb.rows());
  Matrix y(Xb.rows(), 1);
  for (std::size_t i = 0; i < Xb.rows(); ++i) y(i, 0) = step(step_fn, net_input(w, Xb, i));
  return y;
}

std::size_t count_errors(const Matrix& w, const Matrix& Xb, const std::vector<Scalar>& t, StepFunction step_fn) {
  require_unit_shapes("count_errors", w, Xb, t.size());
  std::size_t errors = 0;
  for (std::size_t i = 0; i < Xb.rows(); ++i) errors += step(step_fn, net_input(w, Xb, i)) != t[i];
  return errors;
}

std::optional<std::size_t> CycleDetector::visit(const Matrix& w, std::size_t epoch) {
  auto [it, inserted] = seen_.try_emplace(w.values(), epoch);
  if (inserted) return std::nullopt;
  return it->second;
}

TluTraining train_tlu(const Matrix& Xb, const std::vector<Scalar>& t, Matrix w0, const TluTrainingOptions& options) {
  require_unit_shapes("train_tlu", w0, Xb, t.size());
  if (!(options.learning_rate > 0))
    throw std::invalid_argument(fmt::format("train_tlu: the learning rate must be > 0, got {}", options.learning_rate));
  for (std::size_t i = 0; i < t.size(); ++i) {
    const bool fits = options.step == StepFunction::heaviside ? (t[i] == 0 || t[i] == 1) : (t[i] == -1 || t[i] == 1);
    if (!fits)
      throw std::invalid_argument(fmt::format("train_tlu: target {} of sample {} is not {} for the {} step", t[i], i,
                                              options.step == StepFunction::heaviside ? "0 or 1" : "−1 or +1",
                                              to_string(options.step)));
  }
  std::vector<std::size_t> order = options.order;
  if (order.empty())
    for (std::size_t i = 0; i < Xb.rows(); ++i) order.push_back(i);
  for (std::size_t i : order)
    if (i >= Xb.rows()) throw std::invalid_argument(fmt::format("train_tlu: sample {} in the order is out of range", i));

  const Scalar eta = options.learning_rate;
  const bool hebb = options.rule == LearningRule::hebb;
  TluTraining run;
  run.w = std::move(w0);
  Matrix& w = run.w;
  CycleDetector cycles;
  TluStep s;
  s.x = Matrix(1, Xb.cols());
  s.dw = Matrix(1, Xb.cols());
  s.w = &w;
  for (std::size_t epoch = 1; epoch <= options.max_epochs; ++epoch) {
    if (auto earlier = cycles.visit(w, epoch)) {
      run.outcome = TrainingOutcome::cycle;
      run.cycle_start = *earlier;
      run.cycle_length = epoch - *earlier;
      break;
    }
    std::size_t mistakes = 0;
    for (std::size_t p = 0; p < order.size(); ++p) {
      const std::size_t i = order[p];
      const Scalar* x = Xb.row_ptr(i);
      const Scalar z = net_input(w, Xb, i);  // z = w·x̃
      const Scalar y = step(options.step, z);
      const Scalar error = t[i] - y;
      // perceptron: Δw = η·(t − y)·x̃      Hebb: Δw = η·t·x̃
      const Scalar factor = eta * (hebb ? t[i] : error);
      for (std::size_t j = 0; j < Xb.cols(); ++j) {
        s.dw(0, j) = factor * x[j] + 0.0;  // + 0.0: a product −1·0 = −0 is recorded as 0
        w(0, j) += s.dw(0, j);
      }
      mistakes += y != t[i];
      if (options.on_step) {
        s.epoch = epoch;
        s.position = p;
        s.sample = i;
        std::copy_n(x, Xb.cols(), s.x.data());
        s.z = z;
        s.y = y;
        s.t = t[i];
        s.error = error;
        options.on_step(s);
      }
    }
    run.epochs = epoch;
    run.mistakes += mistakes;
    run.mistakes_per_epoch.push_back(mistakes);
    if (options.on_epoch) options.on_epoch(TluEpoch{epoch, mistakes, &w});
    require_finite(w, fmt::format("train_tlu: the weights after epoch {}", epoch));
    if (!hebb && mistakes == 0) {
      run.outcome = TrainingOutcome::converged;
      break;
    }
  }
  run.errors = count_errors(w, Xb, t, options.step);
  return run;
}

// ---- the mistake bound --------------------------------------------------------------------------

Scalar data_radius(const Matrix& Xb) {
  Scalar largest = 0;
  for (std::size_t i = 0; i < Xb.rows(); ++i) {
    Scalar s = 0;
    for (std::size_t j = 0; j < Xb.cols(); ++j) s += Xb(i, j) * Xb(i, j);
    largest = std::max(largest, s);
  }
  return std::sqrt(largest);
}

Scalar margin(const Matrix& w, const Matrix& Xb, const std::vector<Scalar>& s) {
  require_unit_shapes("margin", w, Xb, s.size());
  if (Xb.rows() == 0) throw ShapeError("margin: no samples");
  const Scalar length = norm(w);
  if (length == 0) return 0;
  // A computed z = Σⱼ wⱼ·x̃ⱼ is off from the exact sum by at most about n·ε·Σⱼ |wⱼ·x̃ⱼ| (n + 1 terms,
  // one rounding each). A z within that of 0 may be an exact 0 that rounding moved — with η = 0.1,
  // (−0.2, 0.2, 0.1)·(1, 1, 0) gives −2.8e-17 — so it counts as 0: a point on the boundary.
  const Scalar unit_roundoff = std::numeric_limits<Scalar>::epsilon();
  Scalar smallest = std::numeric_limits<Scalar>::infinity();
  for (std::size_t i = 0; i < Xb.rows(); ++i) {
    Scalar z = net_input(w, Xb, i), magnitude = 0;
    for (std::size_t j = 0; j < Xb.cols(); ++j) magnitude += std::abs(w(0, j) * Xb(i, j));
    if (std::abs(z) <= static_cast<Scalar>(Xb.cols()) * unit_roundoff * magnitude) z = 0;
    smallest = std::min(smallest, s[i] * z);
  }
  return smallest / length;
}

Scalar mistake_bound(Scalar radius, Scalar gamma) {
  if (!(gamma > 0)) throw std::invalid_argument(fmt::format("mistake_bound: the margin must be > 0, got {}", gamma));
  return (radius / gamma) * (radius / gamma);
}

MaxMargin max_margin_direction(const Matrix& Xb, const std::vector<Scalar>& s) {
  const std::size_t N = Xb.rows(), n = Xb.cols();
  require_unit_shapes("max_margin_direction", Matrix(1, n), Xb, s.size());
  if (N == 0) throw ShapeError("max_margin_direction: no samples");
  for (std::size_t i = 0; i < N; ++i)
    if (s[i] != 1 && s[i] != -1)
      throw std::invalid_argument(fmt::format("max_margin_direction: class {} of sample {} is not −1 or +1", s[i], i));
  Matrix Z = Xb;  // zᵢ = sᵢ·x̃ᵢ, one per row
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t j = 0; j < n; ++j) Z(i, j) *= s[i];
  auto dot_rows = [&](std::size_t a, std::size_t b) {
    Scalar d = 0;
    for (std::size_t j = 0; j < n; ++j) d += Z(a, j) * Z(b, j);
    return d;
  };
  auto dot_x = [&](const Matrix& x, std::size_t a) {
    Scalar d = 0;
    for (std::size_t j = 0; j < n; ++j) d += x(0, j) * Z(a, j);
    return d;
  };
  Scalar largest = 0;  // max ‖zᵢ‖², the scale for the tolerances
  std::size_t nearest = 0;
  for (std::size_t i = 0; i < N; ++i) {
    largest = std::max(largest, dot_rows(i, i));
    if (dot_rows(i, i) < dot_rows(nearest, nearest)) nearest = i;
  }
  constexpr Scalar kTolerance = 1e-12;

  std::vector<std::size_t> corral{nearest};  // S: the points p is an affine combination of
  std::vector<Scalar> weight{1};             // λ ≥ 0, Σλ = 1, p = Σ λᵢzᵢ
  auto point = [&](const std::vector<Scalar>& lambda) {
    Matrix x(1, n);
    for (std::size_t k = 0; k < corral.size(); ++k)
      for (std::size_t j = 0; j < n; ++j) x(0, j) += lambda[k] * Z(corral[k], j);
    return x;
  };
  // The point of the corral's affine hull nearest the origin: minimise ‖Σμₖzₖ‖² with Σμₖ = 1.
  // With G' = Gram(S) + 1·1ᵀ (positive definite for affinely independent points), μ ∝ G'⁻¹·1.
  auto affine_minimum = [&] {
    const std::size_t m = corral.size();
    Matrix G(m, m);
    for (std::size_t a = 0; a < m; ++a)
      for (std::size_t b = 0; b < m; ++b) G(a, b) = dot_rows(corral[a], corral[b]) + 1;
    const Matrix mu = cholesky_solve(cholesky(G), Matrix::ones(m, 1));
    std::vector<Scalar> v(m);
    const Scalar total = sum(mu);
    for (std::size_t k = 0; k < m; ++k) v[k] = mu(k, 0) / total;
    return v;
  };

  MaxMargin result;
  Matrix p = point(weight);
  const std::size_t max_iterations = 10 * N + 100;
  for (std::size_t iteration = 1; iteration <= max_iterations; ++iteration) {
    result.iterations = iteration;
    const Scalar pp = squared_norm(p);
    if (pp <= kTolerance * largest) break;  // the origin is in the hull: no separating direction
    std::size_t j = 0;  // the point most opposed to p
    for (std::size_t i = 1; i < N; ++i)
      if (dot_x(p, i) < dot_x(p, j)) j = i;
    if (dot_x(p, j) >= pp - kTolerance * largest ||
        std::find(corral.begin(), corral.end(), j) != corral.end()) {
      result.converged = true;  // zᵢ·p ≥ ‖p‖² for all i: p is the nearest point
      break;
    }
    corral.push_back(j);
    weight.push_back(0);
    for (;;) {  // minor cycle: move towards the affine minimum while the weights stay ≥ 0
      std::vector<Scalar> v;
      try {
        v = affine_minimum();
      } catch (const SingularMatrixError&) {
        break;  // numerically dependent corral: keep the current point
      }
      if (std::all_of(v.begin(), v.end(), [](Scalar x) { return x > kTolerance; })) {
        weight = v;
        break;
      }
      Scalar theta = 1;  // the step along weight → v at which the first weight reaches 0
      for (std::size_t k = 0; k < v.size(); ++k)
        if (v[k] <= kTolerance && weight[k] - v[k] > 0) theta = std::min(theta, weight[k] / (weight[k] - v[k]));
      for (std::size_t k = 0; k < v.size(); ++k) weight[k] = theta * v[k] + (1 - theta) * weight[k];
      for (std::size_t k = corral.size(); k-- > 0;)
        if (weight[k] <= kTolerance) {
          corral.erase(corral.begin() + static_cast<std::ptrdiff_t>(k));
          weight.erase(weight.begin() + static_cast<std::ptrdiff_t>(k));
        }
      const Scalar total = std::accumulate(weight.begin(), weight.end(), Scalar{0});
      for (Scalar& w : weight) w /= total;
    }
    p = point(weight);
  }
  const Scalar length = norm(p);
  result.support = corral.size();
  if (!result.converged || length == 0) {
    result.converged = false;
    result.u = Matrix(1, n);
    result.gamma = 0;
    return result;
  }
  result.u = p / length;
  result.gamma = margin(result.u, Xb, s);
  return result;
}

}  // namespace glassbox
