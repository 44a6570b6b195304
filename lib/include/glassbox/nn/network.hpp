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
// layers[1].<its name>. Buffers (layer.hpp) are named the same way: "layers[2].running_mean".
//
// Mode: train() and eval() put every layer in training or evaluation mode (layer.hpp), as PyTorch's
// module.train() and module.eval(); a new network is in training mode. The training loop
// (train/train.hpp) steps in training mode and evaluates in evaluation mode. Only layers that
// has_modes() compute anything different, so for a network without them the mode changes nothing.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/nn/batch_norm.hpp"
#include "glassbox/nn/dense.hpp"
#include "glassbox/nn/dropout.hpp"
#include "glassbox/nn/layer.hpp"
#include "glassbox/nn/penalty.hpp"
#include "glassbox/core/table.hpp"
#include "glassbox/core/json.hpp"

namespace glassbox {

class Network {
public:
  Network() = default;
  Network(const Network& other);  // a deep copy: every layer cloned, frozen flags and the mode kept
  Network& operator=(const Network& other);
  Network(Network&&) noexcept = default;
  Network& operator=(Network&&) noexcept = default;

  // Appends a layer, in the network's mode. Throws ShapeError if its input width is not the previous
  // layer's output width.
  Network& add(std::unique_ptr<Layer> layer);
  // Appends Dense(in→out) initialised by `init` (default U(−1/√in, 1/√in)).
  Network& dense(std::size_t in, std::size_t out, Rng& rng, const Initializer& init = init_uniform_fan_in);
  // Appends Dense with explicit W:(out×in) and b:(1×out).
  Network& dense(Matrix W, Matrix b);
  // Appends the activation called `name` (see activation_table()), as wide as the previous layer.
  Network& activation(std::string_view name, const Json& options = Json::object());
  // Appends Dropout(p) (nn/dropout.hpp) drawing its masks from `rng`, as wide as the previous layer.
  Network& dropout(double p, Rng rng);
  // Appends BatchNorm (nn/batch_norm.hpp) over the previous layer's outputs.
  Network& batch_norm(double momentum = 0.1, double eps = 1e-5);

  std::size_t size() const noexcept { return layers_.size(); }
  Layer& layer(std::size_t i);
  const Layer& layer(std::size_t i) const;
  std::size_t input_width() const;
  std::size_t output_width() const;

  // ŷ = the last layer's output for the batch X:(N×in). The reference stays valid until the next
  // forward(). Throws ShapeError for a network without layers or an X of the wrong width.
  const Matrix& forward(const Matrix& X);
  // The same without copying X: the network reads X itself (layer_input(0), the first layer's
  // backward), so X must stay alive and unchanged until the next forward(). For callers whose X
  // outlives the pass anyway — the training loop's batch, a whole data set being evaluated — where
  // a copy would cost a pass over the batch, or as much memory again as the data set.
  const Matrix& forward_view(const Matrix& X);
  // The rows of X listed in `rows` (a mini-batch), gathered into the matrix forward() keeps its copy
  // of the input in, and returned: forward_view() of it then costs no second copy, and the batch
  // lives as long as the network (layer_input(0) stays valid after the caller's loop has ended).
  const Matrix& gather_input(const Matrix& X, const std::vector<std::size_t>& rows);
  // Exchanges X with that matrix and returns it, now holding what X held: a batch gathered
  // elsewhere (the training loop gathers the next one while this one's step runs) becomes the
  // network's input without a copy, and X gets the previous input's matrix, to be reused.
  const Matrix& swap_input(Matrix& X);
  // Takes dL/dŷ and accumulates dL/dθ into every parameter's gradient. Returns dL/dX when
  // `input_gradient` is true; otherwise the first layer skips that product and an empty matrix is
  // returned.
  const Matrix& backward(const Matrix& dY, bool input_gradient = false);
  // dθ = 0 for every parameter.
  void zero_grad();
  // The same, for a caller whose next call is backward(): Layer::zero_grad_lazily().
  void zero_grad_lazily();

