// Chapter 08 — activations, initialization and vanishing gradients
//
// Teaches: the catalogue of activation functions and their derivatives (a table at chosen points,
// and plots of g and g′); what each weight-initialization scheme promises (its variance, from the
// fans) and that constant initialization keeps hidden units identical forever; and why depth needs
// both chosen together: 10-layer networks with sigmoid, tanh and ReLU, each initialized naively,
// with Glorot and with He, compared by the gradient norm reaching each layer at initialization and
// after an epoch, the fraction of dead ReLUs, and whether they train at all.
// New in lib/: the activation catalogue in activations.hpp (heaviside … maxout), initializers.hpp
// (schemes by name, fans as PyTorch defines them), options.hpp (settings from JSON). Plots with
// svg.hpp (chapter 05).
// Run: ch08_activations_init [--epochs N] [--depth N] [--units N] [--learning-rate η] [--samples N]
//                            [--trace PATH] [--trace-level off|summary|step|full] [--quiet]
// Trace: traces/ch08_activations_init.json — "activation_values" per activation,
// "initializer_statistics" per scheme, "symmetry" per constant/random start, and for each
// combination of the depth experiment "depth_run", its training events, "depth_gradients" at
// initialization and after training, and "depth_result".
// Plots: traces/ch08_activations_init.<activation>.svg — g and g′ of every activation, dots at their
// jumps; traces/ch08_activations_init.gradient_norms.svg — ‖dL/dW‖ per layer at the start, every network.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/data/synthetic.hpp"
#include "glassbox/nn/activations.hpp"
#include "glassbox/nn/initializers.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/io/svg.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

struct Settings {
  std::int64_t epochs = 3;
  std::int64_t depth = 10;     // dense layers, the output layer included
  std::int64_t units = 32;     // per hidden layer
  std::int64_t samples = 2048;
  std::int64_t batch_size = 16;
  double learning_rate = 0.1;
  double naive_stddev = 1.0;   // the naive start: every weight from N(0, stddev²)
};

// A network "trains" if, after the epochs, it classifies the training set clearly better than a
// coin (the two classes are about equally frequent).
constexpr double kTrainedAccuracy = 0.8;

// ---- 1. every activation and its derivative -----------------------------------------------------

const std::vector<double> kPoints = {-3, -1, -0.5, 0, 0.5, 1, 3};

std::string number(double x) { return fmt::format("{:.4g}", x); }

// g(z) and g′(z) of an activation, one unit, at the points: forward, then backward with dL/da = 1.
// (For maxout and PReLU this is the function they start with.)
struct Curve {
  std::vector<double> a, da_dz;
};
Curve curve(Layer& layer, const std::vector<double>& z) {
  Matrix Z(z.size(), 1), ones(z.size(), 1, 1.0);
  for (std::size_t i = 0; i < z.size(); ++i) Z(i, 0) = z[i];
  const Matrix A = layer.forward(Z);
  const Matrix dZ = layer.backward(ones);
  Curve c;
  for (std::size_t i = 0; i < z.size(); ++i) {
    c.a.push_back(A(i, 0));
    c.da_dz.push_back(dZ(i, 0));
  }
  return c;
}

// A curve for a plot: where neighbouring values jump by more than `jump` (a step's value, ReLU's
// derivative at 0) a NaN is put between them, so the plot breaks the line there instead of drawing
// a vertical segment the function does not have. No continuous curve of the catalogue changes by
// that much between grid points 0.05 apart.
void with_breaks(const std::vector<double>& z, const std::vector<double>& y, std::vector<double>& zs,
                 std::vector<double>& ys, double jump = 0.5) {
  zs.clear();
  ys.clear();
  for (std::size_t i = 0; i < z.size(); ++i) {
    if (i > 0 && std::abs(y[i] - y[i - 1]) > jump) {
      zs.push_back(0.5 * (z[i] + z[i - 1]));
      ys.push_back(std::nan(""));
    }
    zs.push_back(z[i]);
    ys.push_back(y[i]);
  }
}

