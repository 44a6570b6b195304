// Chapter 09 — output layers and losses
//
// Teaches: which output layer and loss fit which task, each run on data: regression with outliers
// (MSE, MAE, Huber and pseudo-Huber, and how far the outliers pull each fit), a binary classifier
// with one logistic output (sigmoid + BCE is BCE on logits, which stays exact where the sigmoid
// rounds to 0 or 1), multilabel classification with two logistic outputs (any combination of
// labels), multiclass softmax on iris, sparse labels giving the same loss and gradients as one-hot
// ones, and the hinge loss that stops pushing beyond its margin.
// New in lib/: losses.hpp grew mae, huber, pseudo_huber, hinge, bce_with_logits, multilabel_bce,
// categorical_cross_entropy and sparse_softmax_cross_entropy, each with PyTorch's conventions.
// Run: ch09_losses_outputs [--data data/iris.csv] [--epochs N] [--regression-epochs N] [--huber-delta δ]
//                          [--outlier-fraction f] [--learning-rate η] [--trace PATH] [--trace-level …]
// Trace: traces/ch09_losses_outputs.json — every training run opens with "output_run", then train()'s
// events; "regression_fit" per regression loss, "logit_stability", "loss_equivalence" for each pair
// of losses that must agree, "classifier_result" per classifier, iris's "dataset", "data_split" and
// "confusion_matrix".
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/nn/activations.hpp"
#include "glassbox/data/dataset.hpp"
#include "glassbox/nn/initializers.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/train/metrics.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

struct Settings {
  std::string data_path = "data/iris.csv";
  std::int64_t epochs = 200;              // the classifiers
  std::int64_t regression_epochs = 2000;  // full-batch: one update per epoch
  std::int64_t batch_size = 16;
  double learning_rate = 0.1;
  double huber_delta = 0.5;
  double outlier_fraction = 0.1;
};

std::string number(double x) { return fmt::format("{:.4g}", x + 0.0); }

// Trains `net` on (X, T), after recording which run this is; returns the epochs' statistics.
std::vector<EpochStats> run(course::Context& ctx, const Settings& s, const std::string& task, Network& net,
                            const Loss& loss, const Matrix& X, const Matrix& T, std::int64_t epochs,
                            bool classification, double threshold = 0.5, std::int64_t batch_size = -1) {
  if (batch_size < 0) batch_size = s.batch_size;
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "output_run"},
                                              {"task", task},
                                              {"network", net.describe()},
                                              {"loss_function", loss.describe()},
                                              {"samples", X.rows()},
                                              {"epochs", epochs},
                                              {"batch_size", batch_size == 0 ? static_cast<std::int64_t>(X.rows()) : batch_size},
                                              {"learning_rate", s.learning_rate}});
  SGD sgd(s.learning_rate);
  return train(net, loss, sgd, X, T, ctx.rng, TrainOptions{.epochs = static_cast<std::size_t>(epochs),
                                                           .batch_size = static_cast<std::size_t>(batch_size),
                                                           .classification = classification,
                                                           .threshold = threshold},
               ctx.tracer);
}

double largest_difference(Network& a, Network& b, bool gradients) {
  double worst = 0;
  auto pa = a.parameters(), pb = b.parameters();
  for (std::size_t i = 0; i < pa.size(); ++i)
    worst = std::max(worst, static_cast<double>(gradients ? max_abs_diff(pa[i].grad, pb[i].grad)
                                                          : max_abs_diff(pa[i].value, pb[i].value)));
  return worst;
}

// ---- 1. regression: outliers pull ---------------------------------------------------------------

double clean(double x) { return std::sin(M_PI * x); }

