// glassbox/train/optimizers.cpp — the update loop every optimizer shares, each optimizer's rule, and
// the table of them by name.
#include "glassbox/train/optimizers.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "glassbox/core/options.hpp"
#include "glassbox/core/text.hpp"
#include "update_blocks.hpp"

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
  last_learning_rate_ = learning_rate_;
  begin_step();
  values_finite_ = true;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const ParameterRef& p = parameters[i];
    if (p.frozen) {
      updates_[i].fill(Scalar{0});
      continue;
    }
    values_finite_ = apply_update(i, p.value, p.grad, updates_[i]) && values_finite_;
  }
}

namespace {

// Whether x is NaN or ±Inf, as 0 or 1, without a branch: all_finite()'s test (core/matrix.cpp), for
// one element, so that a loop can or it into a flag while it writes the element.
std::uint64_t non_finite_bit(double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return ((bits & 0x7ff0000000000000) + 0x0010000000000000) >> 63;
}

}  // namespace

// θ ← θ + Δθ, checking each new θ as it is written.
bool Optimizer::apply_update(std::size_t i, Matrix& theta, const Matrix& grad, Matrix& delta) {
  compute_update(i, theta, grad, delta);
  Scalar* t = theta.data();
  const Scalar* d = delta.data();
  std::atomic<std::uint64_t> any_non_finite{0};
  detail::for_each_update_block(theta, [&](std::size_t begin, std::size_t end) {
    std::uint64_t bad = 0;
    for (std::size_t k = begin; k < end; ++k) {
      t[k] += d[k];
      bad |= non_finite_bit(t[k]);
    }
    if (bad) any_non_finite.fetch_or(bad, std::memory_order_relaxed);
  });
  return any_non_finite.load(std::memory_order_relaxed) == 0;
}

void Optimizer::set_learning_rate(double eta) {
  if (!(eta >= 0) || !std::isfinite(eta))
    throw std::invalid_argument(fmt::format("the learning rate must be a number ≥ 0, got {}", eta));
  learning_rate_ = eta;
}

const Matrix& Optimizer::last_update(std::size_t i) const {
  if (i >= updates_.size())
    throw std::out_of_range(fmt::format("{}: last_update({}): {} parameters updated so far", describe(), i,
                                        updates_.size()));
  return updates_[i];
}

const Matrix& Optimizer::last_update(std::string_view name) const {
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it != names_.end()) return updates_[static_cast<std::size_t>(it - names_.begin())];
  if (names_.empty())
    throw std::out_of_range(fmt::format("{}: last_update(\"{}\"): no parameters updated so far", describe(), name));
  std::string detail = fmt::format("{}: last_update(\"{}\"): no parameter \"{}\"", describe(), name, name);
  if (auto near = did_you_mean(name, names_)) detail += fmt::format(" (did you mean \"{}\"?)", *near);
  throw std::out_of_range(fmt::format("{}; the parameters are {}", detail, fmt::join(names_, ", ")));
}

OptimizerState Optimizer::state(std::size_t) const { return {}; }

// ---- OptimizerState -----------------------------------------------------------------------------

bool OptimizerState::has(std::string_view name) const noexcept {
  for (const auto& [n, m] : matrices)
    if (n == name) return true;
  for (const auto& [n, x] : numbers)
    if (n == name) return true;
  return false;
}

namespace {
[[noreturn]] void no_such_state(const OptimizerState& state, std::string_view name) {
  std::vector<std::string> names;
  for (const auto& [n, m] : state.matrices) names.push_back(n);
  for (const auto& [n, x] : state.numbers) names.push_back(n);
  throw std::out_of_range(fmt::format("optimizer state: no \"{}\" (there {}: {})", name,
                                      names.empty() ? "is none" : "are", fmt::join(names, ", ")));
}
}  // namespace

const Matrix& OptimizerState::matrix(std::string_view name) const {
  for (const auto& [n, m] : matrices)
    if (n == name) return m;
  no_such_state(*this, name);
}

double OptimizerState::number(std::string_view name) const {
  for (const auto& [n, x] : numbers)
    if (n == name) return x;
  no_such_state(*this, name);
}

// ---- SGD ----------------------------------------------------------------------------------------

