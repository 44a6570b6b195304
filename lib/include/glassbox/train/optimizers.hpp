// glassbox/train/optimizers.hpp — how a gradient becomes a change of the parameters.
//
// θ = one parameter tensor, dθ = dL/dθ (same shape), Δθ = the change applied: θ ← θ + Δθ.
//
// An optimizer is one class: it computes Δθ for one parameter from θ and dθ, keeping whatever state
// it needs per parameter (a velocity, running averages), indexed by the parameter's position in the
// list it is given. step() does the rest for every optimizer the same way: it skips frozen
// parameters (Δθ = 0), applies θ ← θ + Δθ, and keeps each Δθ for traces (last_update()).
//
// Update rules follow PyTorch's documentation of torch.optim, so results can be compared with it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "glassbox/nn/layer.hpp"

namespace glassbox {

class Optimizer {
public:
  virtual ~Optimizer() = default;
  virtual std::string describe() const = 0;  // "SGD(η=0.1)"

  // One update of every parameter that is not frozen. The list must name the same parameters, in
  // the same order and shapes, at every step (ShapeError otherwise): per-parameter state follows
  // positions in it.
  void step(const std::vector<ParameterRef>& parameters);
  // How many step() calls so far (Adam's t).
  std::size_t steps() const noexcept { return steps_; }
  // Δθ applied to parameters[i] by the last step() (zeros for a frozen parameter).
  const Matrix& last_update(std::size_t i) const;

  virtual std::unique_ptr<Optimizer> clone() const = 0;

protected:
  // Called once per step() before the parameters, with t = steps() already counting this step.
  virtual void begin_step() {}
  // Δθ for parameters[i]: write it into `delta` (already shaped like θ). State for parameter i lives
  // in the subclass, sized on first use.
  virtual void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) = 0;

private:
  std::size_t steps_ = 0;
  std::vector<std::string> names_;  // the parameters of the first step, to check later steps
  std::vector<Matrix> updates_;     // Δθ of the last step, per parameter
};

// Plain (stochastic) gradient descent:  Δθ = −η·dθ
class SGD final : public Optimizer {
public:
  explicit SGD(double eta);
  std::string describe() const override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<SGD>(*this); }
  double learning_rate;  // η

protected:
  void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) override;
};

}  // namespace glassbox
