// Chapter 05 — The forward pass
//
// Teaches: a multilayer network computes layer by layer, z = W·a + b then a = g(z), and a batch of
// samples goes through at once as Z = A·Wᵀ + b. Every intermediate is printed with its shape. Then
// why g must not be linear: two stacked linear layers are one (W = W²·W¹, b = W²·b¹ + b²), shown with
// numbers. Then what one hidden layer can do: tanh units fitting sin(x) on [−π, π], the error falling
// as the layer widens from 1 to 16 units (the universal approximation theorem at work).
// New in lib/: compose() in dense.hpp (two linear layers → one), svg.hpp (plots),
// synthetic::linspace.
// Run: ch05_forward_pass [--samples N] [--epochs N] [--batch-size B] [--learning-rate η]
//      [--activation tanh|sigmoid] [--trace PATH] [--trace-level off|summary|step|full] [--quiet]
// Trace: traces/ch05_forward_pass.json — run "forward_pass": a "parameters" event (every W and b) and one
// "forward" event per stage (full);
// run "linear_collapse": one "linear_collapse" event (summary); run "sine, N units" per width:
// "epoch" events and one "approximation" event (summary). Plot: traces/ch05_forward_pass.sine.svg.
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/io/svg.hpp"
#include "glassbox/data/synthetic.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

constexpr double kPi = std::numbers::pi;

// ---- 1. one forward pass, every number shown -----------------------------------------------------

void forward_pass(course::Context& ctx) {
  ctx.heading("1. The forward pass, layer by layer");
  Network net;
  net.dense(3, 4, ctx.rng).activation("relu").dense(4, 2, ctx.rng).activation("sigmoid");
  const Matrix X{{0.5, -1.0, 2.0}, {1.5, 0.0, -0.5}};
  ctx.print("{}, a batch of N = 2 samples with 3 features each, one sample per row.\n"
            "Per sample (a column vector): z^k = W^k·a^(k−1) + b^k,  a^k = g(z^k).\n"
            "For the batch (rows):          Z^k = A^(k−1)·(W^k)ᵀ + b^k, the same b added to every row.\n\n",
            net.describe());
  const Matrix& Y = net.forward(X);
  ctx.print_matrix("a⁰ = X", X, 4);

  const auto stages = net.stages();
  for (std::size_t s = 0; s < stages.size(); ++s) {
    const std::size_t k = s + 1;
    const auto& dense = dynamic_cast<const Dense&>(net.layer(stages[s].first));
    const Matrix& Z = net.layer_output(stages[s].first);
    const Matrix& A = net.layer_output(stages[s].last);
    ctx.print("\nlayers[{}]: {}\n", stages[s].first, net.describe(stages[s]));
    ctx.print_matrix(fmt::format("W^{}", k), dense.W, 4);
    ctx.print_matrix(fmt::format("b^{}", k), dense.b, 4);
    ctx.print_matrix(fmt::format("Z^{} = A^{}·(W^{})ᵀ + b^{}", k, k - 1, k, k), Z, 4);
    ctx.print_matrix(fmt::format("A^{} = {}(Z^{})", k, net.layer(stages[s].last).describe(), k), A, 4);
    // One element written out: sample 0, unit 0.
    const Matrix& input = net.layer_input(stages[s].first);
    const auto number = [](double v) { return v < 0 ? fmt::format("({:.4g})", v) : fmt::format("{:.4g}", v); };
    std::string sum;
    for (std::size_t i = 0; i < input.cols(); ++i)
      sum += fmt::format("{}{}·{}", i ? " + " : "", number(dense.W(0, i)), number(input(0, i)));
    ctx.print("  z^{}[sample 0, unit 0] = Σ_i W^{}[0, i]·a^{}[0, i] + b^{}[0] = {} + {} = {:.4g}\n", k, k, k - 1, k, sum,
              number(dense.b(0, 0)), Z(0, 0));
  }
  ctx.print("\nThe network's output ŷ = A^{} is {}: one row of {} outputs per sample.\n", stages.size(),
            Y.shape(), Y.cols());

  ctx.tracer.set_run("forward_pass");
  record_parameters(ctx.tracer, net, {1, 1});
  record_forward(ctx.tracer, net, {1, 1});
  ctx.result["forward_pass"] = Json{{"network", net.describe()}, {"output", to_json(Y)}};
}

// ---- 2. without a non-linearity, depth buys nothing ----------------------------------------------

