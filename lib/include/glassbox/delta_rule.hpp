// glassbox/delta_rule.hpp — one layer of smooth units trained by the delta rule: linear
// regression (Adaline), logistic regression and softmax regression.
//
// N = batch size, in = inputs, out = outputs (1 for linear and logistic, K classes for softmax).
//
//   Z = X·Wᵀ + b        X:(N×in)  W:(out×in)  b:(1×out)  Z:(N×out)
//   Y = g(Z)            linear: Y = Z;  logistic: Y = σ(Z) = 1/(1 + e^(−Z));  softmax: each row
//                       Yᵢₖ = e^(Zᵢₖ) / Σⱼ e^(Zᵢⱼ)
//   L(Y, T)             each output with its matched loss, averaged over the batch (PyTorch's
//                       "mean" reduction):
//                       linear:   MSE = 1/(N·out) Σ (y − t)²                (MSELoss)
//                       logistic: BCE = −1/(N·out) Σ [t·ln y + (1 − t)·ln(1 − y)]   (BCELoss)
//                       softmax:  CE  = −1/N Σᵢ Σₖ tᵢₖ·ln yᵢₖ, T one-hot     (CrossEntropyLoss)
//
// The pairs are chosen so that the gradient at Z has one shape for all three:
//   dL/dZ = c·(Y − T)       c = 2/(N·out) for MSE, 1/(N·out) for BCE, 1/N for CE
//   dL/dW = dZᵀ·X ;  dL/db = Σ_rows dZ
// and the update W ← W − η·dL/dW is Widrow and Hoff's delta rule, Δw = η·c·Σᵢ (tᵢ − yᵢ)·xᵢ:
// the perceptron rule's shape with a real-valued output y in place of the step.
//
// This is exactly the backward pass of one dense layer whose loss gradient is fused with its output
// function (the chapters from 05 on take the same formulas apart, layer by layer).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "glassbox/matrix.hpp"

namespace glassbox {

class Rng;

enum class DeltaOutput { linear, logistic, softmax };
std::string_view to_string(DeltaOutput output);
std::string_view loss_name(DeltaOutput output);  // "mse", "bce", "cross_entropy"

// σ(z), written so that neither branch overflows: for z < 0, e^z/(1 + e^z).
Scalar sigmoid(Scalar z);

class DeltaRuleLayer {
public:
  // A layer with all weights and biases 0 (the losses are convex, so no symmetry needs breaking).
  DeltaRuleLayer(std::size_t in, std::size_t out, DeltaOutput output);

  std::size_t inputs() const noexcept { return W.cols(); }
  std::size_t outputs() const noexcept { return W.rows(); }
  DeltaOutput output() const noexcept { return output_; }

  Matrix W;  // (out×in)
  Matrix b;  // (1×out)

  // Cached by forward() for loss() and backward(): the batch's net inputs and outputs.
  Matrix Z;  // (N×out)
  Matrix Y;  // (N×out)

  // Z = X·Wᵀ + b ;  Y = g(Z). Returns Y.
  const Matrix& forward(const Matrix& X);
  // The loss of the last forward() against targets T (N×out). For logistic and softmax it is
  // computed from Z (log-sum-exp / softplus), so it stays finite when y rounds to 0 or 1.
  Scalar loss(const Matrix& T) const;

  // Gradients of the last forward(); backward() overwrites them (one update per batch).
  Matrix dZ;  // (N×out)  dL/dZ = c·(Y − T)
  Matrix dW;  // (out×in) dL/dW = dZᵀ·X
  Matrix db;  // (1×out)  dL/db = Σ_rows dZ
  // Seeds the chain rule with the fused dL/dZ and carries it to W and b. X must be the batch
  // forward() saw; T its targets.
  void backward(const Matrix& X, const Matrix& T);

  // W ← W − η·dL/dW ;  b ← b − η·dL/db
  void update(Scalar learning_rate);

  // Y for X without touching the caches.
  Matrix predict(const Matrix& X) const;

private:
  DeltaOutput output_;
};

// Y = g(Z) for the output function, on its own (for checks that perturb Z directly).
Matrix delta_output(DeltaOutput output, const Matrix& Z);
// The loss of outputs Y = g(Z) against T, as DeltaRuleLayer::loss.
Scalar delta_loss(DeltaOutput output, const Matrix& Z, const Matrix& Y, const Matrix& T);

// ---- training -----------------------------------------------------------------------------------

struct DeltaUpdate {
  std::size_t epoch = 0;   // from 1
  std::size_t update = 0;  // from 1, counted over the whole run
  const std::vector<std::size_t>* batch = nullptr;  // the rows of X in this batch
  Scalar loss = 0;         // the batch's loss before the update (the one the gradient is of)
  const DeltaRuleLayer* layer = nullptr;  // dW, db of this update; W, b after it
};

struct DeltaEpoch {
  std::size_t epoch = 0;
  std::size_t updates = 0;  // so far
  Scalar loss = 0;          // on the whole training set, after the epoch
  const DeltaRuleLayer* layer = nullptr;
};

struct DeltaTrainingOptions {
  Scalar learning_rate = 0.1;
  std::size_t epochs = 100;
  // 0 or N: batch gradient descent, one update per epoch on all samples (no shuffling);
  // 1: stochastic, one sample per update; otherwise mini-batches of this size (the last may be
  // smaller). Below N the order is reshuffled every epoch from the Rng.
  std::size_t batch_size = 0;
  // Stop with DivergenceError when the training loss exceeds this many times its initial value
  // (checked after every epoch) or any batch loss is not finite (checked after every update).
  Scalar growth_limit = 1e6;
  std::function<void(const DeltaUpdate&)> on_update;
  std::function<void(const DeltaEpoch&)> on_epoch;
};

struct DeltaTraining {
  std::size_t updates = 0;
  Scalar initial_loss = 0;          // on the whole training set, before any update
  std::vector<Scalar> epoch_losses; // on the whole training set, after each epoch
};

// Trains the layer on X (N×in) and T (N×out). Throws ShapeError for shapes that do not fit,
// std::invalid_argument for targets outside the output's range, DivergenceError when the loss
// blows up.
DeltaTraining train_delta_rule(DeltaRuleLayer& layer, const Matrix& X, const Matrix& T,
                               const DeltaTrainingOptions& options, Rng& rng);

}  // namespace glassbox
