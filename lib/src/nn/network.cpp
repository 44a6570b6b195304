// glassbox/nn/network.cpp — the sequential network: building it, the forward and backward passes
// through every layer, parameter and buffer names, the mode, and how it prints.
#include "glassbox/nn/network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/nn/activations.hpp"

namespace glassbox {

Network::Network(const Network& other)
    : frozen_(other.frozen_), penalties_(other.penalties_), training_(other.training_) {
  for (const auto& layer : other.layers_) {
    layers_.push_back(layer->clone());
    layers_.back()->set_training(layer->training());
  }
}

Network& Network::operator=(const Network& other) {
  if (this != &other) {
    Network copy(other);
    *this = std::move(copy);
  }
  return *this;
}

// ---- building -----------------------------------------------------------------------------------

Network& Network::add(std::unique_ptr<Layer> layer) {
  if (!layer) throw std::invalid_argument("Network::add: no layer given");
  if (!layers_.empty() && layer->input_width() != output_width())
    throw ShapeError(fmt::format("Network::add: {} takes {} inputs but layers[{}] ({}) gives {}", layer->describe(),
                                 layer->input_width(), layers_.size() - 1, layers_.back()->describe(),
                                 output_width()));
  layer->set_training(training_);
  layer->borrows_input = true;  // its input is *input_ or the previous layer's output (layer.hpp)
  layers_.push_back(std::move(layer));
  has_forward_ = false;
  parameters_listed_ = false;
  parameter_list_.clear();
  outputs_.clear();
  output_grads_.clear();
  return *this;
}

Network& Network::dense(std::size_t in, std::size_t out, Rng& rng, const Initializer& init) {
  return add(std::make_unique<Dense>(in, out, rng, init));
}

Network& Network::dense(Matrix W, Matrix b) { return add(std::make_unique<Dense>(std::move(W), std::move(b))); }

Network& Network::activation(std::string_view name, const Json& options) {
  if (layers_.empty())
    throw ShapeError(fmt::format("Network::activation(\"{}\"): add a layer first (its width sets the activation's)",
                                 name));
  return add(make_activation(name, output_width(), options));
}

Network& Network::dropout(double p, Rng rng) {
  if (layers_.empty()) throw ShapeError("Network::dropout: add a layer first (its width sets the dropout's)");
  return add(std::make_unique<Dropout>(output_width(), p, std::move(rng)));
}

Network& Network::batch_norm(double momentum, double eps) {
  if (layers_.empty()) throw ShapeError("Network::batch_norm: add a layer first (its width sets the features)");
  return add(std::make_unique<BatchNorm>(output_width(), momentum, eps));
}

void Network::require_layer(std::size_t i, const char* what) const {
  if (i >= layers_.size())
    throw std::out_of_range(fmt::format("Network::{}({}): the network has {} layers", what, i, layers_.size()));
}

Layer& Network::layer(std::size_t i) {
  require_layer(i, "layer");
  return *layers_[i];
}

const Layer& Network::layer(std::size_t i) const {
  require_layer(i, "layer");
  return *layers_[i];
}

std::size_t Network::input_width() const { return layers_.empty() ? 0 : layers_.front()->input_width(); }
std::size_t Network::output_width() const { return layers_.empty() ? 0 : layers_.back()->output_width(); }

// ---- forward and backward -----------------------------------------------------------------------

// a⁰ = X ;  a^(i+1) = layer_i(a^i)
const Matrix& Network::forward(const Matrix& X) {
  if (layers_.empty()) throw ShapeError("Network::forward: the network has no layers");
  *input_ = X;
  return forward_view(*input_);
}

const Matrix& Network::gather_input(const Matrix& X, const std::vector<std::size_t>& rows) {
  gather_rows_into(*input_, X, rows);
  return *input_;
}

const Matrix& Network::swap_input(Matrix& X) {
  std::swap(*input_, X);
  return *input_;
}

const Matrix& Network::forward_view(const Matrix& X) {
  if (layers_.empty()) throw ShapeError("Network::forward: the network has no layers");
  input_view_ = &X;
  has_forward_ = true;
  outputs_.resize(layers_.size());
  const Matrix* a = &X;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    a = &layers_[i]->forward(*a);
    outputs_[i] = a;
  }
  return *a;
}

