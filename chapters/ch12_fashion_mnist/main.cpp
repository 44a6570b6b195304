// Chapter 12 — capstone: Fashion-MNIST end to end
//
// Teaches: the course's pieces on real data — 60,000 training and 10,000 test images of clothing,
// 28×28 grey levels scaled to [0, 1], ten classes. A 784 → 256 ReLU → 128 ReLU → 10 network (He
// initialization for the ReLU layers), softmax cross-entropy on its logits, Adam, mini-batches, a
// stratified validation split, a cosine learning-rate schedule and early stopping; training,
// validation and test accuracy per epoch; what the first layer's units look for (their weights as
// pictures); the confusion matrix, precision, recall and F1 per class, the most confident mistakes;
// one real training step opened number by number (an image's forward pass, its δ, dL/dW and Adam's
// update of two weights); the model saved, loaded back and checked to predict the same, bit for bit.
// New in lib/: data/idx.hpp (the IDX reader), experiment/model.cpp (saved models), io/progress.hpp
// (the progress line), io/image_grid.hpp (pictures as SVG), train/classification_report.hpp, the
// trace window (TrainOptions::trace_window).
// Run: ch12_fashion_mnist [--data DIR] [--limit N] [--epochs N] [--batch-size B] [--learning-rate η]
//      [--patience N] [--trace-steps A:B] [--trace PATH] [--trace-level …]
// Trace: traces/ch12_fashion_mnist.json — "validation_split", train()'s "epoch" events (steps A … B
// of --trace-steps at level full: forward, backward, step, update; the others at summary; step B is
// the one opened), one "test_epoch" per
// epoch, "early_stopping", then "step_walkthrough", "test_report" and "model_check". Beside it:
// .samples.svg, .accuracy.svg, .weights.svg, .confusion.svg, .mistakes.svg, and the model,
// .model.json (glassbox evaluate reads it).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/core/error.hpp"
#include "glassbox/data/idx.hpp"
#include "glassbox/data/validation.hpp"
#include "glassbox/experiment/experiment.hpp"
#include "glassbox/io/image_grid.hpp"
#include "glassbox/io/progress.hpp"
#include "glassbox/io/svg.hpp"
#include "glassbox/nn/activations.hpp"
#include "glassbox/nn/dense.hpp"
#include "glassbox/train/classification_report.hpp"
#include "glassbox/train/metrics.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;
namespace fs = std::filesystem;

namespace {

// N = training images, B = batch size, K = 10 classes; an image is a row of 784 = 28·28 pixels.
struct Settings {
  std::string data = fashion_mnist_debian_folder;
  std::int64_t limit = 0;          // train on the first `limit` training images only (0: all 60,000)
  std::int64_t epochs = 15;
  std::int64_t batch_size = 128;
  double learning_rate = 1e-3;     // Adam's η₀; the cosine schedule lowers it to 0 over `epochs`
  double validation = 0.1;         // the fraction of the training images held out (6,000 of 60,000)
  std::int64_t patience = 4;
  std::string trace_steps = "100:100";
};

constexpr std::size_t kSide = 28;

// --trace-steps A:B → (A, B), 1 ≤ A ≤ B.
std::pair<std::size_t, std::size_t> parse_steps(const std::string& text) {
  const auto colon = text.find(':');
  const auto whole = [&](const std::string& part) -> std::size_t {
    if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos)
      throw UsageError(fmt::format("--trace-steps: expected A:B, the first and the last step traced in full "
                                   "(whole numbers from 1, A ≤ B), got \"{}\"", text));
    return std::stoul(part);
  };
  if (colon == std::string::npos) whole("");
  const std::size_t a = whole(text.substr(0, colon)), b = whole(text.substr(colon + 1));
  if (a < 1 || b < a) whole("");
  return {a, b};
}

// The experiment the chapter runs, as a spec: what the saved model carries, so that `glassbox
// evaluate MODEL` finds the test images and rebuilds this network.
Json chapter_spec(const Settings& s, std::uint64_t seed, const fs::path& folder) {
  const Json he{{"units", 256}, {"activation", "relu"}, {"init", "he_normal"}};
  Json layers = Json::array({he, he, {{"units", 10}, {"activation", "identity"}, {"init", "glorot_uniform"}}});
  layers[1]["units"] = 128;
  const std::string trained_on =
      s.limit > 0 ? fmt::format("the first {} training images", s.limit) : std::string("the 60,000 training images");
  return Json{
      {"name", "ch12_fashion_mnist"},
      {"description", "Chapter 12: a 784-256-128-10 ReLU network trained by Adam on " + trained_on +
                          " of Fashion-MNIST (pixels / 255), a stratified validation split held out."},
      {"seed", seed},
      {"network", {{"inputs", 784}, {"layers", layers}}},
      {"loss", "sparse_softmax_cross_entropy"},
      {"optimizer", {{"name", "adam"}, {"learning_rate", s.learning_rate}}},
      {"schedule", {{"name", "cosine"}, {"T_max", s.epochs}}},
      {"data", {{"dataset", "fashion-mnist"}, {"part", "train"}, {"folder", folder.string()}}},
      {"test", {{"dataset", "fashion-mnist"}, {"part", "test"}, {"folder", folder.string()}}},
      {"training",
       {{"epochs", s.epochs},
        {"batch_size", s.batch_size},
        {"classification", true},
        {"validation", {{"fraction", s.validation}}},
        {"early_stopping",
         {{"monitor", "val_loss"}, {"patience", s.patience}, {"restore_best_weights", true}}}}}};
}

