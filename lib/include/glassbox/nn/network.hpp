// glassbox/nn/network.hpp — a sequential network: layers applied one after the other.
//
// N = batch size (one sample per row), in = the network's input width, out = its output width.
//
//   forward:   a⁰ = X,  a^i+1 = layer_i(a^i),  ŷ = the last layer's output       X:(N×in) → ŷ:(N×out)
//   backward:  given dL/dŷ (from the loss), each layer from the last to the first takes dL/d(its
//              output), adds its parameters' gradients and hands dL/d(its input) to the one before.
//
// Parameter names: "layers[i].<name>", where i is the layer's 0-based position in the layer list —
// activation layers included, as PyTorch's nn.Sequential numbers its modules — and <name> the
// layer's own name for the tensor ("W", "b"). Dense(2→2, sigmoid) → Dense(2→2, sigmoid) has
// layers[0].W, layers[0].b, layers[2].W, layers[2].b; a learned activation at position 1 would add
// layers[1].<its name>.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/nn/dense.hpp"
#include "glassbox/nn/layer.hpp"
#include "glassbox/core/table.hpp"
#include "glassbox/core/json.hpp"

namespace glassbox {

class Network {
public:
  Network() = default;
  Network(const Network& other);  // a deep copy: every layer cloned, frozen flags kept
  Network& operator=(const Network& other);
  Network(Network&&) noexcept = default;
  Network& operator=(Network&&) noexcept = default;

  // Appends a layer. Throws ShapeError if its input width is not the previous layer's output width.
  Network& add(std::unique_ptr<Layer> layer);
  // Appends Dense(in→out) initialised by `init` (default U(−1/√in, 1/√in)).
  Network& dense(std::size_t in, std::size_t out, Rng& rng, const Initializer& init = init_uniform_fan_in);
  // Appends Dense with explicit W:(out×in) and b:(1×out).
  Network& dense(Matrix W, Matrix b);
  // Appends the activation called `name` (see activation_table()), as wide as the previous layer.
  Network& activation(std::string_view name, const Json& options = Json::object());

  std::size_t size() const noexcept { return layers_.size(); }
  Layer& layer(std::size_t i);
  const Layer& layer(std::size_t i) const;
  std::size_t input_width() const;
  std::size_t output_width() const;

  // ŷ = the last layer's output for the batch X:(N×in). The reference stays valid until the next
  // forward(). Throws ShapeError for a network without layers or an X of the wrong width.
  const Matrix& forward(const Matrix& X);
  // Takes dL/dŷ and accumulates dL/dθ into every parameter's gradient. Returns dL/dX when
  // `input_gradient` is true; otherwise the first layer skips that product and an empty matrix is
  // returned.
  const Matrix& backward(const Matrix& dY, bool input_gradient = false);
  // dθ = 0 for every parameter.
  void zero_grad();

  // Every parameter, layer by layer, named "layers[i].<name>", with its frozen flag.
  std::vector<ParameterRef> parameters();
  // One parameter by name; InputError naming it (and listing the names) if there is none.
  ParameterRef parameter(std::string_view name);
  // A frozen parameter keeps its value through optimizer steps; its gradient is still computed.
  void freeze(std::string_view name, bool frozen = true);
  std::size_t parameter_count() const;

  // "Dense(2→20, relu) → Dense(20→1, sigmoid)": an activation prints inside the layer before it.
  std::string describe() const;
  // Keras-like: one row per layer (position, layer, output shape, parameters) and a total row.
  Table summary() const;

  // A stage is what the lessons draw as one layer: a layer together with the activation right
  // after it (layers first..last, last = first or first + 1). Traces report per stage.
  struct Stage {
    std::size_t first = 0;
    std::size_t last = 0;
  };
  std::vector<Stage> stages() const;
  std::string describe(const Stage& stage) const;  // "Dense(2→2, sigmoid)"

  // What the last forward() and backward() computed, for traces and lessons:
  // layer_input(i) is the input layer i saw (layer_input(0) is the X given to forward(), valid while
  // that matrix lives); layer_output(i) its output; output_gradient(i) the dL/d(output) it received.
  const Matrix& layer_input(std::size_t i) const;
  const Matrix& layer_output(std::size_t i) const;
  const Matrix& output_gradient(std::size_t i) const;

  // Every layer's kink signature from the last forward(), concatenated (see Layer::kink_signature).
  void kink_signature(std::vector<std::int8_t>& signature) const;

private:
  void require_layer(std::size_t i, const char* what) const;

  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<std::string> frozen_;          // names of frozen parameters
  // Copies of the network's input and of the loss gradient of the last passes, kept so that traces
  // can read them after the caller's matrices are gone (a copy reuses its buffer from step to step).
  Matrix input_;                             // X of the last forward()
  Matrix loss_gradient_;                     // dL/dŷ of the last backward()
  bool has_forward_ = false;
  std::vector<const Matrix*> outputs_;       // each layer's output in the last forward()
  std::vector<const Matrix*> output_grads_;  // the dL/d(output) each layer got in the last backward()
};

}  // namespace glassbox
