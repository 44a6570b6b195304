// Chapter 06 — Backpropagation on a shallow network
//
// Teaches: the chain rule run backwards through one hidden layer. First the classic worked example
// (2-2-2 sigmoid network, one sample, E = Σ ½(t − o)², η = 0.5), every intermediate — net, out,
// ∂E/∂out, ∂out/∂net, δ, ∂E/∂w, the new weights — computed by the library's network and shown in
// the example's names (w1 … w8, h1, o1) next to the library's (layers[0].W(0, 0)). Then XOR learned
// by a 2-2-1 sigmoid network, and two noisy concentric circles separated by 2 → 20 ReLU → 1 sigmoid
// with binary cross-entropy and mini-batch SGD, its decision boundary drawn in the terminal and as
// an SVG picture.
// New in lib/: examples.hpp (the worked example's network and names), synthetic.hpp (make_circles,
// make_moons), decision_map.hpp (a classifier's output on a grid, as text), svg.hpp (the picture);
// Tracer::set_run and Tracer::restrict_to (labelled, partly detailed traces).
// Run: ch06_backprop_shallow [--xor-epochs N] [--xor-learning-rate η] [--circles-epochs N]
//      [--circles-learning-rate η] [--batch-size B] [--full-epochs K] [--trace PATH] [--trace-level …]
// Trace: traces/ch06_backprop_shallow.json — runs "worked_example" (forward, backward, step,
// update; worked_example), "xor" and "circles" (forward, backward, step, update for the first K
// epochs, epoch for every epoch; xor_solution; synthetic_data, decision_boundary).
// Plots: traces/ch06_backprop_shallow.xor_hidden.svg (XOR in the hidden units' plane, before and after)
// and traces/ch06_backprop_shallow.circles.svg (the decision map, its colour bar and the samples).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/nn/activations.hpp"
#include "glassbox/io/decision_map.hpp"
#include "glassbox/data/examples.hpp"
#include "glassbox/io/svg.hpp"
#include "glassbox/data/synthetic.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

std::string num(double v) { return fmt::format("{:.9f}", v); }

// Position of a parameter in net.parameters(): the optimizer's index for its last update.
std::size_t parameter_index(Network& net, const std::string& name) {
  const auto parameters = net.parameters();
  for (std::size_t i = 0; i < parameters.size(); ++i)
    if (parameters[i].name == name) return i;
  throw InputError(fmt::format("no parameter {}", name));
}

// The first `full_epochs` epochs are traced at the tracer's own level; after them only epoch
// summaries (forward/backward/update for every update of a long run would be far too much).
EpochCallback limit_detail(Tracer& tracer, std::size_t full_epochs, const EpochCallback& then) {
  if (full_epochs == 0) tracer.restrict_to(TraceLevel::summary);
  return [&tracer, full_epochs, then](const EpochStats& stats) {
    if (stats.epoch == full_epochs) tracer.restrict_to(TraceLevel::summary);
    if (then) then(stats);
  };
}

// ---- 1. the classic worked example -------------------------------------------------------------