Matrix first_rows(const Matrix& m, std::size_t n) { return n >= m.rows() ? m : slice_rows(m, 0, n); }

std::vector<std::size_t> labels_of(const Matrix& column) {
  std::vector<std::size_t> labels(column.rows());
  for (std::size_t n = 0; n < column.rows(); ++n) labels[n] = static_cast<std::size_t>(column(n, 0));
  return labels;
}

svg::Picture image(const Matrix& X, std::size_t row, std::vector<std::string> caption) {
  svg::Picture p{std::vector<double>(X.cols()), kSide, kSide, std::move(caption)};
  for (std::size_t i = 0; i < X.cols(); ++i) p.values[i] = X(row, i);
  return p;
}

std::string number(double x) { return fmt::format("{:.4f}", x + 0.0); }
std::string exact(double x) { return fmt::format("{:.9g}", x + 0.0); }
// A factor in a product: a negative number in parentheses, "0.9·(−0.0029)".
std::string factor(double x) { return x < 0 ? fmt::format("({})", exact(x)) : exact(x); }

// ---- 1. the data ----------------------------------------------------------------------------------

struct Data {
  Experiment experiment;
  std::vector<std::string> classes;
  Matrix X_test, T_test;  // 10,000 × 784 pixels, 10,000 × 1 class indices
  std::vector<std::size_t> test_labels;
};

Data load_data(course::Context& ctx, const Settings& s) {
  ctx.heading("1. The data");
  const fs::path folder = fs::absolute(s.data);
  if (!fs::is_directory(folder))
    throw UsageError(fmt::format("--data: {} is not a folder; Fashion-MNIST's four .gz files are in {} once "
                                 "Debian's dataset-fashion-mnist is installed (apt-get install dataset-fashion-mnist)",
                                 s.data, fashion_mnist_debian_folder));
  Data d{parse_experiment(chapter_spec(s, ctx.cli.seed, folder), "ch12_fashion_mnist.json"), {}, {}, {}, {}};
  DataSpec& train = d.experiment.data;
  const std::size_t all = train.X.rows();
  if (s.limit > 0 && static_cast<std::size_t>(s.limit) < all) {
    const auto n = static_cast<std::size_t>(s.limit);
    train.inputs = first_rows(train.inputs, n);
    train.X = first_rows(train.X, n);
    train.targets = first_rows(train.targets, n);
  }
  d.classes = train.class_names;
  d.X_test = d.experiment.test->X;
  d.T_test = d.experiment.test->targets;
  d.test_labels = labels_of(d.T_test);
  const std::vector<std::size_t> labels = labels_of(train.targets);
  std::vector<std::size_t> counts(d.classes.size(), 0);
  for (std::size_t l : labels) ++counts[l];
  ctx.print("{} training images (of {} in the file{}) and {} test images from {}:\n"
            "{}×{} grey levels, each pixel scaled to [0, 1] by /255 (0 = background, 1 = full ink), so an\n"
            "image is a row of {} inputs. Ten classes; the training images per class:\n\n",
            train.X.rows(), all, s.limit > 0 ? ", --limit" : "", d.X_test.rows(), folder.string(), kSide, kSide,
            kSide * kSide);
  Table table({"label", "class", "training images"});
  for (std::size_t k = 0; k < d.classes.size(); ++k)
    table.add_row({std::to_string(k), d.classes[k], std::to_string(counts[k])});
  ctx.print(table);

  if (course::plots_beside_trace(ctx)) {
    // The first two training images of each class, in label order.
    std::vector<svg::Picture> pictures;
    for (std::size_t k = 0; k < d.classes.size(); ++k) {
      std::size_t found = 0;
      for (std::size_t n = 0; n < labels.size() && found < 2; ++n)
        if (labels[n] == k) {
          pictures.push_back(image(train.X, n, {d.classes[k], fmt::format("training image {}", n)}));
          ++found;
        }
    }
    const fs::path path = course::companion_path(ctx.tracer.path(), "samples.svg");
    svg::save_image_grid(path, pictures, {.title = "Fashion-MNIST: the first two training images of each class",
                                          .columns = 10,
                                          .legend = ""});
    ctx.print("\npicture: {} (ink dark on white)\n", path.string());
  }
  return d;
}

// ---- 2. training ----------------------------------------------------------------------------------

// What the chapter keeps of the traced step for the walk-through (section 3).
struct StepCapture {
  std::size_t step = 0;           // A, the first step traced in full
  bool before = false, after = false;
  Network before_step;            // the network as step A starts (after step A − 1)
  Matrix m0, v0, m4, v4;          // Adam's m and v of layers[0].W and layers[4].W before step A
  // After step A: the batch and what it computed.
  Matrix X, Z0, A1, Z2, A3, Z4;   // input, the three stages' z, the hidden a's
  Matrix dW0, dW4, W0_after, W4_after, update0, update4;
  OptimizerState state0, state4;
  std::size_t batch_size = 0;
  double learning_rate = 0;
};

