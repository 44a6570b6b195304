// glassbox/nn/losses.hpp — loss functions: how far the prediction is from the target, and the gradient
// that starts the backward pass.
//
// N = batch size (one sample per row), out = outputs per sample (K when they are classes). The
// prediction P is (N×out); the target T has the same shape — a class label as a one-hot row (see
// one_hot()) — except for sparse_softmax_cross_entropy, whose T is one column of class indices.
//
// A loss has a matching pair:
//   value(P, T)    → L, one number for the batch
//   gradient(P, T) → dL/dP (N×out): the seed of the chain rule, handed to Network::backward
//
// What each takes, and PyTorch's counterpart (whose conventions are followed: results compare):
//   mse                           values        MSELoss
//   half_sse                      values        — (the classic worked examples' E = Σ ½(t − o)²)
//   mae                           values        L1Loss
//   huber (δ)                     values        HuberLoss(delta)
//   pseudo_huber (δ)              values        — (none in PyTorch)
//   hinge                         scores        — (labels ±1; not HingeEmbeddingLoss, see Hinge)
//   bce                           probabilities BCELoss
//   bce_with_logits               logits        BCEWithLogitsLoss
//   multilabel_bce                logits        MultiLabelSoftMarginLoss
//   categorical_cross_entropy     probabilities NLLLoss on ln p (Keras CategoricalCrossentropy)
//   softmax_cross_entropy         logits        CrossEntropyLoss with one-hot / probability targets
//   sparse_softmax_cross_entropy  logits        CrossEntropyLoss with class-index targets
//
// Reductions follow PyTorch's documented `reduction` argument. What `mean` divides by:
//   element-wise losses (mse, mae, huber, pseudo_huber, hinge, bce, bce_with_logits):
//       all N·out elements
//   one term per sample (multilabel_bce, categorical_cross_entropy, softmax_cross_entropy,
//       sparse_softmax_cross_entropy): the N samples
//   sum: the same terms, summed. half_sse always sums.
//
// Numerics: every loss is finite for finite inputs. Losses on logits use log-sum-exp or
// ln(1 + e^(−|z|)) and need no clamping (logits of ±1000 give exact finite values). Losses on
// probabilities (bce, categorical_cross_entropy) clamp as PyTorch's BCELoss documents: each ln is
// clamped to ≥ −100, so p = 0 or p = 1 gives a large finite loss, never inf or NaN. Their gradient
// is the derivative of that clamped value, nothing else: −t/p (bce: also (1 − t)/(1 − p)) wherever
// the ln is not clamped — for every p ≥ e^(−100) ≈ 3.7e-44 — and 0 where it is, since the clamped
// loss is flat there. A term whose target is 0 contributes 0, never 0·ln 0 = NaN.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/core/matrix.hpp"
#include "glassbox/core/json.hpp"

namespace glassbox {

enum class Reduction { mean, sum };
std::string_view to_string(Reduction reduction);

class Loss {
public:
  virtual ~Loss() = default;
  virtual std::string describe() const = 0;  // "mse(mean)"

