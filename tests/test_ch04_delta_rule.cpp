// Chapter 04: the program's claims, checked on its own trace (run with --seed 7). The least-squares
// solution, the standardisation and the softmax accuracy are recomputed here from the raw data.
#include <catch2/catch.hpp>

#include <cmath>

#include "chapter_run.hpp"
#include "glassbox/nn/activations.hpp"
#include "glassbox/data/dataset.hpp"
#include "glassbox/train/divergence.hpp"
#include "glassbox/core/linalg.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;
using glassbox::testing::run_chapter;
using nlohmann::json;

namespace {

const json& seed7() { return glassbox::testing::trace_of("ch04_delta_rule", "--seed 7 --data " + glassbox::testing::iris_path()); }

// Events of one kind; with `run`, only those inside that run (train()'s "step" and "epoch" events
// carry no run name: they belong to the delta_run before them).
std::vector<json> events(const json& doc, const std::string& kind, const std::string& run = "") {
  std::vector<json> out;
  std::string current;
  for (const auto& e : doc["events"]) {
    if (e["event"] == "delta_run") current = e["run"];
    if (e["event"] == kind && (run.empty() || e.value("run", current) == run)) out.push_back(e);
    if (e["event"] == "delta_training") current.clear();
  }
  return out;
}

// The training flowers, standardised with μ and σ recomputed from them.
struct Standardised {
  Matrix X_train, X_test;
  std::vector<std::size_t> train_labels, test_labels;
  Matrix petal_width_train;
};

Standardised standardised(const json& doc) {
  const Dataset iris = load_iris(glassbox::testing::iris_path());
  const auto split = events(doc, "data_split").at(0);
  const Dataset train = subset(iris, split["train"].get<std::vector<std::size_t>>());
  const Dataset test = subset(iris, split["test"].get<std::vector<std::size_t>>());
  Standardised s{Matrix(train.size(), 4), Matrix(test.size(), 4), train.labels, test.labels, train.X.col(3)};
  for (std::size_t c = 0; c < 4; ++c) {
    double m = 0, v = 0;
    for (std::size_t i = 0; i < train.size(); ++i) m += train.X(i, c);
    m /= static_cast<double>(train.size());
    for (std::size_t i = 0; i < train.size(); ++i) v += (train.X(i, c) - m) * (train.X(i, c) - m);
    const double sigma = std::sqrt(v / static_cast<double>(train.size()));
    for (std::size_t i = 0; i < train.size(); ++i) s.X_train(i, c) = (train.X(i, c) - m) / sigma;
    for (std::size_t i = 0; i < test.size(); ++i) s.X_test(i, c) = (test.X(i, c) - m) / sigma;
  }
  return s;
}

}  // namespace

TEST_CASE("ch04: batch delta-rule weights are within 1e-6 of the normal-equation solution", "[ch04]") {
  const json& doc = seed7();
  const Standardised s = standardised(doc);
  // θ* from the raw data: petal width against [1 | standardised sepal length, sepal width, petal length]
  Matrix Xa(s.X_train.rows(), 4);
  for (std::size_t i = 0; i < Xa.rows(); ++i) {
    Xa(i, 0) = 1;
    for (std::size_t c = 0; c < 3; ++c) Xa(i, c + 1) = s.X_train(i, c);
  }
  const Matrix theta = solve_normal_equations(Xa, s.petal_width_train);
  const json& batch = doc["result"]["linear"]["batch"];
  const auto W = batch["W"].get<std::vector<double>>();
  CHECK(std::abs(batch["b"].get<double>() - theta(0, 0)) < 1e-6);
  for (std::size_t j = 0; j < 3; ++j) CHECK(std::abs(W[j] - theta(j + 1, 0)) < 1e-6);
  // No weights beat the closed form on the training set; the other two modes come close.
  const Matrix residual = matmul(Xa, theta) - s.petal_width_train;
  const double best = squared_norm(residual) / static_cast<double>(Xa.rows());
  for (const char* mode : {"batch", "stochastic", "mini-batch"}) {
    INFO(mode);
    const double loss = doc["result"]["linear"][mode]["loss"].get<double>();
    CHECK(loss >= best * (1 - 1e-12));
    CHECK(loss <= best * 1.05);
  }
}