struct Training {
  Network net;
  Network initial;  // the network at its initial weights
  std::vector<EpochStats> history;
  std::vector<double> test_accuracy, test_loss, seconds;  // per epoch
  std::size_t steps_per_epoch = 0;
  double total_seconds = 0;
  ValidationSplit split;
  StepCapture capture;
};

std::size_t parameter_index(Network& net, const std::string& name) {
  const std::vector<ParameterRef> params = net.parameters();
  for (std::size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name) return i;
  throw std::logic_error("no parameter " + name);
}

Training train_network(course::Context& ctx, const Settings& s, const Data& d) {
  ctx.heading("2. The network, and training it");
  const Experiment& e = d.experiment;
  Rng rng = e.rng_at_start;  // as run_experiment: the initial weights, then the shuffles
  Training t{build_network(e, rng), {}, {}, {}, {}, {}, 0, 0, {}, {}};
  t.initial = t.net;
  const auto loss = make_loss(e);
  const auto optimizer = make_optimizer(e);
  TrainOptions options = e.training;
  options.schedule = make_schedule(e);

  // The split as run_experiment draws it: stratified, from a generator of its own.
  Rng split_rng = Rng::derived(e.seed, "validation");
  const std::vector<std::size_t> classes = target_classes(e.data.targets);
  t.split = split_validation(e.data.X.rows(), *e.validation, split_rng, &classes);
  ctx.tracer.record(TraceLevel::summary, validation_split_event(t.split, *e.validation));
  const ValidationData parts = apply_split(t.split, e.data.X, e.data.targets);
  const std::size_t N = parts.X_train.rows(), B = static_cast<std::size_t>(s.batch_size);
  t.steps_per_epoch = (N + B - 1) / B;

  const auto [first, last_traced] = parse_steps(s.trace_steps);
  options.trace_window = TrainOptions::TraceWindow{first, last_traced, false};
  t.capture.step = last_traced;  // the window's last step is opened; a window B−1:B holds Adam's m and v before it

  ctx.print("{}\n\n", t.net.describe());
  ctx.print(t.net.summary());
  ctx.print("\nHe-normal initial weights N(0, 2/fan_in) for the ReLU layers (PyTorch's kaiming_normal_, gain √2,\n"
            "fan_in mode), Glorot-uniform for the output layer; biases 0. Softmax cross-entropy on the 10 logits\n"
            "(PyTorch's CrossEntropyLoss, class indices as targets, the mean over the batch). {}, batches of {};\n"
            "η follows a cosine from {:g} to 0 over {} epochs (CosineAnnealingLR, T_max = {}).\n"
            "{} images held out for validation ({}% of each class, stratified), {} trained on: {} batches an epoch.\n"
            "Early stopping on the validation loss, patience {}, restoring the best epoch's weights.\n\n",
            optimizer->describe(), B, s.learning_rate, s.epochs, s.epochs, parts.X_validation.rows(),
            100 * s.validation, N, t.steps_per_epoch, s.patience);

  // The traced step's surroundings: the network and Adam's m, v as step A starts, what step A did.
  StepCapture& c = t.capture;
  const std::size_t w0 = parameter_index(t.net, "layers[0].W"), w4 = parameter_index(t.net, "layers[4].W");
  const auto keep_before = [&] {
    c.before_step = t.net;
    const auto moments = [&](std::size_t i, Matrix& m, Matrix& v) {
      const OptimizerState st = optimizer->state(i);
      m = st.empty() ? Matrix(t.net.parameters()[i].value.rows(), t.net.parameters()[i].value.cols()) : st.matrix("m");
      v = st.empty() ? Matrix(m.rows(), m.cols()) : st.matrix("v");
    };
    moments(w0, c.m0, c.v0);
    moments(w4, c.m4, c.v4);
    c.before = true;
  };
  if (c.step == 1) keep_before();

  Progress progress(std::cout, ctx.quiet() ? ProgressMode::off : progress_mode_for(stdout, false),
                    static_cast<std::size_t>(s.epochs));
  double epoch_start = steady_seconds();
  const double start = epoch_start;
  options.on_batch = [&](const BatchStats& b) {
    if (b.batch == 1) progress.start_epoch(b.epoch, b.batches);
    progress.batch(b.batch, b.loss, b.accuracy, b.samples);
    if (b.step + 1 == c.step) keep_before();
    if (b.step != c.step) return;
    auto& d0 = dynamic_cast<Dense&>(t.net.layer(0));
    auto& d2 = dynamic_cast<Dense&>(t.net.layer(2));
    auto& d4 = dynamic_cast<Dense&>(t.net.layer(4));
    c.X = *d0.X;
    c.Z0 = d0.Z;
    c.A1 = t.net.layer_output(1);
    c.Z2 = d2.Z;
    c.A3 = t.net.layer_output(3);
    c.Z4 = d4.Z;
    c.dW0 = d0.dW;
    c.dW4 = d4.dW;
    c.W0_after = d0.W;
    c.W4_after = d4.W;
    c.update0 = optimizer->last_update(w0);
    c.update4 = optimizer->last_update(w4);
    c.state0 = optimizer->state(w0);
    c.state4 = optimizer->state(w4);
    c.batch_size = b.samples;
    c.learning_rate = optimizer->last_learning_rate();
    c.after = true;
  };
  const auto on_epoch = [&](const EpochStats& stats) {
    const Evaluation test = evaluate(t.net, *loss, d.X_test, d.T_test, options);
    t.test_accuracy.push_back(*test.accuracy);
    t.test_loss.push_back(test.loss);
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "test_epoch"},
                                                {"epoch", stats.epoch},
                                                {"test_loss", to_json(test.loss)},
                                                {"test_accuracy", *test.accuracy}});
    const double now = steady_seconds();
    t.seconds.push_back(now - epoch_start);
    epoch_start = now;
    progress.end_epoch(fmt::format("  val_accuracy {:.4f}  test_accuracy {:.4f}", *stats.val_accuracy, *test.accuracy));
  };
  t.history = train(t.net, *loss, *optimizer, parts.X_train, parts.T_train,
                    ValidationSet{parts.X_validation, parts.T_validation}, rng, options, ctx.tracer, on_epoch);
  t.total_seconds = steady_seconds() - start;

  ctx.print("\n");
  Table table({"epoch", "η", "training loss", "training accuracy", "validation loss", "validation accuracy",
               "test accuracy", "seconds"});
  for (std::size_t i = 0; i < t.history.size(); ++i) {
    const EpochStats& h = t.history[i];
    table.add_row({std::to_string(h.epoch), fmt::format("{:.3g}", *h.learning_rate), number(h.loss),
                   number(*h.accuracy), number(*h.val_loss), number(*h.val_accuracy), number(t.test_accuracy[i]),
                   fmt::format("{:.1f}", t.seconds[i])});
  }
  ctx.print(table);
  const EpochStats& last = t.history.back();
  const auto& es = *last.early_stopping;
  const std::size_t kept = es.restored_epoch.value_or(last.epoch);
  if (es.stop)
    ctx.print("\nEarly stopping ended the run after epoch {}: {} epochs without a validation loss below epoch {}'s.\n",
              last.epoch, es.wait, es.best_epoch);
  else
    ctx.print("\nThe run went through all {} epochs; the lowest validation loss was epoch {}'s.\n", last.epoch,
              es.best_epoch);
  ctx.print("The network keeps epoch {}'s weights: test accuracy {} (validation {}, training {}).\n"
            "Training took {:.0f} s ({:.1f} s an epoch on average, the test set's evaluation included).\n"
            "Running statistics of the progress line are means over the epoch's batches as they were computed;\n"
            "the table's training numbers are the whole training part after the epoch.\n",
            kept, number(t.test_accuracy[kept - 1]), number(*t.history[kept - 1].val_accuracy),
            number(*t.history[kept - 1].accuracy), t.total_seconds,
            t.total_seconds / static_cast<double>(t.history.size()));

  if (course::plots_beside_trace(ctx)) {
    svg::Plot plot("Fashion-MNIST: accuracy after each epoch");
    plot.x_label("epoch").y_label("accuracy").legend(svg::Corner::bottom_right).x_whole();
    std::vector<double> x, tr, va;
    for (const EpochStats& h : t.history) {
      x.push_back(static_cast<double>(h.epoch));
      tr.push_back(*h.accuracy);
      va.push_back(*h.val_accuracy);
    }
    svg::LineStyle dashed;
    dashed.dashed = true;
    plot.line("training", x, tr).line("validation", x, va, dashed).line("test", x, t.test_accuracy);
    svg::PointStyle kept_point;
    kept_point.radius = 5;
    plot.points("the epoch kept", {static_cast<double>(kept)}, {t.test_accuracy[kept - 1]}, kept_point);
    const fs::path path = course::companion_path(ctx.tracer.path(), "accuracy.svg");
    plot.save(path);
    ctx.print("\nplot: {}\n", path.string());
  }
  return t;
}