void regression(course::Context& ctx, const Settings& s) {
  ctx.heading("1. Regression with outliers: one linear output; MSE, MAE, Huber, pseudo-Huber");
  // y = sin(πx) + noise; a fraction of the samples are outliers, pushed up by 2 to 4
  const std::size_t N = 200;
  Matrix X = Matrix::uniform(N, 1, ctx.rng, -1, 1), T(N, 1);
  std::size_t outliers = 0;
  for (std::size_t n = 0; n < N; ++n) {
    T(n, 0) = clean(X(n, 0)) + ctx.rng.normal(0, 0.1);
    if (ctx.rng.bernoulli(s.outlier_fraction)) {
      T(n, 0) += ctx.rng.uniform(2, 4);
      ++outliers;
    }
  }
  ctx.print("{} samples of y = sin(πx) + N(0, 0.1²), {} of them outliers pushed up by 2 to 4.\n"
            "Network: Dense(1→16, tanh) → Dense(16→1), one linear output, the same start for every loss.\n\n",
            N, outliers);

  const Json delta{{"delta", s.huber_delta}};
  const std::vector<std::pair<std::string, Json>> losses = {
      {"mse", Json::object()}, {"mae", Json::object()}, {"huber", delta}, {"pseudo_huber", delta}};
  Network start;
  start.dense(1, 16, ctx.rng, make_initializer("glorot_uniform")).activation("tanh");
  start.dense(16, 1, ctx.rng, make_initializer("glorot_uniform"));

  // the fit against the clean curve on a grid over [−1, 1]
  const std::size_t G = 101;
  Matrix grid(G, 1);
  for (std::size_t i = 0; i < G; ++i) grid(i, 0) = -1 + 2.0 * static_cast<double>(i) / (G - 1);
  const std::vector<double> probes = {-0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75};

  std::vector<std::string> headers{"loss", "training loss", "RMSE vs sin(πx)", "mean offset"};
  for (double x : probes) headers.push_back(fmt::format("ŷ({})", x));
  Table table(headers);
  std::vector<std::string> truth{"sin(πx)", "", "", ""};
  for (double x : probes) truth.push_back(number(clean(x)));
  table.add_row(truth);
  for (const auto& [name, options] : losses) {
    const auto loss = make_loss(name, Reduction::mean, options);
    Network net = start;
    const auto history = run(ctx, s, "regression", net, *loss, X, T, s.regression_epochs, false, 0.5, 0);
    const Matrix fitted = net.forward(grid);
    double squared = 0, offset = 0;
    for (std::size_t i = 0; i < G; ++i) {
      const double e = fitted(i, 0) - clean(grid(i, 0));
      squared += e * e;
      offset += e;
    }
    const double rmse = std::sqrt(squared / G);
    offset /= G;
    Matrix probe_x(probes.size(), 1);
    for (std::size_t i = 0; i < probes.size(); ++i) probe_x(i, 0) = probes[i];
    const Matrix probe_y = net.forward(probe_x);
    std::vector<std::string> row{loss->describe(), number(history.back().loss), number(rmse), number(offset)};
    std::vector<double> ys;
    for (std::size_t i = 0; i < probes.size(); ++i) {
      row.push_back(number(probe_y(i, 0)));
      ys.push_back(probe_y(i, 0));
    }
    table.add_row(row);
    ctx.tracer.record(TraceLevel::summary, Json{{"event", "regression_fit"},
                                                {"loss_function", loss->describe()},
                                                {"outliers", outliers},
                                                {"training_loss", to_json(history.back().loss)},
                                                {"rmse_clean", rmse},
                                                {"mean_offset", offset},
                                                {"x", to_json(probes)},
                                                {"fitted", to_json(ys)}});
    ctx.result["regression"][name] = Json{{"rmse_clean", rmse}, {"mean_offset", offset}};
  }
  ctx.print(table);
  ctx.print("\nRMSE and mean offset compare the fit with the clean curve sin(πx) on 101 points of [−1, 1].\n"
            "Squared error lets each outlier pull with its whole residual (about 3): MSE's fit is lifted by\n"
            "about the outliers' share × their size, {}/{} × 3 ≈ {:.2f}. MAE pulls every sample with the same\n"
            "strength 1, so it fits the median and the outliers barely move it. Huber is ½·r² inside δ = {}\n"
            "and linear outside, slope ±δ: each outlier's pull is capped at δ. (Errata: the notes garble Huber's linear\n"
            "branch; it is δ·(|r| − ½δ), which meets ½r² with the same value and slope at |r| = δ.)\n",
            outliers, N, 3.0 * static_cast<double>(outliers) / static_cast<double>(N), s.huber_delta);
}

// ---- 2. logits: why the sigmoid goes inside the loss --------------------------------------------

