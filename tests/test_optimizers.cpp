// Tests for glassbox/train/optimizers.hpp: SGD's rule θ ← θ − η·dθ, frozen parameters, the recorded Δθ
// (by position and by name), that an optimizer with per-parameter state is one small class, and the
// table of optimizers by name with their settings. Then every optimizer of torch.optim the library
// has: its first three updates against values worked by hand from the algorithm box of PyTorch's
// documentation (the working in the comments), its state by the algorithm's names, no state for a
// frozen parameter, the learning rate read at every step, gradients left as they were, and its
// settings checked by name.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "glassbox/train/optimizers.hpp"

using namespace glassbox;

namespace {

// Classic momentum as PyTorch writes it (v ← μ·v + dθ ; Δθ = −η·v): per-parameter state in a subclass.
class Momentum final : public Optimizer {
public:
  Momentum(double eta, double mu) : Optimizer(eta), mu_(mu) {}
  std::string describe() const override { return "Momentum"; }
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Momentum>(*this); }

protected:
  void compute_update(std::size_t i, const Matrix&, const Matrix& grad, Matrix& delta) override {
    if (velocity_.size() <= i) velocity_.resize(i + 1);
    Matrix& v = velocity_[i];
    if (!v.same_shape(grad)) v = Matrix(grad.rows(), grad.cols());
    v *= mu_;
    v += grad;
    delta = v * -learning_rate();
  }

private:
  double mu_;
  std::vector<Matrix> velocity_;
};

struct TwoParameters {
  Matrix W{{1, 2}, {3, 4}}, dW{{0.5, -1}, {0, 2}};
  Matrix b{{1, -1}}, db{{4, 4}};
  std::vector<ParameterRef> refs(bool freeze_b = false) {
    return {{"W", W, dW, false}, {"b", b, db, freeze_b}};
  }
};

}  // namespace

TEST_CASE("SGD moves each parameter by −η·dθ", "[optimizers]") {
  TwoParameters p;
  SGD sgd(0.5);
  CHECK(sgd.describe() == "SGD(η=0.5)");
  sgd.step(p.refs());
  CHECK(p.W == Matrix{{0.75, 2.5}, {3, 3}});
  CHECK(p.b == Matrix{{-1, -3}});
  CHECK(sgd.last_update(0) == Matrix{{-0.25, 0.5}, {0, -1}});
  CHECK(sgd.steps() == 1);
}

TEST_CASE("a frozen parameter keeps its value and records a zero update", "[optimizers]") {
  TwoParameters p;
  SGD sgd(0.5);
  sgd.step(p.refs(/*freeze_b=*/true));
  CHECK(p.b == Matrix{{1, -1}});
  CHECK(sgd.last_update(1) == Matrix{{0, 0}});
  CHECK(p.W == Matrix{{0.75, 2.5}, {3, 3}});
}

TEST_CASE("the parameter list must stay the same from step to step", "[optimizers]") {
  TwoParameters p;
  SGD sgd(0.1);
  sgd.step(p.refs());
  std::vector<ParameterRef> fewer = p.refs();
  fewer.pop_back();
  CHECK_THROWS_WITH(sgd.step(fewer), Catch::Contains("1 parameters"));
  const std::vector<ParameterRef> renamed{{"V", p.W, p.dW}, {"b", p.b, p.db}};
  CHECK_THROWS_WITH(sgd.step(renamed), Catch::Contains("\"V\"") && Catch::Contains("\"W\""));
  CHECK_THROWS_AS(sgd.last_update(2), std::out_of_range);
  CHECK_THROWS_AS(SGD(0), std::invalid_argument);
  CHECK_THROWS_AS(SGD(-1), std::invalid_argument);
}

TEST_CASE("an optimizer with per-parameter state is one class", "[optimizers]") {
  TwoParameters p;
  Momentum m(0.1, 0.9);
  m.step(p.refs());  // v = dθ
  m.step(p.refs());  // v = 0.9·dθ + dθ
  CHECK(m.last_update(1)(0, 0) == Approx(-0.1 * 1.9 * 4));
  CHECK(p.b(0, 0) == Approx(1 - 0.1 * 4 - 0.1 * 1.9 * 4));
  const auto copy = m.clone();
  CHECK(copy->steps() == 2);
}

TEST_CASE("the last update by the parameter's name", "[optimizers]") {
  TwoParameters p;
  SGD sgd(0.5);
  CHECK_THROWS_WITH(sgd.last_update("W"), Catch::Contains("no parameters updated so far"));
  sgd.step(p.refs(/*freeze_b=*/true));
  CHECK(&sgd.last_update("W") == &sgd.last_update(0));
  CHECK(sgd.last_update("W") == Matrix{{-0.25, 0.5}, {0, -1}});
  CHECK(sgd.last_update("b") == Matrix{{0, 0}});
  CHECK_THROWS_AS(sgd.last_update("V"), std::out_of_range);
  CHECK_THROWS_WITH(sgd.last_update("w"), "SGD(η=0.5): last_update(\"w\"): no parameter \"w\" (did you mean \"W\"?); "
                                          "the parameters are W, b");
}

