// glassbox/nn/activations.hpp — activation functions as layers, and the table that names them.
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
// except softmax, whose outputs each depend on every input (see Softmax below), and maxout, whose
// pieces are affine functions of the whole input.
//
// The catalogue, in the table's order (options in parentheses, PyTorch's defaults):
//   identity, heaviside (straight_through), sign (straight_through), sigmoid, tanh, relu,
//   leaky_relu (alpha 0.01), prelu (alpha 0.25, learned per unit), elu (alpha 1), selu,
//   softplus (beta 1), swish (beta 1), silu, maxout (pieces 2, learned), softmax.
// Where a function has a kink (relu at 0), g' there is the derivative of the piece on the left,
// and piece() lets the gradient checker recognise a finite difference that straddles it.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/nn/dense.hpp"
#include "glassbox/nn/layer.hpp"
#include "glassbox/core/options.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/core/json.hpp"

namespace glassbox {

// ---- settings -----------------------------------------------------------------------------------

// For from_options(): `options` must be a JSON object whose keys are all among `known` (InputError
// naming the activation and the key otherwise); number_option reads one number and bool_option one
// true/false, `fallback` if absent.
void require_known_options(const Json& options, std::string_view activation,
                           std::initializer_list<std::string_view> known);
Scalar number_option(const Json& options, std::string_view activation, std::string_view key, Scalar fallback);
bool bool_option(const Json& options, std::string_view activation, std::string_view key, bool fallback);

// A setting as describe() prints it: "1", "0.01", "0.25" (the shortest form that reads back exactly).
std::string setting(Scalar x);

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
  // 1 or 0, made from the comparison's bits rather than chosen by a branch: half of a layer's z are
  // positive, in no order a processor could predict, and with a branch the compiler cannot
  // vectorise backward()'s loop (dL/dz = dL/da · g'(z) keeps its multiplication, so the bits are the
  // same: dL/da·1 and dL/da·0).
  Scalar gradient(Scalar z, Scalar) const {
    const std::uint64_t one = 0x3ff0000000000000, positive = std::uint64_t{0} - (z > Scalar{0});
    return std::bit_cast<Scalar>(one & positive);
  }
  std::int8_t piece(Scalar z) const { return z > Scalar{0} ? 1 : 0; }
};

// a = H(z) = 1 if z ≥ 0, else 0   (the Heaviside step; H(0) = 1: an input of exactly 0 fires)
// H'(z) = 0 for every z ≠ 0, and H has no derivative at 0, so no gradient passes a step.
// Option straight_through (default false): backward uses 1 in place of H'(z) — the
// "straight-through estimator" that the course notes write as H'(z) = 1 so that a gradient reaches
// the layers below. It is a deliberate substitute, not the derivative: a finite-difference check
// of a straight-through layer fails, and the tests say so.
struct HeavisideStep {
  static constexpr const char* name = "heaviside";
  bool straight_through = false;
  Scalar value(Scalar z) const { return z >= Scalar{0} ? Scalar{1} : Scalar{0}; }
  Scalar gradient(Scalar, Scalar) const { return straight_through ? Scalar{1} : Scalar{0}; }
  std::int8_t piece(Scalar z) const { return z >= Scalar{0} ? 1 : 0; }
  std::string describe() const { return straight_through ? "heaviside(straight-through)" : "heaviside"; }
  static HeavisideStep from_options(const Json& options);
};

// a = sign(z) = +1 if z > 0, 0 if z = 0, −1 if z < 0
// sign'(z) = 0 for z ≠ 0; option straight_through uses 1 instead, as for the step.
struct Sign {
  static constexpr const char* name = "sign";
  bool straight_through = false;
  Scalar value(Scalar z) const { return z > Scalar{0} ? Scalar{1} : z < Scalar{0} ? Scalar{-1} : Scalar{0}; }
  Scalar gradient(Scalar, Scalar) const { return straight_through ? Scalar{1} : Scalar{0}; }
  std::int8_t piece(Scalar z) const { return z > Scalar{0} ? 1 : z < Scalar{0} ? -1 : 0; }
  std::string describe() const { return straight_through ? "sign(straight-through)" : "sign"; }
  static Sign from_options(const Json& options);
};

// a = z if z > 0, else α·z ;  g'(z) = 1 if z > 0, else α      (option alpha, default 0.01 as
// PyTorch's negative_slope). At 0 the left piece counts, as for ReLU: g'(0) = α.
struct LeakyReLU {
  static constexpr const char* name = "leaky_relu";
  Scalar alpha = Scalar{0.01};
  Scalar value(Scalar z) const { return z > Scalar{0} ? z : alpha * z; }
  Scalar gradient(Scalar z, Scalar) const { return z > Scalar{0} ? Scalar{1} : alpha; }
  std::int8_t piece(Scalar z) const { return z > Scalar{0} ? 1 : 0; }
  std::string describe() const { return "leaky_relu(α=" + setting(alpha) + ")"; }
  static LeakyReLU from_options(const Json& options);
};

