// Tests for glassbox/nn/losses.hpp: values pinned by hand for each reduction (PyTorch's conventions),
// clamping and log-sum-exp keep values finite, and every gradient passes the finite-difference check.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "glassbox/nn/activations.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/train.hpp"

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
  CHECK(loss_names() == std::vector<std::string>{"mse", "half_sse", "mae", "huber", "pseudo_huber", "hinge", "bce",
                                                 "bce_with_logits", "multilabel_bce", "categorical_cross_entropy",
                                                 "softmax_cross_entropy", "sparse_softmax_cross_entropy"});
  CHECK(make_loss("mse", Reduction::sum)->describe() == "mse(sum)");
  CHECK(make_loss("softmax_cross_entropy")->describe() == "softmax_cross_entropy(mean)");
  CHECK_THROWS_WITH(make_loss("hinge_loss"), Catch::Contains("hinge_loss") && Catch::Contains("mse"));
  CHECK(parse_reduction("sum") == Reduction::sum);
  CHECK_THROWS_AS(parse_reduction("avg"), InputError);
  CHECK_THROWS_WITH(MeanSquaredError().value(Matrix(2, 3), Matrix(3, 2)),
                    Catch::Contains("mse(mean)") && Catch::Contains("(2×3)") && Catch::Contains("(3×2)"));
  CHECK(one_hot({1, 0}, 3) == Matrix{{0, 1, 0}, {1, 0, 0}});
  CHECK_THROWS_AS(one_hot({3}, 3), ShapeError);
}

// ---- regression losses --------------------------------------------------------------------------

TEST_CASE("mean absolute error: every residual pulls with the same strength", "[losses]") {
  // residuals 1, 0, 0, 2
  CHECK(MeanAbsoluteError(Reduction::mean).value(P, T) == 0.75);
  CHECK(MeanAbsoluteError(Reduction::sum).value(P, T) == 3.0);
  CHECK(MeanAbsoluteError(Reduction::mean).gradient(P, T) == Matrix{{0.25, 0}, {0, 0.25}});  // sign(0) = 0
  CHECK(MeanAbsoluteError(Reduction::sum).gradient(P, T) == Matrix{{1, 0}, {0, 1}});
}

TEST_CASE("Huber: ½r² inside δ, δ(|r| − ½δ) outside, meeting smoothly at |r| = δ", "[losses]") {
  // residuals 1, 0, 0, 2 with δ = 1: ½·1 + 1·(2 − ½) = 2
  CHECK(Huber(1.0, Reduction::sum).value(P, T) == 2.0);
  CHECK(Huber(1.0, Reduction::mean).value(P, T) == 0.5);
  CHECK(Huber(1.0, Reduction::sum).gradient(P, T) == Matrix{{1, 0}, {0, 1}});  // pull capped at δ
  // δ = 0.5: 0.5·(1 − 0.25) + 0.5·(2 − 0.25) = 1.25
  CHECK(Huber(0.5, Reduction::sum).value(P, T) == 1.25);
  CHECK(Huber(0.5, Reduction::sum).gradient(P, T) == Matrix{{0.5, 0}, {0, 0.5}});
  // the two pieces agree in value and slope at |r| = δ
  for (double delta : {0.3, 1.0, 2.5}) {
    const Huber h(delta, Reduction::sum);
    const double eps = 1e-9;
    const double inside = h.value(Matrix{{delta - eps}}, Matrix{{0}});
    const double outside = h.value(Matrix{{delta + eps}}, Matrix{{0}});
    CHECK(inside == Approx(0.5 * delta * delta).epsilon(1e-8));
    CHECK(outside == Approx(0.5 * delta * delta).epsilon(1e-8));
    CHECK(h.gradient(Matrix{{delta + eps}}, Matrix{{0}})(0, 0) == delta);
    CHECK(h.gradient(Matrix{{delta - eps}}, Matrix{{0}})(0, 0) == Approx(delta).epsilon(1e-8));
  }
  // PyTorch's SmoothL1Loss(β) is Huber(δ = β) / β: for r = 3, β = 2: |r| − β/2 = 2
  CHECK(Huber(2.0, Reduction::sum).value(Matrix{{3}}, Matrix{{0}}) / 2.0 == 2.0);
  CHECK(make_loss("huber", Reduction::mean, Json{{"delta", 0.5}})->describe() == "huber(δ=0.5, mean)");
  CHECK_THROWS_WITH(Huber(0.0), Catch::Contains("delta"));
  CHECK_THROWS_WITH(make_loss("huber", Reduction::mean, Json{{"delta", -1}}), Catch::Contains("delta"));
  CHECK_THROWS_WITH(make_loss("huber", Reduction::mean, Json{{"beta", 1}}),
                    Catch::Contains("huber") && Catch::Contains("beta") && Catch::Contains("delta"));
}