// dL/da^i = backward of layer i applied to dL/da^(i+1), from the last layer to the first
const Matrix& Network::backward(const Matrix& dY, bool input_gradient) {
  if (outputs_.size() != layers_.size())
    throw std::logic_error("Network::backward: call forward() first");
  output_grads_.resize(layers_.size());
  layers_.front()->needs_input_gradient = input_gradient;
  loss_gradient_ = dY;
  const Matrix* grad = &loss_gradient_;
  for (std::size_t i = layers_.size(); i-- > 0;) {
    output_grads_[i] = grad;
    grad = &layers_[i]->backward(*grad);
  }
  return *grad;
}

void Network::zero_grad() {
  for (auto& layer : layers_) layer->zero_grad();
}

void Network::zero_grad_lazily() {
  for (auto& layer : layers_) layer->zero_grad_lazily();
}

const Matrix& Network::layer_input(std::size_t i) const {
  require_layer(i, "layer_input");
  if (i == 0) {
    if (!has_forward_) throw std::logic_error("Network::layer_input(0): no forward pass yet");
    return *input_view_;
  }
  return layer_output(i - 1);
}

const Matrix& Network::layer_output(std::size_t i) const {
  require_layer(i, "layer_output");
  if (i >= outputs_.size()) throw std::logic_error("Network::layer_output: no forward pass yet");
  return *outputs_[i];
}

const Matrix& Network::output_gradient(std::size_t i) const {
  require_layer(i, "output_gradient");
  if (i >= output_grads_.size()) throw std::logic_error("Network::output_gradient: no backward pass yet");
  return *output_grads_[i];
}

void Network::kink_signature(std::vector<std::int8_t>& signature) const {
  for (const auto& layer : layers_) layer->kink_signature(signature);
}

// ---- parameters ---------------------------------------------------------------------------------

std::vector<ParameterRef> Network::parameters() {
  std::vector<ParameterRef> all;
  for (std::size_t i = 0; i < layers_.size(); ++i)
    for (ParameterRef& p : layers_[i]->parameters()) {
      std::string name = fmt::format("layers[{}].{}", i, p.name);
      const bool frozen = std::find(frozen_.begin(), frozen_.end(), name) != frozen_.end();
      all.push_back({std::move(name), p.value, p.grad, frozen});
    }
  return all;
}

const std::vector<ParameterRef>& Network::parameter_list() {
  if (!parameters_listed_) {
    parameter_list_.clear();
    for (ParameterRef& p : parameters()) parameter_list_.push_back(p);
    parameters_listed_ = true;
  }
  return parameter_list_;
}

ParameterRef Network::parameter(std::string_view name) {
  std::vector<std::string> names;
  for (ParameterRef& p : parameters()) {
    if (p.name == name) return p;
    names.push_back(p.name);
  }
  throw InputError(fmt::format("the network {} has no parameter \"{}\" (it has: {})", describe(), name,
                               fmt::join(names, ", ")));
}

void Network::freeze(std::string_view name, bool frozen) {
  const std::string full = parameter(name).name;
  const auto it = std::find(frozen_.begin(), frozen_.end(), full);
  if (frozen && it == frozen_.end()) frozen_.push_back(full);
  if (!frozen && it != frozen_.end()) frozen_.erase(it);
  parameters_listed_ = false;
  parameter_list_.clear();
}

std::size_t Network::parameter_count() const {
  std::size_t count = 0;
  for (const auto& layer : layers_) count += layer->parameter_count();
  return count;
}

// ---- penalties ----------------------------------------------------------------------------------

void Network::penalize(std::string_view name, Penalty penalty) {
  const std::string full = parameter(name).name;
  for (const double lambda : {penalty.l1, penalty.l2})
    if (!(lambda >= 0 && std::isfinite(lambda)))
      throw std::invalid_argument(
          fmt::format("Network::penalize(\"{}\"): l1 and l2 must be numbers ≥ 0, got l1 = {}, l2 = {}", name,
                      penalty.l1, penalty.l2));
  const auto it = std::find_if(penalties_.begin(), penalties_.end(), [&](const PenaltyTerm& t) { return t.name == full; });
  if (it != penalties_.end()) penalties_.erase(it);
  if (penalty.active()) penalties_.push_back({full, penalty});
}

// Σ λ₁·Σ|w| + λ₂·Σw² over the penalized parameters
double Network::penalty() {
  double total = 0;
  for (const PenaltyTerm& t : penalties_) total += t.penalty.value(parameter(t.name).value);
  return total;
}