void worked_example_step(course::Context& ctx) {
  ctx.heading("1. The classic worked example: one step of backpropagation");
  WorkedExample ex = worked_example();
  WorkedExample before = worked_example();
  Network& net = ex.network;
  SGD sgd(ex.learning_rate);
  const HalfSumSquares loss;
  ctx.print("{}, biases frozen (b1 = 0.35 into h1 and h2, b2 = 0.60 into o1 and o2)\n"
            "inputs i1, i2 = {}, {}; targets t1, t2 = {}, {}; E = Σ ½(t − o)², SGD η = {}\n"
            "Every number below is read from the library's network after one train_step(); the names\n"
            "are the worked example's, with the library's place for each beside it.\n",
            net.describe(), ex.input(0, 0), ex.input(0, 1), ex.target(0, 0), ex.target(0, 1), ex.learning_rate);

  ctx.tracer.set_run("worked_example");
  const double E = train_step(net, loss, sgd, ex.input, ex.target, {1, 1}, ctx.tracer);

  // Forward: net and out per unit, then the errors.
  const Sigmoid sigma;
  Table forward({"unit", "net (z)", "out = σ(net)", "library: net", "library: out"});
  Json units = Json::object();
  for (const WorkedExampleUnit& u : worked_example_units()) {
    const double z = net.layer_output(u.dense)(0, u.column), a = net.layer_output(u.activation)(0, u.column);
    forward.add_row({u.label, num(z), num(a), fmt::format("layers[{}] z(0, {})", u.dense, u.column),
                     fmt::format("layers[{}] a(0, {})", u.activation, u.column)});
    const double dE_dout = net.output_gradient(u.activation)(0, u.column);
    const double delta = net.output_gradient(u.dense)(0, u.column);
    units[u.label] = Json{{"net", to_json(z)},
                          {"out", to_json(a)},
                          {"dE_dout", to_json(dE_dout)},
                          {"dout_dnet", to_json(sigma.gradient(z, a))},
                          {"delta", to_json(delta)},
                          {"net_in", fmt::format("layers[{}]", u.dense)},
                          {"out_in", fmt::format("layers[{}]", u.activation)},
                          {"column", u.column}};
  }
  ctx.print("\nForward pass\n");
  ctx.print(forward);
  const Matrix& out = net.layer_output(3);
  const double E1 = loss.value(out.col(0), ex.target.col(0)), E2 = loss.value(out.col(1), ex.target.col(1));
  ctx.print("E_o1 = ½(t1 − out_o1)² = {}\nE_o2 = ½(t2 − out_o2)² = {}\nE_total = {}   (the loss half_sse)\n", num(E1),
            num(E2), num(E));

  // Backward: ∂E/∂out, ∂out/∂net and δ per unit.
  Table backward({"unit", "∂E/∂out", "∂out/∂net = out(1 − out)", "δ = ∂E/∂net", "library: δ"});
  for (const WorkedExampleUnit& u : worked_example_units()) {
    const Json& j = units[u.label];
    backward.add_row({u.label, num(j["dE_dout"].get<double>()), num(j["dout_dnet"].get<double>()),
                      num(j["delta"].get<double>()), fmt::format("layers[{}] dL_dz(0, {})", u.dense, u.column)});
  }
  ctx.print("\nBackward pass (∂E/∂out is out − t at an output; at a hidden unit it is Σ_o δ_o·w(unit→o),\n"
            "with the weights as they were before the update)\n");
  ctx.print(backward);

  // The weights: the gradient, the update, the new value.
  Table weights({"weight", "from→to", "library", "value", "∂E/∂w = δ_to·out_from", "Δw = −η·∂E/∂w", "new value"});
  Json weight_events = Json::object();
  for (const WorkedExampleWeight& w : worked_example_weights()) {
    const double value = before.network.parameter(w.parameter).value(w.row, w.col);
    const double grad = net.parameter(w.parameter).grad(w.row, w.col);
    const double update = sgd.last_update(parameter_index(net, w.parameter))(w.row, w.col);
    const double after = net.parameter(w.parameter).value(w.row, w.col);
    weights.add_row({w.label, w.from + "→" + w.to, fmt::format("{}({}, {})", w.parameter, w.row, w.col),
                     fmt::format("{:.2f}", value), num(grad), num(update), num(after)});
    weight_events[w.label] = Json{{"parameter", w.parameter}, {"row", w.row}, {"col", w.col},
                                  {"from", w.from},           {"to", w.to},   {"value", to_json(value)},
                                  {"dE_dw", to_json(grad)},   {"update", to_json(update)},
                                  {"after", to_json(after)}};
  }
  ctx.print("\nWeights\n");
  ctx.print(weights);
  const Matrix& b_hidden = net.parameter("layers[0].b").value;
  const Matrix& b_output = net.parameter("layers[2].b").value;
  ctx.print("The biases are frozen: their gradients are computed (∂E/∂b = δ) but not applied, so\n"
            "layers[0].b stays ({}, {}) and layers[2].b ({}, {}).\n",
            b_hidden(0, 0), b_hidden(0, 1), b_output(0, 0), b_output(0, 1));
  const double E_after = loss.value(net.forward(ex.input), ex.target);
  ctx.print("E_total with the new weights: {} (it was {})\n", num(E_after), num(E));
  ctx.print("\nThe sign of δ: here δ = ∂E/∂net, as in the worked example and in glassbox's traces (dL_dz),\n"
            "so the update is w ← w − η·δ·out. Textbooks that define δ = −∂E/∂net write w ← w + η·δ·out;\n"
            "their δ_o1 would read {}.\n",
            num(-units["o1"]["delta"].get<double>()));

  if (ctx.tracer.wants(TraceLevel::summary)) {
    Json e;
    e["event"] = "worked_example";
    e["learning_rate"] = ex.learning_rate;
    e["E"] = Json{{"o1", to_json(E1)}, {"o2", to_json(E2)}, {"total", to_json(E)}};
    e["units"] = units;
    e["weights"] = weight_events;
    ctx.tracer.record(TraceLevel::summary, e);
  }
  Json after = Json::object();
  for (const WorkedExampleWeight& w : worked_example_weights()) after[w.label] = weight_events[w.label]["after"];
  ctx.result["worked_example"] = Json{{"total_error", to_json(E)}, {"total_error_after", to_json(E_after)},
                                      {"weights_after", after}};
}

