// Tests for glassbox/classic/perceptron.hpp. The gate runs below were worked through by hand, sample by
// sample, from w = 0 with η = 1, Heaviside(0) = 1 and the order (0,0), (0,1), (1,0), (1,1);
// the hand computation is summarised above each test.
#include <catch2/catch.hpp>

#include <cmath>

#include "glassbox/classic/perceptron.hpp"
#include "glassbox/core/random.hpp"

using namespace glassbox;

namespace {

// The four inputs of a two-input gate, with x₀ = 1 in front.
Matrix gate_inputs() { return with_bias_input(Matrix{{0, 0}, {0, 1}, {1, 0}, {1, 1}}); }

TluTraining train_gate(const std::vector<Scalar>& t, Scalar eta = 1) {
  TluTrainingOptions options;
  options.learning_rate = eta;
  return train_tlu(gate_inputs(), t, Matrix(1, 3), options);
}

}  // namespace

TEST_CASE("step functions: Heaviside fires at 0, sign gives 0 at 0", "[perceptron]") {
  CHECK(heaviside(0) == 1);
  CHECK(heaviside(-1e-300) == 0);
  CHECK(heaviside(2.5) == 1);
  CHECK(sign_step(0) == 0);
  CHECK(sign_step(-3) == -1);
  CHECK(sign_step(1e-300) == 1);
  CHECK(step(StepFunction::sign, -0.5) == -1);
}

TEST_CASE("the bias is the weight of a constant input x₀ = 1", "[perceptron]") {
  const Matrix Xb = with_bias_input(Matrix{{2, 3}});
  CHECK(Xb == Matrix{{1, 2, 3}});
  // w = (−5, 1, 1): z = −5 + 2 + 3 = 0 → Heaviside fires; with w₀ = −5.5 it does not.
  CHECK(net_input(Matrix{{-5, 1, 1}}, Xb, 0) == 0);
  CHECK(tlu_outputs(Matrix{{-5, 1, 1}}, Xb, StepFunction::heaviside) == Matrix{{1}});
  CHECK(tlu_outputs(Matrix{{-5.5, 1, 1}}, Xb, StepFunction::heaviside) == Matrix{{0}});
}

// AND, by hand:
//   epoch 1: (0,0) z=0 y=1 t=0 → w=(−1,0,0); (1,1) z=−1 y=0 t=1 → w=(0,1,1)        2 mistakes
//   epoch 2: (0,0) → (−1,1,1); (0,1) → (−2,1,0); (1,1) → (−1,2,1)                  3 mistakes
//   epoch 3: (0,1) → (−2,2,0); (1,0) → (−3,1,0); (1,1) → (−2,2,1)                  3 mistakes
//   epoch 4: (1,0) → (−3,1,1); (1,1) → (−2,2,2)                                    2 mistakes
//   epoch 5: (0,1) → (−3,2,1)                                                      1 mistake
//   epoch 6: z = −3, −2, −1, 0 → y = 0, 0, 0, 1: no mistake                       converged
TEST_CASE("perceptron rule: AND in 6 epochs and 11 mistakes, worked by hand", "[perceptron]") {
  const TluTraining run = train_gate({0, 0, 0, 1});
  CHECK(run.outcome == TrainingOutcome::converged);
  CHECK(run.epochs == 6);
  CHECK(run.mistakes == 11);
  CHECK(run.mistakes_per_epoch == std::vector<std::size_t>{2, 3, 3, 2, 1, 0});
  CHECK(run.w == Matrix{{-3, 2, 1}});
  CHECK(run.errors == 0);
}

// OR: epoch 1 (0,0)→(−1,0,0), (0,1)→(0,0,1); epoch 2 (0,0)→(−1,0,1), (1,0)→(0,1,1);
//     epoch 3 (0,0)→(−1,1,1); epoch 4 clean.
TEST_CASE("perceptron rule: OR in 4 epochs and 5 mistakes, worked by hand", "[perceptron]") {
  const TluTraining run = train_gate({0, 1, 1, 1});
  CHECK(run.outcome == TrainingOutcome::converged);
  CHECK(run.epochs == 4);
  CHECK(run.mistakes == 5);
  CHECK(run.w == Matrix{{-1, 1, 1}});
  CHECK(run.errors == 0);
}

