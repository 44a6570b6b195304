// Tests for glassbox/delta_rule.hpp: outputs and losses on values worked by hand, every backward
// pass against central differences, the fused output error y − t, the three batch modes, agreement
// with the normal equations, and divergence.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "glassbox/delta_rule.hpp"
#include "glassbox/divergence.hpp"
#include "glassbox/linalg.hpp"
#include "glassbox/random.hpp"

using namespace glassbox;

namespace {

// Targets that fit each output: real values, 0/1, or one-hot rows.
Matrix targets_for(DeltaOutput output, std::size_t n, std::size_t out, Rng& rng) {
  Matrix T(n, out);
  for (std::size_t i = 0; i < n; ++i) {
    if (output == DeltaOutput::softmax) {
      T(i, rng.below(out)) = 1;
    } else {
      for (std::size_t k = 0; k < out; ++k)
        T(i, k) = output == DeltaOutput::linear ? rng.normal() : static_cast<Scalar>(rng.bernoulli(0.5));
    }
  }
  return T;
}

Scalar loss_at(DeltaRuleLayer& layer, const Matrix& X, const Matrix& T) {
  layer.forward(X);
  return layer.loss(T);
}

}  // namespace

TEST_CASE("delta rule: Z = X·Wᵀ + b and the three outputs", "[delta_rule]") {
  DeltaRuleLayer linear(2, 1, DeltaOutput::linear);
  linear.W = Matrix{{1, 2}};
  linear.b = Matrix{{0.5}};
  CHECK(linear.forward(Matrix{{1, 1}, {0, -1}}) == Matrix{{3.5}, {-1.5}});
  CHECK(sigmoid(0) == 0.5);
  CHECK(sigmoid(-1000) == 0);  // e^(−1000) underflows to 0 cleanly, no 0/0
  CHECK(sigmoid(1000) == 1);
  for (Scalar z : {-3.0, -0.5, 0.25, 7.0}) CHECK(sigmoid(z) + sigmoid(-z) == Approx(1.0));
  // softmax: rows sum to 1, unchanged by adding a constant to a row, finite for huge logits
  const Matrix Y = delta_output(DeltaOutput::softmax, Matrix{{1, 2, 3}, {1000, 0, -1000}});
  CHECK(Y(0, 0) + Y(0, 1) + Y(0, 2) == Approx(1.0));
  CHECK(Y(0, 2) / Y(0, 1) == Approx(std::exp(1.0)));
  CHECK(approx_equal(delta_output(DeltaOutput::softmax, Matrix{{101, 102, 103}}), Y.row(0), 1e-12));
  CHECK(Y(1, 0) == 1);
  CHECK(all_finite(Y));
}

TEST_CASE("delta rule: the losses on values worked by hand", "[delta_rule]") {
  // MSE of y = (1, 2) against t = (0, 0): (1 + 4)/2
  CHECK(delta_loss(DeltaOutput::linear, Matrix{{1}, {2}}, Matrix{{1}, {2}}, Matrix{{0}, {0}}) == 2.5);
  // BCE at z = 0 (y = ½), either target: ln 2
  const Matrix z0{{0}, {0}};
  CHECK(delta_loss(DeltaOutput::logistic, z0, delta_output(DeltaOutput::logistic, z0), Matrix{{0}, {1}}) ==
        Approx(std::log(2.0)));
  // BCE stays finite where y rounds to exactly 0 or 1: z = −800 with t = 1 costs 800
  const Matrix far{{-800}};
  CHECK(delta_loss(DeltaOutput::logistic, far, delta_output(DeltaOutput::logistic, far), Matrix{{1}}) == Approx(800));
  // CE with equal logits over 3 classes: ln 3
  const Matrix z3{{5, 5, 5}};
  CHECK(delta_loss(DeltaOutput::softmax, z3, delta_output(DeltaOutput::softmax, z3), Matrix{{0, 1, 0}}) ==
        Approx(std::log(3.0)));
}

TEST_CASE("delta rule: the fused output error dL/dZ = c·(Y − T)", "[delta_rule]") {
  Rng rng(2);
  const Matrix X = Matrix::normal(5, 3, rng, 0, 1);
  // c = 2/(N·out) for MSE, 1/(N·out) for BCE, 1/N for cross-entropy
  const std::vector<std::tuple<DeltaOutput, std::size_t, Scalar>> cases{
      {DeltaOutput::linear, 2, 2.0 / 10}, {DeltaOutput::logistic, 2, 1.0 / 10}, {DeltaOutput::softmax, 3, 1.0 / 5}};
  for (const auto& [output, out, c] : cases) {
    INFO(to_string(output));
    DeltaRuleLayer layer(3, out, output);
    layer.W = Matrix::normal(out, 3, rng, 0, 1);
    const Matrix T = targets_for(output, 5, out, rng);
    layer.forward(X);
    layer.backward(X, T);
    CHECK(approx_equal(layer.dZ, (layer.Y - T) * c, 1e-15, 1e-15));
  }
}

