// Tests for glassbox/nn/activations.hpp: closed-form values, numerical stability, the table by name,
// and every activation's backward pass against finite differences.
#include <catch2/catch.hpp>

#include <cmath>

#include "glassbox/nn/activations.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/nn/network.hpp"

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
    const std::string name = entry.name;
    for (std::uint64_t seed : {3, 4, 5}) {
      Rng rng(seed);
      auto layer = entry.make(4, Json::object());
      const GradCheckReport report = check_layer(*layer, away_from_kinks(6, 4, rng), rng);
      INFO(name << ", seed " << seed << ": " << report.summary());
      CHECK(report.failed == 0);
      CHECK(report.kinks == 0);
      if (name == "heaviside" || name == "sign") {
        // flat on both sides of every point checked: the true derivative 0 agrees with the
        // difference quotient 0 everywhere, and a check with nothing to compare is not a pass
        CHECK(report.zeros == report.elements.size());
        CHECK(report.verdict == CheckVerdict::vacuous);
      } else {
        CHECK(report.verdict == CheckVerdict::good);
      }
    }
  }
}

TEST_CASE("activations with settings pass the finite-difference check with non-default settings", "[activations]") {
  const std::vector<std::pair<std::string, Json>> cases = {
      {"leaky_relu", {{"alpha", 0.2}}}, {"leaky_relu", {{"alpha", -0.5}}}, {"prelu", {{"alpha", 0.6}}},
      {"elu", {{"alpha", 0.3}}},        {"softplus", {{"beta", 2.5}}},     {"softplus", {{"beta", 0.5}}},
      {"swish", {{"beta", 1.7}}},       {"swish", {{"beta", 0.0}}},        {"maxout", {{"pieces", 3}}},
      {"maxout", {{"pieces", 5}}}};
  for (const auto& [name, options] : cases) {
    Rng rng(11);
    auto layer = make_activation(name, 5, options);
    const GradCheckReport report = check_layer(*layer, away_from_kinks(7, 5, rng), rng);
    INFO(layer->describe() << ": " << report.summary());
    CHECK(report.verdict == CheckVerdict::good);
  }
}

TEST_CASE("every activation is finite, with a finite gradient, at z = ±1000 and z = 0", "[activations]") {
  const Matrix Z{{-1000, -40, 0, 40, 1000}};
  for (const ActivationEntry& entry : activation_table()) {
    auto layer = entry.make(5, Json::object());
    const Matrix A = layer->forward(Z);
    const Matrix dZ = layer->backward(Matrix(1, 5, 1.0));
    INFO(entry.name << ": a = " << to_string(A) << ", dL/dz = " << to_string(dZ));
    CHECK(all_finite(A));
    CHECK(all_finite(dZ));
  }
}