TEST_CASE("the optimizer table: names, formulas, settings with defaults", "[optimizers]") {
  const std::vector<std::string> names = optimizer_names();
  CHECK(std::find(names.begin(), names.end(), "sgd") != names.end());
  const OptimizerEntry& sgd = optimizer_entry("sgd");
  CHECK(std::string(sgd.formula).find("Δθ = −η·bₜ") != std::string::npos);
  REQUIRE(sgd.settings.size() == 5);
  CHECK(std::string(sgd.settings[0].key) == "learning_rate");
  CHECK(sgd.settings[0].fallback.is_null());  // required
  for (const OptimizerEntry& e : optimizer_table()) {
    CHECK(std::string(e.formula).find('=') != std::string::npos);
    for (const OptimizerSetting& s : e.settings) CHECK(std::string(s.expected).size() > 0);
  }
  CHECK(make_optimizer("sgd", Json{{"learning_rate", 0.25}})->describe() == "SGD(η=0.25)");
}

TEST_CASE("the optimizer table refuses unknown names and settings, naming them", "[optimizers]") {
  CHECK_THROWS_WITH(make_optimizer("sgdd", Json::object()),
                    fmt::format("unknown optimizer \"sgdd\" (known: {})", fmt::join(optimizer_names(), ", ")));
  CHECK_THROWS_WITH(make_optimizer("sgd", Json{{"learning_rate", 0.1}, {"learnig_rate", 0.1}}),
                    "optimizer sgd: unknown option \"learnig_rate\" (did you mean \"learning_rate\"?); known: "
                    "learning_rate, momentum, dampening, nesterov, weight_decay");
  CHECK_THROWS_WITH(make_optimizer("sgd", Json::object()),
                    "optimizer sgd: missing option \"learning_rate\": expected a number > 0 (η)");
  CHECK_THROWS_WITH(make_optimizer("sgd", Json{{"learning_rate", -1}}),
                    "optimizer sgd: option \"learning_rate\" must be a number > 0, got -1");
  CHECK_THROWS_AS(make_optimizer("sgd", Json{{"learning_rate", "fast"}}), SettingError);
  CHECK_THROWS_AS(make_optimizer("sgd", Json::array()), InputError);
}

// ---- every optimizer, worked by hand ------------------------------------------------------------
// One parameter θ (1×1) starting at 1, given the gradients g₁ = 1, g₂ = 2, g₃ = −1 in turn (set by
// hand, so the working does not depend on a loss). Expected values are the documented formulas
// evaluated step by step with the numbers written out; compared to 1e-12 relative.

namespace {

// The Δθ of each step, feeding `grads` one after the other to a one-element parameter.
std::vector<double> deltas(Optimizer& opt, const std::vector<double>& grads, double theta0 = 1.0) {
  Matrix theta{{theta0}}, grad{{0}};
  std::vector<double> out;
  for (double g : grads) {
    grad(0, 0) = g;
    opt.step({{"layers[0].W", theta, grad, false}});
    out.push_back(opt.last_update(0)(0, 0));
  }
  return out;
}

const std::vector<double> g123{1, 2, -1};

void check_deltas(const std::vector<double>& got, const std::vector<double>& expected) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t t = 0; t < got.size(); ++t) {
    INFO("step " << t + 1);
    CHECK(got[t] == Approx(expected[t]).epsilon(1e-12));
  }
}

}  // namespace

TEST_CASE("SGD with momentum: b₁ = g₁, then b = μb + (1 − τ)g", "[optimizers]") {
  SECTION("μ = 0.9, η = 0.1") {
    SGD sgd(0.1, {.momentum = 0.9});
    // b₁ = 1                       Δθ₁ = −0.1·1    = −0.1
    // b₂ = 0.9·1 + 2 = 2.9          Δθ₂ = −0.1·2.9  = −0.29
    // b₃ = 0.9·2.9 − 1 = 1.61       Δθ₃ = −0.1·1.61 = −0.161
    check_deltas(deltas(sgd, g123), {-0.1, -0.29, -0.161});
    CHECK(sgd.state(0).matrix("b")(0, 0) == Approx(1.61));
    CHECK(sgd.describe() == "SGD(η=0.1, μ=0.9)");
  }
  SECTION("dampening τ = 0.5 does not damp the first buffer") {
    SGD sgd(0.1, {.momentum = 0.9, .dampening = 0.5});
    // b₁ = g₁ = 1 ;  b₂ = 0.9·1 + 0.5·2 = 1.9 ;  b₃ = 0.9·1.9 + 0.5·(−1) = 1.21
    check_deltas(deltas(sgd, g123), {-0.1, -0.19, -0.121});
  }
  SECTION("Nesterov: the step is g + μb, a look-ahead along the buffer") {
    SGD sgd(0.1, {.momentum = 0.9, .nesterov = true});
    // b₁ = 1,    g + μb = 1 + 0.9·1     = 1.9    Δθ₁ = −0.19
    // b₂ = 2.9,  g + μb = 2 + 0.9·2.9   = 4.61   Δθ₂ = −0.461
    // b₃ = 1.61, g + μb = −1 + 0.9·1.61 = 0.449  Δθ₃ = −0.0449
    check_deltas(deltas(sgd, g123), {-0.19, -0.461, -0.0449});
  }
  SECTION("weight decay adds λθ to the gradient") {
    SGD sgd(0.1, {.weight_decay = 0.1});
    // θ₀ = 1:     g = 1 + 0.1·1 = 1.1          Δθ₁ = −0.11,    θ₁ = 0.89
    // θ₁ = 0.89:  g = 2 + 0.1·0.89 = 2.089     Δθ₂ = −0.2089,  θ₂ = 0.6811
    // θ₂ = 0.6811: g = −1 + 0.06811 = −0.93189 Δθ₃ = 0.093189
    check_deltas(deltas(sgd, g123), {-0.11, -0.2089, 0.093189});
    CHECK(sgd.state(0).empty());  // no momentum: no buffer
  }
  SECTION("PyTorch refuses Nesterov without momentum or with dampening; so does SGD") {
    CHECK_THROWS_AS(SGD(0.1, {.nesterov = true}), std::invalid_argument);
    CHECK_THROWS_AS(SGD(0.1, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}), std::invalid_argument);
    CHECK_THROWS_AS(SGD(0.1, {.momentum = -0.1}), std::invalid_argument);
  }
}

