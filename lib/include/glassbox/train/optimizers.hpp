// glassbox/train/optimizers.hpp — how a gradient becomes a change of the parameters.
//
// θ = one parameter tensor, dθ = dL/dθ (same shape), Δθ = the change applied: θ ← θ + Δθ.
//
// An optimizer is one class: it computes Δθ for one parameter from θ and dθ, keeping whatever state
// it needs per parameter (a velocity, running averages), indexed by the parameter's position in the
// list it is given. step() does the rest for every optimizer the same way: it skips frozen
// parameters (Δθ = 0), applies θ ← θ + Δθ, and keeps each Δθ for traces (last_update()).
//
// Update rules follow the algorithm boxes of PyTorch's documentation of torch.optim (symbols as
// there: γ = η the learning rate, g = dθ, λ the weight decay, t the step, counted per parameter from
// 1), with its defaults, so results can be compared with it. Each optimizer's state for a parameter
// is readable by the algorithm's names (state(i)), for traces.
//
// The same bits on every machine: powers βᵗ are running products kept in the state (never std::pow),
// NAdam's 0.96^(ψ·t) goes through portable_exp (core/portable_math.hpp) and portable_log (core/random.hpp); √ is exactly rounded.
//
// By name (optimizer_table(), at the end): each optimizer's update rule, its settings with their
// defaults, and how it is built from settings given as JSON ({"learning_rate": 0.5}).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glassbox/core/json.hpp"
#include "glassbox/nn/layer.hpp"

namespace glassbox {

// What an optimizer keeps for one parameter, by the names its algorithm gives them: matrices shaped
// like θ ("m", "v") and numbers ("mu_t"). Empty for a parameter never updated (a frozen one) and
// for optimizers without state (plain SGD).
struct OptimizerState {
  std::vector<std::pair<std::string, Matrix>> matrices;
  std::vector<std::pair<std::string, double>> numbers;

  bool empty() const noexcept { return matrices.empty() && numbers.empty(); }
  bool has(std::string_view name) const noexcept;
  // The matrix or number called `name`; std::out_of_range naming it and listing those there are.
  const Matrix& matrix(std::string_view name) const;
  double number(std::string_view name) const;
};

class Optimizer {
public:
  virtual ~Optimizer() = default;
  virtual std::string describe() const = 0;  // "SGD(η=0.1)"

  // One update of every parameter that is not frozen. The list must name the same parameters, in
  // the same order and shapes, at every step (ShapeError otherwise): per-parameter state follows
  // positions in it.
  void step(const std::vector<ParameterRef>& parameters);
  // Whether every θ the last step() wrote is finite (no NaN, no ±Inf): checked as each was written,
  // so that the training loop needs no further pass over the parameters to know.
  bool values_finite() const noexcept { return values_finite_; }
  // Whether a NaN or ±Inf in any gradient always makes the new θ of that element non-finite, so
  // that values_finite() also tells whether every gradient was finite. True for every optimizer in
  // this library: NaN stays NaN through their arithmetic, and an infinite gradient gives ±inf or
  // inf/inf = NaN (η·g, an average of g or g², g/√(Σg²)); the test "a non-finite gradient reaches θ
  // in every optimizer" checks each one with NaN, +inf and −inf. train() then searches the
  // gradients only when θ comes out non-finite, instead of in a pass of its own every step. False
  // by default, for an optimizer written elsewhere (a sign(g) update would not pass a NaN on).
  virtual bool non_finite_gradients_reach_theta() const { return false; }
  // How many step() calls so far (Adam's t).
  std::size_t steps() const noexcept { return steps_; }
  // The learning rate η in force for the next step (PyTorch's param_groups[0]["lr"]). A schedule
  // changes it between steps; set_learning_rate() refuses a negative or non-finite rate
  // (std::invalid_argument).
  double learning_rate() const noexcept { return learning_rate_; }
  void set_learning_rate(double eta);
  // The η the last step() used (0 before the first).
  double last_learning_rate() const noexcept { return last_learning_rate_; }
  // Δθ applied to parameters[i] by the last step() (zeros for a frozen parameter).
  const Matrix& last_update(std::size_t i) const;
  // The same for the parameter called `name` ("layers[0].W"); std::out_of_range naming an unknown
  // one and listing the parameters it knows.
  const Matrix& last_update(std::string_view name) const;
  // The state kept for parameters[i] after the last step(), by the algorithm's names.
  virtual OptimizerState state(std::size_t i) const;

