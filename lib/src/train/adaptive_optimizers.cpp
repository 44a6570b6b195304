// glassbox/train/adaptive_optimizers.cpp — the optimizers that scale each element's step by what they
// have seen of its gradient: Adagrad, Adadelta, RMSprop, Adam and AdamW, Adamax, NAdam. Each
// compute_update follows the algorithm box of PyTorch's documentation line by line, element by
// element (k runs over the elements of θ; g, m, v… are that element's).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "glassbox/core/portable_math.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/train/optimizers.hpp"
#include "update_blocks.hpp"

namespace glassbox {

namespace {

// Constructors refuse settings the algorithm cannot use (std::invalid_argument naming them).
void require(bool ok, std::string_view optimizer, std::string_view key, std::string_view allowed, double got) {
  if (!ok) throw std::invalid_argument(fmt::format("{}: {} must be {}, got {}", optimizer, key, allowed, got));
}
void require_rate(std::string_view optimizer, double eta) {
  require(eta > 0 && std::isfinite(eta), optimizer, "the learning rate", "a positive number", eta);
}
void require_nonnegative(std::string_view optimizer, std::string_view key, double x) {
  require(x >= 0 && std::isfinite(x), optimizer, key, "a number ≥ 0", x);
}
void require_betas(std::string_view optimizer, const std::array<double, 2>& betas) {
  require(betas[0] >= 0 && betas[0] < 1, optimizer, "β₁", "a number in [0, 1)", betas[0]);
  require(betas[1] >= 0 && betas[1] < 1, optimizer, "β₂", "a number in [0, 1)", betas[1]);
}

}  // namespace

// ---- Adagrad ------------------------------------------------------------------------------------

Adagrad::Adagrad(AdagradSettings settings) : Optimizer(settings.learning_rate), settings_(settings) {
  require_rate("Adagrad", settings.learning_rate);
  require_nonnegative("Adagrad", "lr_decay", settings.lr_decay);
  require_nonnegative("Adagrad", "weight_decay", settings.weight_decay);
  require_nonnegative("Adagrad", "initial_accumulator_value", settings.initial_accumulator_value);
  require_nonnegative("Adagrad", "eps", settings.eps);
}

std::string Adagrad::describe() const {
  return fmt::format("Adagrad(η={}, lr_decay={}, ε={})", learning_rate(), settings_.lr_decay, settings_.eps);
}

void Adagrad::compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) {
  const AdagradSettings& c = settings_;
  PerParameter& s = states_.at(i, theta);
  if (s.t == 0) s.sum.fill(c.initial_accumulator_value);
  ++s.t;
  // η̃ = η / (1 + (t − 1)·lr_decay)
  s.lr = learning_rate() / (1 + static_cast<double>(s.t - 1) * c.lr_decay);
  detail::for_each_update_block(grad, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) {
      double g = grad.data()[k];
      if (c.weight_decay != 0) g += c.weight_decay * theta.data()[k];  // g ← g + λθ
      double& sum = s.sum.data()[k];
      sum += g * g;                                                     // sumₜ = sumₜ₋₁ + g²
      delta.data()[k] = -s.lr * g / (std::sqrt(sum) + c.eps);           // Δθ = −η̃·g / (√sumₜ + ε)
    }
  });
}

OptimizerState Adagrad::state(std::size_t i) const {
  const PerParameter* s = states_.find(i);
  if (!s) return {};
  return {{{"sum", s->sum}}, {{"lr", s->lr}}};
}

// ---- Adadelta -----------------------------------------------------------------------------------

Adadelta::Adadelta(AdadeltaSettings settings) : Optimizer(settings.learning_rate), settings_(settings) {
  require_rate("Adadelta", settings.learning_rate);
  require(settings.rho >= 0 && settings.rho <= 1, "Adadelta", "rho", "a number in [0, 1]", settings.rho);
  require_nonnegative("Adadelta", "eps", settings.eps);
  require_nonnegative("Adadelta", "weight_decay", settings.weight_decay);
}

std::string Adadelta::describe() const {
  return fmt::format("Adadelta(η={}, ρ={}, ε={})", learning_rate(), settings_.rho, settings_.eps);
}

void Adadelta::compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) {
  const AdadeltaSettings& c = settings_;
  const double eta = learning_rate(), rho = c.rho;
  PerParameter& s = states_.at(i, theta);
  ++s.t;
  detail::for_each_update_block(grad, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) {
      double g = grad.data()[k];
      if (c.weight_decay != 0) g += c.weight_decay * theta.data()[k];          // g ← g + λθ
      double& v = s.v.data()[k];
      double& u = s.u.data()[k];
      v = rho * v + (1 - rho) * g * g;                                          // vₜ = ρ·vₜ₋₁ + (1 − ρ)·g²
      const double dx = std::sqrt(u + c.eps) / std::sqrt(v + c.eps) * g;        // Δxₜ = √(uₜ₋₁ + ε)/√(vₜ + ε)·g
      u = rho * u + (1 - rho) * dx * dx;                                        // uₜ = ρ·uₜ₋₁ + (1 − ρ)·Δxₜ²
      delta.data()[k] = -eta * dx;                                              // Δθ = −η·Δxₜ
    }
  });
}