TEST_CASE("Adagrad: lr_decay, the accumulator's start, ε outside the root", "[optimizers]") {
  Adagrad adagrad({.learning_rate = 0.1, .lr_decay = 0.5, .initial_accumulator_value = 0.1});
  // t = 1: η̃ = 0.1/(1 + 0·0.5) = 0.1    sum = 0.1 + 1² = 1.1   Δθ = −0.1·1/(√1.1 + 1e-10)
  // t = 2: η̃ = 0.1/(1 + 1·0.5) = 0.1/1.5 sum = 1.1 + 2² = 5.1  Δθ = −(0.1/1.5)·2/(√5.1 + 1e-10)
  // t = 3: η̃ = 0.1/(1 + 2·0.5) = 0.05   sum = 5.1 + 1 = 6.1    Δθ = −0.05·(−1)/(√6.1 + 1e-10)
  check_deltas(deltas(adagrad, g123), {-0.1 / (std::sqrt(1.1) + 1e-10), -(0.1 / 1.5) * 2 / (std::sqrt(5.1) + 1e-10),
                                       0.05 / (std::sqrt(6.1) + 1e-10)});
  const OptimizerState s = adagrad.state(0);
  CHECK(s.matrix("sum")(0, 0) == Approx(6.1));
  CHECK(s.number("lr") == Approx(0.05));
  CHECK(Adagrad().learning_rate() == 1e-2);
}

TEST_CASE("Adadelta: running averages of g² and of Δx², ε inside both roots", "[optimizers]") {
  Adadelta adadelta;  // η = 1, ρ = 0.9, ε = 1e-6
  // t = 1: v = 0.1·1 = 0.1            Δx₁ = √(0 + 1e-6)/√(0.1 + 1e-6)·1      u₁ = 0.1·Δx₁²
  // t = 2: v = 0.09 + 0.1·4 = 0.49    Δx₂ = √(u₁ + 1e-6)/√(0.49 + 1e-6)·2    u₂ = 0.9·u₁ + 0.1·Δx₂²
  // t = 3: v = 0.441 + 0.1 = 0.541    Δx₃ = √(u₂ + 1e-6)/√(0.541 + 1e-6)·(−1)
  // Δθ = −1·Δx
  const double dx1 = std::sqrt(1e-6) / std::sqrt(0.1 + 1e-6);
  const double u1 = 0.1 * dx1 * dx1;
  const double dx2 = std::sqrt(u1 + 1e-6) / std::sqrt(0.49 + 1e-6) * 2;
  const double u2 = 0.9 * u1 + 0.1 * dx2 * dx2;
  const double dx3 = -std::sqrt(u2 + 1e-6) / std::sqrt(0.541 + 1e-6);
  check_deltas(deltas(adadelta, g123), {-dx1, -dx2, -dx3});
  const OptimizerState s = adadelta.state(0);
  CHECK(s.matrix("v")(0, 0) == Approx(0.541));
  CHECK(s.matrix("u")(0, 0) == Approx(0.9 * u2 + 0.1 * dx3 * dx3));
}

TEST_CASE("RMSprop: plain, and centered with momentum", "[optimizers]") {
  SECTION("the defaults: α = 0.99, so the first step is 10·η") {
    RMSprop rms;
    // t = 1: v = 0.01·1 = 0.01      Δθ = −0.01·1/(0.1 + 1e-8)        ≈ −0.1 = −10η
    // t = 2: v = 0.0099 + 0.04 = 0.0499   Δθ = −0.01·2/(√0.0499 + 1e-8)
    // t = 3: v = 0.049401 + 0.01 = 0.059401   Δθ = 0.01/(√0.059401 + 1e-8)
    check_deltas(deltas(rms, g123),
                 {-0.01 / (0.1 + 1e-8), -0.02 / (std::sqrt(0.0499) + 1e-8), 0.01 / (std::sqrt(0.059401) + 1e-8)});
    CHECK(rms.state(0).matrix("v")(0, 0) == Approx(0.059401));
    CHECK_FALSE(rms.state(0).has("g_ave"));
    CHECK_FALSE(rms.state(0).has("b"));
  }
  SECTION("centered (ṽ = v − g_ave²) and momentum μ = 0.5, α = 0.9") {
    RMSprop rms({.alpha = 0.9, .momentum = 0.5, .centered = true});
    // t = 1: v = 0.1, g_ave = 0.1, ṽ = 0.1 − 0.01 = 0.09
    //        b₁ = 0 + 1/(0.3 + 1e-8)                         Δθ = −0.01·b₁
    // t = 2: v = 0.09 + 0.4 = 0.49, g_ave = 0.09 + 0.2 = 0.29, ṽ = 0.49 − 0.0841 = 0.4059
    //        b₂ = 0.5·b₁ + 2/(√0.4059 + 1e-8)                 Δθ = −0.01·b₂
    // t = 3: v = 0.441 + 0.1 = 0.541, g_ave = 0.261 − 0.1 = 0.161, ṽ = 0.541 − 0.025921 = 0.515079
    //        b₃ = 0.5·b₂ − 1/(√0.515079 + 1e-8)               Δθ = −0.01·b₃
    const double b1 = 1 / (0.3 + 1e-8);
    const double b2 = 0.5 * b1 + 2 / (std::sqrt(0.4059) + 1e-8);
    const double b3 = 0.5 * b2 - 1 / (std::sqrt(0.515079) + 1e-8);
    check_deltas(deltas(rms, g123), {-0.01 * b1, -0.01 * b2, -0.01 * b3});
    const OptimizerState s = rms.state(0);
    CHECK(s.matrix("g_ave")(0, 0) == Approx(0.161));
    CHECK(s.matrix("b")(0, 0) == Approx(b3));
  }
}

