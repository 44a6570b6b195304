// glassbox/core/random.hpp — a seeded generator whose streams are the same on every machine.
//
// The engine is std::mt19937_64, whose output sequence the C++ standard fixes bit for bit. The
// standard library's distributions are not fixed (libstdc++ and libc++ turn the same engine output
// into different numbers), so every distribution here is written out by hand, using only +, −, ×, ÷
// and √ — operations IEEE 754 rounds exactly — so the same seed gives the same numbers everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

namespace glassbox {

class Rng {
public:
  explicit Rng(std::uint64_t seed = 1) : seed_(seed), engine_(seed) {}

  std::uint64_t seed() const noexcept { return seed_; }

  // A generator of its own for one named part of a run, seeded from the run's seed and the name:
  // Rng::derived(seed, "depth/relu/he"). Parts that draw from their own generators do not shift each
  // other's numbers: changing how one part draws (or how much) leaves every other part as it was.
  // The derived seed is splitmix64(seed ⊕ FNV-1a(name)): the same on every machine.
  static Rng derived(std::uint64_t seed, std::string_view name);

  // The engine's next raw 64-bit output.
  std::uint64_t next_u64() { return engine_(); }

  // U[0, 1): the top 53 bits of one engine output, scaled by 2⁻⁵³ (every value is a multiple of 2⁻⁵³).
  double uniform();
  // U[low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }

  // N(0, 1) by Marsaglia's polar method: draw (u, v) uniformly in the unit disc, s = u² + v²;
  // then u·√(−2 ln s / s) and v·√(−2 ln s / s) are two independent standard normals. The second
  // is kept and returned by the next call.
  double normal();
  double normal(double mean, double stddev) { return mean + stddev * normal(); }

  // True with probability p: uniform() < p.
  bool bernoulli(double p) { return uniform() < p; }

  // A uniform integer in [0, n), n > 0, by rejection: no modulo bias.
  std::uint64_t below(std::uint64_t n);

  // A uniformly random permutation of 0 … n−1 (Fisher–Yates, from the last position down).
  std::vector<std::size_t> permutation(std::size_t n);

  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      const auto j = static_cast<std::size_t>(below(i));
      using std::swap;
      swap(items[i - 1], items[j]);
    }
  }

private:
  std::uint64_t seed_;
  std::mt19937_64 engine_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

// ln x for x > 0 using only exactly rounded operations (frexp, +, −, ×, ÷): the same bits on every
// platform, unlike std::log, whose last bit may differ between math libraries. Accurate to about
// one unit in the last place. Used by Rng::normal.
double portable_log(double x);
// eˣ by the same rule: x = k·ln 2 + r with |r| ≤ ½·ln 2, eʳ by its Taylor series, then ×2ᵏ (exact).
// Accurate to about one unit in the last place; 0 below −745, +∞ above 709.78. Used where a traced
// number needs a power with a non-integer exponent (NAdam's 0.96^(ψ·t) = e^(ψ·t·ln 0.96)).
double portable_exp(double x);

}  // namespace glassbox
