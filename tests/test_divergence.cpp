// Tests for glassbox/train/divergence.hpp: the guard trips exactly when it should, with the message, and
// stops train() through watch_divergence.
#include <catch2/catch.hpp>

#include <limits>

#include "glassbox/train/divergence.hpp"
#include "glassbox/core/linalg.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

TEST_CASE("divergence: a loss past growth_limit × the first loss trips the guard", "[divergence]") {
  const DivergenceGuard guard(0.5, 0.1, 1e6);
  CHECK_NOTHROW(guard.check(0.25, 1));
  CHECK_NOTHROW(guard.check(5e5, 2));  // exactly at the limit: not past it
  CHECK_THROWS_AS(guard.check(6e5, 3), DivergenceError);
  CHECK_THROWS_WITH(guard.check(6e5, 3),
                    "loss grew from 0.5 to 6e+05 over 3 updates (learning rate η = 0.1 too large)");
  try {
    guard.check(6e5, 3);
  } catch (const DivergenceError& e) {
    CHECK(e.first_loss == 0.5);
    CHECK(e.last_loss == 6e5);
    CHECK(e.updates == 3);
  }
}

TEST_CASE("divergence: a loss that is not finite trips it at once", "[divergence]") {
  const DivergenceGuard guard(0.5, 0.1);
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(guard.check_finite(inf, 7),
                    "loss became inf at update 7, from 0.5 at the start (learning rate η = 0.1 too large)");
  CHECK_THROWS_WITH(guard.check(nan, 8), Catch::Contains("loss became nan at update 8"));
  CHECK_NOTHROW(guard.check_finite(1e300, 9));  // large but finite: check_finite does not judge growth
}

TEST_CASE("divergence: a zero first loss only checks finiteness, and bad settings are refused", "[divergence]") {
  const DivergenceGuard perfect(0.0, 0.1);
  CHECK_NOTHROW(perfect.check(1e9, 1));
  CHECK_THROWS_AS(perfect.check(std::numeric_limits<double>::infinity(), 2), DivergenceError);
  CHECK_THROWS_WITH(DivergenceGuard(std::numeric_limits<double>::quiet_NaN(), 0.1),
                    Catch::Contains("the loss is nan before any update"));
  CHECK_THROWS_AS(DivergenceGuard(1.0, 0.1, 1.0), std::invalid_argument);
}

namespace {
// A small regression problem and the largest eigenvalue of its MSE Hessian (2/N)·X̃ᵀX̃.
struct Problem {
  Matrix X, T;
  double lambda_max;
};
Problem problem() {
  Rng rng(12);
  Problem p{Matrix::normal(50, 2, rng, 0, 1), Matrix::normal(50, 1, rng, 0, 1), 0};
  const Matrix Xa = hconcat(Matrix::ones(50, 1), p.X);
  p.lambda_max = symmetric_eigenvalues(matmul_atb(Xa, Xa) * (2.0 / 50)).back();
  return p;
}
}  // namespace

TEST_CASE("divergence: watch_divergence stops train() above η = 2/λ_max, and not below", "[divergence]") {
  const Problem p = problem();
  MeanSquaredError mse;
  TrainOptions options;
  options.epochs = 100000;
  options.shuffle = false;
  Rng rng(1);
  Network net;
  net.dense(Matrix(1, 2), Matrix(1, 1));
  const double first = evaluate(net, mse, p.X, p.T).loss;
  const double eta = 1.2 * 2 / p.lambda_max;
  SGD too_fast(eta);
  std::size_t epochs_seen = 0;
  try {
    train(net, mse, too_fast, p.X, p.T, rng, options, Tracer::none(),
          watch_divergence(DivergenceGuard(first, eta), [&](const EpochStats&) { ++epochs_seen; }));
    FAIL("no DivergenceError");
  } catch (const DivergenceError& e) {
    CHECK_THAT(e.what(), Catch::Contains("loss grew from") && Catch::Contains("too large"));
    CHECK(e.updates == epochs_seen + 1);  // the epoch that tripped it does not reach `then`
    CHECK(e.updates < 1000);               // caught early, not after 100000 epochs
    CHECK(e.last_loss > 1e6 * first);
  }
  Network calm;
  calm.dense(Matrix(1, 2), Matrix(1, 1));
  SGD steady(0.95 * 2 / p.lambda_max);
  options.epochs = 200;
  CHECK_NOTHROW(train(calm, mse, steady, p.X, p.T, rng, options, Tracer::none(),
                      watch_divergence(DivergenceGuard(first, 0.95 * 2 / p.lambda_max))));
}

TEST_CASE("divergence: a loss that overflows inside an epoch is a NonFiniteError from train()", "[divergence]") {
  Rng rng(3);
  const Matrix X = Matrix::normal(200, 2, rng, 0, 10);
  const Matrix T = Matrix::normal(200, 1, rng, 0, 1);
  Network net;
  net.dense(Matrix(1, 2), Matrix(1, 1));
  MeanSquaredError mse;
  SGD sgd(10);  // one sample per update: each step multiplies the error by ~2000
  TrainOptions options;
  options.epochs = 5;
  options.batch_size = 1;
  CHECK_THROWS_AS(train(net, mse, sgd, X, T, rng, options, Tracer::none(),
                        watch_divergence(DivergenceGuard(evaluate(net, mse, X, T).loss, 10))),
                  NonFiniteError);
}
