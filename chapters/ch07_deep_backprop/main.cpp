// Chapter 07 — Deep backprop and gradient checking
//
// Teaches: backpropagation through a network of any depth is one loop over the layers, last to
// first (Network::backward in lib/src/nn/network.cpp): each layer takes dL/d(its output), adds its
// parameters' gradients and hands dL/d(its input) to the layer before. Then how to trust it: a
// finite-difference check of every parameter — a correct network passing, a network with one
// broken layer failing and the check naming the tensor, how the step h trades truncation error
// (∝ h²) for round-off error (∝ ε/h), and a ReLU kink flagged instead of failed.
// New in lib/: glassbox/nn/faults.hpp (teaching faults: FaultyDense with a named wrong backward,
// SigmoidPrimeOfZ); in glassbox/train/gradcheck.hpp the round_off verdict, per-tensor summaries,
// detect_kinks, and h_sweep() / decades().
// Run: ch07_deep_backprop [--depth 6] [--width 8] [--activation tanh] [--samples 8] [--h 1e-5]
//      [--max-elements 100] [--trace PATH] [--trace-level off|summary|step|full] [--quiet]
// Trace: traces/ch07_deep_backprop.json — "forward"/"backward" per stage of the deep network's one
// pass (full), "gradient_norms", one "gradcheck" per check with every element checked, "h_sweep".
// Plot: traces/ch07_deep_backprop.h_sweep.svg — the error of the finite difference against h, log–log.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/nn/activations.hpp"
#include "glassbox/nn/faults.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/train.hpp"
#include "glassbox/io/svg.hpp"

using namespace glassbox;

namespace {

constexpr std::size_t kInputs = 4;
constexpr std::size_t kClasses = 3;

struct Settings {
  std::int64_t depth = 6;  // Dense layers
  std::int64_t width = 8;  // units per hidden layer
  std::string activation = "tanh";
  std::int64_t samples = 8;
  double h = 1e-5;
  std::int64_t max_elements = 100;
};

// The Dense layer that the broken network breaks: one in the middle, between two hidden layers.
std::size_t faulty_dense(const Settings& s) { return static_cast<std::size_t>(s.depth) / 2; }

// Dense(4→w, g) → Dense(w→w, g) → … → Dense(w→3): `depth` Dense layers, logits out. Weights from
// a generator seeded with `seed`, so every call builds the same weights. With a fault, Dense layer
// number faulty_dense() (counting from 0) is a FaultyDense with the same weights.
Network deep_network(const Settings& s, std::uint64_t seed, std::optional<DenseFault> fault = std::nullopt) {
  Rng rng(seed);
  Network net;
  const auto depth = static_cast<std::size_t>(s.depth);
  for (std::size_t k = 0; k < depth; ++k) {
    const std::size_t in = k == 0 ? kInputs : net.output_width();
    const std::size_t out = k + 1 == depth ? kClasses : static_cast<std::size_t>(s.width);
    Dense layer(in, out, rng);
    if (fault && k == faulty_dense(s))
      net.add(std::make_unique<FaultyDense>(std::move(layer), *fault));
    else
      net.add(std::make_unique<Dense>(std::move(layer)));
    if (k + 1 < depth) net.activation(s.activation);
  }
  return net;
}

GradCheckOptions check_options(const Settings& s) {
  GradCheckOptions options;
  options.h = s.h;
  options.max_elements = static_cast<std::size_t>(s.max_elements);
  return options;
}

std::string fmt_norm(double x) { return fmt::format("{:.4e}", x); }

// ---- 1. the backward loop -----------------------------------------------------------------------

void show_backward(course::Context& ctx, Network& net, const Loss& loss, const Matrix& X, const Matrix& T) {
  ctx.heading("Backprop: one loop over the layers, from the last to the first");
  net.zero_grad();
  const Matrix& P = net.forward(X);
  const double L = loss.value(P, T);
  const Matrix dP = loss.gradient(P, T);  // the seed of the chain rule: dL/dŷ
  net.backward(dP);                       // the loop: see Network::backward in lib/src/nn/network.cpp
  const StepId pass{1, 1};
  record_forward(ctx.tracer, net, pass);
  record_backward(ctx.tracer, net, pass);

  ctx.print("L = {} = {:.10f} on a batch of {} samples; dL/dŷ seeds the loop.\n", loss.describe(), L, X.rows());
  ctx.print("Computed in this order (δ = dL/dz, norms over the whole batch):\n\n");
  Table table({"layer", "stage", "‖δ = dL/dz‖", "‖dL/dW‖", "‖dL/db‖"});
  Json stages = Json::array();
  const auto all = net.stages();
  for (auto stage = all.rbegin(); stage != all.rend(); ++stage) {
    const double delta = norm(net.output_gradient(stage->first));
    Json norms = Json::object();
    std::vector<std::string> cells = {fmt::format("layers[{}]", stage->first), net.describe(*stage),
                                      fmt_norm(delta)};
    for (std::size_t i = stage->first; i <= stage->last; ++i)
      for (ParameterRef& p : net.layer(i).parameters()) {
        norms[fmt::format("layers[{}].{}", i, p.name)] = to_json(static_cast<double>(norm(p.grad)));
        if (p.name == "W" || p.name == "b") cells.push_back(fmt_norm(norm(p.grad)));
      }
    while (cells.size() < 5) cells.push_back("–");
    table.add_row(cells);
    stages.push_back(Json{{"layer", stage->first}, {"stage", net.describe(*stage)}, {"dL_dz_norm", to_json(delta)},
                          {"gradient_norms", norms}});
  }
  ctx.print(table);
  ctx.print("\nEach row is one trip round the loop: the layer adds dL/dW = δᵀ·(its input) and dL/db = Σ_rows δ\n"
            "to its gradients and hands dL/d(input) = δ·W back through the activation before it:\n"
            "dL/dz = dL/da ⊙ g′(z). How the norms change with depth is the subject of chapter 08.\n");
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "gradient_norms"},
                                              {"network", net.describe()},
                                              {"batch_size", X.rows()},
                                              {"loss", to_json(L)},
                                              {"stages", std::move(stages)}});
}