TEST_CASE("pseudo-Huber: δ²(√(1 + (r/δ)²) − 1), accurate for tiny residuals", "[losses]") {
  const PseudoHuber ph(1.0, Reduction::sum);
  CHECK(ph.value(P, T) == Approx(std::sqrt(2.0) - 1 + std::sqrt(5.0) - 1).epsilon(1e-15));
  const Matrix g = ph.gradient(P, T);
  CHECK(g(0, 0) == Approx(1 / std::sqrt(2.0)).epsilon(1e-15));
  CHECK(g(1, 1) == Approx(2 / std::sqrt(5.0)).epsilon(1e-15));
  // ≈ ½r² near 0 (written without cancellation), ≈ δ|r| − δ² far away
  CHECK(ph.value(Matrix{{1e-8}}, Matrix{{0}}) == Approx(0.5e-16).epsilon(1e-12));
  // δ²√(1 + q²) = δ|r| + δ²/(2|q|) + …: for r = 10⁶, δ = 2: 2·10⁶ − 4 + 4·10⁻⁶
  CHECK(PseudoHuber(2.0, Reduction::sum).value(Matrix{{1e6}}, Matrix{{0}}) == Approx(2e6 - 4 + 4e-6).epsilon(1e-15));
  CHECK(make_loss("pseudo_huber", Reduction::sum, Json{{"delta", 2}})->describe() == "pseudo_huber(δ=2, sum)");
}

// ---- classification losses ----------------------------------------------------------------------

TEST_CASE("hinge: max(0, 1 − t·y) with labels ±1", "[losses]") {
  const Matrix y{{2, 0.5}, {-1, 0.3}}, t{{1, 1}, {1, -1}};  // margins t·y: 2, 0.5, −1, −0.3
  CHECK(Hinge(Reduction::sum).value(y, t) == Approx(0 + 0.5 + 2 + 1.3).epsilon(1e-15));
  CHECK(Hinge(Reduction::mean).value(y, t) == Approx(3.8 / 4).epsilon(1e-15));
  CHECK(Hinge(Reduction::sum).gradient(y, t) == Matrix{{0, -1}, {-1, 1}});
  CHECK(Hinge(Reduction::mean).gradient(y, t) == Matrix{{0, -0.25}, {-0.25, 0.25}});
  CHECK(Hinge(Reduction::sum).gradient(Matrix{{1}}, Matrix{{1}}) == Matrix{{0}});  // on the margin: flat side
  CHECK_THROWS_WITH(Hinge().value(y, Matrix{{1, 1}, {0, -1}}),
                    Catch::Contains("(1, 0)") && Catch::Contains("−1 or +1"));
  CHECK_THROWS_AS(Hinge().gradient(y, Matrix{{1, 2}, {1, -1}}), InputError);
}

TEST_CASE("binary cross-entropy on probabilities: no 0·ln 0 NaN at p = 0 and p = 1", "[losses]") {
  const BinaryCrossEntropy bce(Reduction::sum);
  CHECK(bce.value(Matrix{{0.0, 1.0}}, Matrix{{0.0, 1.0}}) == 0.0);  // right and certain: 0, not NaN
  CHECK(bce.value(Matrix{{0.0, 1.0}}, Matrix{{1.0, 0.0}}) == 200.0);  // wrong and certain: clamped, finite
  CHECK(all_finite(bce.gradient(Matrix{{0.0, 1.0, 0.0, 1.0}}, Matrix{{0.0, 1.0, 1.0, 0.0}})));
}

