// Tests of the gradient checker itself: it passes closed-form gradients, rejects wrong ones (a
// scaled or transposed dW), refuses an all-zero check as vacuous, flags a ReLU kink crossed by
// the perturbation, samples large tensors but never biases, and reports as JSON and a table.
#include <catch2/catch.hpp>

#include <cmath>

#include "glassbox/activations.hpp"
#include "glassbox/dense.hpp"
#include "glassbox/gradcheck.hpp"

using namespace glassbox;

namespace {

// A dense layer whose backward is wrong in a chosen way.
class BrokenDense final : public Layer {
public:
  enum class Bug { scaled_dW, transposed_dW, no_db };
  BrokenDense(Dense inner, Bug which) : d(std::move(inner)), bug(which) {}
  std::string describe() const override { return "Broken" + d.describe(); }
  std::size_t input_width() const override { return d.input_width(); }
  std::size_t output_width() const override { return d.output_width(); }
  const Matrix& forward(const Matrix& X) override { return d.forward(X); }
  const Matrix& backward(const Matrix& dZ) override {
    if (bug == Bug::scaled_dW) {
      d.backward(dZ);
      d.dW *= 1.01;
    } else if (bug == Bug::transposed_dW) {
      d.backward(dZ);
      d.dW = transpose(d.dW);
    } else {
      const Matrix db = d.db;
      d.backward(dZ);
      d.db = db;  // forgets dL/db
    }
    return d.dX;
  }
  std::vector<ParameterRef> parameters() override { return d.parameters(); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<BrokenDense>(*this); }
  Dense d;
  Bug bug;
};

}  // namespace

TEST_CASE("closed-form gradients pass: f = Σ x³ and f = sin(x)·y", "[gradcheck]") {
  const std::vector<double> x{0.5, -1.5, 2.0, 3.0};
  std::vector<double> grad;
  for (double v : x) grad.push_back(3 * v * v);
  const auto cubes = check_function(
      [](const std::vector<double>& v) {
        double s = 0;
        for (double e : v) s += e * e * e;
        return s;
      },
      x, grad);
  INFO(cubes.summary());
  CHECK(cubes.verdict == CheckVerdict::good);
  CHECK(cubes.elements.size() == 4);
  CHECK(cubes.worst_rel_error < 1e-9);
  // The centered difference of x³ is exactly 3x² + h²: the checker divides by 2h, not h.
  CHECK(cubes.elements[2].numeric == Approx(12.0 + 1e-10).epsilon(1e-9));

  const double a = 0.7, b = -1.3;
  const auto product = check_function([](const std::vector<double>& v) { return std::sin(v[0]) * v[1]; }, {a, b},
                                      {std::cos(a) * b, std::sin(a)});
  INFO(product.summary());
  CHECK(product.verdict == CheckVerdict::good);
}

TEST_CASE("a wrong analytic gradient is rejected", "[gradcheck]") {
  const auto wrong = check_function([](const std::vector<double>& v) { return v[0] * v[0] * v[0]; }, {2.0},
                                    {2 * 2.0 * 2.0});  // 2x² instead of 3x²
  CHECK(wrong.verdict == CheckVerdict::fail);
  CHECK_FALSE(wrong.passed());
  CHECK(wrong.failed == 1);
  CHECK(wrong.elements[0].rel_error == Approx(1.0 / 3).epsilon(1e-6));
  CHECK_THAT(wrong.summary(), Catch::Contains("fail") && Catch::Contains("x(0, 0)"));
}

TEST_CASE("a dense layer with a wrong backward is rejected", "[gradcheck]") {
  Rng rng(3);
  const Matrix X = Matrix::uniform(4, 3, rng, -1, 1);
  SECTION("dW off by 1%") {
    BrokenDense layer(Dense(3, 2, rng), BrokenDense::Bug::scaled_dW);
    const auto report = check_layer(layer, X, rng);
    CHECK(report.verdict == CheckVerdict::fail);
    CHECK(report.failed == 6);  // every W element, and only those
    for (const auto& e : report.elements) CHECK((e.verdict == ElementVerdict::fail) == (e.tensor == "W"));
  }
  SECTION("dW transposed (a square W, so the shapes still fit)") {
    BrokenDense layer(Dense(3, 3, rng), BrokenDense::Bug::transposed_dW);
    const auto report = check_layer(layer, X, rng);
    CHECK(report.verdict == CheckVerdict::fail);
    CHECK(report.failed >= 6);  // the off-diagonal elements
  }
  SECTION("db never accumulated") {
    BrokenDense layer(Dense(3, 2, rng), BrokenDense::Bug::no_db);
    const auto report = check_layer(layer, X, rng);
    CHECK(report.verdict == CheckVerdict::fail);
    CHECK(report.failed == 2);
  }
}

