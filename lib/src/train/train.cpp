// glassbox/train/train.cpp — the training loop, its checks for non-finite numbers, and its trace events.
#include "glassbox/train/train.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/core/kernel.hpp"
#include "glassbox/train/clipping.hpp"

namespace glassbox {

namespace {

std::string where(StepId id) { return fmt::format("epoch {}, step {}", id.epoch, id.step); }

// "element (r, c) is nan" for the first non-finite element of m, or nothing.
std::optional<std::string> first_non_finite(const Matrix& m) {
  for (std::size_t k = 0; k < m.size(); ++k) {
    const Scalar x = m.data()[k];
    if (!std::isfinite(x))
      return fmt::format("element ({}, {}) is {}", k / m.cols(), k % m.cols(), std::isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
  }
  return std::nullopt;
}

// "mode": "train"/"eval", only for a network whose layers depend on it (existing traces stay as they were).
void add_mode(Json& e, const Network& net) {
  if (net.has_modes()) e["mode"] = net.mode();
}

std::string local_name(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

// The loss came out non-finite: find where the forward pass first went wrong. `pass` says which
// forward pass it was: "epoch 2, step 7" (a training step's) or "epoch 2, evaluating the whole
// training set after step 8" (the evaluation after an epoch, with the weights that step left).
[[noreturn]] void explain_forward(const Network& net, const Matrix& X, const Matrix& T, double loss,
                                  const std::string& pass, bool whole_set) {
  if (auto bad = first_non_finite(X))
    throw NonFiniteError(fmt::format("{}: the input {}: {}", pass, whole_set ? "samples" : "batch", *bad));
  if (auto bad = first_non_finite(T))
    throw NonFiniteError(fmt::format("{}: the target {}: {}", pass, whole_set ? "samples" : "batch", *bad));
  for (std::size_t i = 0; i < net.size(); ++i)
    if (auto bad = first_non_finite(net.layer_output(i)))
      throw NonFiniteError(fmt::format("{}: forward: the output of layers[{}] ({}): {}", pass, i,
                                       net.layer(i).describe(), *bad));
  throw NonFiniteError(fmt::format("{}: the loss is {} (every layer's output is finite)", pass, loss));
}

// A gradient came out non-finite: the backward pass runs from the last layer to the first, so the
// first appearance is the highest layer whose incoming gradient or parameter gradient is bad.
[[noreturn]] void explain_backward(Network& net, StepId id) {
  for (std::size_t i = net.size(); i-- > 0;) {
    if (auto bad = first_non_finite(net.output_gradient(i)))
      throw NonFiniteError(fmt::format("{}: backward: dL/d(output) reaching layers[{}] ({}): {}", where(id), i,
                                       net.layer(i).describe(), *bad));
    for (ParameterRef& p : net.layer(i).parameters())
      if (auto bad = first_non_finite(p.grad))
        throw NonFiniteError(fmt::format("{}: backward: dL/d{} of layers[{}] ({}): {}", where(id), p.name, i,
                                         net.layer(i).describe(), *bad));
  }
  throw NonFiniteError(fmt::format("{}: backward: a gradient is not finite", where(id)));
}

}  // namespace

// ---- evaluation ---------------------------------------------------------------------------------

namespace {

// How many rows of P predict the class of T's (accuracy(), without the division).
std::size_t count_correct(const Matrix& P, const Matrix& T, double threshold, bool multilabel) {
  const bool class_indices = !multilabel && P.cols() > 1 && T.cols() == 1 && T.rows() == P.rows();
  if (!P.same_shape(T) && !class_indices)
    throw ShapeError(fmt::format("accuracy: prediction {} and target {} must have one shape", P.shape(), T.shape()));
  if (P.rows() == 0) throw ShapeError("accuracy: no samples");
  std::size_t correct = 0;
  if (class_indices) {
    for (std::size_t n = 0; n < P.rows(); ++n) correct += static_cast<Scalar>(argmax_of_row(P, n)) == T(n, 0);
  } else if (P.cols() == 1 || multilabel) {
    // the target's class: t ≥ ½ reads labels 0/1 and −1/+1 alike, whatever threshold the output needs
    for (std::size_t n = 0; n < P.rows(); ++n) {
      bool right = true;
      for (std::size_t k = 0; k < P.cols(); ++k) right = right && (P(n, k) >= threshold) == (T(n, k) >= Scalar{0.5});
      correct += right;
    }
  } else {
    for (std::size_t n = 0; n < P.rows(); ++n) correct += argmax_of_row(P, n) == argmax_of_row(T, n);
  }
  return correct;
}

}  // namespace

double accuracy(const Matrix& P, const Matrix& T, double threshold, bool multilabel) {
  return static_cast<double>(count_correct(P, T, threshold, multilabel)) / static_cast<double>(P.rows());
}

Evaluation evaluate(Network& net, const Loss& loss, const Matrix& X, const Matrix& T, const TrainOptions& options) {
  const ModeScope evaluating(net, false);
  const Matrix& P = net.forward_view(X);  // no copy: X may be the whole data set
  Evaluation e;
  e.loss = loss.value(P, T);
  if (options.classification) e.accuracy = accuracy(P, T, options.threshold, options.multilabel);
  return e;
}

const Matrix& predict(Network& net, const Matrix& X) {
  const ModeScope evaluating(net, false);
  return net.forward(X);
}

// ---- one update ---------------------------------------------------------------------------------

namespace {

struct StepLosses {
  double loss = 0;       // L = data loss + penalty
  double data_loss = 0;  // the loss function's value alone
};

// train_step(), and train()'s steps. `copy_input`: whether the network keeps its own copy of X
// (Network::forward) or reads X itself (forward_view), which train() can afford: its batch
// outlives the step.
StepLosses take_step(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X, const Matrix& T, StepId id,
                Tracer& tracer, const TrainOptions& options, bool copy_input) {
  // dL/dŷ, reused from step to step
  thread_local Matrix dY;

  if (options.clip_grad_norm && options.clip_grad_value)
    throw std::invalid_argument("train_step: clip by norm or by value, not both");
  const Matrix& Y = copy_input ? net.forward(X) : net.forward_view(X);
  const double data_loss = loss.value(Y, T);
  if (!std::isfinite(data_loss)) explain_forward(net, X, T, data_loss, where(id), false);
  // L = data loss + λ₁·Σ|w| + λ₂·Σw² over the penalized parameters (nn/penalty.hpp)
  const bool penalized = !net.penalties().empty();
  const double penalty = penalized ? net.penalty() : 0.0;
  if (!std::isfinite(penalty))
    throw NonFiniteError(fmt::format("{}: the penalty of the weights is {}", where(id), penalty));
  const double L = data_loss + penalty;
  if (tracer.wants(TraceLevel::full)) record_forward(tracer, net, id);

  loss.gradient_into(dY, Y, T);  // the seed of the chain rule
  net.zero_grad_lazily();  // dθ = 0; the backward pass that follows writes dW instead of adding to it
  net.backward(dY);
  if (penalized) net.add_penalty_gradients();  // dL/dW += λ₁·sign(W) + 2λ₂·W
  const std::vector<ParameterRef>& parameters = net.parameter_list();
  // The gradients' check. When nothing reads them before the update (no step or full events, no
  // clipping), it costs no pass of its own with any of the library's optimizers: their update turns
  // a NaN or ±Inf in dθ into one in θ (Optimizer::non_finite_gradients_reach_theta), which the
  // update notices as it writes θ; only then are the gradients searched, so the message is the
  // same — but the update has been applied when it is thrown. Frozen parameters, which the update
  // skips, are checked here.
  const bool folded = !tracer.wants(TraceLevel::step) && !options.clip_grad_norm && !options.clip_grad_value &&
                      optimizer.non_finite_gradients_reach_theta();
  for (const ParameterRef& p : parameters)
    if ((!folded || p.frozen) && !all_finite(p.grad)) explain_backward(net, id);
  if (tracer.wants(TraceLevel::full)) record_backward(tracer, net, id);
  // Clipping: the backward events hold the gradients before it, the step event their norms after.
  std::optional<NormClipping> by_norm;
  std::size_t clamped = 0;
  if (options.clip_grad_norm) by_norm = clip_grad_norm(parameters, *options.clip_grad_norm);
  if (options.clip_grad_value) clamped = clip_grad_value(parameters, *options.clip_grad_value);
  if (tracer.wants(TraceLevel::step)) {
    Json e = step_event(id, X.rows(), L, parameters, net.has_modes() ? net.mode() : "",
                        optimizer.learning_rate());
    if (penalized) {
      e["data_loss"] = to_json(data_loss);
      e["penalty"] = to_json(penalty);
    }
    if (by_norm) {
      e["clip_grad_norm"] = *options.clip_grad_norm;
      e["total_gradient_norm"] = to_json(by_norm->total_norm);
      e["clip_coefficient"] = to_json(by_norm->coefficient);
    }
    if (options.clip_grad_value) {
      e["clip_grad_value"] = *options.clip_grad_value;
      e["clipped_elements"] = clamped;
    }
    tracer.record(TraceLevel::step, std::move(e));
  }

  optimizer.step(parameters);
  if (!optimizer.values_finite()) {  // checked as the update wrote them; now find the first
    if (folded)
      for (const ParameterRef& p : parameters)
        if (!all_finite(p.grad)) explain_backward(net, id);
    for (const ParameterRef& p : parameters)
      if (auto bad = first_non_finite(p.value))
        throw NonFiniteError(
            fmt::format("{}: {} after the update of {}: {}", where(id), p.name, optimizer.describe(), *bad));
  }
  if (tracer.wants(TraceLevel::full)) record_updates(tracer, net, optimizer, id);
  return {L, data_loss};
}

}  // namespace

double train_step(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X, const Matrix& T,
                  StepId id, Tracer& tracer, const TrainOptions& options) {
  return take_step(net, loss, optimizer, X, T, id, tracer, options, /*copy_input=*/true).loss;
}

// ---- the loop -----------------------------------------------------------------------------------

namespace {

std::vector<EpochStats> train_loop(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X,
                                   const Matrix& T, const ValidationSet* validation, Rng& rng,
                                   const TrainOptions& options, Tracer& tracer, const EpochCallback& on_epoch);

}  // namespace

std::vector<EpochStats> train(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X, const Matrix& T,
                              Rng& rng, const TrainOptions& options, Tracer& tracer, const EpochCallback& on_epoch) {
  return train_loop(net, loss, optimizer, X, T, nullptr, rng, options, tracer, on_epoch);
}

std::vector<EpochStats> train(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X, const Matrix& T,
                              const ValidationSet& validation, Rng& rng, const TrainOptions& options, Tracer& tracer,
                              const EpochCallback& on_epoch) {
  return train_loop(net, loss, optimizer, X, T, &validation, rng, options, tracer, on_epoch);
}

namespace {

// The next batch is gathered in the background (train_loop) when it holds at least
// kPrefetchNumbers numbers, kPrefetchSlice numbers (whole rows) at a time: about a microsecond's
// wait for memory, so that a thread gathering a slice when a product comes joins it soon.
constexpr std::size_t kPrefetchNumbers = std::size_t{1} << 14, kPrefetchSlice = 2048;

// The number early stopping watches, from the epoch's stats.
double monitored(const EpochStats& stats, const std::string& monitor) {
  if (monitor == "val_loss") return *stats.val_loss;
  if (monitor == "val_accuracy") return *stats.val_accuracy;
  if (monitor == "accuracy") return *stats.accuracy;
  return stats.loss;
}

std::vector<EpochStats> train_loop(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X,
                                   const Matrix& T, const ValidationSet* validation, Rng& rng,
                                   const TrainOptions& options, Tracer& tracer, const EpochCallback& on_epoch) {
  if (X.rows() != T.rows())
    throw ShapeError(fmt::format("train: inputs {} and targets {} need one row per sample each", X.shape(), T.shape()));
  if (X.rows() == 0) throw ShapeError("train: no samples");
  if (X.cols() != net.input_width() || T.cols() != loss.target_columns(net.output_width()))
    throw ShapeError(fmt::format("train: {} takes {} inputs and gives {} outputs ({} target columns for {}); inputs "
                                 "are {}, targets {}",
                                 net.describe(), net.input_width(), net.output_width(),
                                 loss.target_columns(net.output_width()), loss.describe(), X.shape(), T.shape()));
  if (validation) {
    const ValidationSet& v = *validation;
    if (v.X.rows() != v.T.rows() || v.X.rows() == 0 || v.X.cols() != X.cols() || v.T.cols() != T.cols())
      throw ShapeError(fmt::format("train: the validation set's inputs {} and targets {} must be non-empty, one row "
                                   "per sample, with the columns of the training set's {} and {}",
                                   v.X.shape(), v.T.shape(), X.shape(), T.shape()));
  }
  std::optional<EarlyStopping> stopper;
  if (options.early_stopping) {
    stopper.emplace(*options.early_stopping);
    const std::string& monitor = options.early_stopping->monitor;
    if (monitor.rfind("val_", 0) == 0 && !validation)
      throw std::invalid_argument(fmt::format("train: early stopping monitors {}, but there is no validation set",
                                              monitor));
    if (monitor.find("accuracy") != std::string::npos && !options.classification)
      throw std::invalid_argument(fmt::format("train: early stopping monitors {}, which needs classification",
                                              monitor));
  }
  const std::size_t N = X.rows();
  const std::size_t B = options.batch_size == 0 ? N : std::min(options.batch_size, N);
  // With restore_best_weights: a copy of every parameter and buffer at the end of the best epoch.
  std::vector<Matrix> best_state;

  // The schedule: a copy, started on the optimizer's rate (which it may replace, as OneCycleLR does).
  std::unique_ptr<Schedule> schedule = options.schedule ? options.schedule->clone() : nullptr;
  if (schedule) {
    const std::size_t steps_per_epoch = (N + B - 1) / B;
    const bool per_batch = schedule->unit() == ScheduleUnit::batch;
    const std::size_t stepped = per_batch ? options.epochs * steps_per_epoch : options.epochs;
    if (auto limit = schedule->step_limit(); limit && stepped > *limit)
      throw std::invalid_argument(fmt::format("train: {} may be stepped {} times; this run steps it {} times ({})",
                                              schedule->describe(), *limit, stepped,
                                              per_batch ? fmt::format("{} epochs of {} batches", options.epochs,
                                                                      steps_per_epoch)
                                                        : fmt::format("{} epochs", options.epochs)));
    optimizer.set_learning_rate(schedule->start(optimizer.learning_rate()));
  }

  // Steps in training mode; evaluate() switches to evaluation mode for the loss after each epoch.
  const ModeScope training(net, true);
  std::vector<EpochStats> history;
  std::vector<std::size_t> order(N), batch, next_batch;
  Matrix Tb, next_X;
  // The next mini-batch's inputs are gathered by the kernel's other threads while this batch's step
  // runs, in the moments they have no product to compute (kernel::BackgroundLoop): the serial parts
  // of a step — the small layers, the loss — would otherwise leave them idle, and a gather from a
  // data set far larger than the cache is mostly a wait for memory. Only when there are other
  // threads and the batch is large enough to be worth offering; the batch is the same either way.
  const bool prefetching = kernel::threads() > 1 && B * X.cols() >= kPrefetchNumbers;
  auto gather_next = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) std::copy_n(X.row_ptr(next_batch[i]), X.cols(), next_X.row_ptr(i));
  };
  kernel::BackgroundLoop prefetch;  // after what it writes to: finished before they are destroyed
  bool prefetched = false;
  std::size_t step = 0;
  for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
    if (options.shuffle)
      order = rng.permutation(N);
    else
      for (std::size_t n = 0; n < N; ++n) order[n] = n;

    double batch_losses = 0;
    std::size_t batches = 0;
    const bool running = options.epoch_metrics == EpochMetrics::running;
    double running_loss = 0;          // Σ over the batches of data loss × rows
    std::size_t running_correct = 0;  // Σ over the batches of the rows predicted right
    const double first_rate = optimizer.learning_rate();  // η of the epoch's first step …
    double last_rate = first_rate;                         // … and of its last
    for (std::size_t first = 0; first < N; first += B) {
      batch.assign(order.begin() + static_cast<std::ptrdiff_t>(first),
                   order.begin() + static_cast<std::ptrdiff_t>(std::min(N, first + B)));
      // the batch's inputs straight into the network's own input (or gathered in the background,
      // then swapped in): the one copy a step makes of them
      if (prefetched) prefetch.finish();
      const Matrix& Xb = prefetched ? net.swap_input(next_X) : net.gather_input(X, batch);
      prefetched = false;
      gather_rows_into(Tb, T, batch);
      if (prefetching && first + B < N) {  // the next batch of this epoch
        next_batch.assign(order.begin() + static_cast<std::ptrdiff_t>(first + B),
                          order.begin() + static_cast<std::ptrdiff_t>(std::min(N, first + 2 * B)));
        if (next_X.rows() != next_batch.size() || next_X.cols() != X.cols())
          next_X = Matrix(next_batch.size(), X.cols());
        prefetch.start(next_batch.size(), std::max<std::size_t>(1, kPrefetchSlice / X.cols()), gather_next);
        prefetched = true;
      }
      if (options.trace_window)  // inside the window: full; outside: the epoch events only
        tracer.restrict_to(options.trace_window->contains(step + 1, first == 0) ? TraceLevel::full
                                                                                : TraceLevel::summary);
      const StepLosses losses =
          take_step(net, loss, optimizer, Xb, Tb, {epoch, ++step}, tracer, options, /*copy_input=*/false);
      const double batch_loss = losses.loss;
      batch_losses += batch_loss;
      ++batches;
      // the network still holds the batch's forward pass (before the update)
      std::size_t correct = 0;
      if (options.classification && (running || options.on_batch))
        correct = count_correct(net.layer_output(net.size() - 1), Tb, options.threshold, options.multilabel);
      if (running) {
        running_loss += losses.data_loss * static_cast<double>(Xb.rows());
        running_correct += correct;
      }
      if (options.on_batch) {
        BatchStats b{epoch, step, batches, (N + B - 1) / B, Xb.rows(), batch_loss, std::nullopt};
        if (options.classification) b.accuracy = static_cast<double>(correct) / static_cast<double>(Xb.rows());
        options.on_batch(b);
      }
      last_rate = optimizer.learning_rate();
      if (schedule && schedule->unit() == ScheduleUnit::batch) optimizer.set_learning_rate(schedule->step(last_rate));
    }

    if (options.trace_window) tracer.restrict_to(TraceLevel::full);
    EpochStats stats;
    stats.learning_rate = first_rate;
    if (last_rate != first_rate) stats.learning_rate_last = last_rate;
    stats.epoch = epoch;
    stats.steps = step;
    stats.mean_batch_loss = batch_losses / static_cast<double>(batches);
    if (running) {  // Keras' numbers: the batches' means, weighted by their rows; no pass over the data
      stats.running = true;
      stats.loss = running_loss / static_cast<double>(N);
      if (options.classification) stats.accuracy = static_cast<double>(running_correct) / static_cast<double>(N);
    } else {
      const Evaluation e = evaluate(net, loss, X, T, options);
      if (!std::isfinite(e.loss))  // the layers still hold the evaluation's forward pass
        explain_forward(net, X, T, e.loss,
                        fmt::format("epoch {}, evaluating the whole training set after step {}", epoch, step), true);
      stats.loss = e.loss;
      stats.accuracy = e.accuracy;
    }
    if (validation) {
      const Evaluation v = evaluate(net, loss, validation->X, validation->T, options);
      if (!std::isfinite(v.loss))
        explain_forward(net, validation->X, validation->T, v.loss,
                        fmt::format("epoch {}, evaluating the validation set after step {}", epoch, step), true);
      stats.val_loss = v.loss;
      stats.val_accuracy = v.accuracy;
    }
    if (net.has_modes()) stats.mode = running ? "train" : "eval";
    if (!net.penalties().empty()) stats.penalty = net.penalty();
    if (stopper) {
      const EarlyStopping::Verdict verdict = stopper->update(epoch, monitored(stats, options.early_stopping->monitor));
      if (verdict.keep_weights) {
        best_state.clear();
        for (const Network::TensorRef& t : net.state()) best_state.push_back(t.value);
      }
      stats.early_stopping = EpochStats::EarlyStoppingState{stopper->best(), stopper->best_epoch(), stopper->wait(),
                                                            verdict.stop, std::nullopt};
    }
    if (tracer.wants(TraceLevel::summary)) tracer.record(TraceLevel::summary, epoch_event(stats));
    if (on_epoch) on_epoch(stats);
    history.push_back(stats);
    if (schedule && schedule->unit() == ScheduleUnit::epoch) {
      // The metric a per-epoch schedule watches (ReduceLROnPlateau): the validation loss when there
      // is a validation set, else the epoch's loss on the whole training set.
      const double watched = stats.val_loss ? *stats.val_loss : stats.loss;
      optimizer.set_learning_rate(schedule->step(optimizer.learning_rate(), watched));
    }
    if (stats.early_stopping && stats.early_stopping->stop) break;
  }
  if (stopper) {
    // Keras 3 restores the best weights at the end of training, whether it stopped early or not.
    std::optional<std::size_t> restored;
    if (!best_state.empty()) {
      const std::vector<Network::TensorRef> state = net.state();
      for (std::size_t i = 0; i < state.size(); ++i) state[i].value = best_state[i];
      restored = stopper->best_epoch();
      history.back().early_stopping->restored_epoch = restored;
    }
    if (tracer.wants(TraceLevel::summary)) tracer.record(TraceLevel::summary, stopper->event(history.size(), restored));
  }
  return history;
}

}  // namespace