TEST_CASE("binary cross-entropy on logits: the stable form is exact for logits of ±100 and ±1000", "[losses]") {
  const BinaryCrossEntropyWithLogits bce(Reduction::sum);
  CHECK(bce.value(Matrix{{0}}, Matrix{{1}}) == Approx(std::log(2.0)).epsilon(1e-16));
  // wrong by a logit of 100: exactly 100 (+ e^(−100), below rounding); bce on σ(z) would be clamped
  CHECK(bce.value(Matrix{{100}}, Matrix{{0}}) == 100.0);
  CHECK(bce.value(Matrix{{-100}}, Matrix{{1}}) == 100.0);
  // right by 100: ln(1 + e^(−100)) = e^(−100), tiny but exact, where 1 − σ(100) rounds to 0
  CHECK(bce.value(Matrix{{100}}, Matrix{{1}}) == Approx(std::exp(-100.0)).epsilon(1e-14));
  CHECK(bce.value(Matrix{{-100}}, Matrix{{0}}) == Approx(std::exp(-100.0)).epsilon(1e-14));
  CHECK(bce.value(Matrix{{1000, -1000}}, Matrix{{0, 0}}) == 1000.0);
  CHECK(bce.gradient(Matrix{{100, -100, 0}}, Matrix{{0, 1, 1}}) == Matrix{{1, -1, -0.5}});  // σ(z) − t
  CHECK(all_finite(bce.gradient(Matrix{{1000, -1000}}, Matrix{{1, 0}})));

  // the same loss and gradient as bce on σ(z), away from saturation
  Rng rng(12);
  const Matrix z = Matrix::uniform(5, 2, rng, -6, 6);
  const Matrix t = Matrix::uniform(5, 2, rng, 0, 1);
  const Matrix p = z.apply([](Scalar x) { return Sigmoid{}.value(x); });
  for (Reduction r : {Reduction::mean, Reduction::sum}) {
    CHECK(BinaryCrossEntropyWithLogits(r).value(z, t) == Approx(BinaryCrossEntropy(r).value(p, t)).epsilon(1e-12));
    // dℓ/dz = dℓ/dp · σ'(z)
    const Matrix via_p = hadamard(BinaryCrossEntropy(r).gradient(p, t), p.apply([](Scalar a) { return a * (1 - a); }));
    CHECK(approx_equal(BinaryCrossEntropyWithLogits(r).gradient(z, t), via_p, 1e-12, 1e-15));
  }
}

TEST_CASE("multilabel BCE: per sample the mean over its labels (MultiLabelSoftMarginLoss)", "[losses]") {
  CHECK(MultilabelBinaryCrossEntropy(Reduction::sum).value(Matrix{{0, 0}}, Matrix{{1, 0}}) ==
        Approx(std::log(2.0)).epsilon(1e-15));
  Rng rng(13);
  const Matrix z = Matrix::uniform(6, 3, rng, -4, 4);
  Matrix t(6, 3);
  for (Scalar& x : t) x = rng.bernoulli(0.5) ? 1 : 0;  // any combination of labels
  // mean over N of the per-sample mean over K = bce_with_logits' mean over all N·K
  CHECK(MultilabelBinaryCrossEntropy(Reduction::mean).value(z, t) ==
        Approx(BinaryCrossEntropyWithLogits(Reduction::mean).value(z, t)).epsilon(1e-14));
  // sum over N of per-sample means = bce_with_logits' sum / K
  CHECK(MultilabelBinaryCrossEntropy(Reduction::sum).value(z, t) ==
        Approx(BinaryCrossEntropyWithLogits(Reduction::sum).value(z, t) / 3).epsilon(1e-14));
  CHECK(approx_equal(MultilabelBinaryCrossEntropy(Reduction::sum).gradient(z, t),
                     BinaryCrossEntropyWithLogits(Reduction::sum).gradient(z, t) / 3.0, 1e-14, 1e-16));
}

