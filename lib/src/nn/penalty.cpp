// glassbox/nn/penalty.cpp — the L1 and L2 penalties' values and gradients.
#include "glassbox/nn/penalty.hpp"

#include <cmath>

#include <fmt/format.h>

namespace glassbox {

// λ₁·Σ|w| + λ₂·Σw²  (summed in double)
double Penalty::value(const Matrix& W) const {
  double abs_sum = 0, square_sum = 0;
  for (const Scalar w : W) {
    abs_sum += std::abs(static_cast<double>(w));
    square_sum += static_cast<double>(w) * static_cast<double>(w);
  }
  return l1 * abs_sum + l2 * square_sum;
}

// dW += λ₁·sign(w) + 2·λ₂·w ;  sign(0) = 0: at w = 0 the subgradient taken is 0
void Penalty::add_gradient(const Matrix& W, Matrix& dW) const {
  if (!W.same_shape(dW))
    throw ShapeError(fmt::format("Penalty::add_gradient: W is {} but dW is {}", W.shape(), dW.shape()));
  const Scalar lambda1 = static_cast<Scalar>(l1), twice_lambda2 = static_cast<Scalar>(2 * l2);
  for (std::size_t k = 0; k < W.size(); ++k) {
    const Scalar w = W.data()[k];
    const Scalar sign = w > 0 ? Scalar{1} : w < 0 ? Scalar{-1} : Scalar{0};
    dW.data()[k] += lambda1 * sign + twice_lambda2 * w;
  }
}

std::string Penalty::describe() const {
  if (l1 != 0 && l2 != 0) return fmt::format("l1({}) + l2({})", l1, l2);
  if (l1 != 0) return fmt::format("l1({})", l1);
  if (l2 != 0) return fmt::format("l2({})", l2);
  return "none";
}

}  // namespace glassbox
