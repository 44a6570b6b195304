// Chapter 11 — regularization: overfitting made visible, and the remedies
//
// Teaches: a network far too large for a small noisy data set (60 points of two moons) learns its
// training samples ever better while its loss on held-out samples turns and climbs — overfitting,
// seen in the training and validation curves side by side; a validation split (stratified by class);
// early stopping as Keras' EarlyStopping does it (where it stops, which epoch's weights it restores);
// on the same problem, start and shuffles: an L2 penalty (the weights' norm stays small), an L1
// penalty (most weights end within 10⁻³ of zero), dropout, and what each reaches on the validation
// samples; that inverted dropout and the older "multiply the weights by 1 − p at test" rule are the
// same in expectation (a small net, many masks); batch normalization letting a 10-layer sigmoid
// network learn that does not learn without it (its μ, σ², x̂ and running statistics for one step, and
// evaluation against training mode); gradient clipping keeping chapter 08's exploding ReLU network finite.
// New in lib/: data/validation.hpp (a seeded, stratified validation split), train/early_stopping.hpp
// (Keras' rule, fed one number per epoch), train() with a ValidationSet (val_loss, val_accuracy);
// from the regularization layers: nn/penalty.hpp, nn/dropout.hpp, nn/batch_norm.hpp, train/clipping.hpp.
// Run: ch11_regularization [--epochs N] [--patience N] [--learning-rate η] [--noise σ] [--l2 λ] [--l1 λ]
//      [--dropout p] [--deep-epochs N] [--deep-learning-rate η] [--clip-norm c] [--trace PATH] [--trace-level …]
// Trace: traces/ch11_regularization.json — "validation_split", then per run ("overfit",
// "early_stopping", "l2", "l1", "dropout") train()'s events labelled with the run, an "early_stopping"
// event for the second, one "remedy_result" per run; "dropout_expectation"; one "forward" event of a
// BatchNorm stage (run "batch_norm_step"); the deep runs' epochs and "deep_result"s;
// "batch_norm_modes"; one "clipping_result" per clipping run. Plots (beside the trace):
// .overfitting.svg, .early_stopping.svg, .remedies.svg (validation loss of every run),
// .weight_norms.svg, .batch_norm.svg, .clipping.svg.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/data/synthetic.hpp"
#include "glassbox/data/validation.hpp"
#include "glassbox/io/svg.hpp"
#include "glassbox/core/error.hpp"
#include "glassbox/nn/batch_norm.hpp"
#include "glassbox/nn/dense.hpp"
#include "glassbox/nn/dropout.hpp"
#include "glassbox/nn/initializers.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/nn/penalty.hpp"
#include "glassbox/train/early_stopping.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

struct Settings {
  std::int64_t samples = 100;     // two moons: 60 to train on, 40 held out
  std::int64_t validation = 40;
  double noise = 0.3;
  std::int64_t hidden = 64;       // two hidden layers this wide: 4 417 parameters for 60 samples
  std::int64_t epochs = 600;
  std::int64_t batch_size = 8;
  double learning_rate = 0.1;
  std::int64_t patience = 25;
  double l2 = 3e-3;               // Keras' l2(λ): λ·Σw² on every weight matrix
  double l1 = 1e-3;               // Keras' l1(λ): λ·Σ|w|
  double dropout = 0.5;           // p, the probability of dropping a hidden unit
  // Batch normalization and gradient clipping: chapter 08's deep networks on its disc problem.
  std::int64_t deep_samples = 1024;
  std::int64_t depth = 10;        // dense layers, the output layer included
  std::int64_t units = 32;
  std::int64_t deep_epochs = 10;
  std::int64_t deep_batch_size = 32;
  double deep_learning_rate = 0.1;
  double clip_norm = 1.0;         // clip_grad_norm's max_norm
};

// The data, split: from generators of their own, so that every run of the chapter sees the same.
struct Data {
  Matrix X, T;  // all samples
  ValidationSplit split;
  ValidationData parts;
};

Data make_data(course::Context& ctx, const Settings& s) {
  Rng moons_rng = Rng::derived(ctx.cli.seed, "moons");
  const synthetic::LabelledPoints moons =
      synthetic::make_moons(static_cast<std::size_t>(s.samples), s.noise, moons_rng);
  Data d{moons.X, moons.targets(), {}, {}};
  Rng split_rng = Rng::derived(ctx.cli.seed, "validation");
  const ValidationSize size{std::nullopt, static_cast<std::size_t>(s.validation)};
  d.split = split_validation(d.X.rows(), size, split_rng, &moons.labels);
  d.parts = apply_split(d.split, d.X, d.T);
  ctx.tracer.record(TraceLevel::summary, validation_split_event(d.split, size));
  return d;
}

// 2 → hidden tanh → hidden tanh → 1 logit, Glorot-uniform weights, drawn from the seed alone. With
// p > 0 a Dropout(p) after each hidden layer, its masks from a generator of its own (the weights
// are the same as without).
Network make_network(course::Context& ctx, const Settings& s, double dropout = 0) {
  Rng rng = Rng::derived(ctx.cli.seed, "network");
  const auto h = static_cast<std::size_t>(s.hidden);
  const Initializer glorot = make_initializer("glorot_uniform");
  Network net;
  net.dense(2, h, rng, glorot).activation("tanh");
  if (dropout > 0) net.dropout(dropout, Rng::derived(ctx.cli.seed, "dropout layers[2]"));
  net.dense(h, h, rng, glorot).activation("tanh");
  if (dropout > 0) net.dropout(dropout, Rng::derived(ctx.cli.seed, "dropout layers[5]"));
  net.dense(h, 1, rng, glorot).activation("identity");
  return net;
}

