// Tests for glassbox/losses.hpp: values pinned by hand for each reduction (PyTorch's conventions),
// clamping and log-sum-exp keep values finite, and every gradient passes the finite-difference check.
#include <catch2/catch.hpp>

#include <cmath>

#include "glassbox/activations.hpp"
#include "glassbox/gradcheck.hpp"
#include "glassbox/losses.hpp"

using namespace glassbox;

namespace {
const Matrix P{{1, 2}, {3, 4}};
const Matrix T{{0, 2}, {3, 2}};  // errors p − t: 1, 0, 0, 2
}  // namespace

TEST_CASE("mean squared error averages over all N·out elements, sum sums", "[losses]") {
  CHECK(MeanSquaredError(Reduction::mean).value(P, T) == 5.0 / 4);
  CHECK(MeanSquaredError(Reduction::sum).value(P, T) == 5.0);
  CHECK(MeanSquaredError(Reduction::mean).gradient(P, T) == Matrix{{0.5, 0}, {0, 1}});  // 2(p − t)/4
  CHECK(MeanSquaredError(Reduction::sum).gradient(P, T) == Matrix{{2, 0}, {0, 4}});
}

TEST_CASE("half sum of squares: E = Σ ½(t − o)², dE/do = o − t", "[losses]") {
  CHECK(HalfSumSquares().value(P, T) == 2.5);
  CHECK(HalfSumSquares().gradient(P, T) == Matrix{{1, 0}, {0, 2}});
  CHECK(make_loss("half_sse", Reduction::mean)->value(P, T) == 2.5);  // always a sum
}

TEST_CASE("binary cross-entropy averages over all elements and stays finite at 0 and 1", "[losses]") {
  const Matrix p{{0.5, 0.8}}, t{{1, 0}};
  const double expected = std::log(2.0) - std::log(0.2);
  CHECK(BinaryCrossEntropy(Reduction::sum).value(p, t) == Approx(expected).epsilon(1e-15));
  CHECK(BinaryCrossEntropy(Reduction::mean).value(p, t) == Approx(expected / 2).epsilon(1e-15));
  // dℓ/dp = (p − t)/(p(1 − p))
  CHECK(BinaryCrossEntropy(Reduction::sum).gradient(p, t)(0, 0) == Approx(-2.0));
  CHECK(BinaryCrossEntropy(Reduction::sum).gradient(p, t)(0, 1) == Approx(0.8 / 0.16));

  // A confident wrong answer costs ln clamped at −100, never inf; a right one costs 0.
  CHECK(BinaryCrossEntropy(Reduction::sum).value(Matrix{{0.0}}, Matrix{{1.0}}) == 100.0);
  CHECK(BinaryCrossEntropy(Reduction::sum).value(Matrix{{1.0}}, Matrix{{0.0}}) == 100.0);
  CHECK(BinaryCrossEntropy(Reduction::sum).value(Matrix{{1.0}}, Matrix{{1.0}}) == 0.0);
  CHECK(all_finite(BinaryCrossEntropy().gradient(Matrix{{0.0, 1.0}}, Matrix{{1.0, 0.0}})));
}

TEST_CASE("softmax cross-entropy on logits averages over the N samples", "[losses]") {
  const Matrix z{{0, 0}, {0, 0}}, t{{1, 0}, {0, 1}};
  CHECK(SoftmaxCrossEntropy(Reduction::mean).value(z, t) == Approx(std::log(2.0)).epsilon(1e-15));
  CHECK(SoftmaxCrossEntropy(Reduction::sum).value(z, t) == Approx(2 * std::log(2.0)).epsilon(1e-15));
  // (y − t)/N
  CHECK(SoftmaxCrossEntropy(Reduction::mean).gradient(z, t) == Matrix{{-0.25, 0.25}, {0.25, -0.25}});
  CHECK(SoftmaxCrossEntropy(Reduction::sum).gradient(z, t) == Matrix{{-0.5, 0.5}, {0.5, -0.5}});
  // log-sum-exp: huge logits give the exact finite answer
  CHECK(SoftmaxCrossEntropy(Reduction::sum).value(Matrix{{1000, 0}}, Matrix{{0, 1}}) == 1000.0);
  CHECK(SoftmaxCrossEntropy(Reduction::sum).value(Matrix{{1000, 0}}, Matrix{{1, 0}}) == 0.0);
}

