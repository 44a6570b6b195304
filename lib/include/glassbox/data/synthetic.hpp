// glassbox/data/synthetic.hpp — small synthetic data sets for two-class problems in the plane, built the
// way scikit-learn's sklearn.datasets generators build theirs, with glassbox's own Rng.
//
// N = samples. X is (N×2), one point (x, y) per row; labels[n] is its class, 0 or 1.
//
// make_circles(N, noise, factor): a big circle around a small one.
//   N_out = N // 2 points on the unit circle (class 0), N_in = N − N_out on the circle of radius
//   `factor` (class 1), at the angles θ_k = 2πk/n, k = 0 … n−1 (evenly spaced, the end point 2π
//   left out so that no point is doubled), outer circle first; then the rows are shuffled; then
//   Gaussian noise of standard deviation `noise` is added to every coordinate.
// make_moons(N, noise): two interleaving half circles.
//   N_out = N // 2 points on the upper half of the unit circle (class 0, angles 0 … π, both ends
//   included), N_in on a lower half circle shifted to centre (1, 0.5) (class 1); shuffle; noise.
// make_disc(N): N points uniform in [−1, 1]² (x then y, row by row); class 1 inside the circle of
//   area 2 centred at the origin (x² + y² < 2/π), so the classes are about equal. No noise: the
//   boundary is exact. (Not scikit-learn's; chapters 08 and 11 train deep networks on it.)
//
// The construction is scikit-learn's, step for step; the numbers differ from numpy's because the
// random generator does (glassbox::Rng: the same numbers on every machine for a seed).
#pragma once

#include <cstddef>
#include <vector>

#include "glassbox/core/matrix.hpp"
#include "glassbox/core/random.hpp"

namespace glassbox::synthetic {

struct LabelledPoints {
  Matrix X;                          // (N×2)
  std::vector<std::size_t> labels;   // N labels, 0 or 1
  // The labels as an (N×1) column of 0.0 and 1.0: the targets of a network with one sigmoid output.
  Matrix targets() const;
};

// n values from start to stop, evenly spaced: start + k·(stop − start)/(n − 1) with the end point,
// start + k·(stop − start)/n without it (numpy.linspace's two forms).
std::vector<double> linspace(double start, double stop, std::size_t n, bool endpoint = true);

// std::invalid_argument for noise < 0 or a factor outside [0, 1).
LabelledPoints make_circles(std::size_t n, double noise, double factor, Rng& rng, bool shuffle = true);
// std::invalid_argument for noise < 0.
LabelledPoints make_moons(std::size_t n, double noise, Rng& rng, bool shuffle = true);
LabelledPoints make_disc(std::size_t n, Rng& rng);

}  // namespace glassbox::synthetic
