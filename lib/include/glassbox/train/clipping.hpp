// glassbox/train/clipping.hpp — gradient clipping: shrinking the gradients of one step before the
// optimizer uses them, so that one huge gradient cannot throw the weights far away.
//
// By global norm, as PyTorch's torch.nn.utils.clip_grad_norm_(parameters, max_norm):
//   ‖g‖ = √(Σ over every element of every parameter's gradient of g²)   one norm over all of them
//   c   = max_norm / (‖g‖ + 1e-6), capped at 1
//   g  ← c·g   for every gradient (only when c < 1: a gradient already short enough is left alone)
// The direction of the whole gradient is kept; only its length is capped at about max_norm.
//
// By value, as torch.nn.utils.clip_grad_value_(parameters, clip_value) and Keras' clipvalue:
//   g ← min(max(g, −c), c)   element by element: the direction changes.
//
// Frozen parameters (Network::freeze) are left out of both, as PyTorch leaves out parameters that do
// not require a gradient: the optimizer ignores their gradients anyway.
#pragma once

#include <cstddef>
#include <vector>

#include "glassbox/nn/layer.hpp"

namespace glassbox {

struct NormClipping {
  double total_norm = 0;   // ‖g‖ before clipping
  double coefficient = 1;  // max_norm/(‖g‖ + 1e-6) capped at 1: what every gradient was multiplied by
};

// Scales the gradients of the parameters (frozen ones left out) to a global norm of at most about
// max_norm; returns the norm before and the coefficient. std::invalid_argument unless max_norm > 0.
NormClipping clip_grad_norm(const std::vector<ParameterRef>& parameters, double max_norm);

// Clamps every gradient element (frozen parameters left out) to [−clip_value, clip_value]; returns
// how many elements were changed. std::invalid_argument unless clip_value > 0.
std::size_t clip_grad_value(const std::vector<ParameterRef>& parameters, double clip_value);

}  // namespace glassbox
