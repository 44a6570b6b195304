// glassbox/nn/layer.hpp — what every layer of a network is: a forward pass, a backward pass beside it,
// and the parameters it owns.
//
// N = batch size (one sample per row), in = input width, out = output width.
//
//   forward:   Y = f(X)                   X:(N×in)  → Y:(N×out)
//   backward:  given dL/dY, adds dL/dθ to each parameter's gradient (+=, never =) and returns dL/dX
//
// A layer caches what its backward pass needs (its input, its output) as named members during
// forward(), so backward() must follow the forward() it differentiates. Both return a reference to
// a member matrix that the next call overwrites: no allocation once the shapes have settled.
//
// Parameters: a layer owns any number of learned tensors θ, each with a gradient matrix dθ of the
// same shape, and lists them by local name in parameters() ("W", "b"; a PReLU would list "alpha").
// The network prefixes the layer's position: "layers[0].W".
//
// Buffers: tensors a layer keeps between passes that are not learned by gradient descent, such as
// batch normalization's running mean and variance (PyTorch calls them buffers). They have no
// gradient; the layer updates them itself during forward(). A layer lists them by local name in
// buffers() ("running_mean"), and the network prefixes the position as for parameters:
// "layers[2].running_mean". Optimizers and gradient checks see parameters() only, so they never
// touch a buffer.
//
// Mode: a layer is in training mode or in evaluation mode, as a PyTorch module is after train() or
// eval(). Most layers compute the same thing in both. Dropout drops units only while training;
// batch normalization normalizes by the batch's own mean and variance while training (and updates
// its running ones), by the running ones when evaluating. Such a layer says so with has_modes(),
// and reads training() in forward(). A new layer is in training mode; Network::train() and
// Network::eval() set every layer's mode, and the training loop switches between them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "glassbox/core/json.hpp"
#include "glassbox/core/matrix.hpp"

namespace glassbox {

// One learned tensor of a layer, seen through references into the layer's members.
struct ParameterRef {
  std::string name;  // local ("W") from a layer; "layers[0].W" from a network
  Matrix& value;     // θ
  Matrix& grad;      // dL/dθ, accumulated by backward()
  bool frozen = false;  // set by the network: an optimizer leaves a frozen θ unchanged
};

// One buffer of a layer: state it keeps, not learned (no gradient, never seen by an optimizer).
struct BufferRef {
  std::string name;  // local ("running_mean") from a layer; "layers[2].running_mean" from a network
  Matrix& value;
};

class Layer {
public:
  virtual ~Layer() = default;

  // How the layer prints: "Dense(2→3)", "relu", "softmax".
  virtual std::string describe() const = 0;
  // Activation layers print together with the layer before them: "Dense(2→3, relu)".
  virtual bool is_activation() const { return false; }
  virtual std::size_t input_width() const = 0;
  virtual std::size_t output_width() const = 0;

  // Y = f(X). Throws ShapeError if X does not have input_width() columns.
  virtual const Matrix& forward(const Matrix& X) = 0;
  // Takes dL/dY for the Y of the last forward(); adds to every parameter's gradient; returns dL/dX.
  // With needs_input_gradient == false the layer may skip dL/dX and return an empty matrix (the
  // network asks this of its first layer, whose input is data).
  virtual const Matrix& backward(const Matrix& dY) = 0;
  bool needs_input_gradient = true;
  // Whether forward() may keep its input by address instead of copying it: true inside a Network,
  // which passes each layer the network's input or the previous layer's output, both unchanged until
  // the next forward pass. A layer used on its own keeps a copy (its caller's X may be a temporary).
  bool borrows_input = false;

  // The learned tensors, by local name; empty for a layer without parameters.
  virtual std::vector<ParameterRef> parameters() { return {}; }
  // dθ = 0 for every parameter: gradients accumulate until this is called.
  virtual void zero_grad();
  // The same for a caller that calls backward() next, before it reads any gradient (a training
  // step): a layer may skip zeroing a gradient and have backward() write it instead of adding to it
  // — the same numbers, without a pass over the gradient (Dense's dW). Until then such a gradient
  // holds its old values. By default, zero_grad().
  virtual void zero_grad_lazily() { zero_grad(); }
  std::size_t parameter_count() const;

  // The buffers, by local name; empty for a layer without any (every layer of chapters 1–10).
  virtual std::vector<BufferRef> buffers() { return {}; }
  std::size_t buffer_count() const;  // their elements

  // Whether forward() computes something different in training and in evaluation mode (dropout,
  // batch normalization). False for a layer that ignores the mode.
  virtual bool has_modes() const { return false; }
  bool training() const { return training_; }
  void set_training(bool training) { training_ = training; }

  // Piecewise layers (ReLU, a step, maxout) append, for each element of the last forward pass,
  // which piece of the function it fell on. Two forward passes whose signatures differ straddle a
  // kink, where a finite difference measures neither one-sided derivative: the gradient checker
  // uses this to flag such elements instead of failing them. Smooth layers append nothing.
  virtual void kink_signature(std::vector<std::int8_t>& signature) const { (void)signature; }

  // A layer whose training-mode forward() draws random numbers (dropout's mask) reuses its last
  // draws while held, so that several passes differ only by what the caller changed: the gradient
  // checker holds them. Layers that draw nothing ignore it.
  virtual void hold_draws(bool hold) { (void)hold; }

  // Adds to a "forward" trace event (level full) what the layer computed beyond its output:
  // dropout's "mask", batch normalization's "mu", "var", "x_hat" and its buffers. Most add nothing.
  virtual void trace_forward(Json& event) const { (void)event; }

  virtual std::unique_ptr<Layer> clone() const = 0;

protected:
  // ShapeError "<layer>: forward: input (N×k) needs <width> columns".
  void require_input_width(const char* pass, const Matrix& X) const;
  // ShapeError unless dY has the shape of the output of the last forward().
  void require_output_shape(const Matrix& dY, const Matrix& Y) const;

private:
  bool training_ = true;  // training mode until told otherwise, as a new PyTorch module
};

}  // namespace glassbox