void logit_stability(course::Context& ctx) {
  ctx.heading("2. One logistic output: BCE on σ(z), or BCE on the logit z");
  const std::vector<double> zs = {0, 5, 20, 37, 40, 100, 1000};
  Table table({"logit z (target 0)", "σ(z)", "bce(σ(z), 0)", "bce_with_logits(z, 0)", "exact: ln(1 + e^z)"});
  std::vector<double> p, on_sigmoid, on_logit;
  for (double z : zs) {
    const double s = Sigmoid{}.value(z);
    const double a = BinaryCrossEntropy(Reduction::sum).value(Matrix{{s}}, Matrix{{0}});
    const double b = BinaryCrossEntropyWithLogits(Reduction::sum).value(Matrix{{z}}, Matrix{{0}});
    p.push_back(s);
    on_sigmoid.push_back(a);
    on_logit.push_back(b);
    table.add_row({number(z), fmt::format("{:.17g}", s), number(a), number(b), number(Softplus{}.value(z))});
  }
  ctx.print(table);
  ctx.print("\nThe target is 0 and the network says z: the loss should be ln(1 + e^z) ≈ z. Once σ(z) rounds to\n"
            "1 (z ≳ 37 in double precision), ln(1 − σ(z)) = ln 0 and BCE on probabilities can only report its\n"
            "clamp, 100 — the same for z = 40 and z = 1000 — and its gradient through the sigmoid is lost.\n"
            "BCE on logits, max(z, 0) − z·t + ln(1 + e^(−|z|)), is exact for every z, and its gradient is\n"
            "simply σ(z) − t.\n");
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "logit_stability"},
                                              {"target", 0},
                                              {"z", to_json(zs)},
                                              {"sigmoid", to_json(p)},
                                              {"bce_on_sigmoid", to_json(on_sigmoid)},
                                              {"bce_with_logits", to_json(on_logit)}});
}

// ---- 3. a binary classifier ---------------------------------------------------------------------

// Two overlapping Gaussian clouds in the plane, N/2 each: class 1 around (1, 1), class 0 around
// (−1, −1), both with standard deviation 1.2.
struct Binary {
  Matrix X, T;
};
Binary two_clouds(std::size_t N, Rng& rng) {
  Binary d{Matrix(N, 2), Matrix(N, 1)};
  for (std::size_t n = 0; n < N; ++n) {
    const double c = n % 2 == 0 ? 1.0 : 0.0;
    d.T(n, 0) = c;
    for (std::size_t k = 0; k < 2; ++k) d.X(n, k) = rng.normal(c == 1 ? 1.0 : -1.0, 1.2);
  }
  return d;
}

