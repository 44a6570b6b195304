// glassbox/experiment/run.cpp — running an experiment: the network at its initial weights, the loss and the
// optimizer it names, then training (train.hpp) or a gradient check (gradcheck.hpp).
#include "glassbox/experiment/experiment.hpp"

#include <limits>

#include "glassbox/data/dataset.hpp"
#include "glassbox/train/divergence.hpp"

namespace glassbox {

Network build_network(const Experiment& e, Rng& rng) {
  Network net;
  std::size_t in = e.inputs;
  for (const LayerSpec& l : e.layers) {
    Matrix W(l.units, in), b(1, l.units);
    if (!(l.weights && l.biases)) make_initializer(l.init, l.init_options)(W, b, rng);
    if (l.weights) W = *l.weights;
    if (l.biases) b = *l.biases;
    net.dense(std::move(W), std::move(b));
    net.activation(l.activation, l.activation_options);
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
  Rng rng = e.rng_at_start;
  return TraceHeader{std::move(program), 0, e.seed, std::move(hyperparameters), build_network(e, rng).describe()};
}

void check_trace_estimate(const Experiment& e) {
  // From the spec's shapes: building the network only to measure it would allocate and draw it twice.
  std::vector<LayerWidths> layers;
  std::size_t parameters = 0, in = e.inputs;
  for (const LayerSpec& l : e.layers) {
    layers.push_back({in, l.units});       // Dense(in → units)
    layers.push_back({l.units, l.units});  // its activation (learned activations' few parameters left out)
    parameters += l.units * in + l.units;
    in = l.units;
  }
  const double bytes = estimated_trace_bytes(layers, parameters, e.data.X.rows(), e.training, e.trace.level);
  check_trace_estimate(e.trace_path("run"), e.trace.level, bytes, e.trace.max_bytes);
}

Json RunResult::to_json() const {
  Json result;
  result["initial_loss"] = glassbox::to_json(initial_loss);
  if (!history.empty()) {
    const EpochStats& last = history.back();
    result["epochs"] = last.epoch;
    result["steps"] = last.steps;
    result["loss"] = glassbox::to_json(last.loss);
    if (last.accuracy) result["accuracy"] = *last.accuracy;
  }
  return result;
}

RunResult run_experiment(const Experiment& e, Tracer& tracer, const EpochCallback& on_epoch) {
  Rng rng = e.rng_at_start;
  RunResult result;
  result.network = build_network(e, rng);
  const auto loss = make_loss(e);
  const auto optimizer = make_optimizer(e);
  result.initial_loss = evaluate(result.network, *loss, e.data.X, e.data.targets).loss;
  // A loss that is not finite at the start, or that grows past kMaxLossGrowth times its start, stops
  // the run with a DivergenceError naming the learning rate, as chapter 04's guard does.
  const double eta = e.optimizer.settings.value("learning_rate", std::numeric_limits<double>::quiet_NaN());
  const DivergenceGuard guard(result.initial_loss, eta, kMaxLossGrowth);
  TrainOptions training = e.training;
  training.schedule = make_schedule(e);
  result.history = train(result.network, *loss, *optimizer, e.data.X, e.data.targets, rng, training, tracer,
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