  virtual std::unique_ptr<Optimizer> clone() const = 0;

protected:
  explicit Optimizer(double eta) { set_learning_rate(eta); }
  // Called once per step() before the parameters, with t = steps() already counting this step.
  virtual void begin_step() {}
  // Δθ for parameters[i]: write it into `delta` (already shaped like θ). State for parameter i lives
  // in the subclass, sized on first use. η is learning_rate(), read at every step.
  virtual void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) = 0;
  // compute_update(), then θ ← θ + Δθ; returns whether every new θ is finite. An optimizer whose
  // update is one simple loop (SGD) overrides it to do both in one pass over the numbers.
  virtual bool apply_update(std::size_t i, Matrix& theta, const Matrix& grad, Matrix& delta);

private:
  bool values_finite_ = true;
  std::size_t steps_ = 0;
  double learning_rate_ = 0;
  double last_learning_rate_ = 0;
  std::vector<std::string> names_;  // the parameters of the first step, to check later steps
  std::vector<Matrix> updates_;     // Δθ of the last step, per parameter
};

// Per-parameter state of the optimizers below: created at the parameter's first update, so a
// parameter that is never updated (frozen) has none; t counts that parameter's updates.
template <class PerParameter>
class StateList {
public:
  // The state of parameter i, created (by PerParameter(θ)) at its first use.
  PerParameter& at(std::size_t i, const Matrix& theta) {
    if (states_.size() <= i) states_.resize(i + 1);
    if (!states_[i]) states_[i].emplace(theta);
    return *states_[i];
  }
  const PerParameter* find(std::size_t i) const { return i < states_.size() && states_[i] ? &*states_[i] : nullptr; }

private:
  std::vector<std::optional<PerParameter>> states_;
};

// ---- SGD ----------------------------------------------------------------------------------------
// torch.optim.SGD. μ = momentum, τ = dampening:
//   g ← dθ + λθ
//   b₁ = g ;  bₜ = μ·bₜ₋₁ + (1 − τ)·g        (when μ ≠ 0)
//   g ← g + μ·bₜ (Nesterov)  or  g ← bₜ
//   Δθ = −η·g
// With the defaults (μ = 0, λ = 0) it is plain gradient descent, Δθ = −η·dθ. State: "b" (momentum).
struct SGDSettings {
  double momentum = 0;      // μ ≥ 0
  double dampening = 0;     // τ in [0, 1]
  bool nesterov = false;    // needs μ > 0 and τ = 0 (PyTorch refuses it otherwise; so do we)
  double weight_decay = 0;  // λ ≥ 0
};

class SGD final : public Optimizer {
public:
  // η > 0; bad settings throw std::invalid_argument naming them.
  explicit SGD(double eta, SGDSettings settings = {});
  std::string describe() const override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<SGD>(*this); }
  bool non_finite_gradients_reach_theta() const override { return true; }
  OptimizerState state(std::size_t i) const override;

protected:
  void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) override;
  bool apply_update(std::size_t i, Matrix& theta, const Matrix& grad, Matrix& delta) override;  // one pass

private:
  // The update's loop, shared: Δθ into delta, and with theta_out also θ ← θ + Δθ in the same pass.
  bool update_pass(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta, Matrix* theta_out);
  struct PerParameter {
    explicit PerParameter(const Matrix& theta) : b(theta.rows(), theta.cols()) {}
    std::size_t t = 0;
    Matrix b;  // the momentum buffer
  };
  SGDSettings settings_;
  StateList<PerParameter> states_;
};

// ---- Adagrad ------------------------------------------------------------------------------------
// torch.optim.Adagrad:
//   η̃ = η / (1 + (t − 1)·lr_decay)
//   g ← dθ + λθ
//   sumₜ = sumₜ₋₁ + g²                        (sum₀ = initial_accumulator_value)
//   Δθ = −η̃·g / (√sumₜ + ε)                   (ε outside the root)
// State: "sum" (PyTorch's state_sum) and "lr" (η̃).
struct AdagradSettings {
  double learning_rate = 1e-2;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
};

class Adagrad final : public Optimizer {
public:
  explicit Adagrad(AdagradSettings settings = {});
  std::string describe() const override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Adagrad>(*this); }
  bool non_finite_gradients_reach_theta() const override { return true; }
  OptimizerState state(std::size_t i) const override;

protected:
  void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) override;

private:
  struct PerParameter {
    explicit PerParameter(const Matrix& theta) : sum(theta.rows(), theta.cols()) {}
    std::size_t t = 0;
    Matrix sum;  // sum₀ = initial_accumulator_value, filled at the first update
    double lr = 0;  // η̃ of the last update
  };
  AdagradSettings settings_;
  StateList<PerParameter> states_;
};