void binary_classifier(course::Context& ctx, const Settings& s, const Binary& data) {
  ctx.heading("3. A binary classifier: one logistic output");
  Network logits;
  logits.dense(2, 8, ctx.rng, make_initializer("glorot_uniform")).activation("tanh");
  logits.dense(8, 1, ctx.rng, make_initializer("glorot_uniform"));
  Network probabilities = logits;  // the same weights, with a sigmoid layer on top
  probabilities.activation("sigmoid");

  // At the start: the same loss, and the same gradient for every weight
  const BinaryCrossEntropyWithLogits on_logits;
  const BinaryCrossEntropy on_probabilities;
  const double loss_a = on_logits.value(logits.forward(data.X), data.T);
  const double loss_b = on_probabilities.value(probabilities.forward(data.X), data.T);
  logits.zero_grad();
  probabilities.zero_grad();
  logits.backward(on_logits.gradient(logits.forward(data.X), data.T));
  probabilities.backward(on_probabilities.gradient(probabilities.forward(data.X), data.T));
  const double gradient_difference = largest_difference(logits, probabilities, true);

  // Both runs see the samples in the same order: the second starts from the generator's state
  // before the first (and leaves it where the first did).
  Rng order = ctx.rng;
  const auto a = run(ctx, s, "binary", logits, on_logits, data.X, data.T, s.epochs, true, 0.0);
  std::swap(order, ctx.rng);
  const auto b = run(ctx, s, "binary", probabilities, on_probabilities, data.X, data.T, s.epochs, true, 0.5);
  const double weight_difference = largest_difference(logits, probabilities, false);

  Table table({"network", "loss", "loss at start", "loss after", "accuracy"});
  table.add_row({logits.describe(), on_logits.describe(), number(loss_a), number(a.back().loss),
                 fmt::format("{:.3f}", *a.back().accuracy)});
  table.add_row({probabilities.describe(), on_probabilities.describe(), number(loss_b), number(b.back().loss),
                 fmt::format("{:.3f}", *b.back().accuracy)});
  ctx.print("{} points in two overlapping clouds (class 1 around (1, 1), class 0 around (−1, −1)), {} epochs.\n\n",
            data.X.rows(), s.epochs);
  ctx.print(table);
  ctx.print("\nThe same network with the sigmoid inside the loss or as a layer: the losses at the start differ\n"
            "by {:.1e}, every weight's gradient by at most {:.1e}, and after {} epochs the weights by {:.1e}:\n"
            "dℓ/dz = dℓ/dp · σ′(z) = (p − t)/(p(1 − p)) · p(1 − p) = p − t either way, up to rounding.\n",
            std::abs(loss_a - loss_b), gradient_difference, s.epochs, weight_difference);
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "loss_equivalence"},
                                              {"comparison", "logistic output: bce_with_logits vs sigmoid + bce"},
                                              {"loss_a", on_logits.describe()},
                                              {"loss_b", on_probabilities.describe()},
                                              {"value_a", loss_a},
                                              {"value_b", loss_b},
                                              {"max_gradient_difference", gradient_difference},
                                              {"max_weight_difference_after_training", weight_difference}});
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "classifier_result"},
                                              {"task", "binary"},
                                              {"loss_function", on_logits.describe()},
                                              {"train_accuracy", *a.back().accuracy}});
  ctx.result["binary_accuracy"] = *a.back().accuracy;
}

// ---- 4. multilabel ------------------------------------------------------------------------------

// Synthetic e-mails: four features (links, exclamation marks, deadline words, known sender), each
// N(0, 1); "spam" when links + exclamations − known sender > 0.5, "urgent" when deadline words +
// ½·exclamations > 0.5. The labels are independent decisions: all four combinations occur.
struct Multilabel {
  Matrix X, T;
};
Multilabel emails(std::size_t N, Rng& rng) {
  Multilabel d{Matrix::normal(N, 4, rng, 0, 1), Matrix(N, 2)};
  for (std::size_t n = 0; n < N; ++n) {
    d.T(n, 0) = d.X(n, 0) + d.X(n, 1) - d.X(n, 3) > 0.5 ? 1 : 0;
    d.T(n, 1) = d.X(n, 2) + 0.5 * d.X(n, 1) > 0.5 ? 1 : 0;
  }
  return d;
}

std::string combination(double spam, double urgent) {
  return std::string(spam >= 0.5 ? "spam" : "not spam") + ", " + (urgent >= 0.5 ? "urgent" : "not urgent");
}