// ---- 2. checks ----------------------------------------------------------------------------------

// Checks, and records the "gradcheck" event; `note` is added to the subject ("on one sample").
GradCheckReport run_check(course::Context& ctx, Network& net, const Loss& loss, const Matrix& X, const Matrix& T,
                          const GradCheckOptions& options, const std::string& note = "") {
  GradCheckReport report = check_network(net, loss, X, T, options);
  if (!note.empty()) report.subject += ", " + note;
  ctx.tracer.record(TraceLevel::summary, report.to_json());
  return report;
}

std::string failing_tensors(const GradCheckReport& report) {
  std::string names;
  for (const GradCheckTensor& t : report.tensors)
    if (t.verdict == CheckVerdict::fail) names += (names.empty() ? "" : ", ") + t.name;
  return names.empty() ? "–" : names;
}

void show_correct(course::Context& ctx, const Settings& s, Network& net, const Loss& loss, const Matrix& X,
                  const Matrix& T) {
  ctx.heading(fmt::format("Gradient check of every parameter (h = {:g})", s.h));
  const GradCheckReport report = run_check(ctx, net, loss, X, T, check_options(s));
  ctx.print(report.tensor_table());
  ctx.print("\n{}\n", report.summary());
  ctx.result["deep_network"] = Json{{"network", net.describe()},
                                    {"verdict", std::string(to_string(report.verdict))},
                                    {"worst_rel_error", to_json(report.worst_rel_error)}};
}