SGD::SGD(double eta, SGDSettings settings) : Optimizer(eta), settings_(settings) {
  if (!(eta > 0) || !std::isfinite(eta))
    throw std::invalid_argument(fmt::format("SGD: the learning rate must be a positive number, got {}", eta));
  const SGDSettings& s = settings_;
  if (!(s.momentum >= 0) || !std::isfinite(s.momentum))
    throw std::invalid_argument(fmt::format("SGD: momentum must be a number ≥ 0, got {}", s.momentum));
  if (!(s.dampening >= 0 && s.dampening <= 1))
    throw std::invalid_argument(fmt::format("SGD: dampening must be a number in [0, 1], got {}", s.dampening));
  if (!(s.weight_decay >= 0) || !std::isfinite(s.weight_decay))
    throw std::invalid_argument(fmt::format("SGD: weight_decay must be a number ≥ 0, got {}", s.weight_decay));
  if (s.nesterov && (s.momentum <= 0 || s.dampening != 0))
    throw std::invalid_argument(fmt::format("SGD: Nesterov momentum needs momentum > 0 and dampening 0, got "
                                            "momentum {} and dampening {}",
                                            s.momentum, s.dampening));
}

std::string SGD::describe() const {
  const SGDSettings& s = settings_;
  std::string text = fmt::format("SGD(η={}", learning_rate());
  if (s.momentum != 0) text += fmt::format(", μ={}", s.momentum);
  if (s.dampening != 0) text += fmt::format(", dampening={}", s.dampening);
  if (s.nesterov) text += ", Nesterov";
  if (s.weight_decay != 0) text += fmt::format(", λ={}", s.weight_decay);
  return text + ")";
}

// g ← dθ + λθ ;  b₁ = g, bₜ = μ·bₜ₋₁ + (1 − τ)·g ;  g ← g + μ·bₜ (Nesterov) or bₜ ;  Δθ = −η·g
// With `theta_out`, θ ← θ + Δθ too, in the same pass (returning whether every new θ is finite):
// one pass over the numbers instead of two, the same arithmetic.
bool SGD::update_pass(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta, Matrix* theta_out) {
  const double eta = learning_rate();
  const double lambda = settings_.weight_decay, mu = settings_.momentum, tau = settings_.dampening;
  PerParameter* state = mu != 0 ? &states_.at(i, theta) : nullptr;  // plain SGD keeps nothing
  if (state) ++state->t;
  if (!state && lambda == 0 && theta_out) {
    // Plain SGD applied in place, the common case of a long run: the same two roundings per element
    // as the general loop below (Δθ = −η·g, then θ + Δθ), in the kernel's loop for the SIMD width
    // in use, without branches.
    const Scalar* g = grad.data();
    Scalar* d = delta.data();
    Scalar* t = theta_out->data();
    std::atomic<bool> all_finite{true};
    detail::for_each_update_block(grad, [&](std::size_t begin, std::size_t end) {
      if (!kernel::scaled_step(-eta, g + begin, d + begin, t + begin, end - begin))
        all_finite.store(false, std::memory_order_relaxed);
    });
    return all_finite.load(std::memory_order_relaxed);
  }
  std::atomic<std::uint64_t> any_non_finite{0};
  detail::for_each_update_block(grad, [&](std::size_t begin, std::size_t end) {
    std::uint64_t bad = 0;
    for (std::size_t k = begin; k < end; ++k) {
      double g = grad.data()[k];
      if (lambda != 0) g += lambda * theta.data()[k];
      if (state) {
        double& b = state->b.data()[k];
        b = state->t == 1 ? g : mu * b + (1 - tau) * g;
        g = settings_.nesterov ? g + mu * b : b;
      }
      delta.data()[k] = -eta * g;
      if (theta_out) {
        Scalar& t = theta_out->data()[k];
        t += delta.data()[k];
        bad |= non_finite_bit(t);
      }
    }
    if (bad) any_non_finite.fetch_or(bad, std::memory_order_relaxed);
  });
  return any_non_finite.load(std::memory_order_relaxed) == 0;
}

void SGD::compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) {
  update_pass(i, theta, grad, delta, nullptr);
}

bool SGD::apply_update(std::size_t i, Matrix& theta, const Matrix& grad, Matrix& delta) {
  return update_pass(i, theta, grad, delta, &theta);
}

OptimizerState SGD::state(std::size_t i) const {
  const PerParameter* s = states_.find(i);
  if (!s) return {};
  return {{{"b", s->b}}, {}};
}