void multilabel(course::Context& ctx, const Settings& s) {
  ctx.heading("4. Multilabel: two logistic outputs, \"spam\" and \"urgent\", any combination");
  const Multilabel train_set = emails(600, ctx.rng), test_set = emails(200, ctx.rng);
  Network net;
  net.dense(4, 16, ctx.rng, make_initializer("glorot_uniform")).activation("tanh");
  net.dense(16, 2, ctx.rng, make_initializer("glorot_uniform"));
  const MultilabelBinaryCrossEntropy loss;
  run(ctx, s, "multilabel", net, loss, train_set.X, train_set.T, s.epochs, false);

  const Matrix Z = net.forward(test_set.X);
  const Matrix P = Z.apply([](Scalar z) { return Sigmoid{}.value(z); });
  double right[2] = {0, 0}, exact = 0;
  std::map<std::string, std::pair<std::size_t, std::size_t>> counts;  // combination → (true, predicted)
  for (std::size_t n = 0; n < P.rows(); ++n) {
    bool all = true;
    for (std::size_t k = 0; k < 2; ++k) {
      const bool ok = (P(n, k) >= 0.5) == (test_set.T(n, k) >= 0.5);
      right[k] += ok;
      all = all && ok;
    }
    exact += all;
    ++counts[combination(test_set.T(n, 0), test_set.T(n, 1))].first;
    ++counts[combination(P(n, 0), P(n, 1))].second;
  }
  const double N = static_cast<double>(P.rows());
  Table combos({"labels", "in the test set", "predicted"});
  Json combos_json = Json::object();
  for (const auto& [name, c] : counts) {
    combos.add_row({name, fmt::format("{}", c.first), fmt::format("{}", c.second)});
    combos_json[name] = Json{{"true", c.first}, {"predicted", c.second}};
  }
  ctx.print("{} on 600 training and 200 test e-mails, {} epochs.\n\n", net.describe(), s.epochs);
  ctx.print(combos);
  Table examples({"e-mail", "P(spam)", "P(urgent)", "sum", "labels"});
  for (std::size_t n = 0; n < 4; ++n)
    examples.add_row({fmt::format("test {}", n), number(P(n, 0)), number(P(n, 1)), number(P(n, 0) + P(n, 1)),
                      combination(test_set.T(n, 0), test_set.T(n, 1))});
  ctx.print("\nTest accuracy per label: spam {:.3f}, urgent {:.3f}; both right: {:.3f}.\n\n", right[0] / N,
            right[1] / N, exact / N);
  ctx.print(examples);
  ctx.print("\nEach output is its own logistic regression on the shared hidden layer: the probabilities are\n"
            "independent and need not sum to 1. (Softmax would force exactly one label per e-mail.)\n");
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "classifier_result"},
                                              {"task", "multilabel"},
                                              {"loss_function", loss.describe()},
                                              {"test_accuracy", exact / N},
                                              {"label_accuracy", Json{{"spam", right[0] / N}, {"urgent", right[1] / N}}},
                                              {"combinations", combos_json}});
  ctx.result["multilabel_exact_match"] = exact / N;
}

// ---- 5. multiclass on iris; sparse and one-hot labels -------------------------------------------

Matrix label_column(const std::vector<std::size_t>& labels) {
  Matrix m(labels.size(), 1);
  for (std::size_t n = 0; n < labels.size(); ++n) m(n, 0) = static_cast<Scalar>(labels[n]);
  return m;
}

