// glassbox/classic/tlu_layer.hpp — a layer of threshold logic units: several outputs at once.
//
// N = samples, in = inputs, out = units (one per output).
//
//   Z = X·Wᵀ + b      X:(N×in)  W:(out×in)  b:(1×out)  Z:(N×out)
//   H = step(Z)       element by element
//
// Row j of W (and bj) are unit j's weights (and bias), as in every later layer of the course; for
// one sample written as a column x:(in×1), z = W·x + b. Many texts write H = step(X·W + b) with W
// of shape (in×out) — column j holding unit j's weights: that W is our Wᵀ, and the numbers are the
// same. The bias is kept apart here (b = the weights of a constant input x₀ = 1 in chapter 02).
//
// Learning, one sample x (1×in) at a time, for all units at once:
//   e = t − y          (1×out): each unit's error
//   ΔW = η·eᵀ·x        (out×in): the outer product — row j is unit j's perceptron update
//   Δb = η·e           (1×out)
// Units do not interact: a layer of TLUs is `out` separate perceptrons that share their inputs.
// Each one converges, cycles or runs to the limit on its own; once its outcome is known it is
// frozen (its error is set to 0) while the others go on.
//
// The pocket algorithm (Gallant, 1990) for a unit that never converges: after every update of a
// unit, count its errors on the whole training set; if fewer than those of the weights "in the
// pocket", put the new weights there. The pocket then holds the best weights seen.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "glassbox/core/matrix.hpp"
#include "glassbox/classic/perceptron.hpp"

namespace glassbox {

struct TluLayer {
  Matrix W;  // (out×in)
  Matrix b;  // (1×out)
  StepFunction step = StepFunction::heaviside;

  std::size_t inputs() const noexcept { return W.cols(); }
  std::size_t units() const noexcept { return W.rows(); }
  // Z = X·Wᵀ + b  (N×out)
  Matrix net_input(const Matrix& X) const;
  // H = step(X·Wᵀ + b)  (N×out)
  Matrix forward(const Matrix& X) const;
};

// A layer of `out` units on `in` inputs with all weights and biases 0.
TluLayer zero_tlu_layer(std::size_t in, std::size_t out, StepFunction step = StepFunction::heaviside);

// Errors of each unit on (X, T): count of samples i with H(i, j) ≠ T(i, j), one count per unit.
std::vector<std::size_t> unit_errors(const TluLayer& layer, const Matrix& X, const Matrix& T);

// One vs rest: each sample's class is the unit with the largest net input (ties: the first).
// With 0/1 outputs, several units may fire, or none; the net input still ranks them.
std::vector<std::size_t> predict_one_vs_rest(const TluLayer& layer, const Matrix& X);

// One sample presented to the layer.
struct TluLayerStep {
  std::size_t epoch = 0, position = 0, sample = 0;
  Matrix x;                    // (1×in)
  Matrix z, y, t, error;       // (1×out); error is 0 for frozen units
  Matrix dW, db;               // (out×in), (1×out)
  const TluLayer* layer = nullptr;  // after the update
  bool updated = false;        // some unit's weights changed
};

struct TluLayerEpoch {
  std::size_t epoch = 0;
  std::vector<std::size_t> mistakes;       // per unit, in this epoch (0 for frozen units)
  std::vector<std::size_t> errors;         // per unit, on the training set, with the weights now
  std::vector<std::size_t> pocket_errors;  // per unit, of the weights in the pocket
  std::vector<bool> active;                // per unit: still learning after this epoch
  const TluLayer* layer = nullptr;
};

struct TluUnitReport {
  TrainingOutcome outcome = TrainingOutcome::max_epochs;
  std::size_t epochs = 0;        // epochs this unit trained (a converged unit's last one is clean)
  std::size_t mistakes = 0;      // updates made
  std::size_t cycle_start = 0, cycle_length = 0;
  std::size_t pocket_errors = 0; // training errors of the pocket weights
  std::size_t pocket_update = 0; // how many updates the pocket weights had seen (0: the start)
};

struct TluLayerTraining {
  TluLayer last;    // the weights when training stopped
  TluLayer pocket;  // per unit, the weights with the fewest training errors seen
  std::vector<TluUnitReport> units;
  std::size_t epochs = 0;  // epochs run (until every unit's outcome was known, or the limit)
};

struct TluLayerOptions {
  Scalar learning_rate = 1;
  std::size_t max_epochs = 100;
  std::vector<std::size_t> order;  // presentation order, every epoch; empty: 0 … N−1
  std::function<void(const TluLayerStep&)> on_step;
  std::function<void(const TluLayerEpoch&)> on_epoch;
};

// Trains the layer on X (N×in) and targets T (N×out) of 0s and 1s (Heaviside step; one column per
// unit), keeping a pocket for every unit. Throws ShapeError / std::invalid_argument for misfits.
TluLayerTraining train_tlu_layer(TluLayer layer, const Matrix& X, const Matrix& T, const TluLayerOptions& options);

}  // namespace glassbox
