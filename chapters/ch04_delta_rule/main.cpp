// Chapter 04 — the delta rule
//
// Teaches: replace the step by a smooth output and the mistake count by a loss, and learning
// becomes gradient descent. Linear regression (Adaline) with mean squared error is trained three
// ways — batch, stochastic, mini-batch — and the batch weights agree with the least-squares
// solution of the normal equations. Logistic regression with binary cross-entropy and softmax
// regression with cross-entropy have the same output error as the perceptron rule, t − y, for the
// same reason: the loss is matched to the output function. Too large a learning rate makes the
// loss grow without bound; the run says so instead of printing NaN.
// New in lib/: glassbox/delta_rule.hpp (the three single-layer models, their forward, loss and
// backward, the training loop), divergence.hpp (DivergenceGuard), linalg.hpp's
// solve_normal_equations and symmetric_eigenvalues.
// Run: ch04_delta_rule [--data data/iris.csv] [--test-fraction 0.3] [--learning-rate 0.3]
//      [--epochs 500] [--batch-size 16] [--too-large 1.1] … (see --help) [--seed N]
//      [--trace PATH] [--trace-level off|summary|step|full] [--quiet]
// Trace: traces/ch04_delta_rule.json — "delta_update" per update (step; gradients and weights at
// full), "delta_epoch" per epoch and "delta_training" per run (summary), "normal_equations",
// "output_error_check", "divergence", "confusion_matrix", "dataset" and "data_split".
#include <cmath>

#include <fmt/format.h>

#include "course.hpp"
#include "glassbox/dataset.hpp"
#include "glassbox/delta_rule.hpp"
#include "glassbox/divergence.hpp"
#include "glassbox/linalg.hpp"
#include "glassbox/losses.hpp"
#include "glassbox/metrics.hpp"
#include "glassbox/random.hpp"

using namespace glassbox;