TEST_CASE("Adam: bias correction, m̂ and v̂ on the record", "[optimizers]") {
  Adam adam({.learning_rate = 0.1});
  // β₁ = 0.9, β₂ = 0.999, ε = 1e-8
  // t = 1: m = 0.1, v = 0.001·1 = 0.001
  //        m̂ = 0.1/(1 − 0.9) = 1, v̂ = 0.001/(1 − 0.999) = 1        Δθ = −0.1·1/(1 + 1e-8)
  // t = 2: m = 0.09 + 0.2 = 0.29, v = 0.000999 + 0.004 = 0.004999
  //        m̂ = 0.29/0.19, v̂ = 0.004999/0.001999 (1 − 0.999² = 0.001999)
  // t = 3: m = 0.261 − 0.1 = 0.161, v = 0.004994001 + 0.001 = 0.005994001
  //        m̂ = 0.161/0.271, v̂ = 0.005994001/0.002997001 (1 − 0.999³ = 0.002997001)
  check_deltas(deltas(adam, g123), {-0.1 / (1 + 1e-8), -0.1 * (0.29 / 0.19) / (std::sqrt(0.004999 / 0.001999) + 1e-8),
                                    -0.1 * (0.161 / 0.271) / (std::sqrt(0.005994001 / 0.002997001) + 1e-8)});
  const OptimizerState s = adam.state(0);
  CHECK(s.matrix("m")(0, 0) == Approx(0.161));
  CHECK(s.matrix("v")(0, 0) == Approx(0.005994001));
  CHECK(s.matrix("m_hat")(0, 0) == Approx(0.161 / 0.271));
  CHECK(s.matrix("v_hat")(0, 0) == Approx(0.005994001 / 0.002997001));
  CHECK(s.matrix("denominator")(0, 0) == Approx(std::sqrt(0.005994001 / 0.002997001) + 1e-8));
  CHECK_FALSE(s.has("v_max"));
  CHECK(Adam().describe() == "Adam(η=0.001, β=(0.9, 0.999), ε=1e-08)");
}

TEST_CASE("AMSGrad: the running maximum of the raw v, then bias-corrected", "[optimizers]") {
  // β₂ = 0.5 and a gradient that falls from 10 to 0.1, so v falls and its maximum stays.
  const std::vector<double> g{10, 0.1, 0.1};
  Adam amsgrad({.learning_rate = 0.1, .betas = {0.9, 0.5}, .amsgrad = true});
  Adam plain({.learning_rate = 0.1, .betas = {0.9, 0.5}});
  // v₁ = 0.5·100 = 50, v₂ = 25 + 0.005 = 25.005, v₃ = 12.5025 + 0.005 = 12.5075 ; vᵐᵃˣ = 50 throughout
  // m₁ = 1, m₂ = 0.9 + 0.01 = 0.91, m₃ = 0.819 + 0.01 = 0.829 ; 1 − β₁ᵗ = 0.1, 0.19, 0.271
  // 1 − β₂ᵗ = 0.5, 0.75, 0.875
  // AMSGrad:  v̂ = 50/0.5 = 100, 50/0.75, 50/0.875
  // plain:    v̂ = 100, 25.005/0.75, 12.5075/0.875
  // (The maximum of the corrected v̂ — an older form of the documentation's box — would keep
  // v̂ = 100 at every step: Δθ₂ = −0.1·(0.91/0.19)/(10 + 1e-8) = −0.0479, not −0.0587 as here.)
  check_deltas(deltas(amsgrad, g), {-0.1 * 10 / (10 + 1e-8), -0.1 * (0.91 / 0.19) / (std::sqrt(50 / 0.75) + 1e-8),
                                    -0.1 * (0.829 / 0.271) / (std::sqrt(50 / 0.875) + 1e-8)});
  check_deltas(deltas(plain, g), {-0.1 * 10 / (10 + 1e-8), -0.1 * (0.91 / 0.19) / (std::sqrt(25.005 / 0.75) + 1e-8),
                                  -0.1 * (0.829 / 0.271) / (std::sqrt(12.5075 / 0.875) + 1e-8)});
  CHECK(amsgrad.state(0).matrix("v_max")(0, 0) == 50);
  CHECK(amsgrad.state(0).matrix("v")(0, 0) == Approx(12.5075));
}