  // Every parameter, layer by layer, named "layers[i].<name>", with its frozen flag.
  std::vector<ParameterRef> parameters();
  // The same list, built once and kept (until a layer is added or a parameter frozen or thawed):
  // what a training step reads, without building names and a vector at every step.
  const std::vector<ParameterRef>& parameter_list();
  // One parameter by name; InputError naming it (and listing the names) if there is none.
  ParameterRef parameter(std::string_view name);
  // A frozen parameter keeps its value through optimizer steps; its gradient is still computed.
  void freeze(std::string_view name, bool frozen = true);
  std::size_t parameter_count() const;

  // Penalties (nn/penalty.hpp): an L1 and/or L2 term on the parameter called `name` ("layers[0].W"),
  // added to the loss by the training loop. A penalty of l1 = l2 = 0 removes it. InputError for an
  // unknown name, std::invalid_argument for a λ that is negative or not finite.
  void penalize(std::string_view name, Penalty penalty);
  struct PenaltyTerm {
    std::string name;  // "layers[0].W"
    Penalty penalty;
  };
  const std::vector<PenaltyTerm>& penalties() const noexcept { return penalties_; }
  // Σ over the penalized parameters of their penalty's value; 0 without penalties.
  double penalty();
  // Adds each penalized parameter's penalty gradient to its dL/dθ.
  void add_penalty_gradients();

  // Every buffer, layer by layer, named "layers[i].<name>"; empty when no layer keeps one.
  std::vector<BufferRef> buffers();
  // One buffer by name; InputError naming it (and listing the names) if there is none.
  BufferRef buffer(std::string_view name);
  std::size_t buffer_count() const;  // elements of every buffer

  // Every named tensor, for whatever saves or restores a network: layer by layer, its parameters,
  // then its buffers (PyTorch's state_dict order).
  enum class TensorKind { parameter, buffer };
  struct TensorRef {
    std::string name;  // "layers[0].W", "layers[2].running_mean"
    Matrix& value;
    TensorKind kind;   // a parameter (learned, frozen or not) or a buffer (kept by the layer)
  };
  std::vector<TensorRef> state();

  // Training mode (train()) or evaluation mode (eval()) for every layer, now and for layers added
  // later. training() is the mode last set; has_modes() whether any layer behaves differently in
  // the two, and so whether traces record the mode.
  void train() { set_training(true); }
  void eval() { set_training(false); }
  void set_training(bool training);
  bool training() const noexcept { return training_; }
  bool has_modes() const;
  // "train" or "eval", as traces write the mode.
  const char* mode() const noexcept { return training_ ? "train" : "eval"; }

  // "Dense(2→20, relu) → Dense(20→1, sigmoid)": an activation prints inside the layer before it.
  std::string describe() const;
  // Keras-like: one row per layer (position, layer, output shape, parameters) and a total row; a
  // column of buffer elements (not parameters: nothing learns them) only if some layer keeps any.
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
  std::vector<PenaltyTerm> penalties_;       // penalized parameters, in the order penalize() was called
  bool training_ = true;                     // the mode last set (every layer's, unless set one by one)
  // Copies of the network's input and of the loss gradient of the last passes, kept so that traces
  // can read them after the caller's matrices are gone (a copy reuses its buffer from step to step).
  // The input copy lives on the heap so that its address — which the first layer may keep — stays
  // put when the network is moved.
  std::unique_ptr<Matrix> input_ = std::make_unique<Matrix>();  // X of the last forward()
  const Matrix* input_view_ = nullptr;       // what the last pass read: *input_, or forward_view()'s X
  Matrix loss_gradient_;                     // dL/dŷ of the last backward()
  bool has_forward_ = false;
  std::vector<const Matrix*> outputs_;       // each layer's output in the last forward()
  std::vector<const Matrix*> output_grads_;  // the dL/d(output) each layer got in the last backward()
  std::vector<ParameterRef> parameter_list_;  // parameter_list(), when parameters_listed_
  bool parameters_listed_ = false;
};

// Puts a network in one mode for as long as it lives, then gives it back the mode it had:
//   { ModeScope evaluating(net, false); …forward passes in evaluation mode… }
class ModeScope {
public:
  ModeScope(Network& net, bool training) : net_(net), was_training_(net.training()) { net.set_training(training); }
  ~ModeScope() { net_.set_training(was_training_); }
  ModeScope(const ModeScope&) = delete;
  ModeScope& operator=(const ModeScope&) = delete;

private:
  Network& net_;
  bool was_training_;
};

}  // namespace glassbox
