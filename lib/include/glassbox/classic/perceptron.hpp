// glassbox/classic/perceptron.hpp — the threshold logic unit and how it learns: Rosenblatt's perceptron
// rule, Hebb's rule beside it, cycle detection, and the perceptron convergence theorem.
//
// N = samples, n = features; x̃ = (1, x₁ … xₙ) is a sample with the constant input x₀ = 1 in front,
// so the bias is just the weight w₀ of that input: w = (w₀, w₁ … wₙ), a row (1×(n+1)).
//
//   z = w·x̃ = w₀ + w₁x₁ + … + wₙxₙ      the net input
//   y = step(z)                          heaviside: 1 if z ≥ 0 else 0  (targets t ∈ {0, 1})
//                                        sign:      +1 if z > 0, 0 if z = 0, −1 if z < 0  (t ∈ {−1, +1})
//
// Learning, one sample at a time (on-line), the samples presented in a fixed order every epoch:
//   perceptron rule   Δw = η·(t − y)·x̃     — nothing changes when the unit is right
//   Hebb's rule       Δw = η·t·x̃           — strengthens co-active input and target, right or wrong
//
// Conventions: Heaviside(0) = 1 (a net input of exactly 0 fires); sign(0) = 0 (neither class,
// which always counts as a mistake). Weights start at 0 unless given; from w = 0, the perceptron's
// weights are η times an integer combination of samples, so η scales w but changes no prediction.
// An epoch count includes the final pass in which no mistake was made (that pass proves convergence).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "glassbox/core/matrix.hpp"