// ---- 2. XOR ------------------------------------------------------------------------------------

// traces/ch06_backprop_shallow.xor_hidden.svg: the four inputs where the hidden layer puts them, the
// plane (h1, h2), before training (open markers) and after (filled), each joined to where it went;
// and the output unit's line ŷ = 0.5 there, w1·h1 + w2·h2 + b = 0 (σ(z) = ½ at z = 0).
void plot_hidden_space(course::Context& ctx, Network& net, const Matrix& T, const Matrix& H_before, const Matrix& H_after) {
  if (!course::plots_beside_trace(ctx)) return;
  svg::Plot plot("XOR in the hidden units' plane: before training (open) and after (filled)");
  plot.x_label("h1 = a of hidden unit 1").y_label("h2 = a of hidden unit 2").size(640, 600).x_range(-0.05, 1.05).y_range(
      -0.05, 1.05);
  for (std::size_t n = 0; n < 4; ++n)
    plot.line("", {H_before(n, 0), H_after(n, 0)}, {H_before(n, 1), H_after(n, 1)},
              svg::LineStyle{.color = "#999999", .width = 1, .dashed = true});
  const Matrix& W = net.parameter("layers[2].W").value;
  const Matrix& b = net.parameter("layers[2].b").value;
  // h2 = −(w1·h1 + b)/w2 at the plot's two edges (or a vertical line when w2 = 0).
  if (W(0, 1) != 0) {
    const auto h2 = [&](double h1) { return -(W(0, 0) * h1 + b(0, 0)) / W(0, 1); };
    plot.line("the output unit's line ŷ = 0.5", {-0.05, 1.05}, {h2(-0.05), h2(1.05)},
              svg::LineStyle{.color = "#000000", .width = 1.5});
  } else if (W(0, 0) != 0) {
    const double h1 = -b(0, 0) / W(0, 0);
    plot.line("the output unit's line ŷ = 0.5", {h1, h1}, {-0.05, 1.05}, svg::LineStyle{.color = "#000000", .width = 1.5});
  }
  for (const int t : {0, 1}) {
    std::vector<double> bx, by, ax, ay;
    for (std::size_t n = 0; n < 4; ++n) {
      if (static_cast<int>(T(n, 0)) != t) continue;
      bx.push_back(H_before(n, 0));
      by.push_back(H_before(n, 1));
      ax.push_back(H_after(n, 0));
      ay.push_back(H_after(n, 1));
    }
    const std::string color = t == 0 ? "#1f77b4" : "#ff7f0e";
    const svg::Marker marker = t == 0 ? svg::Marker::circle : svg::Marker::square;
    const std::string inputs = t == 0 ? "(0,0), (1,1)" : "(0,1), (1,0)";
    plot.points(fmt::format("t = {} {}, before", t, inputs), bx, by,
                svg::PointStyle{.color = color, .radius = 6, .marker = marker, .open = true});
    plot.points(fmt::format("t = {} {}, after", t, inputs), ax, ay,
                svg::PointStyle{.color = color, .radius = 6, .marker = marker});
  }
  const auto path = course::companion_path(ctx.tracer.path(), "xor_hidden.svg");
  plot.save(path);
  ctx.print("\nplot: {} (the four inputs in the hidden units' plane, before and after training)\n", path.string());
}

