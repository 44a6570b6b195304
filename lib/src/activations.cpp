// glassbox/activations.cpp — softmax, and the table of activations by name.
#include "glassbox/activations.hpp"

#include <algorithm>

#include <fmt/format.h>

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

// ---- the table ----------------------------------------------------------------------------------

namespace {

std::unique_ptr<Layer> make_softmax(std::size_t units, const Json& options) {
  if (!options.is_null() && !options.empty())
    throw InputError("activation softmax: takes no options, got " + options.dump());
  return std::make_unique<Softmax>(units);
}

}  // namespace

const std::vector<ActivationEntry>& activation_table() {
  static const std::vector<ActivationEntry> table = {
      {"identity", "a = z", make_elementwise<Identity>},
      {"sigmoid", "a = 1 / (1 + e^(−z))", make_elementwise<Sigmoid>},
      {"tanh", "a = tanh(z)", make_elementwise<Tanh>},
      {"relu", "a = max(0, z)", make_elementwise<ReLU>},
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
  throw InputError(fmt::format("unknown activation \"{}\" (known: {})", name, fmt::join(activation_names(), ", ")));
}

void require_known_options(const Json& options, std::string_view activation,
                           std::initializer_list<std::string_view> known) {
  if (options.is_null()) return;
  if (!options.is_object())
    throw InputError(fmt::format("activation {}: options must be a JSON object, got {}", activation, options.dump()));
  for (const auto& item : options.items())
    if (std::find(known.begin(), known.end(), item.key()) == known.end())
      throw InputError(fmt::format("activation {}: unknown option \"{}\" (known: {})", activation, item.key(),
                                   fmt::join(known, ", ")));
}

Scalar number_option(const Json& options, std::string_view activation, std::string_view key, Scalar fallback) {
  if (options.is_null() || !options.contains(key)) return fallback;
  const Json& v = options.at(std::string(key));
  if (!v.is_number())
    throw InputError(fmt::format("activation {}: option \"{}\" must be a number, got {}", activation, key, v.dump()));
  return v.get<Scalar>();
}

}  // namespace glassbox
