// glassbox/delta_rule.cpp — forward, loss and backward of the three single-layer models, and the
// batch / stochastic / mini-batch training loop.
#include "glassbox/delta_rule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/divergence.hpp"
#include "glassbox/random.hpp"

namespace glassbox {

std::string_view to_string(DeltaOutput output) {
  switch (output) {
    case DeltaOutput::linear: return "linear";
    case DeltaOutput::logistic: return "logistic";
    case DeltaOutput::softmax: return "softmax";
  }
  return "?";
}

std::string_view loss_name(DeltaOutput output) {
  switch (output) {
    case DeltaOutput::linear: return "mse";
    case DeltaOutput::logistic: return "bce";
    case DeltaOutput::softmax: return "cross_entropy";
  }
  return "?";
}

Scalar sigmoid(Scalar z) {
  if (z >= 0) return 1 / (1 + std::exp(-z));
  const Scalar e = std::exp(z);  // e^z ≤ 1: no overflow for very negative z
  return e / (1 + e);
}

DeltaRuleLayer::DeltaRuleLayer(std::size_t in, std::size_t out, DeltaOutput output)
    : W(out, in), b(1, out), output_(output) {
  if (in == 0 || out == 0) throw ShapeError(fmt::format("DeltaRuleLayer: {} inputs and {} outputs: both must be ≥ 1", in, out));
  if (output == DeltaOutput::softmax && out < 2)
    throw ShapeError(fmt::format("DeltaRuleLayer: softmax needs at least 2 outputs, got {}", out));
}

namespace {

// Y = g(Z), element by element or (softmax) row by row.
void apply_output(DeltaOutput output, const Matrix& Z, Matrix& Y) {
  Y = Z;
  switch (output) {
    case DeltaOutput::linear: break;
    case DeltaOutput::logistic: Y.apply_inplace(sigmoid); break;
    case DeltaOutput::softmax:
      // Subtracting the row's largest z first keeps e^z ≤ 1: softmax is unchanged, nothing overflows.
      for (std::size_t i = 0; i < Y.rows(); ++i) {
        Scalar* y = Y.row_ptr(i);
        const Scalar largest = *std::max_element(y, y + Y.cols());
        Scalar total = 0;
        for (std::size_t k = 0; k < Y.cols(); ++k) total += (y[k] = std::exp(y[k] - largest));
        for (std::size_t k = 0; k < Y.cols(); ++k) y[k] /= total;
      }
      break;
  }
}

void require_batch(const char* op, const DeltaRuleLayer& layer, const Matrix& X, const Matrix* T) {
  if (X.cols() != layer.inputs())
    throw ShapeError(fmt::format("{}: X {} for W {}: X needs {} columns", op, X.shape(), layer.W.shape(), layer.inputs()));
  if (T && (T->rows() != X.rows() || T->cols() != layer.outputs()))
    throw ShapeError(fmt::format("{}: X {} and T {}: T needs one row per sample and {} columns", op, X.shape(),
                                 T->shape(), layer.outputs()));
}

// The factor c in dL/dZ = c·(Y − T): the loss's 1/(N·out) or 1/N, and MSE's 2 from d(y − t)²/dy.
Scalar gradient_scale(DeltaOutput output, std::size_t n, std::size_t out) {
  const auto N = static_cast<Scalar>(n), K = static_cast<Scalar>(out);
  switch (output) {
    case DeltaOutput::linear: return 2 / (N * K);
    case DeltaOutput::logistic: return 1 / (N * K);
    case DeltaOutput::softmax: return 1 / N;
  }
  return 0;
}

}  // namespace

Matrix delta_output(DeltaOutput output, const Matrix& Z) {
  Matrix Y;
  apply_output(output, Z, Y);
  return Y;
}

Scalar delta_loss(DeltaOutput output, const Matrix& Z, const Matrix& Y, const Matrix& T) {
  if (!Z.same_shape(T) || !Y.same_shape(T))
    throw ShapeError(fmt::format("delta_loss: Z {}, Y {} and T {} must have one shape", Z.shape(), Y.shape(), T.shape()));
  if (T.rows() == 0) throw ShapeError("delta_loss: no samples");
  const auto N = static_cast<Scalar>(T.rows()), K = static_cast<Scalar>(T.cols());
  Scalar total = 0;
  switch (output) {
    case DeltaOutput::linear:
      // MSE = 1/(N·out) Σ (y − t)²
      for (std::size_t i = 0; i < T.size(); ++i) {
        const Scalar d = Y.data()[i] - T.data()[i];
        total += d * d;
      }
      return total / (N * K);
    case DeltaOutput::logistic:
      // −[t·ln σ(z) + (1 − t)·ln(1 − σ(z))] = max(z, 0) − z·t + ln(1 + e^(−|z|)): the same number,
      // finite even where σ(z) rounds to exactly 0 or 1.
      for (std::size_t i = 0; i < T.size(); ++i) {
        const Scalar z = Z.data()[i], t = T.data()[i];
        total += std::max(z, Scalar{0}) - z * t + std::log1p(std::exp(-std::abs(z)));
      }
      return total / (N * K);
    case DeltaOutput::softmax:
      // −Σₖ tₖ·ln yₖ = Σₖ tₖ·(ln Σⱼ e^(zⱼ) − zₖ) for Σₖ tₖ = 1, with log-sum-exp shifted by max z
      for (std::size_t i = 0; i < T.rows(); ++i) {
        const Scalar* z = Z.row_ptr(i);
        const Scalar largest = *std::max_element(z, z + Z.cols());
        Scalar sum_exp = 0;
        for (std::size_t k = 0; k < Z.cols(); ++k) sum_exp += std::exp(z[k] - largest);
        const Scalar log_sum_exp = largest + std::log(sum_exp);
        for (std::size_t k = 0; k < Z.cols(); ++k) total += T(i, k) * (log_sum_exp - z[k]);
      }
      return total / N;
  }
  return 0;
}

// ---- forward and backward -----------------------------------------------------------------------

// Z = X·Wᵀ + b ;  Y = g(Z)
const Matrix& DeltaRuleLayer::forward(const Matrix& X) {
  require_batch("DeltaRuleLayer::forward", *this, X, nullptr);
  matmul_abt_into(Z, X, W);
  add_row_vector_inplace(Z, b);
  apply_output(output_, Z, Y);
  return Y;
}

Scalar DeltaRuleLayer::loss(const Matrix& T) const { return delta_loss(output_, Z, Y, T); }

// dL/dZ = c·(Y − T) ;  dL/dW = dZᵀ·X ;  dL/db = Σ_rows dZ
void DeltaRuleLayer::backward(const Matrix& X, const Matrix& T) {
  require_batch("DeltaRuleLayer::backward", *this, X, &T);
  if (Y.rows() != X.rows())
    throw ShapeError(fmt::format("DeltaRuleLayer::backward: X {} is not the batch of the last forward (Y {})",
                                 X.shape(), Y.shape()));
  const Scalar c = gradient_scale(output_, X.rows(), outputs());
  dZ = Y;
  dZ -= T;
  dZ *= c;
  matmul_atb_into(dW, dZ, X);  // (out×N)·(N×in)
  if (db.rows() != 1 || db.cols() != outputs()) db = Matrix(1, outputs());
  db.fill(0);
  for (std::size_t i = 0; i < dZ.rows(); ++i)
    for (std::size_t k = 0; k < dZ.cols(); ++k) db(0, k) += dZ(i, k);
}

void DeltaRuleLayer::update(Scalar learning_rate) {
  W.axpy(-learning_rate, dW);
  b.axpy(-learning_rate, db);
}

Matrix DeltaRuleLayer::predict(const Matrix& X) const {
  require_batch("DeltaRuleLayer::predict", *this, X, nullptr);
  Matrix z = add_row_vector(matmul_abt(X, W), b), y;
  apply_output(output_, z, y);
  return y;
}

// ---- training -----------------------------------------------------------------------------------

DeltaTraining train_delta_rule(DeltaRuleLayer& layer, const Matrix& X, const Matrix& T,
                               const DeltaTrainingOptions& options, Rng& rng) {
  require_batch("train_delta_rule", layer, X, &T);
  const std::size_t N = X.rows();
  if (N == 0) throw ShapeError("train_delta_rule: no samples");
  if (!(options.learning_rate > 0))
    throw std::invalid_argument(fmt::format("train_delta_rule: the learning rate must be > 0, got {}", options.learning_rate));
  if (layer.output() != DeltaOutput::linear)
    for (std::size_t i = 0; i < N; ++i) {
      Scalar row = 0;
      for (std::size_t k = 0; k < T.cols(); ++k) {
        if (!(T(i, k) >= 0 && T(i, k) <= 1))
          throw std::invalid_argument(fmt::format("train_delta_rule: target ({}, {}) = {} is not in [0, 1]", i, k, T(i, k)));
        row += T(i, k);
      }
      if (layer.output() == DeltaOutput::softmax && std::abs(row - 1) > 1e-9)
        throw std::invalid_argument(fmt::format("train_delta_rule: softmax targets of row {} sum to {}, not 1", i, row));
    }
  const std::size_t B = options.batch_size == 0 || options.batch_size >= N ? N : options.batch_size;
  const bool full_batch = B == N;

  DeltaTraining run;
  layer.forward(X);
  run.initial_loss = layer.loss(T);
  const DivergenceGuard guard(run.initial_loss, options.learning_rate, options.growth_limit);

  std::vector<std::size_t> order(N), batch;
  for (std::size_t i = 0; i < N; ++i) order[i] = i;
  Matrix Xb, Tb;  // the mini-batch, reused from update to update
  for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
    if (!full_batch) rng.shuffle(order);
    for (std::size_t start = 0; start < N; start += B) {
      const std::size_t count = std::min(B, N - start);
      batch.assign(order.begin() + static_cast<std::ptrdiff_t>(start),
                   order.begin() + static_cast<std::ptrdiff_t>(start + count));
      const Matrix* xb = &X;
      const Matrix* tb = &T;
      if (!full_batch) {
        gather_rows_into(Xb, X, batch);
        gather_rows_into(Tb, T, batch);
        xb = &Xb;
        tb = &Tb;
      }
      layer.forward(*xb);
      const Scalar loss = layer.loss(*tb);
      guard.check_finite(loss, run.updates);
      layer.backward(*xb, *tb);
      layer.update(options.learning_rate);
      ++run.updates;
      if (options.on_update) options.on_update(DeltaUpdate{epoch, run.updates, &batch, loss, &layer});
    }
    layer.forward(X);
    const Scalar loss = layer.loss(T);
    guard.check(loss, run.updates);
    run.epoch_losses.push_back(loss);
    if (options.on_epoch) options.on_epoch(DeltaEpoch{epoch, run.updates, loss, &layer});
  }
  return run;
}

}  // namespace glassbox