// Where a curve jumps between grid points z[i−1] and z[i] (with_breaks' test), the dots a plot draws
// there: a filled one at the value the function takes at the jump, an open one at the value it only
// approaches. Which of the two points the jump sits at is found by looking just past z[i−1]: if
// the function already has its new value there, the jump is at z[i−1], else at z[i].
struct Jumps {
  std::vector<double> closed_z, closed_y, open_z, open_y;
};
Jumps jumps(Layer& layer, const std::vector<double>& z, const std::vector<double>& y, bool derivative,
            double jump = 0.5) {
  Jumps j;
  for (std::size_t i = 1; i < z.size(); ++i) {
    if (!(std::abs(y[i] - y[i - 1]) > jump)) continue;
    const Curve just_after = curve(layer, {z[i - 1] + 1e-9});
    const double after = derivative ? just_after.da_dz[0] : just_after.a[0];
    const bool at_left = std::abs(after - y[i]) < std::abs(after - y[i - 1]);
    j.closed_z.push_back(at_left ? z[i - 1] : z[i]);
    j.closed_y.push_back(at_left ? y[i - 1] : y[i]);
    j.open_z.push_back(at_left ? z[i - 1] : z[i]);
    j.open_y.push_back(at_left ? y[i] : y[i - 1]);
  }
  return j;
}

// traces/ch08_activations_init.<name>.svg: g and g′ over [−4, 4] (and, for the step and the sign,
// the straight-through substitute for g′). Written next to the trace, only when it is a file.
void plot_activations(course::Context& ctx) {
  if (!course::plots_beside_trace(ctx)) return;
  std::vector<double> z;
  for (int i = -80; i <= 80; ++i) z.push_back(i / 20.0);  // exact multiples of 0.05, 0 included
  std::vector<std::string> written;
  for (const ActivationEntry& e : glassbox::activation_table()) {
    if (std::string(e.name) == "softmax") continue;
    const auto layer = make_activation(e.name, 1);
    const Curve c = curve(*layer, z);
    svg::Plot plot(fmt::format("{}: {}", layer->describe(), e.formula));
    plot.x_label("z").x_range(-4, 4).legend(svg::Corner::top_left);
    std::vector<double> zs, ys;
    with_breaks(z, c.a, zs, ys);
    const std::string g_color = svg::palette()[0], dg_color = svg::palette()[1];
    plot.line("g(z)", zs, ys, svg::LineStyle{.color = g_color});
    with_breaks(z, c.da_dz, zs, ys);
    plot.line("g′(z)", zs, ys, svg::LineStyle{.color = dg_color, .dashed = true});
    if (std::string(e.name) == "heaviside" || std::string(e.name) == "sign") {
      svg::LineStyle substitute;
      substitute.color = svg::palette()[2];
      substitute.dashed = true;
      substitute.width = 1;
      plot.line("straight-through substitute for g′", z, std::vector<double>(z.size(), 1.0), substitute);
    }
    // Dots at the jumps: filled where the function is, open where it is not.
    for (const bool derivative : {false, true}) {
      const Jumps j = jumps(*layer, z, derivative ? c.da_dz : c.a, derivative);
      const std::string& color = derivative ? dg_color : g_color;
      plot.points("", j.closed_z, j.closed_y, svg::PointStyle{.color = color, .radius = 4});
      plot.points("", j.open_z, j.open_y, svg::PointStyle{.color = color, .radius = 4, .open = true});
    }
    const auto path = course::companion_path(ctx.tracer.path(), fmt::format("{}.svg", e.name));
    plot.save(path);
    written.push_back(e.name);
  }
  ctx.print("\nplots: {} for each of {}\n", course::companion_path(ctx.tracer.path(), "<activation>.svg").string(),
            fmt::join(written, ", "));
}