TEST_CASE("weight decay: Adam adds λθ to g (coupled), AdamW shrinks θ by η·λ·θ (decoupled)", "[optimizers]") {
  Adam adam({.learning_rate = 0.1, .weight_decay = 0.1});
  AdamW adamw({.learning_rate = 0.1, .weight_decay = 0.1});
  // Step 1 from θ = 1, g = 1.
  // Adam:  g = 1 + 0.1·1 = 1.1, m̂ = 1.1, v̂ = 1.21        Δθ = −0.1·1.1/(1.1 + 1e-8)       ≈ −0.1
  // AdamW: θ shrinks by 0.1·0.1·1 = 0.01, then m̂ = 1, v̂ = 1  Δθ = −0.01 − 0.1·1/(1 + 1e-8)  ≈ −0.11
  const std::vector<double> a = deltas(adam, {1}), w = deltas(adamw, {1});
  CHECK(a[0] == Approx(-0.1 * 1.1 / (1.1 + 1e-8)).epsilon(1e-12));
  CHECK(w[0] == Approx(-0.01 - 0.1 / (1 + 1e-8)).epsilon(1e-12));
  CHECK(std::abs(a[0] - w[0]) > 0.009);
  // AdamW's step-2 gradient is the plain one: with θ₁ = 0.89 and g = 2, m = 0.29, v = 0.004999 as in
  // Adam without decay; Δθ₂ = −0.1·0.1·0.89 − 0.1·(0.29/0.19)/(√(0.004999/0.001999) + 1e-8).
  const std::vector<double> w2 = deltas(adamw, {2}, 0.89);
  CHECK(w2[0] == Approx(-0.0089 - 0.1 * (0.29 / 0.19) / (std::sqrt(0.004999 / 0.001999) + 1e-8)).epsilon(1e-12));
  CHECK(AdamW().describe() == "AdamW(η=0.001, β=(0.9, 0.999), ε=1e-08, λ=0.01)");
}

TEST_CASE("Adamax: u = max(β₂u, |g| + ε)", "[optimizers]") {
  Adamax adamax({.learning_rate = 0.1});
  // t = 1: m = 0.1, u = max(0, 1 + 1e-8) = 1 + 1e-8                       Δθ = −0.1·0.1/(0.1·u)
  // t = 2: m = 0.29, u = max(0.999·(1 + 1e-8), 2 + 1e-8) = 2 + 1e-8       Δθ = −0.1·0.29/(0.19·u)
  // t = 3: m = 0.161, u = max(0.999·(2 + 1e-8), 1 + 1e-8) = 0.999·(2 + 1e-8)  Δθ = −0.1·0.161/(0.271·u)
  check_deltas(deltas(adamax, g123), {-0.1 * 0.1 / (0.1 * (1 + 1e-8)), -0.1 * 0.29 / (0.19 * (2 + 1e-8)),
                                      -0.1 * 0.161 / (0.271 * (0.999 * (2 + 1e-8)))});
  CHECK(adamax.state(0).matrix("u")(0, 0) == Approx(0.999 * (2 + 1e-8)));
  CHECK(adamax.state(0).matrix("m")(0, 0) == Approx(0.161));
  CHECK(Adamax().learning_rate() == 2e-3);
}

TEST_CASE("NAdam: μₜ from the momentum decay, the μ product in the bias correction", "[optimizers]") {
  NAdam nadam({.learning_rate = 0.1});
  // ψ = 0.004:  μₜ = 0.9·(1 − ½·0.96^(0.004·t))
  //   μ₁ = 0.450073473591…, μ₂ = 0.450146935186…, μ₃ = 0.450220384787…, μ₄ = 0.450293822395…
  const auto mu = [](double t) { return 0.9 * (1 - 0.5 * std::pow(0.96, 0.004 * t)); };
  const double mu1 = mu(1), mu2 = mu(2), mu3 = mu(3), mu4 = mu(4);
  CHECK(mu1 == Approx(0.450073473591296));
  // t = 1: m = 0.1, v = 0.001, v̂ = 1
  //        m̂ = μ₂·0.1/(1 − μ₁μ₂) + (1 − μ₁)·1/(1 − μ₁)
  // t = 2: m = 0.29, v̂ = 0.004999/0.001999
  //        m̂ = μ₃·0.29/(1 − μ₁μ₂μ₃) + (1 − μ₂)·2/(1 − μ₁μ₂)
  // t = 3: m = 0.161, v̂ = 0.005994001/0.002997001
  //        m̂ = μ₄·0.161/(1 − μ₁μ₂μ₃μ₄) + (1 − μ₃)·(−1)/(1 − μ₁μ₂μ₃)
  // Δθ = −0.1·m̂/(√v̂ + 1e-8)
  const double m_hat1 = mu2 * 0.1 / (1 - mu1 * mu2) + (1 - mu1) / (1 - mu1);
  const double m_hat2 = mu3 * 0.29 / (1 - mu1 * mu2 * mu3) + (1 - mu2) * 2 / (1 - mu1 * mu2);
  const double m_hat3 = mu4 * 0.161 / (1 - mu1 * mu2 * mu3 * mu4) - (1 - mu3) / (1 - mu1 * mu2 * mu3);
  check_deltas(deltas(nadam, g123), {-0.1 * m_hat1 / (1 + 1e-8),
                                     -0.1 * m_hat2 / (std::sqrt(0.004999 / 0.001999) + 1e-8),
                                     -0.1 * m_hat3 / (std::sqrt(0.005994001 / 0.002997001) + 1e-8)});
  const OptimizerState s = nadam.state(0);
  CHECK(s.number("mu_t") == Approx(mu3).epsilon(1e-14));
  CHECK(s.number("mu_next") == Approx(mu4).epsilon(1e-14));
  CHECK(s.number("mu_product") == Approx(mu1 * mu2 * mu3).epsilon(1e-14));
  CHECK(s.matrix("m_hat")(0, 0) == Approx(m_hat3).epsilon(1e-12));
}

