// Tests for glassbox/activations.hpp: closed-form values, numerical stability, the table by name,
// and every activation's backward pass against finite differences.
#include <catch2/catch.hpp>

#include <cmath>

#include "glassbox/activations.hpp"
#include "glassbox/gradcheck.hpp"

using namespace glassbox;

namespace {

// Uniform in (−2, 2), every element at least 0.1 away from 0 (the kink of ReLU-like functions).
Matrix away_from_kinks(std::size_t rows, std::size_t cols, Rng& rng) {
  Matrix m = Matrix::uniform(rows, cols, rng, -2, 2);
  for (Scalar& z : m)
    if (std::abs(z) < 0.1) z = z < 0 ? z - 0.1 : z + 0.1;
  return m;
}

// A function with a setting, written the way the catalogue's activations are.
struct Leaky {
  static constexpr const char* name = "leaky";
  Scalar alpha = 0.01;
  Scalar value(Scalar z) const { return z > 0 ? z : alpha * z; }
  Scalar gradient(Scalar z, Scalar) const { return z > 0 ? Scalar{1} : alpha; }
  std::int8_t piece(Scalar z) const { return z > 0 ? 1 : 0; }
  std::string describe() const { return "leaky(α=" + std::to_string(alpha).substr(0, 4) + ")"; }
  static Leaky from_options(const Json& options) {
    require_known_options(options, name, {"alpha"});
    return Leaky{number_option(options, name, "alpha", 0.01)};
  }
};

}  // namespace

TEST_CASE("closed-form values and derivatives", "[activations]") {
  CHECK(Sigmoid{}.value(0) == 0.5);
  CHECK(Sigmoid{}.gradient(0, 0.5) == 0.25);
  CHECK(Sigmoid{}.value(2) == Approx(1 / (1 + std::exp(-2.0))));
  CHECK(Tanh{}.value(0) == 0);
  CHECK(Tanh{}.gradient(0, 0) == 1);
  CHECK(Tanh{}.gradient(1, std::tanh(1.0)) == Approx(1 / std::pow(std::cosh(1.0), 2)));
  CHECK(ReLU{}.value(-1) == 0);
  CHECK(ReLU{}.value(2) == 2);
  CHECK(ReLU{}.gradient(3, 3) == 1);
  CHECK(ReLU{}.gradient(-3, 0) == 0);
  CHECK(ReLU{}.gradient(0, 0) == 0);  // ReLU'(0) is taken as 0
  CHECK(Identity{}.value(-7) == -7);
  CHECK(Identity{}.gradient(-7, -7) == 1);
}

TEST_CASE("sigmoid saturates to exactly 0 and 1 without NaN", "[activations]") {
  CHECK(Sigmoid{}.value(-1000) == 0);
  CHECK(Sigmoid{}.value(1000) == 1);
  CHECK(Sigmoid{}.gradient(1000, 1) == 0);
}

TEST_CASE("softmax: rows sum to 1, large logits stay finite, a shift changes nothing", "[activations]") {
  const Matrix Y = softmax(Matrix{{1, 2, 3}, {0, 0, 0}});
  const double e1 = std::exp(1.0), e2 = std::exp(2.0), e3 = std::exp(3.0), s = e1 + e2 + e3;
  CHECK(Y(0, 0) == Approx(e1 / s));
  CHECK(Y(0, 2) == Approx(e3 / s));
  CHECK(Y(1, 1) == Approx(1.0 / 3));
  for (std::size_t n = 0; n < Y.rows(); ++n) CHECK(sum(Y.row(n)) == Approx(1.0));

  const Matrix big = softmax(Matrix{{1000, 0}});
  CHECK(all_finite(big));
  CHECK(big(0, 0) == 1);
  CHECK(big(0, 1) == Approx(0).margin(1e-300));
  CHECK(max_abs_diff(softmax(Matrix{{101, 102, 103}}), Y.row(0)) < 1e-15);
}