void show_faults(course::Context& ctx, const Settings& s, std::uint64_t seed, const Loss& loss, const Matrix& X,
                 const Matrix& T) {
  ctx.heading("A broken layer: the same network with one wrong backward pass");
  const Network reference = deep_network(s, seed, DenseFault::db_first_row);
  const std::size_t position = 2 * faulty_dense(s);  // each Dense before it is followed by an activation
  ctx.print("layers[{}] becomes a FaultyDense with the same weights (lib/include/glassbox/nn/faults.hpp);\n"
            "its forward pass is right, its backward pass wrong in one named way.\n\n",
            position);
  Table table({"fault", "verdict", "failing tensors", "failed elements", "worst r"});
  Json verdicts = Json::object();
  std::optional<GradCheckReport> shown;
  for (DenseFault fault : dense_faults()) {
    const std::string name(to_string(fault));
    const Layer& target = reference.layer(position);
    if (fault == DenseFault::dW_transposed && target.input_width() != target.output_width()) {
      table.add_row({name, "(needs a square layer)", "", "", ""});
      continue;
    }
    Network broken = deep_network(s, seed, fault);
    const GradCheckReport report = run_check(ctx, broken, loss, X, T, check_options(s));
    table.add_row({name, std::string(to_string(report.verdict)), failing_tensors(report),
                   std::to_string(report.failed), fmt::format("{:.3g}", report.worst_rel_error)});
    verdicts[name] = std::string(to_string(report.verdict));
    if (fault == DenseFault::db_first_row) shown = report;
  }
  ctx.print(table);
  if (shown) {
    ctx.print("\ndb_first_row, tensor by tensor — the check points at the broken layer's bias only:\n\n");
    ctx.print(shown->tensor_table());
  }

  // The same fault on a batch of one sample: "row 0 only" is then the whole batch.
  Network broken = deep_network(s, seed, DenseFault::db_first_row);
  const Matrix X1 = slice_rows(X, 0, 1), T1 = slice_rows(T, 0, 1);
  const GradCheckReport one = run_check(ctx, broken, loss, X1, T1, check_options(s), "on one sample");
  ctx.print("\nThe db_first_row fault checked on a batch of ONE sample: {} — with one row, \"the first row\"\n"
            "is every row, and the check cannot see the fault. Check with a batch of several samples.\n",
            to_string(one.verdict));
  ctx.result["faults"] = verdicts;
  ctx.result["db_first_row_one_sample"] = std::string(to_string(one.verdict));
}

// ---- 3. how h matters ---------------------------------------------------------------------------

// traces/ch07_deep_backprop.h_sweep.svg: |numeric − analytic| against h for both elements, log–log,
// with the model's two terms for the first: truncation |f‴|·h²/6 (slope 2: a decade of h is two
// decades of error) and round-off ε·|f|/h (slope −1), and the best h of each sweep as a dot.
void plot_h_sweep(course::Context& ctx, const HSweep& sweep, const HSweep& deep) {
  if (!course::plots_beside_trace(ctx)) return;
  svg::Plot plot("The finite difference's error against h: truncation ∝ h², round-off ∝ 1/h");
  plot.x_label("h (log scale)").y_label("|numeric − analytic| (log scale)").size(720, 520).x_log().y_log();
  const auto column = [](const HSweep& s, double HSweepRow::*field) {
    std::vector<double> v;
    for (const HSweepRow& r : s.rows) v.push_back(r.*field);
    return v;
  };
  const std::vector<double> h = column(sweep, &HSweepRow::h);
  svg::LineStyle first{.color = svg::palette()[0]}, second{.color = svg::palette()[1]};
  svg::LineStyle truncation{.color = "#2ca02c", .width = 1.5, .dashed = true};
  svg::LineStyle round_off{.color = "#d62728", .width = 1.5, .dashed = true};
  plot.line(fmt::format("measured, {}", sweep.element), h, column(sweep, &HSweepRow::abs_error), first);
  plot.line(fmt::format("measured, {}", deep.element), column(deep, &HSweepRow::h), column(deep, &HSweepRow::abs_error),
            second);
  plot.line("model: truncation |f‴|·h²/6, slope 2", h, column(sweep, &HSweepRow::truncation),
            truncation);
  plot.line("model: round-off ε·|f|/h, slope −1", h, column(sweep, &HSweepRow::round_off),
            round_off);
  plot.points(fmt::format("best h = {:g}", sweep.rows[sweep.best].h), {sweep.rows[sweep.best].h},
              {sweep.rows[sweep.best].abs_error}, svg::PointStyle{.color = first.color, .radius = 5});
  plot.points(fmt::format("best h = {:g}", deep.rows[deep.best].h), {deep.rows[deep.best].h},
              {deep.rows[deep.best].abs_error}, svg::PointStyle{.color = second.color, .radius = 5});
  // The measured error rises above the model's sum at neither end; keep the axis to what was measured.
  double lo = INFINITY, hi = 0;
  for (const HSweep* s : {&sweep, &deep})
    for (const HSweepRow& r : s->rows)
      if (r.abs_error > 0) {
        lo = std::min(lo, r.abs_error);
        hi = std::max(hi, r.abs_error);
      }
  if (lo < hi) plot.y_range(lo / 10, hi * 10);
  const auto path = course::companion_path(ctx.tracer.path(), "h_sweep.svg");
  plot.save(path);
  ctx.print("\nplot: {} (the error against h, log–log)\n", path.string());
}