// ELU:  a = z if z > 0, else α·(e^z − 1) ;  g'(z) = 1 if z > 0, else α·e^z = a + α
// (option alpha, default 1 as PyTorch). e^z − 1 is computed as expm1(z), exact for small |z|.
struct ELU {
  static constexpr const char* name = "elu";
  Scalar alpha = Scalar{1};
  Scalar value(Scalar z) const { return z > Scalar{0} ? z : alpha * std::expm1(z); }
  Scalar gradient(Scalar z, Scalar) const { return z > Scalar{0} ? Scalar{1} : alpha * std::exp(z); }
  std::int8_t piece(Scalar z) const { return z > Scalar{0} ? 1 : 0; }
  std::string describe() const { return "elu(α=" + setting(alpha) + ")"; }
  static ELU from_options(const Json& options);
};

// SELU (Klambauer et al., 2017):  a = λ·z if z > 0, else λ·α·(e^z − 1)
//   g'(z) = λ if z > 0, else λ·α·e^z
// with the published constants (to the digits of the paper's derivation; no options):
//   λ = 1.0507009873554804934193349852946   α = 1.6732632423543772848170429916717
// With LeCun-normal weights (variance 1/fan_in) these keep activations near mean 0, variance 1.
struct SELU {
  static constexpr const char* name = "selu";
  static constexpr Scalar lambda = 1.0507009873554804934193349852946;
  static constexpr Scalar alpha = 1.6732632423543772848170429916717;
  Scalar value(Scalar z) const { return z > Scalar{0} ? lambda * z : lambda * alpha * std::expm1(z); }
  Scalar gradient(Scalar z, Scalar) const { return z > Scalar{0} ? lambda : lambda * alpha * std::exp(z); }
  std::int8_t piece(Scalar z) const { return z > Scalar{0} ? 1 : 0; }
};

// softplus:  a = (1/β)·ln(1 + e^(βz)) ;  g'(z) = σ(βz)        (option beta, default 1)
// (The course notes print ln(1 − e^(−z)): that is wrong — it is undefined for z ≤ 0. Softplus is
// ln(1 + e^z), a smooth ReLU.) Computed stably as
//   ln(1 + e^x) = max(x, 0) + ln(1 + e^(−|x|)),  x = βz
// so e^(·) never overflows: softplus(1000) = 1000, softplus(−1000) = e^(−1000) ≈ 0, softplus(0) = ln 2.
// (PyTorch switches to a = z above βz = 20 for speed; the stable form needs no switch.)
struct Softplus {
  static constexpr const char* name = "softplus";
  Scalar beta = Scalar{1};
  Scalar value(Scalar z) const {
    const Scalar x = beta * z;
    return (std::max(x, Scalar{0}) + std::log1p(std::exp(-std::abs(x)))) / beta;
  }
  Scalar gradient(Scalar z, Scalar) const { return Sigmoid{}.value(beta * z); }
  std::string describe() const { return "softplus(β=" + setting(beta) + ")"; }
  static Softplus from_options(const Json& options);
};

// swish:  a = z·σ(βz) ;  g'(z) = σ(βz) + β·z·σ(βz)·(1 − σ(βz)) = s + β·a·(1 − s),  s = σ(βz)
// (option beta, default 1). With β = 1 it is SiLU (below); β → ∞ approaches ReLU, β = 0 gives z/2.
struct Swish {
  static constexpr const char* name = "swish";
  Scalar beta = Scalar{1};
  Scalar value(Scalar z) const { return z * Sigmoid{}.value(beta * z); }
  Scalar gradient(Scalar z, Scalar a) const {
    const Scalar s = Sigmoid{}.value(beta * z);
    return s + beta * a * (Scalar{1} - s);
  }
  std::string describe() const { return "swish(β=" + setting(beta) + ")"; }
  static Swish from_options(const Json& options);
};

// SiLU (sigmoid-weighted linear unit, PyTorch's nn.SiLU):  a = z·σ(z), swish with β = 1.
struct SiLU {
  static constexpr const char* name = "silu";
  Scalar value(Scalar z) const { return Swish{}.value(z); }
  Scalar gradient(Scalar z, Scalar a) const { return Swish{}.gradient(z, a); }
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

// ---- learned activations ------------------------------------------------------------------------

// PReLU (He et al., 2015): leaky ReLU whose slope α_j is learned, one per unit j.
//   a_j = z_j if z_j > 0, else α_j·z_j                              Z, A:(N×n)  α:(1×n)
//   dL/dz_j = dL/da_j · (1 if z_j > 0, else α_j)
//   dL/dα_j += Σ_n dL/da_nj · z_nj   over the samples with z_nj ≤ 0   (a = α·z there, ∂a/∂α = z)
// α starts at 0.25 (PyTorch's init; option "alpha"). PyTorch's nn.PReLU shares one α by default
// (num_parameters=1); here there is one per unit, as nn.PReLU(num_parameters=n).
class PReLU final : public Layer {
public:
  explicit PReLU(std::size_t units, Scalar initial_alpha = Scalar{0.25});

