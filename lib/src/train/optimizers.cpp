// glassbox/train/optimizers.cpp — the update loop every optimizer shares, each optimizer's rule, and
// the table of them by name.
#include "glassbox/train/optimizers.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "glassbox/core/options.hpp"
#include "glassbox/core/text.hpp"

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

// ---- SGD ----------------------------------------------------------------------------------------

SGD::SGD(double eta) : Optimizer(eta) {
  if (!(eta > 0) || !std::isfinite(eta))
    throw std::invalid_argument(fmt::format("SGD: the learning rate must be a positive number, got {}", eta));
}

std::string SGD::describe() const { return fmt::format("SGD(η={})", learning_rate()); }

// Δθ = −η·dθ
void SGD::compute_update(std::size_t, const Matrix&, const Matrix& grad, Matrix& delta) {
  const Scalar eta = static_cast<Scalar>(learning_rate());
  for (std::size_t k = 0; k < grad.size(); ++k) delta.data()[k] = -eta * grad.data()[k];
}

// ---- by name ------------------------------------------------------------------------------------

const std::vector<OptimizerEntry>& optimizer_table() {
  static const std::vector<OptimizerEntry> table = {
      {"sgd", "Δθ = −η·dθ", {{"learning_rate", "a number > 0", "η", nullptr}},
       [](const Json& s) -> std::unique_ptr<Optimizer> {
         return std::make_unique<SGD>(positive_setting(s, "optimizer sgd", "learning_rate"));
       }},
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