OptimizerState Adadelta::state(std::size_t i) const {
  const PerParameter* s = states_.find(i);
  if (!s) return {};
  return {{{"v", s->v}, {"u", s->u}}, {}};
}

// ---- RMSprop ------------------------------------------------------------------------------------

RMSprop::RMSprop(RMSpropSettings settings) : Optimizer(settings.learning_rate), settings_(settings) {
  require_rate("RMSprop", settings.learning_rate);
  require(settings.alpha >= 0 && settings.alpha <= 1, "RMSprop", "alpha", "a number in [0, 1]", settings.alpha);
  require_nonnegative("RMSprop", "eps", settings.eps);
  require_nonnegative("RMSprop", "weight_decay", settings.weight_decay);
  require_nonnegative("RMSprop", "momentum", settings.momentum);
}

std::string RMSprop::describe() const {
  const RMSpropSettings& c = settings_;
  std::string text = fmt::format("RMSprop(η={}, α={}, ε={}", learning_rate(), c.alpha, c.eps);
  if (c.momentum != 0) text += fmt::format(", μ={}", c.momentum);
  if (c.centered) text += ", centered";
  if (c.weight_decay != 0) text += fmt::format(", λ={}", c.weight_decay);
  return text + ")";
}

void RMSprop::compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) {
  const RMSpropSettings& c = settings_;
  const double eta = learning_rate(), alpha = c.alpha, mu = c.momentum;
  PerParameter& s = states_.at(i, theta);
  ++s.t;
  detail::for_each_update_block(grad, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) {
      double g = grad.data()[k];
      if (c.weight_decay != 0) g += c.weight_decay * theta.data()[k];  // g ← g + λθ
      double& v = s.v.data()[k];
      v = alpha * v + (1 - alpha) * g * g;                              // vₜ = α·vₜ₋₁ + (1 − α)·g²
      double v_tilde = v;
      if (c.centered) {
        double& g_ave = s.g_ave.data()[k];
        g_ave = alpha * g_ave + (1 - alpha) * g;                        // g_aveₜ = α·g_aveₜ₋₁ + (1 − α)·g
        v_tilde -= g_ave * g_ave;                                       // ṽ = vₜ − g_aveₜ²
      }
      if (mu > 0) {
        double& b = s.b.data()[k];
        b = mu * b + g / (std::sqrt(v_tilde) + c.eps);                  // bₜ = μ·bₜ₋₁ + g/(√ṽ + ε)
        delta.data()[k] = -eta * b;                                     // Δθ = −η·bₜ
      } else {
        delta.data()[k] = -eta * g / (std::sqrt(v_tilde) + c.eps);      // Δθ = −η·g/(√ṽ + ε)
      }
    }
  });
}

OptimizerState RMSprop::state(std::size_t i) const {
  const PerParameter* s = states_.find(i);
  if (!s) return {};
  OptimizerState state{{{"v", s->v}}, {}};
  if (settings_.centered) state.matrices.emplace_back("g_ave", s->g_ave);
  if (settings_.momentum > 0) state.matrices.emplace_back("b", s->b);
  return state;
}

// ---- Adam and AdamW -----------------------------------------------------------------------------

Adam::Adam(AdamSettings settings) : Adam(settings, false) {}

Adam::Adam(AdamSettings settings, bool decoupled)
    : Optimizer(settings.learning_rate), settings_(settings), decoupled_(decoupled) {
  const char* name = decoupled ? "AdamW" : "Adam";
  require_rate(name, settings.learning_rate);
  require_betas(name, settings.betas);
  require_nonnegative(name, "eps", settings.eps);
  require_nonnegative(name, "weight_decay", settings.weight_decay);
}

std::string Adam::describe() const {
  const AdamSettings& c = settings_;
  std::string text = fmt::format("Adam(η={}, β=({}, {}), ε={}", learning_rate(), c.betas[0], c.betas[1], c.eps);
  if (c.weight_decay != 0) text += fmt::format(", λ={}", c.weight_decay);
  if (c.amsgrad) text += ", AMSGrad";
  return text + ")";
}