bool is_weight(const std::string& name) { return name.size() >= 2 && name.substr(name.size() - 2) == ".W"; }

// Every weight matrix W (not the biases) penalized, as Keras' kernel_regularizer on every layer.
void penalize_weights(Network& net, Penalty penalty) {
  std::vector<std::string> names;
  for (const ParameterRef& p : net.parameters())
    if (is_weight(p.name)) names.push_back(p.name);
  for (const std::string& name : names) net.penalize(name, penalty);
}

// The fraction of all weights (biases left out) with |w| ≤ limit.
double near_zero_fraction(Network& net, double limit) {
  std::size_t near = 0, all = 0;
  for (const ParameterRef& p : net.parameters())
    if (is_weight(p.name))
      for (Scalar w : p.value) {
        near += std::abs(static_cast<double>(w)) <= limit;
        ++all;
      }
  return static_cast<double>(near) / static_cast<double>(all);
}

// "Near zero" for the sparsity count: |w| ≤ 10⁻³, a hundredth of a typical initial weight.
constexpr double kNearZero = 1e-3;

// √(Σ w²) over every weight matrix W (biases left out): how large the weights have grown.
double weight_norm(Network& net) {
  double sum = 0;
  for (const ParameterRef& p : net.parameters())
    if (is_weight(p.name))
      for (Scalar w : p.value) sum += static_cast<double>(w) * static_cast<double>(w);
  return std::sqrt(sum);
}

struct Run {
  std::string name;
  std::vector<EpochStats> history;
  std::vector<double> weight_norms;  // after each epoch
  Evaluation train, validation;      // of the weights the network ends with
  double final_weight_norm = 0;
  double near_zero = 0;              // the fraction of weights with |w| ≤ kNearZero at the end
};

// Trains a fresh copy of the network (the same initial weights, the same shuffles for every run).
Run train_run(course::Context& ctx, const Settings& s, const Data& d, const std::string& name,
              const TrainOptions& options, Network net) {
  SGD sgd(s.learning_rate);
  const BinaryCrossEntropyWithLogits loss;
  Rng shuffles = Rng::derived(ctx.cli.seed, "shuffles");
  Run run{name, {}, {}, {}, {}, 0, 0};
  ctx.tracer.set_run(name);
  run.history = train(net, loss, sgd, d.parts.X_train, d.parts.T_train,
                      ValidationSet{d.parts.X_validation, d.parts.T_validation}, shuffles, options, ctx.tracer,
                      [&](const EpochStats&) { run.weight_norms.push_back(weight_norm(net)); });
  run.train = evaluate(net, loss, d.parts.X_train, d.parts.T_train, options);
  run.validation = evaluate(net, loss, d.parts.X_validation, d.parts.T_validation, options);
  run.final_weight_norm = weight_norm(net);
  run.near_zero = near_zero_fraction(net, kNearZero);
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "remedy_result"},
                                              {"remedy", name},
                                              {"epochs_run", run.history.size()},
                                              {"train_loss", to_json(run.train.loss)},
                                              {"val_loss", to_json(run.validation.loss)},
                                              {"train_accuracy", *run.train.accuracy},
                                              {"val_accuracy", *run.validation.accuracy},
                                              {"weight_norm", to_json(run.final_weight_norm)},
                                              {"near_zero_fraction", run.near_zero}});
  ctx.tracer.set_run("");
  return run;
}

TrainOptions base_options(const Settings& s) {
  TrainOptions o;
  o.epochs = static_cast<std::size_t>(s.epochs);
  o.batch_size = static_cast<std::size_t>(s.batch_size);
  o.classification = true;
  o.threshold = 0.0;  // a logit says yes at 0
  return o;
}

std::string number(double x) { return fmt::format("{:.4f}", x + 0.0); }

// The epoch with the lowest validation loss (the first, if several).
std::size_t best_validation_epoch(const std::vector<EpochStats>& history) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < history.size(); ++i)
    if (*history[i].val_loss < *history[best].val_loss) best = i;
  return history[best].epoch;
}

Run overfitting(course::Context& ctx, const Settings& s, const Data& d) {
  ctx.heading("1. Overfitting made visible");
  ctx.print("{} points of two moons (noise {}), {} held out for validation ({} of each class), {} to train on;\n"
            "the network {}\nhas {} parameters for those {} samples. SGD η = {}, batches of {}, {} epochs.\n\n",
            s.samples, s.noise, d.split.validation.size(), d.split.validation.size() / 2, d.split.train.size(),
            make_network(ctx, s).describe(), make_network(ctx, s).parameter_count(), d.split.train.size(),
            s.learning_rate, s.batch_size, s.epochs);
  Run run = train_run(ctx, s, d, "overfit", base_options(s), make_network(ctx, s));
  Table table({"epoch", "training loss", "validation loss", "training accuracy", "validation accuracy", "‖W‖"});
  const std::size_t every = std::max<std::size_t>(1, run.history.size() / 12);
  for (std::size_t i = 0; i < run.history.size(); ++i) {
    const EpochStats& e = run.history[i];
    if (e.epoch != 1 && e.epoch % every != 0 && i + 1 != run.history.size()) continue;
    table.add_row({std::to_string(e.epoch), number(e.loss), number(*e.val_loss), number(*e.accuracy),
                   number(*e.val_accuracy), fmt::format("{:.2f}", run.weight_norms[i])});
  }
  ctx.print(table);
  const std::size_t best = best_validation_epoch(run.history);
  const EpochStats& at_best = run.history[best - 1];
  const EpochStats& last = run.history.back();
  ctx.print("\nThe validation loss is lowest after epoch {} ({}); from there it climbs to {} while the\n"
            "training loss keeps falling, {} → {}. The weights keep growing (‖W‖ {:.2f} → {:.2f}): the\n"
            "network bends its boundary round single noisy points. Validation accuracy {} at epoch {},\n"
            "{} at the end.\n",
            best, number(*at_best.val_loss), number(*last.val_loss), number(at_best.loss), number(last.loss),
            run.weight_norms[best - 1], run.weight_norms.back(), number(*at_best.val_accuracy), best,
            number(*last.val_accuracy));
  return run;
}