namespace {

std::string num(Scalar x) { return fmt::format("{:.4g}", x + 0.0); }

std::string vec(const Matrix& m) {
  std::string out = "(";
  for (std::size_t i = 0; i < m.size(); ++i) out += fmt::format("{}{:.5g}", i ? ", " : "", m.data()[i] + 0.0);
  return out + ")";
}

struct Mode {
  std::string run;         // names the run in the trace: "linear, batch", "linear, too large", …
  std::string name;        // "batch", "stochastic", "mini-batch"
  std::size_t batch_size;  // 0: all
  double learning_rate;
  std::size_t epochs;
};

// Trains one model, tracing every update and epoch. Returns the run; throws DivergenceError.
DeltaTraining train_model(course::Context& ctx, DeltaRuleLayer& layer, const Matrix& X, const Matrix& T, const Mode& mode,
                    std::vector<Scalar>* update_losses = nullptr) {
  const std::string model(to_string(layer.output()));
  DeltaTrainingOptions options;
  options.learning_rate = mode.learning_rate;
  options.epochs = mode.epochs;
  options.batch_size = mode.batch_size;
  const bool full = ctx.tracer.wants(TraceLevel::full);
  const bool steps = ctx.tracer.wants(TraceLevel::step);
  const bool whole = mode.batch_size == 0 || mode.batch_size >= X.rows();
  options.on_update = [&](const DeltaUpdate& u) {
    if (update_losses) update_losses->push_back(u.loss);
    if (!steps) return;
    Json e{{"event", "delta_update"}, {"run", mode.run}, {"model", model}, {"mode", mode.name}, {"epoch", u.epoch}, {"update", u.update},
           {"batch_size", u.batch->size()}, {"loss", to_json(u.loss)}};
    if (full) {
      if (!whole) e["batch"] = *u.batch;  // rows of the training set; omitted when it is all of them
      e["dL_dW"] = to_json(u.layer->dW);
      e["dL_db"] = to_json(u.layer->db)[0];
      e["W"] = to_json(u.layer->W);
      e["b"] = to_json(u.layer->b)[0];
    }
    ctx.tracer.record(TraceLevel::step, e);
  };
  options.on_epoch = [&](const DeltaEpoch& e) {
    ctx.tracer.record(TraceLevel::summary,
                      Json{{"event", "delta_epoch"}, {"run", mode.run}, {"model", model}, {"mode", mode.name}, {"epoch", e.epoch},
                           {"updates", e.updates}, {"loss", to_json(e.loss)}, {"W", to_json(e.layer->W)},
                           {"b", to_json(e.layer->b)[0]}});
  };
  return train_delta_rule(layer, X, T, options, ctx.rng);
}

Json training_event(const DeltaRuleLayer& layer, const Mode& mode, std::size_t samples, const DeltaTraining& run,
                    const Json& distance) {
  return Json{{"event", "delta_training"},
              {"run", mode.run},
              {"model", to_string(layer.output())},
              {"mode", mode.name},
              {"loss_function", loss_name(layer.output())},
              {"learning_rate", mode.learning_rate},
              {"batch_size", mode.batch_size == 0 ? samples : mode.batch_size},
              {"epochs", mode.epochs},
              {"updates", run.updates},
              {"initial_loss", to_json(run.initial_loss)},
              {"loss", to_json(run.epoch_losses.empty() ? run.initial_loss : run.epoch_losses.back())},
              {"W", to_json(layer.W)},
              {"b", to_json(layer.b)[0]},
              {"distance_to_closed_form", distance}};
}

Json confusion_event(const std::string& model, const std::string& split, const std::vector<std::string>& classes,
                     const ConfusionMatrix& m) {
  return Json{{"event", "confusion_matrix"}, {"model", model}, {"split", split}, {"classes", classes},
              {"counts", m.counts}, {"accuracy", m.accuracy()}};
}

void print_confusion(course::Context& ctx, const std::vector<std::string>& classes, const ConfusionMatrix& m) {
  std::vector<std::string> headers{"true ↓  predicted →"};
  headers.insert(headers.end(), classes.begin(), classes.end());
  Table table(headers);
  for (std::size_t k = 0; k < m.classes(); ++k) {
    std::vector<std::string> row{classes[k]};
    for (std::size_t c : m.counts[k]) row.push_back(fmt::format("{}", c));
    table.add_row(row);
  }
  ctx.print(table);
}

// One sample's loss ℓ(z) (no 1/N) and its derivatives, by the chain rule and by central
// differences, to show that dℓ/dz = y − t. Adds a row per output to `table`; returns the event.
Json output_error_check(DeltaOutput output, std::size_t sample, const Matrix& z, const Matrix& t, Table& table,
                        Scalar& worst) {
  const Matrix y = delta_output(output, z);
  const std::size_t K = z.cols();
  // dℓ/dy: MSE 2(y − t); BCE −t/y + (1 − t)/(1 − y); CE −t/y
  Matrix dL_dy(1, K), dy_dz(K, K);
  for (std::size_t k = 0; k < K; ++k) {
    const Scalar yk = y(0, k), tk = t(0, k);
    dL_dy(0, k) = output == DeltaOutput::logistic ? -tk / yk + (1 - tk) / (1 - yk) : -tk / yk;
    // dyₖ/dzⱼ: σ'(z) = y(1 − y) for logistic; yₖ(δₖⱼ − yⱼ) for softmax (the Jacobian)
    for (std::size_t j = 0; j < K; ++j)
      dy_dz(k, j) = output == DeltaOutput::logistic ? yk * (1 - yk) : yk * ((k == j ? 1 : 0) - y(0, j));
  }
  const Matrix dL_dz = matmul(dL_dy, dy_dz);  // (1×K)·(K×K): the chain rule, dℓ/dzⱼ = Σₖ dℓ/dyₖ·dyₖ/dzⱼ
  Matrix numerical(1, K);
  constexpr Scalar h = 1e-6;
  for (std::size_t j = 0; j < K; ++j) {
    Matrix up = z, down = z;
    up(0, j) += h;
    down(0, j) -= h;
    numerical(0, j) = (delta_loss(output, up, delta_output(output, up), t) -
                       delta_loss(output, down, delta_output(output, down), t)) / (2 * h);
  }
  const Matrix y_minus_t = y - t;
  for (std::size_t k = 0; k < K; ++k) {
    table.add_row({fmt::format("{}", sample), K > 1 ? fmt::format("{}", k) : "", num(z(0, k)), num(y(0, k)),
                   num(t(0, k)), num(dL_dy(0, k)), num(dy_dz(k, k)), num(dL_dz(0, k)), num(y_minus_t(0, k)),
                   num(numerical(0, k))});
    worst = std::max({worst, std::abs(dL_dz(0, k) - y_minus_t(0, k)), std::abs(numerical(0, k) - y_minus_t(0, k))});
  }
  return Json{{"event", "output_error_check"}, {"model", to_string(output)}, {"sample", sample},
              {"z", to_json(z)[0]}, {"y", to_json(y)[0]}, {"t", to_json(t)[0]}, {"dL_dy", to_json(dL_dy)[0]},
              {"dy_dz", to_json(dy_dz)}, {"dL_dz", to_json(dL_dz)[0]}, {"y_minus_t", to_json(y_minus_t)[0]},
              {"dL_dz_numerical", to_json(numerical)[0]}};
}

Table output_error_table() {
  return Table({"sample", "k", "z", "y", "t", "∂ℓ/∂y", "∂y/∂z", "∂ℓ/∂z (chain)", "y − t", "∂ℓ/∂z (numerical)"});
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
                              "regression with the same output error t − y, and a learning rate that is too large.",
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
    Dataset train = subset(iris, split.train), test = subset(iris, split.test);
    const Matrix train_cm = train.X, test_cm = test.X;  // the raw measurements, in cm
    Standardizer standardizer;
    standardizer.fit(train.X);
    train.X = standardizer.transform(train.X);
    test.X = standardizer.transform(test.X);
    ctx.print("{} flowers: {} for training, {} for testing; every feature x' = (x − μ)/σ.\n", iris.size(),
              train.size(), test.size());
    ctx.tracer.record(TraceLevel::summary,
                      Json{{"event", "dataset"}, {"name", "iris"}, {"source", data_path}, {"samples", iris.size()},
                           {"features", iris.feature_names}, {"classes", iris.class_names},
                           {"class_counts", iris.class_counts()}});
    ctx.tracer.record(TraceLevel::summary,
                      Json{{"event", "data_split"}, {"test_fraction", test_fraction}, {"train", train.ids},
                           {"test", test.ids}, {"train_class_counts", train.class_counts()},
                           {"test_class_counts", test.class_counts()}, {"mean", to_json(standardizer.mean())[0]},
                           {"scale", to_json(standardizer.scale())[0]},
                           {"constant_columns", standardizer.constant_columns()}});

    // ---- linear regression ---------------------------------------------------------------------
    ctx.heading("Adaline / linear regression: y = W·x + b, loss MSE = mean (y − t)²");
    const Matrix X = select_features(train, {0, 1, 2}).X, X_test = select_features(test, {0, 1, 2}).X;
    const Matrix y = train_cm.col(3), y_test = test_cm.col(3);
    ctx.print("Predict petal width (cm) from standardised sepal length, sepal width and petal length.\n");

    // The closed form: θ = (w₀ = b, w) solves (X̃ᵀX̃)θ = X̃ᵀy with X̃ = [1 | X].
    const Matrix Xa = hconcat(Matrix::ones(X.rows(), 1), X);
    const Matrix theta = solve_normal_equations(Xa, y);
    const Scalar b_star = theta(0, 0);
    const Matrix W_star = transpose(slice_rows(theta, 1, 3));  // (1×3)
    const Scalar loss_star = delta_loss(DeltaOutput::linear, matmul(Xa, theta), matmul(Xa, theta), y);
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
        {"linear, batch", "batch", 0, learning_rate, static_cast<std::size_t>(epochs)},
        {"linear, stochastic", "stochastic", 1, sgd_learning_rate, static_cast<std::size_t>(sgd_epochs)},
        {"linear, mini-batch", "mini-batch", static_cast<std::size_t>(batch_size), minibatch_learning_rate,
         static_cast<std::size_t>(minibatch_epochs)}};
    Table table({"mode", "batch", "η", "epochs", "updates", "train MSE", "max |θ − θ*|", "test MSE"});
    for (const Mode& mode : modes) {
      DeltaRuleLayer layer(3, 1, DeltaOutput::linear);
      const DeltaTraining run = train_model(ctx, layer, X, y, mode);
      Scalar distance = std::abs(layer.b(0, 0) - b_star);
      for (std::size_t j = 0; j < 3; ++j) distance = std::max(distance, std::abs(layer.W(0, j) - W_star(0, j)));
      const Matrix predicted = layer.predict(X_test);
      const Scalar test_mse = delta_loss(DeltaOutput::linear, predicted, predicted, y_test);
      table.add_row({mode.name, fmt::format("{}", mode.batch_size == 0 ? X.rows() : mode.batch_size),
                     num(mode.learning_rate), fmt::format("{}", mode.epochs), fmt::format("{}", run.updates),
                     fmt::format("{:.6f}", run.epoch_losses.back()), fmt::format("{:.2e}", distance), fmt::format("{:.6f}", test_mse)});
      ctx.tracer.record(TraceLevel::summary, training_event(layer, mode, X.rows(), run, distance));
      ctx.result["linear"][mode.name] = Json{{"W", to_json(layer.W)[0]}, {"b", layer.b(0, 0)},
                                             {"loss", run.epoch_losses.back()}, {"distance", distance},
                                             {"test_loss", test_mse}, {"updates", run.updates}};
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
    ctx.heading("Logistic regression: y = σ(z), binary cross-entropy, the output error t − y");
    {
      const Matrix Xl = select_features(train, {3}).X, Xl_test = select_features(test, {3}).X;
      const Matrix T = one_vs_rest(train.labels, 2), T_test = one_vs_rest(test.labels, 2);
      ctx.print("Is a flower virginica? One feature, the standardised petal width; batch gradient descent.\n");
      DeltaRuleLayer layer(1, 1, DeltaOutput::logistic);
      const Mode mode{"logistic", "batch", 0, logistic_learning_rate, static_cast<std::size_t>(logistic_epochs)};
      const DeltaTraining run = train_model(ctx, layer, Xl, T, mode);
      ctx.tracer.record(TraceLevel::summary, training_event(layer, mode, Xl.rows(), run, Json()));
      // z = w·x' + b = 0 at x' = −b/w, i.e. x = μ + σ·(−b/w) in cm
      const Scalar boundary = standardizer.mean()(0, 3) + standardizer.scale()(0, 3) * (-layer.b(0, 0) / layer.W(0, 0));
      ctx.print("After {} epochs: BCE {:.5f}, w = {:.4f}, b = {:.4f}; y ≥ 0.5 ⇔ z ≥ 0 ⇔ petal width ≥ {:.3f} cm.\n",
                run.updates, run.epoch_losses.back(), layer.W(0, 0), layer.b(0, 0), boundary);

      ctx.print("\nWhy the update is Δw = η·(t − y)·x again: for one sample, ℓ = −[t·ln y + (1 − t)·ln(1 − y)],\n"
                "∂ℓ/∂y = (y − t)/(y(1 − y)) and ∂y/∂z = σ'(z) = y(1 − y): the product is y − t. Checked on four\n"
                "training flowers, with the trained weights, against central differences of ℓ(z):\n");
      Table check = output_error_table();
      Scalar worst = 0;
      for (std::size_t i = 0; i < 4; ++i) {
        Matrix z(1, 1, std::vector<Scalar>{layer.W(0, 0) * Xl(i, 0) + layer.b(0, 0)});
        ctx.tracer.record(TraceLevel::summary,
                          output_error_check(DeltaOutput::logistic, train.ids[i], z, T.row(i), check, worst));
      }
      ctx.print(check);
      ctx.print("Largest difference from y − t: {:.1e}. Sigmoid and cross-entropy are a matched pair: the\n"
                "σ' that would shrink the gradient where the unit saturates cancels against the loss.\n",
                worst);

      std::vector<std::size_t> truth, predicted;
      const Matrix Y_test = layer.predict(Xl_test);
      for (std::size_t i = 0; i < Y_test.rows(); ++i) {
        truth.push_back(static_cast<std::size_t>(T_test(i, 0)));
        predicted.push_back(Y_test(i, 0) >= 0.5 ? 1 : 0);
      }
      const std::vector<std::string> classes{"not virginica", "virginica"};
      const ConfusionMatrix m = confusion_matrix(truth, predicted, 2);
      ctx.tracer.record(TraceLevel::summary, confusion_event("logistic", "test", classes, m));
      ctx.print("\nTest set: accuracy {}/{} = {:.3f}\n", m.correct(), m.total(), m.accuracy());
      print_confusion(ctx, classes, m);
      ctx.result["logistic"] = Json{{"w", layer.W(0, 0)}, {"b", layer.b(0, 0)}, {"loss", run.epoch_losses.back()},
                                    {"boundary_cm", boundary}, {"test_accuracy", m.accuracy()},
                                    {"output_error_max_difference", worst}};
    }

    // ---- softmax regression --------------------------------------------------------------------
    ctx.heading("Softmax regression: three species, cross-entropy");
    {
      const Matrix T = one_hot(train.labels, 3);
      DeltaRuleLayer layer(4, 3, DeltaOutput::softmax);
      const Mode mode{"softmax", "mini-batch", static_cast<std::size_t>(batch_size), softmax_learning_rate,
                      static_cast<std::size_t>(softmax_epochs)};
      const DeltaTraining run = train_model(ctx, layer, train.X, T, mode);
      ctx.tracer.record(TraceLevel::summary, training_event(layer, mode, train.X.rows(), run, Json()));
      ctx.print("Y = softmax(X·Wᵀ + b), W (3×4); {} epochs of mini-batches of {}: cross-entropy {:.5f}.\n",
                mode.epochs, mode.batch_size, run.epoch_losses.back());
      ctx.print("The output error is again y − t, now a vector: ∂ℓ/∂zⱼ = Σₖ (−tₖ/yₖ)·yₖ(δₖⱼ − yⱼ) = yⱼ − tⱼ.\n");
      Table check = output_error_table();
      Scalar worst = 0;
      ctx.tracer.record(TraceLevel::summary,
                        output_error_check(DeltaOutput::softmax, train.ids[0], add_row_vector(matmul_abt(train.X.row(0), layer.W), layer.b),
                                           T.row(0), check, worst));
      ctx.print(check);
      ctx.print("(∂y/∂z shows the Jacobian's diagonal yₖ(1 − yₖ); the chain product uses the whole Jacobian.)\n");
      const auto on_train = confusion_matrix(train.labels, argmax_cols(layer.predict(train.X)), 3);
      const auto on_test = confusion_matrix(test.labels, argmax_cols(layer.predict(test.X)), 3);
      ctx.tracer.record(TraceLevel::summary, confusion_event("softmax", "train", iris.class_names, on_train));
      ctx.tracer.record(TraceLevel::summary, confusion_event("softmax", "test", iris.class_names, on_test));
      ctx.print("\nTraining accuracy {:.3f}; test set: accuracy {}/{} = {:.3f}\n", on_train.accuracy(), on_test.correct(),
                on_test.total(), on_test.accuracy());
      print_confusion(ctx, iris.class_names, on_test);
      ctx.result["softmax"] = Json{{"W", to_json(layer.W)}, {"b", to_json(layer.b)[0]}, {"loss", run.epoch_losses.back()},
                                   {"train_accuracy", on_train.accuracy()}, {"test_accuracy", on_test.accuracy()},
                                   {"test_confusion", on_test.counts}, {"output_error_max_difference", worst}};
    }

    // ---- too large a learning rate -------------------------------------------------------------
    ctx.heading("A learning rate that is too large");
    {
      const Scalar eta = too_large * eta_max;
      const Mode mode{"linear, too large", "batch", 0, eta, 100000};
      ctx.print("Linear regression again, batch gradient descent with η = {:.4g} × 2/λ_max = {:.4f}. Along the\n"
                "eigenvector of λ_max each update multiplies the error by 1 − η·λ_max = {:.3f}: it overshoots\n"
                "and grows.\n",
                too_large, eta, 1 - eta * eigen.back());
      DeltaRuleLayer layer(3, 1, DeltaOutput::linear);
      std::vector<Scalar> losses;
      try {
        train_model(ctx, layer, X, y, mode, &losses);
        ctx.print("The loss did not grow past the limit in {} epochs.\n", mode.epochs);
      } catch (const DivergenceError& e) {
        ctx.print("Loss per update: ");
        for (std::size_t i = 0; i < std::min<std::size_t>(losses.size(), 6); ++i) ctx.print("{} ", num(losses[i]));
        ctx.print("… {}\n", num(losses.back()));
        ctx.print("Stopped: {}\n", e.what());
        ctx.tracer.record(TraceLevel::summary,
                          Json{{"event", "divergence"}, {"run", mode.run}, {"model", "linear"}, {"mode", "batch"},
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
