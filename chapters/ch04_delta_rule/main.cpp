// Chapter 04 — the delta rule
//
// Teaches: replace the step by a smooth output and the mistake count by a loss, and learning
// becomes gradient descent. Each model is one Dense layer (Z = X·Wᵀ + b) with an output function
// matched to its loss — identity with MSE (linear regression, Adaline), sigmoid with binary
// cross-entropy (logistic regression), softmax with cross-entropy — and its backward pass is the
// delta rule: dL/dZ = c·(Y − T), the perceptron rule's shape. Linear regression is trained three
// ways (batch, stochastic, mini-batch) and the batch weights agree with the normal equations. Too
// large a learning rate makes the loss grow without bound; the run says so instead of printing NaN.
// New in lib/: divergence.hpp (DivergenceGuard, watch_divergence for train()), linalg.hpp's
// solve_normal_equations and symmetric_eigenvalues. First used here: the layer library —
// dense.hpp, activations.hpp, losses.hpp, optimizers.hpp (SGD), train.hpp, gradcheck.hpp.
// Run: ch04_delta_rule [--data data/iris.csv] [--learning-rate 0.3] [--epochs 500] [--batch-size 16]
//      [--too-large 1.1] … (see --help) [--seed N] [--trace PATH] [--trace-level off|summary|step|full]
// Trace: traces/ch04_delta_rule.json — each training run opens with "delta_run" and closes with
// "delta_training"; between them train()'s "step" per update (step level: the batch loss) and
// "epoch" per epoch, and at full level "forward", "backward", "update". Also "normal_equations",
// "output_error_check", "divergence", "confusion_matrix", "dataset" and "data_split".
#include <cmath>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/nn/activations.hpp"
#include "glassbox/data/dataset.hpp"
#include "glassbox/train/divergence.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/core/linalg.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/train/metrics.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

std::string num(Scalar x) { return fmt::format("{:.4g}", x + 0.0); }

std::string vec(const Matrix& m) {
  std::string out = "(";
  for (std::size_t i = 0; i < m.size(); ++i) out += fmt::format("{}{:.5g}", i ? ", " : "", m.data()[i] + 0.0);
  return out + ")";
}

// One layer Dense(in→out) with all weights 0 (the losses are convex: nothing to break), followed by
// the output function when there is one ("identity", "sigmoid"; softmax lives in the loss).
Network single_layer(std::size_t in, std::size_t out, const std::string& output) {
  Network net;
  net.dense(Matrix(out, in), Matrix(1, out));
  if (!output.empty()) net.activation(output);
  return net;
}

Dense& dense_of(Network& net) { return static_cast<Dense&>(net.layer(0)); }

struct Mode {
  std::string run;         // names the run in the trace: "linear, batch", "linear, too large", …
  std::string model;       // "linear", "logistic", "softmax"
  std::string name;        // "batch", "stochastic", "mini-batch"
  std::size_t batch_size;  // 0: all samples
  double learning_rate;
  std::size_t epochs;
};

struct Run {
  std::vector<EpochStats> epochs;
  double initial_loss = 0;
};

// Trains `net` with SGD(η) on (X, T) as `mode` says, inside a DivergenceGuard; train() records the
// "step" and "epoch" events. Throws DivergenceError (or NonFiniteError from train()).
Run train_run(course::Context& ctx, Network& net, const Loss& loss, const Matrix& X, const Matrix& T, const Mode& mode,
              const EpochCallback& then = {}) {
  Run run;
  run.initial_loss = evaluate(net, loss, X, T).loss;
  ctx.tracer.record(TraceLevel::summary,
                    Json{{"event", "delta_run"}, {"run", mode.run}, {"model", mode.model}, {"mode", mode.name},
                         {"network", net.describe()}, {"loss_function", loss.describe()},
                         {"learning_rate", mode.learning_rate},
                         {"batch_size", mode.batch_size == 0 ? X.rows() : mode.batch_size}, {"epochs", mode.epochs},
                         {"initial_loss", to_json(run.initial_loss)}});
  SGD sgd(mode.learning_rate);
  TrainOptions options;
  options.epochs = mode.epochs;
  options.batch_size = mode.batch_size;
  options.shuffle = mode.batch_size != 0 && mode.batch_size < X.rows();  // batch descent draws nothing
  const DivergenceGuard guard(run.initial_loss, mode.learning_rate);
  run.epochs = train(net, loss, sgd, X, T, ctx.rng, options, ctx.tracer, watch_divergence(guard, then));
  return run;
}

