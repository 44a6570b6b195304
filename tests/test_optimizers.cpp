// Tests for glassbox/train/optimizers.hpp: SGD's rule θ ← θ − η·dθ, frozen parameters, the recorded Δθ,
// and that an optimizer with per-parameter state is one small class.
#include <catch2/catch.hpp>

#include "glassbox/train/optimizers.hpp"

using namespace glassbox;

namespace {

// Classic momentum as PyTorch writes it (v ← μ·v + dθ ; Δθ = −η·v): per-parameter state in a subclass.
class Momentum final : public Optimizer {
public:
  Momentum(double eta, double mu) : eta_(eta), mu_(mu) {}
  std::string describe() const override { return "Momentum"; }
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Momentum>(*this); }

protected:
  void compute_update(std::size_t i, const Matrix&, const Matrix& grad, Matrix& delta) override {
    if (velocity_.size() <= i) velocity_.resize(i + 1);
    Matrix& v = velocity_[i];
    if (!v.same_shape(grad)) v = Matrix(grad.rows(), grad.cols());
    v *= mu_;
    v += grad;
    delta = v * -eta_;
  }

private:
  double eta_, mu_;
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