// ---- the size of the trace, before training ------------------------------------------------------

std::size_t TrainOptions::TraceWindow::count(std::size_t steps, std::size_t steps_per_epoch) const {
  std::size_t n = 0;
  if (first != 0 && first <= steps) n += std::min(last, steps) - first + 1;
  if (every_epoch && steps_per_epoch > 0) {
    const std::size_t epochs = (steps + steps_per_epoch - 1) / steps_per_epoch;
    n += epochs;
    // an epoch's first step inside the range counted once
    for (std::size_t e = 0; e < epochs && first != 0; ++e) {
      const std::size_t s = e * steps_per_epoch + 1;
      if (s >= first && s <= last && s <= steps) --n;
    }
  }
  return n;
}

double estimated_trace_bytes(const Network& net, std::size_t samples, const TrainOptions& options, TraceLevel level) {
  std::vector<LayerWidths> layers;
  for (std::size_t i = 0; i < net.size(); ++i)
    layers.push_back({net.layer(i).input_width(), net.layer(i).output_width()});
  return estimated_trace_bytes(layers, net.parameter_count(), samples, options, level);
}

double estimated_trace_bytes(const std::vector<LayerWidths>& layers, std::size_t parameters, std::size_t samples,
                             const TrainOptions& options, TraceLevel level) {
  if (level == TraceLevel::off || samples == 0) return 0;
  const double N = static_cast<double>(samples);
  const double B = options.batch_size == 0 ? N : std::min(static_cast<double>(options.batch_size), N);
  const double epochs = static_cast<double>(options.epochs);
  const double steps = epochs * std::ceil(N / B);
  constexpr double number = 8;  // bytes a number takes, on the low side
  double bytes = epochs * 100;  // an "epoch" event
  if (level == TraceLevel::summary) return bytes;
  const double tensors = static_cast<double>(layers.size());  // about: a Dense layer has 2, an activation 0
  bytes += steps * (80 + (30 + number) * tensors);  // a "step" event: loss, norms
  if (level == TraceLevel::step) return bytes;
  if (options.trace_window) {
    // Only the window's steps at full (and at step: the step events of the others are not written).
    const std::size_t per_epoch = static_cast<std::size_t>(std::ceil(N / B));
    const double full = static_cast<double>(
        options.trace_window->count(static_cast<std::size_t>(steps), per_epoch));
    bytes = epochs * 100 + full * (80 + (30 + number) * tensors);
    double widths = 0;
    for (const LayerWidths& l : layers) widths += static_cast<double>(l.in + 2 * l.out);
    bytes += full * B * widths * number;
    bytes += full * (3 * static_cast<double>(parameters) * number + 100 * (2 * tensors + tensors));
    return bytes;
  }
  // Per sample, each layer's input and output (forward) and the gradient at its output (backward);
  // per step, each parameter's gradient, update and value after the update, and each event's keys.
  double widths = 0;
  for (const LayerWidths& l : layers) widths += static_cast<double>(l.in + 2 * l.out);
  bytes += epochs * N * widths * number;
  bytes += steps * (3 * static_cast<double>(parameters) * number + 100 * (2 * tensors + tensors));
  return bytes;
}

