// glassbox/nn/dense.cpp — the dense layer's construction; its forward and backward passes.
#include "glassbox/nn/dense.hpp"

#include <cmath>

#include <fmt/format.h>

namespace glassbox {

void init_uniform_fan_in(Matrix& W, Matrix& b, Rng& rng) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(W.cols()));
  for (Scalar& w : W) w = static_cast<Scalar>(rng.uniform(-bound, bound));
  for (Scalar& x : b) x = static_cast<Scalar>(rng.uniform(-bound, bound));
}

Dense::Dense(std::size_t in, std::size_t out, Rng& rng, const Initializer& init)
    : W(out, in), b(1, out), dW(out, in), db(1, out) {
  if (in == 0 || out == 0) throw ShapeError(fmt::format("Dense({}→{}): a layer needs inputs and units", in, out));
  init(W, b, rng);
}

Dense::Dense(Matrix weights, Matrix biases) : W(std::move(weights)), b(std::move(biases)) {
  if (W.empty())
    throw ShapeError(fmt::format("Dense: W is {}: a layer needs inputs and units", W.shape()));
  if (b.rows() != 1 || b.cols() != W.rows())
    throw ShapeError(fmt::format("Dense: W is {} (out×in) so b must be (1×{}), got {}", W.shape(), W.rows(),
                                 b.shape()));
  dW = Matrix(W.rows(), W.cols());
  db = Matrix(1, b.cols());
}

std::string Dense::describe() const { return fmt::format("Dense({}→{})", W.cols(), W.rows()); }

// Z = X·Wᵀ + b
const Matrix& Dense::forward(const Matrix& input) {
  require_input_width("forward", input);
  if (borrows_input) {
    X = &input;
  } else {
    X_copy = input;
    X = &X_copy;
  }
  matmul_abt_into(Z, *X, W);
  add_row_vector_inplace(Z, b);
  return Z;
}

void Dense::zero_grad() {
  dW.fill(Scalar{0});
  db.fill(Scalar{0});
  overwrite_dW_ = true;
}

void Dense::zero_grad_lazily() {
  db.fill(Scalar{0});
  overwrite_dW_ = true;
}

// dL/dW += dZᵀ·X ;  dL/db += Σ_rows dZ ;  dL/dX = dZ·W
const Matrix& Dense::backward(const Matrix& dZ) {
  require_output_shape(dZ, Z);
  // Right after zero_grad(): dZᵀ·X written into dW, every sum starting from +0 — the bits of
  // 0 + (Σ dZᵀ·X), with no pass to zero dW and no scratch matrix. Otherwise added to what dW holds.
  matmul_atb_into(dW, dZ, *X, /*accumulate=*/!overwrite_dW_);
  overwrite_dW_ = false;
  for (std::size_t n = 0; n < dZ.rows(); ++n) {
    const Scalar* dz = dZ.row_ptr(n);
    for (std::size_t j = 0; j < dZ.cols(); ++j) db(0, j) += dz[j];
  }
  if (needs_input_gradient)
    matmul_into(dX, dZ, W);
  else
    dX = Matrix();
  return dX;
}

std::vector<ParameterRef> Dense::parameters() { return {{"W", W, dW}, {"b", b, db}}; }

std::unique_ptr<Layer> Dense::clone() const {
  auto copy = std::make_unique<Dense>(*this);
  if (X == &X_copy) copy->X = &copy->X_copy;  // its own copy of the input, not this layer's
  return copy;
}

// W = W2·W1 ;  b = b1·W2ᵀ + b2   (row-vector b; W2·b1 + b2 with column vectors)
Dense compose(const Dense& first, const Dense& second) {
  if (first.output_width() != second.input_width())
    throw ShapeError(fmt::format("compose: {} gives {} outputs but {} takes {} inputs", first.describe(),
                                 first.output_width(), second.describe(), second.input_width()));
  return Dense(matmul(second.W, first.W), add_row_vector(matmul_abt(first.b, second.W), second.b));
}

}  // namespace glassbox
