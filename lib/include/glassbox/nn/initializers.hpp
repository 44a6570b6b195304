// glassbox/nn/initializers.hpp — how a dense layer's weights start: the named schemes of the course.
//
// in = inputs, out = units: W is (out×in) and b is (1×out), as in dense.hpp. Every scheme here is an
// `Initializer` (dense.hpp), usable as Dense(in, out, rng, make_initializer("he_normal")).
//
// Fans, as PyTorch's torch.nn.init._calculate_fan_in_and_fan_out and Keras define them for a dense
// layer:   fan_in = in = W.cols()  (the inputs of each unit)    fan_out = out = W.rows()  (the units)
//
//   scheme (options)            each weight w drawn from                       Var(w)
//   zeros                       0                                              0
//   constant (value, bias)      value                                          0
//   uniform (scale = 0.05)      U(−scale, scale)                               scale²/3
//   normal (stddev = 0.05, mean = 0)  N(mean, stddev²)                         stddev²
//   glorot_uniform (gain = 1)   U(−a, a),  a = gain·√(6 / (fan_in + fan_out))  gain²·2/(fan_in + fan_out)
//   glorot_normal (gain = 1)    N(0, σ²),  σ = gain·√(2 / (fan_in + fan_out))  gain²·2/(fan_in + fan_out)
//   he_uniform (gain = √2, mode = fan_in)  U(−a, a),  a = gain·√(3 / fan)      gain²/fan = 2/fan_in
//   he_normal (gain = √2, mode = fan_in)   N(0, σ²),  σ = gain / √fan          gain²/fan = 2/fan_in
//   lecun_uniform               U(−a, a),  a = √(3 / fan_in)                   1/fan_in
//   lecun_normal                N(0, σ²),  σ = 1 / √fan_in  (for SELU)         1/fan_in
//   uniform_fan_in              U(−1/√fan_in, 1/√fan_in), b likewise           1/(3·fan_in)
//
// Glorot (Xavier) keeps the variance of signals forward and of gradients backward about equal for
// tanh-like units by averaging the fans; He (Kaiming) doubles LeCun's 1/fan_in because a ReLU
// zeroes half its inputs. These match torch.nn.init's xavier_uniform_/xavier_normal_ (gain),
// kaiming_uniform_/kaiming_normal_ (mode "fan_in" by default, as PyTorch; nonlinearity "relu"
// gives gain √2; "fan_out" preserves the backward pass instead) and, for LeCun,
// kaiming_normal_(nonlinearity="linear").
//
// Biases: every scheme but uniform_fan_in sets b = 0, as Keras does (bias_initializer "zeros"; the
// torch.nn.init functions leave biases to the caller). uniform_fan_in is PyTorch's nn.Linear
// default (dense.hpp's init_uniform_fan_in): W and then b from U(±1/√fan_in), the same numbers.
//
// Normal schemes draw from the untruncated normal, as torch.nn.init does. (Keras's glorot_normal,
// he_normal and lecun_normal draw from a normal truncated at 2σ and widened to keep the variance:
// the same variance, different samples.)
//
// Draw order: W row by row, then b when b is drawn — one seeded Rng gives the same weights everywhere.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/nn/dense.hpp"
#include "glassbox/core/json.hpp"

namespace glassbox {

struct Fans {
  std::size_t fan_in = 0;   // in  = W.cols()
  std::size_t fan_out = 0;  // out = W.rows()
};
// The fans of W:(out×in).
Fans fans_of(const Matrix& W);

// What each element of a tensor is drawn from.
enum class Distribution { constant, uniform, normal };
struct Draw {
  Distribution distribution = Distribution::constant;
  double center = 0;  // the constant, the mean of a normal, the middle of a uniform
  double scale = 0;   // uniform: half-width a of U(center − a, center + a); normal: σ; constant: unused
  double variance() const;  // 0, a²/3, σ²
};

// A scheme for one layer: how W and how b are drawn.
struct InitScheme {
  Draw weights;
  Draw bias;  // constant 0 unless the scheme draws biases
};

// A named scheme with its settings: from the fans of a layer to what its W and b are drawn from.
using InitRule = std::function<InitScheme(const Fans&)>;

// The Initializer that fills W (row by row) and then b as `rule` says for W's fans.
Initializer initializer_from(InitRule rule);

// ---- the table of initializers by name ----------------------------------------------------------

struct InitializerEntry {
  const char* name;     // "he_normal"
  const char* formula;  // "N(0, 2/fan_in)", for help texts and the lessons
  InitRule (*make)(const Json& options);
};

// Every initializer the library knows, in the order of the table above.
const std::vector<InitializerEntry>& initializer_table();
std::vector<std::string> initializer_names();

// The rule called `name` with settings from `options` (a JSON object; {} for the defaults), and the
// Initializer that applies it. Throws InputError naming the initializer for an unknown name, an
// unknown option or a bad value.
InitRule make_init_rule(std::string_view name, const Json& options = Json::object());
Initializer make_initializer(std::string_view name, const Json& options = Json::object());

}  // namespace glassbox
