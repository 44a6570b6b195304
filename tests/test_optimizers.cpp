// Tests for glassbox/train/optimizers.hpp: SGD's rule θ ← θ − η·dθ, frozen parameters, the recorded Δθ
// (by position and by name), that an optimizer with per-parameter state is one small class, and the
// table of optimizers by name with their settings.
#include <catch2/catch.hpp>

#include <algorithm>

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
  CHECK(std::string(sgd.formula) == "Δθ = −η·dθ");
  REQUIRE(sgd.settings.size() == 1);
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
                    "learning_rate");
  CHECK_THROWS_WITH(make_optimizer("sgd", Json::object()),
                    "optimizer sgd: missing option \"learning_rate\": expected a number > 0 (η)");
  CHECK_THROWS_WITH(make_optimizer("sgd", Json{{"learning_rate", -1}}),
                    "optimizer sgd: option \"learning_rate\" must be a number > 0, got -1");
  CHECK_THROWS_AS(make_optimizer("sgd", Json{{"learning_rate", "fast"}}), SettingError);
  CHECK_THROWS_AS(make_optimizer("sgd", Json::array()), InputError);
}