namespace glassbox {

// ---- the threshold logic unit -------------------------------------------------------------------

enum class StepFunction { heaviside, sign };
std::string_view to_string(StepFunction step);

// The two steps are the activations HeavisideStep and Sign of activations.hpp (one definition of
// each, shared with the layers of chapter 08), as plain functions of one net input.
Scalar heaviside(Scalar z);  // 1 if z ≥ 0, else 0
Scalar sign_step(Scalar z);  // +1, 0 or −1: the sign of z
Scalar step(StepFunction step, Scalar z);

// [1 | X]: every sample with the constant input x₀ = 1 in front.  X:(N×n) → (N×(n+1))
Matrix with_bias_input(const Matrix& X);

// z = w·x̃ for one sample (row `i` of X̃).   w:(1×(n+1))  X̃:(N×(n+1))
Scalar net_input(const Matrix& w, const Matrix& Xb, std::size_t i);
// y = step(w·x̃) for every sample: (N×1).
Matrix tlu_outputs(const Matrix& w, const Matrix& Xb, StepFunction step);
// How many samples the unit gets wrong (y ≠ t).  t: N targets
std::size_t count_errors(const Matrix& w, const Matrix& Xb, const std::vector<Scalar>& t, StepFunction step);

// ---- learning -----------------------------------------------------------------------------------

enum class LearningRule { perceptron, hebb };
std::string_view to_string(LearningRule rule);

// One sample presented: what the unit saw, did, and how it changed. (For Hebb's rule, `error` is
// t − y for the record; the update does not use it.)
struct TluStep {
  std::size_t epoch = 0;     // from 1
  std::size_t position = 0;  // place in the epoch's order, from 0
  std::size_t sample = 0;    // row of X̃
  Matrix x;                  // x̃ (1×(n+1))
  Scalar z = 0, y = 0, t = 0, error = 0;
  Matrix dw;                 // Δw (1×(n+1))
  const Matrix* w = nullptr; // w after the update
};

struct TluEpoch {
  std::size_t epoch = 0;
  std::size_t mistakes = 0;  // samples with y ≠ t when presented (= updates, for the perceptron rule)
  const Matrix* w = nullptr; // w at the end of the epoch
};

enum class TrainingOutcome {
  converged,   // an epoch without a mistake: every sample is classified right
  cycle,       // the weights came back to where they were at the start of an earlier epoch
  max_epochs,  // stopped at the limit without either
};
std::string_view to_string(TrainingOutcome outcome);

struct TluTrainingOptions {
  LearningRule rule = LearningRule::perceptron;
  StepFunction step = StepFunction::heaviside;
  Scalar learning_rate = 1;       // η > 0
  std::size_t max_epochs = 1000;  // Hebb's rule, which has no stopping test, runs exactly this many
  std::vector<std::size_t> order; // the order samples are presented in, every epoch; empty: 0 … N−1
  std::function<void(const TluStep&)> on_step;    // called for every sample presented
  std::function<void(const TluEpoch&)> on_epoch;  // called after every epoch
};

struct TluTraining {
  Matrix w;                                   // the final weights (1×(n+1))
  TrainingOutcome outcome = TrainingOutcome::max_epochs;
  std::size_t epochs = 0;                     // epochs run (a converged run's last one is clean)
  std::size_t mistakes = 0;                   // all mistakes over all epochs
  std::vector<std::size_t> mistakes_per_epoch;
  std::size_t errors = 0;                     // training errors of the final weights
  std::size_t cycle_start = 0;                // for a cycle: the epoch whose starting weights recur …
  std::size_t cycle_length = 0;               // … and after how many epochs
};

// Trains one TLU on X̃ (N×(n+1), with the x₀ = 1 column) and targets t (N values), from w0.
// The perceptron rule stops at the first epoch without a mistake (converged), when the weights at
// the start of an epoch equal those at the start of an earlier one (cycle: with a fixed order the
// run from there repeats forever — the state is the weights and the position in the epoch, and at
// position 0 it has recurred), or at max_epochs. Throws ShapeError / std::invalid_argument for
// inconsistent shapes, targets that do not fit the step function, or η ≤ 0.
TluTraining train_tlu(const Matrix& Xb, const std::vector<Scalar>& t, Matrix w0, const TluTrainingOptions& options);

// Remembers the weights at the start of each epoch and recognises one seen before (exact equality).
class CycleDetector {
public:
  // Returns the earlier epoch that started with the same weights, or records `w` for `epoch`.
  std::optional<std::size_t> visit(const Matrix& w, std::size_t epoch);

private:
  std::map<std::vector<Scalar>, std::size_t> seen_;
};

// ---- the perceptron convergence theorem (Novikoff, 1962) ----------------------------------------
//
// If every ‖x̃ᵢ‖ ≤ R and some unit vector u separates the data with margin γ > 0, i.e.
// sᵢ·(u·x̃ᵢ) ≥ γ for all i (sᵢ = ±1 the class: sᵢ = 2tᵢ − 1 for 0/1 targets), then the perceptron
// started from w = 0 makes at most (R/γ)² mistakes, in whatever order the samples come, for any η.
// It holds for every separating u; the largest margin gives the tightest bound.

// R = maxᵢ ‖x̃ᵢ‖ over the rows of X̃.
Scalar data_radius(const Matrix& Xb);
// γ(w) = minᵢ sᵢ·(w·x̃ᵢ) / ‖w‖: positive exactly when w separates the data. A w·x̃ᵢ within its own
// round-off of 0 (n·ε·Σⱼ |wⱼ·x̃ᵢⱼ|) counts as 0: γ = 9e-17 would be rounding, not a margin.
Scalar margin(const Matrix& w, const Matrix& Xb, const std::vector<Scalar>& s);
// (R/γ)²
Scalar mistake_bound(Scalar radius, Scalar gamma);

// The direction of largest margin through the origin of x̃-space (the hard-margin SVM without a
// separate bias): minimise ‖u‖ subject to sᵢ·(u·x̃ᵢ) ≥ 1. With zᵢ = sᵢ·x̃ᵢ this is the point p of
// the convex hull of the zᵢ nearest the origin: then zᵢ·p ≥ ‖p‖² for every i, so u = p/‖p‖ has
// margin γ* = ‖p‖, and no direction does better. p is found exactly, in finitely many steps, by
// Wolfe's minimum-norm-point algorithm (1976): keep a few "corral" points whose affine hull holds
// the current p; add the point most opposed to p; move to the nearest point of the new corral's
// affine hull, dropping points whose weight would turn negative. When the origin is in the hull
// (the data cannot be separated) p = 0: converged is false and gamma is 0.
struct MaxMargin {
  Matrix u;            // (1×(n+1)), unit length (all zero when there is no separating direction)
  Scalar gamma = 0;    // minᵢ sᵢ·(u·x̃ᵢ): the margin u achieves
  std::size_t support = 0;     // points in the final corral (the support vectors)
  std::size_t iterations = 0;  // major iterations of Wolfe's algorithm
  bool converged = false;
};
MaxMargin max_margin_direction(const Matrix& Xb, const std::vector<Scalar>& s);

}  // namespace glassbox