  // How many columns the target has for a prediction with `outputs` columns: the same, except for
  // losses that take class indices (one column).
  virtual std::size_t target_columns(std::size_t outputs) const { return outputs; }

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
// Clamping, as PyTorch's BCELoss documents: each logarithm is clamped to ≥ −100, so p = 0 or 1 gives
// a large finite loss (100 per wrong element), never inf. The gradient is the derivative of this
// clamped loss: (p − t)/(p·(1 − p)) wherever neither ln is clamped, i.e. for every p in
// [e^(−100), 1); a clamped term — ln p for p < e^(−100) ≈ 3.7e-44, ln(1 − p) at p = 1 — is flat
// and adds 0. Both are exact wherever no ln is clamped. (PyTorch's backward instead clamps the
// denominator p·(1 − p) at 1e-12, which below it is not the derivative of its value.)
class BinaryCrossEntropy final : public Loss {
public:
  explicit BinaryCrossEntropy(Reduction r = Reduction::mean) : reduction(r) {}
  std::string describe() const override;
  double value(const Matrix& P, const Matrix& T) const override;
  void gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<BinaryCrossEntropy>(*this); }
  Reduction reduction;
  static constexpr double log_floor = -100.0;  // each ln is clamped to ≥ this
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

// ---- regression: robust to outliers ------------------------------------------------------------
// r = p − t, the residual of one element.

// L = (1/(N·out)) Σ |r|  [mean]   or  Σ |r|  [sum]          (PyTorch's L1Loss)
// dL/dp = sign(r)/(N·out)          — 0 where r = 0, as PyTorch (sign(0) = 0)
// Every residual pulls with the same strength 1, however large: outliers cannot dominate.
class MeanAbsoluteError final : public Loss {
public:
  explicit MeanAbsoluteError(Reduction r = Reduction::mean) : reduction(r) {}
  std::string describe() const override;
  double value(const Matrix& P, const Matrix& T) const override;
  void gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<MeanAbsoluteError>(*this); }
  Reduction reduction;
};

// Huber (δ > 0, default 1), PyTorch's HuberLoss(delta):
//   ℓ = ½·r²               if |r| ≤ δ
//   ℓ = δ·(|r| − ½·δ)      if |r| > δ          (the two pieces meet with equal value and slope at |r| = δ)
//   dℓ/dp = r  if |r| ≤ δ,  else δ·sign(r)     — quadratic near 0, linear (pull capped at δ) beyond
// then mean over all N·out elements, or sum. (The course notes garble the linear branch; it is
// δ·(|r| − ½δ).) PyTorch's SmoothL1Loss(beta) is this loss divided by δ = beta: ½r²/β and |r| − ½β.
class Huber final : public Loss {
public:
  static constexpr const char* name = "huber";
  explicit Huber(double delta = 1.0, Reduction r = Reduction::mean);
  std::string describe() const override;  // "huber(δ=1, mean)"
  double value(const Matrix& P, const Matrix& T) const override;
  void gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<Huber>(*this); }
  double delta;
  Reduction reduction;
};

// Pseudo-Huber (δ > 0, default 1), smooth everywhere (no PyTorch counterpart):
//   ℓ = δ²·(√(1 + (r/δ)²) − 1)       ≈ ½r² for |r| ≪ δ,  ≈ δ·|r| for |r| ≫ δ
//   dℓ/dp = r / √(1 + (r/δ)²)        — the pull grows smoothly to at most δ
// then mean over all N·out elements, or sum.
class PseudoHuber final : public Loss {
public:
  static constexpr const char* name = "pseudo_huber";
  explicit PseudoHuber(double delta = 1.0, Reduction r = Reduction::mean);
  std::string describe() const override;  // "pseudo_huber(δ=1, mean)"
  double value(const Matrix& P, const Matrix& T) const override;
  void gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<PseudoHuber>(*this); }
  double delta;
  Reduction reduction;
};

// ---- classification with one score or probability per output -----------------------------------

// The plain (binary) hinge of support vector machines, on raw scores y with labels t ∈ {−1, +1}:
//   ℓ = max(0, 1 − t·y) ;  dℓ/dy = −t if t·y < 1, else 0
// — zero loss only beyond the margin t·y ≥ 1; at t·y = 1 the flat side's gradient 0 is used. Then
// mean over all N·out elements (Keras's `hinge`, scikit-learn's), or sum. A label other than −1 or
// +1 throws InputError naming the element. (PyTorch's HingeEmbeddingLoss is a different loss for
// distances — x if t = 1, max(0, margin − x) if t = −1 — and MultiMarginLoss the multi-class one.)
class Hinge final : public Loss {
public:
  explicit Hinge(Reduction r = Reduction::mean) : reduction(r) {}
  std::string describe() const override;
  double value(const Matrix& Y, const Matrix& T) const override;
  void gradient_into(Matrix& dY, const Matrix& Y, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<Hinge>(*this); }
  Reduction reduction;
};