void show_activations(course::Context& ctx) {
  ctx.heading("1. Every activation g and its derivative g′ at chosen points");
  std::vector<std::string> headers{"activation", ""};
  for (double z : kPoints) headers.push_back(fmt::format("z = {}", z));
  Table table(headers);

  struct Row {
    std::string name;
    Json options;
  };
  std::vector<Row> rows;
  for (const ActivationEntry& e : glassbox::activation_table())
    if (std::string(e.name) != "softmax") rows.push_back({e.name, Json::object()});
  rows.insert(rows.begin() + 2, Row{"heaviside", Json{{"straight_through", true}}});

  for (const Row& row : rows) {
    const auto layer = make_activation(row.name, 1, row.options);
    const Curve c = curve(*layer, kPoints);
    std::vector<std::string> g{layer->describe(), "g"}, dg{"", "g′"};
    for (std::size_t i = 0; i < kPoints.size(); ++i) {
      g.push_back(number(c.a[i]));
      dg.push_back(number(c.da_dz[i]));
    }
    table.add_row(g);
    table.add_row(dg);
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "activation_values"},
                                                {"activation", layer->describe()},
                                                {"z", to_json(kPoints)},
                                                {"a", to_json(c.a)},
                                                {"da_dz", to_json(c.da_dz)}});
  }
  ctx.print(table);
  ctx.print("\nAt a kink of a fixed activation the derivative of the left piece is used (ReLU′(0) = 0, leaky\n"
            "ReLU′(0) = α, as PyTorch). Maxout has no left and right: where its pieces tie, the gradient goes\n"
            "to the first of them (as PyTorch's max), here the tangent of slope σ(2) = 0.8808. The step and sign\n"
            "have g′ = 0 wherever it exists: no gradient passes them. \"straight-through\" substitutes 1, as the\n"
            "course notes do, to let a gradient through anyway; it is not the derivative. PReLU and maxout are\n"
            "shown as they start (α = 0.25; k = 2 tangents of softplus): both learn their shape.\n"
            "Softmax is not element-wise: softmax([1, 2, 3]) = {}, and softmax([1000, 0]) = {} —\n"
            "the largest logit is subtracted first, so e^(·) never overflows.\n",
            to_string(softmax(Matrix{{1, 2, 3}}), 4), to_string(softmax(Matrix{{1000, 0}}), 4));
  plot_activations(ctx);
}

// ---- 2. what each initializer promises ----------------------------------------------------------

void initializer_statistics(course::Context& ctx, const Settings& s) {
  const std::size_t in = 256, out = 128;
  ctx.heading(fmt::format("2. Initializers: the variance each promises, measured on Dense({}→{})", in, out));
  Table table({"scheme", "draws W from", "Var formula", "Var measured", "measured/formula", "b"});
  struct Scheme {
    std::string name, formula;
    Json options;
  };
  std::vector<Scheme> schemes;
  for (const InitializerEntry& e : initializer_table()) schemes.push_back({e.name, e.formula, Json::object()});
  // the naive start of the depth experiment, next to the defaults
  schemes.insert(schemes.begin() + 4, Scheme{"normal", "N(0, stddev²)", Json{{"stddev", s.naive_stddev}}});
  for (const Scheme& scheme : schemes) {
    Matrix W(out, in), b(1, out);
    make_initializer(scheme.name, scheme.options)(W, b, ctx.rng);
    const InitScheme rule = make_init_rule(scheme.name, scheme.options)(fans_of(W));
    const double mu = mean(W);
    double var = 0;
    for (Scalar w : W) var += (w - mu) * (w - mu);
    var /= static_cast<double>(W.size() - 1);
    const double expected = rule.weights.variance();
    const bool bias_drawn = rule.bias.distribution != Distribution::constant;
    table.add_row({scheme.options.empty() ? scheme.name : fmt::format("{} {}", scheme.name, scheme.options.dump()),
                   scheme.formula, number(expected), number(var),
                   expected > 0 ? fmt::format("{:.3f}", var / expected) : "—",
                   bias_drawn ? "like W" : number(rule.bias.center)});
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "initializer_statistics"},
                                                {"initializer", scheme.name},
                                                {"options", scheme.options},
                                                {"fan_in", in},
                                                {"fan_out", out},
                                                {"expected_variance", expected},
                                                {"sample_variance", var},
                                                {"sample_mean", mu},
                                                {"bias", bias_drawn ? Json("like W") : Json(rule.bias.center)}});
  }
  ctx.print(table);
  ctx.print("\nfan_in = {} (inputs per unit), fan_out = {} (units), as PyTorch counts them for W:(out×in).\n"
            "Glorot averages both fans (signals forward and gradients backward keep their size for tanh);\n"
            "He uses 2/fan_in because a ReLU passes only half its inputs; LeCun 1/fan_in suits SELU.\n",
            in, out);
}

// ---- the data of the experiments ----------------------------------------------------------------

// Points in the square [−1, 1]², labelled 1 inside the disc of radius √(2/π) (half the square's
// area) and 0 outside: a round boundary that no single layer draws.
struct Data {
  Matrix X, T;
};
Data disc_data(std::size_t n, Rng& rng) {
  synthetic::LabelledPoints disc = synthetic::make_disc(n, rng);
  return {std::move(disc.X), disc.targets()};
}