Run early_stopping(course::Context& ctx, const Settings& s, const Data& d) {
  ctx.heading("2. Early stopping");
  TrainOptions options = base_options(s);
  EarlyStoppingOptions es;
  es.monitor = "val_loss";
  es.patience = static_cast<std::size_t>(s.patience);
  es.restore_best_weights = true;
  options.early_stopping = es;
  ctx.print("The same network from the same weights, the same shuffles, with Keras' EarlyStopping(monitor=\n"
            "\"val_loss\", min_delta=0, patience={}, restore_best_weights=True).\n\n",
            s.patience);
  Run run = train_run(ctx, s, d, "early_stopping", options, make_network(ctx, s));
  const EpochStats& last = run.history.back();
  const EpochStats::EarlyStoppingState& state = *last.early_stopping;
  const EpochStats& best = run.history[state.best_epoch - 1];
  if (state.stop)
    ctx.print("It stopped after epoch {}: the {} epochs since epoch {} brought no validation loss below {}.\n",
              last.epoch, state.wait, state.best_epoch, number(*best.val_loss));
  else
    ctx.print("It ran all {} epochs; the best was epoch {}.\n", last.epoch, state.best_epoch);
  ctx.print("It restored the weights of epoch {} (parameters and buffers): evaluated again they give validation\n"
            "loss {} and accuracy {} — epoch {}'s numbers, as they must.\n",
            *state.restored_epoch, number(run.validation.loss), number(*run.validation.accuracy), state.best_epoch);
  return run;
}

// A run's ‖W‖ after epoch e, for the epochs the tables show.
std::string norm_at(const Run& r, std::size_t epoch) {
  return epoch <= r.weight_norms.size() ? fmt::format("{:.2f}", r.weight_norms[epoch - 1]) : "—";
}

Run l2_penalty(course::Context& ctx, const Settings& s, const Data& d, const Run& overfit) {
  ctx.heading("3. L2 penalty");
  Network net = make_network(ctx, s);
  penalize_weights(net, Penalty{.l1 = 0, .l2 = s.l2});
  ctx.print("The same network, start and shuffles, every weight matrix penalized with Keras' l2({}): the loss\n"
            "trained on is the data loss + {}·Σw², whose gradient adds 2·{}·w to every dL/dw.\n\n",
            s.l2, s.l2, s.l2);
  Run run = train_run(ctx, s, d, "l2", base_options(s), std::move(net));
  Table table({"epoch", "‖W‖ without", "‖W‖ with l2", "validation loss without", "validation loss with l2"});
  // Rows at epochs 1, 100, 200, 400 and the last: those the run has (a shorter --epochs has fewer).
  std::vector<std::size_t> rows;
  for (std::size_t epoch : {std::size_t{1}, std::size_t{100}, std::size_t{200}, std::size_t{400}})
    if (epoch < run.history.size()) rows.push_back(epoch);
  rows.push_back(run.history.size());
  for (std::size_t epoch : rows)
    table.add_row({std::to_string(epoch), norm_at(overfit, epoch), norm_at(run, epoch),
                   number(*overfit.history[epoch - 1].val_loss), number(*run.history[epoch - 1].val_loss)});
  ctx.print(table);
  ctx.print("\nWithout the penalty ‖W‖ grows from {:.2f} to {:.2f}; with it, it ends at {:.2f}. Validation loss at the\n"
            "end {} (without: {}), validation accuracy {} (without: {}).\n",
            overfit.weight_norms.front(), overfit.final_weight_norm, run.final_weight_norm,
            number(run.validation.loss), number(overfit.validation.loss), number(*run.validation.accuracy),
            number(*overfit.validation.accuracy));
  return run;
}

Run l1_penalty(course::Context& ctx, const Settings& s, const Data& d, const Run& overfit) {
  ctx.heading("4. L1 penalty");
  Network net = make_network(ctx, s);
  penalize_weights(net, Penalty{.l1 = s.l1, .l2 = 0});
  ctx.print("Keras' l1({}) on every weight matrix: data loss + {}·Σ|w|, whose subgradient adds {}·sign(w)\n"
            "to every dL/dw — a pull of the same size towards 0 whatever the weight's size.\n\n",
            s.l1, s.l1, s.l1);
  Run run = train_run(ctx, s, d, "l1", base_options(s), std::move(net));
  const double step = s.learning_rate * s.l1;
  ctx.print("Weights near zero (|w| ≤ {:g}) after {} epochs: {:.1f}% with l1, {:.1f}% without. ‖W‖ {:.2f} (without:\n"
            "{:.2f}). Validation loss {} (without: {}), validation accuracy {} (without: {}).\n",
            kNearZero, run.history.size(), 100 * run.near_zero, 100 * overfit.near_zero, run.final_weight_norm,
            overfit.final_weight_norm, number(run.validation.loss), number(overfit.validation.loss),
            number(*run.validation.accuracy), number(*overfit.validation.accuracy));
  ctx.print("Plain SGD does not make a weight exactly 0: each step moves it by η·λ = {:g} towards 0 (plus the\n"
            "data gradient), so a weight the data does not need jumps back and forth across 0, within about\n"
            "η·λ of it.\n",
            step);
  return run;
}