TEST_CASE("categorical cross-entropy on probabilities: −Σ t ln p, clamped, no 0·ln 0", "[losses]") {
  const CategoricalCrossEntropy cce(Reduction::mean);
  CHECK(cce.value(Matrix{{0.7, 0.2, 0.1}}, Matrix{{0, 1, 0}}) == Approx(-std::log(0.2)).epsilon(1e-15));
  CHECK(cce.value(Matrix{{1, 0, 0}, {0, 0, 1}}, Matrix{{1, 0, 0}, {0, 0, 1}}) == 0.0);  // zeros where t = 0: no NaN
  CHECK(cce.value(Matrix{{1, 0}}, Matrix{{0, 1}}) == 100.0);  // certain and wrong: ln 0 clamped at −100
  CHECK(cce.gradient(Matrix{{0.5, 0.25, 0.25}}, Matrix{{0, 1, 0}}) == Matrix{{0, -4, 0}});
  CHECK(all_finite(cce.gradient(Matrix{{1, 0}}, Matrix{{0, 1}})));

  // after a softmax: the same loss as softmax_cross_entropy on the logits, and through the softmax
  // layer's Jacobian the same gradient as the fused one
  Rng rng(14);
  const Matrix z = Matrix::uniform(4, 3, rng, -3, 3);
  const Matrix t = one_hot({2, 0, 1, 1}, 3);
  Softmax layer(3);
  const Matrix p = layer.forward(z);
  CHECK(cce.value(p, t) == Approx(SoftmaxCrossEntropy().value(z, t)).epsilon(1e-14));
  CHECK(approx_equal(layer.backward(cce.gradient(p, t)), SoftmaxCrossEntropy().gradient(z, t), 1e-12, 1e-15));
  // softmax([1000, 0]) = [1, 0]: the clamped loss is finite
  CHECK(cce.value(softmax(Matrix{{1000, 0}}), Matrix{{0, 1}}) == 100.0);
}

TEST_CASE("categorical cross-entropy after a softmax: a sample wrong by a logit gap of 45 gets dL/db = (−1, 1, 0)",
          "[losses]") {
  // p = softmax(0, 45, 0) ≈ (2.9e-20, 1, 2.9e-20) and class 0 is the target: L = −ln p₀ ≈ 45, and
  // dL/db = p − t ≈ (−1, 1, 0) — what softmax_cross_entropy on the logits gives. The chain needs
  // dL/dp₀ = −1/p₀ exactly: a denominator clamped at 1e-12 gave (−2.9e-8, 2.9e-8, 0).
  for (Reduction r : {Reduction::mean, Reduction::sum}) {
    const CategoricalCrossEntropy cce(r);
    Network net;
    net.dense(Matrix{{0.0}, {0.0}, {0.0}}, Matrix{{0, 45, 0}}).activation("softmax");
    const Matrix X{{0.5}}, T = one_hot({0}, 3);
    const Matrix& P = net.forward(X);
    CHECK(P(0, 0) < 1e-19);
    CHECK(cce.value(P, T) == Approx(45.0).epsilon(1e-14));
    net.zero_grad();
    net.backward(cce.gradient(P, T));
    const Dense& dense = dynamic_cast<const Dense&>(net.layer(0));
    INFO("dL/db = " << to_string(dense.db));
    CHECK(max_abs_diff(dense.db, Matrix{{-1, 1, 0}}) < 1e-9);
    CHECK(max_abs_diff(dense.db, SoftmaxCrossEntropy(r).gradient(dense.Z, T)) < 1e-15);

    const GradCheckReport report = check_network(net, cce, X, T);
    INFO(report.summary());
    CHECK(report.verdict == CheckVerdict::good);
  }
}