TEST_CASE("NAdam's weight decay: added to g, or decoupled", "[optimizers]") {
  NAdam coupled({.learning_rate = 0.1, .weight_decay = 0.1});
  NAdam decoupled({.learning_rate = 0.1, .weight_decay = 0.1, .decoupled_weight_decay = true});
  // θ = 1, g = 1. Coupled: g = 1.1, v̂ = 1.21, m̂ = 1.1·(μ₂·0.1/(1 − μ₁μ₂)/1 … ) — the step is that of
  // g = 1.1 with m = 0.11: −0.1·m̂(1.1)/(1.1 + 1e-8). Decoupled: −0.1·0.1·1 plus the step of g = 1.
  const auto mu = [](double t) { return 0.9 * (1 - 0.5 * std::pow(0.96, 0.004 * t)); };
  const double mu1 = mu(1), mu2 = mu(2);
  const auto m_hat = [&](double g) { return mu2 * 0.1 * g / (1 - mu1 * mu2) + (1 - mu1) * g / (1 - mu1); };
  CHECK(deltas(coupled, {1})[0] == Approx(-0.1 * m_hat(1.1) / (1.1 + 1e-8)).epsilon(1e-12));
  CHECK(deltas(decoupled, {1})[0] == Approx(-0.01 - 0.1 * m_hat(1) / (1 + 1e-8)).epsilon(1e-12));
}

TEST_CASE("every optimizer: a frozen parameter is untouched and keeps no state", "[optimizers]") {
  for (const std::string& name : optimizer_names()) {
    INFO(name);
    const auto opt = make_optimizer(name, Json{{"learning_rate", 0.1}});
    TwoParameters p;
    opt->step(p.refs(/*freeze_b=*/true));
    opt->step(p.refs(/*freeze_b=*/true));
    CHECK(p.b == Matrix{{1, -1}});
    CHECK(opt->last_update(1) == Matrix{{0, 0}});
    CHECK(opt->state(1).empty());
    CHECK(p.W != Matrix{{1, 2}, {3, 4}});
    CHECK(opt->state(7).empty());  // a parameter it never saw
  }
}

TEST_CASE("a parameter frozen at first starts its own count t when it is first updated", "[optimizers]") {
  Adam adam({.learning_rate = 0.1});
  TwoParameters p;
  adam.step(p.refs(/*freeze_b=*/true));
  adam.step(p.refs(/*freeze_b=*/false));
  // b's first update, at the optimizer's second step: t = 1 for b, so m̂ = g = 4 and v̂ = 16:
  // Δb = −0.1·4/(4 + 1e-8) for each element.
  CHECK(adam.last_update(1)(0, 0) == Approx(-0.1 * 4 / (4 + 1e-8)).epsilon(1e-12));
  CHECK(adam.state(1).matrix("m")(0, 0) == Approx(0.4));
}

TEST_CASE("every optimizer reads its learning rate at each step", "[optimizers]") {
  for (const std::string& name : optimizer_names()) {
    INFO(name);
    const auto a = make_optimizer(name, Json{{"learning_rate", 0.1}});
    const auto b = make_optimizer(name, Json{{"learning_rate", 0.1}});
    TwoParameters pa, pb;
    a->step(pa.refs());
    b->step(pb.refs());
    b->set_learning_rate(0.05);
    a->step(pa.refs());
    b->step(pb.refs());
    CHECK(b->last_learning_rate() == 0.05);
    CHECK(a->last_learning_rate() == 0.1);
    // Every rule's Δθ is η times something that does not depend on η's past values once the state
    // is the same (the state depends only on the gradients, which are the same here) — except that
    // θ enters through weight decay, zero here; Adadelta's Δθ is η·Δx with Δx from the state too.
    CHECK(b->last_update(0)(0, 0) == Approx(a->last_update(0)(0, 0) / 2).epsilon(1e-12));
  }
}

TEST_CASE("optimizers leave the gradients as they were", "[optimizers]") {
  // With weight decay on, each rule forms g + λθ: it must do so in its own copy, so that a gradient
  // check or a trace after the step still sees dL/dθ.
  for (const std::string& name : optimizer_names()) {
    INFO(name);
    const auto opt = make_optimizer(name, Json{{"learning_rate", 0.1}, {"weight_decay", 0.1}});
    TwoParameters p;
    const Matrix dW = p.dW, db = p.db;
    opt->step(p.refs());
    opt->step(p.refs());
    CHECK(p.dW == dW);
    CHECK(p.db == db);
  }
}