// ---- Adadelta -----------------------------------------------------------------------------------
// torch.optim.Adadelta (ε inside both roots):
//   g ← dθ + λθ
//   vₜ = ρ·vₜ₋₁ + (1 − ρ)·g²                   (running average of g²)
//   Δxₜ = √(uₜ₋₁ + ε) / √(vₜ + ε) · g
//   uₜ = ρ·uₜ₋₁ + (1 − ρ)·Δxₜ²                 (running average of Δx²)
//   Δθ = −η·Δxₜ
// State: "v" (PyTorch's square_avg) and "u" (acc_delta).
struct AdadeltaSettings {
  double learning_rate = 1.0;
  double rho = 0.9;
  double eps = 1e-6;
  double weight_decay = 0;
};

class Adadelta final : public Optimizer {
public:
  explicit Adadelta(AdadeltaSettings settings = {});
  std::string describe() const override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Adadelta>(*this); }
  bool non_finite_gradients_reach_theta() const override { return true; }
  OptimizerState state(std::size_t i) const override;

protected:
  void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) override;

private:
  struct PerParameter {
    explicit PerParameter(const Matrix& theta) : v(theta.rows(), theta.cols()), u(theta.rows(), theta.cols()) {}
    std::size_t t = 0;
    Matrix v, u;
  };
  AdadeltaSettings settings_;
  StateList<PerParameter> states_;
};

// ---- RMSprop ------------------------------------------------------------------------------------
// torch.optim.RMSprop (ε outside the root):
//   g ← dθ + λθ
//   vₜ = α·vₜ₋₁ + (1 − α)·g²
//   ṽ = vₜ ;  centered: g_aveₜ = α·g_aveₜ₋₁ + (1 − α)·g,  ṽ = vₜ − g_aveₜ²
//   μ > 0: bₜ = μ·bₜ₋₁ + g / (√ṽ + ε),  Δθ = −η·bₜ ;  else Δθ = −η·g / (√ṽ + ε)
// State: "v" (square_avg), "g_ave" (centered), "b" (momentum > 0).
struct RMSpropSettings {
  double learning_rate = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;
};

class RMSprop final : public Optimizer {
public:
  explicit RMSprop(RMSpropSettings settings = {});
  std::string describe() const override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<RMSprop>(*this); }
  bool non_finite_gradients_reach_theta() const override { return true; }
  OptimizerState state(std::size_t i) const override;

protected:
  void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) override;

private:
  struct PerParameter {
    explicit PerParameter(const Matrix& theta)
        : v(theta.rows(), theta.cols()), g_ave(theta.rows(), theta.cols()), b(theta.rows(), theta.cols()) {}
    std::size_t t = 0;
    Matrix v, g_ave, b;
  };
  RMSpropSettings settings_;
  StateList<PerParameter> states_;
};

// ---- Adam and AdamW -----------------------------------------------------------------------------
// torch.optim.Adam, and torch.optim.AdamW with its decoupled weight decay:
//   Adam:  g ← dθ + λθ        AdamW:  θ ← θ − η·λ·θ first (g = dθ)
//   mₜ = β₁·mₜ₋₁ + (1 − β₁)·g ;  vₜ = β₂·vₜ₋₁ + (1 − β₂)·g²
//   m̂ = mₜ / (1 − β₁ᵗ)
//   v̂ = vₜ / (1 − β₂ᵗ) ;  AMSGrad: vₜᵐᵃˣ = max(vₜ₋₁ᵐᵃˣ, vₜ), v̂ = vₜᵐᵃˣ / (1 − β₂ᵗ)
//   Δθ = −η·m̂ / (√v̂ + ε)                     (for AdamW, plus the decay step's −η·λ·θ)
// State: "m", "v", "v_max" (AMSGrad), "m_hat", "v_hat", "denominator" (√v̂ + ε).
struct AdamSettings {
  double learning_rate = 1e-3;
  std::array<double, 2> betas{0.9, 0.999};  // β₁, β₂, each in [0, 1)
  double eps = 1e-8;
  double weight_decay = 0;  // Adam: L2 added to the gradient ("coupled")
  bool amsgrad = false;
};
// AdamW is Adam with the decay decoupled, and its default λ = 10⁻².
struct AdamWSettings {
  double learning_rate = 1e-3;
  std::array<double, 2> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
};

class Adam : public Optimizer {
public:
  explicit Adam(AdamSettings settings = {});
  std::string describe() const override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Adam>(*this); }
  bool non_finite_gradients_reach_theta() const override { return true; }
  OptimizerState state(std::size_t i) const override;