TEST_CASE("softmax backward is the Jacobian-vector product", "[activations]") {
  Softmax layer(3);
  const Matrix Y = layer.forward(Matrix{{0.3, -1.2, 2.0}});
  const Matrix dY{{0.5, -1, 2}};
  const Matrix dZ = layer.backward(dY);
  // J(i, j) = y_i(δ_ij − y_j); dL/dz_j = Σ_i dL/dy_i · J(i, j)
  for (std::size_t j = 0; j < 3; ++j) {
    double expected = 0;
    for (std::size_t i = 0; i < 3; ++i) expected += dY(0, i) * Y(0, i) * ((i == j ? 1.0 : 0.0) - Y(0, j));
    CHECK(dZ(0, j) == Approx(expected).epsilon(1e-14));
  }
}

TEST_CASE("every activation in the table passes the finite-difference check", "[activations]") {
  for (const ActivationEntry& entry : activation_table()) {
    Rng rng(3);
    auto layer = entry.make(4, Json::object());
    const GradCheckReport report = check_layer(*layer, away_from_kinks(6, 4, rng), rng);
    INFO(entry.name << ": " << report.summary());
    CHECK(report.verdict == CheckVerdict::good);
    CHECK(report.kinks == 0);
  }
}

TEST_CASE("the table names the activations and rejects unknown names and options", "[activations]") {
  const auto names = activation_names();
  CHECK(names == std::vector<std::string>{"identity", "sigmoid", "tanh", "relu", "softmax"});
  const auto relu = make_activation("relu", 3);
  CHECK(relu->describe() == "relu");
  CHECK(relu->is_activation());
  CHECK(relu->output_width() == 3);
  CHECK(relu->parameter_count() == 0);
  CHECK_THROWS_WITH(make_activation("relux", 3), Catch::Contains("relux") && Catch::Contains("sigmoid"));
  CHECK_THROWS_AS(make_activation("relu", 3, Json{{"alpha", 0.1}}), InputError);
  CHECK_THROWS_AS(make_activation("softmax", 3, Json{{"axis", 0}}), InputError);
}

TEST_CASE("an element-wise function with a setting becomes a layer", "[activations]") {
  const auto layer = make_elementwise<Leaky>(3, Json{{"alpha", 0.2}});
  CHECK(layer->describe() == "leaky(α=0.20)");
  CHECK(layer->forward(Matrix{{-1, 0, 2}}) == Matrix{{-0.2, 0, 2}});
  CHECK(make_elementwise<Leaky>(3, Json::object())->describe() == "leaky(α=0.01)");
  CHECK_THROWS_WITH(make_elementwise<Leaky>(3, Json{{"beta", 1}}), Catch::Contains("beta"));
  CHECK_THROWS_WITH(make_elementwise<Leaky>(3, Json{{"alpha", "big"}}), Catch::Contains("alpha"));

  Rng rng(8);
  const GradCheckReport report = check_layer(*layer, away_from_kinks(4, 3, rng), rng);
  INFO(report.summary());
  CHECK(report.verdict == CheckVerdict::good);
}

TEST_CASE("piecewise activations report which piece each input fell on", "[activations]") {
  Activation<ReLU> relu(3);
  relu.forward(Matrix{{-1, 0, 2}});
  std::vector<std::int8_t> signature;
  relu.kink_signature(signature);
  CHECK(signature == std::vector<std::int8_t>{0, 0, 1});

  Activation<Sigmoid> smooth(3);
  smooth.forward(Matrix{{-1, 0, 2}});
  signature.clear();
  smooth.kink_signature(signature);
  CHECK(signature.empty());
}

TEST_CASE("activation layers check their shapes", "[activations]") {
  Activation<Tanh> tanh_layer(3);
  CHECK_THROWS_WITH(tanh_layer.forward(Matrix(2, 4)), Catch::Contains("tanh") && Catch::Contains("(2×4)"));
  tanh_layer.forward(Matrix(2, 3));
  CHECK_THROWS_AS(tanh_layer.backward(Matrix(3, 3)), ShapeError);
  Softmax sm(2);
  CHECK_THROWS_AS(sm.backward(Matrix(1, 2)), ShapeError);
}
