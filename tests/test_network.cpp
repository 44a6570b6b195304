// Tests for glassbox/nn/network.hpp: how it prints, how its parameters are named, that copies are deep,
// and that its backward pass passes the finite-difference check for every activation and loss that
// belong together — including a layer that owns a learned parameter of its own.
#include <catch2/catch.hpp>

#include <cmath>

#include "glassbox/nn/activations.hpp"
#include "glassbox/train/gradcheck.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/train/optimizers.hpp"

using namespace glassbox;

namespace {

// A PReLU written here (a = z for z > 0 and α_j·z otherwise, with α learned per unit): a layer with
// a parameter of its own, written against the Layer interface alone.
class LocalPReLU final : public Layer {
public:
  explicit LocalPReLU(std::size_t units) : alpha(1, units, 0.25), dalpha(1, units) {}
  std::string describe() const override { return "prelu"; }
  bool is_activation() const override { return true; }
  std::size_t input_width() const override { return alpha.cols(); }
  std::size_t output_width() const override { return alpha.cols(); }
  Matrix alpha, dalpha;  // (1×n)
  Matrix Z, A, dZ;
  const Matrix& forward(const Matrix& X) override {
    require_input_width("forward", X);
    Z = X;
    A = X;
    for (std::size_t n = 0; n < Z.rows(); ++n)
      for (std::size_t j = 0; j < Z.cols(); ++j)
        if (Z(n, j) <= 0) A(n, j) = alpha(0, j) * Z(n, j);
    return A;
  }
  // dL/dα_j += Σ_n dL/da·z over z ≤ 0 ;  dL/dz = dL/da · (1 or α_j)
  const Matrix& backward(const Matrix& dA) override {
    require_output_shape(dA, A);
    dZ = dA;
    for (std::size_t n = 0; n < Z.rows(); ++n)
      for (std::size_t j = 0; j < Z.cols(); ++j)
        if (Z(n, j) <= 0) {
          dalpha(0, j) += dA(n, j) * Z(n, j);
          dZ(n, j) = dA(n, j) * alpha(0, j);
        }
    return dZ;
  }
  std::vector<ParameterRef> parameters() override { return {{"alpha", alpha, dalpha}}; }
  void kink_signature(std::vector<std::int8_t>& s) const override {
    for (Scalar z : Z) s.push_back(z > 0);
  }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<LocalPReLU>(*this); }
};

Network two_layer(Rng& rng) {
  Network net;
  net.dense(2, 20, rng).activation("relu").dense(20, 1, rng).activation("sigmoid");
  return net;
}

}  // namespace

TEST_CASE("a network prints its layers with their activations, and a summary table", "[network]") {
  Rng rng(1);
  const Network net = two_layer(rng);
  CHECK(net.describe() == "Dense(2→20, relu) → Dense(20→1, sigmoid)");
  CHECK(net.size() == 4);
  CHECK(net.input_width() == 2);
  CHECK(net.output_width() == 1);
  CHECK(net.parameter_count() == 2 * 20 + 20 + 20 + 1);
  const std::string table = net.summary().render();
  CHECK_THAT(table, Catch::Contains("layers[0]") && Catch::Contains("Dense(2→20)") && Catch::Contains("(N×20)") &&
                        Catch::Contains("60") && Catch::Contains("21") && Catch::Contains("total") &&
                        Catch::Contains("81"));
  Network logits;
  logits.dense(4, 3, rng);
  CHECK(logits.describe() == "Dense(4→3)");
}

TEST_CASE("parameters are named by their layer's position in the list", "[network]") {
  Rng rng(1);
  Network net = two_layer(rng);
  std::vector<std::string> names;
  for (const ParameterRef& p : net.parameters()) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"layers[0].W", "layers[0].b", "layers[2].W", "layers[2].b"});
  CHECK(&net.parameter("layers[2].W").value == &dynamic_cast<Dense&>(net.layer(2)).W);
  CHECK_THROWS_WITH(net.parameter("layers[1].W"), Catch::Contains("layers[1].W") && Catch::Contains("layers[2].b"));

  net.freeze("layers[0].b");
  CHECK(net.parameter("layers[0].b").frozen);
  CHECK_FALSE(net.parameter("layers[0].W").frozen);
  CHECK_THAT(net.summary().render(), Catch::Contains("frozen") && Catch::Contains("trainable"));
  net.freeze("layers[0].b", false);
  CHECK_FALSE(net.parameter("layers[0].b").frozen);
  CHECK_THROWS_AS(net.freeze("layers[7].b"), InputError);
}

TEST_CASE("layers must fit together", "[network]") {
  Rng rng(1);
  Network net;
  CHECK_THROWS_AS(net.activation("relu"), ShapeError);
  CHECK_THROWS_AS(net.forward(Matrix(1, 2)), ShapeError);
  net.dense(2, 3, rng);
  CHECK_THROWS_WITH(net.dense(4, 1, rng), Catch::Contains("Dense(4→1)") && Catch::Contains("Dense(2→3)"));
  CHECK_THROWS_AS(net.forward(Matrix(1, 3)), ShapeError);
  CHECK_THROWS_AS(net.backward(Matrix(1, 3)), std::logic_error);  // before any forward
}

