// glassbox/classic/tlu_layer.cpp — the layer of TLUs, trained unit by unit in matrix form, with pockets.
#include "glassbox/classic/tlu_layer.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace glassbox {

Matrix TluLayer::net_input(const Matrix& X) const {
  Matrix Z = matmul_abt(X, W);  // X·Wᵀ: (N×in)·(in×out)
  return add_row_vector_inplace(Z, b);
}

Matrix TluLayer::forward(const Matrix& X) const {
  return net_input(X).apply_inplace([s = step](Scalar z) { return glassbox::step(s, z); });
}

TluLayer zero_tlu_layer(std::size_t in, std::size_t out, StepFunction step) {
  return TluLayer{Matrix(out, in), Matrix(1, out), step};
}

namespace {

void require_layer_data(const char* op, const TluLayer& layer, const Matrix& X, const Matrix& T) {
  if (layer.b.rows() != 1 || layer.b.cols() != layer.units())
    throw ShapeError(fmt::format("{}: W {} and b {}: b must be (1×{})", op, layer.W.shape(), layer.b.shape(),
                                 layer.units()));
  if (X.cols() != layer.inputs())
    throw ShapeError(fmt::format("{}: X {} for W {}: X needs {} columns", op, X.shape(), layer.W.shape(), layer.inputs()));
  if (T.rows() != X.rows() || T.cols() != layer.units())
    throw ShapeError(fmt::format("{}: X {} and T {}: T needs one row per sample and one column per unit ({})", op,
                                 X.shape(), T.shape(), layer.units()));
}

// Unit j's net input for sample i: zᵢⱼ = Σₖ xᵢₖ·Wⱼₖ + bⱼ
Scalar unit_net_input(const TluLayer& layer, const Matrix& X, std::size_t i, std::size_t j) {
  const Scalar* x = X.row_ptr(i);
  const Scalar* w = layer.W.row_ptr(j);
  Scalar z = 0;
  for (std::size_t k = 0; k < X.cols(); ++k) z += x[k] * w[k];
  return z + layer.b(0, j);
}

std::size_t errors_of_unit(const TluLayer& layer, const Matrix& X, const Matrix& T, std::size_t j) {
  std::size_t errors = 0;
  for (std::size_t i = 0; i < X.rows(); ++i) errors += step(layer.step, unit_net_input(layer, X, i, j)) != T(i, j);
  return errors;
}

// Unit j's state for cycle detection: its weights and its bias.
Matrix unit_state(const TluLayer& layer, std::size_t j) {
  Matrix s(1, layer.inputs() + 1);
  std::copy_n(layer.W.row_ptr(j), layer.inputs(), s.data());
  s(0, layer.inputs()) = layer.b(0, j);
  return s;
}

}  // namespace

std::vector<std::size_t> unit_errors(const TluLayer& layer, const Matrix& X, const Matrix& T) {
  require_layer_data("unit_errors", layer, X, T);
  std::vector<std::size_t> errors(layer.units());
  for (std::size_t j = 0; j < layer.units(); ++j) errors[j] = errors_of_unit(layer, X, T, j);
  return errors;
}

std::vector<std::size_t> predict_one_vs_rest(const TluLayer& layer, const Matrix& X) {
  return argmax_cols(layer.net_input(X));
}