// ---- 3. one step, opened ----------------------------------------------------------------------------

// Adam's numbers for one weight W(r, c) at step t: from m, v before it and the gradient g.
Json adam_numbers(const std::string& name, std::size_t r, std::size_t c, const Matrix& W_before, const Matrix& g,
                  const Matrix& m_before, const Matrix& v_before, const OptimizerState& state, const Matrix& update,
                  const Matrix& W_after) {
  return Json{{"parameter", name},
              {"row", r},
              {"col", c},
              {"W_before", to_json(W_before(r, c))},
              {"dL_dW", to_json(g(r, c))},
              {"m_before", to_json(m_before(r, c))},
              {"v_before", to_json(v_before(r, c))},
              {"m", to_json(state.matrix("m")(r, c))},
              {"v", to_json(state.matrix("v")(r, c))},
              {"m_hat", to_json(state.matrix("m_hat")(r, c))},
              {"v_hat", to_json(state.matrix("v_hat")(r, c))},
              {"denominator", to_json(state.matrix("denominator")(r, c))},
              {"update", to_json(update(r, c))},
              {"W_after", to_json(W_after(r, c))}};
}

void print_adam(course::Context& ctx, const Json& a, std::size_t t, double lr) {
  const double b1 = 0.9, b2 = 0.999;
  ctx.print("  {}[{}][{}]: θ = {}, g = dL/dW = {}\n", a["parameter"].get<std::string>(), a["row"].get<std::size_t>(),
            a["col"].get<std::size_t>(), exact(a["W_before"]), exact(a["dL_dW"]));
  ctx.print("    m = β₁·m_prev + (1 − β₁)·g = 0.9·{} + 0.1·{} = {}\n", factor(a["m_before"]), factor(a["dL_dW"]),
            exact(a["m"]));
  ctx.print("    v = β₂·v_prev + (1 − β₂)·g² = 0.999·{} + 0.001·{} = {}\n", exact(a["v_before"]),
            exact(a["dL_dW"].get<double>() * a["dL_dW"].get<double>()), exact(a["v"]));
  ctx.print("    m̂ = m/(1 − β₁^{}) = {}   v̂ = v/(1 − β₂^{}) = {}   (1 − β₁^t = {:.6g}, 1 − β₂^t = {:.6g})\n", t,
            exact(a["m_hat"]), t, exact(a["v_hat"]), 1 - std::pow(b1, static_cast<double>(t)),
            1 - std::pow(b2, static_cast<double>(t)));
  ctx.print("    Δθ = −η·m̂/(√v̂ + ε) = −{:.6g}·{}/{} = {}   θ → {}\n", lr, factor(a["m_hat"]), exact(a["denominator"]),
            exact(a["update"]), exact(a["W_after"]));
}