TEST_CASE("forward and backward chain the layers and keep what each saw", "[network]") {
  Network net;
  net.dense(Matrix{{1, -1}}, Matrix{{0}}).activation("relu").dense(Matrix{{2}}, Matrix{{1}});
  const Matrix X{{3, 1}, {1, 3}};
  CHECK(net.forward(X) == Matrix{{5}, {1}});  // relu(2) = 2 → 2·2 + 1; relu(−2) = 0 → 1
  CHECK(net.layer_input(0) == X);
  CHECK(net.layer_output(0) == Matrix{{2}, {-2}});
  CHECK(net.layer_output(1) == Matrix{{2}, {0}});
  const Matrix dY{{1}, {1}};
  CHECK(net.backward(dY).empty());  // dL/dX not asked for
  CHECK(net.output_gradient(1) == Matrix{{2}, {2}});
  CHECK(net.output_gradient(0) == Matrix{{2}, {0}});  // ReLU blocks the second sample
  CHECK(dynamic_cast<Dense&>(net.layer(0)).dW == Matrix{{6, 2}});
  net.zero_grad();
  CHECK(net.backward(dY, true) == Matrix{{2, -2}, {0, 0}});
}

TEST_CASE("what forward and backward saw outlives the caller's temporaries", "[network]") {
  Network net;
  net.dense(Matrix{{1, -1}}, Matrix{{0}}).activation("relu").dense(Matrix{{2}}, Matrix{{1}});
  net.forward(Matrix{{3, 1}});      // a temporary input
  net.backward(Matrix{{0.5}});      // a temporary loss gradient
  CHECK(net.layer_input(0) == Matrix{{3, 1}});
  CHECK(net.output_gradient(2) == Matrix{{0.5}});
  CHECK(net.output_gradient(1) == Matrix{{1}});
}

TEST_CASE("a copy of a network is deep", "[network]") {
  Rng rng(2);
  Network net = two_layer(rng);
  net.freeze("layers[2].b");
  Network copy = net;
  copy.parameter("layers[0].W").value(0, 0) += 1;
  CHECK(copy.parameter("layers[0].W").value(0, 0) == net.parameter("layers[0].W").value(0, 0) + 1);
  CHECK(copy.parameter("layers[2].b").frozen);
  CHECK(copy.describe() == net.describe());
}

TEST_CASE("3-layer networks pass the gradient check for each activation with each fitting loss", "[network]") {
  struct Head {
    const char* output;  // activation of the last layer ("" for logits)
    std::shared_ptr<Loss> loss;
    bool probabilities;  // targets in [0, 1] (else one-hot)
  };
  const std::vector<Head> heads = {
      {"sigmoid", std::make_shared<BinaryCrossEntropy>(Reduction::mean), true},
      {"identity", std::make_shared<MeanSquaredError>(Reduction::mean), true},
      {"sigmoid", std::make_shared<HalfSumSquares>(), true},
      {"", std::make_shared<SoftmaxCrossEntropy>(Reduction::mean), false},
      {"softmax", std::make_shared<MeanSquaredError>(Reduction::sum), false},
  };
  for (const char* hidden : {"identity", "sigmoid", "tanh", "relu"}) {
    for (const Head& head : heads) {
      Rng rng(21);
      Network net;
      net.dense(3, 5, rng).activation(hidden).dense(5, 4, rng).activation(hidden).dense(4, 3, rng);
      if (*head.output) net.activation(head.output);
      const Matrix X = Matrix::uniform(6, 3, rng, -1, 1);
      const Matrix T = head.probabilities ? Matrix::uniform(6, 3, rng, 0, 1) : one_hot({0, 1, 2, 2, 1, 0}, 3);
      GradCheckOptions options;
      options.check_input = true;
      const GradCheckReport report = check_network(net, *head.loss, X, T, options);
      INFO(report.summary());
      CHECK(report.passed());
      CHECK(report.failed == 0);
      CHECK(report.elements.size() == net.parameter_count() + X.size());
    }
  }
}

TEST_CASE("a layer with a learned parameter of its own trains, prints and checks like any other",
          "[network]") {
  Rng rng(6);
  Network net;
  net.dense(2, 3, rng).add(std::make_unique<LocalPReLU>(3)).dense(3, 1, rng);
  CHECK(net.describe() == "Dense(2→3, prelu) → Dense(3→1)");
  CHECK(net.parameter("layers[1].alpha").value.shape() == "(1×3)");

  const Matrix X = Matrix::uniform(8, 2, rng, -2, 2);
  const Matrix T = Matrix::uniform(8, 1, rng, -1, 1);
  const MeanSquaredError loss;
  const GradCheckReport report = check_network(net, loss, X, T);
  INFO(report.summary());
  CHECK(report.passed());

  SGD sgd(0.1);
  const Matrix alpha_before = net.parameter("layers[1].alpha").value;
  net.zero_grad();
  net.backward(loss.gradient(net.forward(X), T));
  sgd.step(net.parameters());
  CHECK_FALSE(net.parameter("layers[1].alpha").value == alpha_before);
}