// ---- 3. constant initialization keeps units symmetric --------------------------------------------

std::size_t distinct_rows(const Matrix& W) {
  std::size_t distinct = 0;
  for (std::size_t j = 0; j < W.rows(); ++j) {
    bool seen = false;
    for (std::size_t i = 0; i < j && !seen; ++i)
      seen = std::equal(W.row_ptr(i), W.row_ptr(i) + W.cols(), W.row_ptr(j));
    distinct += !seen;
  }
  return distinct;
}

void symmetry(course::Context& ctx, const Data& all) {
  const std::size_t units = 8;
  ctx.heading(fmt::format("3. Constant starts: Dense(2→{}, tanh) → Dense({}→1), 40 epochs of SGD", units, units));
  const std::size_t n = std::min<std::size_t>(128, all.X.rows());
  const Data data{slice_rows(all.X, 0, n), slice_rows(all.T, 0, n)};
  const BinaryCrossEntropyWithLogits loss;
  Table table({"start", "distinct hidden units", "largest change of a hidden weight", "loss before", "loss after",
               "accuracy after"});
  for (const auto& [name, options] : std::vector<std::pair<std::string, Json>>{
           {"zeros", Json::object()}, {"constant", Json{{"value", 0.5}}}, {"glorot_uniform", Json::object()}}) {
    Network net;
    net.dense(2, units, ctx.rng, make_initializer(name, options)).activation("tanh");
    net.dense(units, 1, ctx.rng, make_initializer(name, options));
    const Matrix W_before = net.parameter("layers[0].W").value;
    const TrainOptions opts{.epochs = 40, .batch_size = 16, .classification = true};
    const double before = evaluate(net, loss, data.X, data.T).loss;
    SGD sgd(0.5);
    const auto history = train(net, loss, sgd, data.X, data.T, ctx.rng, opts);
    const Matrix& W = net.parameter("layers[0].W").value;
    const double change = max_abs_diff(W, W_before);
    const std::size_t distinct = distinct_rows(W);
    const std::string label = options.empty() ? name : fmt::format("{} {}", name, options.dump());
    table.add_row({label, fmt::format("{} of {}", distinct, units), number(change), number(before),
                   number(history.back().loss), fmt::format("{:.3f}", *history.back().accuracy)});
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "symmetry"},
                                                {"initializer", name},
                                                {"options", options},
                                                {"units", units},
                                                {"epochs", opts.epochs},
                                                {"distinct_units", distinct},
                                                {"max_weight_change", change},
                                                {"loss_before", before},
                                                {"loss_after", history.back().loss},
                                                {"accuracy_after", *history.back().accuracy},
                                                {"W_after", to_json(W)}});
  }
  ctx.print(table);
  ctx.print("\nStarted equal, the hidden units get equal gradients and stay equal: 8 units do the work of one.\n"
            "With zeros it is worse: tanh(0) = 0 gives the output weights no gradient, and zero output\n"
            "weights give the hidden ones none — only the output bias learns. Random starts break the tie.\n");
}

// ---- 4. vanishing and exploding gradients --------------------------------------------------------

// A deep network: depth dense layers, each but the last followed by the activation, all initialized
// by one scheme: Dense(2→u, g) → (depth − 2) × Dense(u→u, g) → Dense(u→1), one logit out.
Network deep_network(const Settings& s, const std::string& activation, const Initializer& init, Rng& rng) {
  const auto u = static_cast<std::size_t>(s.units);
  Network net;
  net.dense(2, u, rng, init).activation(activation);
  for (std::int64_t l = 0; l < s.depth - 2; ++l) net.dense(u, u, rng, init).activation(activation);
  net.dense(u, 1, rng, init);
  return net;
}

// What the network does on the whole training set, without changing it.
struct Diagnosis {
  double loss = 0;
  double accuracy = 0;
  std::vector<std::string> names;     // "layers[0].W", … one per dense layer
  std::vector<double> gradient_norms;  // ‖dL/dW‖ per dense layer, first to last
  std::vector<double> activation_std;  // the standard deviation of each hidden layer's output
  double dead_fraction = 0;       // ReLU: hidden units whose output is 0 on every sample
  double saturated_fraction = 0;  // sigmoid, tanh: outputs where g′(z) < 1% of its peak
};