void multiclass(course::Context& ctx, const Settings& s, const Dataset& iris) {
  ctx.heading("5. Multiclass: a softmax over three outputs, on iris");
  const double test_fraction = 0.3;
  const Split split = stratified_split(iris, test_fraction, ctx.rng);
  Dataset train_set = subset(iris, split.train), test_set = subset(iris, split.test);
  Standardizer standardizer;
  standardizer.fit(train_set.X);
  train_set.X = standardizer.transform(train_set.X);
  test_set.X = standardizer.transform(test_set.X);
  ctx.tracer.record(TraceLevel::summary, dataset_event(iris, s.data_path, iris.feature_names));
  ctx.tracer.record(TraceLevel::summary, data_split_event(train_set, test_set, test_fraction, standardizer));

  Network one_hot_net;
  one_hot_net.dense(4, 8, ctx.rng, make_initializer("glorot_uniform")).activation("tanh");
  one_hot_net.dense(8, 3, ctx.rng, make_initializer("glorot_uniform"));
  Network sparse_net = one_hot_net;
  const Matrix T_one_hot = one_hot(train_set.labels, 3), T_sparse = label_column(train_set.labels);
  const SoftmaxCrossEntropy one_hot_loss;
  const SparseSoftmaxCrossEntropy sparse_loss;

  // Sparse and one-hot labels at the start: the loss and every gradient, compared bit for bit
  const double value_one_hot = one_hot_loss.value(one_hot_net.forward(train_set.X), T_one_hot);
  const double value_sparse = sparse_loss.value(sparse_net.forward(train_set.X), T_sparse);
  one_hot_net.zero_grad();
  sparse_net.zero_grad();
  one_hot_net.backward(one_hot_loss.gradient(one_hot_net.forward(train_set.X), T_one_hot));
  sparse_net.backward(sparse_loss.gradient(sparse_net.forward(train_set.X), T_sparse));
  const double gradient_difference = largest_difference(one_hot_net, sparse_net, true);

  Rng order = ctx.rng;  // the same order of samples for both runs, as in section 3
  const auto a = run(ctx, s, "multiclass", one_hot_net, one_hot_loss, train_set.X, T_one_hot, s.epochs, true);
  std::swap(order, ctx.rng);
  const auto b = run(ctx, s, "multiclass", sparse_net, sparse_loss, train_set.X, T_sparse, s.epochs, true);
  const double weight_difference = largest_difference(one_hot_net, sparse_net, false);

  const Matrix Z = one_hot_net.forward(test_set.X);
  const Matrix P = softmax(Z);
  const ConfusionMatrix confusion = confusion_matrix(test_set.labels, argmax_cols(Z), 3);
  ctx.tracer.record(TraceLevel::summary, confusion_event(confusion, "softmax", "test", iris.class_names));
  ctx.print("{} flowers for training, {} for testing (standardised). {} with {}, {} epochs.\n"
            "Training accuracy {:.3f}; test accuracy {:.3f}:\n\n",
            train_set.size(), test_set.size(), one_hot_net.describe(), one_hot_loss.describe(), s.epochs,
            *a.back().accuracy, confusion.accuracy());
  ctx.print(confusion_table(confusion, iris.class_names));
  Table examples({"test flower", "P(setosa)", "P(versicolor)", "P(virginica)", "sum", "species"});
  for (std::size_t n = 0; n < 3; ++n)
    examples.add_row({fmt::format("{}", test_set.ids[n]), number(P(n, 0)), number(P(n, 1)), number(P(n, 2)),
                      number(P(n, 0) + P(n, 1) + P(n, 2)), iris.class_names[test_set.labels[n]]});
  ctx.print("\nThe network's outputs are logits; softmax turns each row into probabilities that sum to 1\n"
            "(inside the loss while training, explicitly here):\n\n");
  ctx.print(examples);
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "classifier_result"},
                                              {"task", "multiclass"},
                                              {"loss_function", one_hot_loss.describe()},
                                              {"train_accuracy", *a.back().accuracy},
                                              {"test_accuracy", confusion.accuracy()}});
  ctx.result["iris_test_accuracy"] = confusion.accuracy();

  ctx.heading("6. Sparse labels: class indices instead of one-hot rows");
  ctx.print("{} takes the labels as one column of class indices, (N×1), and computes the same\n"
            "ℓ_n = lse(z_n) − z_n,y_n without building the (N×3) one-hot matrix. On the training set at the start:\n"
            "  one-hot: {:.17g}\n  sparse:  {:.17g}\n"
            "every weight's gradient differs by {}, and after {} epochs from the same start, in the same order,\n"
            "the weights differ by {} (training accuracy {:.3f} and {:.3f}).\n",
            sparse_loss.describe(), value_one_hot, value_sparse, gradient_difference, s.epochs, weight_difference,
            *a.back().accuracy, *b.back().accuracy);
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "loss_equivalence"},
                                              {"comparison", "class labels: sparse vs one-hot"},
                                              {"loss_a", one_hot_loss.describe()},
                                              {"loss_b", sparse_loss.describe()},
                                              {"value_a", value_one_hot},
                                              {"value_b", value_sparse},
                                              {"max_gradient_difference", gradient_difference},
                                              {"max_weight_difference_after_training", weight_difference}});
}

// ---- 7. hinge -----------------------------------------------------------------------------------

