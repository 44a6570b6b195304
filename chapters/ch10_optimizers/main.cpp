// Chapter 10 — optimizers
//
// Teaches: how a gradient becomes a step. Batch, mini-batch and stochastic gradient descent on one
// problem for the same number of gradient evaluations; every optimizer of the course — SGD with
// momentum and Nesterov's look-ahead, Adagrad, Adadelta, RMSprop, Adam and AMSGrad, AdamW, Adamax,
// NAdam — walking four test surfaces (a badly conditioned bowl, Rosenbrock's valley, a saddle,
// Beale's function) and training one network on iris at PyTorch's defaults and at tuned rates;
// Adam's weight decay coupled (added to the gradient) and decoupled (AdamW); one Adam step number by
// number; learning-rate schedules and the range test, on a deeper ReLU network where it diverges.
// New in lib/: the optimizers of optimizers.hpp with their state in "update" events; schedules.hpp
// and lr_finder.hpp; surfaces.hpp (test surfaces, a point stepped by any optimizer) and
// io/contour.hpp (contour plots with paths).
// Run: ch10_optimizers [--data data/iris.csv] [--epochs N] [--surface-steps N] [--trace PATH] [--trace-level …]
// Trace: traces/ch10_optimizers.json — "gd_variant" per kind of gradient descent, "surface_run" per
// optimizer and surface, "optimizer_run" per optimizer on iris, "weight_decay_run" per decay,
// "adam_step" (and at level full the "update" events of those steps), "schedule_rates" per
// schedule, "lr_range_test".
// Plots: traces/ch10_optimizers.<name>.svg — gd (section 1), each surface (2), iris-defaults and
// iris-tuned (3, a panel per family), schedules and lr-range-test (5).
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <tuple>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/core/linalg.hpp"
#include "glassbox/data/dataset.hpp"
#include "glassbox/io/contour.hpp"
#include "glassbox/io/svg.hpp"
#include "glassbox/nn/initializers.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/lr_finder.hpp"
#include "glassbox/train/metrics.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/schedules.hpp"
#include "glassbox/train/surfaces.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

struct Settings {
  std::string data_path = "data/iris.csv";
  std::int64_t epochs = 100;         // iris, per optimizer
  std::int64_t gd_epochs = 20;       // section 1: passes over the data for each kind of descent
  std::int64_t surface_steps = 3000; // section 2: the most steps on a surface
  double tolerance = 0.01;           // section 2: reached when within this distance of the minimum
};

std::string number(double x) { return fmt::format("{:.4g}", x + 0.0); }

// One optimizer as the chapter uses it: a label, the library's name and its settings.
struct Choice {
  std::string label;  // "SGD + Nesterov"
  std::string name;   // "sgd"
  Json settings;      // {"momentum": 0.9, "nesterov": true}; learning_rate added where it is set
};

// The optimizers of the course with PyTorch's defaults for every setting but the rate.
std::vector<Choice> optimizers() {
  return {
      {"SGD", "sgd", Json::object()},
      {"SGD + momentum", "sgd", Json{{"momentum", 0.9}}},
      {"SGD + Nesterov", "sgd", Json{{"momentum", 0.9}, {"nesterov", true}}},
      {"Adagrad", "adagrad", Json::object()},
      {"Adadelta", "adadelta", Json::object()},
      {"RMSprop", "rmsprop", Json::object()},
      {"Adam", "adam", Json::object()},
      {"AMSGrad", "adam", Json{{"amsgrad", true}}},
      {"AdamW", "adamw", Json::object()},
      {"Adamax", "adamax", Json::object()},
      {"NAdam", "nadam", Json::object()},
  };
}

std::unique_ptr<Optimizer> build(const Choice& c, std::optional<double> learning_rate = std::nullopt) {
  Json settings = c.settings;
  if (learning_rate) settings["learning_rate"] = *learning_rate;
  return make_optimizer(c.name, settings);
}

// The default rate of an optimizer, from its table.
// The library's SGD requires a rate, as older PyTorch releases did; recent ones default it to 10⁻³.
double default_rate(const Choice& c) {
  for (const OptimizerSetting& s : optimizer_entry(c.name).settings)
    if (std::string_view(s.key) == "learning_rate" && s.fallback.is_number()) return s.fallback.get<double>();
  return 1e-3;
}

// ---- 1. batch, mini-batch, stochastic -----------------------------------------------------------