// NAND: epoch 1 (1,1)→(−1,−1,−1); epoch 2 (0,0)→(0,−1,−1), (0,1)→(1,−1,0), (1,1)→(0,−2,−1);
//       epoch 3 (0,1)→(1,−2,0), (1,0)→(2,−1,0), (1,1)→(1,−2,−1); epoch 4 (1,0)→(2,−1,−1),
//       (1,1)→(1,−2,−2); epoch 5 (0,1)→(2,−2,−1); epoch 6 clean.
TEST_CASE("perceptron rule: NAND in 6 epochs and 10 mistakes, worked by hand", "[perceptron]") {
  const TluTraining run = train_gate({1, 1, 1, 0});
  CHECK(run.outcome == TrainingOutcome::converged);
  CHECK(run.epochs == 6);
  CHECK(run.mistakes == 10);
  CHECK(run.mistakes_per_epoch == std::vector<std::size_t>{1, 3, 3, 2, 1, 0});
  CHECK(run.w == Matrix{{2, -2, -1}});
}

TEST_CASE("perceptron rule: every presented sample is reported, Δw = η(t − y)x̃", "[perceptron]") {
  std::vector<TluStep> steps;
  TluTrainingOptions options;
  std::vector<Matrix> after;
  options.on_step = [&](const TluStep& s) {
    steps.push_back(s);
    after.push_back(*s.w);
  };
  const TluTraining run = train_tlu(gate_inputs(), {0, 0, 0, 1}, Matrix(1, 3), options);
  REQUIRE(steps.size() == 4 * run.epochs);
  // The very first step, by hand: x̃ = (1,0,0), z = 0, y = 1, t = 0, e = −1, Δw = (−1,0,0).
  CHECK(steps[0].epoch == 1);
  CHECK(steps[0].x == Matrix{{1, 0, 0}});
  CHECK(steps[0].z == 0);
  CHECK(steps[0].y == 1);
  CHECK(steps[0].t == 0);
  CHECK(steps[0].error == -1);
  CHECK(steps[0].dw == Matrix{{-1, 0, 0}});
  CHECK(after[0] == Matrix{{-1, 0, 0}});
  CHECK(steps[3].dw == Matrix{{1, 1, 1}});  // (1,1): z = −1, y = 0, t = 1
  CHECK(after[3] == Matrix{{0, 1, 1}});
  for (const auto& s : steps) CHECK(s.dw == s.error * s.x);
}

TEST_CASE("perceptron rule: from w = 0, η scales w but changes no prediction", "[perceptron]") {
  // η = 0.25 is a power of two, so η·(integer) is exact and every net input keeps its sign bit
  // for bit; with η = 0.1 rounding could turn an exact 0 into ±tiny.
  const TluTraining one = train_gate({0, 0, 0, 1}, 1);
  const TluTraining quarter = train_gate({0, 0, 0, 1}, 0.25);
  CHECK(quarter.epochs == one.epochs);
  CHECK(quarter.mistakes_per_epoch == one.mistakes_per_epoch);
  CHECK(quarter.w == one.w * 0.25);
}

// XOR, by hand: epoch 1 ends at (−1,−1,0); epoch 2 at (0,−1,0); epoch 3 passes through
// (−1,−1,0), (0,−1,1), (1,0,1) and ends at (0,−1,0) again — where epoch 3 started.
TEST_CASE("perceptron rule: XOR cycles, and the cycle is found, not looped through", "[perceptron]") {
  const TluTraining run = train_gate({0, 1, 1, 0});
  CHECK(run.outcome == TrainingOutcome::cycle);
  CHECK(run.epochs == 3);
  CHECK(run.cycle_start == 3);
  CHECK(run.cycle_length == 1);
  CHECK(run.w == Matrix{{0, -1, 0}});
  CHECK(run.errors > 0);
  // The reported cycle is real: one more epoch from these weights comes back to them.
  TluTrainingOptions again;
  again.max_epochs = 1;
  const TluTraining replay = train_tlu(gate_inputs(), {0, 1, 1, 0}, run.w, again);
  CHECK(replay.w == run.w);
  CHECK(replay.mistakes == 4);  // every sample of epoch 3 was a mistake
}

TEST_CASE("perceptron rule: the epoch limit stops a run that neither converges nor cycles yet", "[perceptron]") {
  TluTrainingOptions options;
  options.max_epochs = 2;
  const TluTraining run = train_tlu(gate_inputs(), {0, 1, 1, 0}, Matrix(1, 3), options);
  CHECK(run.outcome == TrainingOutcome::max_epochs);
  CHECK(run.epochs == 2);
}

