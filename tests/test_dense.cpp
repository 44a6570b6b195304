// Tests for glassbox/nn/dense.hpp: Z = X·Wᵀ + b and its three gradients, pinned by hand and checked
// against finite differences; gradients accumulate; the default initialisation is PyTorch's bound.
#include <catch2/catch.hpp>

#include <cmath>

#include "glassbox/nn/dense.hpp"
#include "glassbox/train/gradcheck.hpp"

using namespace glassbox;

namespace {
// W:(3×2): unit j's weights in row j.
Dense example_layer() { return Dense(Matrix{{1, 2}, {3, 4}, {5, 6}}, Matrix{{0.5, -1, 2}}); }
}  // namespace

TEST_CASE("forward computes Z = X·Wᵀ + b, one sample per row", "[dense]") {
  Dense layer = example_layer();
  const Matrix X{{1, -1}, {2, 0.5}};
  // row 0: [1·1 + 2·(−1) + 0.5, 3·1 + 4·(−1) − 1, 5·1 + 6·(−1) + 2]
  CHECK(layer.forward(X) == Matrix{{-0.5, -2, 1}, {3.5, 7, 15}});
  CHECK(layer.describe() == "Dense(2→3)");
  CHECK(layer.input_width() == 2);
  CHECK(layer.output_width() == 3);
  CHECK(layer.parameter_count() == 9);
}

TEST_CASE("backward gives dW = dZᵀ·X, db = Σ_rows dZ, dX = dZ·W", "[dense]") {
  Dense layer = example_layer();
  const Matrix X{{1, -1}, {2, 0.5}};
  layer.forward(X);
  const Matrix dZ{{1, 0, -1}, {0, 2, 1}};
  const Matrix dX = layer.backward(dZ);
  // dW(j, i) = Σ_n dZ(n, j)·X(n, i)
  CHECK(layer.dW == Matrix{{1, -1}, {4, 1}, {1, 1.5}});
  CHECK(layer.db == Matrix{{1, 2, 0}});
  // dX(n, i) = Σ_j dZ(n, j)·W(j, i)
  CHECK(dX == Matrix{{1 - 5, 2 - 6}, {6 + 5, 8 + 6}});
}

TEST_CASE("gradients accumulate until zero_grad", "[dense]") {
  Dense layer = example_layer();
  const Matrix X{{1, -1}, {2, 0.5}};
  const Matrix dZ{{1, 0, -1}, {0, 2, 1}};
  layer.forward(X);
  layer.backward(dZ);
  const Matrix once = layer.dW;
  layer.backward(dZ);
  CHECK(layer.dW == once * 2.0);
  CHECK(layer.db == Matrix{{2, 4, 0}});
  layer.zero_grad();
  CHECK(layer.dW == Matrix::zeros(3, 2));
  CHECK(layer.db == Matrix::zeros(1, 3));
}

TEST_CASE("the dense layer's backward passes the finite-difference check", "[dense]") {
  Rng rng(11);
  Dense layer(4, 3, rng);
  const Matrix X = Matrix::uniform(5, 4, rng, -2, 2);
  const GradCheckReport report = check_layer(layer, X, rng);
  INFO(report.summary());
  CHECK(report.verdict == CheckVerdict::good);
  CHECK(report.elements.size() == 12 + 3 + 20);  // W, b and the input, every element
}

TEST_CASE("the first layer may skip dL/dX but still computes its parameter gradients", "[dense]") {
  Dense layer = example_layer();
  layer.needs_input_gradient = false;
  layer.forward(Matrix{{1, -1}, {2, 0.5}});
  CHECK(layer.backward(Matrix{{1, 0, -1}, {0, 2, 1}}).empty());
  CHECK(layer.dW == Matrix{{1, -1}, {4, 1}, {1, 1.5}});
}

TEST_CASE("the default initialisation draws W then b from U(−1/√in, 1/√in)", "[dense]") {
  Rng rng(5);
  Dense layer(16, 8, rng);
  const double bound = 1.0 / std::sqrt(16.0);
  for (Scalar w : layer.W) CHECK(std::abs(w) <= bound);
  for (Scalar x : layer.b) CHECK(std::abs(x) <= bound);
  CHECK(max(layer.W) - min(layer.W) > bound);  // spread over the interval, not a constant

  Rng replay(5);
  CHECK(layer.W(0, 0) == Approx(replay.uniform(-bound, bound)).epsilon(0));
  Rng same(5), other(6);
  CHECK(Dense(16, 8, same).W == layer.W);
  CHECK_FALSE(Dense(16, 8, other).W == layer.W);
}

TEST_CASE("a custom initializer fills W and b", "[dense]") {
  Rng rng(1);
  Dense layer(2, 2, rng, [](Matrix& W, Matrix& b, Rng&) {
    W.fill(0.25);
    b.fill(-1);
  });
  CHECK(layer.W == Matrix{{0.25, 0.25}, {0.25, 0.25}});
  CHECK(layer.b == Matrix{{-1, -1}});
}

TEST_CASE("misuse names the layer and the shapes", "[dense]") {
  Dense layer = example_layer();
  CHECK_THROWS_WITH(layer.forward(Matrix(2, 5)), Catch::Contains("Dense(2→3)") && Catch::Contains("(2×5)"));
  CHECK_THROWS_AS(layer.backward(Matrix(2, 3)), ShapeError);  // no forward yet
  layer.forward(Matrix(4, 2));
  CHECK_THROWS_WITH(layer.backward(Matrix(4, 2)), Catch::Contains("(4×2)") && Catch::Contains("(4×3)"));
  CHECK_THROWS_WITH(Dense(Matrix{{1, 2}}, Matrix{{1, 2}}), Catch::Contains("(1×1)"));
  Rng rng(1);
  CHECK_THROWS_AS(Dense(0, 3, rng), ShapeError);
}

TEST_CASE("two dense layers with nothing between them compose into one", "[dense]") {
  Rng rng(4);
  Dense first(3, 4, rng), second(4, 2, rng);
  const Dense one = compose(first, second);
  CHECK(one.W.rows() == 2);
  CHECK(one.W.cols() == 3);
  CHECK(one.W == matmul(second.W, first.W));
  const Matrix X = Matrix::uniform(5, 3, rng, -2, 2);
  Dense a = first, b = second, c = one;
  const Matrix two_layers = b.forward(a.forward(X));
  CHECK(approx_equal(c.forward(X), two_layers, 1e-12, 1e-14));
  CHECK_THROWS_WITH(compose(second, first), Catch::Contains("Dense(4→2) gives 2 outputs but Dense(3→4) takes 3"));
}