  std::string describe() const override { return "prelu"; }
  bool is_activation() const override { return true; }
  std::size_t input_width() const override { return alpha.cols(); }
  std::size_t output_width() const override { return alpha.cols(); }

  Matrix alpha;   // (1×n) the learned slopes
  Matrix dalpha;  // (1×n) dL/dα, accumulated

  // Cached by forward() for backward():
  Matrix Z;   // (N×n) the input (dL/dα needs it)
  Matrix A;   // (N×n) the output
  Matrix dZ;  // (N×n) dL/dz, written by backward()

  const Matrix& forward(const Matrix& input) override;
  const Matrix& backward(const Matrix& dA) override;

  std::vector<ParameterRef> parameters() override { return {{"alpha", alpha, dalpha}}; }
  void kink_signature(std::vector<std::int8_t>& signature) const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<PReLU>(*this); }
};

// Maxout (Goodfellow et al., 2013): each unit j is the largest of k affine functions of the input,
// its k "pieces", every one with its own weights:
//   z_pj = x·w_pjᵀ + b_pj   (p = 1 … k) ;   a_j = max_p z_pj
// A maxout layer is a Dense(in → k·out) — the member `affine` — whose outputs are grouped k to a
// unit, followed by a max over each group; it learns its own convex piecewise-linear activation.
// ReLU is the case k = 2 with one piece fixed at 0; |z| is max(z, −z).
//   X:(N×in)  W:(k·out × in)  b:(1 × k·out)  Zp = affine.Z:(N × k·out)  A:(N×out)
// Rows p·out … p·out + out − 1 of W (and the same columns of b and Zp) are piece p.
// Backward: only the winning piece of each unit and sample passes the gradient:
//   dL/dz_pj = dL/da_j if p won, else 0 ;  then affine.backward: dL/dW += dZpᵀ·X,
//   dL/db += Σ_rows dZp, dL/dX = dZp·W (dense.hpp).
// Its parameters are named "W_pieces" and "b_pieces", apart from the W and b of a Dense layer before
// it (a layer and the activation after it are traced together as one stage).
class Maxout final : public Layer {
public:
  // in → out with k pieces, weights drawn by `init` for the stacked (k·out × in) matrix.
  Maxout(std::size_t in, std::size_t out, std::size_t pieces, Rng& rng, const Initializer& init = init_uniform_fan_in);
  // units → units with k pieces and no randomness: unit j starts as the k tangent lines of softplus
  // at t_p = −2 … 2 applied to its own input z_j (w_pj = σ(t_p)·e_j, b_pj = softplus(t_p) − σ(t_p)·t_p),
  // a piecewise-linear smooth ReLU in which every piece is in use; training then moves every
  // piece's full weight vector. This is what the activation table builds (option "pieces", default 2).
  Maxout(std::size_t units, std::size_t pieces);
  // Explicit W:(k·out × in) and b:(1 × k·out).
  Maxout(Matrix W, Matrix b, std::size_t pieces);

  std::string describe() const override;  // "maxout(k=2)", or "maxout(4→3, k=2)" if it changes the width
  bool is_activation() const override { return true; }
  std::size_t input_width() const override { return affine.input_width(); }
  std::size_t output_width() const override { return affine.output_width() / pieces_; }
  std::size_t pieces() const noexcept { return pieces_; }

  // Every piece's affine function: affine.W (k·out × in), affine.b (1 × k·out), their gradients
  // affine.dW and affine.db, and the caches affine.X (the input) and affine.Z (every piece's value).
  Dense affine;

  // Cached by forward() for backward():
  Matrix A;                           // (N×out) the output
  std::vector<std::uint32_t> winner;  // N·out: the piece that won, row by row
  Matrix dZp;                         // (N × k·out) dL/dz of every piece, written by backward()

  // Zp = X·Wᵀ + b (affine.forward) ;  a_j = max_p z_pj
  const Matrix& forward(const Matrix& input) override;
  // dL/dz_pj = dL/da_j for the winning piece, else 0 ;  dL/dX = affine.backward(dZp)
  const Matrix& backward(const Matrix& dA) override;

  std::vector<ParameterRef> parameters() override {
    return {{"W_pieces", affine.W, affine.dW}, {"b_pieces", affine.b, affine.db}};
  }
  void kink_signature(std::vector<std::int8_t>& signature) const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<Maxout>(*this); }

private:
  std::size_t pieces_;
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


// The factory an element-wise function's table entry uses.
template <ElementwiseFunction F>
std::unique_ptr<Layer> make_elementwise(std::size_t units, const Json& options) {
  if constexpr (requires { F::from_options(options); }) {
    return std::make_unique<Activation<F>>(units, F::from_options(options));
  } else {
    require_no_options(options, std::string("activation ") + F::name);
    return std::make_unique<Activation<F>>(units);
  }
}

}  // namespace glassbox