// ---- by name ------------------------------------------------------------------------------------

namespace {

// The settings every optimizer with PyTorch's defaults shares, as the table lists them.
OptimizerSetting rate_setting(double fallback) { return {"learning_rate", "a number > 0", "η", fallback}; }
const OptimizerSetting weight_decay_setting{"weight_decay", "a number ≥ 0", "λ, L2 added to the gradient", 0.0};
OptimizerSetting eps_setting(double fallback, const char* where) { return {"eps", "a number ≥ 0", where, fallback}; }
const OptimizerSetting betas_setting{"betas", "an array of two numbers, each in [0, 1)", "[β₁, β₂]",
                                     Json::array({0.9, 0.999})};

std::array<double, 2> betas_of(const Json& s, const char* owner) {
  return unit_interval_pair_setting(s, owner, "betas", {0.9, 0.999});
}

std::unique_ptr<Optimizer> make_sgd(const Json& s) {
  const char* owner = "optimizer sgd";
  SGDSettings c;
  c.momentum = nonnegative_setting(s, owner, "momentum", 0);
  c.dampening = unit_interval_setting(s, owner, "dampening", 0, /*one_allowed=*/true);
  c.nesterov = bool_setting(s, owner, "nesterov", false);
  c.weight_decay = nonnegative_setting(s, owner, "weight_decay", 0);
  if (c.nesterov && (c.momentum <= 0 || c.dampening != 0))  // as PyTorch refuses it
    throw SettingError(owner, "nesterov", "false unless momentum > 0 and dampening is 0 (Nesterov momentum needs both)",
                       "true");
  return std::make_unique<SGD>(positive_setting(s, owner, "learning_rate"), c);
}

std::unique_ptr<Optimizer> make_adagrad(const Json& s) {
  const char* owner = "optimizer adagrad";
  AdagradSettings c;
  c.learning_rate = positive_setting(s, owner, "learning_rate", c.learning_rate);
  c.lr_decay = nonnegative_setting(s, owner, "lr_decay", c.lr_decay);
  c.weight_decay = nonnegative_setting(s, owner, "weight_decay", c.weight_decay);
  c.initial_accumulator_value = nonnegative_setting(s, owner, "initial_accumulator_value", c.initial_accumulator_value);
  c.eps = nonnegative_setting(s, owner, "eps", c.eps);
  return std::make_unique<Adagrad>(c);
}

std::unique_ptr<Optimizer> make_adadelta(const Json& s) {
  const char* owner = "optimizer adadelta";
  AdadeltaSettings c;
  c.learning_rate = positive_setting(s, owner, "learning_rate", c.learning_rate);
  c.rho = unit_interval_setting(s, owner, "rho", c.rho, /*one_allowed=*/true);
  c.eps = nonnegative_setting(s, owner, "eps", c.eps);
  c.weight_decay = nonnegative_setting(s, owner, "weight_decay", c.weight_decay);
  return std::make_unique<Adadelta>(c);
}

std::unique_ptr<Optimizer> make_rmsprop(const Json& s) {
  const char* owner = "optimizer rmsprop";
  RMSpropSettings c;
  c.learning_rate = positive_setting(s, owner, "learning_rate", c.learning_rate);
  c.alpha = unit_interval_setting(s, owner, "alpha", c.alpha, /*one_allowed=*/true);
  c.eps = nonnegative_setting(s, owner, "eps", c.eps);
  c.weight_decay = nonnegative_setting(s, owner, "weight_decay", c.weight_decay);
  c.momentum = nonnegative_setting(s, owner, "momentum", c.momentum);
  c.centered = bool_setting(s, owner, "centered", c.centered);
  return std::make_unique<RMSprop>(c);
}

std::unique_ptr<Optimizer> make_adam(const Json& s) {
  const char* owner = "optimizer adam";
  AdamSettings c;
  c.learning_rate = positive_setting(s, owner, "learning_rate", c.learning_rate);
  c.betas = betas_of(s, owner);
  c.eps = nonnegative_setting(s, owner, "eps", c.eps);
  c.weight_decay = nonnegative_setting(s, owner, "weight_decay", c.weight_decay);
  c.amsgrad = bool_setting(s, owner, "amsgrad", c.amsgrad);
  return std::make_unique<Adam>(c);
}

std::unique_ptr<Optimizer> make_adamw(const Json& s) {
  const char* owner = "optimizer adamw";
  AdamWSettings c;
  c.learning_rate = positive_setting(s, owner, "learning_rate", c.learning_rate);
  c.betas = betas_of(s, owner);
  c.eps = nonnegative_setting(s, owner, "eps", c.eps);
  c.weight_decay = nonnegative_setting(s, owner, "weight_decay", c.weight_decay);
  c.amsgrad = bool_setting(s, owner, "amsgrad", c.amsgrad);
  return std::make_unique<AdamW>(c);
}

std::unique_ptr<Optimizer> make_adamax(const Json& s) {
  const char* owner = "optimizer adamax";
  AdamaxSettings c;
  c.learning_rate = positive_setting(s, owner, "learning_rate", c.learning_rate);
  c.betas = betas_of(s, owner);
  c.eps = nonnegative_setting(s, owner, "eps", c.eps);
  c.weight_decay = nonnegative_setting(s, owner, "weight_decay", c.weight_decay);
  return std::make_unique<Adamax>(c);
}

std::unique_ptr<Optimizer> make_nadam(const Json& s) {
  const char* owner = "optimizer nadam";
  NAdamSettings c;
  c.learning_rate = positive_setting(s, owner, "learning_rate", c.learning_rate);
  c.betas = betas_of(s, owner);
  c.eps = nonnegative_setting(s, owner, "eps", c.eps);
  c.weight_decay = nonnegative_setting(s, owner, "weight_decay", c.weight_decay);
  c.momentum_decay = nonnegative_setting(s, owner, "momentum_decay", c.momentum_decay);
  c.decoupled_weight_decay = bool_setting(s, owner, "decoupled_weight_decay", c.decoupled_weight_decay);
  return std::make_unique<NAdam>(c);
}

}  // namespace