Run dropout_run(course::Context& ctx, const Settings& s, const Data& d, const Run& overfit) {
  ctx.heading("5. Dropout");
  Network net = make_network(ctx, s, s.dropout);
  ctx.print("{}\nThe same weights; in training each hidden unit is dropped with probability p = {} and the kept\n"
            "ones are multiplied by 1/(1 − p) (inverted dropout, as PyTorch and Keras). Evaluation uses every unit.\n\n",
            net.describe(), s.dropout);
  Run run = train_run(ctx, s, d, "dropout", base_options(s), std::move(net));
  std::size_t best = 0;
  for (std::size_t i = 1; i < run.history.size(); ++i)
    if (*run.history[i].val_accuracy > *run.history[best].val_accuracy) best = i;
  ctx.print("Validation accuracy after the last epoch {} (without dropout: {}); its best, {}, after epoch {}.\n"
            "Validation loss at the end {} (without: {}); ‖W‖ {:.2f} (without: {:.2f}).\n",
            number(*run.validation.accuracy), number(*overfit.validation.accuracy),
            number(*run.history[best].val_accuracy), run.history[best].epoch, number(run.validation.loss),
            number(overfit.validation.loss), run.final_weight_norm, overfit.final_weight_norm);
  return run;
}

// Inverted dropout against the older rule, on a small net: Dense(2→4, tanh) → Dropout(p) → Dense(4→1).
void dropout_expectation(course::Context& ctx, const Settings& s) {
  ctx.heading("6. Dropout at test time: two rules, one expectation");
  Rng rng = Rng::derived(ctx.cli.seed, "dropout demo");
  const double p = s.dropout;
  Network net;
  net.dense(2, 4, rng, make_initializer("glorot_uniform")).activation("tanh");
  net.dropout(p, Rng::derived(ctx.cli.seed, "dropout demo masks"));
  net.dense(4, 1, rng, make_initializer("glorot_uniform")).activation("identity");
  const Matrix X{{0.5, -1.0}, {1.5, 0.25}, {-0.75, 0.8}};
  const auto& out = dynamic_cast<const Dense&>(net.layer(3));
  const std::size_t masks = 100000;
  // Evaluation (every unit, no scaling) and the older rule's test network: W₂ multiplied by 1 − p.
  const Matrix evaluation = predict(net, X);
  Network scaled = net;
  scaled.eval();
  dynamic_cast<Dense&>(scaled.layer(3)).W = out.W * static_cast<Scalar>(1 - p);
  const Matrix scaled_output = scaled.forward(X);
  // Training mode, many masks: inverted dropout's outputs (kept units × 1/(1 − p)), and the older
  // rule's (kept units as they are): W₂·(a ⊙ m) + b from the same hidden a and mask m.
  std::vector<double> inverted(X.rows(), 0.0), older(X.rows(), 0.0);
  net.train();
  const auto& drop = dynamic_cast<const Dropout&>(net.layer(2));
  for (std::size_t k = 0; k < masks; ++k) {
    const Matrix& Y = net.forward(X);
    const Matrix& a = net.layer_output(1);
    for (std::size_t n = 0; n < X.rows(); ++n) {
      inverted[n] += Y(n, 0);
      double y = out.b(0, 0);
      for (std::size_t j = 0; j < a.cols(); ++j) y += out.W(0, j) * a(n, j) * drop.mask(n, j);
      older[n] += y;
    }
  }
  Table table({"input", "evaluation", "mean of training outputs", "older rule: mean of training outputs",
               "older rule: W₂·(1 − p) at test"});
  Json event{{"event", "dropout_expectation"}, {"p", p}, {"masks", masks}, {"inputs", to_json(X)}};
  for (std::size_t n = 0; n < X.rows(); ++n) {
    inverted[n] /= static_cast<double>(masks);
    older[n] /= static_cast<double>(masks);
    table.add_row({fmt::format("({:g}, {:g})", X(n, 0), X(n, 1)), number(evaluation(n, 0)), number(inverted[n]),
                   number(older[n]), number(scaled_output(n, 0))});
    event["evaluation"].push_back(to_json(evaluation(n, 0)));
    event["mean_training_output"].push_back(to_json(inverted[n]));
    event["older_mean_training_output"].push_back(to_json(older[n]));
    event["older_scaled_weights_output"].push_back(to_json(scaled_output(n, 0)));
  }
  ctx.tracer.record(TraceLevel::summary, event);
  ctx.print("{}: the mean over {} masks of the training-mode\noutput, against the test-time output of each rule:\n\n",
            net.describe(), masks);
  ctx.print(table);
  ctx.print("\nInverted dropout scales the kept units by 1/(1 − p) while training, so the mean of its outputs is\n"
            "the output with every unit and nothing scaled: evaluation needs no rule. The older rule keeps the\n"
            "units unscaled while training; the mean of its outputs is the network with W₂ multiplied by\n"
            "1 − p (the keep probability), the rule it applies at test. Either way the test output is the\n"
            "expectation of the training outputs — exactly, because the layer after the dropout is linear;\n"
            "the means differ from it by about 1/√{} of the outputs' spread.\n",
            masks);
}

void compare(course::Context& ctx, const std::vector<const Run*>& runs) {
  ctx.heading("7. What each reaches");
  Table table({"run", "epochs", "training loss", "validation loss", "training accuracy", "validation accuracy",
               "‖W‖", "|w| ≤ 1e-3"});
  for (const Run* r : runs)
    table.add_row({r->name, std::to_string(r->history.size()), number(r->train.loss), number(r->validation.loss),
                   number(*r->train.accuracy), number(*r->validation.accuracy),
                   fmt::format("{:.2f}", r->final_weight_norm), fmt::format("{:.1f}%", 100 * r->near_zero)});
  ctx.print(table);
  ctx.print("(The weights each run ends with, on its 60 training and 40 validation samples.)\n");
}