TEST_CASE("delta rule: dL/dW and dL/db agree with central differences", "[delta_rule]") {
  Rng rng(5);
  for (DeltaOutput output : {DeltaOutput::linear, DeltaOutput::logistic, DeltaOutput::softmax}) {
    INFO(to_string(output));
    const std::size_t out = output == DeltaOutput::softmax ? 3 : 2;
    const Matrix X = Matrix::normal(6, 4, rng, 0, 1);
    const Matrix T = targets_for(output, 6, out, rng);
    DeltaRuleLayer layer(4, out, output);
    layer.W = Matrix::normal(out, 4, rng, 0, 0.5);
    layer.b = Matrix::normal(1, out, rng, 0, 0.5);
    layer.forward(X);
    layer.backward(X, T);
    const Matrix dW = layer.dW, db = layer.db;
    REQUIRE(norm(dW) > 1e-3);  // a check of gradients that are all ~0 would prove nothing
    constexpr Scalar h = 1e-6;
    for (Matrix* param : {&layer.W, &layer.b}) {
      const Matrix& analytic = param == &layer.W ? dW : db;
      for (std::size_t i = 0; i < param->size(); ++i) {
        const Scalar saved = param->data()[i];
        param->data()[i] = saved + h;
        const Scalar up = loss_at(layer, X, T);
        param->data()[i] = saved - h;
        const Scalar down = loss_at(layer, X, T);
        param->data()[i] = saved;
        const Scalar numerical = (up - down) / (2 * h);
        CHECK(analytic.data()[i] == Approx(numerical).epsilon(1e-6).margin(1e-9));
      }
    }
  }
}

TEST_CASE("delta rule: update is W ← W − η·dL/dW, b ← b − η·dL/db", "[delta_rule]") {
  DeltaRuleLayer layer(1, 1, DeltaOutput::linear);
  // One sample x = 2, t = 3, from w = b = 0: y = 0, dL/dz = 2(0 − 3) = −6, dL/dw = −12, dL/db = −6.
  const Matrix X{{2}}, T{{3}};
  layer.forward(X);
  layer.backward(X, T);
  CHECK(layer.dW == Matrix{{-12}});
  CHECK(layer.db == Matrix{{-6}});
  layer.update(0.1);
  CHECK(layer.W(0, 0) == Approx(1.2));
  CHECK(layer.b(0, 0) == Approx(0.6));
}

TEST_CASE("delta rule: batch, stochastic and mini-batch epochs make 1, N and ⌈N/B⌉ updates", "[delta_rule]") {
  Rng rng(9);
  const Matrix X = Matrix::normal(10, 2, rng, 0, 1);
  const Matrix T = Matrix::normal(10, 1, rng, 0, 1);
  for (const auto& [batch_size, per_epoch] : std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {1, 10}, {4, 3}}) {
    INFO("batch size " << batch_size);
    DeltaRuleLayer layer(2, 1, DeltaOutput::linear);
    DeltaTrainingOptions options;
    options.batch_size = batch_size;
    options.epochs = 3;
    std::vector<std::set<std::size_t>> seen(3);
    std::vector<std::size_t> sizes;
    options.on_update = [&](const DeltaUpdate& u) {
      seen[u.epoch - 1].insert(u.batch->begin(), u.batch->end());
      if (u.epoch == 1) sizes.push_back(u.batch->size());
    };
    const DeltaTraining run = train_delta_rule(layer, X, T, options, rng);
    CHECK(run.updates == 3 * per_epoch);
    CHECK(run.epoch_losses.size() == 3);
    for (const auto& s : seen) CHECK(s.size() == 10);  // every epoch visits every sample once
    if (batch_size == 4) CHECK(sizes == std::vector<std::size_t>{4, 4, 2});
  }
}

TEST_CASE("delta rule: shuffles come from the Rng and batch descent draws nothing", "[delta_rule]") {
  Rng data_rng(4);
  const Matrix X = Matrix::normal(20, 3, data_rng, 0, 1);
  const Matrix T = Matrix::normal(20, 1, data_rng, 0, 1);
  auto train_with = [&](std::uint64_t seed, std::size_t batch_size, Rng* out = nullptr) {
    Rng rng(seed);
    DeltaRuleLayer layer(3, 1, DeltaOutput::linear);
    DeltaTrainingOptions options;
    options.batch_size = batch_size;
    options.epochs = 5;
    options.learning_rate = 0.05;
    train_delta_rule(layer, X, T, options, rng);
    if (out) *out = rng;
    return layer.W;
  };
  CHECK(train_with(1, 1) == train_with(1, 1));
  CHECK(train_with(1, 1) != train_with(2, 1));
  Rng after(0);
  train_with(1, 0, &after);
  CHECK(after.next_u64() == Rng(1).next_u64());
}