Diagnosis diagnose(Network& net, const Loss& loss, const Data& data, const std::string& activation) {
  Diagnosis d;
  net.zero_grad();
  const Matrix& Y = net.forward(data.X);
  d.loss = loss.value(Y, data.T);
  d.accuracy = accuracy(Y, data.T, 0.0);  // a logit ≥ 0 means p ≥ ½
  net.backward(loss.gradient(Y, data.T));
  std::size_t hidden_units = 0, dead = 0, outputs = 0, saturated = 0;
  for (std::size_t i = 0; i < net.size(); ++i) {
    Layer& layer = net.layer(i);
    if (auto* dense = dynamic_cast<Dense*>(&layer)) {
      d.names.push_back(fmt::format("layers[{}].W", i));
      d.gradient_norms.push_back(norm(dense->dW));
      continue;
    }
    const Matrix& A = net.layer_output(i);
    const double mu = mean(A);
    double var = 0;
    for (Scalar a : A) var += (a - mu) * (a - mu);
    d.activation_std.push_back(std::sqrt(var / static_cast<double>(A.size())));
    for (std::size_t j = 0; j < A.cols(); ++j) {
      bool ever_active = false;
      for (std::size_t n = 0; n < A.rows() && !ever_active; ++n) ever_active = A(n, j) > 0;
      dead += !ever_active;
    }
    hidden_units += A.cols();
    for (Scalar a : A) {
      // g′ relative to its peak, from the output: σ′/σ′(0) = 4a(1 − a), tanh′/tanh′(0) = 1 − a²
      const double slope = activation == "sigmoid" ? 4 * a * (1 - a) : activation == "tanh" ? 1 - a * a : 1.0;
      saturated += slope < 0.01;
    }
    outputs += A.size();
  }
  if (activation == "relu") d.dead_fraction = static_cast<double>(dead) / static_cast<double>(hidden_units);
  d.saturated_fraction = static_cast<double>(saturated) / static_cast<double>(outputs);
  return d;
}

struct Combination {
  std::string activation;
  std::string label;  // "naive", "glorot", "he", "lecun"
  std::string initializer;
  Json options;
};

// The "depth_gradients" event of a combination's network, at initialization (epoch 0) or after an epoch.
Json depth_gradients_event(const Combination& c, std::size_t epoch, const Diagnosis& d) {
  Json norms = Json::object();
  for (std::size_t l = 0; l < d.names.size(); ++l) norms[d.names[l]] = to_json(d.gradient_norms[l]);
  const std::string& activation = c.activation;
  Json e{{"event", "depth_gradients"}, {"activation", activation}, {"initializer", c.initializer},
         {"options", c.options},       {"epoch", epoch},           {"loss", to_json(d.loss)},
         {"accuracy", d.accuracy},     {"gradient_norms", norms},  {"activation_std", to_json(d.activation_std)}};
  if (activation == "relu") e["dead_fraction"] = d.dead_fraction;
  if (activation == "sigmoid" || activation == "tanh") e["saturated_fraction"] = d.saturated_fraction;
  return e;
}

std::string percent(double x) { return fmt::format("{:.0f}%", 100 * x); }

// The depth experiment's ten training runs, as train() will trace them, estimated from the shapes before
// anything runs (train.hpp): at --trace-level full they would write several GB, and a trace past its
// limit (--trace-max-size) is refused now (exit 2), not after minutes of work.
void check_trace_size(const course::Context& ctx, const Settings& s) {
  Rng shapes(0);  // only the network's shapes count, not its weights: the run's own generator is not used
  const Network net = deep_network(s, "relu", make_initializer("he_normal", Json::object()), shapes);
  const TrainOptions opts{.epochs = static_cast<std::size_t>(s.epochs),
                          .batch_size = static_cast<std::size_t>(s.batch_size)};
  const double runs = 10;  // 3 activations × 3 starts, and SELU with LeCun's
  const double bytes = runs * estimated_trace_bytes(net, static_cast<std::size_t>(s.samples), opts, ctx.tracer.level());
  check_trace_estimate(ctx.tracer.path(), ctx.tracer.level(), bytes, ctx.cli.trace_max_bytes);
}