// The AMSGrad maximum follows PyTorch's current box: it is taken over the raw vₜ and then
// bias-corrected, v̂ = max(vₜ₋₁ᵐᵃˣ, vₜ)/(1 − β₂ᵗ) — not the maximum of the corrected v̂ that older
// versions of the box showed (the code always took the raw maximum).
void Adam::compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) {
  const AdamSettings& c = settings_;
  const double eta = learning_rate(), lambda = c.weight_decay;
  const double beta1 = c.betas[0], beta2 = c.betas[1];
  PerParameter& s = states_.at(i, theta);
  if (s.t == 0 && c.amsgrad) s.v_max = Matrix(theta.rows(), theta.cols());
  ++s.t;
  s.beta1_power *= beta1;  // β₁ᵗ
  s.beta2_power *= beta2;  // β₂ᵗ
  detail::for_each_update_block(grad, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) {
      const double theta_k = theta.data()[k];
      double g = grad.data()[k];
      double decay = 0;  // AdamW's decoupled step, −η·λ·θ
      if (decoupled_)
        decay = -eta * lambda * theta_k;                               // θ ← θ − η·λ·θ
      else if (lambda != 0)
        g += lambda * theta_k;                                         // g ← g + λθ
      double& m = s.m.data()[k];
      double& v = s.v.data()[k];
      m = beta1 * m + (1 - beta1) * g;                                 // mₜ = β₁·mₜ₋₁ + (1 − β₁)·g
      v = beta2 * v + (1 - beta2) * g * g;                             // vₜ = β₂·vₜ₋₁ + (1 − β₂)·g²
      const double m_hat = m / (1 - s.beta1_power);                    // m̂ = mₜ/(1 − β₁ᵗ)
      double v_hat = 0;
      if (c.amsgrad) {
        double& v_max = s.v_max.data()[k];
        v_max = std::max(v_max, v);                                    // vₜᵐᵃˣ = max(vₜ₋₁ᵐᵃˣ, vₜ)
        v_hat = v_max / (1 - s.beta2_power);                           // v̂ = vₜᵐᵃˣ/(1 − β₂ᵗ)
      } else {
        v_hat = v / (1 - s.beta2_power);                               // v̂ = vₜ/(1 − β₂ᵗ)
      }
      const double denominator = std::sqrt(v_hat) + c.eps;             // √v̂ + ε
      // AdamW's step is taken from θ after its decay: (θ − η·λ·θ) − η·m̂/(√v̂ + ε).
      delta.data()[k] = decay - eta * m_hat / denominator;
      s.m_hat.data()[k] = m_hat;
      s.v_hat.data()[k] = v_hat;
      s.denominator.data()[k] = denominator;
    }
  });
}

OptimizerState Adam::state(std::size_t i) const {
  const PerParameter* s = states_.find(i);
  if (!s) return {};
  OptimizerState state{{{"m", s->m}, {"v", s->v}}, {}};
  if (settings_.amsgrad) state.matrices.emplace_back("v_max", s->v_max);
  state.matrices.emplace_back("m_hat", s->m_hat);
  state.matrices.emplace_back("v_hat", s->v_hat);
  state.matrices.emplace_back("denominator", s->denominator);
  return state;
}

AdamW::AdamW(AdamWSettings settings)
    : Adam(AdamSettings{settings.learning_rate, settings.betas, settings.eps, settings.weight_decay, settings.amsgrad},
           true) {}

std::string AdamW::describe() const {
  std::string text = Adam::describe();
  return "AdamW" + text.substr(4);
}

// ---- Adamax -------------------------------------------------------------------------------------

Adamax::Adamax(AdamaxSettings settings) : Optimizer(settings.learning_rate), settings_(settings) {
  require_rate("Adamax", settings.learning_rate);
  require_betas("Adamax", settings.betas);
  require_nonnegative("Adamax", "eps", settings.eps);
  require_nonnegative("Adamax", "weight_decay", settings.weight_decay);
}

std::string Adamax::describe() const {
  const AdamaxSettings& c = settings_;
  return fmt::format("Adamax(η={}, β=({}, {}), ε={})", learning_rate(), c.betas[0], c.betas[1], c.eps);
}

void Adamax::compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) {
  const AdamaxSettings& c = settings_;
  const double eta = learning_rate(), beta1 = c.betas[0], beta2 = c.betas[1];
  PerParameter& s = states_.at(i, theta);
  ++s.t;
  s.beta1_power *= beta1;  // β₁ᵗ
  detail::for_each_update_block(grad, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) {
      double g = grad.data()[k];
      if (c.weight_decay != 0) g += c.weight_decay * theta.data()[k];  // g ← g + λθ
      double& m = s.m.data()[k];
      double& u = s.u.data()[k];
      m = beta1 * m + (1 - beta1) * g;                                  // mₜ = β₁·mₜ₋₁ + (1 − β₁)·g
      u = std::max(beta2 * u, std::abs(g) + c.eps);                     // uₜ = max(β₂·uₜ₋₁, |g| + ε)
      delta.data()[k] = -eta * m / ((1 - s.beta1_power) * u);           // Δθ = −η·mₜ/((1 − β₁ᵗ)·uₜ)
    }
  });
}