void xor_problem(course::Context& ctx, std::size_t epochs, double learning_rate, std::size_t full_epochs) {
  ctx.heading("2. XOR with a 2-2-1 sigmoid network");
  const Matrix X{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const Matrix T{{0}, {1}, {1}, {0}};
  Network net;
  net.dense(2, 2, ctx.rng).activation("sigmoid").dense(2, 1, ctx.rng).activation("sigmoid");
  SGD sgd(learning_rate);
  const HalfSumSquares loss;
  TrainOptions options;
  options.epochs = epochs;
  options.batch_size = 0;    // all four samples in every update
  options.shuffle = false;   // the order of a full batch changes nothing
  options.classification = true;
  ctx.print("{}, E = Σ ½(t − ŷ)² over the four samples, full-batch SGD η = {}, {} epochs.\n", net.describe(),
            learning_rate, epochs);

  ctx.tracer.set_run("xor");
  const Matrix H_before = [&] {
    net.forward(X);
    return net.layer_output(1);
  }();
  ctx.print_matrix("hidden outputs (h1, h2) before training, one row per input (0,0), (0,1), (1,0), (1,1)", H_before, 4);
  Table progress({"epoch", "E", "accuracy"});
  const auto on_epoch = [&](const EpochStats& s) {
    if (s.epoch == 1) {
      // One update per epoch: what backward() and the optimizer left are the first update's.
      ctx.print("\nThe first update (the trace holds every δ and Δw of the first {} epoch(s); --full-epochs):\n",
                full_epochs);
      ctx.print_matrix("δ output = dL_dz of layers[2], one row per sample", net.output_gradient(2), 6);
      ctx.print_matrix("δ hidden = dL_dz of layers[0]", net.output_gradient(0), 6);
      ctx.print_matrix("Δ layers[2].W = −η·δ_outputᵀ·a_hidden", sgd.last_update(2), 6);
      ctx.print_matrix("Δ layers[0].W = −η·δ_hiddenᵀ·X", sgd.last_update(0), 6);
      ctx.print("\n");
    }
    if (s.epoch == 1 || s.epoch % std::max<std::size_t>(1, epochs / 8) == 0 || s.epoch == epochs)
      progress.add_row({std::to_string(s.epoch), fmt::format("{:.6f}", s.loss), fmt::format("{:.2f}", *s.accuracy)});
  };
  train(net, loss, sgd, X, T, ctx.rng, options, ctx.tracer, limit_detail(ctx.tracer, full_epochs, on_epoch));
  ctx.tracer.restrict_to(TraceLevel::full);
  ctx.print(progress);

  const Matrix Y = net.forward(X);
  const Matrix H = net.layer_output(1);
  bool solved = true;
  Table outputs({"x1", "x2", "t", "h1", "h2", "ŷ", "right side of 0.5"});
  for (std::size_t n = 0; n < 4; ++n) {
    const bool right = (Y(n, 0) >= 0.5) == (T(n, 0) >= 0.5);
    solved = solved && right;
    outputs.add_row({fmt::format("{}", X(n, 0)), fmt::format("{}", X(n, 1)), fmt::format("{}", T(n, 0)),
                     fmt::format("{:.4f}", H(n, 0)), fmt::format("{:.4f}", H(n, 1)), fmt::format("{:.4f}", Y(n, 0)),
                     right ? "yes" : "no"});
  }
  ctx.print("\n");
  ctx.print(outputs);
  if (solved)
    ctx.print("Solved. The hidden units have re-coded the inputs (compare the columns h1 and h2 with the\n"
              "truth tables of AND, OR, NAND and NOR) so that the output unit, one straight line in the\n"
              "(h1, h2) plane, can separate the classes.\n");
  else
    ctx.print("Not solved from this start: a 2-2-1 network has local minima in which XOR is stuck (about one\n"
              "seed in ten with these settings). Try another --seed.\n");

  if (ctx.tracer.wants(TraceLevel::summary))
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "xor_solution"}, {"X", to_json(X)}, {"T", to_json(T)},
                                                {"hidden", to_json(H)}, {"output", to_json(Y)}, {"solved", solved}});
  ctx.result["xor"] = Json{{"solved", solved}, {"output", to_json(Y)}, {"loss", to_json(loss.value(Y, T))}};
  plot_hidden_space(ctx, net, T, H_before, H);
}