TEST_CASE("ch04: every update's loss is in the trace, and batch descent never raises it", "[ch04]") {
  const json& doc = seed7();
  const auto batch = events(doc, "step", "linear, batch");
  const auto sgd = events(doc, "step", "linear, stochastic");
  const auto minibatch = events(doc, "step", "linear, mini-batch");
  const auto epochs = [&](const std::string& run) { return events(doc, "delta_run", run).at(0)["epochs"].get<std::size_t>(); };
  CHECK(batch.size() == epochs("linear, batch"));
  CHECK(sgd.size() == 105 * epochs("linear, stochastic"));
  CHECK(minibatch.size() == 7 * epochs("linear, mini-batch"));  // ⌈105/16⌉ = 7
  CHECK(events(doc, "delta_training", "linear, stochastic").at(0)["updates"] == sgd.size());
  for (std::size_t i = 1; i < batch.size(); ++i)
    CHECK(batch[i]["loss"].get<double>() <= batch[i - 1]["loss"].get<double>() * (1 + 1e-12));
  for (const auto& u : sgd) CHECK(u["batch_size"] == 1);
}

TEST_CASE("ch04: the logistic output error is y − t, by the chain rule and numerically", "[ch04]") {
  const auto checks = events(seed7(), "output_error_check");
  REQUIRE(checks.size() == 5);  // four logistic samples, one softmax sample
  for (const auto& c : checks) {
    const auto y = c["y"].get<std::vector<double>>(), t = c["t"].get<std::vector<double>>();
    const auto chain = c["dL_dz"].get<std::vector<double>>(), numerical = c["dL_dz_numerical"].get<std::vector<double>>();
    for (std::size_t k = 0; k < y.size(); ++k) {
      CHECK(chain[k] == Approx(y[k] - t[k]).margin(1e-12));
      CHECK(numerical[k] == Approx(y[k] - t[k]).margin(1e-8));
    }
  }
  // Petal width ≈ 1.6 cm separates virginica, as in the course's scikit-learn example.
  CHECK(seed7()["result"]["logistic"]["boundary_cm"].get<double>() == Approx(1.6).margin(0.1));
}

TEST_CASE("ch04: softmax regression reaches a test accuracy of at least 0.9", "[ch04]") {
  const json& doc = seed7();
  const json& softmax = doc["result"]["softmax"];
  CHECK(softmax["test_accuracy"].get<double>() >= 0.9);
  // Recomputed from the trained W, b and the raw test flowers.
  const Standardised s = standardised(doc);
  const auto W = softmax["W"].get<std::vector<std::vector<double>>>();
  const auto b = softmax["b"].get<std::vector<double>>();
  std::size_t right = 0;
  for (std::size_t i = 0; i < s.X_test.rows(); ++i) {
    std::size_t best = 0;
    double best_z = -INFINITY;
    for (std::size_t k = 0; k < 3; ++k) {
      double z = b[k];
      for (std::size_t c = 0; c < 4; ++c) z += W[k][c] * s.X_test(i, c);
      if (z > best_z) best_z = z, best = k;
    }
    right += best == s.test_labels[i];
  }
  CHECK(static_cast<double>(right) / static_cast<double>(s.X_test.rows()) == Approx(softmax["test_accuracy"].get<double>()));
  CHECK(static_cast<double>(right) / static_cast<double>(s.X_test.rows()) >= 0.9);
}

TEST_CASE("ch04: too large a learning rate is detected with a message, not NaN tables", "[ch04]") {
  const json& doc = seed7();
  const json& d = doc["result"]["divergence"];
  CHECK_THAT(d["message"].get<std::string>(), Catch::Contains("loss grew from") && Catch::Contains("too large"));
  CHECK(d["learning_rate"].get<double>() > doc["result"]["linear"]["max_stable_learning_rate"].get<double>());
  CHECK(d["last_loss"].get<double>() > 1e6 * d["first_loss"].get<double>());
  const auto updates = events(doc, "step", "linear, too large");
  CHECK(updates.size() == d["updates"].get<std::size_t>());
  CHECK(events(doc, "delta_training", "linear, too large").empty());  // it never finished
  CHECK(events(doc, "divergence").size() == 1);
  for (const auto& u : doc["events"])  // every loss on the record is a number
    if (u.contains("loss")) CHECK(u["loss"].is_number());
}

TEST_CASE("ch04: far too large a rate is stopped just as quickly, and the run still ends normally", "[ch04]") {
  const auto run = run_chapter("ch04_delta_rule", "huge",
                               "--seed 7 --too-large 1000 --trace-level summary --data " + glassbox::testing::iris_path());
  REQUIRE(run.exit_code == 0);
  const json d = run.document()["result"]["divergence"];
  CHECK(d["updates"].get<int>() <= 5);
  CHECK(std::isfinite(d["last_loss"].get<double>()));
}