void show_h_sweep(course::Context& ctx, Network& net, const Loss& loss, const Matrix& X, const Matrix& T) {
  ctx.heading("How h matters: one derivative at every h from 1e-1 to 1e-12");
  const double eps = std::numeric_limits<double>::epsilon();
  // The bias of the first logit, right under the loss; and a weight of the first layer, deepest.
  const std::string last_bias = net.parameters().back().name;
  const HSweep sweep = h_sweep(net, loss, X, T, last_bias, 0, 0, decades(-1, -12));
  const HSweep deep = h_sweep(net, loss, X, T, "layers[0].W", 0, 0, decades(-1, -12));
  ctx.tracer.record(TraceLevel::summary, sweep.to_json());
  ctx.tracer.record(TraceLevel::summary, deep.to_json());

  ctx.print("dL/d {}: analytic (backward pass) a = {:.15f}\n", sweep.element, sweep.analytic);
  ctx.print("f = L = {:.6f}, f‴ ≈ {:.4g} (five-point third difference), ε = {:.3g}\n\n", sweep.f,
            sweep.third_derivative, eps);
  ctx.print(sweep.table());
  ctx.print("\nFrom 1e-1 down, the error falls 100× per decade: truncation, f‴·h²/6. Below the best h it grows\n"
            "about 10× per decade: round-off, ε·|f|/h — f(θ+h) and f(θ−h) share ever more leading digits,\n"
            "and their difference keeps ever fewer correct ones. Where the two terms cross, the error is\n"
            "smallest: the model puts it at (3ε·|f|/|f‴|)^(1/3) = {:.2g}, near ε^(1/3) = {:.2g}; measured: {:g}.\n",
            sweep.predicted_best_h(), std::cbrt(eps), sweep.rows[sweep.best].h);
  const HSweepRow& at_default = deep.rows[4];  // h = 1e-5
  ctx.print("\nDeep in the network, {} has f‴ ≈ {:.3g}: less curvature, less truncation, and the best h\n"
            "moves to {:g} (model {:.2g}). At h = {:g} its error is still {:.2g}, relative {:.2g}.\n",
            deep.element, deep.third_derivative, deep.rows[deep.best].h, deep.predicted_best_h(), at_default.h,
            at_default.abs_error, at_default.rel_error);
  ctx.result["h_sweep"] = Json{{sweep.element, Json{{"best_h", sweep.rows[sweep.best].h},
                                                    {"predicted_best_h", to_json(sweep.predicted_best_h())}}},
                               {deep.element, Json{{"best_h", deep.rows[deep.best].h},
                                                   {"predicted_best_h", to_json(deep.predicted_best_h())}}}};
  plot_h_sweep(ctx, sweep, deep);
}

// ---- 4. a kink ----------------------------------------------------------------------------------