void hinge(course::Context& ctx, const Settings& s, const Binary& data) {
  ctx.heading("7. The hinge loss: labels ±1, a raw score, and a margin");
  Matrix T = data.T;
  for (Scalar& t : T) t = t == 1 ? 1 : -1;
  Network net;
  net.dense(2, 8, ctx.rng, make_initializer("glorot_uniform")).activation("tanh");
  net.dense(8, 1, ctx.rng, make_initializer("glorot_uniform"));
  Network logistic = net;
  const Hinge hinge_loss;
  const BinaryCrossEntropyWithLogits logistic_loss;
  Rng order = ctx.rng;  // the same order of samples for both runs, as in section 3
  const auto a = run(ctx, s, "hinge", net, hinge_loss, data.X, T, s.epochs, true, 0.0);
  std::swap(order, ctx.rng);
  const auto b = run(ctx, s, "hinge", logistic, logistic_loss, data.X, data.T, s.epochs, true, 0.0);

  // Which samples still push on the weights after training: a non-zero gradient of their loss
  auto pushing = [](const Matrix& dY) {
    std::size_t n = 0;
    for (Scalar g : dY) n += g != 0;
    return n;
  };
  const Matrix Y = net.forward(data.X);
  const std::size_t hinge_pushing = pushing(hinge_loss.gradient(Y, T));
  const std::size_t logistic_pushing = pushing(logistic_loss.gradient(logistic.forward(data.X), data.T));
  std::size_t beyond_margin = 0;
  for (std::size_t n = 0; n < Y.rows(); ++n) beyond_margin += T(n, 0) * Y(n, 0) >= 1;
  const auto share = [&](std::size_t count) { return static_cast<double>(count) / static_cast<double>(Y.rows()); };

  Table table({"loss", "labels", "accuracy", "samples beyond the margin t·y ≥ 1", "samples still pushing"});
  table.add_row({hinge_loss.describe(), "−1, +1", fmt::format("{:.3f}", *a.back().accuracy),
                 fmt::format("{} of {}", beyond_margin, Y.rows()), fmt::format("{}", hinge_pushing)});
  table.add_row({logistic_loss.describe(), "0, 1", fmt::format("{:.3f}", *b.back().accuracy), "—",
                 fmt::format("{}", logistic_pushing)});
  ctx.print("One network, drawn afresh and copied so that both runs start from the same weights, on the two\n"
            "clouds of section 3, with max(0, 1 − t·y) and with BCE:\n\n");
  ctx.print(table);
  ctx.print("\nThe hinge is exactly 0 for a sample classified right with room to spare (t·y ≥ 1): its gradient\n"
            "is 0 and it stops influencing the weights, so the boundary is set by the samples near it — the\n"
            "support vectors. Logistic loss never reaches 0: every sample keeps pushing, less and less.\n");
  ctx.tracer.record(TraceLevel::summary, Json{{"event", "classifier_result"},
                                              {"task", "hinge"},
                                              {"loss_function", hinge_loss.describe()},
                                              {"train_accuracy", *a.back().accuracy},
                                              {"beyond_margin", share(beyond_margin)},
                                              {"pushing", share(hinge_pushing)},
                                              {"logistic_pushing", share(logistic_pushing)}});
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CommandLine cli({.name = "ch09_losses_outputs",
                   .chapter = 9,
                   .title = "Output layers and losses",
                   .purpose = "Which output layer and loss for which task, run on data: regression with outliers\n"
                              "(MSE, MAE, Huber), one logistic output, two for multilabel, softmax on iris, sparse\n"
                              "labels, and the hinge.",
                   .default_trace_level = TraceLevel::summary});
  cli.option("data", s.data_path, {}, "the iris CSV file", "PATH");
  cli.option("epochs", s.epochs, 1, 100000, "epochs of each classifier");
  cli.option("regression-epochs", s.regression_epochs, 1, 100000, "epochs (full-batch updates) of each regression");
  cli.option("batch-size", s.batch_size, 1, 100000, "samples per update");
  cli.option("learning-rate", s.learning_rate, 1e-6, 10.0, "SGD step size η");
  cli.option("huber-delta", s.huber_delta, 1e-6, 1000.0, "δ of the Huber and pseudo-Huber losses");
  cli.option("outlier-fraction", s.outlier_fraction, 0.0, 0.5, "share of the regression samples made outliers");
  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    const Dataset iris = load_iris(s.data_path);  // first: a bad file stops the run before any work
    ctx.print("\n  task                        output layer              loss\n"
              "  regression                  1 linear unit per target  mse (mae, huber, pseudo_huber with outliers)\n"
              "  binary classification       1 logistic unit           bce_with_logits (or sigmoid + bce)\n"
              "  multilabel classification   K logistic units          multilabel_bce\n"
              "  multiclass classification   K softmax units           softmax_cross_entropy (sparse_… for indices)\n"
              "  margin classification       1 linear score            hinge (labels ±1)\n");
    regression(ctx, s);
    logit_stability(ctx);
    const Binary clouds = two_clouds(400, ctx.rng);
    binary_classifier(ctx, s, clouds);
    multilabel(ctx, s);
    multiclass(ctx, s, iris);
    hinge(ctx, s, clouds);
  });
}