// ---- events -------------------------------------------------------------------------------------

Json epoch_event(const EpochStats& stats) {
  Json e;
  e["event"] = "epoch";
  e["epoch"] = stats.epoch;
  e["steps"] = stats.steps;
  if (!stats.mode.empty()) e["mode"] = stats.mode;
  e["loss"] = to_json(stats.loss);
  e["mean_batch_loss"] = to_json(stats.mean_batch_loss);
  if (stats.running) e["epoch_metrics"] = "running";  // only then: traces of the default stay as they were
  if (stats.accuracy) e["accuracy"] = *stats.accuracy;
  if (stats.val_loss) e["val_loss"] = to_json(*stats.val_loss);
  if (stats.val_accuracy) e["val_accuracy"] = *stats.val_accuracy;
  if (stats.early_stopping) {
    const EpochStats::EarlyStoppingState& s = *stats.early_stopping;
    e["early_stopping"] = Json{{"best", s.best ? to_json(*s.best) : Json(nullptr)},
                               {"best_epoch", s.best_epoch},
                               {"wait", s.wait},
                               {"stop", s.stop}};
  }
  if (stats.penalty) e["penalty"] = to_json(*stats.penalty);
  if (stats.learning_rate) e["learning_rate"] = to_json(*stats.learning_rate);
  if (stats.learning_rate_last) e["learning_rate_last"] = to_json(*stats.learning_rate_last);
  return e;
}