TEST_CASE("the table names the activations and rejects unknown names and options", "[activations]") {
  const auto names = activation_names();
  CHECK(names == std::vector<std::string>{"identity", "heaviside", "sign", "sigmoid", "tanh", "relu", "leaky_relu",
                                          "prelu", "elu", "selu", "softplus", "swish", "silu", "maxout", "softmax"});
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

// ---- the catalogue: pinned values -----------------------------------------------------------------

TEST_CASE("SELU uses the published constants: SELU(1) = λ", "[activations]") {
  CHECK(SELU::lambda == 1.0507009873554805);  // λ = 1.0507009873554804934… as the nearest double
  CHECK(SELU::alpha == 1.6732632423543772);   // α = 1.6732632423543772848…
  CHECK(SELU{}.value(1) == 1.0507009873554805);
  CHECK(SELU{}.value(0) == 0);
  // SELU(−1) = λα(e^(−1) − 1)
  CHECK(SELU{}.value(-1) == Approx(1.0507009873554805 * 1.6732632423543772 * (std::exp(-1.0) - 1)).epsilon(1e-15));
  CHECK(SELU{}.gradient(2, SELU{}.value(2)) == 1.0507009873554805);
  CHECK(SELU{}.gradient(-1, 0) == Approx(1.0507009873554805 * 1.6732632423543772 * std::exp(-1.0)).epsilon(1e-15));
  // saturates at −λα
  CHECK(SELU{}.value(-1000) == Approx(-1.0507009873554805 * 1.6732632423543772).epsilon(1e-15));
}

TEST_CASE("softplus is ln(1 + e^z), computed stably at both ends", "[activations]") {
  const Softplus sp;
  CHECK(sp.value(0) == Approx(0.6931471805599453).epsilon(1e-16));  // ln 2
  CHECK(sp.gradient(0, sp.value(0)) == 0.5);
  CHECK(sp.value(1) == Approx(std::log1p(std::exp(1.0))).epsilon(1e-15));
  CHECK(sp.value(-3) == Approx(std::log1p(std::exp(-3.0))).epsilon(1e-15));
  // ln(1 + e^1000) overflows when written naively; the stable form gives 1000 exactly
  CHECK(std::isinf(std::log(1 + std::exp(1000.0))));
  CHECK(sp.value(1000) == 1000);
  // ln(1 + e^(−40)) rounds to 0 when written naively; the stable form keeps e^(−40)
  CHECK(std::log(1 + std::exp(-40.0)) == 0);
  CHECK(sp.value(-40) == Approx(std::exp(-40.0)).epsilon(1e-14));
  CHECK(sp.value(-1000) == 0);
  // the course notes' ln(1 − e^(−z)) is not softplus: it is −∞ at 0 and undefined below
  CHECK(std::isinf(std::log(1 - std::exp(-0.0))));
  // β: (1/β) ln(1 + e^(βz))
  CHECK(Softplus{2}.value(0) == Approx(0.6931471805599453 / 2).epsilon(1e-15));
  CHECK(Softplus{2}.gradient(1, 0) == Approx(1 / (1 + std::exp(-2.0))).epsilon(1e-15));
}

TEST_CASE("leaky ReLU, ELU, swish and SiLU at chosen points", "[activations]") {
  CHECK(LeakyReLU{}.value(-2) == -0.02);
  CHECK(LeakyReLU{}.value(3) == 3);
  CHECK(LeakyReLU{}.gradient(-2, -0.02) == 0.01);
  CHECK(LeakyReLU{}.gradient(0, 0) == 0.01);  // the left piece at the kink, as ReLU'(0) = 0
  CHECK(ELU{}.value(2) == 2);
  CHECK(ELU{}.value(-1) == Approx(std::exp(-1.0) - 1).epsilon(1e-15));
  CHECK(ELU{}.gradient(-1, ELU{}.value(-1)) == Approx(std::exp(-1.0)).epsilon(1e-15));
  CHECK(ELU{0.5}.value(-1000) == -0.5);
  CHECK(ELU{}.value(-1e-20) == Approx(-1e-20).epsilon(1e-12));  // expm1: no cancellation near 0
  const double s1 = 1 / (1 + std::exp(-1.0));
  CHECK(Swish{}.value(1) == Approx(s1).epsilon(1e-15));
  CHECK(SiLU{}.value(1) == Swish{}.value(1));
  CHECK(SiLU{}.value(-1) == Approx(-(1 - s1)).epsilon(1e-15));
  // swish'(z) = σ(z) + z·σ(z)(1 − σ(z))
  CHECK(Swish{}.gradient(1, Swish{}.value(1)) == Approx(s1 + s1 * (1 - s1)).epsilon(1e-15));
  CHECK(Swish{0}.value(3) == 1.5);  // β = 0: z/2
  CHECK(Swish{2}.value(1) == Approx(1 / (1 + std::exp(-2.0))).epsilon(1e-15));
}

TEST_CASE("the Heaviside step and sign: H(0) = 1, sign(0) = 0, and no gradient unless straight-through",
          "[activations]") {
  CHECK(HeavisideStep{}.value(0) == 1);
  CHECK(HeavisideStep{}.value(-1e-300) == 0);
  CHECK(HeavisideStep{}.value(5) == 1);
  CHECK(HeavisideStep{}.gradient(0.5, 1) == 0);
  CHECK(HeavisideStep{true}.gradient(0.5, 1) == 1);
  CHECK(Sign{}.value(0) == 0);
  CHECK(Sign{}.value(-3) == -1);
  CHECK(Sign{}.value(2) == 1);
  CHECK(Sign{}.gradient(2, 1) == 0);
  CHECK(Sign{true}.gradient(2, 1) == 1);

  const auto step = make_activation("heaviside", 3, Json{{"straight_through", true}});
  CHECK(step->describe() == "heaviside(straight-through)");
  CHECK(step->forward(Matrix{{-1, 0, 2}}) == Matrix{{0, 1, 1}});
  CHECK(step->backward(Matrix{{0.5, -2, 3}}) == Matrix{{0.5, -2, 3}});  // passed straight through
  const auto flat = make_activation("heaviside", 3);
  flat->forward(Matrix{{-1, 0, 2}});
  CHECK(flat->backward(Matrix{{0.5, -2, 3}}) == Matrix(1, 3));
  CHECK_THROWS_WITH(make_activation("sign", 2, Json{{"straight_through", 1}}),
                    Catch::Contains("straight_through") && Catch::Contains("true or false"));
}

TEST_CASE("the straight-through gradient is a substitute, not the derivative: the checker fails it", "[activations]") {
  for (const char* name : {"heaviside", "sign"}) {
    Rng rng(6);
    auto layer = make_activation(name, 3, Json{{"straight_through", true}});
    const GradCheckReport report = check_layer(*layer, away_from_kinks(4, 3, rng), rng);
    INFO(report.summary());
    CHECK(report.verdict == CheckVerdict::fail);
    CHECK(report.failed == report.elements.size());
  }
}

TEST_CASE("activations describe themselves with their settings", "[activations]") {
  CHECK(make_activation("leaky_relu", 2)->describe() == "leaky_relu(α=0.01)");
  CHECK(make_activation("leaky_relu", 2, Json{{"alpha", 0.2}})->describe() == "leaky_relu(α=0.2)");
  CHECK(make_activation("elu", 2)->describe() == "elu(α=1)");
  CHECK(make_activation("selu", 2)->describe() == "selu");
  CHECK(make_activation("softplus", 2)->describe() == "softplus(β=1)");
  CHECK(make_activation("swish", 2, Json{{"beta", 2}})->describe() == "swish(β=2)");
  CHECK(make_activation("silu", 2)->describe() == "silu");
  CHECK(make_activation("prelu", 2)->describe() == "prelu");
  CHECK(make_activation("maxout", 2)->describe() == "maxout(k=2)");
  CHECK(make_activation("maxout", 2, Json{{"pieces", 4}})->describe() == "maxout(k=4)");
  CHECK_THROWS_WITH(make_activation("softplus", 2, Json{{"beta", 0}}), Catch::Contains("beta"));
  CHECK_THROWS_WITH(make_activation("elu", 2, Json{{"beta", 1}}), Catch::Contains("elu") && Catch::Contains("alpha"));
  CHECK_THROWS_WITH(make_activation("selu", 2, Json{{"alpha", 1}}), Catch::Contains("selu"));
  CHECK_THROWS_WITH(make_activation("maxout", 2, Json{{"pieces", 1}}), Catch::Contains("pieces"));
  CHECK_THROWS_WITH(make_activation("maxout", 2, Json{{"pieces", 2.5}}), Catch::Contains("pieces"));
  CHECK_THROWS_WITH(make_activation("prelu", 2, Json{{"alpha", "x"}}), Catch::Contains("prelu"));
}

// ---- the learned activations --------------------------------------------------------------------

TEST_CASE("PReLU learns one slope per unit: forward, backward and dL/dα by hand", "[activations]") {
  PReLU layer(2, 0.25);
  CHECK(layer.parameter_count() == 2);
  layer.alpha = Matrix{{0.25, 0.5}};
  CHECK(layer.forward(Matrix{{-2, 3}, {4, -1}}) == Matrix{{-0.5, 3}, {4, -0.5}});
  const Matrix dZ = layer.backward(Matrix{{1, 1}, {2, 3}});
  CHECK(dZ == Matrix{{0.25, 1}, {2, 1.5}});
  // dL/dα_j = Σ over z ≤ 0 of dL/da·z: unit 0: 1·(−2); unit 1: 3·(−1)
  CHECK(layer.dalpha == Matrix{{-2, -3}});
  layer.backward(Matrix{{1, 1}, {2, 3}});  // gradients accumulate
  CHECK(layer.dalpha == Matrix{{-4, -6}});
  layer.zero_grad();
  CHECK(layer.dalpha == Matrix(1, 2));

  std::vector<std::int8_t> signature;
  layer.kink_signature(signature);
  CHECK(signature == std::vector<std::int8_t>{0, 1, 1, 0});
}

TEST_CASE("PReLU in a network: its α is a parameter named by position and passes the check", "[activations]") {
  Rng rng(2);
  Network net;
  net.dense(3, 4, rng).activation("prelu", Json{{"alpha", 0.1}}).dense(4, 1, rng);
  CHECK(net.describe() == "Dense(3→4, prelu) → Dense(4→1)");
  CHECK(net.parameter("layers[1].alpha").value == Matrix(1, 4, 0.1));
  const Matrix X = Matrix::uniform(10, 3, rng, -2, 2);
  const Matrix T = Matrix::uniform(10, 1, rng, -1, 1);
  const GradCheckReport report = check_network(net, MeanSquaredError(), X, T);
  INFO(report.summary());
  CHECK(report.passed());
  CHECK(report.kinks == 0);
}

TEST_CASE("maxout: the largest of k affine pieces, and the gradient flows only through the winner", "[activations]") {
  // one input, one unit, pieces z and −z: maxout computes |x|
  Maxout layer(Matrix{{1}, {-1}}, Matrix{{0, 0}}, 2);
  CHECK(layer.describe() == "maxout(k=2)");
  CHECK(layer.forward(Matrix{{-3}, {2}}) == Matrix{{3}, {2}});
  CHECK(layer.winner == std::vector<std::uint32_t>{1, 0});
  const Matrix dX = layer.backward(Matrix{{1}, {1}});
  // piece 0 won for x = 2, piece 1 for x = −3: dL/dW = dZpᵀ·X
  CHECK(layer.affine.dW == Matrix{{2}, {-3}});
  CHECK(layer.affine.db == Matrix{{1, 1}});
  CHECK(dX == Matrix{{-1}, {1}});  // d|x|/dx = sign(x)
  std::vector<std::int8_t> signature;
  layer.kink_signature(signature);
  CHECK(signature == std::vector<std::int8_t>{1, 0});

  CHECK_THROWS_AS(Maxout(Matrix(3, 2), Matrix(1, 3), 2), ShapeError);  // 3 rows are not 2 pieces × units
  CHECK_THROWS_AS(Maxout(Matrix(4, 2), Matrix(1, 3), 2), ShapeError);
  CHECK_THROWS_AS(Maxout(2, 1), ShapeError);  // one piece is no maxout
}

TEST_CASE("maxout from the table starts as tangents of softplus, every piece in use", "[activations]") {
  for (std::size_t k : {2, 3, 5}) {
    Maxout layer(1, k);
    // at each tangent point t_p the unit equals softplus; between them it lies below (tangents of a
    // convex function)
    for (std::size_t p = 0; p < k; ++p) {
      const double t = -2 + 4.0 * static_cast<double>(p) / static_cast<double>(k - 1);
      CHECK(layer.forward(Matrix{{t}})(0, 0) == Approx(Softplus{}.value(t)).epsilon(1e-14));
      CHECK(layer.winner[0] == p);
    }
    for (double z = -4; z <= 4; z += 0.125) CHECK(layer.forward(Matrix{{z}})(0, 0) <= Softplus{}.value(z) + 1e-15);
  }
}

TEST_CASE("maxout with its own width and random pieces passes the finite-difference check", "[activations]") {
  Rng rng(21);
  Maxout layer(4, 3, 3, rng);
  CHECK(layer.describe() == "maxout(4→3, k=3)");
  CHECK(layer.affine.W.shape() == "(9×4)");
  CHECK(layer.parameter_count() == 9 * 4 + 9);
  const GradCheckReport report = check_layer(layer, Matrix::uniform(6, 4, rng, -2, 2), rng);
  INFO(report.summary());
  CHECK(report.verdict == CheckVerdict::good);

  Network net;
  net.add(std::make_unique<Maxout>(2, 5, 2, rng)).dense(5, 1, rng);
  CHECK(net.describe() == "maxout(2→5, k=2) → Dense(5→1)");
  std::vector<std::string> names;
  for (const ParameterRef& p : net.parameters()) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"layers[0].W_pieces", "layers[0].b_pieces", "layers[1].W", "layers[1].b"});
  const GradCheckReport net_report =
      check_network(net, MeanSquaredError(), Matrix::uniform(8, 2, rng, -1, 1), Matrix::uniform(8, 1, rng, -1, 1));
  INFO(net_report.summary());
  CHECK(net_report.passed());
}

TEST_CASE("every activation builds by name with default options inside a network", "[activations]") {
  for (const std::string& name : activation_names()) {
    Rng rng(5);
    Network net;
    net.dense(3, 4, rng).activation(name).dense(4, 2, rng);
    const Matrix Y = net.forward(Matrix::uniform(5, 3, rng, -1, 1));
    INFO(name);
    CHECK(Y.shape() == "(5×2)");
    CHECK(all_finite(Y));
    CHECK(net.describe().find(net.layer(1).describe()) != std::string::npos);
  }
}

TEST_CASE("an unknown activation's long name is shortened in the message", "[activations]") {
  CHECK_THROWS_WITH(make_activation(std::string(100000, 'a'), 1),
                    Catch::StartsWith("unknown activation \"" + std::string(40, 'a') + "…\" (known: "));
}