// Returns the problem (X, T) and the network every kind started from, for section 4.
std::tuple<Matrix, Matrix, Network> gradient_descent_kinds(course::Context& ctx, const Settings& s) {
  ctx.heading("1. Batch, mini-batch and stochastic gradient descent: the same budget of gradients");
  // y = 1.5·x₁ − 2·x₂ + 0.5 + N(0, 0.3²), x uniform in [−1, 1]²; a linear unit learns it with MSE
  const std::size_t N = 200;
  const Matrix X = Matrix::uniform(N, 2, ctx.rng, -1, 1);
  Matrix T(N, 1);
  for (std::size_t n = 0; n < N; ++n) T(n, 0) = 1.5 * X(n, 0) - 2 * X(n, 1) + 0.5 + ctx.rng.normal(0, 0.3);
  // the least loss any weights reach: the normal equations' solution (chapter 04)
  Matrix X1(N, 3);
  for (std::size_t n = 0; n < N; ++n) X1(n, 0) = X(n, 0), X1(n, 1) = X(n, 1), X1(n, 2) = 1;
  const Matrix w = solve_normal_equations(X1, T);
  const MeanSquaredError mse;
  const double best = mse.value(matmul(X1, w), T);

  Network start;
  start.dense(2, 1, ctx.rng, make_initializer("glorot_uniform"));
  const double eta = 0.1;
  const std::size_t budget = static_cast<std::size_t>(s.gd_epochs) * N;  // gradient evaluations (samples)
  ctx.print("{} samples of t = 1.5·x₁ − 2·x₂ + 0.5 + N(0, 0.3²); {} with {}, η = {}, from one start.\n"
            "Each kind gets {} passes over the data: {} per-sample gradients. The least loss possible\n"
            "(the normal equations' weights) is {}.\n\n",
            N, start.describe(), mse.describe(), eta, s.gd_epochs, budget, number(best));

  struct Kind {
    std::string name;
    std::size_t batch;
  };
  const std::vector<Kind> kinds{{"batch", N}, {"mini-batch", 10}, {"stochastic", 1}};
  svg::Plot plot("Batch, mini-batch and stochastic gradient descent: loss on all 200 samples");
  plot.x_label("gradient evaluations (samples used)").y_label("loss (MSE on the whole set)");
  Table table({"descent", "batch size", "updates", "loss after", "last pass: mean", "last pass: std", "above best"});
  for (const Kind& k : kinds) {
    Network net = start;
    SGD sgd(eta);
    std::vector<double> seen{0}, losses{mse.value(net.forward(X), T)}, per_epoch;
    std::vector<double> last_pass;
    std::size_t used = 0, updates = 0;
    for (std::int64_t epoch = 1; epoch <= s.gd_epochs; ++epoch) {
      const auto order = ctx.rng.permutation(N);
      for (std::size_t first = 0; first < N; first += k.batch) {
        const std::size_t count = std::min(k.batch, N - first);
        Matrix Xb(count, 2), Tb(count, 1);
        for (std::size_t i = 0; i < count; ++i) {
          Xb(i, 0) = X(order[first + i], 0);
          Xb(i, 1) = X(order[first + i], 1);
          Tb(i, 0) = T(order[first + i], 0);
        }
        ++updates;
        train_step(net, mse, sgd, Xb, Tb, StepId{static_cast<std::size_t>(epoch), updates});
        used += count;
        const double loss = mse.value(net.forward(X), T);
        seen.push_back(static_cast<double>(used));
        losses.push_back(loss);
        if (epoch == s.gd_epochs) last_pass.push_back(loss);
      }
      per_epoch.push_back(losses.back());
    }
    double mean = 0, var = 0;
    for (double l : last_pass) mean += l;
    mean /= static_cast<double>(last_pass.size());
    for (double l : last_pass) var += (l - mean) * (l - mean);
    const double stddev = std::sqrt(var / static_cast<double>(last_pass.size()));
    table.add_row({k.name, fmt::format("{}", k.batch), fmt::format("{}", updates), number(losses.back()),
                   number(mean), number(stddev), number(losses.back() - best)});
    plot.line(fmt::format("{} (B = {}, {} updates)", k.name, k.batch, updates), seen, losses);
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "gd_variant"},
                                                {"descent", k.name},
                                                {"batch_size", k.batch},
                                                {"updates", updates},
                                                {"gradient_evaluations", used},
                                                {"learning_rate", eta},
                                                {"loss_after_each_epoch", to_json(per_epoch)},
                                                {"final_loss", losses.back()},
                                                {"last_epoch_mean", mean},
                                                {"last_epoch_std", stddev},
                                                {"least_possible_loss", best}});
    ctx.result["gd"][k.name] = Json{{"final_loss", losses.back()}, {"last_epoch_std", stddev}};
  }
  ctx.print(table);
  ctx.print("\nFor the same {} gradients, batch descent takes {} careful steps and is still on its way down;\n"
            "stochastic descent takes {} noisy ones — it gets near the bottom within the first pass, then\n"
            "jitters around it: the spread of its loss over the last pass is its gradient noise. Mini-batches\n"
            "sit between: far more steps than batch descent, far less noise than single samples.\n",
            budget, s.gd_epochs, budget);
  if (course::plots_beside_trace(ctx)) {
    plot.y_range(0, 1.5).size(900, 480).legend(svg::Corner::top_right);
    const auto path = course::companion_path(ctx.tracer.path(), "gd.svg");
    plot.save(path);
    ctx.print("plot: {}\n", path.string());
  }
  return {X, T, start};
}


// ---- 2. every optimizer on four surfaces --------------------------------------------------------