void Network::add_penalty_gradients() {
  for (const PenaltyTerm& t : penalties_) {
    ParameterRef p = parameter(t.name);
    t.penalty.add_gradient(p.value, p.grad);
  }
}

// ---- buffers and the whole state ----------------------------------------------------------------

std::vector<BufferRef> Network::buffers() {
  std::vector<BufferRef> all;
  for (std::size_t i = 0; i < layers_.size(); ++i)
    for (BufferRef& b : layers_[i]->buffers()) all.push_back({fmt::format("layers[{}].{}", i, b.name), b.value});
  return all;
}

BufferRef Network::buffer(std::string_view name) {
  std::vector<std::string> names;
  for (BufferRef& b : buffers()) {
    if (b.name == name) return b;
    names.push_back(b.name);
  }
  throw InputError(fmt::format("the network {} has no buffer \"{}\" ({})", describe(), name,
                               names.empty() ? "it has none" : fmt::format("it has: {}", fmt::join(names, ", "))));
}

std::size_t Network::buffer_count() const {
  std::size_t count = 0;
  for (const auto& layer : layers_) count += layer->buffer_count();
  return count;
}

std::vector<Network::TensorRef> Network::state() {
  std::vector<TensorRef> all;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    for (ParameterRef& p : layers_[i]->parameters())
      all.push_back({fmt::format("layers[{}].{}", i, p.name), p.value, TensorKind::parameter});
    for (BufferRef& b : layers_[i]->buffers())
      all.push_back({fmt::format("layers[{}].{}", i, b.name), b.value, TensorKind::buffer});
  }
  return all;
}

// ---- the mode -----------------------------------------------------------------------------------

void Network::set_training(bool training) {
  training_ = training;
  for (auto& layer : layers_) layer->set_training(training);
}

bool Network::has_modes() const {
  return std::any_of(layers_.begin(), layers_.end(), [](const auto& layer) { return layer->has_modes(); });
}

// ---- printing -----------------------------------------------------------------------------------

std::vector<Network::Stage> Network::stages() const {
  std::vector<Stage> out;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const bool paired = !layers_[i]->is_activation() && i + 1 < layers_.size() && layers_[i + 1]->is_activation();
    out.push_back({i, paired ? i + 1 : i});
    if (paired) ++i;
  }
  return out;
}

std::string Network::describe(const Stage& stage) const {
  std::string text = layers_.at(stage.first)->describe();
  if (stage.last == stage.first) return text;
  const std::string activation = layers_.at(stage.last)->describe();
  if (!text.empty() && text.back() == ')') {
    text.pop_back();
    return text + ", " + activation + ")";
  }
  return text + " → " + activation;
}

std::string Network::describe() const {
  std::string text;
  for (const Stage& stage : stages()) {
    if (!text.empty()) text += " → ";
    text += describe(stage);
  }
  return text.empty() ? "(empty network)" : text;
}

Table Network::summary() const {
  // The buffers column appears only for a network that has buffers.
  const std::size_t buffers = buffer_count();
  const auto row = [&](std::vector<std::string> cells, std::string buffer_cell) {
    if (buffers > 0) cells.push_back(std::move(buffer_cell));
    return cells;
  };
  std::vector<std::string> header{"layer", "type", "output shape", "parameters"};
  if (buffers > 0) header.emplace_back("buffers");
  Table table(std::move(header));
  for (std::size_t i = 0; i < layers_.size(); ++i)
    table.add_row(row({fmt::format("layers[{}]", i), layers_[i]->describe(),
                       fmt::format("(N×{})", layers_[i]->output_width()),
                       std::to_string(layers_[i]->parameter_count())},
                      std::to_string(layers_[i]->buffer_count())));
  std::size_t frozen = 0;
  for (ParameterRef& p : const_cast<Network*>(this)->parameters())
    if (p.frozen) frozen += p.value.size();
  if (frozen > 0) {
    table.add_row(row({"frozen", "", "", std::to_string(frozen)}, ""));
    table.add_row(row({"trainable", "", "", std::to_string(parameter_count() - frozen)}, ""));
  }
  table.add_row(row({"total", "", "", std::to_string(parameter_count())}, std::to_string(buffers)));
  return table;
}

}  // namespace glassbox