Json step_event(StepId id, std::size_t batch_size, double loss, const std::vector<ParameterRef>& parameters,
                std::string_view mode, std::optional<double> learning_rate) {
  Json norms = Json::object();
  for (const ParameterRef& p : parameters) norms[p.name] = to_json(static_cast<double>(norm(p.grad)));
  Json e;
  e["event"] = "step";
  e["epoch"] = id.epoch;
  e["step"] = id.step;
  if (!mode.empty()) e["mode"] = std::string(mode);
  e["batch_size"] = batch_size;
  e["loss"] = to_json(loss);
  if (learning_rate) e["learning_rate"] = to_json(*learning_rate);
  e["gradient_norms"] = std::move(norms);
  return e;
}

Json forward_event(const Network& net, const Network::Stage& stage, StepId id) {
  Json e;
  e["event"] = "forward";
  e["epoch"] = id.epoch;
  e["step"] = id.step;
  add_mode(e, net);
  e["layer"] = stage.first;
  e["stage"] = net.describe(stage);
  e["input"] = to_json(net.layer_input(stage.first));
  if (!net.layer(stage.first).is_activation()) e["z"] = to_json(net.layer_output(stage.first));
  if (net.layer(stage.last).is_activation()) e["a"] = to_json(net.layer_output(stage.last));
  for (std::size_t i = stage.first; i <= stage.last; ++i) net.layer(i).trace_forward(e);  // mask, mu, var, …
  return e;
}