// The rate each optimizer takes on each surface: the SGD family's must respect the steepest
// curvature (η < 2/λ_max for plain descent), the adaptive ones move about η per coordinate and
// step, whatever the gradient's size. Adadelta keeps PyTorch's default, 1.0.
double surface_rate(const Surface& surface, const Choice& c) {
  const std::string name = surface.name;
  const bool sgd = c.name == "sgd", momentum = sgd && c.settings.contains("momentum");
  if (c.name == "adadelta") return 1.0;
  if (name == "bowl") return momentum ? 0.02 : sgd ? 0.09 : c.name == "adagrad" ? 1.0 : 0.1;
  if (name == "rosenbrock") return momentum ? 0.0002 : sgd ? 0.001 : c.name == "adagrad" ? 0.5 : 0.02;
  if (name == "saddle") return sgd ? 0.05 : c.name == "adagrad" ? 0.5 : 0.05;
  /* beale */ return momentum ? 0.001 : sgd ? 0.01 : c.name == "adagrad" ? 0.5 : 0.02;
}

// Reached: within the tolerance of the minimum; on the saddle (no minimum): 2 or more away from it
// along y, the way down.
bool reached(const Surface& surface, const Settings& s, Point2 p) {
  if (surface.minimum) {
    const double dx = p.x - surface.minimum->x, dy = p.y - surface.minimum->y;
    return dx * dx + dy * dy < s.tolerance * s.tolerance;
  }
  return std::abs(p.y) >= 2;
}

std::vector<double> surface_levels(const Surface& surface) {
  const std::string name = surface.name;
  if (name == "saddle") return svg::linear_levels(-8, 8, 9);
  if (name == "bowl") return svg::log_levels(0.01, 50, 10);
  return svg::log_levels(0.01, 1000, 11);
}

void surfaces_section(course::Context& ctx, const Settings& s) {
  ctx.heading("2. Every optimizer on four test surfaces");
  const auto choices = optimizers();
  std::vector<std::string> headers{"optimizer"};
  for (const Surface& surface : surfaces()) headers.push_back(surface.name);
  Table table(headers);
  std::vector<std::vector<std::string>> rows(choices.size());
  for (std::size_t i = 0; i < choices.size(); ++i) rows[i].push_back(choices[i].label);
  Table rates(headers);
  std::vector<std::vector<std::string>> rate_rows = rows;

  for (const Surface& surface : surfaces()) {
    svg::ContourPlot plot(fmt::format("{}: {}", surface.name, surface.formula));
    plot.surface({surface.x_min, surface.x_max}, {surface.y_min, surface.y_max}, sample(surface, 121, 121),
                 surface_levels(surface));
    for (std::size_t i = 0; i < choices.size(); ++i) {
      const Choice& c = choices[i];
      if (c.name == "adamw") continue;  // on a surface with no weights to decay, AdamW is Adam
      const double eta = surface_rate(surface, c);
      auto optimizer = build(c, eta);
      const Descent d = descend(surface, *optimizer, surface.start, static_cast<std::size_t>(s.surface_steps),
                                [&](Point2 p) { return reached(surface, s, p); });
      const Point2 end = d.path.back();
      const bool got_there = !d.diverged && reached(surface, s, end);
      const std::size_t steps = d.path.size() - 1;
      rows[i].push_back(d.diverged ? fmt::format("diverged ({})", steps)
                        : got_there ? fmt::format("{}", steps)
                                    : fmt::format("did not (f = {})", number(d.values.back())));
      rate_rows[i].push_back(number(eta));
      std::vector<double> xs, ys;
      for (const Point2& p : d.path) xs.push_back(p.x), ys.push_back(p.y);
      plot.path(fmt::format("{} (η = {})", c.label, number(eta)), xs, ys);
      ctx.tracer.record(TraceLevel::summary,
                        Json{{"event", "surface_run"},
                             {"surface", surface.name},
                             {"formula", surface.formula},
                             {"optimizer", optimizer->describe()},
                             {"label", c.label},
                             {"start", Json::array({surface.start.x, surface.start.y})},
                             {"goal", surface.minimum ? fmt::format("within {} of the minimum", s.tolerance)
                                                      : std::string("|y| ≥ 2")},
                             {"steps", steps},
                             {"reached", got_there},
                             {"diverged", d.diverged},
                             {"end", Json::array({to_json(end.x), to_json(end.y)})},
                             {"final_value", to_json(d.values.back())}});
      ctx.result["surfaces"][surface.name][c.label] = got_there ? Json(steps) : Json(nullptr);
    }
    if (surface.minimum)
      plot.mark(fmt::format("minimum ({}, {})", surface.minimum->x, surface.minimum->y), surface.minimum->x,
                surface.minimum->y);
    else
      plot.mark("saddle point (0, 0)", 0, 0);
    if (course::plots_beside_trace(ctx)) plot.size(900, 560).save(course::companion_path(ctx.tracer.path(), fmt::format("{}.svg", surface.name)));
  }
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (choices[i].name != "adamw") {
      table.add_row(rows[i]);
      rates.add_row(rate_rows[i]);
    }
  ctx.print("Each optimizer starts from the surface's start and takes up to {} steps; the table gives the\n"
            "steps to come within {} of the minimum (on the saddle: to get 2 away from it, downhill along y).\n"
            "AdamW is left out: with no weights to decay it is Adam.\n\n",
            s.surface_steps, s.tolerance);
  ctx.print(table);
  ctx.print("\nThe learning rates used:\n\n");
  ctx.print(rates);
  if (course::plots_beside_trace(ctx))
    ctx.print("\nplots: {}\n", course::companion_path(ctx.tracer.path(), "<surface>.svg").string());
}