// Binary cross-entropy on logits z (a network whose last layer has no sigmoid), PyTorch's
// BCEWithLogitsLoss; the sigmoid is inside the loss, in the stable form
//   ℓ = −[t·ln σ(z) + (1 − t)·ln(1 − σ(z))] = max(z, 0) − z·t + ln(1 + e^(−|z|))
//   dℓ/dz = σ(z) − t
// exact and finite for every finite z (z = ±1000 included), with no clamping. Then mean over all
// N·out elements, or sum. Same value as bce(σ(z), t) wherever σ(z) is not rounded to 0 or 1.
class BinaryCrossEntropyWithLogits final : public Loss {
public:
  explicit BinaryCrossEntropyWithLogits(Reduction r = Reduction::mean) : reduction(r) {}
  std::string describe() const override;
  double value(const Matrix& Z, const Matrix& T) const override;
  void gradient_into(Matrix& dZ, const Matrix& Z, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<BinaryCrossEntropyWithLogits>(*this); }
  Reduction reduction;
};

// Multilabel: K independent yes/no labels per sample (any combination may hold), one logit each.
// Per sample, the mean of the K binary cross-entropies on logits (PyTorch's MultiLabelSoftMarginLoss):
//   ℓ_n = (1/K) Σ_k [max(z_nk, 0) − z_nk·t_nk + ln(1 + e^(−|z_nk|))]
//   dℓ_n/dz_nk = (σ(z_nk) − t_nk) / K
// then mean over the N samples, or sum. With mean this equals bce_with_logits(mean) — both average
// over all N·K elements; with sum it is bce_with_logits(sum) / K (each sample counts once).
class MultilabelBinaryCrossEntropy final : public Loss {
public:
  explicit MultilabelBinaryCrossEntropy(Reduction r = Reduction::mean) : reduction(r) {}
  std::string describe() const override;
  double value(const Matrix& Z, const Matrix& T) const override;
  void gradient_into(Matrix& dZ, const Matrix& Z, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<MultilabelBinaryCrossEntropy>(*this); }
  Reduction reduction;
};

// ---- classification with one class out of K -----------------------------------------------------

// Categorical cross-entropy on probabilities p (after a Softmax layer), one-hot or probability
// targets (Keras's CategoricalCrossentropy; PyTorch's NLLLoss applied to ln p):
//   ℓ_n = −Σ_k t_k·ln p_k      — terms with t_k = 0 are skipped (0·ln 0 counts as 0, never NaN);
//                                each ln is clamped to ≥ −100, as BCELoss does
//   dℓ_n/dp_k = −t_k / p_k     — the derivative of that clamped ℓ: exact for p_k ≥ e^(−100) ≈ 3.7e-44,
//                                and 0 below, where the clamped loss is flat
// then mean over the N samples, or sum. With a Softmax layer before it, the backward pass goes
// through the softmax's Jacobian, dℓ/dz_k = p_k·(dℓ/dp_k − Σ_j dℓ/dp_j·p_j), which for a one-hot t
// is p − t as long as ln p_y ≥ −100: a sample wrong by a logit gap of 45 (p_y ≈ 3e-20) still gets
// ≈ −1; beyond a gap of about 100 the clamp holds and it gets 0. softmax_cross_entropy on logits
// fuses both, needs no clamp and gives p − t for any logits (prefer it for training).
// Keras's categorical_crossentropy differs: it rescales each row of p to sum 1 and clips p to
// [1e-7, 1 − 1e-7], so its loss is flat, and its gradient 0, already below p = 1e-7 (and at p = 0
// it reports −ln 1e-7 ≈ 16.1 where this reports 100).
class CategoricalCrossEntropy final : public Loss {
public:
  explicit CategoricalCrossEntropy(Reduction r = Reduction::mean) : reduction(r) {}
  std::string describe() const override;
  double value(const Matrix& P, const Matrix& T) const override;
  void gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<CategoricalCrossEntropy>(*this); }
  Reduction reduction;
  static constexpr double log_floor = -100.0;  // each ln is clamped to ≥ this
};