void linear_collapse(course::Context& ctx) {
  ctx.heading("2. Why the activation must not be linear");
  Rng& rng = ctx.rng;
  const Dense first(2, 3, rng), second(3, 2, rng);
  Network stacked;
  stacked.dense(first.W, first.b).dense(second.W, second.b);
  const Dense one = compose(first, second);
  Network single;
  single.dense(one.W, one.b);

  ctx.print("Two linear layers, {} with no activation between them:\n"
            "  ŷ = W²·(W¹·x + b¹) + b² = (W²·W¹)·x + (W²·b¹ + b²)   — one linear layer, W = W²·W¹, b = W²·b¹ + b²\n\n",
            stacked.describe());
  ctx.print_matrix("W¹", first.W, 4);
  ctx.print_matrix("b¹", first.b, 4);
  ctx.print_matrix("W²", second.W, 4);
  ctx.print_matrix("b²", second.b, 4);
  ctx.print_matrix("W = W²·W¹", one.W, 6);
  ctx.print_matrix("b = W²·b¹ + b²   (as rows: b¹·(W²)ᵀ + b²)", one.b, 6);

  const Matrix X = Matrix::uniform(4, 2, rng, -2, 2);
  const Matrix two_layers = stacked.forward(X);
  const Matrix one_layer = single.forward(X);
  const double difference = max_abs_diff(two_layers, one_layer);
  ctx.print_matrix("\nfour inputs X", X, 4);
  ctx.print_matrix("two layers:  ŷ", two_layers, 10);
  ctx.print_matrix("one layer:   ŷ", one_layer, 10);
  ctx.print("largest difference: {:.3g} (rounding only)\n", difference);

  // Superposition: an affine map g satisfies g(u + v) − g(u) − g(v) + g(0) = 0. With tanh between
  // the same two layers it does not.
  Network bent;
  bent.dense(first.W, first.b).activation("tanh").dense(second.W, second.b);
  const Matrix U = Matrix::uniform(4, 2, rng, -1, 1), V = Matrix::uniform(4, 2, rng, -1, 1);
  const auto superposition_error = [&](Network& g) {
    const Matrix sum = g.forward(U + V);
    const Matrix gu = g.forward(U);
    const Matrix gv = g.forward(V);
    const Matrix g0 = g.forward(Matrix(U.rows(), U.cols()));
    return max_abs_diff(sum - gu - gv + g0, Matrix(sum.rows(), sum.cols()));
  };
  const double linear_error = superposition_error(stacked);
  const double tanh_error = superposition_error(bent);
  ctx.print("\nmax |g(u + v) − g(u) − g(v) + g(0)| over four pairs (u, v):\n"
            "  {:<40} {:.3g}\n  {:<40} {:.3g}\n"
            "However many linear layers are stacked, the result is one linear layer: depth adds nothing\n"
            "until a non-linear g bends the map between them.\n",
            stacked.describe(), linear_error, bent.describe(), tanh_error);

  ctx.tracer.set_run("linear_collapse");
  if (ctx.tracer.wants(TraceLevel::summary)) {
    Json e;
    e["event"] = "linear_collapse";
    e["W1"] = to_json(first.W);
    e["b1"] = to_json(first.b);
    e["W2"] = to_json(second.W);
    e["b2"] = to_json(second.b);
    e["W"] = to_json(one.W);
    e["b"] = to_json(one.b);
    e["X"] = to_json(X);
    e["two_layers"] = to_json(two_layers);
    e["one_layer"] = to_json(one_layer);
    e["max_abs_difference"] = to_json(difference);
    e["superposition_error_linear"] = to_json(linear_error);
    e["superposition_error_tanh"] = to_json(tanh_error);
    ctx.tracer.record(TraceLevel::summary, e);
  }
  ctx.result["linear_collapse"] = Json{{"max_abs_difference", to_json(difference)},
                                       {"superposition_error_linear", to_json(linear_error)},
                                       {"superposition_error_tanh", to_json(tanh_error)}};
}

// ---- 3. one hidden layer approximates sin(x) ------------------------------------------------------

struct Fit {
  std::size_t units = 0;
  std::size_t parameters = 0;
  double mse = 0;
  double max_error = 0;
  std::vector<double> curve;  // ŷ on the plotting grid
};