// ---- 3. two circles ----------------------------------------------------------------------------

void circles(course::Context& ctx, std::size_t epochs, double learning_rate, std::size_t batch_size,
             std::size_t full_epochs) {
  ctx.heading("3. Two circles: 2 → 20 ReLU → 1 sigmoid, binary cross-entropy");
  const std::size_t samples = 100;
  const double noise = 0.15, factor = 0.3;
  const synthetic::LabelledPoints data = synthetic::make_circles(samples, noise, factor, ctx.rng);
  const Matrix T = data.targets();
  ctx.tracer.set_run("circles");
  if (ctx.tracer.wants(TraceLevel::summary)) {
    Json labels = Json::array();
    for (std::size_t label : data.labels) labels.push_back(label);
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "synthetic_data"}, {"generator", "make_circles"},
                                                {"samples", samples}, {"noise", noise}, {"factor", factor},
                                                {"X", to_json(data.X)}, {"labels", labels}});
  }

  Network net;
  net.dense(2, 20, ctx.rng).activation("relu").dense(20, 1, ctx.rng).activation("sigmoid");
  ctx.print("make_circles({} samples, noise {}, factor {}): {} points on the unit circle (class 0) and {} on\n"
            "the circle of radius {} (class 1), shuffled, with Gaussian noise of standard deviation {}.\n\n",
            samples, noise, factor, samples / 2, samples - samples / 2, factor, noise);
  ctx.print("{}\n", net.describe());
  ctx.print(net.summary());
  ctx.print("layers[0]: W is 20×2 (40) and b 20: 60.  layers[2]: W is 1×20 (20) and b 1: 21.  60 + 21 = {}.\n",
            net.parameter_count());

  SGD sgd(learning_rate);
  const BinaryCrossEntropy loss;
  TrainOptions options;
  options.epochs = epochs;
  options.batch_size = batch_size;
  options.classification = true;
  ctx.print("\nBinary cross-entropy (mean), SGD η = {}, mini-batches of {}, {} epochs ({} updates).\n", learning_rate,
            batch_size, epochs, epochs * ((samples + batch_size - 1) / batch_size));
  Table progress({"epoch", "loss", "accuracy"});
  const auto on_epoch = [&](const EpochStats& s) {
    if (s.epoch == 1 || s.epoch % std::max<std::size_t>(1, epochs / 10) == 0 || s.epoch == epochs)
      progress.add_row({std::to_string(s.epoch), fmt::format("{:.4f}", s.loss), fmt::format("{:.2f}", *s.accuracy)});
  };
  const auto history =
      train(net, loss, sgd, data.X, T, ctx.rng, options, ctx.tracer, limit_detail(ctx.tracer, full_epochs, on_epoch));
  ctx.tracer.restrict_to(TraceLevel::full);
  ctx.print(progress);
  const double acc = *history.back().accuracy;
  ctx.print("training accuracy: {:.0f} %\n", 100 * acc);

  // Misclassified samples, and the decision map over a square that holds every point.
  const Matrix P = net.forward(data.X);
  std::vector<std::size_t> wrong;
  double reach = 1.6;
  for (std::size_t n = 0; n < samples; ++n) {
    if ((P(n, 0) >= 0.5) != (data.labels[n] == 1)) wrong.push_back(n);
    reach = std::max({reach, std::fabs(data.X(n, 0)) + 0.1, std::fabs(data.X(n, 1)) + 0.1});
  }
  reach = std::ceil(reach * 10) / 10;
  const svg::Range range{-reach, reach};
  const std::size_t rows = 24, cols = 64;  // a terminal character is about twice as tall as wide
  const Matrix grid = decision_grid(net, range, range, rows, cols);
  ctx.print("\nThe decision map on [{0}, {1}]²: '·' where ŷ < 0.5 (class 0, outer), blank where ŷ ≥ 0.5\n"
            "(class 1, inner); o = an outer sample, x = an inner sample, capitals where the network is wrong.\n\n",
            -reach, reach);
  ctx.print("{}", ascii_decision_map(grid, range, range, data.X, data.labels, P));

  if (ctx.tracer.wants(TraceLevel::summary))
    ctx.tracer.record(TraceLevel::summary,
                      Json{{"event", "decision_boundary"}, {"x_range", {range.min, range.max}},
                           {"y_range", {range.min, range.max}}, {"rows", rows}, {"cols", cols},
                           {"probabilities", to_json(grid)}, {"threshold", 0.5}, {"accuracy", acc},
                           {"misclassified", wrong}});
  ctx.result["circles"] = Json{{"accuracy", acc}, {"loss", to_json(history.back().loss)},
                               {"parameters", net.parameter_count()}, {"misclassified", wrong}};

  if (course::plots_beside_trace(ctx)) {
    svg::Plot plot(fmt::format("Two circles, 2 → 20 ReLU → 1 sigmoid: {:.0f} % training accuracy", 100 * acc));
    plot.x_label("x₁").y_label("x₂").size(640, 600);
    svg::RegionStyle region;
    region.contour = 0.5;
    region.label = "ŷ from 0 to 1";
    plot.region(range, range, decision_grid(net, range, range, 120, 120), region);
    std::vector<double> x0, y0, x1, y1;
    for (std::size_t n = 0; n < samples; ++n) {
      (data.labels[n] == 0 ? x0 : x1).push_back(data.X(n, 0));
      (data.labels[n] == 0 ? y0 : y1).push_back(data.X(n, 1));
    }
    svg::PointStyle outer, inner;
    outer.color = "#1f77b4";
    inner.color = "#ff7f0e";
    inner.marker = svg::Marker::square;
    plot.points("class 0 (outer circle)", x0, y0, outer).points("class 1 (inner circle)", x1, y1, inner);
    const auto path = course::companion_path(ctx.tracer.path(), "circles.svg");
    plot.save(path);
    ctx.print("\nplot: {} (the decision boundary ŷ = 0.5 is the black line)\n", path.string());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t xor_epochs = 2000, circles_epochs = 100, batch_size = 10, full_epochs = 2;
  double xor_learning_rate = 2.0, circles_learning_rate = 0.1;
  CommandLine cli({.name = "ch06_backprop_shallow",
                   .chapter = 6,
                   .title = "Backpropagation on a shallow network",
                   .purpose = "One backpropagation step of the classic worked example, number by number; XOR learned\n"
                              "by a 2-2-1 sigmoid network; two noisy circles separated by one ReLU hidden layer.",
                   .default_trace_level = TraceLevel::full});
  cli.option("xor-epochs", xor_epochs, 1, 1000000, "full-batch epochs (= updates) for XOR");
  cli.option("xor-learning-rate", xor_learning_rate, 1e-9, 100, "SGD's η for XOR");
  cli.option("circles-epochs", circles_epochs, 1, 100000, "epochs for the circles");
  cli.option("circles-learning-rate", circles_learning_rate, 1e-9, 100, "SGD's η for the circles");
  cli.option("batch-size", batch_size, 1, 100, "mini-batch size for the circles");
  cli.option("full-epochs", full_epochs, 0, 1000000,
             "epochs of XOR and of the circles traced in full (every δ and Δw); later ones as epoch summaries");
  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    worked_example_step(ctx);
    xor_problem(ctx, static_cast<std::size_t>(xor_epochs), xor_learning_rate, static_cast<std::size_t>(full_epochs));
    circles(ctx, static_cast<std::size_t>(circles_epochs), circles_learning_rate, static_cast<std::size_t>(batch_size),
            static_cast<std::size_t>(full_epochs));
  });
}
