// Tests for glassbox/nn/initializers.hpp: fans as PyTorch defines them, every scheme's sample variance
// against its formula for a large layer and a fixed seed (within 5 standard errors of the sample
// variance for that many draws), biases, settings, and why constant
// initialization fails (hidden units stay identical).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "glassbox/nn/initializers.hpp"
#include "glassbox/nn/losses.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/optimizers.hpp"
#include "glassbox/train/train.hpp"

using namespace glassbox;

namespace {

// A large layer: W is (out×in) = (300×500), so fan_in = 500, fan_out = 300; 150 000 samples.
constexpr std::size_t kIn = 500, kOut = 300;

struct Drawn {
  Matrix W{kOut, kIn};
  Matrix b{1, kOut};
};

Drawn draw(std::string_view name, const Json& options = Json::object(), std::uint64_t seed = 42) {
  Drawn d;
  Rng rng(seed);
  make_initializer(name, options)(d.W, d.b, rng);
  return d;
}

double sample_mean(const Matrix& m) { return static_cast<double>(mean(m)); }

double sample_variance(const Matrix& m) {
  const double mu = sample_mean(m);
  double s = 0;
  for (Scalar x : m) s += (x - mu) * (x - mu);
  return s / static_cast<double>(m.size() - 1);
}

// The tolerance comes from the sample size. For n independent draws with variance σ² and kurtosis
// κ (3 for a normal, 9/5 for a uniform), the sample variance s² has standard error
//   SE(s²) = σ²·√(2/(n − 1) + (κ − 3)/n)      — 0.37% of σ² (normal), 0.23% (uniform) for n = 150 000
// and the sample mean SE = σ/√n. Both are held to 5 standard errors: a correct formula fails with
// probability under 10⁻⁶, a wrong one (a factor 2 or 3, a fan swapped) by hundreds of SEs.
double kurtosis(Distribution d) { return d == Distribution::uniform ? 9.0 / 5.0 : 3.0; }

double variance_standard_error(double n, Distribution distribution, double variance) {
  return variance * std::sqrt(2.0 / (n - 1) + (kurtosis(distribution) - 3.0) / n);
}

// Whether W's sample variance is within 5 standard errors of `variance`.
bool variance_matches(const Matrix& W, Distribution distribution, double variance) {
  const double n = static_cast<double>(W.size());
  return std::abs(sample_variance(W) - variance) < 5 * variance_standard_error(n, distribution, variance);
}

void check_draws(const Matrix& W, Distribution distribution, double expected_variance, double expected_mean = 0) {
  const double n = static_cast<double>(W.size());
  const double se_mean = std::sqrt(expected_variance / n);
  INFO("sample variance " << sample_variance(W) << ", expected " << expected_variance << " ± "
                          << variance_standard_error(n, distribution, expected_variance)
                          << " (one standard error); sample mean " << sample_mean(W) << ", expected "
                          << expected_mean << " ± " << se_mean);
  CHECK(variance_matches(W, distribution, expected_variance));
  CHECK(std::abs(sample_mean(W) - expected_mean) < 5 * se_mean);
}

void check_normal_variance(const Matrix& W, double expected) { check_draws(W, Distribution::normal, expected); }
void check_uniform_variance(const Matrix& W, double expected) { check_draws(W, Distribution::uniform, expected); }

}  // namespace

TEST_CASE("fans of a dense layer: fan_in = in = W.cols(), fan_out = out = W.rows()", "[initializers]") {
  const Fans f = fans_of(Matrix(3, 7));  // W of Dense(7→3)
  CHECK(f.fan_in == 7);
  CHECK(f.fan_out == 3);
  // He's default mode divides by fan_in; mode fan_out by the units
  const InitScheme in = make_init_rule("he_normal")(Fans{8, 2});
  const InitScheme out = make_init_rule("he_normal", Json{{"mode", "fan_out"}})(Fans{8, 2});
  CHECK(in.weights.variance() == Approx(2.0 / 8).epsilon(1e-15));
  CHECK(out.weights.variance() == Approx(2.0 / 2).epsilon(1e-15));
  CHECK(make_init_rule("glorot_uniform")(Fans{8, 2}).weights.variance() == Approx(2.0 / 10).epsilon(1e-15));
}