void show_kink(course::Context& ctx, const Settings& s, std::uint64_t seed, const Loss& loss, const Matrix& X,
               const Matrix& T) {
  ctx.heading("A kink: a ReLU input within h of 0");
  Settings relu = s;
  relu.activation = "relu";
  relu.depth = 3;
  Network net = deep_network(relu, seed);
  // Move unit 0's bias so that sample 0 reaches its ReLU at z = 0.3·h: a perturbation of ±h of that
  // bias (or of a weight times an input of size > 0.3) lands on both sides of the kink.
  auto& first = dynamic_cast<Dense&>(net.layer(0));
  double z = 0;
  for (std::size_t i = 0; i < kInputs; ++i) z += X(0, i) * first.W(0, i);
  first.b(0, 0) = static_cast<Scalar>(0.3 * s.h - z);
  ctx.print("{}: layers[0].b(0, 0) set so that sample 0's z for unit 0 is 0.3·h = {:g}.\n\n", net.describe(),
            0.3 * s.h);

  GradCheckOptions options = check_options(s);
  const GradCheckReport flagged = run_check(ctx, net, loss, X, T, options);
  ctx.print("The elements whose perturbation crossed the kink:\n\n");
  GradCheckReport crossed = flagged;
  std::erase_if(crossed.elements, [](const GradCheckElement& e) { return !e.kink; });
  ctx.print(crossed.table());
  ctx.print("\n{}\n", flagged.summary());

  options.detect_kinks = false;
  const GradCheckReport blind = run_check(ctx, net, loss, X, T, options, "kinks not looked for");
  ctx.print("\nThe same check without looking for kinks: {} ({} elements fail).\n"
            "Across a kink the centered difference blends the slopes on its two sides, weighted by where\n"
            "the kink lies between θ − h and θ + h, and matches neither one-sided derivative: a failure\n"
            "there says nothing about the backward pass. So the checker compares which side of each kink\n"
            "the two perturbed forward passes fell on, and flags the element instead.\n",
            to_string(blind.verdict), blind.failed);
  ctx.result["kink"] = Json{{"verdict", std::string(to_string(flagged.verdict))},
                            {"kinks", flagged.kinks},
                            {"verdict_without_kink_detection", std::string(to_string(blind.verdict))}};
}

}  // namespace

int main(int argc, char** argv) {
  CommandLine cli({.name = "ch07_deep_backprop",
                   .chapter = 7,
                   .title = "Deep backprop and gradient checking",
                   .purpose = "Backprop through any depth is one loop over the layers, last to first. Trust it only after\n"
                              "a finite-difference check of every parameter: a correct network passes, a broken layer\n"
                              "is named, the step h trades truncation for round-off, and ReLU kinks are flagged.",
                   .default_trace_level = TraceLevel::full});
  cli.set_help("trace-level", "off, summary (the gradient norms, checks and h sweeps) or full (adds the one forward\n"
                              "and backward pass, every number); this chapter makes no updates, so step records what\n"
                              "summary does; default full");
  Settings s;
  cli.option("depth", s.depth, 3, 20, "Dense layers in the deep network");
  cli.option("width", s.width, 2, 64, "units in each hidden layer");
  cli.option("activation", s.activation, activation_names(), "the hidden layers' activation");
  cli.option("samples", s.samples, 2, 256, "samples in the batch");
  cli.option("h", s.h, 1e-12, 1e-1, "the finite-difference step of the checks");
  cli.option("max-elements", s.max_elements, 0, 1000000,
             "check a seeded sample of this many elements of each weight matrix (biases always in full; 0: all)");
  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    // The data: random inputs in [−1, 1] and one class label per sample, one-hot.
    const auto N = static_cast<std::size_t>(s.samples);
    const Matrix X = Matrix::uniform(N, kInputs, ctx.rng, -1, 1);
    std::vector<std::size_t> labels(N);
    for (std::size_t& label : labels) label = static_cast<std::size_t>(ctx.rng.below(kClasses));
    const Matrix T = one_hot(labels, kClasses);
    const SoftmaxCrossEntropy loss;
    // Every network of the chapter draws its weights from a generator with this seed: the broken
    // networks get exactly the correct one's weights.
    const std::uint64_t weights_seed = ctx.rng.next_u64();

    Network net = deep_network(s, weights_seed);
    ctx.heading(fmt::format("A deep network: {} Dense layers", s.depth));
    ctx.print("{}\nwith {} on {} samples of {} inputs, {} classes.\n\n", net.describe(), loss.describe(), N, kInputs,
              kClasses);
    ctx.print(net.summary());

    show_backward(ctx, net, loss, X, T);
    show_correct(ctx, s, net, loss, X, T);
    show_faults(ctx, s, weights_seed, loss, X, T);
    show_h_sweep(ctx, net, loss, X, T);
    show_kink(ctx, s, weights_seed, loss, X, T);
  });
}