TEST_CASE("losses on probabilities: value and gradient are one function on both sides of the clamp ln p ≥ −100",
          "[losses]") {
  // ln p is clamped at −100, i.e. below p = e^(−100) ≈ 3.7e-44: above it the gradient is −t/p (for
  // bce also the (1 − t)/(1 − p) term), below it the clamped loss is flat and its gradient 0. The
  // step h is a small fraction of p, so that the finite difference resolves the derivative.
  for (const LossEntry& entry : loss_table()) {
    if (entry.takes != Prediction::probabilities) continue;
    for (Reduction r : {Reduction::mean, Reduction::sum}) {
      const auto loss = entry.make(r);
      for (double t : {1.0, 0.3}) {
        for (double p : {0.25, 1e-11, 1e-15, 1e-30, 1e-43}) {  // above the clamp
          GradCheckOptions options;
          options.h = 1e-5 * p;
          const GradCheckReport report = check_loss(*loss, Matrix{{p}}, Matrix{{t}}, options);
          INFO(loss->describe() << " at p = " << p << ", t = " << t << ": " << report.summary());
          CHECK(report.verdict == CheckVerdict::good);
        }
      }
      // below the clamp, where the loss is flat in p: the gradient is 0, as the finite difference
      const Matrix p{{1e-45}}, t{{1.0}};
      GradCheckOptions options;
      options.h = 1e-5 * p(0, 0);
      const GradCheckReport report = check_loss(*loss, p, t, options);
      INFO(loss->describe() << " at p = 1e-45, t = 1: " << report.summary());
      CHECK(report.failed == 0);
      CHECK(report.zeros == 1);
      CHECK(loss->gradient(p, t) == Matrix{{0}});
      CHECK(loss->value(p, t) == loss->value(Matrix{{1e-60}}, t));
      CHECK(loss->value(p, t) == loss->value(Matrix{{0.0}}, t));
    }
  }
}

TEST_CASE("binary cross-entropy: the exact derivative of the clamped loss near p = 1 and at p = 0 and 1", "[losses]") {
  // 1 − p = 2⁻⁴⁰ ≈ 9.1e-13: p(1 − p) is below 1e-12, where a clamped denominator would be wrong by 9%
  const double p = 1.0 - std::ldexp(1.0, -40);
  for (Reduction r : {Reduction::mean, Reduction::sum}) {
    const BinaryCrossEntropy bce(r);
    for (double t : {0.0, 0.3}) {
      GradCheckOptions options;
      options.h = std::ldexp(1.0, -52);  // two of double's steps below 1, a 4096th of 1 − p
      const GradCheckReport report = check_loss(bce, Matrix{{p}}, Matrix{{t}}, options);
      INFO(bce.describe() << " at p = 1 − 2⁻⁴⁰, t = " << t << ": " << report.summary());
      CHECK(report.verdict == CheckVerdict::good);
    }
  }
  // At p = 0 and p = 1 one ln is clamped, and only the other term has a slope:
  // dℓ/dp = (1 − t)/(1 − p) at p = 0, −t/p at p = 1
  const BinaryCrossEntropy bce(Reduction::sum);
  CHECK(bce.gradient(Matrix{{0.0, 0.0, 0.0, 1.0, 1.0, 1.0}}, Matrix{{0.0, 0.25, 1.0, 0.0, 0.25, 1.0}}) ==
        Matrix{{1, 0.75, 0, 0, -0.25, -1}});
}

TEST_CASE("sparse softmax cross-entropy equals softmax cross-entropy on one-hot labels, bit for bit", "[losses]") {
  Rng rng(15);
  const Matrix z = Matrix::uniform(7, 4, rng, -5, 5);
  const std::vector<std::size_t> labels{3, 0, 1, 1, 2, 0, 3};
  Matrix indices(7, 1);
  for (std::size_t n = 0; n < labels.size(); ++n) indices(n, 0) = static_cast<Scalar>(labels[n]);
  for (Reduction r : {Reduction::mean, Reduction::sum}) {
    CHECK(SparseSoftmaxCrossEntropy(r).value(z, indices) == SoftmaxCrossEntropy(r).value(z, one_hot(labels, 4)));
    CHECK(SparseSoftmaxCrossEntropy(r).gradient(z, indices) == SoftmaxCrossEntropy(r).gradient(z, one_hot(labels, 4)));
  }
  // log-sum-exp: logits of 1000 are exact
  CHECK(SparseSoftmaxCrossEntropy(Reduction::sum).value(Matrix{{1000, 0}}, Matrix{{1}}) == 1000.0);
  CHECK(SparseSoftmaxCrossEntropy(Reduction::sum).value(Matrix{{1000, 0}}, Matrix{{0}}) == 0.0);
  CHECK(SparseSoftmaxCrossEntropy(Reduction::sum).value(Matrix{{-1000, 1000}}, Matrix{{0}}) == 2000.0);

  const SparseSoftmaxCrossEntropy sparse;
  CHECK(sparse.target_columns(4) == 1);
  CHECK_THROWS_WITH(sparse.value(z, Matrix(7, 4)), Catch::Contains("(7×1)") && Catch::Contains("(7×4)"));
  Matrix bad = indices;
  bad(2, 0) = 4;
  CHECK_THROWS_WITH(sparse.value(z, bad), Catch::Contains("sample 2") && Catch::Contains("0 to 3"));
  bad(2, 0) = 1.5;
  CHECK_THROWS_AS(sparse.gradient(z, bad), InputError);
  bad(2, 0) = -1;
  CHECK_THROWS_AS(sparse.value(z, bad), InputError);
}

