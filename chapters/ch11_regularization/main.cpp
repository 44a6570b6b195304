// Chapter 11 — regularization: overfitting made visible, and the remedies
//
// Teaches: a network far too large for a small noisy data set (60 points of two moons) learns its
// training samples ever better while its loss on held-out samples turns and climbs — overfitting,
// seen in the training and validation curves side by side; a validation split (stratified by class);
// early stopping as Keras' EarlyStopping does it: where it stops, which epoch's weights it restores,
// and the validation accuracy the restored weights reach against those of the last epoch.
// New in lib/: data/validation.hpp (a seeded, stratified validation split), train/early_stopping.hpp
// (Keras' rule, fed one number per epoch), train() with a ValidationSet (val_loss, val_accuracy).
// Run: ch11_regularization [--epochs N] [--patience N] [--learning-rate η] [--noise σ] [--trace PATH] [--trace-level …]
// Trace: traces/ch11_regularization.json — "validation_split", then per run ("overfit", "early_stopping")
// train()'s events labelled with the run, an "early_stopping" event for the second, and one
// "remedy_result" per run. Plots: traces/ch11_regularization.overfitting.svg (training and validation
// loss), traces/ch11_regularization.early_stopping.svg (where it stops).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/data/synthetic.hpp"
#include "glassbox/data/validation.hpp"
#include "glassbox/io/svg.hpp"
#include "glassbox/nn/initializers.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
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

// 2 → hidden tanh → hidden tanh → 1 logit, Glorot-uniform weights, drawn from the seed alone.
Network make_network(course::Context& ctx, const Settings& s) {
  Rng rng = Rng::derived(ctx.cli.seed, "network");
  const auto h = static_cast<std::size_t>(s.hidden);
  const Initializer glorot = make_initializer("glorot_uniform");
  Network net;
  net.dense(2, h, rng, glorot).activation("tanh").dense(h, h, rng, glorot).activation("tanh");
  net.dense(h, 1, rng, glorot).activation("identity");
  return net;
}

// √(Σ w²) over every weight matrix W (biases left out): how large the weights have grown.
double weight_norm(Network& net) {
  double sum = 0;
  for (const ParameterRef& p : net.parameters())
    if (p.name.size() >= 2 && p.name.substr(p.name.size() - 2) == ".W")
      for (Scalar w : p.value) sum += static_cast<double>(w) * static_cast<double>(w);
  return std::sqrt(sum);
}

struct Run {
  std::string name;
  std::vector<EpochStats> history;
  std::vector<double> weight_norms;  // after each epoch
  Evaluation train, validation;      // of the weights the network ends with
  double final_weight_norm = 0;
};

// Trains a fresh copy of the network (the same initial weights, the same shuffles for every run).
Run train_run(course::Context& ctx, const Settings& s, const Data& d, const std::string& name,
              const TrainOptions& options) {
  Network net = make_network(ctx, s);
  SGD sgd(s.learning_rate);
  const BinaryCrossEntropyWithLogits loss;
  Rng shuffles = Rng::derived(ctx.cli.seed, "shuffles");
  Run run{name, {}, {}, {}, {}, 0};
  ctx.tracer.set_run(name);
  run.history = train(net, loss, sgd, d.parts.X_train, d.parts.T_train,
                      ValidationSet{d.parts.X_validation, d.parts.T_validation}, shuffles, options, ctx.tracer,
                      [&](const EpochStats&) { run.weight_norms.push_back(weight_norm(net)); });
  run.train = evaluate(net, loss, d.parts.X_train, d.parts.T_train, options);
  run.validation = evaluate(net, loss, d.parts.X_validation, d.parts.T_validation, options);
  run.final_weight_norm = weight_norm(net);
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "remedy_result"},
                                              {"remedy", name},
                                              {"epochs_run", run.history.size()},
                                              {"train_loss", to_json(run.train.loss)},
                                              {"val_loss", to_json(run.validation.loss)},
                                              {"train_accuracy", *run.train.accuracy},
                                              {"val_accuracy", *run.validation.accuracy},
                                              {"weight_norm", to_json(run.final_weight_norm)}});
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
  Run run = train_run(ctx, s, d, "overfit", base_options(s));
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
  Run run = train_run(ctx, s, d, "early_stopping", options);
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

void compare(course::Context& ctx, const std::vector<const Run*>& runs) {
  ctx.heading("3. What each reaches");
  Table table({"run", "epochs", "training loss", "validation loss", "training accuracy", "validation accuracy",
               "‖W‖"});
  for (const Run* r : runs)
    table.add_row({r->name, std::to_string(r->history.size()), number(r->train.loss), number(r->validation.loss),
                   number(*r->train.accuracy), number(*r->validation.accuracy),
                   fmt::format("{:.2f}", r->final_weight_norm)});
  ctx.print(table);
  ctx.print("(The weights each run ends with, on its 60 training and 40 validation samples.)\n");
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

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CommandLine cli({.name = "ch11_regularization",
                   .chapter = 11,
                   .title = "Regularization",
                   .purpose = "Overfitting made visible on a small noisy data set, a validation split, and\n"
                              "early stopping: where it stops and which weights it restores.",
                   .default_trace_level = TraceLevel::summary});
  cli.option("epochs", s.epochs, 1, 100000, "epochs of each run (early stopping may end one sooner)");
  cli.option("patience", s.patience, 0, 100000, "early stopping: epochs without improvement before stopping");
  cli.option("learning-rate", s.learning_rate, 1e-6, 10.0, "SGD step size η");
  cli.option("noise", s.noise, 0.0, 2.0, "standard deviation of the noise added to the moons");
  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    const Data d = make_data(ctx, s);
    const Run overfit = overfitting(ctx, s, d);
    const Run stopped = early_stopping(ctx, s, d);
    compare(ctx, {&overfit, &stopped});
    plots(ctx, overfit, stopped);
    ctx.result = Json{{"overfit_val_accuracy", *overfit.validation.accuracy},
                      {"early_stopping_val_accuracy", *stopped.validation.accuracy}};
  });
}
