// glassbox/train/train.cpp — the training loop, its checks for non-finite numbers, and its trace events.
#include "glassbox/train/train.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

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

double accuracy(const Matrix& P, const Matrix& T, double threshold, bool multilabel) {
  const bool class_indices = !multilabel && P.cols() > 1 && T.cols() == 1 && T.rows() == P.rows();
  if (!P.same_shape(T) && !class_indices)
    throw ShapeError(fmt::format("accuracy: prediction {} and target {} must have one shape", P.shape(), T.shape()));
  if (P.rows() == 0) throw ShapeError("accuracy: no samples");
  std::size_t correct = 0;
  if (class_indices) {
    const auto predicted = argmax_cols(P);
    for (std::size_t n = 0; n < P.rows(); ++n) correct += static_cast<Scalar>(predicted[n]) == T(n, 0);
  } else if (P.cols() == 1 || multilabel) {
    // the target's class: t ≥ ½ reads labels 0/1 and −1/+1 alike, whatever threshold the output needs
    for (std::size_t n = 0; n < P.rows(); ++n) {
      bool right = true;
      for (std::size_t k = 0; k < P.cols(); ++k) right = right && (P(n, k) >= threshold) == (T(n, k) >= Scalar{0.5});
      correct += right;
    }
  } else {
    const auto predicted = argmax_cols(P), expected = argmax_cols(T);
    for (std::size_t n = 0; n < P.rows(); ++n) correct += predicted[n] == expected[n];
  }
  return static_cast<double>(correct) / static_cast<double>(P.rows());
}

Evaluation evaluate(Network& net, const Loss& loss, const Matrix& X, const Matrix& T, const TrainOptions& options) {
  const ModeScope evaluating(net, false);
  const Matrix& P = net.forward(X);
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

double train_step(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X, const Matrix& T,
                  StepId id, Tracer& tracer) {
  // dL/dŷ, reused from step to step
  thread_local Matrix dY;

  net.zero_grad();
  const Matrix& Y = net.forward(X);
  const double L = loss.value(Y, T);
  if (!std::isfinite(L)) explain_forward(net, X, T, L, where(id), false);
  if (tracer.wants(TraceLevel::full)) record_forward(tracer, net, id);

  loss.gradient_into(dY, Y, T);  // the seed of the chain rule
  net.backward(dY);
  std::vector<ParameterRef> parameters = net.parameters();
  for (const ParameterRef& p : parameters)
    if (!all_finite(p.grad)) explain_backward(net, id);
  if (tracer.wants(TraceLevel::full)) record_backward(tracer, net, id);
  if (tracer.wants(TraceLevel::step)) {
    tracer.record(TraceLevel::step, step_event(id, X.rows(), L, parameters, net.has_modes() ? net.mode() : ""));
  }

  optimizer.step(parameters);
  for (const ParameterRef& p : parameters)
    if (auto bad = first_non_finite(p.value))
      throw NonFiniteError(fmt::format("{}: {} after the update of {}: {}", where(id), p.name, optimizer.describe(), *bad));
  if (tracer.wants(TraceLevel::full)) record_updates(tracer, net, optimizer, id);
  return L;
}

// ---- the loop -----------------------------------------------------------------------------------

std::vector<EpochStats> train(Network& net, const Loss& loss, Optimizer& optimizer, const Matrix& X, const Matrix& T,
                              Rng& rng, const TrainOptions& options, Tracer& tracer, const EpochCallback& on_epoch) {
  if (X.rows() != T.rows())
    throw ShapeError(fmt::format("train: inputs {} and targets {} need one row per sample each", X.shape(), T.shape()));
  if (X.rows() == 0) throw ShapeError("train: no samples");
  if (X.cols() != net.input_width() || T.cols() != loss.target_columns(net.output_width()))
    throw ShapeError(fmt::format("train: {} takes {} inputs and gives {} outputs ({} target columns for {}); inputs "
                                 "are {}, targets {}",
                                 net.describe(), net.input_width(), net.output_width(),
                                 loss.target_columns(net.output_width()), loss.describe(), X.shape(), T.shape()));
  const std::size_t N = X.rows();
  const std::size_t B = options.batch_size == 0 ? N : std::min(options.batch_size, N);

  // Steps in training mode; evaluate() switches to evaluation mode for the loss after each epoch.
  const ModeScope training(net, true);
  std::vector<EpochStats> history;
  std::vector<std::size_t> order(N), batch;
  Matrix Xb, Tb;
  std::size_t step = 0;
  for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
    if (options.shuffle)
      order = rng.permutation(N);
    else
      for (std::size_t n = 0; n < N; ++n) order[n] = n;

    double batch_losses = 0;
    std::size_t batches = 0;
    for (std::size_t first = 0; first < N; first += B) {
      batch.assign(order.begin() + static_cast<std::ptrdiff_t>(first),
                   order.begin() + static_cast<std::ptrdiff_t>(std::min(N, first + B)));
      gather_rows_into(Xb, X, batch);
      gather_rows_into(Tb, T, batch);
      const double batch_loss = train_step(net, loss, optimizer, Xb, Tb, {epoch, ++step}, tracer);
      batch_losses += batch_loss;
      ++batches;
      if (options.on_batch) {  // the network still holds the batch's forward pass (before the update)
        BatchStats b{epoch, step, batches, (N + B - 1) / B, Xb.rows(), batch_loss, std::nullopt};
        if (options.classification)
          b.accuracy = accuracy(net.layer_output(net.size() - 1), Tb, options.threshold, options.multilabel);
        options.on_batch(b);
      }
    }

    EpochStats stats;
    stats.epoch = epoch;
    stats.steps = step;
    stats.mean_batch_loss = batch_losses / static_cast<double>(batches);
    const Evaluation e = evaluate(net, loss, X, T, options);
    if (!std::isfinite(e.loss))  // the layers still hold the evaluation's forward pass
      explain_forward(net, X, T, e.loss,
                      fmt::format("epoch {}, evaluating the whole training set after step {}", epoch, step), true);
    stats.loss = e.loss;
    stats.accuracy = e.accuracy;
    if (net.has_modes()) stats.mode = "eval";
    if (tracer.wants(TraceLevel::summary)) tracer.record(TraceLevel::summary, epoch_event(stats));
    if (on_epoch) on_epoch(stats);
    history.push_back(stats);
  }
  return history;
}

// ---- the size of the trace, before training ------------------------------------------------------

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
  if (stats.accuracy) e["accuracy"] = *stats.accuracy;
  return e;
}

Json step_event(StepId id, std::size_t batch_size, double loss, const std::vector<ParameterRef>& parameters,
                std::string_view mode) {
  Json norms = Json::object();
  for (const ParameterRef& p : parameters) norms[p.name] = to_json(static_cast<double>(norm(p.grad)));
  Json e;
  e["event"] = "step";
  e["epoch"] = id.epoch;
  e["step"] = id.step;
  if (!mode.empty()) e["mode"] = std::string(mode);
  e["batch_size"] = batch_size;
  e["loss"] = to_json(loss);
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

Json update_event(const ParameterRef& parameter, const Matrix& update, StepId id) {
  Json e;
  e["event"] = "update";
  e["epoch"] = id.epoch;
  e["step"] = id.step;
  e["parameter"] = parameter.name;
  e["frozen"] = parameter.frozen;
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
    tracer.record(TraceLevel::full, update_event(parameters[i], optimizer.last_update(i), id));
}

}  // namespace glassbox