TEST_CASE("a check where every gradient is ~0 is refused as vacuous", "[gradcheck]") {
  const auto flat = check_function([](const std::vector<double>&) { return 4.0; }, {1.0, 2.0}, {0.0, 0.0});
  CHECK(flat.verdict == CheckVerdict::vacuous);
  CHECK_FALSE(flat.passed());
  CHECK(flat.zeros == 2);
  CHECK_THAT(flat.summary(), Catch::Contains("vacuous"));

  // A ReLU whose inputs are all negative passes no gradient at all.
  Activation<ReLU> relu(3);
  Rng rng(1);
  const auto dead = check_layer(relu, Matrix{{-1, -2, -3}, {-0.5, -4, -1}}, rng);
  CHECK(dead.verdict == CheckVerdict::vacuous);
  CHECK_FALSE(dead.passed());
}

TEST_CASE("a perturbation that crosses a ReLU kink is flagged, not failed", "[gradcheck]") {
  Activation<ReLU> relu(3);
  Rng rng(2);
  const Matrix X{{1e-7, 0.8, -0.6}};  // the first input is closer to 0 than h = 1e-5
  const auto report = check_layer(relu, X, rng);
  INFO(report.summary());
  REQUIRE(report.elements.size() == 3);
  CHECK(report.elements[0].kink);
  CHECK(report.elements[0].verdict == ElementVerdict::kink);
  CHECK(report.elements[0].rel_error > 0.4);  // the difference straddles the kink: neither side's slope
  CHECK_FALSE(report.elements[1].kink);
  CHECK(report.kinks == 1);
  CHECK(report.passed());

  // Without the layers' kink signatures the same element fails.
  Matrix input = X;
  relu.forward(input);
  const Matrix R{{0.5, -0.25, 1}};
  const Matrix analytic = relu.backward(R);
  const auto blind = check_gradients("relu, no signature", {{"input", &input, analytic}},
                                     [&] { return dot(R, relu.forward(input)); }, nullptr, GradCheckOptions{});
  CHECK(blind.verdict == CheckVerdict::fail);
}

TEST_CASE("large matrices are sampled, vectors are always checked in full", "[gradcheck]") {
  Rng rng(4);
  Dense layer(30, 20, rng);
  GradCheckOptions options;
  options.max_elements = 25;
  options.seed = 9;
  const auto report = check_layer(layer, Matrix::uniform(2, 30, rng, -1, 1), rng, options);
  std::size_t w = 0, b = 0;
  for (const auto& e : report.elements) {
    w += e.tensor == "W";
    b += e.tensor == "b";
  }
  CHECK(w == 25);
  CHECK(b == 20);
  CHECK(report.verdict == CheckVerdict::good);
}

TEST_CASE("parameters are restored exactly after a check", "[gradcheck]") {
  Rng rng(5);
  Dense layer(3, 2, rng);
  const Matrix W = layer.W, b = layer.b;
  check_layer(layer, Matrix::uniform(2, 3, rng, -1, 1), rng);
  CHECK(layer.W == W);
  CHECK(layer.b == b);
}

TEST_CASE("the report as a JSON event and as a table", "[gradcheck]") {
  const auto report = check_function([](const std::vector<double>& v) { return v[0] * v[1]; }, {2.0, 3.0}, {3.0, 2.0});
  const Json event = report.to_json();
  CHECK(event["event"] == "gradcheck");
  CHECK(event["verdict"] == "good");
  CHECK(event["counts"]["good"] == 2);
  REQUIRE(event["elements"].size() == 2);
  CHECK(event["elements"][0]["tensor"] == "x");
  CHECK(event["elements"][0]["analytic"] == 3.0);
  CHECK(event["elements"][0]["h"] == 1e-5);
  CHECK(event["elements"][1]["verdict"] == "good");
  const std::string table = report.table().render();
  CHECK_THAT(table, Catch::Contains("rel. error") && Catch::Contains("(1, 0)"));
  CHECK(report.table(/*only_problems=*/true).rows() == 0);
}