const std::vector<OptimizerEntry>& optimizer_table() {
  static const std::vector<OptimizerEntry> table = {
      {"sgd",
       "g = dθ + λθ; b₁ = g, bₜ = μ·bₜ₋₁ + (1 − τ)·g; Δθ = −η·bₜ, or −η·(g + μ·bₜ) with Nesterov (μ = 0: Δθ = −η·g)",
       {{"learning_rate", "a number > 0", "η", nullptr},
        {"momentum", "a number ≥ 0", "μ", 0.0},
        {"dampening", "a number in [0, 1]", "τ", 0.0},
        {"nesterov", "true or false", "Nesterov momentum", false},
        weight_decay_setting},
       1,
       make_sgd},
      {"adagrad",
       "η̃ = η/(1 + (t − 1)·lr_decay); sumₜ = sumₜ₋₁ + g²; Δθ = −η̃·g/(√sumₜ + ε)",
       {rate_setting(1e-2),
        {"lr_decay", "a number ≥ 0", "the decay of η̃ with t", 0.0},
        weight_decay_setting,
        {"initial_accumulator_value", "a number ≥ 0", "sum₀", 0.0},
        eps_setting(1e-10, "ε, outside the root")},
       1,
       make_adagrad},
      {"adadelta",
       "vₜ = ρ·vₜ₋₁ + (1 − ρ)·g²; Δx = √(uₜ₋₁ + ε)/√(vₜ + ε)·g; uₜ = ρ·uₜ₋₁ + (1 − ρ)·Δx²; Δθ = −η·Δx",
       {rate_setting(1.0),
        {"rho", "a number in [0, 1]", "ρ, the fraction kept of the running averages", 0.9},
        eps_setting(1e-6, "ε, inside both roots"),
        weight_decay_setting},
       2,
       make_adadelta},
      {"rmsprop",
       "vₜ = α·vₜ₋₁ + (1 − α)·g²; ṽ = vₜ (centered: − g_aveₜ²); Δθ = −η·g/(√ṽ + ε), or with momentum "
       "bₜ = μ·bₜ₋₁ + g/(√ṽ + ε), Δθ = −η·bₜ",
       {rate_setting(1e-2),
        {"alpha", "a number in [0, 1]", "α, the fraction kept of the running average of g²", 0.99},
        eps_setting(1e-8, "ε, outside the root"),
        weight_decay_setting,
        {"momentum", "a number ≥ 0", "μ", 0.0},
        {"centered", "true or false", "divide by the variance of g instead of its mean square", false}},
       3,
       make_rmsprop},
      {"adam",
       "mₜ = β₁·mₜ₋₁ + (1 − β₁)·g; vₜ = β₂·vₜ₋₁ + (1 − β₂)·g²; m̂ = mₜ/(1 − β₁ᵗ); v̂ = vₜ/(1 − β₂ᵗ) "
       "(AMSGrad: max(vₜ₋₁ᵐᵃˣ, vₜ)/(1 − β₂ᵗ)); Δθ = −η·m̂/(√v̂ + ε)",
       {rate_setting(1e-3),
        betas_setting,
        eps_setting(1e-8, "ε, outside the root"),
        weight_decay_setting,
        {"amsgrad", "true or false", "divide by the running maximum of v (AMSGrad)", false}},
       6,
       make_adam},
      {"adamw",
       "θ ← θ − η·λ·θ; then Adam's step with g = dθ: Δθ = −η·m̂/(√v̂ + ε)",
       {rate_setting(1e-3),
        betas_setting,
        eps_setting(1e-8, "ε, outside the root"),
        {"weight_decay", "a number ≥ 0", "λ, decoupled: θ shrinks by η·λ·θ", 1e-2},
        {"amsgrad", "true or false", "divide by the running maximum of v (AMSGrad)", false}},
       6,
       make_adamw},
      {"adamax",
       "mₜ = β₁·mₜ₋₁ + (1 − β₁)·g; uₜ = max(β₂·uₜ₋₁, |g| + ε); Δθ = −η·mₜ/((1 − β₁ᵗ)·uₜ)",
       {rate_setting(2e-3), betas_setting, eps_setting(1e-8, "ε, added to |g|"), weight_decay_setting},
       2,
       make_adamax},
      {"nadam",
       "μₜ = β₁·(1 − ½·0.96^(t·ψ)); m̂ = μₜ₊₁·mₜ/(1 − ∏ᵢ₌₁ᵗ⁺¹ μᵢ) + (1 − μₜ)·g/(1 − ∏ᵢ₌₁ᵗ μᵢ); "
       "v̂ = vₜ/(1 − β₂ᵗ); Δθ = −η·m̂/(√v̂ + ε)",
       {rate_setting(2e-3),
        betas_setting,
        eps_setting(1e-8, "ε, outside the root"),
        weight_decay_setting,
        {"momentum_decay", "a number ≥ 0", "ψ", 4e-3},
        {"decoupled_weight_decay", "true or false", "shrink θ by η·λ·θ instead of adding λθ to g", false}},
       5,
       make_nadam},
  };
  return table;
}