void depth_experiment(course::Context& ctx, const Settings& s, const Data& data) {
  ctx.heading(fmt::format("4. Vanishing and exploding gradients: {} dense layers of {} units", s.depth, s.units));
  std::vector<Combination> combinations;
  for (const char* activation : {"sigmoid", "tanh", "relu"}) {
    combinations.push_back({activation, "naive", "normal", Json{{"stddev", s.naive_stddev}}});
    combinations.push_back({activation, "glorot", "glorot_normal", Json::object()});
    combinations.push_back({activation, "he", "he_normal", Json::object()});
  }
  combinations.push_back({"selu", "lecun", "lecun_normal", Json::object()});

  const BinaryCrossEntropyWithLogits loss;
  const TrainOptions opts{.epochs = static_cast<std::size_t>(s.epochs),
                          .batch_size = static_cast<std::size_t>(s.batch_size),
                          .classification = true,
                          .threshold = 0.0};
  std::vector<std::string> layer_headers{"activation", "start"};
  for (std::int64_t l = 1; l <= s.depth; ++l) layer_headers.push_back(fmt::format("W{}", l));
  Table at_init(layer_headers), after(layer_headers);
  svg::Plot norms_plot(fmt::format("‖dL/dW‖ of each layer at the start: {} dense layers of {} units", s.depth, s.units));
  norms_plot.x_label("layer (1 is the first, next to the input)").y_label("‖dL/dW‖ at the start (log scale)")
      .y_log().x_whole().size(760, 520);
  std::size_t plotted = 0;
  Table summary({"activation", "start", "loss at start", "after epoch 1", fmt::format("after epoch {}", s.epochs),
                 "accuracy", "dead ReLUs", "saturated outputs", "trains?"});

  for (const Combination& c : combinations) {
    // Each run draws from a generator of its own, derived from --seed and the run's name, so that an
    // option of one run (--naive-stddev) changes that run and no other.
    Rng rng = Rng::derived(ctx.cli.seed, "depth/" + c.activation + "/" + c.label);
    Network net = deep_network(s, c.activation, make_initializer(c.initializer, c.options), rng);
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "depth_run"},
                                                {"activation", c.activation},
                                                {"initializer", c.initializer},
                                                {"options", c.options},
                                                {"network", net.describe()}});
    const Diagnosis start = diagnose(net, loss, data, c.activation);
    ctx.tracer.record(TraceLevel::summary, depth_gradients_event(c, 0, start));

    // gradient norms after the first epoch (as the lesson discusses them) and after the last
    std::optional<Diagnosis> first, end;
    std::string diverged;
    SGD sgd(s.learning_rate);
    try {
      train(net, loss, sgd, data.X, data.T, rng, opts, ctx.tracer, [&](const EpochStats& stats) {
        if (stats.epoch != 1 && stats.epoch != opts.epochs) return;
        const Diagnosis d = diagnose(net, loss, data, c.activation);
        ctx.tracer.record(TraceLevel::summary, depth_gradients_event(c, stats.epoch, d));
        if (stats.epoch == 1) first = d;
        if (stats.epoch == opts.epochs) end = d;
      });
    } catch (const NonFiniteError& e) {
      diverged = e.what();
    }
    const bool trained = end && end->accuracy >= kTrainedAccuracy;

    auto norms_row = [&](const Diagnosis* d) {
      std::vector<std::string> row{c.activation, c.label};
      for (std::size_t l = 0; l < static_cast<std::size_t>(s.depth); ++l)
        row.push_back(d ? fmt::format("{:.1e}", d->gradient_norms[l]) : "—");
      return row;
    };
    at_init.add_row(norms_row(&start));
    {
      // One curve per network and start: the activation's colour, dashed for the naive start, thin for He.
      std::vector<double> layer_numbers;
      for (std::size_t l = 1; l <= start.gradient_norms.size(); ++l) layer_numbers.push_back(static_cast<double>(l));
      const std::size_t hue = c.activation == "sigmoid" ? 0 : c.activation == "tanh" ? 1 : c.activation == "relu" ? 2 : 3;
      norms_plot.line(fmt::format("{}, {}", c.activation, c.label), layer_numbers, start.gradient_norms,
                      svg::LineStyle{.color = svg::palette()[hue],
                                     .width = c.label == "he" ? 1.2 : 2.2,
                                     .dashed = c.label == "naive"});
      ++plotted;
    }
    after.add_row(norms_row(first ? &*first : nullptr));
    auto both = [&](double a, std::optional<double> b) {
      return fmt::format("{} → {}", percent(a), b ? percent(*b) : "—");
    };
    summary.add_row({c.activation, c.label, number(start.loss), first ? number(first->loss) : "diverged",
                     end ? number(end->loss) : "diverged", end ? fmt::format("{:.3f}", end->accuracy) : "—",
                     c.activation == "relu" ? both(start.dead_fraction, end ? std::optional(end->dead_fraction) : std::nullopt) : "",
                     c.activation == "sigmoid" || c.activation == "tanh"
                         ? both(start.saturated_fraction, end ? std::optional(end->saturated_fraction) : std::nullopt)
                         : "",
                     trained ? "yes" : "no"});
    Json result{{"event", "depth_result"},
                {"activation", c.activation},
                {"initializer", c.initializer},
                {"options", c.options},
                {"loss_before", to_json(start.loss)},
                {"accuracy_before", start.accuracy},
                {"trained", trained}};
    if (end) {
      result["loss_after"] = to_json(end->loss);
      result["accuracy_after"] = end->accuracy;
    } else {
      result["diverged"] = diverged;
    }
    if (c.activation == "relu") {
      result["dead_fraction_before"] = start.dead_fraction;
      if (end) result["dead_fraction_after"] = end->dead_fraction;
    }
    ctx.tracer.record(TraceLevel::summary, result);
    ctx.result["depth"][c.activation + " " + c.label] = trained ? "trains" : diverged.empty() ? "stalls" : "diverges";
    if (!diverged.empty()) ctx.print("{} with {} start: diverged: {}\n", c.activation, c.label, diverged);
  }
  ctx.print("\n‖dL/dW‖ of each layer on the whole training set, at initialization (W1 is the first layer):\n");
  ctx.print(at_init);
  if (plotted > 0 && course::plots_beside_trace(ctx)) {
    const auto path = course::companion_path(ctx.tracer.path(), "gradient_norms.svg");
    norms_plot.save(path);
    ctx.print("plot: {} (the table above, log scale)\n", path.string());
  }
  ctx.print("\nThe same after the first epoch of SGD (η = {}, batches of {}):\n", s.learning_rate, s.batch_size);
  ctx.print(after);
  ctx.print("\n");
  ctx.print(summary);
  ctx.print("\nDead ReLUs and saturated outputs: at the start → after the last epoch.\n"
            "\"trains\": accuracy ≥ {} on the training set after the last epoch (the classes are about equal, so\n"
            "guessing gets 0.5). Dead ReLU: a hidden unit whose output is 0 on every sample — it gets no gradient.\n"
            "Saturated: a sigmoid or tanh output where g′ is under 1% of its peak.\n",
            kTrainedAccuracy);
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CommandLine cli({.name = "ch08_activations_init",
                   .chapter = 8,
                   .title = "Activations, initialization and vanishing gradients",
                   .purpose = "Every activation and its derivative; what each initializer promises; and 10-layer\n"
                              "networks with sigmoid, tanh and ReLU started naively, with Glorot and with He:\n"
                              "the gradient reaching each layer, dead ReLUs, and which of them train.",
                   .default_trace_level = TraceLevel::step});
  cli.option("epochs", s.epochs, 1, 100, "epochs of the depth experiment");
  cli.option("depth", s.depth, 3, 30, "dense layers in the deep networks, output layer included");
  cli.option("units", s.units, 2, 256, "units per hidden layer");
  cli.option("samples", s.samples, 32, 100000, "training samples");
  cli.option("batch-size", s.batch_size, 1, 100000, "samples per update");
  cli.option("learning-rate", s.learning_rate, 1e-6, 10.0, "SGD step size η");
  cli.option("naive-stddev", s.naive_stddev, 1e-6, 100.0, "the naive start draws every weight from N(0, stddev²)");
  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    check_trace_size(ctx, s);
    const Data data = disc_data(static_cast<std::size_t>(s.samples), ctx.rng);
    show_activations(ctx);
    initializer_statistics(ctx, s);
    symmetry(ctx, data);
    depth_experiment(ctx, s, data);
  });
}