void open_step(course::Context& ctx, const Data& d, const Training& t) {
  ctx.heading("3. One training step, opened");
  const StepCapture& c = t.capture;
  if (!c.after) {
    ctx.print("Step {} was not reached: the run has fewer steps, or early stopping ended it sooner.\n", c.step);
    return;
  }
  const std::size_t B = c.batch_size, K = d.classes.size();
  // The batch's first image; which training image it is (its row in the training file).
  const Matrix& train_X = d.experiment.data.X;
  std::size_t index = train_X.rows();
  for (std::size_t n = 0; n < train_X.rows() && index == train_X.rows(); ++n) {
    bool same = true;
    for (std::size_t i = 0; i < train_X.cols() && same; ++i) same = train_X(n, i) == c.X(0, i);
    if (same) index = n;
  }
  const std::size_t label = static_cast<std::size_t>(d.experiment.data.targets(index, 0));
  const std::size_t epoch = (c.step - 1) / t.steps_per_epoch + 1;
  const std::string where =
      ctx.tracer.level() == TraceLevel::full
          ? fmt::format("traced at level full: the trace's forward, backward and update events\nwith \"step\": {}", c.step)
          : fmt::format("not traced in full here (--trace-level {}): the numbers are\nthe network's own", to_string(ctx.tracer.level()));
  ctx.print("Step {} (epoch {}, batch {} of {}), {}. Its batch of {} images starts with training image {} ({});\n"
            "here is that image's path through the network, and the update of two weights. η for this step: {:.6g}.\n\n",
            c.step, epoch, (c.step - 1) % t.steps_per_epoch + 1, t.steps_per_epoch, where, B, index, d.classes[label],
            c.learning_rate);

  // Forward: three units of the first hidden layer — the two largest z and the smallest.
  const auto& d0 = dynamic_cast<const Dense&>(c.before_step.layer(0));
  std::vector<std::size_t> units(c.Z0.cols());
  for (std::size_t j = 0; j < units.size(); ++j) units[j] = j;
  std::stable_sort(units.begin(), units.end(), [&](std::size_t a, std::size_t b) { return c.Z0(0, a) > c.Z0(0, b); });
  const std::vector<std::size_t> shown{units[0], units[1], units.back()};
  std::size_t inked = 0;
  for (std::size_t i = 0; i < c.X.cols(); ++i) inked += c.X(0, i) > 0;
  ctx.print("Forward, first hidden layer: z_j = Σ_i W[j][i]·x_i + b_j over the 784 pixels ({} of them inked, x > 0),\n"
            "a_j = relu(z_j) = max(0, z_j). Units with the two largest z and the smallest:\n\n",
            inked);
  Table forward({"unit j", "Σ_i W[j][i]·x_i + b_j (recomputed)", "z_j (the network's)", "a_j = relu(z_j)"});
  Json walk{{"event", "step_walkthrough"}, {"step", c.step}, {"batch_size", B}, {"sample", 0},
            {"training_index", index}, {"label", label}, {"hidden_units", Json::array()}};
  for (std::size_t j : shown) {
    double z = d0.b(0, j);
    for (std::size_t i = 0; i < c.X.cols(); ++i) z += d0.W(j, i) * c.X(0, i);
    forward.add_row({std::to_string(j), exact(z), exact(c.Z0(0, j)), exact(c.A1(0, j))});
    walk["hidden_units"].push_back(Json{{"unit", j}, {"z", to_json(c.Z0(0, j))}, {"a", to_json(c.A1(0, j))}});
  }
  ctx.print(forward);
  std::size_t active1 = 0, active3 = 0;
  for (std::size_t j = 0; j < c.A1.cols(); ++j) active1 += c.A1(0, j) > 0;
  for (std::size_t j = 0; j < c.A3.cols(); ++j) active3 += c.A3(0, j) > 0;
  ctx.print("({} of the 256 first-layer units and {} of the 128 second-layer units are active, a > 0, for this image;\n"
            "the recomputed sum and the network's z may differ in the last bits: the kernel adds in another order.)\n\n",
            active1, active3);

  // Output: logits, softmax, δ = (softmax − onehot)/B.
  const Matrix P = softmax(slice_rows(c.Z4, 0, 1));
  Table out({"class k", "z_k (logit)", "p_k = softmax(z)_k", "t_k", "δ_k = (p_k − t_k)/B"});
  Json logits = Json::array(), probs = Json::array(), delta = Json::array();
  for (std::size_t k = 0; k < K; ++k) {
    const double t_k = k == label ? 1.0 : 0.0, dk = (P(0, k) - t_k) / static_cast<double>(B);
    out.add_row({fmt::format("{} {}", k, d.classes[k]), exact(c.Z4(0, k)), exact(P(0, k)), fmt::format("{:g}", t_k),
                 exact(dk)});
    logits.push_back(to_json(c.Z4(0, k)));
    probs.push_back(to_json(P(0, k)));
    delta.push_back(to_json(dk));
  }
  walk["logits"] = logits;
  walk["probabilities"] = probs;
  walk["dL_dz_output"] = delta;
  ctx.print("Output: the 10 logits, their softmax and δ = ∂L/∂z = (softmax(z) − onehot(t))/B with B = {} (the\n"
            "loss is the mean over the batch; δ is the backward event's dL_dz, row 0, of the stage at layer 4):\n\n",
            B);
  ctx.print(out);

  // dL/dW of one output weight: row = the true class, column = the second hidden layer's most active unit.
  std::size_t j = 0;
  for (std::size_t u = 1; u < c.A3.cols(); ++u)
    if (c.A3(0, u) > c.A3(0, j)) j = u;
  const double own = (P(0, label) - 1.0) / static_cast<double>(B) * c.A3(0, j);
  ctx.print("\ndL/dW for the output weight W[{}][{}] (from hidden unit {} of the second layer, a = {}, to class {}):\n"
            "dL/dW[k][j] = Σ_n δ_n[k]·a_n[j] over the batch's {} images. Image {}'s term: δ[{}]·a[{}] = {}·{} = {};\n"
            "the whole batch's sum, the network's dW: {}.\n",
            label, j, j, exact(c.A3(0, j)), d.classes[label], B, index, label, j,
            factor((P(0, label) - 1.0) / static_cast<double>(B)), exact(c.A3(0, j)), exact(own), exact(c.dW4(label, j)));

  // One first-layer weight: from the image's most inked pixel to the first unit shown.
  std::size_t pixel = 0;
  for (std::size_t i = 1; i < c.X.cols(); ++i)
    if (c.X(0, i) > c.X(0, pixel)) pixel = i;
  const auto& d4 = dynamic_cast<const Dense&>(c.before_step.layer(4));
  const std::size_t step_t = c.step;  // every weight is updated at every step: Adam's t is the step
  Json adam = Json::array();
  adam.push_back(adam_numbers("layers[4].W", label, j, d4.W, c.dW4, c.m4, c.v4, c.state4, c.update4, c.W4_after));
  adam.push_back(
      adam_numbers("layers[0].W", shown[0], pixel, d0.W, c.dW0, c.m0, c.v0, c.state0, c.update0, c.W0_after));
  walk["output_weight_term"] = to_json(own);
  walk["adam"] = adam;
  ctx.print("\nAdam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8; t = {}, this weight's updates so far) on that weight and on the\n"
            "first-layer weight from pixel {} (row {}, column {}: x = {}) to unit {}:\n\n",
            step_t, pixel, pixel / kSide, pixel % kSide, exact(c.X(0, pixel)), shown[0]);
  for (const Json& a : adam) print_adam(ctx, a, step_t, c.learning_rate);
  ctx.print("\nm_prev and v_prev are Adam's state after step {} (in the trace's update events of that step when\n"
            "--trace-steps starts one step earlier, as {}:{} would).\n"
            "At step 1, m̂ = g and v̂ = g², so every weight moves by η·sign(g) whatever the size of its gradient; later,\n"
            "m̂/√v̂ weighs the gradient's recent mean against its recent size.\n",
            c.step - 1, c.step - 1, c.step);
  ctx.tracer.record(TraceLevel::summary, walk);
}