protected:
  Adam(AdamSettings settings, bool decoupled);
  void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) override;

private:
  struct PerParameter {
    explicit PerParameter(const Matrix& theta)
        : m(theta.rows(), theta.cols()), v(theta.rows(), theta.cols()), m_hat(theta.rows(), theta.cols()),
          v_hat(theta.rows(), theta.cols()), denominator(theta.rows(), theta.cols()) {}
    std::size_t t = 0;
    double beta1_power = 1, beta2_power = 1;  // β₁ᵗ, β₂ᵗ as running products
    Matrix m, v, v_max, m_hat, v_hat, denominator;
  };
  AdamSettings settings_;
  bool decoupled_;
  StateList<PerParameter> states_;
};

class AdamW final : public Adam {
public:
  explicit AdamW(AdamWSettings settings = {});
  std::string describe() const override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<AdamW>(*this); }
};

// ---- Adamax -------------------------------------------------------------------------------------
// torch.optim.Adamax (Adam with the infinity norm):
//   g ← dθ + λθ
//   mₜ = β₁·mₜ₋₁ + (1 − β₁)·g
//   uₜ = max(β₂·uₜ₋₁, |g| + ε)
//   Δθ = −η·mₜ / ((1 − β₁ᵗ)·uₜ)
// State: "m" (exp_avg), "u" (exp_inf).
struct AdamaxSettings {
  double learning_rate = 2e-3;
  std::array<double, 2> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
};

class Adamax final : public Optimizer {
public:
  explicit Adamax(AdamaxSettings settings = {});
  std::string describe() const override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Adamax>(*this); }
  bool non_finite_gradients_reach_theta() const override { return true; }
  OptimizerState state(std::size_t i) const override;

protected:
  void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) override;

private:
  struct PerParameter {
    explicit PerParameter(const Matrix& theta) : m(theta.rows(), theta.cols()), u(theta.rows(), theta.cols()) {}
    std::size_t t = 0;
    double beta1_power = 1;
    Matrix m, u;
  };
  AdamaxSettings settings_;
  StateList<PerParameter> states_;
};

// ---- NAdam --------------------------------------------------------------------------------------
// torch.optim.NAdam (Adam with Nesterov momentum), ψ = momentum_decay:
//   g ← dθ + λθ         (decoupled_weight_decay: θ ← θ − η·λ·θ first instead)
//   μₜ = β₁·(1 − ½·0.96^(t·ψ)) ;  μₜ₊₁ = β₁·(1 − ½·0.96^((t+1)·ψ))
//   mₜ = β₁·mₜ₋₁ + (1 − β₁)·g ;  vₜ = β₂·vₜ₋₁ + (1 − β₂)·g²
//   m̂ = μₜ₊₁·mₜ / (1 − ∏ᵢ₌₁ᵗ⁺¹ μᵢ) + (1 − μₜ)·g / (1 − ∏ᵢ₌₁ᵗ μᵢ)
//   v̂ = vₜ / (1 − β₂ᵗ)
//   Δθ = −η·m̂ / (√v̂ + ε)
// State: "m", "v", "m_hat", "v_hat", "denominator", and the numbers "mu_t", "mu_next",
// "mu_product" (∏ᵢ₌₁ᵗ μᵢ).
struct NAdamSettings {
  double learning_rate = 2e-3;
  std::array<double, 2> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum_decay = 4e-3;
  bool decoupled_weight_decay = false;
};

class NAdam final : public Optimizer {
public:
  explicit NAdam(NAdamSettings settings = {});
  std::string describe() const override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<NAdam>(*this); }
  bool non_finite_gradients_reach_theta() const override { return true; }
  OptimizerState state(std::size_t i) const override;

protected:
  void compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) override;

private:
  struct PerParameter {
    explicit PerParameter(const Matrix& theta)
        : m(theta.rows(), theta.cols()), v(theta.rows(), theta.cols()), m_hat(theta.rows(), theta.cols()),
          v_hat(theta.rows(), theta.cols()), denominator(theta.rows(), theta.cols()) {}
    std::size_t t = 0;
    double beta2_power = 1;
    double mu_t = 0, mu_next = 0, mu_product = 1;
    Matrix m, v, m_hat, v_hat, denominator;
  };
  NAdamSettings settings_;
  StateList<PerParameter> states_;
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
  std::size_t state_matrices;              // at most this many θ-shaped matrices kept per parameter (memory estimates)
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