// ---- deep networks: batch normalization and gradient clipping (chapter 08's problem) ------------

// Chapter 08's disc: points uniform in [−1, 1]², class 1 inside the circle of area 2 (r² < 2/π).
struct Disc {
  Matrix X, T;
};
Disc disc_data(course::Context& ctx, const Settings& s) {
  Rng rng = Rng::derived(ctx.cli.seed, "disc");
  const auto n = static_cast<std::size_t>(s.deep_samples);
  synthetic::LabelledPoints disc = synthetic::make_disc(n, rng);
  return {std::move(disc.X), disc.targets()};
}

// depth dense layers of `units`, the activation after each hidden one — with batch_norm, a
// BatchNorm between each hidden dense layer and its activation.
Network deep_network(const Settings& s, const std::string& activation, const Initializer& init, bool batch_norm,
                     Rng rng) {
  const auto u = static_cast<std::size_t>(s.units);
  Network net;
  for (std::int64_t l = 0; l + 1 < s.depth; ++l) {
    net.dense(l == 0 ? 2 : u, u, rng, init);
    if (batch_norm) net.batch_norm();
    net.activation(activation);
  }
  net.dense(u, 1, rng, init);
  return net;
}

struct DeepRun {
  std::string name;
  std::vector<double> losses;  // on the whole set: before training, then after each epoch
  std::vector<double> batch_losses;  // the mean of each epoch's batch losses (training mode)
  double accuracy = 0;
  std::string diverged;        // the error, if the numbers broke
};

Json deep_result_event(const DeepRun& r) {
  Json e{{"event", "deep_result"},
         {"name", r.name},
         {"losses", to_json(r.losses)},
         {"mean_batch_losses", to_json(r.batch_losses)},
         {"accuracy", r.accuracy}};
  if (!r.diverged.empty()) e["diverged"] = r.diverged;
  return e;
}

DeepRun deep_train(course::Context& ctx, const Settings& s, const Disc& d, const std::string& name, Network& net) {
  const BinaryCrossEntropyWithLogits loss;
  SGD sgd(s.deep_learning_rate);
  Rng shuffles = Rng::derived(ctx.cli.seed, "deep shuffles");
  TrainOptions o;
  o.epochs = static_cast<std::size_t>(s.deep_epochs);
  o.batch_size = static_cast<std::size_t>(s.deep_batch_size);
  o.classification = true;
  o.threshold = 0.0;
  DeepRun run{name, {evaluate(net, loss, d.X, d.T, o).loss}, {}, 0, ""};
  ctx.tracer.set_run(name);
  try {
    train(net, loss, sgd, d.X, d.T, shuffles, o, ctx.tracer, [&](const EpochStats& e) {
      run.losses.push_back(e.loss);
      run.batch_losses.push_back(e.mean_batch_loss);
      run.accuracy = *e.accuracy;
    });
  } catch (const NonFiniteError& e) {  // possible with a large --deep-learning-rate
    run.diverged = e.what();
    ctx.print("{}: diverged: {}\n", name, run.diverged);
  }
  ctx.tracer.set_run("");
  ctx.tracer.record(TraceLevel::summary, deep_result_event(run));
  return run;
}

std::string row_of(const std::vector<double>& v, std::size_t i) { return i < v.size() ? number(v[i]) : "—"; }

