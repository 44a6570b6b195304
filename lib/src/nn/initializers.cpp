// glassbox/nn/initializers.cpp — the initialization schemes: their fans, variances and draws.
//
// in = inputs, out = units: W is (out×in), b is (1×out); fan_in = in, fan_out = out.
#include "glassbox/nn/initializers.hpp"

#include <cmath>

#include <fmt/format.h>

#include "glassbox/core/options.hpp"
#include "glassbox/core/text.hpp"

namespace glassbox {

Fans fans_of(const Matrix& W) { return Fans{W.cols(), W.rows()}; }

double Draw::variance() const {
  switch (distribution) {
    case Distribution::constant: return 0.0;
    case Distribution::uniform: return scale * scale / 3.0;
    case Distribution::normal: return scale * scale;
  }
  return 0.0;
}

namespace {

void fill(Matrix& m, const Draw& draw, Rng& rng) {
  switch (draw.distribution) {
    case Distribution::constant:
      m.fill(static_cast<Scalar>(draw.center));
      break;
    case Distribution::uniform:
      for (Scalar& x : m) x = static_cast<Scalar>(rng.uniform(draw.center - draw.scale, draw.center + draw.scale));
      break;
    case Distribution::normal:
      for (Scalar& x : m) x = static_cast<Scalar>(rng.normal(draw.center, draw.scale));
      break;
  }
}

Draw constant(double value) { return Draw{Distribution::constant, value, 0.0}; }
Draw uniform(double half_width) { return Draw{Distribution::uniform, 0.0, half_width}; }
Draw normal(double stddev, double mean = 0.0) { return Draw{Distribution::normal, mean, stddev}; }
double fan_sum(const Fans& f) { return static_cast<double>(f.fan_in + f.fan_out); }
double fan_in(const Fans& f) { return static_cast<double>(f.fan_in); }

std::string owner(const char* name) { return fmt::format("initializer {}", name); }

double non_negative(const char* name, const Json& options, const char* key, double fallback) {
  const double x = number_setting(options, owner(name), key, fallback);
  if (!(x >= 0 && std::isfinite(x)))
    throw InputError(fmt::format("initializer {}: option \"{}\" must be a finite number ≥ 0, got {}", name, key, x));
  return x;
}

double finite(const char* name, const Json& options, const char* key, double fallback) {
  const double x = number_setting(options, owner(name), key, fallback);
  if (!std::isfinite(x))
    throw InputError(fmt::format("initializer {}: option \"{}\" must be finite, got {}", name, key, x));
  return x;
}

// ---- the schemes, each from its options ---------------------------------------------------------

// W = 0, b = 0
InitRule zeros(const Json& options) {
  require_no_options(options, owner("zeros"));
  return [](const Fans&) { return InitScheme{constant(0.0), constant(0.0)}; };
}

// W = value, b = bias
InitRule constants(const Json& options) {
  require_known_keys(options, owner("constant"), {"value", "bias"});
  const double value = finite("constant", options, "value", 0.0);
  const double bias = finite("constant", options, "bias", 0.0);
  return [=](const Fans&) { return InitScheme{constant(value), constant(bias)}; };
}

// W ~ U(−scale, scale)
InitRule uniforms(const Json& options) {
  require_known_keys(options, owner("uniform"), {"scale"});
  const double scale = non_negative("uniform", options, "scale", 0.05);
  return [=](const Fans&) { return InitScheme{uniform(scale), constant(0.0)}; };
}

// W ~ N(mean, stddev²)
InitRule normals(const Json& options) {
  require_known_keys(options, owner("normal"), {"stddev", "mean"});
  const double stddev = non_negative("normal", options, "stddev", 0.05);
  const double mean = finite("normal", options, "mean", 0.0);
  return [=](const Fans&) { return InitScheme{normal(stddev, mean), constant(0.0)}; };
}

// a = gain·√(6/(fan_in + fan_out))
InitRule glorot_uniform(const Json& options) {
  require_known_keys(options, owner("glorot_uniform"), {"gain"});
  const double gain = non_negative("glorot_uniform", options, "gain", 1.0);
  return [=](const Fans& f) { return InitScheme{uniform(gain * std::sqrt(6.0 / fan_sum(f))), constant(0.0)}; };
}

// σ = gain·√(2/(fan_in + fan_out))
InitRule glorot_normal(const Json& options) {
  require_known_keys(options, owner("glorot_normal"), {"gain"});
  const double gain = non_negative("glorot_normal", options, "gain", 1.0);
  return [=](const Fans& f) { return InitScheme{normal(gain * std::sqrt(2.0 / fan_sum(f))), constant(0.0)}; };
}

// The fan He's schemes divide by: fan_in (PyTorch's default mode) or fan_out.
struct HeSettings {
  double gain;
  bool fan_out;
  double fan(const Fans& f) const { return static_cast<double>(fan_out ? f.fan_out : f.fan_in); }
};
HeSettings he_settings(const char* name, const Json& options) {
  require_known_keys(options, owner(name), {"gain", "mode"});
  return HeSettings{non_negative(name, options, "gain", std::sqrt(2.0)),
                    choice_setting(options, owner(name), "mode", "fan_in", {"fan_in", "fan_out"}) == "fan_out"};
}

// a = gain·√(3/fan),  gain = √2: a = √(6/fan_in)
InitRule he_uniform(const Json& options) {
  const HeSettings he = he_settings("he_uniform", options);
  return [=](const Fans& f) { return InitScheme{uniform(he.gain * std::sqrt(3.0 / he.fan(f))), constant(0.0)}; };
}

// σ = gain/√fan,  gain = √2: σ = √(2/fan_in)
InitRule he_normal(const Json& options) {
  const HeSettings he = he_settings("he_normal", options);
  return [=](const Fans& f) { return InitScheme{normal(he.gain / std::sqrt(he.fan(f))), constant(0.0)}; };
}

// a = √(3/fan_in)
InitRule lecun_uniform(const Json& options) {
  require_no_options(options, owner("lecun_uniform"));
  return [](const Fans& f) { return InitScheme{uniform(std::sqrt(3.0 / fan_in(f))), constant(0.0)}; };
}

// σ = 1/√fan_in
InitRule lecun_normal(const Json& options) {
  require_no_options(options, owner("lecun_normal"));
  return [](const Fans& f) { return InitScheme{normal(1.0 / std::sqrt(fan_in(f))), constant(0.0)}; };
}

// W and b ~ U(±1/√fan_in): PyTorch nn.Linear's default, as init_uniform_fan_in
InitRule uniform_fan_in(const Json& options) {
  require_no_options(options, owner("uniform_fan_in"));
  return [](const Fans& f) {
    const double bound = 1.0 / std::sqrt(fan_in(f));
    return InitScheme{uniform(bound), uniform(bound)};
  };
}

}  // namespace

Initializer initializer_from(InitRule rule) {
  return [rule = std::move(rule)](Matrix& W, Matrix& b, Rng& rng) {
    const InitScheme scheme = rule(fans_of(W));
    fill(W, scheme.weights, rng);
    fill(b, scheme.bias, rng);
  };
}

const std::vector<InitializerEntry>& initializer_table() {
  static const std::vector<InitializerEntry> table = {
      {"zeros", "W = 0", zeros},
      {"constant", "W = value", constants},
      {"uniform", "U(−scale, scale)", uniforms},
      {"normal", "N(mean, stddev²)", normals},
      {"glorot_uniform", "U(±gain·√(6/(fan_in + fan_out)))", glorot_uniform},
      {"glorot_normal", "N(0, gain²·2/(fan_in + fan_out))", glorot_normal},
      {"he_uniform", "U(±gain·√(3/fan_in)), gain = √2", he_uniform},
      {"he_normal", "N(0, gain²/fan_in), gain = √2", he_normal},
      {"lecun_uniform", "U(±√(3/fan_in))", lecun_uniform},
      {"lecun_normal", "N(0, 1/fan_in)", lecun_normal},
      {"uniform_fan_in", "W, b ~ U(±1/√fan_in)", uniform_fan_in},
  };
  return table;
}

std::vector<std::string> initializer_names() {
  std::vector<std::string> names;
  for (const InitializerEntry& e : initializer_table()) names.emplace_back(e.name);
  return names;
}

InitRule make_init_rule(std::string_view name, const Json& options) {
  for (const InitializerEntry& e : initializer_table())
    if (name == e.name) return e.make(options);
  throw InputError(
      fmt::format("unknown initializer \"{}\" (known: {})", clip(name), list_some(initializer_names())));
}

Initializer make_initializer(std::string_view name, const Json& options) {
  return initializer_from(make_init_rule(name, options));
}

}  // namespace glassbox
