// glassbox/train/divergence.hpp — noticing that training is blowing up, and saying why.
//
// With too large a learning rate, gradient descent overshoots the minimum by more than it started
// from: the loss grows geometrically until it overflows to ±Inf and then NaN. Rather than print
// tables of NaN, a DivergenceGuard watches the loss and stops the run with a message such as
//   "loss grew from 0.52 to 6.1e+05 over 23 updates (learning rate η = 0.6 too large)".
// (A loss or weight that becomes NaN or ±Inf inside train() is reported by train() itself, with a
// NonFiniteError naming where it first appeared; the guard adds the growth test before that point.)
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "glassbox/core/error.hpp"
#include "glassbox/core/matrix.hpp"
#include "glassbox/train/train.hpp"

namespace glassbox {

class DivergenceGuard {
public:
  // `first_loss` is the loss before any update; the guard trips when a later loss is not finite, or
  // larger than growth_limit × first_loss (when first_loss > 0).
  DivergenceGuard(Scalar first_loss, Scalar learning_rate, Scalar growth_limit = 1e6);

  // Checks a loss seen after `updates` updates. Throws DivergenceError if it is ±Inf or NaN, or
  // has grown past the limit.
  void check(Scalar loss, std::size_t updates) const;
  // Checks only that the loss is finite (for a noisy loss, such as one sample's).
  void check_finite(Scalar loss, std::size_t updates) const;

  Scalar first_loss() const noexcept { return first_loss_; }
  Scalar growth_limit() const noexcept { return growth_limit_; }

private:
  Scalar first_loss_, learning_rate_, growth_limit_;
};

// An epoch callback for train() (glassbox/train/train.hpp): checks each epoch's loss on the whole training
// set with `guard` (throwing DivergenceError out of train()), then calls `then`, if given.
EpochCallback watch_divergence(DivergenceGuard guard, EpochCallback then = {});

}  // namespace glassbox