void batch_normalization(course::Context& ctx, const Settings& s, const Disc& d, std::vector<DeepRun>& runs) {
  ctx.heading(fmt::format("8. Batch normalization: {} sigmoid layers", s.depth));
  const Initializer glorot = make_initializer("glorot_normal");
  Network plain = deep_network(s, "sigmoid", glorot, false, Rng::derived(ctx.cli.seed, "deep network"));
  Network normalized = deep_network(s, "sigmoid", glorot, true, Rng::derived(ctx.cli.seed, "deep network"));
  ctx.print("Chapter 08's disc ({} points), {} dense layers of {} sigmoid units, Glorot-normal weights (the same\n"
            "draws for both), SGD η = {}, batches of {}, {} epochs; the second network has a BatchNorm\n"
            "(PyTorch's defaults: momentum 0.1, ε = 1e-5) between each hidden dense layer and its sigmoid.\n\n",
            s.deep_samples, s.depth, s.units, s.deep_learning_rate, s.deep_batch_size, s.deep_epochs);

  // One training step of the normalized network on its first 8 samples, by hand: the first
  // BatchNorm's numbers, and the library's forward event for its stage in the trace.
  {
    Network net = normalized;
    SGD sgd(s.deep_learning_rate);
    const BinaryCrossEntropyWithLogits loss;
    const Matrix X = slice_rows(d.X, 0, 8), T = slice_rows(d.T, 0, 8);
    train_step(net, loss, sgd, X, T, StepId{1, 1});
    const auto& bn = dynamic_cast<const BatchNorm&>(net.layer(1));
    ctx.tracer.set_run("batch_norm_step");
    for (const Network::Stage& stage : net.stages())
      if (stage.first == 1) ctx.tracer.record(TraceLevel::summary, forward_event(net, stage, StepId{1, 1}));
    ctx.tracer.set_run("");
    ctx.print("One training step on samples 0 … 7, the first BatchNorm (layers[1]), features 0 … 3:\n\n");
    Table t({"", "feature 0", "feature 1", "feature 2", "feature 3"});
    const auto row = [&](const std::string& label, const Matrix& m, std::size_t r) {
      std::vector<std::string> cells{label};
      for (std::size_t j = 0; j < 4; ++j) cells.push_back(number(m(r, j)));
      t.add_row(cells);
    };
    row("μ (batch mean)", bn.mu, 0);
    row("σ² (batch variance, ÷N)", bn.var, 0);
    for (std::size_t n = 0; n < 3; ++n) row(fmt::format("x̂ of sample {}", n), bn.x_hat, n);
    row("running_mean after", bn.running_mean, 0);
    row("running_var after", bn.running_var, 0);
    ctx.print(t);
    ctx.print("\nrunning_mean = 0.9·0 + 0.1·μ and running_var = 0.9·1 + 0.1·σ²·8/7 (the unbiased variance).\n"
              "The trace's forward event with \"run\": \"batch_norm_step\" holds them all (mu, var, x_hat,\n"
              "running_mean, running_var) with the stage's input they came from.\n\n");
  }

  runs.push_back(deep_train(ctx, s, d, "sigmoid", plain));
  runs.push_back(deep_train(ctx, s, d, "sigmoid + batch_norm", normalized));
  Table table({"epoch", "loss without", "with batch_norm: mean batch loss (training mode)",
               "with batch_norm: loss (evaluation mode)"});
  for (std::size_t e = 0; e < runs[0].losses.size(); ++e)
    table.add_row({std::to_string(e), row_of(runs[0].losses, e), e == 0 ? "" : row_of(runs[1].batch_losses, e - 1),
                   row_of(runs[1].losses, e)});
  ctx.print(table);
  ctx.print("\n\"loss\": on the whole set after the epoch, in evaluation mode (for batch normalization: with the\n"
            "running statistics). The mean batch loss: of the epoch's batches as they were trained on, each\n"
            "normalized with its own statistics.\n");
  ctx.print("\nAccuracy after {} epochs: {} without, {} with batch normalization.\n", s.deep_epochs,
            number(runs[0].accuracy), number(runs[1].accuracy));

  // The same 4 samples in evaluation mode (running statistics) and in training mode (their own).
  const Matrix X = slice_rows(d.X, 0, 4);
  const Matrix evaluated = predict(normalized, X);
  Network copy = normalized;
  copy.train();
  const Matrix trained = copy.forward(X);
  Table modes({"sample", "evaluation mode", "training mode"});
  Json event{{"event", "batch_norm_modes"}, {"inputs", to_json(X)}, {"evaluation", Json::array()},
             {"training", Json::array()}};
  for (std::size_t n = 0; n < 4; ++n) {
    modes.add_row({std::to_string(n), number(evaluated(n, 0)), number(trained(n, 0))});
    event["evaluation"].push_back(to_json(evaluated(n, 0)));
    event["training"].push_back(to_json(trained(n, 0)));
  }
  ctx.tracer.record(TraceLevel::summary, event);
  ctx.print("\nThe trained network's logit for samples 0 … 3, as a batch of 4: evaluation mode normalizes with\n"
            "the running statistics, training mode with these 4 samples' own mean and variance:\n\n");
  ctx.print(modes);
}

// Chapter 08's naive ReLU network (every weight from N(0, 1)), without and with clip_grad_norm.
struct ClipRun {
  std::string name;
  std::vector<double> losses, norms;  // per step: the batch's loss and ‖g‖ before clipping
  std::optional<double> accuracy;
  std::string diverged;
};

ClipRun clip_run(course::Context& ctx, const Settings& s, const Disc& d, const std::string& name,
                 std::optional<double> max_norm) {
  Network net =
      deep_network(s, "relu", make_initializer("normal", Json{{"stddev", 1.0}}), false,
                   Rng::derived(ctx.cli.seed, "naive relu"));
  const BinaryCrossEntropyWithLogits loss;
  SGD sgd(s.deep_learning_rate);
  Rng shuffles = Rng::derived(ctx.cli.seed, "deep shuffles");
  TrainOptions o;
  o.clip_grad_norm = max_norm;
  o.classification = true;
  o.threshold = 0.0;
  ClipRun run{name, {}, {}, std::nullopt, ""};
  const std::size_t N = d.X.rows(), B = static_cast<std::size_t>(s.deep_batch_size);
  std::size_t step = 0;
  try {
    for (std::size_t epoch = 1; epoch <= static_cast<std::size_t>(s.deep_epochs); ++epoch) {
      const std::vector<std::size_t> order = shuffles.permutation(N);
      for (std::size_t first = 0; first < N; first += B) {
        const std::vector<std::size_t> rows(order.begin() + static_cast<std::ptrdiff_t>(first),
                                            order.begin() + static_cast<std::ptrdiff_t>(std::min(N, first + B)));
        const Matrix X = gather_rows(d.X, rows), T = gather_rows(d.T, rows);
        // ‖g‖ of this batch before the step (train_step clips it, if asked, after computing it again).
        net.zero_grad();
        const Matrix& Y = net.forward(X);
        net.backward(loss.gradient(Y, T));
        double sum = 0;
        for (const ParameterRef& p : net.parameters())
          for (Scalar g : p.grad) sum += static_cast<double>(g) * static_cast<double>(g);
        run.norms.push_back(std::sqrt(sum));
        run.losses.push_back(train_step(net, loss, sgd, X, T, StepId{epoch, ++step}, Tracer::none(), o));
      }
    }
    run.accuracy = evaluate(net, loss, d.X, d.T, o).accuracy;
  } catch (const NonFiniteError& e) {
    run.diverged = e.what();
  }
  Json event{{"event", "clipping_result"}, {"name", name}, {"max_norm", max_norm ? Json(*max_norm) : Json(nullptr)},
             {"steps", run.losses.size()}, {"losses", to_json(run.losses)}, {"gradient_norms", to_json(run.norms)}};
  if (run.accuracy) event["accuracy"] = *run.accuracy;
  if (!run.diverged.empty()) event["diverged"] = run.diverged;
  ctx.tracer.record(TraceLevel::summary, event);
  return run;
}