TEST_CASE("training with sparse labels takes the same steps as with one-hot labels", "[losses]") {
  Rng rng(16);
  Network a;
  a.dense(2, 5, rng).activation("tanh").dense(5, 3, rng);
  Network b = a;
  const Matrix X = Matrix::uniform(9, 2, rng, -1, 1);
  const std::vector<std::size_t> labels{0, 1, 2, 2, 1, 0, 0, 1, 2};
  Matrix indices(9, 1);
  for (std::size_t n = 0; n < labels.size(); ++n) indices(n, 0) = static_cast<Scalar>(labels[n]);
  SGD sgd_a(0.5), sgd_b(0.5);
  Rng order_a(1), order_b(1);
  const auto history_a = train(a, SparseSoftmaxCrossEntropy(), sgd_a, X, indices, order_a,
                               TrainOptions{.epochs = 3, .batch_size = 4, .classification = true});
  const auto history_b = train(b, SoftmaxCrossEntropy(), sgd_b, X, one_hot(labels, 3), order_b,
                               TrainOptions{.epochs = 3, .batch_size = 4, .classification = true});
  CHECK(history_a.back().loss == history_b.back().loss);
  CHECK(history_a.back().accuracy == history_b.back().accuracy);
  CHECK(a.parameter("layers[0].W").value == b.parameter("layers[0].W").value);
  CHECK(accuracy(Matrix{{0.1, 0.9}, {0.8, 0.2}}, Matrix{{1}, {1}}) == 0.5);  // class indices
  CHECK_THROWS_WITH(train(a, SoftmaxCrossEntropy(), sgd_a, X, indices, order_a, {}), Catch::Contains("target"));
}

// ---- every loss, by name ------------------------------------------------------------------------

namespace {

// A prediction and target for each loss, at random points away from its kinks: residuals away from
// 0 (and huber's from ±δ), hinge margins away from 1.
std::pair<Matrix, Matrix> point_for(const std::string& name, Rng& rng) {
  const std::size_t N = 5, K = 3;
  auto away = [&](Matrix m, double kink) {
    for (Scalar& x : m)
      if (std::abs(std::abs(x) - kink) < 0.1) x += x < 0 ? -0.2 : 0.2;
    return m;
  };
  const Matrix targets01 = Matrix::uniform(N, K, rng, 0, 1);
  // residuals away from 0 also for the smooth losses: a gradient near 0 is compared relatively,
  // and the rounding error of the difference quotient would dominate it
  if (name == "mse" || name == "half_sse" || name == "pseudo_huber" || name == "mae")
    return {targets01 + away(Matrix::uniform(N, K, rng, -3, 3), 0.0), targets01};
  if (name == "huber") return {targets01 + away(away(Matrix::uniform(N, K, rng, -3, 3), 0.0), 1.0), targets01};
  if (name == "hinge") {
    Matrix t(N, K);
    for (Scalar& x : t) x = rng.bernoulli(0.5) ? 1 : -1;
    Matrix margin = away(Matrix::uniform(N, K, rng, -1, 3), 1.0);
    return {hadamard(margin, t), t};  // y = t·margin, since t² = 1
  }
  if (name == "bce" || name == "categorical_cross_entropy") return {Matrix::uniform(N, K, rng, 0.05, 0.95), targets01};
  if (name == "bce_with_logits" || name == "multilabel_bce" || name == "softmax_cross_entropy")
    return {Matrix::uniform(N, K, rng, -4, 4), targets01};
  if (name == "sparse_softmax_cross_entropy") {
    Matrix labels(N, 1);
    for (Scalar& x : labels) x = static_cast<Scalar>(rng.below(K));
    return {Matrix::uniform(N, K, rng, -4, 4), labels};
  }
  FAIL("no test point for the loss " << name);
  return {};
}

}  // namespace

