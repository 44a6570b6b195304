// glassbox/losses.hpp — loss functions: how far the prediction is from the target, and the gradient
// that starts the backward pass.
//
// N = batch size (one sample per row), out = outputs per sample. Prediction P and target T are both
// (N×out); a class label is given as a one-hot row (see one_hot()).
//
// A loss has a matching pair:
//   value(P, T)    → L, one number for the batch
//   gradient(P, T) → dL/dP (N×out): the seed of the chain rule, handed to Network::backward
//
// Reductions follow PyTorch's documented conventions (the `reduction` argument of its losses):
//   MeanSquaredError    mean: L = (1/(N·out)) Σ_n Σ_k (p − t)²   — averaged over ALL elements
//   BinaryCrossEntropy  mean: over all N·out elements             — likewise
//   SoftmaxCrossEntropy mean: over the N samples                  — one term per sample
//   sum: the same terms, summed.
// HalfSumSquares is the classic worked examples' E = Σ ½(t − o)², summed over every element: its
// gradient is simply (o − t).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/matrix.hpp"

namespace glassbox {

enum class Reduction { mean, sum };
std::string_view to_string(Reduction reduction);

class Loss {
public:
  virtual ~Loss() = default;
  virtual std::string describe() const = 0;  // "mse(mean)"

  // L (computed in double whatever Scalar is). Throws ShapeError unless P and T have one shape.
  virtual double value(const Matrix& P, const Matrix& T) const = 0;
  // dP = dL/dP, written into dP (resized if needed).
  virtual void gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const = 0;
  Matrix gradient(const Matrix& P, const Matrix& T) const;

  virtual std::unique_ptr<Loss> clone() const = 0;

protected:
  void require_same_shape(const Matrix& P, const Matrix& T) const;
};

// L = (1/(N·out)) Σ (p − t)²  [mean]   or  Σ (p − t)²  [sum]
// dL/dp = 2(p − t)/(N·out)     [mean]   or  2(p − t)    [sum]
class MeanSquaredError final : public Loss {
public:
  explicit MeanSquaredError(Reduction r = Reduction::mean) : reduction(r) {}
  std::string describe() const override;
  double value(const Matrix& P, const Matrix& T) const override;
  void gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<MeanSquaredError>(*this); }
  Reduction reduction;
};

// E = Σ ½(t − o)²  over every element of the batch
// dE/do = o − t
class HalfSumSquares final : public Loss {
public:
  std::string describe() const override { return "half_sse"; }
  double value(const Matrix& P, const Matrix& T) const override;
  void gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<HalfSumSquares>(*this); }
};

// On probabilities p ∈ [0, 1] (a sigmoid's output), targets t ∈ [0, 1]:
//   ℓ = −[t·ln p + (1 − t)·ln(1 − p)]   per element, then mean over all N·out elements or sum
//   dℓ/dp = (p − t) / (p·(1 − p))
// Clamping, as PyTorch's BCELoss: each logarithm is clamped to ≥ −100, so p = 0 or 1 gives a large
// finite loss (100 per wrong element), never inf; the gradient's denominator is clamped to
// p·(1 − p) ≥ 1e-12, so it stays finite too. Away from p = 0 and p = 1 both are exact.
class BinaryCrossEntropy final : public Loss {
public:
  explicit BinaryCrossEntropy(Reduction r = Reduction::mean) : reduction(r) {}
  std::string describe() const override;
  double value(const Matrix& P, const Matrix& T) const override;
  void gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<BinaryCrossEntropy>(*this); }
  Reduction reduction;
  static constexpr double log_floor = -100.0;
  static constexpr double denominator_floor = 1e-12;
};

// On logits z (a network with no softmax at the end); the softmax is inside the loss:
//   ℓ_n = −Σ_k t_k ln y_k,  y = softmax(z)
//       = Σ_k t_k (lse(z) − z_k),  lse(z) = m + ln Σ_j e^(z_j − m),  m = max_j z_j
// log-sum-exp with the max subtracted keeps ℓ finite for any finite logits.
// Fused gradient: dℓ_n/dz_k = y_k·(Σ_j t_j) − t_k, which is the familiar (y − t) when each target
// row sums to 1 (one-hot labels, probabilities). Then mean over the N samples or sum.
class SoftmaxCrossEntropy final : public Loss {
public:
  explicit SoftmaxCrossEntropy(Reduction r = Reduction::mean) : reduction(r) {}
  std::string describe() const override;
  double value(const Matrix& Z, const Matrix& T) const override;
  void gradient_into(Matrix& dZ, const Matrix& Z, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<SoftmaxCrossEntropy>(*this); }
  Reduction reduction;
};

// The losses by name, in one table (adding a loss: its class above, one line in losses.cpp).
struct LossEntry {
  const char* name;     // "mse"
  const char* formula;  // for help texts and the lessons
  std::unique_ptr<Loss> (*make)(Reduction reduction);
};
const std::vector<LossEntry>& loss_table();

// The loss called `name` ("mse", "half_sse", "bce", "softmax_cross_entropy") with `reduction`
// (ignored by half_sse, which always sums). Throws InputError naming an unknown loss.
std::unique_ptr<Loss> make_loss(std::string_view name, Reduction reduction = Reduction::mean);
std::vector<std::string> loss_names();
// "mean" or "sum"; InputError otherwise.
Reduction parse_reduction(std::string_view text);

// (N×classes) rows with a 1 in the column of each label. Throws ShapeError for a label ≥ classes.
Matrix one_hot(const std::vector<std::size_t>& labels, std::size_t classes);

}  // namespace glassbox
