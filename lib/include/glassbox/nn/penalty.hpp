// glassbox/nn/penalty.hpp — L1 and L2 penalties: terms added to the loss that grow with the weights.
//
// With Keras' meaning (keras.regularizers.l1, l2, l1_l2), for a penalized tensor W:
//   l2(λ₂):  λ₂·Σ w²        gradient 2·λ₂·w
//   l1(λ₁):  λ₁·Σ |w|       subgradient λ₁·sign(w), taken as 0 at w = 0
// both together add up. PyTorch has no such term: its optimizers' weight_decay = wd adds wd·w to
// the gradient, which is l2 with λ₂ = wd/2 (and applies to every parameter, biases included, unless
// told otherwise).
//
// The training loop (train/train.hpp) adds the penalty of every penalized parameter to the data loss,
// and its gradient to dL/dW after the backward pass. Network::penalize() chooses the parameters —
// a dense layer's W, as Keras' kernel_regularizer; biases only if asked.
#pragma once

#include <string>

#include "glassbox/core/matrix.hpp"

namespace glassbox {

struct Penalty {
  double l1 = 0;  // λ₁ ≥ 0
  double l2 = 0;  // λ₂ ≥ 0

  bool active() const { return l1 != 0 || l2 != 0; }
  // λ₁·Σ|w| + λ₂·Σw²
  double value(const Matrix& W) const;
  // dW += λ₁·sign(w) + 2·λ₂·w, element by element (sign(0) = 0)
  void add_gradient(const Matrix& W, Matrix& dW) const;
  // "l1(0.01)", "l2(0.001)", "l1(0.01) + l2(0.001)"
  std::string describe() const;
};

}  // namespace glassbox
