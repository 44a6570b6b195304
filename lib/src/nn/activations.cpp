// glassbox/nn/activations.cpp — the settings of the element-wise activations, softmax, the learned
// activations (PReLU, maxout), and the table of activations by name.
//
// N = batch size, n = units; maxout: in = inputs, out = units, k = pieces.
#include "glassbox/nn/activations.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "glassbox/core/text.hpp"

namespace glassbox {

// ---- softmax ------------------------------------------------------------------------------------

// y_i = e^(z_i − m) / Σ_j e^(z_j − m),  m = max_j z_j
void softmax_into(Matrix& Y, const Matrix& Z) {
  if (!Y.same_shape(Z)) Y = Matrix(Z.rows(), Z.cols());
  for (std::size_t n = 0; n < Z.rows(); ++n) {
    const Scalar* z = Z.row_ptr(n);
    Scalar* y = Y.row_ptr(n);
    const Scalar m = *std::max_element(z, z + Z.cols());
    Scalar total = 0;
    for (std::size_t i = 0; i < Z.cols(); ++i) {
      y[i] = std::exp(z[i] - m);
      total += y[i];
    }
    for (std::size_t i = 0; i < Z.cols(); ++i) y[i] /= total;
  }
}

Matrix softmax(const Matrix& Z) {
  Matrix Y;
  softmax_into(Y, Z);
  return Y;
}

const Matrix& Softmax::forward(const Matrix& Z) {
  require_input_width("forward", Z);
  softmax_into(Y, Z);
  return Y;
}

// dL/dz_i = y_i · (dL/dy_i − Σ_j dL/dy_j · y_j), row by row
const Matrix& Softmax::backward(const Matrix& dY) {
  require_output_shape(dY, Y);
  if (!dZ.same_shape(Y)) dZ = Matrix(Y.rows(), Y.cols());
  for (std::size_t n = 0; n < Y.rows(); ++n) {
    const Scalar* y = Y.row_ptr(n);
    const Scalar* dy = dY.row_ptr(n);
    Scalar* dz = dZ.row_ptr(n);
    Scalar dy_dot_y = 0;
    for (std::size_t j = 0; j < Y.cols(); ++j) dy_dot_y += dy[j] * y[j];
    for (std::size_t i = 0; i < Y.cols(); ++i) dz[i] = y[i] * (dy[i] - dy_dot_y);
  }
  return dZ;
}

// ---- settings of the element-wise functions ------------------------------------------------------

std::string setting(Scalar x) { return fmt::format("{}", x); }

HeavisideStep HeavisideStep::from_options(const Json& options) {
  require_known_options(options, name, {"straight_through"});
  return HeavisideStep{bool_option(options, name, "straight_through", false)};
}

Sign Sign::from_options(const Json& options) {
  require_known_options(options, name, {"straight_through"});
  return Sign{bool_option(options, name, "straight_through", false)};
}

LeakyReLU LeakyReLU::from_options(const Json& options) {
  require_known_options(options, name, {"alpha"});
  return LeakyReLU{number_option(options, name, "alpha", Scalar{0.01})};
}

ELU ELU::from_options(const Json& options) {
  require_known_options(options, name, {"alpha"});
  return ELU{number_option(options, name, "alpha", Scalar{1})};
}

Softplus Softplus::from_options(const Json& options) {
  require_known_options(options, name, {"beta"});
  const Scalar beta = number_option(options, name, "beta", Scalar{1});
  if (!(beta > 0)) throw InputError(fmt::format("activation softplus: option \"beta\" must be positive, got {}", beta));
  return Softplus{beta};
}

Swish Swish::from_options(const Json& options) {
  require_known_options(options, name, {"beta"});
  return Swish{number_option(options, name, "beta", Scalar{1})};
}

// ---- PReLU --------------------------------------------------------------------------------------

PReLU::PReLU(std::size_t units, Scalar initial_alpha) : alpha(1, units, initial_alpha), dalpha(1, units) {
  if (units == 0) throw ShapeError("prelu: needs at least one unit");
}

// a = z if z > 0, else α_j·z
const Matrix& PReLU::forward(const Matrix& input) {
  require_input_width("forward", input);
  Z = input;
  if (!A.same_shape(Z)) A = Matrix(Z.rows(), Z.cols());
  for (std::size_t n = 0; n < Z.rows(); ++n) {
    const Scalar* z = Z.row_ptr(n);
    Scalar* a = A.row_ptr(n);
    for (std::size_t j = 0; j < Z.cols(); ++j) a[j] = z[j] > Scalar{0} ? z[j] : alpha(0, j) * z[j];
  }
  return A;
}

// dL/dz = dL/da · (1 or α_j) ;  dL/dα_j += Σ_n dL/da · z over z ≤ 0
const Matrix& PReLU::backward(const Matrix& dA) {
  require_output_shape(dA, A);
  if (!dZ.same_shape(A)) dZ = Matrix(A.rows(), A.cols());
  for (std::size_t n = 0; n < Z.rows(); ++n) {
    const Scalar* z = Z.row_ptr(n);
    const Scalar* da = dA.row_ptr(n);
    Scalar* dz = dZ.row_ptr(n);
    for (std::size_t j = 0; j < Z.cols(); ++j) {
      if (z[j] > Scalar{0}) {
        dz[j] = da[j];
      } else {
        dz[j] = da[j] * alpha(0, j);
        dalpha(0, j) += da[j] * z[j];
      }
    }
  }
  return dZ;
}

void PReLU::kink_signature(std::vector<std::int8_t>& signature) const {
  for (Scalar z : Z) signature.push_back(z > Scalar{0} ? 1 : 0);
}

// ---- maxout -------------------------------------------------------------------------------------

namespace {

// The checks every maxout constructor makes before its affine layer is built; each returns what it
// checked, so that it can stand in the member initializer.
std::size_t checked_pieces(std::size_t pieces) {
  if (pieces < 2) throw ShapeError(fmt::format("maxout: needs at least 2 pieces, got {}", pieces));
  return pieces;
}

std::size_t checked_units(std::size_t in, std::size_t out, std::size_t pieces) {
  checked_pieces(pieces);
  if (in == 0 || out == 0) throw ShapeError(fmt::format("maxout({}→{}): a layer needs inputs and units", in, out));
  return pieces * out;
}

Dense checked_affine(Matrix W, Matrix b, std::size_t pieces) {
  checked_pieces(pieces);
  if (W.empty() || W.rows() % pieces != 0)
    throw ShapeError(fmt::format("maxout: W is {}: its rows must be {} pieces × the units", W.shape(), pieces));
  if (b.rows() != 1 || b.cols() != W.rows())
    throw ShapeError(fmt::format("maxout: W is {} so b must be (1×{}), got {}", W.shape(), W.rows(), b.shape()));
  return Dense(std::move(W), std::move(b));
}

// unit j's piece p: the tangent of softplus at t_p = −2 + 4p/(k − 1) applied to z_j,
// slope σ(t_p), intercept softplus(t_p) − σ(t_p)·t_p
Dense softplus_tangents(std::size_t units, std::size_t pieces) {
  checked_pieces(pieces);
  if (units == 0) throw ShapeError("maxout: needs at least one unit");
  Matrix W(pieces * units, units), b(1, pieces * units);
  const Softplus softplus;
  for (std::size_t p = 0; p < pieces; ++p) {
    const Scalar t = Scalar{-2} + Scalar{4} * static_cast<Scalar>(p) / static_cast<Scalar>(pieces - 1);
    const Scalar slope = Sigmoid{}.value(t);
    const Scalar intercept = softplus.value(t) - slope * t;
    for (std::size_t j = 0; j < units; ++j) {
      W(p * units + j, j) = slope;
      b(0, p * units + j) = intercept;
    }
  }
  return Dense(std::move(W), std::move(b));
}

}  // namespace

Maxout::Maxout(std::size_t in, std::size_t out, std::size_t pieces, Rng& rng, const Initializer& init)
    : affine(in, checked_units(in, out, pieces), rng, init), pieces_(pieces) {}

Maxout::Maxout(std::size_t units, std::size_t pieces) : affine(softplus_tangents(units, pieces)), pieces_(pieces) {}

Maxout::Maxout(Matrix W, Matrix b, std::size_t pieces)
    : affine(checked_affine(std::move(W), std::move(b), pieces)), pieces_(pieces) {}

std::string Maxout::describe() const {
  if (input_width() == output_width()) return fmt::format("maxout(k={})", pieces_);
  return fmt::format("maxout({}→{}, k={})", input_width(), output_width(), pieces_);
}

// Zp = X·Wᵀ + b ;  a_j = max_p z_pj
const Matrix& Maxout::forward(const Matrix& input) {
  require_input_width("forward", input);
  const Matrix& Zp = affine.forward(input);
  const std::size_t out = output_width();
  if (A.rows() != Zp.rows() || A.cols() != out) A = Matrix(Zp.rows(), out);
  winner.resize(Zp.rows() * out);
  for (std::size_t n = 0; n < Zp.rows(); ++n) {
    const Scalar* z = Zp.row_ptr(n);
    Scalar* a = A.row_ptr(n);
    for (std::size_t j = 0; j < out; ++j) {
      std::uint32_t best = 0;
      for (std::size_t p = 1; p < pieces_; ++p)
        if (z[p * out + j] > z[best * out + j]) best = static_cast<std::uint32_t>(p);
      winner[n * out + j] = best;
      a[j] = z[best * out + j];
    }
  }
  return A;
}

// dL/dz_pj = dL/da_j for the winning piece, 0 for the others; then back through the affine pieces
const Matrix& Maxout::backward(const Matrix& dA) {
  require_output_shape(dA, A);
  const std::size_t out = output_width();
  if (!dZp.same_shape(affine.Z)) dZp = Matrix(affine.Z.rows(), affine.Z.cols());
  dZp.fill(Scalar{0});
  for (std::size_t n = 0; n < dA.rows(); ++n) {
    const Scalar* da = dA.row_ptr(n);
    Scalar* dz = dZp.row_ptr(n);
    for (std::size_t j = 0; j < out; ++j) dz[winner[n * out + j] * out + j] = da[j];
  }
  affine.needs_input_gradient = needs_input_gradient;
  return affine.backward(dZp);
}

void Maxout::kink_signature(std::vector<std::int8_t>& signature) const {
  for (std::uint32_t p : winner) signature.push_back(static_cast<std::int8_t>(p));
}

// ---- the table ----------------------------------------------------------------------------------

namespace {

std::unique_ptr<Layer> make_softmax(std::size_t units, const Json& options) {
  require_no_options(options, "activation softmax");
  return std::make_unique<Softmax>(units);
}

std::unique_ptr<Layer> make_prelu(std::size_t units, const Json& options) {
  require_known_options(options, "prelu", {"alpha"});
  return std::make_unique<PReLU>(units, number_option(options, "prelu", "alpha", Scalar{0.25}));
}

std::unique_ptr<Layer> make_maxout(std::size_t units, const Json& options) {
  require_known_options(options, "maxout", {"pieces"});
  const Scalar k = number_option(options, "maxout", "pieces", Scalar{2});
  if (!(k >= 2 && k <= 64 && k == std::floor(k)))
    throw InputError(fmt::format("activation maxout: option \"pieces\" must be a whole number from 2 to 64, got {}", k));
  return std::make_unique<Maxout>(units, static_cast<std::size_t>(k));
}

}  // namespace

const std::vector<ActivationEntry>& activation_table() {
  static const std::vector<ActivationEntry> table = {
      {"identity", "a = z", make_elementwise<Identity>},
      {"heaviside", "a = 1 if z ≥ 0, else 0", make_elementwise<HeavisideStep>},
      {"sign", "a = +1 if z > 0, 0 if z = 0, −1 if z < 0", make_elementwise<Sign>},
      {"sigmoid", "a = 1 / (1 + e^(−z))", make_elementwise<Sigmoid>},
      {"tanh", "a = tanh(z)", make_elementwise<Tanh>},
      {"relu", "a = max(0, z)", make_elementwise<ReLU>},
      {"leaky_relu", "a = z if z > 0, else α·z", make_elementwise<LeakyReLU>},
      {"prelu", "a_j = z_j if z_j > 0, else α_j·z_j (α_j learned)", make_prelu},
      {"elu", "a = z if z > 0, else α·(e^z − 1)", make_elementwise<ELU>},
      {"selu", "a = λ·z if z > 0, else λ·α·(e^z − 1)", make_elementwise<SELU>},
      {"softplus", "a = (1/β)·ln(1 + e^(βz))", make_elementwise<Softplus>},
      {"swish", "a = z·σ(βz)", make_elementwise<Swish>},
      {"silu", "a = z·σ(z)", make_elementwise<SiLU>},
      {"maxout", "a_j = max_p (x·w_pjᵀ + b_pj) (k pieces learned)", make_maxout},
      {"softmax", "a_i = e^(z_i) / Σ_j e^(z_j)", make_softmax},
  };
  return table;
}

std::vector<std::string> activation_names() {
  std::vector<std::string> names;
  for (const ActivationEntry& e : activation_table()) names.emplace_back(e.name);
  return names;
}

std::unique_ptr<Layer> make_activation(std::string_view name, std::size_t units, const Json& options) {
  for (const ActivationEntry& e : activation_table())
    if (name == e.name) return e.make(units, options);
  throw InputError(fmt::format("unknown activation \"{}\" (known: {})", clip(name), list_some(activation_names())));
}

// The settings readers of glassbox/core/options.hpp, with messages naming the activation.
void require_known_options(const Json& options, std::string_view activation,
                           std::initializer_list<std::string_view> known) {
  require_known_keys(options, fmt::format("activation {}", activation), known);
}

Scalar number_option(const Json& options, std::string_view activation, std::string_view key, Scalar fallback) {
  return static_cast<Scalar>(number_setting(options, fmt::format("activation {}", activation), key, fallback));
}

bool bool_option(const Json& options, std::string_view activation, std::string_view key, bool fallback) {
  return bool_setting(options, fmt::format("activation {}", activation), key, fallback);
}

}  // namespace glassbox