TEST_CASE("Glorot/Xavier: sample variances match 2/(fan_in + fan_out) for a fixed seed", "[initializers]") {
  const double var = 2.0 / (kIn + kOut);
  const Drawn u = draw("glorot_uniform");
  check_uniform_variance(u.W, var);
  const double a = std::sqrt(6.0 / (kIn + kOut));
  CHECK(max(u.W) <= a);
  CHECK(min(u.W) >= -a);
  CHECK(max(u.W) > 0.99 * a);  // the bound is reached, not a narrower one
  const Drawn n = draw("glorot_normal");
  check_normal_variance(n.W, var);
  // the tolerance tells the fans apart: LeCun's 1/fan_in is 20% below, about 70 standard errors
  CHECK_FALSE(variance_matches(n.W, Distribution::normal, 1.0 / kIn));
  CHECK_FALSE(variance_matches(u.W, Distribution::uniform, 2.0 / kIn));  // nor is it He's
  check_normal_variance(draw("glorot_normal", Json{{"gain", 5.0 / 3}}).W, 25.0 / 9 * var);  // PyTorch's gain for tanh
}

TEST_CASE("He/Kaiming: sample variances match 2/fan_in (PyTorch's default mode) or 2/fan_out", "[initializers]") {
  check_uniform_variance(draw("he_uniform").W, 2.0 / kIn);
  check_normal_variance(draw("he_normal").W, 2.0 / kIn);
  check_normal_variance(draw("he_normal", Json{{"mode", "fan_out"}}).W, 2.0 / kOut);
  check_uniform_variance(draw("he_uniform", Json{{"gain", 1.0}}).W, 1.0 / kIn);
  const Drawn u = draw("he_uniform");
  CHECK(max(u.W) <= std::sqrt(6.0 / kIn));
}

TEST_CASE("LeCun: sample variances match 1/fan_in", "[initializers]") {
  check_normal_variance(draw("lecun_normal").W, 1.0 / kIn);
  check_uniform_variance(draw("lecun_uniform").W, 1.0 / kIn);
}

TEST_CASE("uniform and normal with a given scale", "[initializers]") {
  check_uniform_variance(draw("uniform", Json{{"scale", 0.3}}).W, 0.09 / 3);
  check_uniform_variance(draw("uniform").W, 0.05 * 0.05 / 3);  // Keras's RandomUniform default ±0.05
  check_normal_variance(draw("normal", Json{{"stddev", 0.2}}).W, 0.04);
  check_draws(draw("normal", Json{{"stddev", 1.0}, {"mean", 3.0}}).W, Distribution::normal, 1.0, 3.0);
}

TEST_CASE("zeros and constants", "[initializers]") {
  const Drawn z = draw("zeros");
  CHECK(z.W == Matrix(kOut, kIn));
  CHECK(z.b == Matrix(1, kOut));
  const Drawn c = draw("constant", Json{{"value", 0.5}, {"bias", -1.0}});
  CHECK(c.W == Matrix(kOut, kIn, 0.5));
  CHECK(c.b == Matrix(1, kOut, -1.0));
  CHECK(make_init_rule("constant", Json{{"value", 2}})(Fans{3, 3}).weights.variance() == 0);
}

TEST_CASE("biases are zero except for PyTorch's nn.Linear default, which uniform_fan_in reproduces exactly",
          "[initializers]") {
  for (const std::string& name : initializer_names()) {
    if (name == "uniform_fan_in" || name == "constant") continue;
    INFO(name);
    CHECK(draw(name).b == Matrix(1, kOut));
  }
  Matrix W1(4, 6), b1(1, 4), W2(4, 6), b2(1, 4);
  Rng r1(9), r2(9);
  make_initializer("uniform_fan_in")(W1, b1, r1);
  init_uniform_fan_in(W2, b2, r2);
  CHECK(W1 == W2);
  CHECK(b1 == b2);
  const Drawn d = draw("uniform_fan_in");
  check_uniform_variance(d.W, 1.0 / (3.0 * kIn));
  CHECK(max(d.b) <= 1 / std::sqrt(double(kIn)));
  CHECK(max(d.b) > 0);
}