// ---- 3. one network, every optimizer ------------------------------------------------------------

struct Iris {
  Matrix X, T, X_test;
  std::vector<std::size_t> test_labels;
};

struct IrisRun {
  std::vector<double> losses;  // after each epoch, on the training set
  double loss = NAN;           // after the last epoch (NaN: diverged)
  double test_accuracy = NAN;
  std::string failure;
};

IrisRun train_iris(const Network& start, Optimizer& optimizer, const Iris& data, std::int64_t epochs, Rng rng,
                   Schedule* schedule = nullptr, std::vector<double>* rates = nullptr) {
  Network net = start;
  const SoftmaxCrossEntropy loss;
  IrisRun run;
  try {
    if (schedule) {
      optimizer.set_learning_rate(schedule->start(optimizer.learning_rate()));
      for (std::int64_t e = 1; e <= epochs; ++e) {
        if (rates) rates->push_back(optimizer.learning_rate());
        const auto stats = train(net, loss, optimizer, data.X, data.T, rng,
                                 TrainOptions{.epochs = 1, .batch_size = 16, .classification = true});
        run.losses.push_back(stats.back().loss);
        optimizer.set_learning_rate(schedule->step(optimizer.learning_rate(), stats.back().loss));
      }
    } else {
      const auto stats = train(net, loss, optimizer, data.X, data.T, rng,
                               TrainOptions{.epochs = static_cast<std::size_t>(epochs), .batch_size = 16,
                                            .classification = true});
      for (const EpochStats& e : stats) run.losses.push_back(e.loss);
    }
    run.loss = run.losses.back();
    const Matrix Z = predict(net, data.X_test);
    const auto predicted = argmax_cols(Z);
    std::size_t right = 0;
    for (std::size_t n = 0; n < predicted.size(); ++n) right += predicted[n] == data.test_labels[n];
    run.test_accuracy = static_cast<double>(right) / static_cast<double>(predicted.size());
  } catch (const NonFiniteError& e) {
    run.failure = e.what();
  } catch (const DivergenceError& e) {
    run.failure = e.what();
  }
  return run;
}

std::vector<double> log10_of(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v) out.push_back(x > 0 ? std::log10(x) : NAN);
  return out;
}