Json backward_event(Network& net, const Network::Stage& stage, StepId id) {
  Json e;
  e["event"] = "backward";
  e["epoch"] = id.epoch;
  e["step"] = id.step;
  add_mode(e, net);
  e["layer"] = stage.first;
  e["stage"] = net.describe(stage);
  if (net.layer(stage.last).is_activation()) e["dL_da"] = to_json(net.output_gradient(stage.last));
  if (!net.layer(stage.first).is_activation()) e["dL_dz"] = to_json(net.output_gradient(stage.first));
  for (std::size_t i = stage.first; i <= stage.last; ++i)
    for (ParameterRef& p : net.layer(i).parameters()) e["dL_d" + p.name] = to_json(p.grad);
  return e;
}

Json update_event(const ParameterRef& parameter, const Matrix& update, StepId id, double learning_rate,
                  const OptimizerState& state) {
  Json e;
  e["event"] = "update";
  e["epoch"] = id.epoch;
  e["step"] = id.step;
  e["parameter"] = parameter.name;
  e["frozen"] = parameter.frozen;
  e["learning_rate"] = learning_rate;
  Json named = Json::object();  // the optimizer's state by its algorithm's names: "m", "v", "mu_t"
  for (const auto& [name, m] : state.matrices) named[name] = to_json(m);
  for (const auto& [name, x] : state.numbers) named[name] = to_json(x);
  e["state"] = std::move(named);
  e["update"] = to_json(update);
  e[local_name(parameter.name) + "_after"] = to_json(parameter.value);
  return e;
}