TEST_CASE("softmax cross-entropy equals −Σ t ln softmax(z), and its fused gradient the chain through softmax",
          "[losses]") {
  Rng rng(4);
  const Matrix z = Matrix::uniform(3, 4, rng, -3, 3);
  const Matrix t = one_hot({2, 0, 3}, 4);
  Softmax layer(4);
  const Matrix y = layer.forward(z);
  double expected = 0;
  for (std::size_t k = 0; k < y.size(); ++k) expected -= t.data()[k] * std::log(y.data()[k]);
  CHECK(SoftmaxCrossEntropy(Reduction::mean).value(z, t) == Approx(expected / 3).epsilon(1e-14));
  // dL/dy = −t/(y·N), back through the softmax layer
  Matrix dy(3, 4);
  for (std::size_t k = 0; k < y.size(); ++k) dy.data()[k] = -t.data()[k] / (y.data()[k] * 3);
  CHECK(max_abs_diff(layer.backward(dy), SoftmaxCrossEntropy(Reduction::mean).gradient(z, t)) < 1e-15);
}

TEST_CASE("every loss and reduction passes the finite-difference check", "[losses]") {
  Rng rng(9);
  const Matrix probabilities = Matrix::uniform(4, 3, rng, 0.05, 0.95);
  const Matrix targets01 = Matrix::uniform(4, 3, rng, 0, 1);
  const Matrix logits = Matrix::uniform(4, 3, rng, -3, 3);
  const Matrix labels = one_hot({0, 2, 1, 2}, 3);
  Matrix soft_targets = Matrix::uniform(4, 3, rng, 0, 1);  // rows not summing to 1: the general gradient
  for (Reduction r : {Reduction::mean, Reduction::sum}) {
    for (const auto& [loss, prediction, target] :
         std::vector<std::tuple<std::shared_ptr<Loss>, Matrix, Matrix>>{
             {std::make_shared<MeanSquaredError>(r), logits, targets01},
             {std::make_shared<HalfSumSquares>(), logits, targets01},
             {std::make_shared<BinaryCrossEntropy>(r), probabilities, targets01},
             {std::make_shared<SoftmaxCrossEntropy>(r), logits, labels},
             {std::make_shared<SoftmaxCrossEntropy>(r), logits, soft_targets}}) {
      const GradCheckReport report = check_loss(*loss, prediction, target);
      INFO(report.summary());
      CHECK(report.verdict == CheckVerdict::good);
    }
  }
}

TEST_CASE("losses by name, shapes checked, one-hot labels", "[losses]") {
  CHECK(loss_names() == std::vector<std::string>{"mse", "half_sse", "bce", "softmax_cross_entropy"});
  CHECK(make_loss("mse", Reduction::sum)->describe() == "mse(sum)");
  CHECK(make_loss("softmax_cross_entropy")->describe() == "softmax_cross_entropy(mean)");
  CHECK_THROWS_WITH(make_loss("hinge"), Catch::Contains("hinge") && Catch::Contains("mse"));
  CHECK(parse_reduction("sum") == Reduction::sum);
  CHECK_THROWS_AS(parse_reduction("avg"), InputError);
  CHECK_THROWS_WITH(MeanSquaredError().value(Matrix(2, 3), Matrix(3, 2)),
                    Catch::Contains("mse(mean)") && Catch::Contains("(2×3)") && Catch::Contains("(3×2)"));
  CHECK(one_hot({1, 0}, 3) == Matrix{{0, 1, 0}, {1, 0, 0}});
  CHECK_THROWS_AS(one_hot({3}, 3), ShapeError);
}