TEST_CASE("cycle detector: recognises the exact weights of an earlier epoch", "[perceptron]") {
  CycleDetector d;
  CHECK_FALSE(d.visit(Matrix{{1, 2}}, 1));
  CHECK_FALSE(d.visit(Matrix{{1, 2.0000000001}}, 2));
  CHECK(d.visit(Matrix{{1, 2}}, 3) == std::optional<std::size_t>(1));
}

TEST_CASE("Hebb's rule with 0/1 coding fails AND, and more epochs only scale w", "[perceptron]") {
  // Δw = η·t·x̃ is non-zero only for (1,1): w = k·(1,1,1) after k epochs; z ≥ 0 everywhere, so
  // the unit fires for every input: 3 of 4 wrong, forever.
  TluTrainingOptions options;
  options.rule = LearningRule::hebb;
  options.max_epochs = 1;
  const TluTraining one = train_tlu(gate_inputs(), {0, 0, 0, 1}, Matrix(1, 3), options);
  CHECK(one.w == Matrix{{1, 1, 1}});
  CHECK(one.errors == 3);
  options.max_epochs = 5;
  const TluTraining five = train_tlu(gate_inputs(), {0, 0, 0, 1}, Matrix(1, 3), options);
  CHECK(five.w == Matrix{{5, 5, 5}});
  CHECK(five.errors == 3);
  CHECK(five.outcome == TrainingOutcome::max_epochs);
}

TEST_CASE("Hebb's rule with ±1 coding learns AND in one epoch", "[perceptron]") {
  // w = Σ t·x̃ = (1,1,1) − (1,1,−1) − (1,−1,1) − (1,−1,−1) = (−2, 2, 2)
  const Matrix Xb = with_bias_input(Matrix{{1, 1}, {1, -1}, {-1, 1}, {-1, -1}});
  TluTrainingOptions options;
  options.rule = LearningRule::hebb;
  options.step = StepFunction::sign;
  options.max_epochs = 1;
  const TluTraining run = train_tlu(Xb, {1, -1, -1, -1}, Matrix(1, 3), options);
  CHECK(run.w == Matrix{{-2, 2, 2}});
  CHECK(run.errors == 0);
}

TEST_CASE("the sign variant learns ±1 AND with the perceptron rule", "[perceptron]") {
  const Matrix Xb = with_bias_input(Matrix{{1, 1}, {1, -1}, {-1, 1}, {-1, -1}});
  TluTrainingOptions options;
  options.step = StepFunction::sign;
  const TluTraining run = train_tlu(Xb, {1, -1, -1, -1}, Matrix(1, 3), options);
  CHECK(run.outcome == TrainingOutcome::converged);
  CHECK(run.errors == 0);
  CHECK(count_errors(run.w, Xb, {1, -1, -1, -1}, StepFunction::sign) == 0);
}

TEST_CASE("train_tlu refuses targets, shapes and rates that do not fit", "[perceptron]") {
  const Matrix Xb = gate_inputs();
  CHECK_THROWS_WITH(train_tlu(Xb, {0, 0, 2, 1}, Matrix(1, 3), {}), Catch::Contains("target 2 of sample 2 is not 0 or 1"));
  TluTrainingOptions sign;
  sign.step = StepFunction::sign;
  CHECK_THROWS_AS(train_tlu(Xb, {0, 1, 1, 1}, Matrix(1, 3), sign), std::invalid_argument);
  CHECK_THROWS_AS(train_tlu(Xb, {0, 1, 1}, Matrix(1, 3), {}), ShapeError);
  CHECK_THROWS_AS(train_tlu(Xb, {0, 1, 1, 1}, Matrix(1, 2), {}), ShapeError);
  TluTrainingOptions zero;
  zero.learning_rate = 0;
  CHECK_THROWS_AS(train_tlu(Xb, {0, 1, 1, 1}, Matrix(1, 3), zero), std::invalid_argument);
}

TEST_CASE("mistake bound: radius and margin on small examples", "[perceptron]") {
  CHECK(data_radius(Matrix{{1, 0, 0}, {1, 3, 4}}) == Approx(std::sqrt(26.0)));
  // x̃ = (1, 2) class +1 and (1, −2) class −1; u = (0, 1): both at distance 2.
  const Matrix Xb{{1, 2}, {1, -2}};
  CHECK(margin(Matrix{{0, 1}}, Xb, {1, -1}) == Approx(2.0));
  CHECK(margin(Matrix{{0, -1}}, Xb, {1, -1}) == Approx(-2.0));  // the wrong way round
  CHECK(mistake_bound(4, 2) == 4);
  CHECK_THROWS_AS(mistake_bound(4, 0), std::invalid_argument);
}

