// Chapter 10 — optimizers
//
// Teaches: how a gradient becomes a step. Batch, mini-batch and stochastic gradient descent on one
// problem for the same number of gradient evaluations; every optimizer of the course — SGD with
// momentum and Nesterov's look-ahead, Adagrad, Adadelta, RMSprop, Adam and AMSGrad, AdamW, Adamax,
// NAdam — walking four test surfaces (a badly conditioned bowl, Rosenbrock's valley, a saddle,
// Beale's function) and training one network on iris at PyTorch's defaults and at tuned rates; one
// Adam step number by number; learning-rate schedules and the range test.
// New in lib/: the optimizers of optimizers.hpp with their state in "update" events; schedules.hpp
// and lr_finder.hpp; surfaces.hpp (test surfaces, a point stepped by any optimizer) and
// io/contour.hpp (contour plots with paths).
// Run: ch10_optimizers [--data data/iris.csv] [--epochs N] [--surface-steps N] [--trace PATH] [--trace-level …]
// Trace: traces/ch10_optimizers.json — "gd_variant" per kind of gradient descent, "surface_run" per
// optimizer and surface, "optimizer_run" per optimizer on iris, "adam_step" (and at level full the
// "update" events of those steps), "schedule_rates" per schedule, "lr_range_test".
// Plots: traces/ch10_optimizers.<name>.svg — gd (section 1), each surface (2), iris-defaults and
// iris-tuned (3), schedules and lr-range-test (5).
#include <algorithm>
#include <cmath>
#include <map>
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
double default_rate(const Choice& c) {
  for (const OptimizerSetting& s : optimizer_entry(c.name).settings)
    if (std::string_view(s.key) == "learning_rate" && s.fallback.is_number()) return s.fallback.get<double>();
  return 0.01;
}

// ---- 1. batch, mini-batch, stochastic -----------------------------------------------------------

void gradient_descent_kinds(course::Context& ctx, const Settings& s) {
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
    (void)iris;
    gradient_descent_kinds(ctx, s);
  });
}