TEST_CASE("delta rule: batch gradient descent reaches the normal-equation solution", "[delta_rule]") {
  Rng rng(12);
  const Matrix X = Matrix::normal(80, 3, rng, 0, 1);
  Matrix T = add_row_vector(matmul(X, Matrix{{0.5}, {-1}, {2}}), Matrix{{0.3}});
  T += Matrix::normal(80, 1, rng, 0, 0.2);  // noise: no weights fit exactly
  const Matrix theta = solve_normal_equations(hconcat(Matrix::ones(80, 1), X), T);
  // The MSE's Hessian is (2/N)·X̃ᵀX̃; any η below 2/λ_max converges, 1/λ_max comfortably.
  const Matrix Xa = hconcat(Matrix::ones(80, 1), X);
  const Scalar lambda_max = symmetric_eigenvalues(matmul_atb(Xa, Xa) * (2.0 / 80)).back();
  DeltaRuleLayer layer(3, 1, DeltaOutput::linear);
  DeltaTrainingOptions options;
  options.learning_rate = 1 / lambda_max;
  options.epochs = 2000;
  const DeltaTraining run = train_delta_rule(layer, X, T, options, rng);
  CHECK(std::abs(layer.b(0, 0) - theta(0, 0)) < 1e-6);
  for (std::size_t j = 0; j < 3; ++j) CHECK(std::abs(layer.W(0, j) - theta(j + 1, 0)) < 1e-6);
  // With η < 2/λ_max every batch step lowers the loss of a quadratic.
  for (std::size_t e = 1; e < run.epoch_losses.size(); ++e)
    CHECK(run.epoch_losses[e] <= run.epoch_losses[e - 1] * (1 + 1e-15));
}

TEST_CASE("delta rule: a learning rate above 2/λ_max diverges, and is stopped with a message", "[delta_rule]") {
  Rng rng(12);
  const Matrix X = Matrix::normal(50, 2, rng, 0, 1);
  const Matrix T = Matrix::normal(50, 1, rng, 0, 1);
  const Matrix Xa = hconcat(Matrix::ones(50, 1), X);
  const Scalar lambda_max = symmetric_eigenvalues(matmul_atb(Xa, Xa) * (2.0 / 50)).back();
  DeltaRuleLayer layer(2, 1, DeltaOutput::linear);
  DeltaTrainingOptions options;
  options.learning_rate = 1.2 * 2 / lambda_max;
  options.epochs = 100000;
  std::size_t updates = 0;
  options.on_update = [&](const DeltaUpdate&) { ++updates; };
  try {
    train_delta_rule(layer, X, T, options, rng);
    FAIL("no DivergenceError");
  } catch (const DivergenceError& e) {
    CHECK_THAT(e.what(), Catch::Contains("loss grew from") && Catch::Contains("too large"));
    CHECK(e.updates == updates);
    CHECK(e.updates < 1000);  // caught early, not after 100000 epochs of NaN
    CHECK(e.last_loss > 1e6 * e.first_loss);
    CHECK(std::isfinite(e.last_loss));
  }
  // Just below the limit it converges.
  DeltaRuleLayer calm(2, 1, DeltaOutput::linear);
  options.learning_rate = 0.95 * 2 / lambda_max;
  options.epochs = 200;
  options.on_update = nullptr;
  CHECK_NOTHROW(train_delta_rule(calm, X, T, options, rng));
}

TEST_CASE("delta rule: a loss that overflows within an epoch is reported as not finite", "[delta_rule]") {
  Rng rng(3);
  const Matrix X = Matrix::normal(200, 2, rng, 0, 10);
  const Matrix T = Matrix::normal(200, 1, rng, 0, 1);
  DeltaRuleLayer layer(2, 1, DeltaOutput::linear);
  DeltaTrainingOptions options;
  options.learning_rate = 10;  // one sample per update: each step multiplies the error by ~2000
  options.batch_size = 1;
  options.epochs = 5;
  CHECK_THROWS_WITH(train_delta_rule(layer, X, T, options, rng),
                    Catch::Contains("loss became inf") && Catch::Contains("(learning rate η = 10 too large)"));
}

TEST_CASE("delta rule: targets and shapes that do not fit are refused", "[delta_rule]") {
  Rng rng(1);
  const Matrix X(4, 2);
  DeltaRuleLayer logistic(2, 1, DeltaOutput::logistic);
  CHECK_THROWS_WITH(train_delta_rule(logistic, X, Matrix{{0}, {1}, {2}, {0}}, {}, rng), Catch::Contains("not in [0, 1]"));
  DeltaRuleLayer softmax(2, 2, DeltaOutput::softmax);
  CHECK_THROWS_WITH(train_delta_rule(softmax, X, Matrix{{1, 0}, {0, 1}, {1, 1}, {0, 1}}, {}, rng),
                    Catch::Contains("row 2 sum to 2"));
  CHECK_THROWS_AS(train_delta_rule(logistic, X, Matrix(3, 1), {}, rng), ShapeError);
  CHECK_THROWS_AS(logistic.forward(Matrix(4, 3)), ShapeError);
  CHECK_THROWS_AS(DeltaRuleLayer(2, 1, DeltaOutput::softmax), ShapeError);
  DeltaTrainingOptions zero;
  zero.learning_rate = 0;
  CHECK_THROWS_AS(train_delta_rule(logistic, X, Matrix(4, 1), zero, rng), std::invalid_argument);
}