std::vector<std::string> optimizer_names() {
  std::vector<std::string> names;
  for (const OptimizerEntry& e : optimizer_table()) names.emplace_back(e.name);
  return names;
}

const OptimizerEntry& optimizer_entry(std::string_view name) {
  for (const OptimizerEntry& e : optimizer_table())
    if (name == e.name) return e;
  throw InputError(fmt::format("unknown optimizer \"{}\" (known: {})", name, fmt::join(optimizer_names(), ", ")));
}

std::unique_ptr<Optimizer> make_optimizer(std::string_view name, const Json& settings) {
  const OptimizerEntry& entry = optimizer_entry(name);
  const std::string owner = fmt::format("optimizer {}", entry.name);
  if (!settings.is_null() && !settings.is_object())
    throw InputError(fmt::format("{}: settings must be a JSON object, got {}", owner, settings.dump()));
  std::vector<std::string> keys;
  for (const OptimizerSetting& s : entry.settings) keys.emplace_back(s.key);
  if (settings.is_object())
    for (const auto& item : settings.items())
      if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) {
        std::string detail = fmt::format("{}: unknown option \"{}\"", owner, item.key());
        if (auto near = did_you_mean(item.key(), keys)) detail += fmt::format(" (did you mean \"{}\"?)", *near);
        throw InputError(fmt::format("{}; known: {}", detail, fmt::join(keys, ", ")));
      }
  Json completed = Json::object();  // every setting, given or default
  for (const OptimizerSetting& s : entry.settings) {
    if (settings.is_object() && settings.contains(s.key))
      completed[s.key] = settings.at(s.key);
    else if (!s.fallback.is_null())
      completed[s.key] = s.fallback;
    else
      throw InputError(fmt::format("{}: missing option \"{}\": expected {} ({})", owner, s.key, s.expected, s.meaning));
  }
  return entry.make(completed);
}

}  // namespace glassbox