TEST_CASE("the same seed gives the same weights, and each scheme reports its formula's variance", "[initializers]") {
  CHECK(draw("he_normal", Json::object(), 5).W == draw("he_normal", Json::object(), 5).W);
  CHECK_FALSE(draw("he_normal", Json::object(), 5).W == draw("he_normal", Json::object(), 6).W);
  CHECK((Draw{Distribution::uniform, 0, 3}).variance() == 3.0);
  CHECK((Draw{Distribution::normal, 1, 2}).variance() == 4.0);
  CHECK((Draw{Distribution::constant, 7, 0}).variance() == 0.0);
}

TEST_CASE("the table names the initializers and rejects unknown names and settings", "[initializers]") {
  CHECK(initializer_names() == std::vector<std::string>{"zeros", "constant", "uniform", "normal", "glorot_uniform",
                                                        "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
                                                        "lecun_normal", "uniform_fan_in"});
  CHECK_THROWS_WITH(make_initializer("xavier"), Catch::Contains("xavier") && Catch::Contains("glorot_uniform"));
  CHECK_THROWS_WITH(make_initializer("he_normal", Json{{"mode", "fan_avg"}}),
                    Catch::Contains("he_normal") && Catch::Contains("mode") && Catch::Contains("fan_out"));
  CHECK_THROWS_WITH(make_initializer("glorot_normal", Json{{"scale", 1}}),
                    Catch::Contains("glorot_normal") && Catch::Contains("gain"));
  CHECK_THROWS_WITH(make_initializer("lecun_normal", Json{{"gain", 1}}), Catch::Contains("takes no options"));
  CHECK_THROWS_WITH(make_initializer("normal", Json{{"stddev", -1}}), Catch::Contains("stddev"));
  CHECK_THROWS_AS(make_initializer("uniform", Json::array()), InputError);
}

TEST_CASE("constant initialization keeps hidden units identical through training, a random one breaks the tie",
          "[initializers]") {
  Rng data(3);
  const Matrix X = Matrix::uniform(16, 2, data, -1, 1);
  const Matrix T = Matrix::uniform(16, 1, data, -1, 1);
  // how many distinct rows the hidden layer's W has: one means every unit computes the same thing
  auto distinct_units = [](const Matrix& W) {
    std::vector<std::vector<Scalar>> rows;
    for (std::size_t j = 0; j < W.rows(); ++j) {
      std::vector<Scalar> row(W.row_ptr(j), W.row_ptr(j) + W.cols());
      if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
    }
    return rows.size();
  };
  for (const auto& [name, options] : std::vector<std::pair<std::string, Json>>{
           {"zeros", Json::object()}, {"constant", Json{{"value", 0.3}}}, {"glorot_uniform", Json::object()}}) {
    Rng rng(1);
    Network net;
    net.dense(2, 6, rng, make_initializer(name, options)).activation("sigmoid");
    net.dense(6, 1, rng, make_initializer(name, options));
    SGD sgd(0.5);
    train(net, MeanSquaredError(), sgd, X, T, rng, TrainOptions{.epochs = 20, .batch_size = 4});
    const Matrix& W = net.parameter("layers[0].W").value;
    INFO(name << ": W = " << to_string(W));
    if (name == "glorot_uniform") {
      CHECK(distinct_units(W) == 6);
    } else {
      CHECK(distinct_units(W) == 1);
      CHECK(max(W) != min(W));  // the weights did change — all in the same way
    }
  }
}

TEST_CASE("an unknown initializer's long name is shortened in the message", "[initializers]") {
  CHECK_THROWS_WITH(make_init_rule(std::string(100000, 'i')),
                    Catch::StartsWith("unknown initializer \"" + std::string(40, 'i') + "…\" (known: "));
}