void record_training(course::Context& ctx, Network& net, const Mode& mode, const Run& run, const Json& distance) {
  const Dense& d = dense_of(net);
  ctx.tracer.record(TraceLevel::summary,
                    Json{{"event", "delta_training"}, {"run", mode.run}, {"updates", run.epochs.back().steps},
                         {"initial_loss", to_json(run.initial_loss)}, {"loss", to_json(run.epochs.back().loss)},
                         {"W", to_json(d.W)}, {"b", to_json(d.b)[0]}, {"distance_to_closed_form", distance}});
}

Table output_error_table() {
  return Table({"sample", "k", "z", "y", "t", "∂ℓ/∂y", "∂y/∂z", "∂ℓ/∂z (backward)", "y − t", "∂ℓ/∂z (numerical)"});
}

// One sample through `net` (Dense, then the output layer) with the loss ℓ of that one sample (N = 1,
// so the mean is the sample's own loss). dℓ/dy seeds the backward pass; the output layer's backward
// turns it into dℓ/dz, which is compared with y − t and with central differences of ℓ(z).
// `loss_of_z` is ℓ as a function of z; `dL_dy` gives dℓ/dy from y and t.
Json output_error_check(Network& net, std::size_t sample, const Matrix& x, const Matrix& t,
                        const std::function<double(const std::vector<double>&)>& loss_of_z,
                        const std::function<Matrix(const Matrix&, const Matrix&)>& dL_dy, Table& table, Scalar& worst) {
  const Matrix y = net.forward(x);
  const Matrix z = net.layer_output(0);
  const Matrix dy = dL_dy(y, t);
  net.zero_grad();
  net.backward(dy);
  const Matrix dz = net.output_gradient(0);  // dℓ/dz, as the Dense layer received it
  const std::size_t K = z.cols();
  std::vector<double> z0(z.begin(), z.end()), analytic(dz.begin(), dz.end());
  const GradCheckReport check = check_function(loss_of_z, z0, analytic);
  Matrix numerical(1, K);
  for (const auto& e : check.elements) numerical(0, e.row) = e.numeric;
  const Matrix y_minus_t = y - t;
  for (std::size_t k = 0; k < K; ++k) {
    table.add_row({fmt::format("{}", sample), K > 1 ? fmt::format("{}", k) : "", num(z(0, k)), num(y(0, k)),
                   num(t(0, k)), num(dy(0, k)), num(y(0, k) * (1 - y(0, k))), num(dz(0, k)), num(y_minus_t(0, k)),
                   num(numerical(0, k))});
    worst = std::max({worst, std::abs(dz(0, k) - y_minus_t(0, k)), std::abs(numerical(0, k) - y_minus_t(0, k))});
  }
  return Json{{"event", "output_error_check"},
              {"model", K > 1 ? "softmax" : "logistic"},
              {"sample", sample},
              {"z", to_json(z)[0]},
              {"y", to_json(y)[0]},
              {"t", to_json(t)[0]},
              {"dL_dy", to_json(dy)[0]},
              {"dL_dz", to_json(dz)[0]},
              {"y_minus_t", to_json(y_minus_t)[0]},
              {"dL_dz_numerical", to_json(numerical)[0]}};
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_path = "data/iris.csv";
  double test_fraction = 0.3;
  double learning_rate = 0.3, sgd_learning_rate = 0.01, minibatch_learning_rate = 0.05;
  std::int64_t epochs = 500, sgd_epochs = 50, minibatch_epochs = 200, batch_size = 16;
  double logistic_learning_rate = 2, softmax_learning_rate = 0.1;
  std::int64_t logistic_epochs = 1000, softmax_epochs = 200;
  double too_large = 1.1;
  CommandLine cli({.name = "ch04_delta_rule",
                   .chapter = 4,
                   .title = "The delta rule",
                   .purpose = "Smooth outputs and a loss turn learning into gradient descent: linear regression three\n"
                              "ways (batch, stochastic, mini-batch) against the normal equations, logistic and softmax\n"
                              "regression with the same output error y − t, and a learning rate that is too large.",
                   .default_trace_level = TraceLevel::step});
  cli.option("data", data_path, {}, "the iris CSV file", "PATH");
  cli.option("test-fraction", test_fraction, 0.05, 0.95, "share of each species held out for testing");
  cli.option("learning-rate", learning_rate, 1e-6, 10, "η of batch gradient descent for linear regression");
  cli.option("epochs", epochs, 1, 1000000, "epochs (= updates) of batch gradient descent for linear regression");
  cli.option("sgd-learning-rate", sgd_learning_rate, 1e-6, 10, "η of stochastic gradient descent (one sample per update)");
  cli.option("sgd-epochs", sgd_epochs, 1, 100000, "epochs of stochastic gradient descent");
  cli.option("batch-size", batch_size, 2, 100000, "samples per mini-batch");
  cli.option("minibatch-learning-rate", minibatch_learning_rate, 1e-6, 10, "η of mini-batch gradient descent");
  cli.option("minibatch-epochs", minibatch_epochs, 1, 100000, "epochs of mini-batch gradient descent");
  cli.option("logistic-learning-rate", logistic_learning_rate, 1e-6, 100, "η of logistic regression (batch)");
  cli.option("logistic-epochs", logistic_epochs, 1, 1000000, "epochs of logistic regression");
  cli.option("softmax-learning-rate", softmax_learning_rate, 1e-6, 100, "η of softmax regression (mini-batch)");
  cli.option("softmax-epochs", softmax_epochs, 1, 100000, "epochs of softmax regression");
  cli.option("too-large", too_large, 1.0001, 1000, "the divergence demo's η, as a multiple of the largest stable η = 2/λ_max");

  return course::run_chapter(argc, argv, cli, [&](course::Context& ctx) {
    const Dataset iris = load_iris(data_path);

    // ---- data ----------------------------------------------------------------------------------
    ctx.heading("Iris: a stratified split, standardised with the training part's μ and σ");
    const Split split = stratified_split(iris, test_fraction, ctx.rng);
    Dataset train_set = subset(iris, split.train), test_set = subset(iris, split.test);
    const Matrix train_cm = train_set.X, test_cm = test_set.X;  // the raw measurements, in cm
    Standardizer standardizer;
    standardizer.fit(train_set.X);
    train_set.X = standardizer.transform(train_set.X);
    test_set.X = standardizer.transform(test_set.X);
    ctx.print("{} flowers: {} for training, {} for testing; every feature x' = (x − μ)/σ.\n", iris.size(),
              train_set.size(), test_set.size());
    ctx.tracer.record(TraceLevel::summary, dataset_event(iris, data_path, iris.feature_names));
    ctx.tracer.record(TraceLevel::summary, data_split_event(train_set, test_set, test_fraction, standardizer));

    // ---- linear regression ---------------------------------------------------------------------
    ctx.heading("Adaline / linear regression: y = W·x + b, loss MSE = mean (y − t)²");
    const Matrix X = select_features(train_set, {0, 1, 2}).X, X_test = select_features(test_set, {0, 1, 2}).X;
    const Matrix y = train_cm.col(3), y_test = test_cm.col(3);
    const MeanSquaredError mse;
    ctx.print("Predict petal width (cm) from standardised sepal length, sepal width and petal length:\n"
              "{} with {}.\n", single_layer(3, 1, "identity").describe(), mse.describe());

    // The closed form: θ = (b, w) solves (X̃ᵀX̃)θ = X̃ᵀt with X̃ = [1 | X].
    const Matrix Xa = hconcat(Matrix::ones(X.rows(), 1), X);
    const Matrix theta = solve_normal_equations(Xa, y);
    const Scalar b_star = theta(0, 0);
    const Matrix W_star = transpose(slice_rows(theta, 1, 3));  // (1×3)
    const Scalar loss_star = mse.value(matmul(Xa, theta), y);
    // The MSE's Hessian in θ is H = (2/N)·X̃ᵀX̃; gradient descent converges iff 0 < η < 2/λ_max.
    const Matrix H = matmul_atb(Xa, Xa) * (2.0 / static_cast<Scalar>(X.rows()));
    const std::vector<Scalar> eigen = symmetric_eigenvalues(H);
    const Scalar eta_max = 2 / eigen.back();
    ctx.print("Normal equations (X̃ᵀX̃)θ = X̃ᵀt, solved by Cholesky:  W* = {}  b* = {:.6f}  MSE* = {:.6f}\n",
              vec(W_star), b_star, loss_star);
    ctx.print("Hessian of the MSE, H = (2/N)·X̃ᵀX̃: eigenvalues {}; gradient descent is stable for\n"
              "η < 2/λ_max = {:.4f}, and the condition number λ_max/λ_min = {:.1f} sets how slowly it converges.\n",
              vec(Matrix(1, eigen.size(), eigen)), eta_max, eigen.back() / eigen.front());
    ctx.tracer.record(TraceLevel::summary,
                      Json{{"event", "normal_equations"}, {"model", "linear"}, {"W", to_json(W_star)},
                           {"b", Json::array({b_star})}, {"loss", loss_star}, {"hessian_eigenvalues", eigen},
                           {"max_stable_learning_rate", eta_max}});
    ctx.result["linear"]["closed_form"] = Json{{"W", to_json(W_star)[0]}, {"b", b_star}, {"loss", loss_star}};
    ctx.result["linear"]["hessian_eigenvalues"] = eigen;
    ctx.result["linear"]["max_stable_learning_rate"] = eta_max;

    const std::vector<Mode> modes{
        {"linear, batch", "linear", "batch", 0, learning_rate, static_cast<std::size_t>(epochs)},
        {"linear, stochastic", "linear", "stochastic", 1, sgd_learning_rate, static_cast<std::size_t>(sgd_epochs)},
        {"linear, mini-batch", "linear", "mini-batch", static_cast<std::size_t>(batch_size), minibatch_learning_rate,
         static_cast<std::size_t>(minibatch_epochs)}};
    Table table({"mode", "batch", "η", "epochs", "updates", "train MSE", "max |θ − θ*|", "test MSE"});
    for (const Mode& mode : modes) {
      Network net = single_layer(3, 1, "identity");
      const Run run = train_run(ctx, net, mse, X, y, mode);
      const Dense& d = dense_of(net);
      Scalar distance = std::abs(d.b(0, 0) - b_star);
      for (std::size_t j = 0; j < 3; ++j) distance = std::max(distance, std::abs(d.W(0, j) - W_star(0, j)));
      const Scalar test_mse = evaluate(net, mse, X_test, y_test).loss;
      table.add_row({mode.name, fmt::format("{}", mode.batch_size == 0 ? X.rows() : mode.batch_size),
                     num(mode.learning_rate), fmt::format("{}", mode.epochs), fmt::format("{}", run.epochs.back().steps),
                     fmt::format("{:.6f}", run.epochs.back().loss), fmt::format("{:.2e}", distance),
                     fmt::format("{:.6f}", test_mse)});
      record_training(ctx, net, mode, run, distance);
      ctx.result["linear"][mode.name] = Json{{"W", to_json(d.W)[0]}, {"b", d.b(0, 0)}, {"loss", run.epochs.back().loss},
                                             {"distance", distance}, {"test_loss", test_mse},
                                             {"updates", run.epochs.back().steps}};
    }
    ctx.print(table);
    const Scalar batch_distance = ctx.result["linear"]["batch"]["distance"].get<Scalar>();
    ctx.print("Batch gradient descent {} the normal equations: max |θ − θ*| = {:.2e} {} 1e-6.\n",
              batch_distance <= 1e-6 ? "agrees with" : "has not yet reached", batch_distance,
              batch_distance <= 1e-6 ? "≤" : ">");
    ctx.print("Stochastic and mini-batch descent stop near θ*, not on it: each update follows one sample's or\n"
              "one batch's gradient, which is not zero at θ* (only the average over all samples is), so with\n"
              "a constant η they keep jittering in a region whose size shrinks with η. Their MSE is\n"
              "still within a hair of MSE*, which no weights can beat on the training set.\n");

    // ---- logistic regression -------------------------------------------------------------------
    ctx.heading("Logistic regression: y = σ(z), binary cross-entropy, the output error y − t");
    {
      const Matrix Xl = select_features(train_set, {3}).X, Xl_test = select_features(test_set, {3}).X;
      const Matrix T = one_vs_rest(train_set.labels, 2), T_test = one_vs_rest(test_set.labels, 2);
      const BinaryCrossEntropy bce;
      Network net = single_layer(1, 1, "sigmoid");
      ctx.print("Is a flower virginica? One feature, the standardised petal width: {} with {},\n"
                "batch gradient descent.\n", net.describe(), bce.describe());
      const Mode mode{"logistic", "logistic", "batch", 0, logistic_learning_rate, static_cast<std::size_t>(logistic_epochs)};
      const Run run = train_run(ctx, net, bce, Xl, T, mode);
      record_training(ctx, net, mode, run, Json());
      const Dense& d = dense_of(net);
      // z = w·x' + b = 0 at x' = −b/w, i.e. x = μ + σ·(−b/w) in cm
      const Scalar boundary = standardizer.mean()(0, 3) + standardizer.scale()(0, 3) * (-d.b(0, 0) / d.W(0, 0));
      ctx.print("After {} epochs: BCE {:.5f}, w = {:.4f}, b = {:.4f}; y ≥ 0.5 ⇔ z ≥ 0 ⇔ petal width ≥ {:.3f} cm.\n",
                mode.epochs, run.epochs.back().loss, d.W(0, 0), d.b(0, 0), boundary);

      ctx.print("\nWhy the update is Δw = −η·(y − t)·x/N again: for one sample, ℓ = −[t·ln y + (1 − t)·ln(1 − y)],\n"
                "∂ℓ/∂y = (y − t)/(y(1 − y)) and ∂y/∂z = σ'(z) = y(1 − y): the product is y − t. The library's\n"
                "backward pass (the loss's gradient, then the sigmoid layer's) on four training flowers, against\n"
                "central differences of ℓ(z):\n");
      Table check = output_error_table();
      Scalar worst = 0;
      for (std::size_t i = 0; i < 4; ++i) {
        const Matrix t = T.row(i);
        auto loss_of_z = [&](const std::vector<double>& z) {
          return bce.value(Matrix{{Sigmoid{}.value(z[0])}}, t);
        };
        auto dL_dy = [&](const Matrix& yy, const Matrix& tt) { return bce.gradient(yy, tt); };
        ctx.tracer.record(TraceLevel::summary,
                          output_error_check(net, train_set.ids[i], Xl.row(i), t, loss_of_z, dL_dy, check, worst));
      }
      ctx.print(check);
      ctx.print("Largest difference from y − t: {:.1e}. Sigmoid and cross-entropy are a matched pair: the\n"
                "σ' that would shrink the gradient where the unit saturates cancels against the loss.\n",
                worst);

      std::vector<std::size_t> truth, predicted;
      const Matrix Y_test = net.forward(Xl_test);
      for (std::size_t i = 0; i < Y_test.rows(); ++i) {
        truth.push_back(static_cast<std::size_t>(T_test(i, 0)));
        predicted.push_back(Y_test(i, 0) >= 0.5 ? 1 : 0);
      }
      const std::vector<std::string> classes{"not virginica", "virginica"};
      const ConfusionMatrix m = confusion_matrix(truth, predicted, 2);
      ctx.tracer.record(TraceLevel::summary, confusion_event(m, "logistic", "test", classes));
      ctx.print("\nTest set: accuracy {}/{} = {:.3f}\n", m.correct(), m.total(), m.accuracy());
      ctx.print(confusion_table(m, classes));
      ctx.result["logistic"] = Json{{"w", d.W(0, 0)}, {"b", d.b(0, 0)}, {"loss", run.epochs.back().loss},
                                    {"boundary_cm", boundary}, {"test_accuracy", m.accuracy()},
                                    {"output_error_max_difference", worst}};
    }

    // ---- softmax regression --------------------------------------------------------------------
    ctx.heading("Softmax regression: three species, cross-entropy");
    {
      const Matrix T = one_hot(train_set.labels, 3);
      const SoftmaxCrossEntropy ce;
      Network net = single_layer(4, 3, "");  // logits; the softmax is inside the fused loss
      const Mode mode{"softmax", "softmax", "mini-batch", static_cast<std::size_t>(batch_size), softmax_learning_rate,
                      static_cast<std::size_t>(softmax_epochs)};
      const Run run = train_run(ctx, net, ce, train_set.X, T, mode);
      record_training(ctx, net, mode, run, Json());
      ctx.print("{} on the logits, {}: W (3×4); {} epochs of mini-batches of {}: cross-entropy {:.5f}.\n",
                net.describe(), ce.describe(), mode.epochs, mode.batch_size, run.epochs.back().loss);
      ctx.print("The output error is again y − t, now a vector: ∂ℓ/∂zⱼ = Σₖ (−tₖ/yₖ)·yₖ(δₖⱼ − yⱼ) = yⱼ − tⱼ. Below,\n"
                "the trained Dense layer followed by a Softmax layer, seeded with ∂ℓ/∂y = −t/y; the Softmax\n"
                "layer's Jacobian-vector product gives ∂ℓ/∂z (∂y/∂z shows the Jacobian's diagonal yₖ(1 − yₖ)):\n");
      Network probabilities;
      probabilities.dense(dense_of(net).W, dense_of(net).b);
      probabilities.activation("softmax");
      Table check = output_error_table();
      Scalar worst = 0;
      const Matrix t = T.row(0);
      auto loss_of_z = [&](const std::vector<double>& z) { return ce.value(Matrix(1, 3, z), t); };
      auto dL_dy = [](const Matrix& yy, const Matrix& tt) {
        Matrix d(1, yy.cols());
        for (std::size_t k = 0; k < yy.cols(); ++k) d(0, k) = -tt(0, k) / yy(0, k);
        return d;
      };
      ctx.tracer.record(TraceLevel::summary, output_error_check(probabilities, train_set.ids[0], train_set.X.row(0), t,
                                                                loss_of_z, dL_dy, check, worst));
      ctx.print(check);
      ctx.print("Largest difference from y − t: {:.1e}. SoftmaxCrossEntropy computes y − t directly from the\n"
                "logits (the fused gradient) — the same numbers, without forming ∂ℓ/∂y.\n",
                worst);
      const auto on_train = confusion_matrix(train_set.labels, argmax_cols(net.forward(train_set.X)), 3);
      const auto on_test = confusion_matrix(test_set.labels, argmax_cols(net.forward(test_set.X)), 3);
      ctx.tracer.record(TraceLevel::summary, confusion_event(on_train, "softmax", "train", iris.class_names));
      ctx.tracer.record(TraceLevel::summary, confusion_event(on_test, "softmax", "test", iris.class_names));
      ctx.print("\nTraining accuracy {:.3f}; test set: accuracy {}/{} = {:.3f}\n", on_train.accuracy(),
                on_test.correct(), on_test.total(), on_test.accuracy());
      ctx.print(confusion_table(on_test, iris.class_names));
      const Dense& d = dense_of(net);
      ctx.result["softmax"] = Json{{"W", to_json(d.W)}, {"b", to_json(d.b)[0]}, {"loss", run.epochs.back().loss},
                                   {"train_accuracy", on_train.accuracy()}, {"test_accuracy", on_test.accuracy()},
                                   {"test_confusion", on_test.counts}, {"output_error_max_difference", worst}};
    }

    // ---- too large a learning rate -------------------------------------------------------------
    ctx.heading("A learning rate that is too large");
    {
      const Scalar eta = too_large * eta_max;
      const Mode mode{"linear, too large", "linear", "batch", 0, eta, 100000};
      ctx.print("Linear regression again, batch gradient descent with η = {:.4g} × 2/λ_max = {:.4f}. Along the\n"
                "eigenvector of λ_max each update multiplies the error by 1 − η·λ_max = {:.3f}: it overshoots\n"
                "and grows.\n",
                too_large, eta, 1 - eta * eigen.back());
      Network net = single_layer(3, 1, "identity");
      std::vector<Scalar> losses;
      try {
        const Run run = train_run(ctx, net, mse, X, y, mode, [&](const EpochStats& s) { losses.push_back(s.loss); });
        ctx.print("The loss did not grow past the limit in {} epochs.\n", run.epochs.size());
      } catch (const DivergenceError& e) {
        ctx.print("Training loss after each update: ");
        for (std::size_t i = 0; i < std::min<std::size_t>(losses.size(), 6); ++i) ctx.print("{} ", num(losses[i]));
        ctx.print("… {}\n", num(e.last_loss));
        ctx.print("Stopped: {}\n", e.what());
        ctx.tracer.record(TraceLevel::summary,
                          Json{{"event", "divergence"}, {"run", mode.run}, {"model", mode.model}, {"mode", mode.name},
                               {"learning_rate", eta}, {"updates", e.updates}, {"first_loss", to_json(e.first_loss)},
                               {"last_loss", to_json(e.last_loss)}, {"message", e.what()}});
        ctx.result["divergence"] = Json{{"learning_rate", eta}, {"updates", e.updates},
                                        {"first_loss", to_json(e.first_loss)}, {"last_loss", to_json(e.last_loss)},
                                        {"message", e.what()}};
      }
      ctx.print("(The divergence is the point of this demonstration; the run goes on and ends normally.)\n");
    }
  });
}
