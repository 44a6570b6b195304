// glassbox/train/clipping.cpp — clipping gradients by their global norm and by value.
#include "glassbox/train/clipping.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace glassbox {

// ‖g‖ = √(Σ g²) over all parameters ;  c = min(1, max_norm/(‖g‖ + 1e-6)) ;  g ← c·g if c < 1
NormClipping clip_grad_norm(const std::vector<ParameterRef>& parameters, double max_norm) {
  if (!(max_norm > 0 && std::isfinite(max_norm)))
    throw std::invalid_argument(fmt::format("clip_grad_norm: max_norm must be a positive number, got {}", max_norm));
  double sum_sq = 0;
  for (const ParameterRef& p : parameters)
    if (!p.frozen)
      for (const Scalar g : p.grad) sum_sq += static_cast<double>(g) * static_cast<double>(g);
  NormClipping result;
  result.total_norm = std::sqrt(sum_sq);
  const double c = max_norm / (result.total_norm + 1e-6);
  if (c < 1) {
    result.coefficient = c;
    for (const ParameterRef& p : parameters)
      if (!p.frozen)
        for (Scalar& g : p.grad) g *= static_cast<Scalar>(c);
  }
  return result;
}

// g ← min(max(g, −c), c)
std::size_t clip_grad_value(const std::vector<ParameterRef>& parameters, double clip_value) {
  if (!(clip_value > 0 && std::isfinite(clip_value)))
    throw std::invalid_argument(
        fmt::format("clip_grad_value: clip_value must be a positive number, got {}", clip_value));
  const Scalar c = static_cast<Scalar>(clip_value);
  std::size_t clipped = 0;
  for (const ParameterRef& p : parameters)
    if (!p.frozen)
      for (Scalar& g : p.grad)
        if (g > c || g < -c) {
          g = g > c ? c : -c;
          ++clipped;
        }
  return clipped;
}

}  // namespace glassbox