std::pair<ClipRun, ClipRun> gradient_clipping(course::Context& ctx, const Settings& s, const Disc& d) {
  ctx.heading("9. Gradient clipping: chapter 08's exploding ReLU network");
  ctx.print("{} dense layers of {} ReLU units, every weight from N(0, 1) (chapter 08's naive start), the same\n"
            "disc, SGD η = {}, batches of {}, {} epochs; then the same with clip_grad_norm(max_norm = {}).\n\n",
            s.depth, s.units, s.deep_learning_rate, s.deep_batch_size, s.deep_epochs, s.clip_norm);
  ClipRun wild = clip_run(ctx, s, d, "no clipping", std::nullopt);
  ClipRun clipped = clip_run(ctx, s, d, "clip_grad_norm", s.clip_norm);
  Table table({"step", "loss without", "‖g‖ without", "loss with clipping", "‖g‖ before clipping"});
  const auto cell = [](const std::vector<double>& v, std::size_t i, bool sci) {
    if (i >= v.size()) return std::string("—");
    if (!std::isfinite(v[i])) return std::string(std::isnan(v[i]) ? "nan" : "inf");
    return sci ? fmt::format("{:.3e}", v[i]) : number(v[i]);
  };
  for (std::size_t i : {0, 1, 2, 3, 4, 9, 31, 63, 127, 319})
    if (i < clipped.losses.size())
      table.add_row({std::to_string(i + 1), cell(wild.losses, i, true), cell(wild.norms, i, true),
                     cell(clipped.losses, i, true), cell(clipped.norms, i, true)});
  ctx.print(table);
  if (!wild.diverged.empty()) ctx.print("\nWithout clipping: {}\n", wild.diverged);
  if (clipped.accuracy)
    ctx.print("With clipping: {} steps, the last batch's loss {}, accuracy on the whole set {}.\n",
              clipped.losses.size(), number(clipped.losses.back()), number(*clipped.accuracy));
  else
    ctx.print("With clipping: {}\n", clipped.diverged);
  if (wild.accuracy)
    ctx.print("Without clipping: {} steps, accuracy on the whole set {}.\n", wild.losses.size(),
              number(*wild.accuracy));
  return {wild, clipped};
}

void plots(course::Context& ctx, const Run& overfit, const Run& stopped) {
  if (!course::plots_beside_trace(ctx)) return;
  const auto curve = [](const std::vector<EpochStats>& h, bool validation) {
    std::vector<double> x, y;
    for (const EpochStats& e : h) {
      x.push_back(static_cast<double>(e.epoch));
      y.push_back(validation ? *e.val_loss : e.loss);
    }
    return std::pair{x, y};
  };
  {
    svg::Plot plot("Overfitting: training and validation loss");
    plot.x_label("epoch").y_label("binary cross-entropy");
    auto [xt, yt] = curve(overfit.history, false);
    auto [xv, yv] = curve(overfit.history, true);
    plot.line("training loss (60 samples)", xt, yt).line("validation loss (40 held out)", xv, yv);
    plot.save(course::companion_path(ctx.tracer.path(), "overfitting.svg"));
  }
  {
    svg::Plot plot("Early stopping on the validation loss");
    plot.x_label("epoch").y_label("validation loss (binary cross-entropy)").legend(svg::Corner::top_left);
    auto [xv, yv] = curve(overfit.history, true);
    svg::LineStyle faint;
    faint.color = "#bbbbbb";
    plot.line("without early stopping", xv, yv, faint);
    auto [xs, ys] = curve(stopped.history, true);
    plot.line("with early stopping", xs, ys);
    const auto& state = *stopped.history.back().early_stopping;
    const EpochStats& best = stopped.history[state.best_epoch - 1];
    const EpochStats& last = stopped.history.back();
    plot.points("best epoch (its weights restored)", {static_cast<double>(best.epoch)}, {*best.val_loss});
    svg::PointStyle cross;
    cross.marker = svg::Marker::cross;
    cross.radius = 6;
    plot.points("stopped", {static_cast<double>(last.epoch)}, {*last.val_loss}, cross);
    plot.save(course::companion_path(ctx.tracer.path(), "early_stopping.svg"));
  }
  ctx.print("\nplots: {} and {}\n", course::companion_path(ctx.tracer.path(), "overfitting.svg").string(),
            course::companion_path(ctx.tracer.path(), "early_stopping.svg").string());
}