void iris_section(course::Context& ctx, const Settings& s, const Iris& data, const Network& start) {
  ctx.heading("3. One network, every optimizer: iris at PyTorch's defaults and at tuned rates");
  const std::vector<double> grid{0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3};
  const Rng order = ctx.rng;  // every run sees the samples in the same order
  ctx.print("{} with softmax cross-entropy, mini-batches of 16, {} epochs, from one start and in one\n"
            "order of samples. \"Tuned\": the rate of {{{}}} with the least training loss after the last epoch.\n\n",
            start.describe(), s.epochs, fmt::join(grid, ", "));
  Table table({"optimizer", "default η", "loss", "test acc.", "tuned η", "loss", "test acc."});
  // One panel per family, so that eleven curves do not tangle: the SGD family, the per-coordinate
  // accumulators (Adagrad, Adadelta, RMSprop), the Adam family.
  const std::vector<std::string> families{"SGD, with momentum and with Nesterov's look-ahead",
                                          "Adagrad, Adadelta, RMSprop", "Adam and its variants"};
  const auto family = [](const Choice& c) -> std::size_t {
    if (c.name == "sgd") return 0;
    if (c.name == "adagrad" || c.name == "adadelta" || c.name == "rmsprop") return 1;
    return 2;
  };
  std::vector<svg::Plot> defaults_plots, tuned_plots;
  for (const std::string& f : families) {
    defaults_plots.emplace_back(fmt::format("iris at PyTorch's default settings: {}", f));
    tuned_plots.emplace_back(fmt::format("iris at tuned learning rates: {}", f));
  }
  std::vector<std::size_t> in_family(families.size(), 0);
  // the least and the most log₁₀ loss of each picture, for one y axis in all its panels
  std::array<std::pair<double, double>, 2> spans{{{INFINITY, -INFINITY}, {INFINITY, -INFINITY}}};
  const auto widen = [](std::pair<double, double>& span, const std::vector<double>& v) {
    for (double y : v)
      if (std::isfinite(y)) span = {std::min(span.first, y), std::max(span.second, y)};
  };
  for (const Choice& c : optimizers()) {
    const double eta0 = default_rate(c);
    auto defaults = build(c, eta0);
    const IrisRun base = train_iris(start, *defaults, data, s.epochs, order);
    double best_eta = grid.front();
    IrisRun best;
    for (double eta : grid) {
      auto optimizer = build(c, eta);
      IrisRun run = train_iris(start, *optimizer, data, s.epochs, order);
      if (run.failure.empty() && (best.losses.empty() || run.loss < best.loss)) {
        best = std::move(run);
        best_eta = eta;
      }
    }
    std::vector<double> epochs;
    for (std::size_t e = 1; e <= base.losses.size(); ++e) epochs.push_back(static_cast<double>(e));
    const std::size_t f = family(c);
    svg::LineStyle style;
    style.color = svg::palette()[in_family[f]++ % svg::palette().size()];
    defaults_plots[f].line(fmt::format("{} (η = {})", c.label, number(eta0)), epochs, log10_of(base.losses), style);
    widen(spans[0], log10_of(base.losses));
    widen(spans[1], log10_of(best.losses));
    std::vector<double> tuned_epochs;
    for (std::size_t e = 1; e <= best.losses.size(); ++e) tuned_epochs.push_back(static_cast<double>(e));
    tuned_plots[f].line(fmt::format("{} (η = {})", c.label, number(best_eta)), tuned_epochs, log10_of(best.losses), style);
    const auto shown = [](const IrisRun& r, double x) { return r.failure.empty() ? number(x) : std::string("diverged"); };
    table.add_row({c.label, number(eta0), shown(base, base.loss), shown(base, base.test_accuracy), number(best_eta),
                   shown(best, best.loss), shown(best, best.test_accuracy)});
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "optimizer_run"},
                                                {"label", c.label},
                                                {"optimizer", defaults->describe()},
                                                {"default_learning_rate", eta0},
                                                {"default_loss", to_json(base.loss)},
                                                {"default_test_accuracy", to_json(base.test_accuracy)},
                                                {"tuned_learning_rate", best_eta},
                                                {"tuned_loss", to_json(best.loss)},
                                                {"tuned_test_accuracy", to_json(best.test_accuracy)},
                                                {"default_losses", to_json(base.losses)},
                                                {"tuned_losses", to_json(best.losses)}});
    ctx.result["iris"][c.label] = Json{{"default_loss", to_json(base.loss)}, {"tuned_learning_rate", best_eta},
                                       {"tuned_loss", to_json(best.loss)}};
  }
  ctx.print(table);
  ctx.print("\nLosses after the last epoch on the {} training flowers; accuracy on the {} test flowers.\n",
            data.X.rows(), data.X_test.rows());
  if (course::plots_beside_trace(ctx)) {
    // the same axes in every panel of a picture, so that the families compare at a glance
    for (std::vector<svg::Plot>* plots : {&defaults_plots, &tuned_plots}) {
      const bool tuned = plots == &tuned_plots;
      const auto [low, high] = spans[tuned ? 1 : 0];
      for (svg::Plot& p : *plots) {
        p.x_label("epoch").y_label("log₁₀ training loss").size(900, 330).x_range(0, static_cast<double>(s.epochs));
        if (low < high) p.y_range(std::floor((low - 0.1) * 2) / 2, std::ceil((high + 0.1) * 2) / 2);  // half units, a margin
        p.legend(svg::Corner::bottom_left);
      }
      svg::save_svg(course::companion_path(ctx.tracer.path(), tuned ? "iris-tuned.svg" : "iris-defaults.svg"),
               svg::render_column(*plots));
    }
    ctx.print("plots: {} and iris-tuned.svg\n", course::companion_path(ctx.tracer.path(), "iris-defaults.svg").string());
  }
}

// ---- 3b. weight decay, coupled and decoupled ----------------------------------------------------

