// glassbox/experiment/run.cpp — running an experiment: the network at its initial weights, the loss and the
// optimizer it names, then training (train.hpp) or a gradient check (gradcheck.hpp).
#include "glassbox/experiment/experiment.hpp"

#include <limits>

#include <fmt/format.h>

#include "glassbox/data/dataset.hpp"
#include "glassbox/nn/batch_norm.hpp"
#include "glassbox/train/divergence.hpp"

namespace glassbox {

Network build_network(const Experiment& e, Rng& rng) {
  Network net;
  std::size_t in = e.inputs;
  for (const LayerSpec& l : e.layers) {
    if (l.type == LayerSpec::Type::dropout) {
      net.dropout(l.p, Rng::derived(e.seed, fmt::format("dropout layers[{}]", net.size())));
    } else if (l.type == LayerSpec::Type::batch_norm) {
      net.batch_norm(l.momentum, l.eps);
      auto& bn = dynamic_cast<BatchNorm&>(net.layer(net.size() - 1));
      if (l.gamma) bn.gamma = *l.gamma;
      if (l.beta) bn.beta = *l.beta;
      if (l.running_mean) bn.running_mean = *l.running_mean;
      if (l.running_var) bn.running_var = *l.running_var;
    } else {
      Matrix W(l.units, in), b(1, l.units);
      if (!(l.weights && l.biases)) make_initializer(l.init, l.init_options)(W, b, rng);
      if (l.weights) W = *l.weights;
      if (l.biases) b = *l.biases;
      net.dense(std::move(W), std::move(b));
      if (l.penalty.active()) net.penalize(fmt::format("layers[{}].W", net.size() - 1), l.penalty);
    }
    if (!l.activation.empty()) net.activation(l.activation, l.activation_options);
    in = l.units;
  }
  for (const std::string& name : e.frozen) net.freeze(name);
  return net;
}

std::unique_ptr<Loss> make_loss(const Experiment& e) {
  return make_loss(e.loss.name, e.loss.reduction.value_or(Reduction::mean), e.loss.options);
}

std::unique_ptr<Optimizer> make_optimizer(const Experiment& e) {
  return make_optimizer(e.optimizer.name, e.optimizer.settings);
}

std::unique_ptr<Schedule> make_schedule(const Experiment& e) {
  if (e.schedule.name.empty()) return nullptr;
  return make_schedule(e.schedule.name, e.schedule.settings);
}

TraceHeader trace_header(const Experiment& e, std::string program) {
  Json hyperparameters = to_json(e, false);
  hyperparameters.erase("trace");  // where the trace goes does not change its numbers
  hyperparameters.erase("save");   // nor where the model goes
  Rng rng = e.rng_at_start;
  return TraceHeader{std::move(program), 0, e.seed, std::move(hyperparameters), build_network(e, rng).describe()};
}

void check_trace_estimate(const Experiment& e) {
  // From the spec's shapes: building the network only to measure it would allocate and draw it twice.
  std::vector<LayerWidths> layers;
  std::size_t parameters = 0, in = e.inputs;
  for (const LayerSpec& l : e.layers) {
    layers.push_back({in, l.units});  // Dense(in → units), Dropout or BatchNorm
    if (!l.activation.empty()) layers.push_back({l.units, l.units});  // its activation (learned ones' few
                                                                       // parameters left out)
    if (l.type == LayerSpec::Type::dense) parameters += l.units * in + l.units;
    if (l.type == LayerSpec::Type::batch_norm) parameters += 2 * l.units;  // γ, β
    in = l.units;
  }
  const double bytes = estimated_trace_bytes(layers, parameters, e.data.X.rows(), e.training, e.trace.level);
  check_trace_estimate(e.trace_path("run"), e.trace.level, bytes, e.trace.max_bytes);
}

Matrix test_inputs(const Experiment& e, const RunResult& result) {
  if (!e.test) return {};
  if (!e.data.standardize) return e.test->given_inputs();
  if (result.standardizer) return result.standardizer->transform(e.test->given_inputs());
  if (e.data.fixed_standardizer) return e.data.fixed_standardizer->transform(e.test->given_inputs());
  Standardizer standardizer;
  standardizer.fit(e.data.inputs);  // as read_data() fit it for DataSpec::X
  return standardizer.transform(e.test->given_inputs());
}

const EpochStats& RunResult::final_epoch() const {
  const EpochStats& last = history.back();
  if (last.early_stopping && last.early_stopping->restored_epoch) return history.at(*last.early_stopping->restored_epoch - 1);
  return last;
}

Json RunResult::to_json() const {
  Json result;
  result["initial_loss"] = glassbox::to_json(initial_loss);
  if (!history.empty()) {
    const EpochStats& last = history.back();
    const EpochStats& final = final_epoch();
    result["epochs"] = last.epoch;
    result["steps"] = last.steps;
    result["loss"] = glassbox::to_json(final.loss);
    if (final.accuracy) result["accuracy"] = *final.accuracy;
    if (final.val_loss) result["val_loss"] = glassbox::to_json(*final.val_loss);
    if (final.val_accuracy) result["val_accuracy"] = *final.val_accuracy;
    if (last.early_stopping) {
      result["best_epoch"] = last.early_stopping->best_epoch;
      result["restored_epoch"] = last.early_stopping->restored_epoch ? Json(*last.early_stopping->restored_epoch)
                                                                      : Json(nullptr);
    }
  }
  return result;
}

RunResult run_experiment(const Experiment& e, Tracer& tracer, const EpochCallback& on_epoch) {
  Rng rng = e.rng_at_start;
  RunResult result;
  result.network = build_network(e, rng);
  const auto loss = make_loss(e);
  const auto optimizer = make_optimizer(e);
  // A loss that is not finite at the start, or that grows past kMaxLossGrowth times its start, stops
  // the run with a DivergenceError naming the learning rate, as chapter 04's guard does.
  const double eta = e.optimizer.settings.value("learning_rate", std::numeric_limits<double>::quiet_NaN());
  TrainOptions training = e.training;
  training.schedule = make_schedule(e);
  if (!e.validation) {
    result.initial_loss = evaluate(result.network, *loss, e.data.X, e.data.targets).loss;
    const DivergenceGuard guard(result.initial_loss, eta, kMaxLossGrowth);
    result.history = train(result.network, *loss, *optimizer, e.data.X, e.data.targets, rng, training, tracer,
                           watch_divergence(guard, on_epoch));
    return result;
  }
  // The held-out samples come from a generator of their own, so the weights and the shuffles draw
  // the same numbers with and without a validation set.
  Rng split_rng = Rng::derived(e.seed, "validation");
  const bool stratify = e.training.classification && !e.training.multilabel;
  const std::vector<std::size_t> classes = stratify ? target_classes(e.data.targets) : std::vector<std::size_t>{};
  result.split = split_validation(e.data.X.rows(), *e.validation, split_rng, stratify ? &classes : nullptr);
  if (tracer.wants(TraceLevel::summary))
    tracer.record(TraceLevel::summary, validation_split_event(*result.split, *e.validation));
  // Standardization learns μ and σ from the training part alone and applies them to both parts:
  // statistics of the held-out samples must not reach the network (no leakage).
  ValidationData parts = apply_split(*result.split, e.data.given_inputs(), e.data.targets);
  if (e.data.standardize) {
    result.standardizer.emplace();
    if (e.data.fixed_standardizer)
      result.standardizer = e.data.fixed_standardizer;
    else
      result.standardizer->fit(parts.X_train);
    parts.X_train = result.standardizer->transform(parts.X_train);
    parts.X_validation = result.standardizer->transform(parts.X_validation);
  }
  result.initial_loss = evaluate(result.network, *loss, parts.X_train, parts.T_train).loss;
  const DivergenceGuard guard(result.initial_loss, eta, kMaxLossGrowth);
  result.history = train(result.network, *loss, *optimizer, parts.X_train, parts.T_train,
                         ValidationSet{parts.X_validation, parts.T_validation}, rng, training, tracer,
                         watch_divergence(guard, on_epoch));
  return result;
}

LrFindResult lr_find_experiment(const Experiment& e, const LrFindOptions& options) {
  Rng rng = e.rng_at_start;
  Network net = build_network(e, rng);
  const auto loss = make_loss(e);
  const auto optimizer = make_optimizer(e);
  return find_learning_rate(net, *loss, *optimizer, e.data.X, e.data.targets, rng, e.training, options);
}

GradCheckReport gradcheck_experiment(const Experiment& e, Tracer& tracer) {
  Rng rng = e.rng_at_start;
  Network net = build_network(e, rng);
  const auto loss = make_loss(e);
  const std::size_t N = e.gradcheck_samples == 0 ? e.data.X.rows() : e.gradcheck_samples;
  const Matrix X = slice_rows(e.data.X, 0, N);
  const Matrix T = slice_rows(e.data.targets, 0, N);
  GradCheckOptions options = e.gradcheck;
  options.seed = e.seed;
  GradCheckReport report = check_network(net, *loss, X, T, options);
  if (tracer.wants(TraceLevel::summary)) tracer.record(TraceLevel::summary, report.to_json());
  return report;
}

}  // namespace glassbox