// ---- 4. the first layer's weights ---------------------------------------------------------------

// 64 units' 784 values as 28×28 pictures, on one diverging scale: ±(the 99th percentile of |value|,
// rounded up to two digits), so that a few large values do not wash the rest out.
void weight_pictures(const fs::path& path, const Matrix& W, const std::string& title, const std::string& legend) {
  const std::size_t shown = std::min<std::size_t>(64, W.rows());
  std::vector<double> magnitudes;
  std::vector<svg::Picture> pictures;
  for (std::size_t j = 0; j < shown; ++j) {
    svg::Picture p{std::vector<double>(W.cols()), kSide, kSide, {fmt::format("unit {}", j)}};
    for (std::size_t i = 0; i < W.cols(); ++i) {
      p.values[i] = W(j, i);
      magnitudes.push_back(std::abs(W(j, i)));
    }
    pictures.push_back(std::move(p));
  }
  std::sort(magnitudes.begin(), magnitudes.end());
  const double q = magnitudes[magnitudes.size() * 99 / 100];
  const double scale = std::pow(10.0, std::floor(std::log10(q)) - 1);
  const double limit = q > 0 ? std::ceil(q / scale) * scale : 1.0;
  svg::save_image_grid(path, pictures,
                       {.title = title, .columns = 8, .scale = 3, .map = svg::ColorMap::diverging, .limit = limit,
                        .legend = legend});
}

