// glassbox/nn/layer.cpp — what every layer shares: zero_grad, the parameter and buffer counts, the
// shape checks.
#include "glassbox/nn/layer.hpp"

#include <fmt/format.h>

namespace glassbox {

void Layer::zero_grad() {
  for (ParameterRef& p : parameters()) p.grad.fill(Scalar{0});
}

std::size_t Layer::parameter_count() const {
  std::size_t count = 0;
  for (const ParameterRef& p : const_cast<Layer*>(this)->parameters()) count += p.value.size();
  return count;
}

std::size_t Layer::buffer_count() const {
  std::size_t count = 0;
  for (const BufferRef& b : const_cast<Layer*>(this)->buffers()) count += b.value.size();
  return count;
}

void Layer::require_input_width(const char* pass, const Matrix& X) const {
  if (X.cols() != input_width())
    throw ShapeError(fmt::format("{}: {}: input {} needs {} columns (one per input)", describe(), pass,
                                 X.shape(), input_width()));
}

void Layer::require_output_shape(const Matrix& dY, const Matrix& Y) const {
  if (!dY.same_shape(Y))
    throw ShapeError(fmt::format("{}: backward: dL/dY is {} but the last forward output was {}{}", describe(),
                                 dY.shape(), Y.shape(), Y.empty() ? " (was forward() called?)" : ""));
}

}  // namespace glassbox