TEST_CASE("every optimizer's state by its algorithm's names", "[optimizers]") {
  const auto names_of = [](const OptimizerState& s) {
    std::vector<std::string> names;
    for (const auto& [n, m] : s.matrices) names.push_back(n);
    for (const auto& [n, x] : s.numbers) names.push_back(n);
    return names;
  };
  const auto state_after_a_step = [&](std::string_view name, const Json& settings) {
    const auto opt = make_optimizer(name, settings);
    TwoParameters p;
    opt->step(p.refs());
    const OptimizerState s = opt->state(0);
    for (const auto& [n, m] : s.matrices) CHECK(m.same_shape(p.W));
    return names_of(s);
  };
  using Names = std::vector<std::string>;
  CHECK(state_after_a_step("sgd", {{"learning_rate", 0.1}}).empty());
  CHECK(state_after_a_step("sgd", {{"learning_rate", 0.1}, {"momentum", 0.9}}) == Names{"b"});
  CHECK(state_after_a_step("adagrad", Json::object()) == Names{"sum", "lr"});
  CHECK(state_after_a_step("adadelta", Json::object()) == Names{"v", "u"});
  CHECK(state_after_a_step("rmsprop", Json::object()) == Names{"v"});
  CHECK(state_after_a_step("rmsprop", {{"centered", true}, {"momentum", 0.9}}) == Names{"v", "g_ave", "b"});
  CHECK(state_after_a_step("adam", Json::object()) == Names{"m", "v", "m_hat", "v_hat", "denominator"});
  CHECK(state_after_a_step("adamw", {{"amsgrad", true}}) == Names{"m", "v", "v_max", "m_hat", "v_hat", "denominator"});
  CHECK(state_after_a_step("adamax", Json::object()) == Names{"m", "u"});
  CHECK(state_after_a_step("nadam", Json::object()) ==
        Names{"m", "v", "m_hat", "v_hat", "denominator", "mu_t", "mu_next", "mu_product"});
  const auto adam = make_optimizer("adam", Json::object());
  TwoParameters p;
  adam->step(p.refs());
  CHECK_THROWS_WITH(adam->state(0).matrix("b"), "optimizer state: no \"b\" (there are: m, v, m_hat, v_hat, denominator)");
  CHECK_THROWS_AS(adam->state(0).number("m"), std::out_of_range);
}

TEST_CASE("the table: every optimizer of torch.optim named, with PyTorch's defaults", "[optimizers]") {
  CHECK(optimizer_names() ==
        std::vector<std::string>{"sgd", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "adamax", "nadam"});
  const auto fallback = [](std::string_view optimizer, std::string_view key) {
    for (const OptimizerSetting& s : optimizer_entry(optimizer).settings)
      if (key == s.key) return s.fallback;
    FAIL("no setting " << key);
    return Json();
  };
  CHECK(fallback("adagrad", "learning_rate") == 1e-2);
  CHECK(fallback("adagrad", "eps") == 1e-10);
  CHECK(fallback("adadelta", "learning_rate") == 1.0);
  CHECK(fallback("adadelta", "rho") == 0.9);
  CHECK(fallback("adadelta", "eps") == 1e-6);
  CHECK(fallback("rmsprop", "alpha") == 0.99);
  CHECK(fallback("adam", "betas") == Json::array({0.9, 0.999}));
  CHECK(fallback("adamw", "weight_decay") == 1e-2);
  CHECK(fallback("adam", "weight_decay") == 0.0);
  CHECK(fallback("adamax", "learning_rate") == 2e-3);
  CHECK(fallback("nadam", "momentum_decay") == 4e-3);
  CHECK(make_optimizer("adam", Json::object())->describe() == Adam().describe());
  CHECK(make_optimizer("nadam", Json::object())->describe() == "NAdam(η=0.002, β=(0.9, 0.999), ε=1e-08, ψ=0.004)");
  CHECK(make_optimizer("sgd", Json{{"learning_rate", 0.1}, {"momentum", 0.9}, {"nesterov", true}})->describe() ==
        "SGD(η=0.1, μ=0.9, Nesterov)");
}

