// Tests of batch normalization (as torch.nn.BatchNorm1d): the forward pass with the batch's
// statistics and with the running ones, the running statistics' update (with the unbiased
// variance) worked by hand, the backward pass gradient-checked in training mode, the refusal of a
// batch of one, placement before or after an activation.
#include <catch2/catch.hpp>

#include <cmath>

#include "glassbox/nn/batch_norm.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

TEST_CASE("batch norm in training normalizes with the batch mean and biased variance", "[batch_norm]") {
  // Feature 0: x = 1, 2, 3, 6.  μ = 12/4 = 3.  Σ(x − μ)² = 4 + 1 + 0 + 9 = 14.  σ² = 14/4 = 3.5 (biased).
  // Feature 1: x = 0, 0, 4, 4.  μ = 2.         Σ(x − μ)² = 4·4 = 16.            σ² = 16/4 = 4.
  BatchNorm bn(2);
  const Matrix X{{1, 0}, {2, 0}, {3, 4}, {6, 4}};
  const Matrix& Y = bn.forward(X);
  CHECK(bn.mu(0, 0) == 3.0);
  CHECK(bn.mu(0, 1) == 2.0);
  CHECK(bn.var(0, 0) == 3.5);
  CHECK(bn.var(0, 1) == 4.0);
  // x̂ = (x − μ)/√(σ² + 1e-5); with γ = 1, β = 0, y = x̂.
  const double s0 = std::sqrt(3.5 + 1e-5), s1 = std::sqrt(4.0 + 1e-5);
  CHECK(Y(0, 0) == Approx(-2 / s0));
  CHECK(Y(3, 0) == Approx(3 / s0));
  CHECK(Y(0, 1) == Approx(-2 / s1));
  CHECK(Y(2, 1) == Approx(2 / s1));
  // γ and β scale and shift: y = γ·x̂ + β.
  bn.gamma = Matrix{{2.0, -1.0}};
  bn.beta = Matrix{{0.5, 3.0}};
  bn.forward(X);
  CHECK(bn.Y(3, 0) == Approx(2 * 3 / s0 + 0.5));
  CHECK(bn.Y(2, 1) == Approx(-1 * 2 / s1 + 3.0));
}

TEST_CASE("the running statistics move by momentum 0.1 towards the batch mean and UNBIASED variance",
          "[batch_norm]") {
  // Same batch. Unbiased variances: 14/3 and 16/3.
  // After one step (start 0 and 1):  running_mean = 0.9·0 + 0.1·μ   = (0.3, 0.2)
  //                                  running_var  = 0.9·1 + 0.1·14/3 = 0.9 + 0.4666… = 1.3666…
  //                                                 0.9·1 + 0.1·16/3 = 0.9 + 0.5333… = 1.4333…
  // After a second identical step:  running_mean = 0.9·0.3 + 0.3 = 0.57 ; 0.9·0.2 + 0.2 = 0.38
  //                                  running_var  = 0.9·1.3666… + 0.4666… = 1.69666…
  BatchNorm bn(2);
  CHECK(bn.running_mean == Matrix{{0.0, 0.0}});
  CHECK(bn.running_var == Matrix{{1.0, 1.0}});
  const Matrix X{{1, 0}, {2, 0}, {3, 4}, {6, 4}};
  bn.forward(X);
  CHECK(bn.running_mean(0, 0) == Approx(0.3));
  CHECK(bn.running_mean(0, 1) == Approx(0.2));
  CHECK(bn.running_var(0, 0) == Approx(0.9 + 1.4 / 3));
  CHECK(bn.running_var(0, 1) == Approx(0.9 + 1.6 / 3));
  bn.forward(X);
  CHECK(bn.running_mean(0, 0) == Approx(0.57));
  CHECK(bn.running_mean(0, 1) == Approx(0.38));
  CHECK(bn.running_var(0, 0) == Approx(0.9 * (0.9 + 1.4 / 3) + 1.4 / 3));

  // Another momentum: m = 0.5 gives running_mean = 0.5·μ = (1.5, 1).
  BatchNorm half(2, 0.5);
  half.forward(X);
  CHECK(half.running_mean == Matrix{{1.5, 1.0}});
}

TEST_CASE("batch norm in evaluation uses the running statistics and changes no buffer", "[batch_norm]") {
  BatchNorm bn(1);
  bn.running_mean = Matrix{{2.0}};
  bn.running_var = Matrix{{4.0}};
  bn.gamma = Matrix{{3.0}};
  bn.beta = Matrix{{1.0}};
  bn.set_training(false);
  // y = 3·(x − 2)/√(4 + 1e-5) + 1. One sample is fine in evaluation.
  const Matrix& Y = bn.forward(Matrix{{6.0}});
  CHECK(Y(0, 0) == Approx(3 * 4 / std::sqrt(4 + 1e-5) + 1));
  CHECK(bn.running_mean == Matrix{{2.0}});
  CHECK(bn.running_var == Matrix{{4.0}});
  // dL/dx = γ/σ·dy, the statistics being constants here.
  CHECK(bn.backward(Matrix{{1.0}})(0, 0) == Approx(3 / std::sqrt(4 + 1e-5)));
  // The same input gives another output in training mode (the batch's own statistics).
  Network net;
  net.add(std::make_unique<BatchNorm>(1));
  const Matrix X{{1.0}, {3.0}};
  const Matrix in_training = net.forward(X);
  net.eval();
  const Matrix in_eval = net.forward(X);
  CHECK(in_training(0, 0) == Approx(-1 / std::sqrt(1 + 1e-5)));  // μ = 2, σ² = 1
  // running_mean = 0.2, running_var = 0.9 + 0.1·2 = 1.1 after that one training pass
  CHECK(in_eval(0, 0) == Approx((1 - 0.2) / std::sqrt(1.1 + 1e-5)));
}

