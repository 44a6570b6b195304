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
//
// By name (optimizer_table(), at the end): each optimizer's update rule, its settings with their
// defaults, and how it is built from settings given as JSON ({"learning_rate": 0.5}).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/core/json.hpp"
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
  // The learning rate η in force for the next step (PyTorch's param_groups[0]["lr"]). A schedule
  // changes it between steps; set_learning_rate() refuses a negative or non-finite rate
  // (std::invalid_argument).
  double learning_rate() const noexcept { return learning_rate_; }
  void set_learning_rate(double eta);
  // Δθ applied to parameters[i] by the last step() (zeros for a frozen parameter).
  const Matrix& last_update(std::size_t i) const;
  // The same for the parameter called `name` ("layers[0].W"); std::out_of_range naming an unknown
  // one and listing the parameters it knows.
  const Matrix& last_update(std::string_view name) const;

  virtual std::unique_ptr<Optimizer> clone() const = 0;

protected:
  explicit Optimizer(double eta) { set_learning_rate(eta); }
  // Called once per step() before the parameters, with t = steps() already counting this step.
  virtual void begin_step() {}
  // Δθ for parameters[i]: write it into `delta` (already shaped like θ). State for parameter i lives
  // in the subclass, sized on first use.
  virtual void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) = 0;

private:
  std::size_t steps_ = 0;
  double learning_rate_ = 0;
  std::vector<std::string> names_;  // the parameters of the first step, to check later steps
  std::vector<Matrix> updates_;     // Δθ of the last step, per parameter
};

// Plain (stochastic) gradient descent:  Δθ = −η·dθ
class SGD final : public Optimizer {
public:
  explicit SGD(double eta);
  std::string describe() const override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<SGD>(*this); }

protected:
  void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) override;
};

// ---- by name ------------------------------------------------------------------------------------

// One setting of an optimizer, as specs and help texts show it.
struct OptimizerSetting {
  const char* key;       // "learning_rate"
  const char* expected;  // "a number > 0"
  const char* meaning;   // "η"
  Json fallback;         // its default; null: the setting is required
};

// The optimizers by name, in one table (adding one: its class above, one line in optimizers.cpp).
struct OptimizerEntry {
  const char* name;                        // "sgd"
  const char* formula;                     // "Δθ = −η·dθ", for help texts and the lessons
  std::vector<OptimizerSetting> settings;  // every key it takes
  // Builds it from settings that make_optimizer() has checked against `settings` and completed
  // with their defaults; InputError (SettingError for a bad value) naming the optimizer and the key.
  std::unique_ptr<Optimizer> (*make)(const Json& settings);
};
const std::vector<OptimizerEntry>& optimizer_table();
// The table's entry called `name`; InputError naming an unknown optimizer.
const OptimizerEntry& optimizer_entry(std::string_view name);
std::vector<std::string> optimizer_names();

// The optimizer called `name` with `settings`, a JSON object ({"learning_rate": 0.5}). Throws
// InputError naming the optimizer and the key for an unknown key, a missing required setting, or a
// bad value (then SettingError).
std::unique_ptr<Optimizer> make_optimizer(std::string_view name, const Json& settings);

}  // namespace glassbox
