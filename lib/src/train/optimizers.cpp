// glassbox/train/optimizers.cpp — the update loop every optimizer shares, and each optimizer's rule.
#include "glassbox/train/optimizers.hpp"

#include <cmath>

#include <fmt/format.h>

namespace glassbox {

void Optimizer::step(const std::vector<ParameterRef>& parameters) {
  if (steps_ == 0) {
    for (const ParameterRef& p : parameters) names_.push_back(p.name);
    updates_.resize(parameters.size());
  } else if (parameters.size() != names_.size()) {
    throw ShapeError(fmt::format("{}: step {}: given {} parameters, the first step had {}", describe(), steps_ + 1,
                                 parameters.size(), names_.size()));
  }
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const ParameterRef& p = parameters[i];
    if (p.name != names_[i])
      throw ShapeError(fmt::format("{}: step {}: parameter {} is \"{}\", the first step had \"{}\"", describe(),
                                   steps_ + 1, i, p.name, names_[i]));
    if (!p.grad.same_shape(p.value))
      throw ShapeError(fmt::format("{}: {}: gradient {} does not match the parameter {}", describe(), p.name,
                                   p.grad.shape(), p.value.shape()));
    if (!updates_[i].same_shape(p.value)) updates_[i] = Matrix(p.value.rows(), p.value.cols());
  }
  ++steps_;
  begin_step();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const ParameterRef& p = parameters[i];
    if (p.frozen) {
      updates_[i].fill(Scalar{0});
      continue;
    }
    compute_update(i, p.value, p.grad, updates_[i]);
    p.value += updates_[i];  // θ ← θ + Δθ
  }
}

const Matrix& Optimizer::last_update(std::size_t i) const {
  if (i >= updates_.size())
    throw std::out_of_range(fmt::format("{}: last_update({}): {} parameters updated so far", describe(), i,
                                        updates_.size()));
  return updates_[i];
}

// ---- SGD ----------------------------------------------------------------------------------------

SGD::SGD(double eta) : learning_rate(eta) {
  if (!(eta > 0) || !std::isfinite(eta))
    throw std::invalid_argument(fmt::format("SGD: the learning rate must be a positive number, got {}", eta));
}

std::string SGD::describe() const { return fmt::format("SGD(η={})", learning_rate); }

// Δθ = −η·dθ
void SGD::compute_update(std::size_t, const Matrix&, const Matrix& grad, Matrix& delta) {
  const Scalar eta = static_cast<Scalar>(learning_rate);
  for (std::size_t k = 0; k < grad.size(); ++k) delta.data()[k] = -eta * grad.data()[k];
}

}  // namespace glassbox
