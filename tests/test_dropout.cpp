// Tests of dropout: p is the probability of dropping; kept units are scaled by 1/(1 − p) in
// training; evaluation is the identity; the mask comes from the layer's generator and is traced;
// backward uses the forward pass's mask; a gradient check of a network with dropout passes.
#include <catch2/catch.hpp>

#include "glassbox/nn/dropout.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

Matrix ones(std::size_t rows, std::size_t cols) { return Matrix(rows, cols, Scalar{1}); }

}  // namespace

TEST_CASE("dropout keeps a fraction near 1 − p of the units, from its own seed", "[dropout]") {
  Dropout layer(1000, 0.3, Rng(7));
  const Matrix& Y = layer.forward(ones(20, 1000));
  std::size_t kept = 0;
  for (const Scalar m : layer.mask) {
    CHECK((m == 0 || m == 1));
    kept += m == 1;
  }
  // 20 000 Bernoulli(0.7) draws: mean 14 000, standard deviation √(20000·0.7·0.3) ≈ 65; ±400 is ±6σ.
  CHECK(kept > 13600);
  CHECK(kept < 14400);
  // Every kept unit is 1/(1 − 0.3) = 1/0.7, every dropped one 0.
  for (std::size_t k = 0; k < Y.size(); ++k)
    CHECK(Y.data()[k] == (layer.mask.data()[k] == 1 ? Approx(1 / 0.7) : Approx(0.0)));

  // The same seed gives the same mask; the next pass draws a new one.
  Dropout twin(1000, 0.3, Rng(7));
  twin.forward(ones(20, 1000));
  CHECK(twin.mask == layer.mask);
  const Matrix first = layer.mask;
  layer.forward(ones(20, 1000));
  CHECK_FALSE(layer.mask == first);
}

TEST_CASE("dropout scales by 1/(1 − p), so the mean output stays the input", "[dropout]") {
  // p = 0.5: each kept unit is 2·x. Over many units the mean of Y is about the mean of X.
  Dropout layer(4000, 0.5, Rng(3));
  const Matrix X(5, 4000, Scalar{0.25});
  const Matrix& Y = layer.forward(X);
  double sum = 0;
  for (std::size_t k = 0; k < Y.size(); ++k) {
    const double expected = layer.mask.data()[k] == 1 ? 0.5 : 0.0;  // 0.25 / (1 − 0.5)
    CHECK(Y.data()[k] == expected);
    sum += Y.data()[k];
  }
  // E[Y] = 0.25; 20 000 units, each 0 or 0.5: standard deviation of the mean 0.25/√20000 ≈ 0.0018.
  CHECK(sum / static_cast<double>(Y.size()) == Approx(0.25).margin(0.011));
}

TEST_CASE("dropout is the identity in evaluation mode and for p = 0", "[dropout]") {
  const Matrix X{{0.5, -1.5, 2.0}, {3.0, 0.0, -0.25}};
  Dropout layer(3, 0.9, Rng(1));
  layer.set_training(false);
  CHECK(layer.forward(X) == X);
  const Matrix dY{{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};
  CHECK(layer.backward(dY) == dY);
  Json e = Json::object();
  layer.trace_forward(e);
  CHECK_FALSE(e.contains("mask"));  // no mask is drawn in evaluation

  Dropout none(3, 0.0, Rng(1));
  CHECK(none.forward(X) == X);
  CHECK(none.mask == ones(2, 3));
}

TEST_CASE("dropout refuses p below 0 or at 1 and says why p = 1 cannot be", "[dropout]") {
  CHECK_THROWS_WITH(Dropout(3, 1.0, Rng(1)), Catch::Contains("[0, 1), got 1") && Catch::Contains("1/0"));
  CHECK_THROWS_WITH(Dropout(3, -0.1, Rng(1)), Catch::Contains("got -0.1"));
  CHECK_THROWS_AS(Dropout(0, 0.5, Rng(1)), ShapeError);
  Dropout layer(3, 0.5, Rng(1));
  CHECK_THROWS_AS(layer.forward(ones(2, 4)), ShapeError);
}

TEST_CASE("dropout's backward multiplies by the same mask over 1 − p", "[dropout]") {
  Dropout layer(6, 0.25, Rng(11));
  const Matrix X{{1, 2, 3, 4, 5, 6}, {-1, -2, -3, -4, -5, -6}};
  layer.forward(X);
  const Matrix dY{{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, {1, 2, 3, 4, 5, 6}};
  const Matrix& dX = layer.backward(dY);
  for (std::size_t k = 0; k < dX.size(); ++k)
    CHECK(dX.data()[k] == Approx(dY.data()[k] * layer.mask.data()[k] / 0.75));
  // The check of the layer alone: the checker holds the mask, so every pass sees the same one.
  Rng rng(2);
  const GradCheckReport report = check_layer(layer, X, rng);
  INFO(report.summary());
  CHECK(report.passed());
}

TEST_CASE("a held mask is reused and a released one drawn anew", "[dropout]") {
  Dropout layer(50, 0.5, Rng(5));
  layer.forward(ones(4, 50));
  const Matrix first = layer.mask;
  layer.hold_draws(true);
  layer.forward(ones(4, 50) * Scalar{2});
  CHECK(layer.mask == first);
  CHECK_THROWS_AS(layer.forward(ones(3, 50)), ShapeError);  // a held mask fits one shape
  layer.hold_draws(false);
  layer.forward(ones(4, 50));
  CHECK_FALSE(layer.mask == first);
}

TEST_CASE("a network with dropout passes a gradient check in training mode", "[dropout]") {
  Rng init(4);
  Network net;
  net.dense(3, 8, init).activation("tanh").dropout(0.5, Rng::derived(4, "dropout layers[2]")).dense(8, 2, init);
  const Matrix X{{0.5, -1.0, 0.25}, {1.5, 0.3, -0.7}, {-0.2, 0.8, 1.1}};
  const Matrix T{{1.0, 0.0}, {0.0, 1.0}, {0.5, 0.5}};
  const MeanSquaredError mse;
  const GradCheckReport report = check_network(net, mse, X, T);
  INFO(report.summary());
  CHECK(report.passed());
  CHECK(report.mode == "train");
  // Dropped units pass no gradient: some of layers[3].W's columns are exactly zero (not a failure).
  auto& dropout = dynamic_cast<Dropout&>(net.layer(2));
  double zeros = 0;
  for (const Scalar m : dropout.mask) zeros += m == 0;
  CHECK(zeros > 0);
  CHECK(report.failed == 0);
}

TEST_CASE("a dropout stage traces its mask at level full", "[dropout]") {
  Rng init(2);
  Network net;
  net.dense(2, 4, init).activation("relu").dropout(0.5, Rng(9)).dense(4, 1, init);
  CHECK(net.describe() == "Dense(2→4, relu) → Dropout(p=0.5) → Dense(4→1)");
  const Matrix X{{0.5, -1.0}, {1.5, 0.3}};
  net.forward(X);
  const auto stages = net.stages();
  REQUIRE(stages.size() == 3);
  const Json e = forward_event(net, stages[1], {1, 1});
  CHECK(e["stage"] == "Dropout(p=0.5)");
  CHECK(e["mask"] == to_json(dynamic_cast<Dropout&>(net.layer(2)).mask));
  CHECK(e["z"] == to_json(net.layer_output(2)));
  CHECK(e["mode"] == "train");
}