TluLayerTraining train_tlu_layer(TluLayer layer, const Matrix& X, const Matrix& T, const TluLayerOptions& options) {
  require_layer_data("train_tlu_layer", layer, X, T);
  if (layer.step != StepFunction::heaviside)
    throw std::invalid_argument("train_tlu_layer: the layer is trained with the Heaviside step (0/1 targets)");
  if (!(options.learning_rate > 0))
    throw std::invalid_argument(fmt::format("train_tlu_layer: the learning rate must be > 0, got {}", options.learning_rate));
  for (Scalar t : T)
    if (t != 0 && t != 1) throw std::invalid_argument(fmt::format("train_tlu_layer: target {} is not 0 or 1", t));
  std::vector<std::size_t> order = options.order;
  if (order.empty())
    for (std::size_t i = 0; i < X.rows(); ++i) order.push_back(i);
  for (std::size_t i : order)
    if (i >= X.rows()) throw std::invalid_argument(fmt::format("train_tlu_layer: sample {} in the order is out of range", i));

  const std::size_t out = layer.units(), in = layer.inputs();
  const Scalar eta = options.learning_rate;
  TluLayerTraining run;
  run.units.resize(out);
  run.pocket = layer;
  std::vector<std::size_t> updates(out, 0);
  for (std::size_t j = 0; j < out; ++j) run.units[j].pocket_errors = errors_of_unit(layer, X, T, j);
  std::vector<bool> active(out, true);
  std::vector<CycleDetector> cycles(out);

  TluLayerStep s;
  s.x = Matrix(1, in);
  s.z = s.y = s.t = s.error = Matrix(1, out);
  s.dW = Matrix(out, in);
  s.db = Matrix(1, out);
  s.layer = &layer;
  std::vector<std::size_t> mistakes(out);
  for (std::size_t epoch = 1; epoch <= options.max_epochs; ++epoch) {
    for (std::size_t j = 0; j < out; ++j) {
      if (!active[j]) continue;
      if (auto earlier = cycles[j].visit(unit_state(layer, j), epoch)) {
        active[j] = false;
        run.units[j].outcome = TrainingOutcome::cycle;
        run.units[j].cycle_start = *earlier;
        run.units[j].cycle_length = epoch - *earlier;
        run.units[j].epochs = epoch - 1;
      }
    }
    if (std::none_of(active.begin(), active.end(), [](bool a) { return a; })) break;
    run.epochs = epoch;

    std::fill(mistakes.begin(), mistakes.end(), 0);
    for (std::size_t p = 0; p < order.size(); ++p) {
      const std::size_t i = order[p];
      std::copy_n(X.row_ptr(i), in, s.x.data());
      s.updated = false;
      for (std::size_t j = 0; j < out; ++j) {
        s.z(0, j) = unit_net_input(layer, X, i, j);  // z = x·Wᵀ + b, one unit at a time
        s.y(0, j) = step(layer.step, s.z(0, j));
        s.t(0, j) = T(i, j);
        s.error(0, j) = active[j] ? s.t(0, j) - s.y(0, j) : 0;  // e = t − y; frozen units learn nothing
        s.updated = s.updated || s.error(0, j) != 0;
      }
      // ΔW = η·eᵀ·x  (out×1)·(1×in) ;  Δb = η·e
      matmul_atb_into(s.dW, s.error, s.x);
      s.dW *= eta;
      s.db = s.error;
      s.db *= eta;
      layer.W += s.dW;
      layer.b += s.db;
      for (std::size_t j = 0; j < out; ++j) {
        if (s.error(0, j) == 0) continue;
        ++mistakes[j];
        ++updates[j];
        // The pocket: keep these weights if they beat the best seen so far on the whole training set.
        const std::size_t errors = errors_of_unit(layer, X, T, j);
        if (errors < run.units[j].pocket_errors) {
          run.units[j].pocket_errors = errors;
          run.units[j].pocket_update = updates[j];
          std::copy_n(layer.W.row_ptr(j), in, run.pocket.W.row_ptr(j));
          run.pocket.b(0, j) = layer.b(0, j);
        }
      }
      if (options.on_step) {
        s.epoch = epoch;
        s.position = p;
        s.sample = i;
        options.on_step(s);
      }
    }
    require_finite(layer.W, fmt::format("train_tlu_layer: W after epoch {}", epoch));

    for (std::size_t j = 0; j < out; ++j) {
      if (!active[j]) continue;
      run.units[j].mistakes += mistakes[j];
      run.units[j].epochs = epoch;
      if (mistakes[j] == 0) {
        active[j] = false;
        run.units[j].outcome = TrainingOutcome::converged;
      } else if (epoch == options.max_epochs) {
        active[j] = false;
        run.units[j].outcome = TrainingOutcome::max_epochs;
      }
    }
    if (options.on_epoch) {
      TluLayerEpoch e;
      e.epoch = epoch;
      e.mistakes = mistakes;
      e.errors = unit_errors(layer, X, T);
      for (const auto& u : run.units) e.pocket_errors.push_back(u.pocket_errors);
      e.active = active;
      e.layer = &layer;
      options.on_epoch(e);
    }
  }
  run.last = std::move(layer);
  return run;
}

}  // namespace glassbox