TEST_CASE("every loss in the table, both reductions, passes the finite-difference check away from kinks",
          "[losses]") {
  for (const LossEntry& entry : loss_table()) {
    for (Reduction r : {Reduction::mean, Reduction::sum}) {
      for (std::uint64_t seed : {1, 2, 3}) {
        Rng rng(seed);
        const auto [prediction, target] = point_for(entry.name, rng);
        const auto loss = entry.make(r);
        const GradCheckReport report = check_loss(*loss, prediction, target);
        INFO(entry.name << " seed " << seed << ": " << report.summary());
        CHECK(report.verdict == CheckVerdict::good);
        CHECK(std::isfinite(loss->value(prediction, target)));
      }
    }
  }
  Rng rng(4);
  for (double delta : {0.25, 2.0}) {
    for (const char* name : {"huber", "pseudo_huber"}) {
      const auto loss = make_loss(name, Reduction::mean, Json{{"delta", delta}});
      Matrix target = Matrix::uniform(4, 2, rng, 0, 1);
      Matrix residual = Matrix::uniform(4, 2, rng, 0.1, 4);
      for (Scalar& x : residual)
        if (std::abs(x - delta) < 0.05) x += 0.1;
      const GradCheckReport report = check_loss(*loss, target + residual, target);
      INFO(report.summary());
      CHECK(report.verdict == CheckVerdict::good);
    }
  }
}

TEST_CASE("what the table says a loss takes agrees with the loss", "[losses]") {
  // Targets in one column exactly for class indices; the losses on logits exactly those whose value
  // at z equals the loss on probabilities at sigmoid(z) or softmax(z).
  const Matrix Z{{0.3, -1.2, 2.0}, {-0.4, 0.9, 0.1}};
  const Matrix T{{0, 0, 1}, {0, 1, 0}};
  Matrix P = Z;
  for (std::size_t i = 0; i < P.size(); ++i) P.data()[i] = Sigmoid{}.value(Z.data()[i]);
  for (const LossEntry& entry : loss_table()) {
    INFO(entry.name);
    const auto loss = entry.make(Reduction::mean);
    CHECK(loss->target_columns(3) == (entry.targets == TargetKind::class_index ? 1u : 3u));
    CHECK(loss_entry(entry.name).name == entry.name);
    if (entry.takes == Prediction::sigmoid_logits)
      CHECK(loss->value(Z, T) == Approx(make_loss("bce")->value(P, T)).epsilon(1e-12));
    if (entry.takes == Prediction::softmax_logits && entry.targets == TargetKind::probability)
      CHECK(loss->value(Z, T) == Approx(make_loss("categorical_cross_entropy")->value(softmax(Z), T)));
  }
  CHECK_THROWS_WITH(loss_entry("cross_entropy"), Catch::Contains("unknown loss \"cross_entropy\""));
  // A long name is shortened in the message.
  CHECK_THROWS_WITH(loss_entry(std::string(100000, 'l')),
                    Catch::StartsWith("unknown loss \"" + std::string(40, 'l') + "…\" (known: "));
}

TEST_CASE("loss settings: only huber and pseudo_huber take delta, the others take none", "[losses]") {
  CHECK(loss_table()[0].make(Reduction::sum)->describe() == "mse(sum)");  // the maker without options
  CHECK_THROWS_WITH(make_loss("mse", Reduction::mean, Json{{"delta", 1}}),
                    Catch::Contains("mse") && Catch::Contains("takes no options"));
  CHECK_THROWS_WITH(make_loss("pseudo_huber", Reduction::mean, Json{{"delta", "one"}}),
                    Catch::Contains("pseudo_huber") && Catch::Contains("number"));
  CHECK(make_loss("huber")->describe() == "huber(δ=1, mean)");
}