TEST_CASE("the table refuses bad settings, naming the key and what is allowed", "[optimizers]") {
  const auto error_of = [](std::string_view name, const Json& settings) -> std::string {
    try {
      (void)make_optimizer(name, settings);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(error_of("adam", {{"betas", {0.9, 1}}}) == "optimizer adam: option \"betas[1]\" must be a number in [0, 1), got 1");
  CHECK(error_of("nadam", {{"betas", {-0.1, 0.9}}}) ==
        "optimizer nadam: option \"betas[0]\" must be a number in [0, 1), got -0.1");
  CHECK(error_of("adamax", {{"betas", 0.9}}) ==
        "optimizer adamax: option \"betas\" must be an array of two numbers, each in [0, 1), got 0.9");
  CHECK(error_of("adam", {{"eps", -1e-8}}) == "optimizer adam: option \"eps\" must be a number ≥ 0, got -1e-08");
  CHECK(error_of("adagrad", {{"learning_rate", -0.1}}) ==
        "optimizer adagrad: option \"learning_rate\" must be a number > 0, got -0.1");
  CHECK(error_of("adamw", {{"weight_decay", -0.01}}) ==
        "optimizer adamw: option \"weight_decay\" must be a number ≥ 0, got -0.01");
  CHECK(error_of("adam", {{"amsgrad", 1}}) == "optimizer adam: option \"amsgrad\" must be true or false, got 1");
  CHECK(error_of("rmsprop", {{"centered", "yes"}}) ==
        "optimizer rmsprop: option \"centered\" must be true or false, got \"yes\"");
  CHECK(error_of("adadelta", {{"rho", 1.5}}) == "optimizer adadelta: option \"rho\" must be a number in [0, 1], got 1.5");
  CHECK(error_of("sgd", {{"learning_rate", 0.1}, {"nesterov", true}}) ==
        "optimizer sgd: option \"nesterov\" must be false unless momentum > 0 and dampening is 0 (Nesterov momentum "
        "needs both), got true");
  CHECK(error_of("sgd", {{"learning_rate", 0.1}, {"momentum", 0.9}, {"dampening", 0.1}, {"nesterov", true}})
            .find("\"nesterov\"") != std::string::npos);
  CHECK(error_of("adam", {{"amsgrd", true}}) ==
        "optimizer adam: unknown option \"amsgrd\" (did you mean \"amsgrad\"?); known: learning_rate, betas, eps, "
        "weight_decay, amsgrad");
  CHECK(error_of("adam", {{"momentum", 0.9}}).find("unknown option \"momentum\"") != std::string::npos);
  CHECK(error_of("adam", {{"learning_rate", 0.01}, {"betas", {0.8, 0.99}}, {"amsgrad", true}}) == "no error");
}

// train() skips its own pass over the gradients when the optimizer says that a non-finite gradient
// always gives a non-finite θ (Optimizer::non_finite_gradients_reach_theta): this checks that claim
// for every optimizer in the table, in its plain and its other settings, at the first step (state
// being created) and at a later one, for NaN, +inf and −inf.
TEST_CASE("a non-finite gradient reaches θ in every optimizer", "[optimizers]") {
  const std::vector<std::pair<std::string, Json>> variants = {
      {"sgd", {{"learning_rate", 0.1}}},
      {"sgd", {{"learning_rate", 0.1}, {"momentum", 0.9}}},
      {"sgd", {{"learning_rate", 0.1}, {"momentum", 0.9}, {"dampening", 1.0}}},
      {"sgd", {{"learning_rate", 0.1}, {"momentum", 0.9}, {"nesterov", true}, {"weight_decay", 0.01}}},
      {"adagrad", {{"learning_rate", 0.1}, {"lr_decay", 0.01}}},
      {"adadelta", {}},
      {"rmsprop", {{"learning_rate", 0.01}}},
      {"rmsprop", {{"learning_rate", 0.01}, {"momentum", 0.9}, {"centered", true}}},
      {"adam", {}},
      {"adam", {{"amsgrad", true}, {"weight_decay", 0.01}}},
      {"adamw", {{"amsgrad", true}}},
      {"adamax", {}},
      {"nadam", {{"decoupled_weight_decay", true}, {"weight_decay", 0.01}}},
  };
  std::vector<std::string> covered;
  for (const auto& [name, settings] : variants) covered.push_back(name);
  for (const std::string& name : optimizer_names())
    CHECK(std::find(covered.begin(), covered.end(), name) != covered.end());

  const double inf = std::numeric_limits<double>::infinity();
  for (const auto& [name, settings] : variants)
    for (const double bad : {std::numeric_limits<double>::quiet_NaN(), inf, -inf})
      for (const std::size_t good_steps : {0u, 3u}) {
        INFO(name << " " << settings.dump() << ", gradient " << bad << " after " << good_steps << " finite steps");
        std::unique_ptr<Optimizer> opt = make_optimizer(name, settings);
        CHECK(opt->non_finite_gradients_reach_theta());
        Matrix theta{{0.5, -0.25, 1.0}, {0.0, 2.0, -1.5}};
        Matrix grad{{0.1, -0.2, 0.3}, {-0.4, 0.5, 0.0}};
        const std::vector<ParameterRef> params{{"w", theta, grad}};
        for (std::size_t s = 0; s < good_steps; ++s) {
          opt->step(params);
          REQUIRE(opt->values_finite());
        }
        grad(1, 2) = bad;
        opt->step(params);
        CHECK_FALSE(opt->values_finite());
        CHECK_FALSE(std::isfinite(theta(1, 2)));
      }
}

// The default is false: an update that can swallow a NaN (sign(g) maps it to 0) must not claim it.
// train() then checks the gradients itself, and still names the NaN (test_step_allocations.cpp).
TEST_CASE("an optimizer written elsewhere does not claim that non-finite gradients reach θ", "[optimizers]") {
  struct SignSGD final : Optimizer {
    SignSGD() : Optimizer(0.1) {}
    std::string describe() const override { return "SignSGD"; }
    std::unique_ptr<Optimizer> clone() const override { return std::make_unique<SignSGD>(*this); }
    void compute_update(std::size_t, const Matrix&, const Matrix& grad, Matrix& delta) override {
      for (std::size_t k = 0; k < grad.size(); ++k)
        delta.data()[k] = grad.data()[k] > 0 ? -learning_rate() : grad.data()[k] < 0 ? learning_rate() : 0.0;
    }
  };
  SignSGD opt;
  CHECK_FALSE(opt.non_finite_gradients_reach_theta());
  Matrix theta{{0.5, -0.25}};
  Matrix grad{{std::numeric_limits<double>::quiet_NaN(), 1.0}};
  opt.step({{"w", theta, grad}});
  CHECK(opt.values_finite());  // the NaN vanished: a check on θ alone would have missed it
}