// Sparse softmax cross-entropy: logits Z (N×K) and the labels as integers, T (N×1) holding the
// class index y_n ∈ {0, …, K−1} of each sample (PyTorch's CrossEntropyLoss with class-index targets;
// Keras's SparseCategoricalCrossentropy(from_logits=True)):
//   ℓ_n = lse(z_n) − z_n,y_n ;  dℓ_n/dz_nk = softmax(z_n)_k − [k = y_n]
// then mean over the N samples, or sum. The same loss and gradient as softmax_cross_entropy with
// one_hot(labels) — without building the one-hot matrix. A label that is not a whole number below
// K throws InputError naming the sample.
class SparseSoftmaxCrossEntropy final : public Loss {
public:
  explicit SparseSoftmaxCrossEntropy(Reduction r = Reduction::mean) : reduction(r) {}
  std::string describe() const override;
  std::size_t target_columns(std::size_t) const override { return 1; }
  double value(const Matrix& Z, const Matrix& T) const override;
  void gradient_into(Matrix& dZ, const Matrix& Z, const Matrix& T) const override;
  std::unique_ptr<Loss> clone() const override { return std::make_unique<SparseSoftmaxCrossEntropy>(*this); }
  Reduction reduction;

private:
  std::size_t label(const Matrix& Z, const Matrix& T, std::size_t n) const;  // checked y_n
};

// ---- by name ------------------------------------------------------------------------------------

// The losses by name, in one table (adding a loss: its class above, one line in losses.cpp).
// `make(reduction)` builds the loss with its default settings; `make(reduction, options)` with
// settings from a JSON object ({"delta": 0.5} for huber), InputError for an unknown or bad one.
struct LossMaker {
  std::unique_ptr<Loss> (*build)(Reduction reduction, const Json& options);
  std::unique_ptr<Loss> operator()(Reduction reduction, const Json& options = Json::object()) const {
    return build(reduction, options);
  }
};
// What a loss takes, for whoever prepares its inputs (experiment specs: which last layer, which
// targets, where accuracy says yes).
enum class Prediction {
  values,             // any numbers (regression)
  probabilities,      // p ∈ [0, 1]: after a sigmoid or a softmax
  sigmoid_logits,     // z, the sigmoid applied inside the loss
  softmax_logits,     // z, the softmax applied inside the loss
  scores,             // y, a margin score (yes at y ≥ 0)
};
enum class TargetKind {
  value,        // any number
  probability,  // t ∈ [0, 1]: 0/1 labels, one-hot rows or probabilities
  sign,         // t = −1 or +1
  class_index,  // one column, y ∈ {0, …, K−1}
};
struct LossEntry {
  const char* name;     // "mse"
  const char* formula;  // for help texts and the lessons
  LossMaker make;
  Prediction takes;
  TargetKind targets;
};
const std::vector<LossEntry>& loss_table();
// The table's entry called `name`; InputError naming an unknown loss.
const LossEntry& loss_entry(std::string_view name);

// The loss called `name` (see loss_table()) with `reduction` (ignored by half_sse, which always
// sums) and settings from `options`. Throws InputError naming an unknown loss or a bad option.
std::unique_ptr<Loss> make_loss(std::string_view name, Reduction reduction = Reduction::mean,
                                const Json& options = Json::object());
std::vector<std::string> loss_names();
// "mean" or "sum"; InputError otherwise.
Reduction parse_reduction(std::string_view text);

// (N×classes) rows with a 1 in the column of each label. Throws ShapeError for a label ≥ classes.
Matrix one_hot(const std::vector<std::size_t>& labels, std::size_t classes);

}  // namespace glassbox