OptimizerState Adamax::state(std::size_t i) const {
  const PerParameter* s = states_.find(i);
  if (!s) return {};
  return {{{"m", s->m}, {"u", s->u}}, {}};
}

// ---- NAdam --------------------------------------------------------------------------------------

NAdam::NAdam(NAdamSettings settings) : Optimizer(settings.learning_rate), settings_(settings) {
  require_rate("NAdam", settings.learning_rate);
  require_betas("NAdam", settings.betas);
  require_nonnegative("NAdam", "eps", settings.eps);
  require_nonnegative("NAdam", "weight_decay", settings.weight_decay);
  require_nonnegative("NAdam", "momentum_decay", settings.momentum_decay);
}

std::string NAdam::describe() const {
  const NAdamSettings& c = settings_;
  std::string text = fmt::format("NAdam(η={}, β=({}, {}), ε={}, ψ={}", learning_rate(), c.betas[0], c.betas[1],
                                 c.eps, c.momentum_decay);
  if (c.weight_decay != 0)
    text += fmt::format(", λ={}{}", c.weight_decay, c.decoupled_weight_decay ? " decoupled" : "");
  return text + ")";
}

void NAdam::compute_update(std::size_t i, const Matrix& theta, const Matrix& grad, Matrix& delta) {
  const NAdamSettings& c = settings_;
  const double eta = learning_rate(), lambda = c.weight_decay;
  const double beta1 = c.betas[0], beta2 = c.betas[1], psi = c.momentum_decay;
  PerParameter& s = states_.at(i, theta);
  ++s.t;
  s.beta2_power *= beta2;  // β₂ᵗ
  // μₜ = β₁·(1 − ½·0.96^(t·ψ)), with 0.96ˣ = e^(x·ln 0.96) computed the same way on every machine
  const double ln_096 = portable_log(0.96);
  const double t = static_cast<double>(s.t);
  s.mu_t = beta1 * (1 - 0.5 * portable_exp(t * psi * ln_096));
  s.mu_next = beta1 * (1 - 0.5 * portable_exp((t + 1) * psi * ln_096));
  s.mu_product *= s.mu_t;                             // ∏ᵢ₌₁ᵗ μᵢ
  const double mu_product_next = s.mu_product * s.mu_next;  // ∏ᵢ₌₁ᵗ⁺¹ μᵢ
  detail::for_each_update_block(grad, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) {
      const double theta_k = theta.data()[k];
      double g = grad.data()[k];
      double decay = 0;
      if (lambda != 0) {
        if (c.decoupled_weight_decay)
          decay = -eta * lambda * theta_k;              // θ ← θ − η·λ·θ
        else
          g += lambda * theta_k;                        // g ← g + λθ
      }
      double& m = s.m.data()[k];
      double& v = s.v.data()[k];
      m = beta1 * m + (1 - beta1) * g;                  // mₜ = β₁·mₜ₋₁ + (1 − β₁)·g
      v = beta2 * v + (1 - beta2) * g * g;              // vₜ = β₂·vₜ₋₁ + (1 − β₂)·g²
      // m̂ = μₜ₊₁·mₜ/(1 − ∏ᵢ₌₁ᵗ⁺¹ μᵢ) + (1 − μₜ)·g/(1 − ∏ᵢ₌₁ᵗ μᵢ)
      const double m_hat = s.mu_next * m / (1 - mu_product_next) + (1 - s.mu_t) * g / (1 - s.mu_product);
      const double v_hat = v / (1 - s.beta2_power);     // v̂ = vₜ/(1 − β₂ᵗ)
      const double denominator = std::sqrt(v_hat) + c.eps;
      delta.data()[k] = decay - eta * m_hat / denominator;  // Δθ = −η·m̂/(√v̂ + ε)
      s.m_hat.data()[k] = m_hat;
      s.v_hat.data()[k] = v_hat;
      s.denominator.data()[k] = denominator;
    }
  });
}

OptimizerState NAdam::state(std::size_t i) const {
  const PerParameter* s = states_.find(i);
  if (!s) return {};
  return {{{"m", s->m}, {"v", s->v}, {"m_hat", s->m_hat}, {"v_hat", s->v_hat}, {"denominator", s->denominator}},
          {{"mu_t", s->mu_t}, {"mu_next", s->mu_next}, {"mu_product", s->mu_product}}};
}

}  // namespace glassbox
