// glassbox/nn/dropout.cpp — dropout's mask, its forward and backward passes.
#include "glassbox/nn/dropout.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace glassbox {

Dropout::Dropout(std::size_t width, double p, Rng rng) : width_(width), p_(p), rng_(std::move(rng)) {
  if (width == 0) throw ShapeError("Dropout: a layer needs at least one unit");
  if (!(p >= 0 && p < 1))
    throw std::invalid_argument(fmt::format(
        "Dropout: p (the probability of dropping a unit) must be in [0, 1), got {}{}", p,
        p == 1 ? ": p = 1 would drop every unit and scale the rest by 1/(1 − p) = 1/0" : ""));
}

std::string Dropout::describe() const { return fmt::format("Dropout(p={})", p_); }

// training: Y = X ⊙ M / (1 − p) ;  evaluation: Y = X
const Matrix& Dropout::forward(const Matrix& X) {
  require_input_width("forward", X);
  last_training_ = training();
  Y = X;
  if (!last_training_) return Y;
  if (hold_ && !mask.empty()) {
    if (!mask.same_shape(X))
      throw ShapeError(fmt::format("{}: forward: the held mask is {} but the input is {}", describe(), mask.shape(),
                                   X.shape()));
  } else {
    if (!mask.same_shape(X)) mask = Matrix(X.rows(), X.cols());  // every element is drawn below
    const double keep = 1 - p_;
    for (Scalar& m : mask) m = rng_.uniform() < keep ? Scalar{1} : Scalar{0};  // row by row
  }
  const Scalar scale = static_cast<Scalar>(1 / (1 - p_));
  for (std::size_t k = 0; k < Y.size(); ++k) Y.data()[k] *= mask.data()[k] * scale;
  return Y;
}

// training: dL/dX = dL/dY ⊙ M / (1 − p) ;  evaluation: dL/dX = dL/dY
const Matrix& Dropout::backward(const Matrix& dY) {
  require_output_shape(dY, Y);
  dX = dY;
  if (!last_training_) return dX;
  const Scalar scale = static_cast<Scalar>(1 / (1 - p_));
  for (std::size_t k = 0; k < dX.size(); ++k) dX.data()[k] *= mask.data()[k] * scale;
  return dX;
}

void Dropout::trace_forward(Json& event) const {
  if (last_training_) event["mask"] = to_json(mask);
}

}  // namespace glassbox