// Adam's weight_decay adds λθ to the gradient, so the decay goes through m and v and is divided by
// √v̂ like the rest of the step; AdamW shrinks every weight by η·λ·θ before the Adam step, whatever
// its gradient. The same network, data, order, η and λ for both, and Adam without decay beside them.
void weight_decay_section(course::Context& ctx, const Settings& s, const Iris& data, const Network& start) {
  ctx.heading("3b. Weight decay in Adam: coupled (added to the gradient) and decoupled (AdamW)");
  const double eta = 0.01, lambda = 0.1;
  const Rng order = ctx.rng;
  AdamSettings none, coupled;
  none.learning_rate = coupled.learning_rate = eta;
  coupled.weight_decay = lambda;
  AdamWSettings decoupled;
  decoupled.learning_rate = eta;
  decoupled.weight_decay = lambda;
  struct Run {
    std::string label;
    std::unique_ptr<Optimizer> optimizer;
  };
  std::vector<Run> runs;
  runs.push_back({"Adam, no decay", std::make_unique<Adam>(none)});
  runs.push_back({fmt::format("Adam, weight_decay {} (coupled)", lambda), std::make_unique<Adam>(coupled)});
  runs.push_back({fmt::format("AdamW, weight_decay {} (decoupled)", lambda), std::make_unique<AdamW>(decoupled)});
  ctx.print("{} on iris as above, η = {}, {} epochs, from one start and in one order of samples:\n"
            "  Adam:  g ← dθ + λ·θ, then Adam's step −η·m̂/(√v̂ + ε): the decay is averaged into m and v\n"
            "  AdamW: θ ← θ − η·λ·θ, then Adam's step on g = dθ alone\n\n",
            start.describe(), eta, s.epochs);
  std::vector<std::string> headers{"optimizer", "loss", "test acc."};
  for (const ParameterRef& p : Network(start).parameters()) headers.push_back("‖" + p.name + "‖");
  headers.push_back("‖θ‖");
  Table table(headers);
  const SoftmaxCrossEntropy loss;
  for (Run& run : runs) {
    Network net = start;
    Rng rng = order;
    const auto stats = train(net, loss, *run.optimizer, data.X, data.T, rng,
                             TrainOptions{.epochs = static_cast<std::size_t>(s.epochs), .batch_size = 16,
                                          .classification = true});
    const auto predicted = argmax_cols(predict(net, data.X_test));
    std::size_t right = 0;
    for (std::size_t n = 0; n < predicted.size(); ++n) right += predicted[n] == data.test_labels[n];
    const double accuracy = static_cast<double>(right) / static_cast<double>(predicted.size());
    std::vector<std::string> row{run.label, number(stats.back().loss), number(accuracy)};
    Json norms = Json::object();
    double total = 0;
    for (const ParameterRef& p : net.parameters()) {
      const double n = norm(p.value);  // ‖θ‖ = √Σθ², matrix.hpp
      total += squared_norm(p.value);
      row.push_back(number(n));
      norms[p.name] = n;
    }
    row.push_back(number(std::sqrt(total)));
    table.add_row(row);
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "weight_decay_run"},
                                                {"label", run.label},
                                                {"optimizer", run.optimizer->describe()},
                                                {"final_loss", to_json(stats.back().loss)},
                                                {"test_accuracy", accuracy},
                                                {"parameter_norms", norms},
                                                {"norm", std::sqrt(total)}});
    ctx.result["weight_decay"][run.label] = Json{{"final_loss", to_json(stats.back().loss)}, {"norm", std::sqrt(total)}};
  }
  ctx.print(table);
  ctx.print("\nThe loss is the data's cross-entropy alone. Coupled, λ·θ is part of g and goes through m and\n"
            "v: where the data's gradient is small, g ≈ λ·θ and the step −η·m̂/(√v̂ + ε) is about η·sign(θ)\n"
            "towards 0 — the decay is divided by √v̂ ≈ λ·|θ| and acts at full step size; where the data's\n"
            "gradient is large, λ·θ is a small part of a step divided by that gradient's RMS. Decoupled,\n"
            "every weight shrinks by the same fraction η·λ = {} a step, outside the division, which Adam's\n"
            "steps of about η undo wherever the data pull. The same λ is a different regulariser in each.\n",
            number(eta * lambda));
}

// ---- 4. one Adam step, number by number ---------------------------------------------------------

// Section 1's regression problem again (X, T), full batch, with Adam (η = 0.1): its first steps,
// every number of the rule, read from the optimizer's state — the numbers its "update" events hold.
void adam_by_hand(course::Context& ctx, const Matrix& X, const Matrix& T, Network net) {
  ctx.heading("4. One Adam step, number by number");
  const MeanSquaredError mse;
  AdamSettings settings;
  settings.learning_rate = 0.1;
  Adam adam(settings);
  ctx.print("{} on section 1's problem, all 200 samples per step, with {}:\n"
            "  m ← β₁·m + (1 − β₁)·g     v ← β₂·v + (1 − β₂)·g²     (m, v start at 0)\n"
            "  m̂ = m / (1 − β₁ᵗ)         v̂ = v / (1 − β₂ᵗ)\n"
            "  Δθ = −η·m̂ / (√v̂ + ε)\n",
            net.describe(), adam.describe());
  for (std::size_t t = 1; t <= 3; ++t) {
    const StepId id{t, t};
    train_step(net, mse, adam, X, T, id, ctx.tracer);  // records "update" events at level full
    const auto parameters = net.parameters();
    Table table({"t = " + std::to_string(t), "g", "m", "v", "m̂", "v̂", "√v̂ + ε", "Δθ"});
    Json per_parameter = Json::object();
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      const ParameterRef& p = parameters[i];
      const OptimizerState state = adam.state(i);
      const Matrix& update = adam.last_update(i);
      for (std::size_t r = 0; r < p.value.rows(); ++r)
        for (std::size_t c = 0; c < p.value.cols(); ++c)
          table.add_row({fmt::format("{}({}, {})", p.name, r, c), fmt::format("{:.6g}", p.grad(r, c)),
                         fmt::format("{:.6g}", state.matrix("m")(r, c)), fmt::format("{:.6g}", state.matrix("v")(r, c)),
                         fmt::format("{:.6g}", state.matrix("m_hat")(r, c)),
                         fmt::format("{:.6g}", state.matrix("v_hat")(r, c)),
                         fmt::format("{:.6g}", state.matrix("denominator")(r, c)), fmt::format("{:.6g}", update(r, c))});
      per_parameter[p.name] = Json{{"g", to_json(p.grad)},
                                   {"m", to_json(state.matrix("m"))},
                                   {"v", to_json(state.matrix("v"))},
                                   {"m_hat", to_json(state.matrix("m_hat"))},
                                   {"v_hat", to_json(state.matrix("v_hat"))},
                                   {"denominator", to_json(state.matrix("denominator"))},
                                   {"update", to_json(update)}};
    }
    ctx.print("\n");
    ctx.print(table);
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "adam_step"},
                                                {"step", t},
                                                {"optimizer", adam.describe()},
                                                {"parameters", per_parameter}});
  }
  ctx.print("\nAt t = 1, m̂ = g and v̂ = g² exactly — the bias correction undoes the pull towards the zeros m\n"
            "and v start from — so Δθ = −η·g/(|g| + ε) ≈ −η·sign(g): every weight moves by η, whatever the\n"
            "size of its gradient. The trace holds the same numbers: \"adam_step\" (level summary) and the\n"
            "\"update\" events of these steps (level full, with the optimizer's state by name).\n");
}

