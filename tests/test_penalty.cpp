// Tests of the L1 and L2 penalties (Keras' l1(λ), l2(λ)): their values and gradients worked by hand,
// the subgradient 0 at w = 0, finite-difference checks of the gradient, and the training step's
// loss = data loss + penalty with the gradient added to dL/dW and both traced apart.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/nn/penalty.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

// The events of one traced train_step, written to a file and read back.
Json step_events(Network& net, Optimizer& optimizer, const Matrix& X, const Matrix& T, const std::string& name,
                 double* loss) {
  const std::filesystem::path dir = "penalty_test_output";
  std::filesystem::create_directories(dir);
  const auto path = dir / (name + ".json");
  {
    Tracer tracer(path, TraceLevel::step, {"test_penalty", 0, 1, Json::object(), net.describe()});
    *loss = train_step(net, MeanSquaredError(), optimizer, X, T, {1, 1}, tracer);
    tracer.finish();
  }
  std::ifstream in(path);
  return Json::parse(in)["events"];
}

}  // namespace

TEST_CASE("l1 and l2 values and gradients, worked by hand", "[penalty]") {
  const Matrix W{{0.5, -2.0}, {0.0, 1.0}};
  // l1(0.1): 0.1·(0.5 + 2 + 0 + 1) = 0.35        gradient 0.1·sign(w) = (0.1, −0.1, 0, 0.1)
  // l2(0.01): 0.01·(0.25 + 4 + 0 + 1) = 0.0525   gradient 2·0.01·w   = (0.01, −0.04, 0, 0.02)
  const Penalty l1{0.1, 0};
  const Penalty l2{0, 0.01};
  const Penalty both{0.1, 0.01};
  CHECK(l1.value(W) == Approx(0.35));
  CHECK(l2.value(W) == Approx(0.0525));
  CHECK(both.value(W) == Approx(0.4025));
  Matrix d1(2, 2), d2(2, 2), dboth(2, 2, Scalar{1});
  l1.add_gradient(W, d1);
  l2.add_gradient(W, d2);
  both.add_gradient(W, dboth);  // adds to what is there (1 everywhere)
  CHECK(d1(0, 0) == Approx(0.1));
  CHECK(d1(0, 1) == Approx(-0.1));
  CHECK(d1(1, 0) == 0.0);  // the subgradient at w = 0 is taken as 0
  CHECK(d1(1, 1) == Approx(0.1));
  CHECK(d2(0, 0) == Approx(0.01));
  CHECK(d2(0, 1) == Approx(-0.04));
  CHECK(d2(1, 0) == 0.0);
  CHECK(d2(1, 1) == Approx(0.02));
  CHECK(dboth(0, 1) == Approx(1 - 0.1 - 0.04));
  CHECK(dboth(1, 0) == 1.0);
  CHECK(l1.describe() == "l1(0.1)");
  CHECK(both.describe() == "l1(0.1) + l2(0.01)");
  Matrix wrong(1, 2);
  CHECK_THROWS_AS(l1.add_gradient(W, wrong), ShapeError);
}

TEST_CASE("the penalty's gradient agrees with finite differences away from w = 0", "[penalty]") {
  const Penalty both{0.3, 0.05};
  const std::vector<double> w{0.7, -1.2, 0.05, 2.5};
  Matrix W(4, 1), dW(4, 1);
  for (std::size_t i = 0; i < w.size(); ++i) W(i, 0) = w[i];
  both.add_gradient(W, dW);
  const std::vector<double> analytic{dW(0, 0), dW(1, 0), dW(2, 0), dW(3, 0)};
  const auto f = [&](const std::vector<double>& v) {
    Matrix m(v.size(), 1);
    for (std::size_t i = 0; i < v.size(); ++i) m(i, 0) = v[i];
    return both.value(m);
  };
  const GradCheckReport report = check_function(f, w, analytic);
  INFO(report.summary());
  CHECK(report.verdict == CheckVerdict::good);
  // A wrong gradient (λ₂·w, forgetting the 2) is caught.
  Matrix half(4, 1);
  Penalty{0.3, 0.025}.add_gradient(W, half);
  CHECK_FALSE(check_function(f, w, {half(0, 0), half(1, 0), half(2, 0), half(3, 0)}).passed());
}

