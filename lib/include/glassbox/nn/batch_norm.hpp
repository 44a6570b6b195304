// glassbox/nn/batch_norm.hpp — batch normalization, as PyTorch's nn.BatchNorm1d on a batch of
// feature vectors: each feature normalized over the batch, then scaled and shifted by learned γ, β.
//
// N = batch size (one sample per row), F = features (the layer's input and output width);
// μ, σ², γ, β and the running statistics are (1×F), one number per feature (column).
//
// Training mode, with the batch's own statistics:
//   μ  = (1/N)·Σ_n x_n                   the batch mean
//   σ² = (1/N)·Σ_n (x_n − μ)²             the BIASED batch variance (divides by N)
//   x̂  = (x − μ)/√(σ² + ε)
//   y  = γ·x̂ + β                          γ = 1, β = 0 at the start; both learned
// and the running statistics (buffers, start 0 and 1) move towards the batch's:
//   running_mean ← (1 − m)·running_mean + m·μ
//   running_var  ← (1 − m)·running_var  + m·σ²·N/(N − 1)     the UNBIASED variance
// with momentum m = 0.1 (PyTorch's convention: m weighs the NEW value). Keras' BatchNormalization
// writes momentum = 0.99 as the weight of the OLD value, uses ε = 1e-3 and the biased variance for
// its moving variance.
// Evaluation mode, with the running statistics: x̂ = (x − running_mean)/√(running_var + ε).
//
// A training batch of one sample has σ² = 0 and no unbiased variance: refused, as PyTorch refuses it.
#pragma once

#include "glassbox/nn/layer.hpp"

namespace glassbox {

class BatchNorm final : public Layer {
public:
  // momentum in [0, 1], eps > 0; std::invalid_argument otherwise.
  explicit BatchNorm(std::size_t features, double momentum = 0.1, double eps = 1e-5);

  std::string describe() const override;  // "BatchNorm(3)"
  std::size_t input_width() const override { return gamma.cols(); }
  std::size_t output_width() const override { return gamma.cols(); }
  bool has_modes() const override { return true; }
  double momentum() const { return momentum_; }
  double eps() const { return eps_; }

  // The parameters and their gradients.
  Matrix gamma;   // (1×F)  γ, the scale
  Matrix beta;    // (1×F)  β, the shift
  Matrix dgamma;  // (1×F)  dL/dγ, accumulated
  Matrix dbeta;   // (1×F)  dL/dβ, accumulated
  // The buffers: not learned, updated by training-mode forward().
  Matrix running_mean;  // (1×F)  starts at 0
  Matrix running_var;   // (1×F)  starts at 1

  // Cached by forward() for backward() (and the trace).
  Matrix mu;     // (1×F)  the mean used: the batch's (training) or running_mean (evaluation)
  Matrix var;    // (1×F)  the variance used: the batch's biased one, or running_var
  Matrix sigma;  // (1×F)  σ = √(var + ε)
  Matrix x_hat;  // (N×F)  (x − mu)/σ
  Matrix Y;      // (N×F)
  Matrix dX;     // (N×F)

  // y = γ·x̂ + β, x̂ = (x − μ)/σ, with the batch's μ, σ² (training) or the running ones (evaluation)
  const Matrix& forward(const Matrix& X) override;
  // dL/dγ += Σ_n dy·x̂ ;  dL/dβ += Σ_n dy      (per feature)
  // training:   dL/dx = γ/(N·σ)·(N·dy − Σ_n dy − x̂·Σ_n(dy·x̂))   (μ and σ² depend on every x_n)
  // evaluation: dL/dx = γ/σ·dy                                  (the running statistics are constants)
  const Matrix& backward(const Matrix& dY) override;

  std::vector<ParameterRef> parameters() override;
  std::vector<BufferRef> buffers() override;

  // Forward events (level full): "mu", "var" (the batch's, training only), "x_hat", and the buffers
  // "running_mean", "running_var" as the pass left them.
  void trace_forward(Json& event) const override;

  std::unique_ptr<Layer> clone() const override { return std::make_unique<BatchNorm>(*this); }

private:
  double momentum_;
  double eps_;
  bool last_training_ = true;  // the mode of the last forward(), which backward() follows
};

}  // namespace glassbox