// ---- 5. schedules and the range test ------------------------------------------------------------

void schedules_section(course::Context& ctx, const Settings& s, const Iris& data, const Network& start) {
  ctx.heading("5. Learning-rate schedules, and the range test");
  const double eta0 = 0.1;
  const std::size_t n = static_cast<std::size_t>(s.epochs);
  svg::Plot plot("learning-rate schedules from η₀ = 0.1");
  plot.x_label("epoch (OneCycleLR: batch) t").y_label("learning rate η_t").size(900, 480);
  // (label, library name, settings)
  const std::vector<std::tuple<std::string, std::string, Json>> named{
      {"StepLR, step_size 30, γ 0.1", "step", Json{{"step_size", 30}, {"gamma", 0.1}}},
      {"ExponentialLR, γ 0.95", "exponential", Json{{"gamma", 0.95}}},
      {fmt::format("CosineAnnealingLR, T_max {}", n), "cosine", Json{{"T_max", n}}},
      {fmt::format("OneCycleLR, max_lr {}, {} batches", eta0, n), "one_cycle", Json{{"max_lr", eta0}, {"total_steps", n}}},
  };
  std::vector<double> ts;
  for (std::size_t t = 0; t < n; ++t) ts.push_back(static_cast<double>(t));
  Table table({"schedule", "stepped per", "η at t = 0", "t = 10", "t = 30", "t = 50", "t = 99"});
  const auto at = [](const std::vector<double>& r, std::size_t t) { return t < r.size() ? number(r[t]) : std::string("—"); };
  const auto record = [&](const std::string& label, const Schedule& schedule, const std::vector<double>& rates) {
    table.add_row({label, std::string(to_string(schedule.unit())), at(rates, 0), at(rates, 10), at(rates, 30),
                   at(rates, 50), at(rates, 99)});
    plot.line(label, ts, rates);
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "schedule_rates"},
                                                {"schedule", schedule.describe()},
                                                {"unit", to_string(schedule.unit())},
                                                {"base_rate", eta0},
                                                {"rates", to_json(rates)}});
  };
  for (const auto& [label, name, settings] : named) {
    const auto schedule = make_schedule(name, settings);
    record(label, *schedule, schedule_rates(*schedule, eta0, n));
  }
  // ReduceLROnPlateau needs the loss: it runs with SGD on iris, and asks for an improvement of 0.01 at least
  {
    auto schedule = make_schedule("plateau", Json{{"patience", 5}, {"factor", 0.5}, {"threshold", 0.01}, {"threshold_mode", "abs"}});
    SGD sgd(eta0);
    std::vector<double> rates;
    train_iris(start, sgd, data, s.epochs, ctx.rng, schedule.get(), &rates);
    record("ReduceLROnPlateau, factor 0.5, patience 5, threshold 0.01 abs (SGD on iris)", *schedule, rates);
  }
  plot.y_range(0, 0.16);
  ctx.print(table);
  if (course::plots_beside_trace(ctx)) {
    plot.save(course::companion_path(ctx.tracer.path(), "schedules.svg"));
    ctx.print("plot: {}\n", course::companion_path(ctx.tracer.path(), "schedules.svg").string());
  }

  // The range test. On section 3's small tanh network SGD never makes the loss blow up within 100
  // batches: tanh saturates and the smoothed loss trails the raw one by about 1/(1 − β) = 50 batches.
  // A deeper ReLU network with momentum shows the whole curve — the loss falling, its valley, and the
  // blow-up that stops the test at 4× the best smoothed loss.
  Network deeper;
  deeper.dense(4, 16, ctx.rng, make_initializer("glorot_uniform")).activation("relu");
  deeper.dense(16, 16, ctx.rng, make_initializer("glorot_uniform")).activation("relu");
  deeper.dense(16, 3, ctx.rng, make_initializer("glorot_uniform"));
  SGDSettings momentum;
  momentum.momentum = 0.9;
  SGD sgd(eta0, momentum);
  const SoftmaxCrossEntropy loss;
  Network net = deeper;
  const LrFindResult found = find_learning_rate(net, loss, sgd, data.X, data.T, ctx.rng,
                                                TrainOptions{.batch_size = 16, .classification = true});
  Json event{{"event", "lr_range_test"}, {"network", deeper.describe()}, {"optimizer", sgd.describe()}};
  const Json found_json = found.to_json();
  for (const auto& [key, value] : found_json.items()) event[key] = value;
  ctx.tracer.record(TraceLevel::summary, event);
  double best = found.smoothed.front();
  std::size_t best_at = 0;
  for (std::size_t i = 0; i < found.smoothed.size(); ++i)
    if (found.smoothed[i] < best) best = found.smoothed[i], best_at = i;
  ctx.print("\nThe range test (SGD with momentum 0.9 on {}, batches of 16, η from {} to {}):\n"
            "  the smoothed loss starts at {}, is least ({}) at iteration {} (η = {}), and the test stops after\n"
            "  {} iterations, by {}: the last smoothed loss {} at η = {} (4× the best is {}).\n",
            deeper.describe(), number(found.options.start_lr), number(found.options.end_lr), number(found.smoothed.front()),
            number(best), best_at, number(found.learning_rates[best_at]), found.losses.size(), found.stopped,
            number(found.smoothed.back()), number(found.learning_rates.back()), number(4 * best));
  for (const LrSuggestion& g : found.suggestions)
    ctx.print("  {:<8} η = {}  (marked at η = {}, smoothed loss {})\n", g.name, number(g.learning_rate),
              number(g.marked_rate), number(g.marked_loss));
  if (const LrSuggestion* valley = found.suggestion("valley")) {
    SGD suggested(valley->learning_rate, momentum), slow(1e-3, momentum);
    const IrisRun run = train_iris(deeper, suggested, data, s.epochs, ctx.rng);
    const IrisRun slow_run = train_iris(deeper, slow, data, s.epochs, ctx.rng);
    ctx.print("SGD with momentum at the valley's η = {} for {} epochs: training loss {}, test accuracy {}\n"
              "(at η = 0.001: training loss {}, test accuracy {}).\n",
              number(valley->learning_rate), s.epochs, number(run.loss), number(run.test_accuracy),
              number(slow_run.loss), number(slow_run.test_accuracy));
    ctx.result["range_test"] = Json{{"valley", valley->learning_rate}, {"loss", to_json(run.loss)},
                                    {"stopped", found.stopped}, {"iterations", found.losses.size()}};
  }
  if (course::plots_beside_trace(ctx)) {
    found.plot("learning-rate range test: SGD with momentum on iris, two ReLU layers")
        .save(course::companion_path(ctx.tracer.path(), "lr-range-test.svg"));
    ctx.print("plot: {}\n", course::companion_path(ctx.tracer.path(), "lr-range-test.svg").string());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CommandLine cli({.name = "ch10_optimizers",
                   .chapter = 10,
                   .title = "Optimizers",
                   .purpose = "How a gradient becomes a step: batch, mini-batch and stochastic descent; every optimizer\n"
                              "on four test surfaces and on iris; one Adam step by number; schedules and the range test.",
                   .default_trace_level = TraceLevel::summary});
  cli.option("data", s.data_path, {}, "the iris CSV file", "PATH");
  cli.option("epochs", s.epochs, 1, 100000, "epochs of each optimizer on iris");
  cli.option("gd-epochs", s.gd_epochs, 1, 10000, "passes over the data for each kind of gradient descent");
  cli.option("surface-steps", s.surface_steps, 1, 1000000, "the most steps of an optimizer on a surface");
  cli.option("tolerance", s.tolerance, 1e-9, 1.0, "distance to a surface's minimum that counts as reached");
  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    const Dataset iris = load_iris(s.data_path);  // first: a bad file stops the run before any work
    const auto [X, T, linear] = gradient_descent_kinds(ctx, s);
    surfaces_section(ctx, s);

    // iris, split and standardised as in chapter 03, and one network to start every run from
    const double test_fraction = 0.3;
    const Split split = stratified_split(iris, test_fraction, ctx.rng);
    Dataset train_set = subset(iris, split.train), test_set = subset(iris, split.test);
    Standardizer standardizer;
    standardizer.fit(train_set.X);
    const Iris data{standardizer.transform(train_set.X), one_hot(train_set.labels, 3),
                    standardizer.transform(test_set.X), test_set.labels};
    ctx.tracer.record(TraceLevel::summary, dataset_event(iris, s.data_path, iris.feature_names));
    ctx.tracer.record(TraceLevel::summary, data_split_event(train_set, test_set, test_fraction, standardizer));
    Network start;
    start.dense(4, 16, ctx.rng, make_initializer("glorot_uniform")).activation("tanh");
    start.dense(16, 3, ctx.rng, make_initializer("glorot_uniform"));
    iris_section(ctx, s, data, start);
    weight_decay_section(ctx, s, data, start);
    adam_by_hand(ctx, X, T, linear);
    schedules_section(ctx, s, data, start);
  });
}
