// glassbox/activations.hpp — activation functions as layers, and the table that names them.
//
// N = batch size, n = units (an activation keeps the width: Z and A are both (N×n)).
//
// An element-wise activation is a small struct with a matching pair
//
//   Scalar value(Scalar z) const;              // a = g(z)
//   Scalar gradient(Scalar z, Scalar a) const; // g'(z), given z and a = g(z) (use whichever is cheaper)
//
// plus `static constexpr const char* name`. Optionally:
//
//   std::int8_t piece(Scalar z) const;  // piecewise g: which piece z lies on (kinks for the checker)
//   std::string describe() const;       // the name with its settings: "leaky_relu(α=0.01)"
//   static F from_options(const Json&); // settings from a spec; without it a spec may give none
//
// Activation<F> turns the struct into a layer. To add an activation: write the struct here (or in
// its own header) and add one line to the table in activations.cpp; specs can then name it. An
// activation with learned parameters (PReLU's α per unit) is a Layer of its own that lists them in
// parameters() and returns true from is_activation(); its table entry constructs it.
//
// Here δ = ∂L/∂z (some textbooks write δ = −∂L/∂net); the backward pass of every activation is
//   dL/dz = dL/da ⊙ g'(z)
// except softmax, whose outputs each depend on every input (see Softmax below).
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/layer.hpp"
#include "glassbox/trace.hpp"

namespace glassbox {

// ---- the functions ------------------------------------------------------------------------------

// a = z ;  g'(z) = 1
struct Identity {
  static constexpr const char* name = "identity";
  Scalar value(Scalar z) const { return z; }
  Scalar gradient(Scalar, Scalar) const { return Scalar{1}; }
};

// a = σ(z) = 1 / (1 + e^(−z)) ;  σ'(z) = a·(1 − a)
// For very negative z, e^(−z) overflows to +inf and a becomes exactly 0, never NaN.
struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  Scalar value(Scalar z) const { return Scalar{1} / (Scalar{1} + std::exp(-z)); }
  Scalar gradient(Scalar, Scalar a) const { return a * (Scalar{1} - a); }
};

// a = tanh(z) ;  tanh'(z) = 1 − a²
struct Tanh {
  static constexpr const char* name = "tanh";
  Scalar value(Scalar z) const { return std::tanh(z); }
  Scalar gradient(Scalar, Scalar a) const { return Scalar{1} - a * a; }
};

// a = max(0, z) ;  g'(z) = 1 if z > 0, else 0.
// ReLU'(0) is taken as 0 (as PyTorch does): at the kink the unit counts as off.
struct ReLU {
  static constexpr const char* name = "relu";
  Scalar value(Scalar z) const { return z > Scalar{0} ? z : Scalar{0}; }
  Scalar gradient(Scalar z, Scalar) const { return z > Scalar{0} ? Scalar{1} : Scalar{0}; }
  std::int8_t piece(Scalar z) const { return z > Scalar{0} ? 1 : 0; }
};

template <typename F>
concept ElementwiseFunction = requires(const F& g, Scalar z) {
  { F::name } -> std::convertible_to<const char*>;
  { g.value(z) } -> std::convertible_to<Scalar>;
  { g.gradient(z, z) } -> std::convertible_to<Scalar>;
};

// ---- the layers ---------------------------------------------------------------------------------

template <ElementwiseFunction F>
class Activation final : public Layer {
public:
  explicit Activation(std::size_t units, F function = F{}) : g(function), units_(units) {}

  std::string describe() const override {
    if constexpr (requires { g.describe(); })
      return g.describe();
    else
      return F::name;
  }
  bool is_activation() const override { return true; }
  std::size_t input_width() const override { return units_; }
  std::size_t output_width() const override { return units_; }

  F g;  // the function and its settings

  // Cached by forward() for backward(): g'(z) is computed from z or a.
  Matrix Z;   // (N×n) the input
  Matrix A;   // (N×n) the output a = g(z)
  Matrix dZ;  // (N×n) dL/dz, written by backward()