void first_layer(course::Context& ctx, Network& net, const Network& initial, const Matrix& X_test) {
  ctx.heading("4. What the first layer's units look for");
  const Matrix& W = dynamic_cast<const Dense&>(net.layer(0)).W;
  const Matrix& W_init = dynamic_cast<const Dense&>(initial.layer(0)).W;
  const Matrix change = W - W_init;
  const auto rms = [](const Matrix& m) {
    double sum = 0;
    for (Scalar x : m) sum += static_cast<double>(x) * static_cast<double>(x);
    return std::sqrt(sum / static_cast<double>(m.size()));
  };
  ctx.print("Each of the 256 units of the first layer has 784 weights, one per pixel: drawn as a 28×28 picture, blue\n"
            "where ink raises the unit's z, red where ink lowers it. The random start is still in them: root mean\n"
            "square {:.4f} now, {:.4f} at the start, and what training added, W − W_start, {:.4f} — as large as the\n"
            "noise it was added to. So the second picture draws the change alone: there the shapes the units learned\n"
            "to respond to show (the outline of a top's shoulders, the gap between trouser legs, the band of a sole).\n",
            rms(W), rms(W_init), rms(change));
  // Units that are 0 for every test image (a = relu(z) = 0 throughout): their weights get no gradient.
  predict(net, X_test);
  const Matrix& A1 = net.layer_output(1);
  std::vector<std::size_t> silent;
  for (std::size_t j = 0; j < A1.cols(); ++j) {
    bool any = false;
    for (std::size_t n = 0; n < A1.rows() && !any; ++n) any = A1(n, j) > 0;
    if (!any) silent.push_back(j);
  }
  std::string listed;
  for (std::size_t k = 0; k < silent.size() && k < 12; ++k) listed += fmt::format("{}{}", k ? ", " : "", silent[k]);
  if (silent.size() > 12) listed += ", …";
  if (silent.empty())
    ctx.print("Every unit is active (a > 0) for some of the {} test images.\n", X_test.rows());
  else
    ctx.print("{} of the 256 units give a = 0 for every one of the {} test images ({}): ReLUs that died in\n"
              "training — once z < 0 for every image, their weights get no gradient, and Adam's steps for them\n"
              "fade out as its running mean m decays.\n",
              silent.size(), X_test.rows(), listed);
  if (!course::plots_beside_trace(ctx)) return;
  const fs::path weights = course::companion_path(ctx.tracer.path(), "weights.svg");
  const fs::path changes = course::companion_path(ctx.tracer.path(), "weight_changes.svg");
  weight_pictures(weights, W, "First hidden layer: the weights of units 0–63, one 28×28 picture per unit",
                  "weight from the pixel to the unit (red negative, blue positive)");
  weight_pictures(changes, change, "First hidden layer: what training changed, W − W_start, units 0–63",
                  "change of the weight from the pixel to the unit");
  ctx.print("pictures: {} and {}\n", weights.string(), changes.string());
}

// ---- 5. evaluation on the test images ----------------------------------------------------------------

std::size_t evaluate_test(course::Context& ctx, const Data& d, Network& net) {
  ctx.heading("5. The test images: confusion, precision and recall, the most confident mistakes");
  const Matrix logits = predict(net, d.X_test);
  const std::vector<std::size_t> predicted = predicted_classes(logits);
  const ClassificationReport report = classification_report(d.test_labels, predicted, d.classes);
  ctx.print("Accuracy on the {} test images: {} ({} right).\n\nConfusion matrix (rows: true class, columns: predicted):\n\n",
            d.test_labels.size(), number(report.accuracy), report.confusion.correct());
  ctx.print(confusion_table(report.confusion, d.classes));
  ctx.print("\nPer class, as scikit-learn's classification_report:\n\n");
  ctx.print(classification_table(report, 3));
  const std::vector<Mistake> mistakes = most_confident_mistakes(logits, d.test_labels, 16, Outputs::logits);
  ctx.print("\nThe most confident mistakes (probability = the softmax of the logits):\n\n");
  ctx.print(mistakes_table(mistakes, d.classes));
  Json worst = Json::array();
  for (const Mistake& m : mistakes)
    worst.push_back(Json{{"index", m.index}, {"truth", m.truth}, {"predicted", m.predicted},
                         {"probability", to_json(m.probability)}});
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "test_report"},
                                              {"samples", d.test_labels.size()},
                                              {"accuracy", report.accuracy},
                                              {"confusion", report.confusion.counts},
                                              {"mistakes", worst}});
  if (mistakes.empty()) ctx.print("(none: every test image is classified right)\n");
  if (course::plots_beside_trace(ctx)) {
    const fs::path confusion = course::companion_path(ctx.tracer.path(), "confusion.svg");
    svg::save_count_matrix(confusion, report.confusion.counts, d.classes,
                           fmt::format("Fashion-MNIST test images: confusion matrix (accuracy {})", number(report.accuracy)),
                           "true class", "predicted class");
    std::vector<svg::Picture> pictures;
    for (const Mistake& m : mistakes)
      pictures.push_back(image(d.X_test, m.index,
                               {fmt::format("test {}: {}", m.index, d.classes[m.truth]),
                                fmt::format("→ {} {:.3f}", d.classes[m.predicted], m.probability)}));
    const fs::path gallery = course::companion_path(ctx.tracer.path(), "mistakes.svg");
    if (pictures.empty()) pictures.push_back({std::vector<double>(kSide * kSide, 0.0), kSide, kSide, {"(no mistakes)"}});
    svg::save_image_grid(gallery, pictures,
                         {.title = "The most confident mistakes: test image, true class → predicted, its probability",
                          .columns = 8,
                          .legend = ""});
    ctx.print("\npictures: {} and {}\n", confusion.string(), gallery.string());
  }
  return report.confusion.correct();
}