TEST_CASE("ch04: a bad data file exits 2 naming where", "[ch04]") {
  const auto run = run_chapter("ch04_delta_rule", "bad", "--data " + glassbox::testing::csv_fixture("unknown_label.csv"));
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.stderr_text, Catch::Contains("unknown_label.csv:3:17: species: unknown label \"Iris-virginica\""));
  CHECK_FALSE(run.trace_written);
}

// ---- the delta rule on the layer library, away from iris ------------------------------------------

TEST_CASE("ch04: one Dense layer with a matched loss has dL/dZ = c·(Y − T)", "[ch04]") {
  // c = 2/(N·out) for MSE, 1/(N·out) for BCE after a sigmoid, 1/N for softmax cross-entropy (all
  // PyTorch's mean reductions). N = 5 samples.
  Rng rng(2);
  const Matrix X = Matrix::normal(5, 3, rng, 0, 1);
  struct Case {
    std::string activation;
    std::unique_ptr<Loss> loss;
    std::size_t out;
    double c;
    Matrix T;
  };
  std::vector<Case> cases;
  cases.push_back({"identity", std::make_unique<MeanSquaredError>(), 2, 2.0 / 10, Matrix::normal(5, 2, rng, 0, 1)});
  cases.push_back({"sigmoid", std::make_unique<BinaryCrossEntropy>(), 2, 1.0 / 10,
                   Matrix{{0, 1}, {1, 1}, {0, 0}, {1, 0}, {0, 1}}});
  cases.push_back({"", std::make_unique<SoftmaxCrossEntropy>(), 3, 1.0 / 5, one_hot({0, 2, 1, 1, 0}, 3)});
  for (auto& c : cases) {
    INFO(c.loss->describe());
    Network net;
    net.dense(3, c.out, rng);
    if (!c.activation.empty()) net.activation(c.activation);
    const Matrix& P = net.forward(X);
    const Matrix Y = c.activation.empty() ? softmax(P) : P;
    net.zero_grad();
    const Matrix dP = c.loss->gradient(P, c.T);  // kept alive: output_gradient() refers to what backward() got
    net.backward(dP);
    // What reaches the Dense layer is dL/dZ: the delta rule's error, scaled.
    CHECK(approx_equal(net.output_gradient(0), (Y - c.T) * c.c, 1e-12, 1e-14));
    // And its weight gradient is dZᵀ·X: Δw = −η·c·Σ (y − t)·x, the perceptron rule's shape.
    const Dense& d = static_cast<const Dense&>(net.layer(0));
    CHECK(approx_equal(d.dW, matmul_atb((Y - c.T) * c.c, X), 1e-12, 1e-14));
  }
}

TEST_CASE("ch04: batch gradient descent on one Dense layer reaches the normal equations", "[ch04]") {
  Rng rng(12);
  const Matrix X = Matrix::normal(80, 3, rng, 0, 1);
  Matrix T = add_row_vector(matmul(X, Matrix{{0.5}, {-1}, {2}}), Matrix{{0.3}});
  T += Matrix::normal(80, 1, rng, 0, 0.2);  // noise: no weights fit exactly
  const Matrix Xa = hconcat(Matrix::ones(80, 1), X);
  const Matrix theta = solve_normal_equations(Xa, T);
  // The MSE's Hessian is (2/N)·X̃ᵀX̃; η = 1/λ_max converges comfortably.
  const Scalar lambda_max = symmetric_eigenvalues(matmul_atb(Xa, Xa) * (2.0 / 80)).back();
  Network net;
  net.dense(Matrix(1, 3), Matrix(1, 1));
  MeanSquaredError mse;
  SGD sgd(1 / lambda_max);
  TrainOptions options;
  options.epochs = 2000;
  options.shuffle = false;
  const auto history = train(net, mse, sgd, X, T, rng, options);
  const Dense& d = static_cast<const Dense&>(net.layer(0));
  CHECK(std::abs(d.b(0, 0) - theta(0, 0)) < 1e-6);
  for (std::size_t j = 0; j < 3; ++j) CHECK(std::abs(d.W(0, j) - theta(j + 1, 0)) < 1e-6);
  // With η < 2/λ_max every batch step lowers a quadratic loss.
  for (std::size_t e = 1; e < history.size(); ++e) CHECK(history[e].loss <= history[e - 1].loss * (1 + 1e-15));
}
