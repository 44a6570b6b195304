// glassbox/train/divergence.cpp
#include "glassbox/train/divergence.hpp"

#include <cmath>

#include <fmt/format.h>

namespace glassbox {

DivergenceGuard::DivergenceGuard(Scalar first_loss, Scalar learning_rate, Scalar growth_limit)
    : first_loss_(first_loss), learning_rate_(learning_rate), growth_limit_(growth_limit) {
  if (!std::isfinite(first_loss))
    throw DivergenceError(fmt::format("the loss is {} before any update: check the data and the initial weights",
                                      first_loss),
                          first_loss, first_loss, 0);
  if (!(growth_limit > 1))
    throw std::invalid_argument(fmt::format("DivergenceGuard: the growth limit must be > 1, got {}", growth_limit));
}

void DivergenceGuard::check_finite(Scalar loss, std::size_t updates) const {
  if (!std::isfinite(loss))
    throw DivergenceError(fmt::format("loss became {} at update {}, from {:.4g} at the start (learning rate η = {:.4g} too large)",
                                      loss, updates, first_loss_, learning_rate_),
                          first_loss_, loss, updates);
}

void DivergenceGuard::check(Scalar loss, std::size_t updates) const {
  check_finite(loss, updates);
  if (first_loss_ > 0 && loss > growth_limit_ * first_loss_)
    throw DivergenceError(fmt::format("loss grew from {:.4g} to {:.4g} over {} updates (learning rate η = {:.4g} too large)",
                                      first_loss_, loss, updates, learning_rate_),
                          first_loss_, loss, updates);
}

EpochCallback watch_divergence(DivergenceGuard guard, EpochCallback then) {
  return [guard, then = std::move(then)](const EpochStats& stats) {
    guard.check(stats.loss, stats.steps);
    if (then) then(stats);
  };
}

}  // namespace glassbox