TEST_CASE("a network's penalties name their parameters and refuse bad values", "[penalty]") {
  Network net;
  net.dense(Matrix{{0.5, -1.0}}, Matrix{{0.25}});
  net.penalize("layers[0].W", {0, 0.1});
  REQUIRE(net.penalties().size() == 1);
  CHECK(net.penalties()[0].name == "layers[0].W");
  CHECK(net.penalty() == Approx(0.1 * (0.25 + 1.0)));  // the bias is not penalized
  CHECK_THROWS_AS(net.penalize("layers[0].V", {0, 0.1}), InputError);
  CHECK_THROWS_AS(net.penalize("layers[0].W", {-0.1, 0}), std::invalid_argument);
  const Network copy = net;
  CHECK(copy.penalties().size() == 1);
  net.penalize("layers[0].W", {});  // l1 = l2 = 0 removes it
  CHECK(net.penalties().empty());
  CHECK(net.penalty() == 0.0);
}

TEST_CASE("a training step minimizes data loss + penalty and traces them apart", "[penalty]") {
  // One sample x = (1, 2), t = 0; W = (0.5, −1), b = 0.25: z = 0.5 − 2 + 0.25 = −1.25.
  // mse(mean): L_data = 1.5625, dL/dz = 2·(−1.25) = −2.5, dL/dW = −2.5·x = (−2.5, −5).
  // l2(0.1) on W: penalty = 0.1·(0.25 + 1) = 0.125, gradient 0.2·W = (0.1, −0.2).
  // l1(0.5) on b: penalty 0.125, gradient 0.5.
  const Matrix X{{1.0, 2.0}};
  const Matrix T{{0.0}};
  Network net;
  net.dense(Matrix{{0.5, -1.0}}, Matrix{{0.25}});
  net.penalize("layers[0].W", {0, 0.1});
  net.penalize("layers[0].b", {0.5, 0});
  SGD sgd(0.1);  // the gradients stay readable after the update (zero_grad starts the next step)
  double L = 0;
  const Json events = step_events(net, sgd, X, T, "penalized", &L);
  CHECK(L == Approx(1.5625 + 0.125 + 0.125));
  const Dense& dense = dynamic_cast<const Dense&>(net.layer(0));
  CHECK(dense.dW(0, 0) == Approx(-2.5 + 0.1));
  CHECK(dense.dW(0, 1) == Approx(-5.0 - 0.2));
  CHECK(dense.db(0, 0) == Approx(-2.5 + 0.5));
  REQUIRE(events.size() == 1);
  const Json& e = events[0];
  CHECK(e["loss"].get<double>() == Approx(1.8125));
  CHECK(e["data_loss"].get<double>() == Approx(1.5625));
  CHECK(e["penalty"].get<double>() == Approx(0.25));

  // Without penalties the step event is as before: no data_loss, no penalty.
  Network plain;
  plain.dense(Matrix{{0.5, -1.0}}, Matrix{{0.25}});
  const Json plain_events = step_events(plain, sgd, X, T, "plain", &L);
  CHECK(L == Approx(1.5625));
  CHECK_FALSE(plain_events[0].contains("data_loss"));
  CHECK_FALSE(plain_events[0].contains("penalty"));
}

TEST_CASE("training with l2 shrinks the weights, and the epoch event reports the penalty", "[penalty]") {
  // A target of 0 everywhere: the data gradient and the penalty both pull W towards 0; with l2 the
  // weights end smaller than without it after the same steps.
  const Matrix X{{1.0, 2.0}, {-1.0, 0.5}, {0.3, -0.7}};
  const Matrix T{{0.0}, {0.0}, {0.0}};
  auto run = [&](double l2) {
    Network net;
    net.dense(Matrix{{0.5, -1.0}}, Matrix{{0.25}});
    if (l2 > 0) net.penalize("layers[0].W", {0, l2});
    SGD sgd(0.05);
    Rng rng(1);
    TrainOptions options;
    options.epochs = 5;
    const auto history = train(net, MeanSquaredError(), sgd, X, T, rng, options);
    CHECK(history.back().penalty.has_value() == (l2 > 0));
    if (l2 > 0) CHECK(epoch_event(history.back())["penalty"].get<double>() == Approx(net.penalty()));
    return static_cast<double>(norm(dynamic_cast<Dense&>(net.layer(0)).W));
  };
  CHECK(run(0.5) < run(0.0));
}