TEST_CASE("batch norm refuses a training batch of one sample, and bad settings", "[batch_norm]") {
  BatchNorm bn(3);
  CHECK_THROWS_WITH(bn.forward(Matrix{{1.0, 2.0, 3.0}}),
                    Catch::Contains("BatchNorm(3)") && Catch::Contains("more than 1 value per feature when training"));
  CHECK(bn.running_mean == Matrix{{0.0, 0.0, 0.0}});  // nothing half-updated
  CHECK_THROWS_AS(BatchNorm(3, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(BatchNorm(3, 0.1, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(bn.forward(Matrix{{1.0, 2.0}, {3.0, 4.0}}), ShapeError);
}

TEST_CASE("batch norm's compact backward matches its worked form and finite differences", "[batch_norm]") {
  // N = 2, one feature, x = (0, 2): μ = 1, σ² = 1, σ = √(1 + ε), x̂ = (−1, 1)/σ.
  // dy = (1, 0): Σdy = 1, Σdy·x̂ = −1/σ.
  // dx = γ/(2σ)·(2·dy − 1 − x̂·(−1/σ)) = γ/(2σ)·(2dy − 1 + x̂/σ)
  //   dx₀ = γ/(2σ)·(2 − 1 − 1/σ²) ;  dx₁ = γ/(2σ)·(0 − 1 + 1/σ²)   (≈ 0 for tiny ε: x̂ cannot move)
  BatchNorm bn(1);
  bn.gamma = Matrix{{1.5}};
  bn.forward(Matrix{{0.0}, {2.0}});
  const Matrix& dX = bn.backward(Matrix{{1.0}, {0.0}});
  const double s = std::sqrt(1 + 1e-5);
  CHECK(dX(0, 0) == Approx(1.5 / (2 * s) * (1 - 1 / (s * s))));
  CHECK(dX(1, 0) == Approx(1.5 / (2 * s) * (-1 + 1 / (s * s))));
  CHECK(bn.dgamma(0, 0) == Approx(-1 / s));
  CHECK(bn.dbeta(0, 0) == 1.0);

  // The layer alone, γ, β and the input against finite differences, in training mode.
  BatchNorm wide(3);
  wide.gamma = Matrix{{1.2, -0.7, 0.4}};
  wide.beta = Matrix{{0.1, 0.2, -0.3}};
  const Matrix X{{0.5, -1.0, 2.0}, {1.5, 0.3, -0.4}, {-0.2, 0.8, 1.1}, {0.9, -0.6, 0.0}};
  Rng rng(3);
  GradCheckOptions training;
  training.training = true;
  const GradCheckReport report = check_layer(wide, X, rng, training);
  INFO(report.summary());
  CHECK(report.passed());
  CHECK(report.mode == "train");
  REQUIRE(report.tensors.size() == 3);
  CHECK(report.tensors[0].name == "gamma");
  CHECK(report.tensors[1].name == "beta");
  CHECK(report.tensors[2].name == "input");
  CHECK(report.failed == 0);
  // In evaluation mode the check passes too, and refuses when asked for training mode.
  wide.set_training(false);
  CHECK(check_layer(wide, X, rng).passed());
  CHECK_THROWS_WITH(check_layer(wide, X, rng, training), Catch::Contains("in train mode but it is in eval mode"));
}

TEST_CASE("batch norm before or after an activation trains in a network and is gradient-checked", "[batch_norm]") {
  const Matrix X{{0.5, -1.0}, {1.5, 0.3}, {-0.2, 0.8}, {1.0, 1.0}};
  const Matrix T{{1.0}, {0.0}, {0.5}, {0.2}};
  const MeanSquaredError mse;
  Rng init(6);
  Network before;  // Dense → BatchNorm → relu: the normalized sums go into the activation
  before.dense(2, 4, init).batch_norm().activation("tanh").dense(4, 1, init);
  Network after;   // Dense → relu → BatchNorm: the activations are normalized
  after.dense(2, 4, init).activation("tanh").batch_norm().dense(4, 1, init);
  CHECK(before.describe() == "Dense(2→4) → BatchNorm(4, tanh) → Dense(4→1)");
  CHECK(after.describe() == "Dense(2→4, tanh) → BatchNorm(4) → Dense(4→1)");
  for (Network* net : {&before, &after}) {
    const Matrix running = net->buffers()[0].value;
    const GradCheckReport report = check_network(*net, mse, X, T);
    INFO(report.summary());
    CHECK(report.passed());
    CHECK(net->buffers()[0].value == running);  // the check restores the buffers
  }
  // The forward event of the BatchNorm stage carries μ, σ², x̂ and the buffers after the pass.
  before.forward(X);
  const Json e = forward_event(before, before.stages()[1], {1, 1});
  auto& bn = dynamic_cast<BatchNorm&>(before.layer(1));
  CHECK(e["stage"] == "BatchNorm(4, tanh)");
  CHECK(e["mu"] == to_json(bn.mu));
  CHECK(e["var"] == to_json(bn.var));
  CHECK(e["x_hat"] == to_json(bn.x_hat));
  CHECK(e["running_mean"] == to_json(bn.running_mean));
  CHECK(e["running_var"] == to_json(bn.running_var));
  CHECK(e["z"] == to_json(bn.Y));
  CHECK(e.contains("a"));
  // Training moves the running statistics; evaluation afterwards reads them.
  SGD sgd(0.1);
  Rng rng(1);
  TrainOptions options;
  options.epochs = 3;
  options.batch_size = 2;
  const auto history = train(before, mse, sgd, X, T, rng, options);
  CHECK(history.back().mode == "eval");
  CHECK_FALSE(bn.running_var == Matrix(1, 4, Scalar{1}));
}