void more_plots(course::Context& ctx, const std::vector<const Run*>& runs, const std::vector<DeepRun>& deep,
                const ClipRun& wild, const ClipRun& clipped) {
  if (!course::plots_beside_trace(ctx)) return;
  {
    svg::Plot plot("Each remedy on the same problem: validation loss");
    plot.x_label("epoch").y_label("validation loss (binary cross-entropy)").legend(svg::Corner::top_left);
    for (const Run* r : runs) {
      std::vector<double> x, y;
      for (const EpochStats& e : r->history) {
        x.push_back(static_cast<double>(e.epoch));
        y.push_back(*e.val_loss);
      }
      plot.line(r->name, x, y);
    }
    plot.save(course::companion_path(ctx.tracer.path(), "remedies.svg"));
  }
  {
    svg::Plot plot("The weights' norm: L2 and L1 keep it small");
    plot.x_label("epoch").y_label("‖W‖ = √(Σ w²) over all weight matrices").legend(svg::Corner::top_left);
    for (const Run* r : runs) {
      if (r->name == "early_stopping") continue;
      std::vector<double> x;
      for (std::size_t e = 1; e <= r->weight_norms.size(); ++e) x.push_back(static_cast<double>(e));
      plot.line(r->name, x, r->weight_norms);
    }
    plot.save(course::companion_path(ctx.tracer.path(), "weight_norms.svg"));
  }
  {
    svg::Plot plot("A deep sigmoid network with and without batch normalization");
    plot.x_label("epoch").y_label("loss on the disc (binary cross-entropy)").legend(svg::Corner::top_left);
    plot.y_range(0, 2.2);
    for (const DeepRun& r : deep) {
      std::vector<double> x;
      for (std::size_t e = 0; e < r.losses.size(); ++e) x.push_back(static_cast<double>(e));
      plot.line(r.name + " (evaluation mode)", x, r.losses);
    }
    std::vector<double> x;
    for (std::size_t e = 1; e <= deep[1].batch_losses.size(); ++e) x.push_back(static_cast<double>(e));
    svg::LineStyle dashed;
    dashed.dashed = true;
    plot.line(deep[1].name + ": mean batch loss (training mode)", x, deep[1].batch_losses, dashed);
    plot.save(course::companion_path(ctx.tracer.path(), "batch_norm.svg"));
  }
  {
    svg::Plot plot("Naive ReLU network: the batch loss per step, without and with clipping");
    plot.x_label("step").y_label("log₁₀ of the batch loss");
    for (const ClipRun* r : {&wild, &clipped}) {
      std::vector<double> x, y;
      for (std::size_t i = 0; i < r->losses.size(); ++i)
        if (std::isfinite(r->losses[i]) && r->losses[i] > 0) {
          x.push_back(static_cast<double>(i + 1));
          y.push_back(std::log10(r->losses[i]));
        }
      svg::LineStyle line;
      line.color = r == &wild ? "#d62728" : "#1f77b4";
      plot.line(r == &wild ? r->name + " (until it overflows)" : r->name, x, y, line);
      if (r == &wild) {
        svg::PointStyle dot;
        dot.color = line.color;
        plot.points("", x, y, dot);
      }
    }
    plot.save(course::companion_path(ctx.tracer.path(), "clipping.svg"));
  }
  ctx.print("plots: {}, {}, {} and {}\n", course::companion_path(ctx.tracer.path(), "remedies.svg").string(),
            course::companion_path(ctx.tracer.path(), "weight_norms.svg").string(),
            course::companion_path(ctx.tracer.path(), "batch_norm.svg").string(),
            course::companion_path(ctx.tracer.path(), "clipping.svg").string());
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CommandLine cli({.name = "ch11_regularization",
                   .chapter = 11,
                   .title = "Regularization",
                   .purpose = "Overfitting made visible on a small noisy data set, a validation split, and the\n"
                              "remedies: early stopping, L2 and L1 penalties, dropout; batch normalization\n"
                              "for a deep sigmoid network; gradient clipping for an exploding one.",
                   .default_trace_level = TraceLevel::summary});
  cli.option("epochs", s.epochs, 1, 100000, "epochs of each run (early stopping may end one sooner)");
  cli.option("patience", s.patience, 0, 100000, "early stopping: epochs without improvement before stopping");
  cli.option("learning-rate", s.learning_rate, 1e-6, 10.0, "SGD step size η");
  cli.option("noise", s.noise, 0.0, 2.0, "standard deviation of the noise added to the moons");
  cli.option("l2", s.l2, 0.0, 10.0, "λ of the L2 penalty λ·Σw²");
  cli.option("l1", s.l1, 0.0, 10.0, "λ of the L1 penalty λ·Σ|w|");
  cli.option("dropout", s.dropout, 0.01, 0.95, "p, the probability of dropping a hidden unit");
  cli.option("deep-epochs", s.deep_epochs, 1, 1000, "epochs of the deep networks (batch normalization, clipping)");
  cli.option("deep-learning-rate", s.deep_learning_rate, 1e-6, 10.0, "SGD step size η of the deep networks");
  cli.option("clip-norm", s.clip_norm, 1e-6, 1e6, "max_norm of the gradient clipping");
  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    const Data d = make_data(ctx, s);
    const Run overfit = overfitting(ctx, s, d);
    const Run stopped = early_stopping(ctx, s, d);
    const Run l2 = l2_penalty(ctx, s, d, overfit);
    const Run l1 = l1_penalty(ctx, s, d, overfit);
    const Run dropped = dropout_run(ctx, s, d, overfit);
    dropout_expectation(ctx, s);
    const std::vector<const Run*> runs{&overfit, &stopped, &l2, &l1, &dropped};
    compare(ctx, runs);
    const Disc disc = disc_data(ctx, s);
    std::vector<DeepRun> deep;
    batch_normalization(ctx, s, disc, deep);
    const auto [wild, clipped] = gradient_clipping(ctx, s, disc);
    ctx.print("\n");
    plots(ctx, overfit, stopped);
    more_plots(ctx, runs, deep, wild, clipped);
    Json result{{"overfit_val_accuracy", *overfit.validation.accuracy},
                {"early_stopping_val_accuracy", *stopped.validation.accuracy},
                {"l2_val_accuracy", *l2.validation.accuracy},
                {"l1_val_accuracy", *l1.validation.accuracy},
                {"dropout_val_accuracy", *dropped.validation.accuracy},
                {"sigmoid_accuracy", deep[0].accuracy},
                {"batch_norm_accuracy", deep[1].accuracy},
                {"clipping_diverged_without", !wild.diverged.empty()}};
    if (clipped.accuracy) result["clipping_accuracy"] = *clipped.accuracy;
    ctx.result = result;
  });
}
