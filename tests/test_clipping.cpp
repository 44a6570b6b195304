// Tests of gradient clipping: by global norm as torch.nn.utils.clip_grad_norm_ (the coefficient
// max_norm/(norm + 1e-6) capped at 1, the norm before clipping returned) and by value; the training
// step's clipping and its trace; and a whole traced run with dropout, batch normalization, a
// penalty and clipping validated against docs/trace.schema.json and identical for the same seed.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/clipping.hpp"
#include "glassbox/train/train.hpp"
#include "test_files.hpp"

using namespace glassbox;
using glassbox::testing::read_text;
using glassbox::testing::validates;
namespace fs = std::filesystem;

namespace {

}  // namespace

TEST_CASE("clipping by norm: one norm over all gradients, coefficient max/(norm + 1e-6) capped at 1", "[clipping]") {
  // g₁ = (3, 4), g₂ = (0, 12): ‖g‖ = √(9 + 16 + 144) = √169 = 13.
  Matrix w1(1, 2), g1{{3.0, 4.0}}, w2(2, 1), g2{{0.0}, {12.0}};
  std::vector<ParameterRef> params{{"a", w1, g1}, {"b", w2, g2}};
  // max_norm 1: c = 1/(13 + 1e-6); every gradient times c, so the new norm is 13c ≈ 1.
  const NormClipping clipped = clip_grad_norm(params, 1.0);
  CHECK(clipped.total_norm == 13.0);
  CHECK(clipped.coefficient == 1.0 / (13.0 + 1e-6));
  CHECK(g1(0, 0) == Approx(3.0 / 13));
  CHECK(g2(1, 0) == Approx(12.0 / 13));
  // Now ‖g‖ ≈ 1 − 7.7e-8 and max_norm 20: c = 20/(‖g‖ + 1e-6) > 1 is capped: nothing changes.
  const Matrix before = g1;
  const NormClipping untouched = clip_grad_norm(params, 20.0);
  CHECK(untouched.total_norm == Approx(1.0));
  CHECK(untouched.coefficient == 1.0);
  CHECK(g1 == before);
  // A frozen parameter is left out of the norm and left alone.
  Matrix w3(1, 1), g3{{100.0}};
  std::vector<ParameterRef> with_frozen{{"a", w1, g1}, {"c", w3, g3, true}};
  CHECK(clip_grad_norm(with_frozen, 5.0).total_norm == Approx(5.0 / 13));
  CHECK(g3(0, 0) == 100.0);
  CHECK_THROWS_AS(clip_grad_norm(params, 0.0), std::invalid_argument);
}

TEST_CASE("clipping by value clamps each element to [−c, c] and counts them", "[clipping]") {
  Matrix w(2, 2), g{{0.3, -2.0}, {0.5, 7.0}};
  std::vector<ParameterRef> params{{"W", w, g}};
  CHECK(clip_grad_value(params, 0.5) == 2);  // −2 and 7; 0.5 itself stays
  CHECK(g == Matrix{{0.3, -0.5}, {0.5, 0.5}});
  CHECK(clip_grad_value(params, 0.5) == 0);
  CHECK_THROWS_AS(clip_grad_value(params, -1.0), std::invalid_argument);
}

TEST_CASE("the training step clips after backward, before the update, and traces it", "[clipping]") {
  // x = (1, 2), t = 0, W = (0.5, −1), b = 0.25, mse: dL/dW = (−2.5, −5), dL/db = −2.5.
  // ‖g‖ = √(6.25 + 25 + 6.25) = √37.5. max_norm 1: c = 1/(√37.5 + 1e-6); SGD(0.1) moves W by −0.1·c·g.
  const Matrix X{{1.0, 2.0}};
  const Matrix T{{0.0}};
  Network net;
  net.dense(Matrix{{0.5, -1.0}}, Matrix{{0.25}});
  SGD sgd(0.1);
  TrainOptions options;
  options.clip_grad_norm = 1.0;
  const fs::path dir = "clipping_test_output";
  fs::create_directories(dir);
  {
    Tracer tracer(dir / "step.json", TraceLevel::step, {"test_clipping", 0, 1, Json::object(), net.describe()});
    train_step(net, MeanSquaredError(), sgd, X, T, {1, 1}, tracer, options);
    tracer.finish();
  }
  const double c = 1 / (std::sqrt(37.5) + 1e-6);
  const Dense& dense = dynamic_cast<const Dense&>(net.layer(0));
  CHECK(dense.W(0, 0) == Approx(0.5 + 0.1 * c * 2.5));
  CHECK(dense.W(0, 1) == Approx(-1.0 + 0.1 * c * 5.0));
  std::ifstream in(dir / "step.json");
  const Json e = Json::parse(in)["events"][0];
  CHECK(e["clip_grad_norm"] == 1.0);
  CHECK(e["total_gradient_norm"].get<double>() == Approx(std::sqrt(37.5)));
  CHECK(e["clip_coefficient"].get<double>() == Approx(c));
  CHECK(e["gradient_norms"]["layers[0].W"].get<double>() == Approx(c * std::sqrt(31.25)));  // after clipping

  TrainOptions both = options;
  both.clip_grad_value = 1.0;
  CHECK_THROWS_AS(train_step(net, MeanSquaredError(), sgd, X, T, {1, 1}, Tracer::none(), both), std::invalid_argument);
}

TEST_CASE("a traced run with dropout, batch norm, a penalty and clipping validates and repeats", "[clipping]") {
  const Matrix X{{0.5, -1.0}, {1.5, 0.3}, {-0.2, 0.8}, {1.0, 1.0}, {0.1, -0.4}, {-1.2, 0.6}};
  const Matrix T{{1.0}, {0.0}, {0.5}, {0.2}, {0.9}, {0.3}};
  const fs::path dir = "clipping_test_output";
  fs::create_directories(dir);
  auto run = [&](const std::string& name, bool by_value) {
    Rng init(3);
    Network net;
    net.dense(2, 5, init).batch_norm().activation("relu").dropout(0.4, Rng::derived(3, "dropout layers[3]"));
    net.dense(5, 1, init);
    net.penalize("layers[0].W", {0.01, 0.001});
    SGD sgd(0.1);
    Rng rng(3);
    TrainOptions options;
    options.epochs = 2;
    options.batch_size = 3;
    if (by_value)
      options.clip_grad_value = 0.05;
    else
      options.clip_grad_norm = 0.5;
    Tracer tracer(dir / name, TraceLevel::full, {"test_clipping", 0, 3, Json::object(), net.describe()});
    train(net, MeanSquaredError(), sgd, X, T, rng, options, tracer);
    tracer.finish();
  };
  run("a.json", false);
  run("b.json", false);
  run("c.json", true);
  CHECK(read_text(dir / "a.json") == read_text(dir / "b.json"));
  CHECK(validates(dir / "a.json"));
  CHECK(validates(dir / "c.json"));
  std::ifstream in(dir / "c.json");
  const Json doc = Json::parse(in);
  bool mask = false, statistics = false, clipped = false, penalty = false;
  for (const Json& e : doc["events"]) {
    mask = mask || e.contains("mask");
    statistics = statistics || (e.contains("mu") && e.contains("running_var"));
    clipped = clipped || e.contains("clipped_elements");
    penalty = penalty || (e["event"] == "epoch" && e.contains("penalty"));
  }
  CHECK(mask);
  CHECK(statistics);
  CHECK(clipped);
  CHECK(penalty);
}