TEST_CASE("margin: a point on the boundary up to round-off has margin 0, not 1e-17", "[perceptron]") {
  // AND learned with η = 0.1 ends at w ≈ (−0.2, 0.2, 0.1), which puts (1, 0) exactly on the
  // boundary; in floating point w·x̃ is −2.8e-17 there.
  const TluTraining and_gate = train_gate({0, 0, 0, 1}, 0.1);
  REQUIRE(and_gate.errors == 0);
  REQUIRE(net_input(and_gate.w, gate_inputs(), 2) != 0);  // the rounding is really there
  CHECK(margin(and_gate.w, gate_inputs(), {-1, -1, -1, 1}) == 0);
  // A margin well above round-off is kept as it is.
  CHECK(margin(Matrix{{-3, 2, 2}}, gate_inputs(), {-1, -1, -1, 1}) == Approx(1 / std::sqrt(17.0)));
}

TEST_CASE("max margin: the largest-margin direction, solved by hand", "[perceptron]") {
  // x = 3 (class +1) and x = 1 (class −1), x̃ = (1, x). Both constraints active at the optimum:
  // a + 3b = 1 and −(a + b) = 1 → u = (−2, 1), ‖u‖ = √5, so γ* = 1/√5.
  const Matrix Xb{{1, 3}, {1, 1}};
  const MaxMargin mm = max_margin_direction(Xb, {1, -1});
  CHECK(mm.converged);
  CHECK(mm.gamma == Approx(1 / std::sqrt(5.0)).epsilon(1e-8));
  CHECK(mm.u(0, 0) == Approx(-2 / std::sqrt(5.0)).epsilon(1e-8));
  CHECK(mm.u(0, 1) == Approx(1 / std::sqrt(5.0)).epsilon(1e-8));
  // Symmetric points ±2: u = (0, 1), γ* = 2.
  const MaxMargin sym = max_margin_direction(Matrix{{1, 2}, {1, -2}}, {1, -1});
  CHECK(sym.gamma == Approx(2.0).epsilon(1e-8));
}

TEST_CASE("max margin: data that cannot be separated never converge", "[perceptron]") {
  // XOR with ±1 classes.
  const MaxMargin mm = max_margin_direction(gate_inputs(), {-1, 1, 1, -1});
  CHECK_FALSE(mm.converged);
  CHECK(mm.gamma == 0);
}

TEST_CASE("convergence theorem: mistakes ≤ (R/γ)² on random separable data", "[perceptron]") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    INFO("seed " << seed);
    Rng rng(seed);
    // Points in the square [−1, 1]², labelled by the line x₁ + 0.5·x₂ = 0.2; points within 0.05 of
    // it are dropped, so the generating direction u₀ = (−0.2, 1, 0.5) has a known positive margin.
    std::vector<Scalar> values, s;
    while (s.size() < 100) {
      const Scalar x1 = rng.uniform(-1, 1), x2 = rng.uniform(-1, 1);
      const Scalar d = (x1 + 0.5 * x2 - 0.2) / std::sqrt(1.25);
      if (std::abs(d) < 0.05) continue;
      values.insert(values.end(), {1, x1, x2});
      s.push_back(d > 0 ? 1 : -1);
    }
    const Matrix Xb(s.size(), 3, values);
    std::vector<Scalar> t;
    for (Scalar c : s) t.push_back(c > 0 ? 1 : 0);
    TluTrainingOptions options;
    options.max_epochs = 100000;
    options.order = rng.permutation(s.size());
    const TluTraining run = train_tlu(Xb, t, Matrix(1, 3), options);
    REQUIRE(run.outcome == TrainingOutcome::converged);
    CHECK(run.errors == 0);
    const Scalar R = data_radius(Xb);
    const MaxMargin mm = max_margin_direction(Xb, s);
    REQUIRE(mm.converged);
    const Scalar gamma_u0 = margin(Matrix{{-0.2, 1, 0.5}}, Xb, s);
    const Scalar gamma_w = margin(run.w, Xb, s);
    CHECK(gamma_u0 > 0);
    CHECK(gamma_w > 0);
    CHECK(mm.gamma >= gamma_u0 - 1e-12);  // the largest margin is at least any other's
    CHECK(mm.gamma >= gamma_w - 1e-12);
    CHECK(static_cast<Scalar>(run.mistakes) <= mistake_bound(R, mm.gamma));
    CHECK(static_cast<Scalar>(run.mistakes) <= mistake_bound(R, gamma_w));
  }
}
