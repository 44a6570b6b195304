// glassbox/nn/batch_norm.cpp — batch normalization's forward pass (batch or running statistics),
// the running-statistics update, and the compact backward pass.
#include "glassbox/nn/batch_norm.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace glassbox {

BatchNorm::BatchNorm(std::size_t features, double momentum, double eps)
    : gamma(1, features, Scalar{1}), beta(1, features), dgamma(1, features), dbeta(1, features),
      running_mean(1, features), running_var(1, features, Scalar{1}), momentum_(momentum), eps_(eps) {
  if (features == 0) throw ShapeError("BatchNorm: a layer needs at least one feature");
  if (!(momentum >= 0 && momentum <= 1))
    throw std::invalid_argument(fmt::format("BatchNorm: momentum must be in [0, 1] (the weight of the new batch's "
                                            "statistics), got {}",
                                            momentum));
  if (!(eps > 0 && std::isfinite(eps)))
    throw std::invalid_argument(fmt::format("BatchNorm: eps must be a positive number, got {}", eps));
}

std::string BatchNorm::describe() const { return fmt::format("BatchNorm({})", gamma.cols()); }

// x̂ = (x − μ)/σ,  σ = √(σ² + ε) ;  y = γ·x̂ + β
const Matrix& BatchNorm::forward(const Matrix& X) {
  require_input_width("forward", X);
  const std::size_t N = X.rows(), F = X.cols();
  last_training_ = training();
  if (last_training_) {
    if (N < 2)
      throw ShapeError(fmt::format(
          "{}: forward: a batch of {} sample in training mode: batch normalization needs more than 1 value per "
          "feature when training (the variance of one value is 0 and its unbiased variance undefined); use batches "
          "of 2 or more, or evaluation mode",
          describe(), N));
    mu = Matrix(1, F);
    var = Matrix(1, F);
    for (std::size_t n = 0; n < N; ++n)
      for (std::size_t j = 0; j < F; ++j) mu(0, j) += X(n, j);
    for (std::size_t j = 0; j < F; ++j) mu(0, j) /= static_cast<Scalar>(N);
    for (std::size_t n = 0; n < N; ++n)
      for (std::size_t j = 0; j < F; ++j) {
        const Scalar d = X(n, j) - mu(0, j);
        var(0, j) += d * d;
      }
    const Scalar m = static_cast<Scalar>(momentum_);
    for (std::size_t j = 0; j < F; ++j) {
      const Scalar sum_sq = var(0, j);
      var(0, j) = sum_sq / static_cast<Scalar>(N);                       // biased: normalizes the batch
      const Scalar unbiased = sum_sq / static_cast<Scalar>(N - 1);       // unbiased: the running estimate
      running_mean(0, j) = (1 - m) * running_mean(0, j) + m * mu(0, j);
      running_var(0, j) = (1 - m) * running_var(0, j) + m * unbiased;
    }
  } else {
    mu = running_mean;
    var = running_var;
  }
  sigma = Matrix(1, F);
  for (std::size_t j = 0; j < F; ++j) sigma(0, j) = std::sqrt(var(0, j) + static_cast<Scalar>(eps_));
  x_hat = Matrix(N, F);
  Y = Matrix(N, F);
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t j = 0; j < F; ++j) {
      x_hat(n, j) = (X(n, j) - mu(0, j)) / sigma(0, j);
      Y(n, j) = gamma(0, j) * x_hat(n, j) + beta(0, j);
    }
  return Y;
}

// dL/dγ += Σ dy·x̂ ;  dL/dβ += Σ dy ;  dL/dx = γ/(N·σ)·(N·dy − Σdy − x̂·Σ(dy·x̂))  (training)
const Matrix& BatchNorm::backward(const Matrix& dY) {
  require_output_shape(dY, Y);
  const std::size_t N = dY.rows(), F = dY.cols();
  Matrix sum_dy(1, F), sum_dy_xhat(1, F);
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t j = 0; j < F; ++j) {
      sum_dy(0, j) += dY(n, j);
      sum_dy_xhat(0, j) += dY(n, j) * x_hat(n, j);
    }
  for (std::size_t j = 0; j < F; ++j) {
    dgamma(0, j) += sum_dy_xhat(0, j);
    dbeta(0, j) += sum_dy(0, j);
  }
  if (!needs_input_gradient) {
    dX = Matrix();
    return dX;
  }
  dX = Matrix(N, F);
  const Scalar n_rows = static_cast<Scalar>(N);
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t j = 0; j < F; ++j) {
      if (last_training_)
        dX(n, j) = gamma(0, j) / (n_rows * sigma(0, j)) *
                   (n_rows * dY(n, j) - sum_dy(0, j) - x_hat(n, j) * sum_dy_xhat(0, j));
      else
        dX(n, j) = gamma(0, j) / sigma(0, j) * dY(n, j);
    }
  return dX;
}

std::vector<ParameterRef> BatchNorm::parameters() { return {{"gamma", gamma, dgamma}, {"beta", beta, dbeta}}; }

std::vector<BufferRef> BatchNorm::buffers() {
  return {{"running_mean", running_mean}, {"running_var", running_var}};
}

void BatchNorm::trace_forward(Json& event) const {
  if (last_training_) {
    event["mu"] = to_json(mu);
    event["var"] = to_json(var);
  }
  event["x_hat"] = to_json(x_hat);
  event["running_mean"] = to_json(running_mean);
  event["running_var"] = to_json(running_var);
}

}  // namespace glassbox