// ---- 6. save, load, compare ---------------------------------------------------------------------------

void save_and_reload(course::Context& ctx, const Data& d, Network& net) {
  ctx.heading("6. The model saved, and loaded back");
  if (!course::plots_beside_trace(ctx)) {
    ctx.print("(No model file: it is written beside the trace, and there is no trace file.)\n");
    return;
  }
  const fs::path path = course::companion_path(ctx.tracer.path(), "model.json");
  save_model(d.experiment, net, path);
  const Model loaded = load_model(path);
  Network reloaded = loaded.network;
  const Matrix& before = predict(net, d.X_test);
  const Matrix saved_logits = before;
  const Matrix& after = predict(reloaded, test_inputs(loaded.experiment, RunResult{}));
  std::size_t differ = 0;
  for (std::size_t n = 0; n < after.rows(); ++n)
    for (std::size_t k = 0; k < after.cols(); ++k) differ += after(n, k) != saved_logits(n, k);
  const double accuracy = glassbox::accuracy(after, loaded.experiment.test->targets);
  ctx.print("The model: {} ({:.1f} MB) — the experiment's spec with every weight and bias written in, each double in\n"
            "the shortest form that reads back to the same bits. Loaded back (the test images read again from\n"
            "its \"test\" entry): {} of the {} logits differ from the trained network's; test accuracy {}.\n"
            "In a fresh process:\n\n    build/release/bin/glassbox evaluate {}\n",
            path.string(), static_cast<double>(fs::file_size(path)) / 1e6, differ, after.rows() * after.cols(),
            number(accuracy), path.string());
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "model_check"},
                                              {"model_bytes", fs::file_size(path)},
                                              {"differing_logits", differ},
                                              {"test_accuracy", accuracy}});
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CommandLine cli({.name = "ch12_fashion_mnist",
                   .chapter = 12,
                   .title = "Fashion-MNIST end to end",
                   .purpose = "A 784-256-128-10 ReLU network learns Fashion-MNIST's images of clothing with Adam, a\n"
                              "validation split and early stopping; what its first layer learned, where it errs, one real\n"
                              "training step opened number by number, and the model saved and loaded back.",
                   .default_trace_level = TraceLevel::full});
  cli.option("data", s.data, {}, "the folder of Fashion-MNIST's four IDX files (default: Debian's)", "DIR");
  cli.option("limit", s.limit, 0, 60000, "train on the first N training images only (0: all)");
  cli.option("epochs", s.epochs, 1, 1000, "epochs at most (early stopping may end sooner; the cosine runs over them)");
  cli.option("batch-size", s.batch_size, 1, 60000, "images per mini-batch");
  cli.option("learning-rate", s.learning_rate, 1e-6, 1.0, "Adam's η at the start");
  cli.option("validation", s.validation, 0.01, 0.5, "the fraction of the training images held out for validation");
  cli.option("patience", s.patience, 1, 1000, "early stopping: epochs without a lower validation loss");
  cli.option("trace-steps", s.trace_steps, {},
             "A:B, the steps traced at level full (the others at summary); step B is opened in section 3", "A:B");
  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    parse_steps(s.trace_steps);  // a malformed window is refused before anything is read or written
    const Data d = load_data(ctx, s);
    Training t = train_network(ctx, s, d);
    open_step(ctx, d, t);
    first_layer(ctx, t.net, t.initial, d.X_test);
    const std::size_t right = evaluate_test(ctx, d, t.net);
    save_and_reload(ctx, d, t.net);
    const std::size_t kept = t.history.back().early_stopping->restored_epoch.value_or(t.history.back().epoch);
    ctx.result = Json{{"epochs_run", t.history.size()},
                      {"epoch_kept", kept},
                      {"val_accuracy", *t.history[kept - 1].val_accuracy},
                      {"test_accuracy", static_cast<double>(right) / static_cast<double>(d.test_labels.size())}};
  });
}
