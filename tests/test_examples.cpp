// Tests for glassbox/data/examples.hpp: the worked example's network holds the published weights where
// its names say, its units' forward values are the published ones, and its biases stay fixed.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "glassbox/data/examples.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

TEST_CASE("the worked example's weights w1 … w8 are where their names say", "[examples]") {
  WorkedExample ex = worked_example();
  const std::vector<double> published{0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55};
  const auto& names = worked_example_weights();
  REQUIRE(names.size() == 8);
  for (std::size_t k = 0; k < 8; ++k) {
    CHECK(names[k].label == fmt::format("w{}", k + 1));
    CHECK(ex.network.parameter(names[k].parameter).value(names[k].row, names[k].col) == published[k]);
  }
  // w6 carries h2 into o1: row o1 (0), column h2 (1).
  CHECK(names[5].from == "h2");
  CHECK(names[5].to == "o1");
  CHECK(names[5].row == 0);
  CHECK(names[5].col == 1);
  CHECK(ex.network.describe() == "Dense(2→2, sigmoid) → Dense(2→2, sigmoid)");
  CHECK(ex.input == Matrix{{0.05, 0.10}});
  CHECK(ex.target == Matrix{{0.01, 0.99}});
  CHECK(ex.learning_rate == 0.5);
}

TEST_CASE("the worked example's units read their net and out values from the network", "[examples]") {
  WorkedExample ex = worked_example();
  ex.network.forward(ex.input);
  const auto& units = worked_example_units();
  REQUIRE(units.size() == 4);
  const auto net = [&](std::size_t u) { return ex.network.layer_output(units[u].dense)(0, units[u].column); };
  const auto out = [&](std::size_t u) { return ex.network.layer_output(units[u].activation)(0, units[u].column); };
  CHECK(net(0) == Approx(0.3775).margin(1e-12));        // net_h1 = 0.15·0.05 + 0.2·0.1 + 0.35
  CHECK(out(0) == Approx(0.593269992).margin(5e-10));  // out_h1
  CHECK(out(1) == Approx(0.596884378).margin(5e-10));  // out_h2
  CHECK(net(2) == Approx(1.105905967).margin(5e-10));  // net_o1
  CHECK(out(2) == Approx(0.75136507).margin(5e-9));    // out_o1
  CHECK(out(3) == Approx(0.772928465).margin(5e-10));  // out_o2
}

TEST_CASE("the worked example's biases are frozen: an SGD step leaves them, moves every weight", "[examples]") {
  WorkedExample ex = worked_example();
  SGD sgd(ex.learning_rate);
  train_step(ex.network, HalfSumSquares(), sgd, ex.input, ex.target, {1, 1});
  CHECK(ex.network.parameter("layers[0].b").frozen);
  CHECK(ex.network.parameter("layers[0].b").value == Matrix{{0.35, 0.35}});
  CHECK(ex.network.parameter("layers[2].b").value == Matrix{{0.60, 0.60}});
  const WorkedExample before = worked_example();
  for (const auto& w : worked_example_weights())
    CHECK(ex.network.parameter(w.parameter).value(w.row, w.col) !=
          const_cast<Network&>(before.network).parameter(w.parameter).value(w.row, w.col));
}