void approximation(course::Context& ctx, std::size_t samples, std::size_t epochs, std::size_t batch_size,
                   double learning_rate, const std::string& activation) {
  ctx.heading("3. One hidden layer approximates sin(x)");
  const std::vector<double> xs = synthetic::linspace(-kPi, kPi, samples);
  const Matrix X(samples, 1, xs);
  const Matrix T = X.apply([](Scalar x) { return std::sin(x); });
  const std::vector<double> plot_x = synthetic::linspace(-kPi, kPi, 201);
  const Matrix P(plot_x.size(), 1, plot_x);

  ctx.print("Dense(1→h, {0}) → Dense(h→1): ŷ(x) = Σ_j v_j·{0}(w_j·x + c_j) + d, a sum of h shifted, scaled\n"
            "{0} curves. Trained on {1} points of sin(x) evenly spaced on [−π, π]: MSE loss (mean), SGD η = {2},\n"
            "mini-batches of {3}, {4} epochs, for h = 1, 2, 4, 8, 16.\n\n",
            activation, samples, learning_rate, batch_size, epochs);

  const MeanSquaredError loss;
  TrainOptions options;
  options.epochs = epochs;
  options.batch_size = batch_size;
  std::vector<Fit> fits;
  for (std::size_t h : {1, 2, 4, 8, 16}) {
    Network net;
    net.dense(1, h, ctx.rng).activation(activation).dense(h, 1, ctx.rng);
    SGD sgd(learning_rate);
    // Epoch summaries only: every update of five trainings in full would be hundreds of MB.
    ctx.tracer.set_run(fmt::format("sine, {} unit{}", h, h == 1 ? "" : "s"));
    ctx.tracer.restrict_to(TraceLevel::summary);
    const auto history = train(net, loss, sgd, X, T, ctx.rng, options, ctx.tracer);
    ctx.tracer.restrict_to(TraceLevel::full);

    Fit fit;
    fit.units = h;
    fit.parameters = net.parameter_count();
    fit.mse = history.back().loss;
    const Matrix Y = net.forward(X);
    fit.max_error = max_abs_diff(Y, T);
    const Matrix& curve = net.forward(P);
    fit.curve.assign(curve.begin(), curve.end());
    if (ctx.tracer.wants(TraceLevel::summary)) {
      Json e;
      e["event"] = "approximation";
      e["hidden_units"] = h;
      e["activation"] = activation;
      e["parameters"] = fit.parameters;
      e["mse"] = to_json(fit.mse);
      e["max_abs_error"] = to_json(fit.max_error);
      e["x"] = to_json(xs);
      e["prediction"] = to_json(std::vector<double>(Y.begin(), Y.end()));
      ctx.tracer.record(TraceLevel::summary, e);
    }
    fits.push_back(std::move(fit));
  }

  Table errors({"hidden units h", "parameters", "MSE", "max |ŷ − sin x|"});
  Json rows = Json::array();
  for (const Fit& f : fits) {
    errors.add_row({std::to_string(f.units), std::to_string(f.parameters), fmt::format("{:.3e}", f.mse),
                    fmt::format("{:.3e}", f.max_error)});
    rows.push_back(Json{{"hidden_units", f.units}, {"mse", to_json(f.mse)}, {"max_abs_error", to_json(f.max_error)}});
  }
  ctx.print(errors);

  // A few points of each curve, side by side.
  std::vector<std::string> headers{"x", "sin x"};
  for (const Fit& f : fits) headers.push_back(fmt::format("ŷ, h={}", f.units));
  Table curves(headers);
  for (std::size_t k = 0; k < plot_x.size(); k += 25) {
    std::vector<std::string> cells{fmt::format("{:.3f}", plot_x[k]), fmt::format("{:.3f}", std::sin(plot_x[k]))};
    for (const Fit& f : fits) cells.push_back(fmt::format("{:.3f}", f.curve[k]));
    curves.add_row(cells);
  }
  ctx.print("\n");
  ctx.print(curves);
  ctx.print("\nOne unit draws a single S-shaped step; two can make a rise and a fall; from four on, ŷ follows\n"
            "sin(x) closely (max |ŷ − sin x| above). With a fixed budget of SGD epochs a wider layer does not\n"
            "always end with the smaller error: the theorem says a close fit exists, not that gradient\n"
            "descent finds it first.\n");
  ctx.result["approximation"] = rows;

  // The plot goes next to the trace (nothing is written with --trace-level off or a trace to a device).
  if (course::plots_beside_trace(ctx)) {
    svg::Plot plot(fmt::format("One hidden layer of {} units fitting sin(x)", activation));
    plot.x_label("x").y_label("y").legend(svg::Corner::top_left);
    svg::LineStyle target;
    target.color = "#000000";
    target.width = 3;
    target.dashed = true;
    plot.line("sin(x)", plot_x, std::vector<double>(P.apply([](Scalar x) { return std::sin(x); }).values()), target);
    for (const Fit& f : fits) plot.line(fmt::format("h = {}", f.units), plot_x, f.curve);
    const auto path = course::companion_path(ctx.tracer.path(), "sine.svg");
    plot.save(path);
    ctx.print("\nplot: {}\n", path.string());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t samples = 64, epochs = 2000, batch_size = 8;
  double learning_rate = 0.1;
  std::string activation = "tanh";
  CommandLine cli({.name = "ch05_forward_pass",
                   .chapter = 5,
                   .title = "The forward pass",
                   .purpose = "A multilayer network's forward pass with every intermediate shown; why the activation\n"
                              "must be non-linear (two linear layers are one); one hidden layer fitting sin(x) better\n"
                              "as it widens.",
                   .default_trace_level = TraceLevel::full});
  cli.option("samples", samples, 2, 100000, "points of sin(x) on [−π, π] to fit");
  cli.option("epochs", epochs, 1, 1000000, "epochs of training for each width");
  cli.option("batch-size", batch_size, 1, 100000, "samples per update");
  cli.option("learning-rate", learning_rate, 1e-9, 100, "SGD's η");
  cli.option("activation", activation, {"tanh", "sigmoid"}, "the hidden layer's activation in the sin(x) fit");
  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    forward_pass(ctx);
    linear_collapse(ctx);
    approximation(ctx, static_cast<std::size_t>(samples), static_cast<std::size_t>(epochs),
                  static_cast<std::size_t>(batch_size), learning_rate, activation);
  });
}
