// glassbox/nn/dense.hpp — the fully connected (dense) layer: every output unit is a weighted sum of
// every input, plus a bias.
//
// N = batch size (one sample per row), in = inputs, out = units.
//
// W is (out×in), as the lessons' W^k: row j holds the weights into unit j, so W(j, i) is the weight
// from input i to unit j. A batch X is (N×in), one sample per row, and the layer computes all N
// samples at once.
#pragma once

#include <functional>

#include "glassbox/nn/layer.hpp"
#include "glassbox/core/random.hpp"

namespace glassbox {

// Fills a dense layer's W:(out×in) and b:(1×out), already sized, drawing from rng. Weight
// initialisers (Glorot, He, LeCun) have this shape.
using Initializer = std::function<void(Matrix& W, Matrix& b, Rng& rng)>;

// The default, PyTorch's for nn.Linear: every weight and bias drawn from U(−1/√in, 1/√in), W row by
// row first, then b.
void init_uniform_fan_in(Matrix& W, Matrix& b, Rng& rng);

class Dense final : public Layer {
public:
  // Weights from `init` (default: U(−1/√in, 1/√in)).
  Dense(std::size_t in, std::size_t out, Rng& rng, const Initializer& init = init_uniform_fan_in);
  // Explicit weights W:(out×in) and biases b:(1×out), as in a worked example.
  Dense(Matrix W, Matrix b);

  std::string describe() const override;  // "Dense(2→3)"
  std::size_t input_width() const override { return W.cols(); }
  std::size_t output_width() const override { return W.rows(); }

  // The parameters and their gradients.
  Matrix W;   // (out×in)
  Matrix b;   // (1×out)
  Matrix dW;  // (out×in)  dL/dW, accumulated
  Matrix db;  // (1×out)   dL/db, accumulated

  // Cached by forward() for backward(): the input (dL/dW needs it) and the output. The input is
  // kept by address: inside a Network (borrows_input) it is the network's input or the previous
  // layer's output, unchanged until the next forward pass, so a batch — or a whole data set being
  // evaluated — is not copied again; a Dense on its own copies it into X_copy first.
  const Matrix* X = nullptr;  // (N×in)
  Matrix X_copy;              // the copy, for a Dense on its own
  Matrix Z;   // (N×out)
  Matrix dX;  // (N×in)   dL/dX, written by backward()

  // Z = X·Wᵀ + b          X:(N×in)  W:(out×in)  b:(1×out)  Z:(N×out)
  const Matrix& forward(const Matrix& input) override;
  // dL/dW += dZᵀ·X        dZ:(N×out)  X:(N×in)  → (out×in)
  // dL/db += Σ_rows dZ    → (1×out)   (b is added to every row, so every row's gradient counts)
  // dL/dX  = dZ·W         → (N×in)
  const Matrix& backward(const Matrix& dZ) override;

  std::vector<ParameterRef> parameters() override;
  // dW = 0, db = 0; and remembers that dW is zero, so that the next backward() writes dZᵀ·X into it
  // instead of adding (the same bits as adding a separately summed product to zero).
  void zero_grad() override;
  // db = 0, and the next backward() writes dW instead of adding to it: dW is not zeroed first.
  void zero_grad_lazily() override;
  std::unique_ptr<Layer> clone() const override;

private:
  bool overwrite_dW_ = false;  // set by zero_grad() and zero_grad_lazily(), cleared by backward()
};

// Two dense layers with nothing between them are one dense layer:
//   (X·W1ᵀ + b1)·W2ᵀ + b2 = X·(W2·W1)ᵀ + (b1·W2ᵀ + b2)
// In the lessons' column notation, W = W2·W1 and b = W2·b1 + b2. W1:(h×in) W2:(out×h) → W:(out×in).
// ShapeError unless first's outputs are second's inputs.
Dense compose(const Dense& first, const Dense& second);

}  // namespace glassbox
