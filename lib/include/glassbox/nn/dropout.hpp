// glassbox/nn/dropout.hpp — dropout: in training, each unit of each sample is dropped (set to 0) with
// probability p, and the kept ones are scaled by 1/(1 − p); in evaluation, the identity.
//
// N = batch size (one sample per row), width = the layer's input and output width (the same).
//
// As PyTorch's nn.Dropout(p) and Keras' Dropout(rate): p is the probability of DROPPING a unit, and
// the scaling happens while training ("inverted dropout"), so that E[Y] = X and evaluation needs
// nothing. The notes' older rule — no scaling in training, weights multiplied by 1 − p at test — gives
// the same expected output.
//
// The mask comes from the layer's own generator, given when it is built. A network built from a spec
// gives dropout layer i the generator Rng::derived(seed, "dropout layers[i]") (experiment.hpp), so
// the masks depend only on the run's seed and the layer's position, not on how many numbers other
// parts drew. Each training-mode forward() draws a fresh mask, one uniform() per element, row by row:
// M(n, j) = 1 if u < 1 − p (kept), else 0. A copy of the layer continues the same stream.
#pragma once

#include "glassbox/nn/layer.hpp"
#include "glassbox/core/random.hpp"

namespace glassbox {

class Dropout final : public Layer {
public:
  // p in [0, 1): p = 1 would drop everything (and scale by 1/0); refused with std::invalid_argument.
  Dropout(std::size_t width, double p, Rng rng);

  std::string describe() const override;  // "Dropout(p=0.5)"
  std::size_t input_width() const override { return width_; }
  std::size_t output_width() const override { return width_; }
  bool has_modes() const override { return true; }
  double p() const { return p_; }

  // Cached by forward() for backward(): the mask of the last training-mode pass.
  Matrix mask;  // (N×width)  1 where the unit was kept, 0 where dropped
  Matrix Y;     // (N×width)
  Matrix dX;    // (N×width)

  // training:   Y = X ⊙ M / (1 − p)        M(n, j) ~ Bernoulli(1 − p), drawn anew each pass
  // evaluation: Y = X
  const Matrix& forward(const Matrix& X) override;
  // training:   dL/dX = dL/dY ⊙ M / (1 − p)   (the same mask as the forward pass)
  // evaluation: dL/dX = dL/dY
  const Matrix& backward(const Matrix& dY) override;

  // While held, training-mode forward() reuses the last mask instead of drawing a new one (the
  // gradient checker holds it so that f(θ + h), f(θ − h) and the analytic pass share one mask).
  void hold_draws(bool hold) override { hold_ = hold; }

  // Forward events (level full) record "mask" in training mode.
  void trace_forward(Json& event) const override;

  std::unique_ptr<Layer> clone() const override { return std::make_unique<Dropout>(*this); }

private:
  std::size_t width_;
  double p_;
  Rng rng_;
  bool hold_ = false;
  bool last_training_ = true;  // the mode of the last forward(), which backward() follows
};

}  // namespace glassbox
