// Tests for glassbox/classic/tlu_layer.hpp: the matrix form, the units learning independently (checked
// against the single-unit runs worked by hand in test_perceptron.cpp), and the pocket.
#include <catch2/catch.hpp>

#include "glassbox/core/random.hpp"
#include "glassbox/classic/tlu_layer.hpp"

using namespace glassbox;

namespace {
const Matrix kGateInputs{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
}  // namespace

TEST_CASE("layer: Z = X·Wᵀ + b, the same numbers as the notes' X·W + b with W transposed", "[tlu_layer]") {
  TluLayer layer{Matrix{{1, 2}, {3, 4}, {5, 6}}, Matrix{{0.5, -1, 0}}, StepFunction::heaviside};
  // Sample (1, 1): z₀ = 1 + 2 + 0.5, z₁ = 3 + 4 − 1, z₂ = 5 + 6.
  const Matrix X{{1, 1}, {-1, 0}};
  CHECK(layer.net_input(X) == Matrix{{3.5, 6, 11}, {-0.5, -4, -5}});
  CHECK(layer.forward(X) == Matrix{{1, 1, 1}, {0, 0, 0}});
  // The other convention: W_notes (in×out) = Wᵀ, Z = X·W_notes + b.
  CHECK(add_row_vector(matmul(X, transpose(layer.W)), layer.b) == layer.net_input(X));
}

TEST_CASE("layer: one-vs-rest picks the unit with the largest net input", "[tlu_layer]") {
  TluLayer layer{Matrix{{1, 0}, {0, 1}, {-1, -1}}, Matrix(1, 3), StepFunction::heaviside};
  // (2, 1) → z = (2, 1, −3); (0, 3) → (0, 3, −3); (−1, −1) → (−1, −1, 2)
  CHECK(predict_one_vs_rest(layer, Matrix{{2, 1}, {0, 3}, {-1, -1}}) == std::vector<std::size_t>{0, 1, 2});
  CHECK(unit_errors(layer, Matrix{{2, 1}}, Matrix{{1, 1, 1}}) == std::vector<std::size_t>{0, 0, 1});
}

TEST_CASE("layer: AND, OR, NAND and XOR learned side by side, each as on its own", "[tlu_layer]") {
  // Columns: AND, OR, NAND, XOR. From test_perceptron.cpp's hand runs: AND converges after
  // 6 epochs, 11 mistakes, w = (−3, 2, 1); OR 4 epochs, 5 mistakes, (−1, 1, 1); NAND 6 epochs,
  // 10 mistakes, (2, −2, −1); XOR's weights at the start of epoch 3 recur at the start of epoch 4.
  const Matrix T{{0, 0, 1, 0}, {0, 1, 1, 1}, {0, 1, 1, 1}, {1, 1, 0, 0}};
  const TluLayerTraining run = train_tlu_layer(zero_tlu_layer(2, 4), kGateInputs, T, {});
  REQUIRE(run.units.size() == 4);
  CHECK(run.units[0].outcome == TrainingOutcome::converged);
  CHECK(run.units[0].epochs == 6);
  CHECK(run.units[0].mistakes == 11);
  CHECK(run.units[1].outcome == TrainingOutcome::converged);
  CHECK(run.units[1].epochs == 4);
  CHECK(run.units[1].mistakes == 5);
  CHECK(run.units[2].epochs == 6);
  CHECK(run.units[2].mistakes == 10);
  CHECK(run.last.W.row(0) == Matrix{{2, 1}});
  CHECK(run.last.W.row(1) == Matrix{{1, 1}});
  CHECK(run.last.W.row(2) == Matrix{{-2, -1}});
  CHECK(run.last.b == Matrix{{-3, -1, 2, 0}});
  CHECK(run.units[3].outcome == TrainingOutcome::cycle);
  CHECK(run.units[3].cycle_start == 3);
  CHECK(run.units[3].cycle_length == 1);
  CHECK(run.epochs == 6);  // the layer stops when the last unit's outcome is known
  // Every weight vector the XOR unit visits gets 2 or 3 of 4 wrong, the first (all zero) gets 2:
  // the pocket keeps it, since nothing later is strictly better.
  CHECK(run.units[3].pocket_errors == 2);
  CHECK(run.units[3].pocket_update == 0);
  // Converged units' pockets hold weights with no error.
  CHECK(unit_errors(run.pocket, kGateInputs, T) == std::vector<std::size_t>{0, 0, 0, 2});
}

TEST_CASE("layer: ΔW = η·eᵀ·x row by row, and a frozen unit no longer changes", "[tlu_layer]") {
  const Matrix T{{0, 1}, {0, 1}, {0, 1}, {1, 1}};  // AND, and a unit that is right from the start
  TluLayerOptions options;
  options.learning_rate = 0.5;
  std::size_t steps = 0;
  options.on_step = [&](const TluLayerStep& s) {
    ++steps;
    for (std::size_t j = 0; j < 2; ++j) {
      CHECK(s.db(0, j) == 0.5 * s.error(0, j));
      for (std::size_t k = 0; k < 2; ++k) CHECK(s.dW(j, k) == 0.5 * s.error(0, j) * s.x(0, k));
    }
    if (s.epoch > 1) CHECK(s.error(0, 1) == 0);  // unit 1 converged in epoch 1, then froze
  };
  const TluLayerTraining run = train_tlu_layer(zero_tlu_layer(2, 2), kGateInputs, T, options);
  CHECK(steps == 4 * run.epochs);
  CHECK(run.units[1].outcome == TrainingOutcome::converged);
  CHECK(run.units[1].epochs == 1);
  CHECK(run.units[1].mistakes == 0);
}

TEST_CASE("layer: the pocket never holds worse weights than the start or the end", "[tlu_layer]") {
  // Noisy one-dimensional classes that no threshold separates.
  Rng rng(5);
  Matrix X(60, 1);
  Matrix T(60, 1);
  for (std::size_t i = 0; i < 60; ++i) {
    X(i, 0) = rng.uniform(-1, 1);
    T(i, 0) = (X(i, 0) + rng.normal(0, 0.4)) > 0 ? 1 : 0;
  }
  TluLayerOptions options;
  options.max_epochs = 50;
  const TluLayerTraining run = train_tlu_layer(zero_tlu_layer(1, 1), X, T, options);
  CHECK(run.units[0].outcome != TrainingOutcome::converged);
  const std::size_t start = unit_errors(zero_tlu_layer(1, 1), X, T)[0];
  const std::size_t end = unit_errors(run.last, X, T)[0];
  CHECK(run.units[0].pocket_errors == unit_errors(run.pocket, X, T)[0]);
  CHECK(run.units[0].pocket_errors <= start);
  CHECK(run.units[0].pocket_errors <= end);
  CHECK(run.units[0].pocket_errors < start);  // it did find something better than "always 1"
}

TEST_CASE("layer: shapes and targets that do not fit are refused", "[tlu_layer]") {
  CHECK_THROWS_AS(train_tlu_layer(zero_tlu_layer(3, 2), kGateInputs, Matrix(4, 2), {}), ShapeError);
  CHECK_THROWS_AS(train_tlu_layer(zero_tlu_layer(2, 2), kGateInputs, Matrix(4, 3), {}), ShapeError);
  CHECK_THROWS_AS(train_tlu_layer(zero_tlu_layer(2, 1), kGateInputs, Matrix(4, 1, 2.0), {}), std::invalid_argument);
  CHECK_THROWS_AS(train_tlu_layer(zero_tlu_layer(2, 1, StepFunction::sign), kGateInputs, Matrix(4, 1), {}),
                  std::invalid_argument);
}