  // A = g(Z), element by element
  const Matrix& forward(const Matrix& input) override {
    require_input_width("forward", input);
    Z = input;
    if (!A.same_shape(Z)) A = Matrix(Z.rows(), Z.cols());
    const Scalar* z = Z.data();
    Scalar* a = A.data();
    for (std::size_t i = 0; i < Z.size(); ++i) a[i] = g.value(z[i]);
    return A;
  }
  // dL/dz = dL/da ⊙ g'(z)
  const Matrix& backward(const Matrix& dA) override {
    require_output_shape(dA, A);
    if (!dZ.same_shape(A)) dZ = Matrix(A.rows(), A.cols());
    const Scalar* z = Z.data();
    const Scalar* a = A.data();
    const Scalar* da = dA.data();
    Scalar* dz = dZ.data();
    for (std::size_t i = 0; i < Z.size(); ++i) dz[i] = da[i] * g.gradient(z[i], a[i]);
    return dZ;
  }

  void kink_signature(std::vector<std::int8_t>& signature) const override {
    if constexpr (requires { g.piece(Scalar{0}); })
      for (Scalar z : Z) signature.push_back(g.piece(z));
    else
      (void)signature;
  }

  std::unique_ptr<Layer> clone() const override { return std::make_unique<Activation>(*this); }

private:
  std::size_t units_;
};

// Softmax over each row (sample):
//   y_i = e^(z_i − m) / Σ_j e^(z_j − m),  m = max_j z_j
// Subtracting the row's largest logit m changes nothing mathematically and keeps every exponent
// ≤ 0, so e^(·) never overflows: softmax([1000, 0]) = [1, e^(−1000)] = [1, 0], not NaN.
// Each y_i depends on every z_j (∂y_i/∂z_j = y_i(δ_ij − y_j)), so backward is the Jacobian-vector
// product
//   dL/dz_i = y_i · (dL/dy_i − Σ_j dL/dy_j · y_j)
// computed per row in O(n), never forming the n×n Jacobian. (With cross-entropy, prefer the fused
// loss SoftmaxCrossEntropy on logits; this layer is for when the probabilities themselves are wanted.)
class Softmax final : public Layer {
public:
  explicit Softmax(std::size_t units) : units_(units) {}

  std::string describe() const override { return "softmax"; }
  bool is_activation() const override { return true; }
  std::size_t input_width() const override { return units_; }
  std::size_t output_width() const override { return units_; }

  Matrix Y;   // (N×n) cached output: the backward pass needs only y
  Matrix dZ;  // (N×n) dL/dz, written by backward()

  const Matrix& forward(const Matrix& Z) override;
  const Matrix& backward(const Matrix& dY) override;

  std::unique_ptr<Layer> clone() const override { return std::make_unique<Softmax>(*this); }

private:
  std::size_t units_;
};

// Row-wise softmax of logits, with the max subtracted (the Softmax layer's forward, as a function).
Matrix softmax(const Matrix& Z);
void softmax_into(Matrix& Y, const Matrix& Z);

// ---- the table of activations by name -----------------------------------------------------------

struct ActivationEntry {
  const char* name;     // as specs and command lines write it: "relu"
  const char* formula;  // "a = max(0, z)", for help texts and the lessons
  std::unique_ptr<Layer> (*make)(std::size_t units, const Json& options);
};

// Every activation the library knows, in the order the lessons introduce them.
const std::vector<ActivationEntry>& activation_table();
std::vector<std::string> activation_names();

// The activation layer called `name` for `units` units, with settings from `options` (a JSON
// object; {} for none). Throws InputError naming the activation for an unknown name, an unknown
// option or a bad value.
std::unique_ptr<Layer> make_activation(std::string_view name, std::size_t units,
                                       const Json& options = Json::object());

// For from_options(): `options` must be a JSON object whose keys are all among `known` (InputError
// naming the activation and the key otherwise); number_option reads one number, `fallback` if absent.
void require_known_options(const Json& options, std::string_view activation,
                           std::initializer_list<std::string_view> known);
Scalar number_option(const Json& options, std::string_view activation, std::string_view key, Scalar fallback);

// The factory an element-wise function's table entry uses.
template <ElementwiseFunction F>
std::unique_ptr<Layer> make_elementwise(std::size_t units, const Json& options) {
  if constexpr (requires { F::from_options(options); }) {
    return std::make_unique<Activation<F>>(units, F::from_options(options));
  } else {
    if (!options.is_null() && !options.empty())
      throw InputError(std::string("activation ") + F::name + ": takes no options, got " + options.dump());
    return std::make_unique<Activation<F>>(units);
  }
}

}  // namespace glassbox