TEST_CASE("every loss, both reductions, is finite with a finite gradient at the extremes of its input", "[losses]") {
  // logits of ±1000, probabilities of exactly 0 and 1, residuals of ±10⁶: whatever the loss takes
  const Matrix logits{{1000, -1000, 0}, {-1000, 1000, 1000}};
  const Matrix probabilities{{1, 0, 0}, {0, 0.5, 1}};
  const Matrix targets01{{0, 1, 0}, {1, 0, 1}};  // wrong wherever the input is certain
  const Matrix one_hot_rows{{0, 1, 0}, {1, 0, 0}};
  const Matrix signs{{-1, 1, -1}, {1, -1, 1}};
  const Matrix labels{{1}, {0}};
  const Matrix huge{{1e6, -1e6, 0}, {-1e6, 1e6, 3}};
  for (const LossEntry& entry : loss_table()) {
    const std::string name = entry.name;
    Matrix P = logits, T = targets01;
    if (name == "mse" || name == "half_sse" || name == "mae" || name == "huber" || name == "pseudo_huber") P = huge;
    if (name == "hinge") T = signs;
    if (name == "bce") P = probabilities;
    if (name == "categorical_cross_entropy") {
      P = probabilities;
      T = one_hot_rows;
    }
    if (name == "softmax_cross_entropy") T = one_hot_rows;
    if (name == "sparse_softmax_cross_entropy") T = labels;
    for (Reduction r : {Reduction::mean, Reduction::sum}) {
      const auto loss = entry.make(r);
      const double value = loss->value(P, T);
      const Matrix dP = loss->gradient(P, T);
      INFO(loss->describe() << ": L = " << value << ", dL/dP = " << to_string(dP));
      CHECK(std::isfinite(value));
      CHECK(all_finite(dP));
    }
  }
}

TEST_CASE("softmax cross-entropy at logits of ±1000: exact losses and the gradient y − t", "[losses]") {
  const Matrix z{{1000, -1000}, {-1000, 1000}};
  // row 0 right, row 1 wrong by 2000: softmax is [1, 0] and [0, 1] exactly
  const Matrix t = one_hot({0, 0}, 2);
  CHECK(SoftmaxCrossEntropy(Reduction::sum).value(z, t) == 2000.0);
  CHECK(SoftmaxCrossEntropy(Reduction::sum).gradient(z, t) == Matrix{{0, 0}, {-1, 1}});
  CHECK(SparseSoftmaxCrossEntropy(Reduction::sum).gradient(z, Matrix{{0}, {0}}) == Matrix{{0, 0}, {-1, 1}});
  CHECK(all_finite(softmax(Matrix{{1000, -1000, 0}, {-1000, -1000, -1000}})));
  CHECK(softmax(Matrix{{-1000, -1000}}) == Matrix{{0.5, 0.5}});  // e^(−1000) would underflow to 0/0 unshifted
}

TEST_CASE("mean divides the sum by what PyTorch's reduction=\"mean\" divides by: N·out elements or N samples",
          "[losses]") {
  // N = 3 samples of K = 4 outputs, so that dividing by N and by N·K are told apart
  const std::size_t N = 3, K = 4;
  const std::vector<std::string> per_sample = {"multilabel_bce", "categorical_cross_entropy", "softmax_cross_entropy",
                                               "sparse_softmax_cross_entropy"};
  for (const LossEntry& entry : loss_table()) {
    const std::string name = entry.name;
    if (name == "half_sse") continue;  // always a sum
    Rng rng(17);
    Matrix P = Matrix::uniform(N, K, rng, 0.1, 0.9), T = one_hot({1, 3, 0}, K);
    if (name == "hinge") T = T * 2.0 - 1.0;  // ±1
    if (name == "sparse_softmax_cross_entropy") T = Matrix{{1}, {3}, {0}};
    const bool by_samples = std::find(per_sample.begin(), per_sample.end(), name) != per_sample.end();
    const double count = by_samples ? double(N) : double(N * K);
    INFO(name << ": mean over " << count);
    CHECK(entry.make(Reduction::mean)->value(P, T) * count ==
          Approx(entry.make(Reduction::sum)->value(P, T)).epsilon(1e-14));
    CHECK(approx_equal(entry.make(Reduction::mean)->gradient(P, T) * count, entry.make(Reduction::sum)->gradient(P, T),
                       1e-14, 1e-15));
  }
}