void record_parameters(Tracer& tracer, Network& net, StepId id) {
  if (!tracer.wants(TraceLevel::full)) return;
  Json values = Json::object();
  for (const ParameterRef& p : net.parameters()) values[p.name] = to_json(p.value);
  tracer.record(TraceLevel::full, Json{{"event", "parameters"}, {"epoch", id.epoch}, {"step", id.step},
                                       {"values", std::move(values)}});
}

void record_forward(Tracer& tracer, const Network& net, StepId id) {
  if (!tracer.wants(TraceLevel::full)) return;
  for (const Network::Stage& stage : net.stages()) tracer.record(TraceLevel::full, forward_event(net, stage, id));
}

void record_backward(Tracer& tracer, Network& net, StepId id) {
  if (!tracer.wants(TraceLevel::full)) return;
  const auto stages = net.stages();
  for (auto s = stages.rbegin(); s != stages.rend(); ++s) tracer.record(TraceLevel::full, backward_event(net, *s, id));
}

void record_updates(Tracer& tracer, Network& net, const Optimizer& optimizer, StepId id) {
  if (!tracer.wants(TraceLevel::full)) return;
  const std::vector<ParameterRef> parameters = net.parameters();
  for (std::size_t i = 0; i < parameters.size(); ++i)
    tracer.record(TraceLevel::full, update_event(parameters[i], optimizer.last_update(i), id,
                                                 optimizer.last_learning_rate(), optimizer.state(i)));
}

}  // namespace glassbox
