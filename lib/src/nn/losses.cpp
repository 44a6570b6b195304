// glassbox/nn/losses.cpp — the losses' values and gradients.
//
// N = batch size, out = outputs per sample (K when they are classes); P, T, dP are (N×out).
#include "glassbox/nn/losses.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "glassbox/nn/activations.hpp"
#include "glassbox/core/options.hpp"
#include "glassbox/core/text.hpp"

namespace glassbox {

std::string_view to_string(Reduction reduction) { return reduction == Reduction::mean ? "mean" : "sum"; }

Reduction parse_reduction(std::string_view text) {
  if (text == "mean") return Reduction::mean;
  if (text == "sum") return Reduction::sum;
  throw InputError(fmt::format("unknown reduction \"{}\" (known: mean, sum)", text));
}

Matrix Loss::gradient(const Matrix& P, const Matrix& T) const {
  Matrix dP;
  gradient_into(dP, P, T);
  return dP;
}

void Loss::require_same_shape(const Matrix& P, const Matrix& T) const {
  if (!P.same_shape(T))
    throw ShapeError(fmt::format("{}: prediction {} and target {} must have one shape", describe(), P.shape(),
                                 T.shape()));
  if (P.empty()) throw ShapeError(fmt::format("{}: prediction {} is empty", describe(), P.shape()));
}

namespace {

void size_like(Matrix& out, const Matrix& like) {
  if (!out.same_shape(like)) out = Matrix(like.rows(), like.cols());
}

// The divisor of a reduction: 1 for sum, `count` for mean.
double divisor(Reduction reduction, std::size_t count) {
  return reduction == Reduction::mean ? static_cast<double>(count) : 1.0;
}

// lse(z) = m + ln Σ_k e^(z_k − m),  m = max_k z_k: ln Σ e^(z_k) without overflow, for one row of K logits
double log_sum_exp(const Scalar* z, std::size_t K) {
  const double m = *std::max_element(z, z + K);
  double s = 0;
  for (std::size_t k = 0; k < K; ++k) s += std::exp(z[k] - m);
  return m + std::log(s);
}

// The losses on probabilities use ln clamped from below, max(ln x, floor); its derivative is 1/x
// where ln x ≥ floor and 0 where the clamp holds (there the clamped loss is flat). This says which.
// (A NaN x is not clamped, so a NaN reaches the gradient as it reaches the value.)
bool ln_clamped(double x, double floor) { return std::log(x) < floor; }

}  // namespace

// ---- mean squared error -------------------------------------------------------------------------

std::string MeanSquaredError::describe() const { return fmt::format("mse({})", to_string(reduction)); }

// L = (1/(N·out)) Σ (p − t)²
double MeanSquaredError::value(const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  double total = 0;
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double e = static_cast<double>(P.data()[i]) - static_cast<double>(T.data()[i]);
    total += e * e;
  }
  return total / divisor(reduction, P.size());
}

// dL/dp = 2(p − t)/(N·out)
void MeanSquaredError::gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  size_like(dP, P);
  const Scalar scale = static_cast<Scalar>(2.0 / divisor(reduction, P.size()));
  for (std::size_t i = 0; i < P.size(); ++i) dP.data()[i] = scale * (P.data()[i] - T.data()[i]);
}

// ---- half sum of squares ------------------------------------------------------------------------

// E = Σ ½(t − o)²
double HalfSumSquares::value(const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  double total = 0;
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double e = static_cast<double>(T.data()[i]) - static_cast<double>(P.data()[i]);
    total += 0.5 * e * e;
  }
  return total;
}

// dE/do = o − t
void HalfSumSquares::gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  size_like(dP, P);
  for (std::size_t i = 0; i < P.size(); ++i) dP.data()[i] = P.data()[i] - T.data()[i];
}

// ---- binary cross-entropy -----------------------------------------------------------------------

std::string BinaryCrossEntropy::describe() const { return fmt::format("bce({})", to_string(reduction)); }

// ℓ = −[t·ln p + (1 − t)·ln(1 − p)], each ln clamped to ≥ −100
double BinaryCrossEntropy::value(const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  double total = 0;
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double p = P.data()[i], t = T.data()[i];
    const double ln_p = std::max(std::log(p), log_floor);
    const double ln_1mp = std::max(std::log(1.0 - p), log_floor);
    total -= t * ln_p + (1.0 - t) * ln_1mp;
  }
  return total / divisor(reduction, P.size());
}

// dℓ/dp = −t/p + (1 − t)/(1 − p) = (p − t) / (p·(1 − p))   where neither ln is clamped;
// a term whose ln is clamped (p < e^(−100), or p = 1 for ln(1 − p)) is flat there and adds 0
void BinaryCrossEntropy::gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  size_like(dP, P);
  const double d = divisor(reduction, P.size());
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double p = P.data()[i], t = T.data()[i];
    const bool p_clamped = ln_clamped(p, log_floor), q_clamped = ln_clamped(1.0 - p, log_floor);
    double dp = (p - t) / (p * (1.0 - p));
    if (p_clamped || q_clamped) dp = (p_clamped ? 0.0 : -t / p) + (q_clamped ? 0.0 : (1.0 - t) / (1.0 - p));
    dP.data()[i] = static_cast<Scalar>(dp / d);
  }
}

// ---- softmax cross-entropy ----------------------------------------------------------------------

std::string SoftmaxCrossEntropy::describe() const {
  return fmt::format("softmax_cross_entropy({})", to_string(reduction));
}

// ℓ_n = Σ_k t_k (lse(z) − z_k)
double SoftmaxCrossEntropy::value(const Matrix& Z, const Matrix& T) const {
  require_same_shape(Z, T);
  double total = 0;
  for (std::size_t n = 0; n < Z.rows(); ++n) {
    const Scalar* z = Z.row_ptr(n);
    const Scalar* t = T.row_ptr(n);
    const double lse = log_sum_exp(z, Z.cols());
    for (std::size_t k = 0; k < Z.cols(); ++k) total += t[k] * (lse - z[k]);
  }
  return total / divisor(reduction, Z.rows());
}

// dℓ_n/dz_k = y_k·Σ_j t_j − t_k   (= y_k − t_k for targets that sum to 1)
void SoftmaxCrossEntropy::gradient_into(Matrix& dZ, const Matrix& Z, const Matrix& T) const {
  require_same_shape(Z, T);
  softmax_into(dZ, Z);  // dZ holds y for now
  const Scalar scale = static_cast<Scalar>(1.0 / divisor(reduction, Z.rows()));
  for (std::size_t n = 0; n < Z.rows(); ++n) {
    const Scalar* t = T.row_ptr(n);
    Scalar* dz = dZ.row_ptr(n);
    Scalar t_sum = 0;
    for (std::size_t k = 0; k < Z.cols(); ++k) t_sum += t[k];
    for (std::size_t k = 0; k < Z.cols(); ++k) dz[k] = (dz[k] * t_sum - t[k]) * scale;
  }
}

// ---- mean absolute error ------------------------------------------------------------------------

namespace {

// sign(r), with sign(0) = 0
double sign_of(double r) { return r > 0 ? 1.0 : r < 0 ? -1.0 : 0.0; }

// σ(z), the activation's (activations.hpp), for the losses on logits
double sigmoid_of(double z) { return Sigmoid{}.value(z); }

// ℓ(z, t) = −[t·ln σ(z) + (1 − t)·ln(1 − σ(z))] = softplus(z) − z·t, summed in the order
//   (max(z, 0) − z·t) + ln(1 + e^(−|z|))
// and not as Softplus{}.value(z) − z·t: for a confident right answer (z = 100, t = 1) the first
// two terms cancel exactly and the tiny e^(−100) survives; softplus(100) − 100 would round it away.
double bce_on_logit(double z, double t) { return std::max(z, 0.0) - z * t + std::log1p(std::exp(-std::abs(z))); }

void require_positive_delta(const char* loss, double delta) {
  if (!(delta > 0 && std::isfinite(delta)))
    throw InputError(fmt::format("loss {}: delta must be a positive number, got {}", loss, delta));
}

}  // namespace

std::string MeanAbsoluteError::describe() const { return fmt::format("mae({})", to_string(reduction)); }

// L = (1/(N·out)) Σ |p − t|
double MeanAbsoluteError::value(const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  double total = 0;
  for (std::size_t i = 0; i < P.size(); ++i)
    total += std::abs(static_cast<double>(P.data()[i]) - static_cast<double>(T.data()[i]));
  return total / divisor(reduction, P.size());
}

// dL/dp = sign(p − t)/(N·out)
void MeanAbsoluteError::gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  size_like(dP, P);
  const double d = divisor(reduction, P.size());
  for (std::size_t i = 0; i < P.size(); ++i)
    dP.data()[i] = static_cast<Scalar>(sign_of(static_cast<double>(P.data()[i]) - T.data()[i]) / d);
}

// ---- Huber --------------------------------------------------------------------------------------

Huber::Huber(double d, Reduction r) : delta(d), reduction(r) { require_positive_delta("huber", delta); }

std::string Huber::describe() const { return fmt::format("huber(δ={}, {})", delta, to_string(reduction)); }

// ℓ = ½r² if |r| ≤ δ, else δ(|r| − ½δ)
double Huber::value(const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  double total = 0;
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double r = static_cast<double>(P.data()[i]) - static_cast<double>(T.data()[i]);
    const double a = std::abs(r);
    total += a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
  }
  return total / divisor(reduction, P.size());
}

// dℓ/dp = r if |r| ≤ δ, else δ·sign(r)
void Huber::gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  size_like(dP, P);
  const double d = divisor(reduction, P.size());
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double r = static_cast<double>(P.data()[i]) - static_cast<double>(T.data()[i]);
    dP.data()[i] = static_cast<Scalar>((std::abs(r) <= delta ? r : delta * sign_of(r)) / d);
  }
}

// ---- pseudo-Huber -------------------------------------------------------------------------------

PseudoHuber::PseudoHuber(double d, Reduction r) : delta(d), reduction(r) {
  require_positive_delta("pseudo_huber", delta);
}

std::string PseudoHuber::describe() const {
  return fmt::format("pseudo_huber(δ={}, {})", delta, to_string(reduction));
}

// ℓ = δ²(√(1 + (r/δ)²) − 1)
double PseudoHuber::value(const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  double total = 0;
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double q = (static_cast<double>(P.data()[i]) - static_cast<double>(T.data()[i])) / delta;
    // √(1 + q²) − 1 = q² / (√(1 + q²) + 1): no cancellation for small q
    total += delta * delta * (q * q / (std::sqrt(1.0 + q * q) + 1.0));
  }
  return total / divisor(reduction, P.size());
}

// dℓ/dp = r / √(1 + (r/δ)²)
void PseudoHuber::gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  size_like(dP, P);
  const double d = divisor(reduction, P.size());
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double r = static_cast<double>(P.data()[i]) - static_cast<double>(T.data()[i]);
    const double q = r / delta;
    dP.data()[i] = static_cast<Scalar>(r / std::sqrt(1.0 + q * q) / d);
  }
}

// ---- hinge --------------------------------------------------------------------------------------

std::string Hinge::describe() const { return fmt::format("hinge({})", to_string(reduction)); }

namespace {

void require_plus_minus_one(const Matrix& T) {
  for (std::size_t i = 0; i < T.size(); ++i) {
    const Scalar t = T.data()[i];
    if (t != Scalar{1} && t != Scalar{-1})
      throw InputError(fmt::format("hinge: target ({}, {}) is {}; hinge labels are −1 or +1", i / T.cols(),
                                   i % T.cols(), t));
  }
}

}  // namespace

// ℓ = max(0, 1 − t·y)
double Hinge::value(const Matrix& Y, const Matrix& T) const {
  require_same_shape(Y, T);
  require_plus_minus_one(T);
  double total = 0;
  for (std::size_t i = 0; i < Y.size(); ++i)
    total += std::max(0.0, 1.0 - static_cast<double>(T.data()[i]) * static_cast<double>(Y.data()[i]));
  return total / divisor(reduction, Y.size());
}

// dℓ/dy = −t if t·y < 1, else 0
void Hinge::gradient_into(Matrix& dY, const Matrix& Y, const Matrix& T) const {
  require_same_shape(Y, T);
  require_plus_minus_one(T);
  size_like(dY, Y);
  const double d = divisor(reduction, Y.size());
  for (std::size_t i = 0; i < Y.size(); ++i) {
    const double t = T.data()[i];
    dY.data()[i] = static_cast<Scalar>(t * static_cast<double>(Y.data()[i]) < 1.0 ? -t / d : 0.0);
  }
}

// ---- binary cross-entropy on logits -------------------------------------------------------------

std::string BinaryCrossEntropyWithLogits::describe() const {
  return fmt::format("bce_with_logits({})", to_string(reduction));
}

// ℓ = max(z, 0) − z·t + ln(1 + e^(−|z|))
double BinaryCrossEntropyWithLogits::value(const Matrix& Z, const Matrix& T) const {
  require_same_shape(Z, T);
  double total = 0;
  for (std::size_t i = 0; i < Z.size(); ++i) total += bce_on_logit(Z.data()[i], T.data()[i]);
  return total / divisor(reduction, Z.size());
}

// dℓ/dz = σ(z) − t
void BinaryCrossEntropyWithLogits::gradient_into(Matrix& dZ, const Matrix& Z, const Matrix& T) const {
  require_same_shape(Z, T);
  size_like(dZ, Z);
  const double d = divisor(reduction, Z.size());
  for (std::size_t i = 0; i < Z.size(); ++i)
    dZ.data()[i] = static_cast<Scalar>((sigmoid_of(Z.data()[i]) - T.data()[i]) / d);
}

// ---- multilabel binary cross-entropy ------------------------------------------------------------

std::string MultilabelBinaryCrossEntropy::describe() const {
  return fmt::format("multilabel_bce({})", to_string(reduction));
}

// ℓ_n = (1/K) Σ_k [max(z, 0) − z·t + ln(1 + e^(−|z|))]
double MultilabelBinaryCrossEntropy::value(const Matrix& Z, const Matrix& T) const {
  require_same_shape(Z, T);
  double total = 0;
  for (std::size_t i = 0; i < Z.size(); ++i) total += bce_on_logit(Z.data()[i], T.data()[i]);
  return total / static_cast<double>(Z.cols()) / divisor(reduction, Z.rows());
}

// dℓ_n/dz_k = (σ(z_k) − t_k)/K
void MultilabelBinaryCrossEntropy::gradient_into(Matrix& dZ, const Matrix& Z, const Matrix& T) const {
  require_same_shape(Z, T);
  size_like(dZ, Z);
  const double d = static_cast<double>(Z.cols()) * divisor(reduction, Z.rows());
  for (std::size_t i = 0; i < Z.size(); ++i)
    dZ.data()[i] = static_cast<Scalar>((sigmoid_of(Z.data()[i]) - T.data()[i]) / d);
}

// ---- categorical cross-entropy on probabilities -------------------------------------------------

std::string CategoricalCrossEntropy::describe() const {
  return fmt::format("categorical_cross_entropy({})", to_string(reduction));
}

// ℓ_n = −Σ_k t_k ln p_k, over the k with t_k ≠ 0, each ln clamped to ≥ −100
double CategoricalCrossEntropy::value(const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  double total = 0;
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double t = T.data()[i];
    if (t != 0.0) total -= t * std::max(std::log(static_cast<double>(P.data()[i])), log_floor);
  }
  return total / divisor(reduction, P.rows());
}

// dℓ_n/dp_k = −t_k / p_k where ln p_k ≥ −100; 0 where the clamp holds (p_k < e^(−100)), as for t_k = 0.
// Unclamped down to e^(−100) ≈ 3.7e-44, so that after a softmax (∂p_k/∂z_k = p_k(1 − p_k)) the
// chain still gives p − t for a confidently wrong sample.
void CategoricalCrossEntropy::gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  size_like(dP, P);
  const double d = divisor(reduction, P.rows());
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double p = P.data()[i], t = T.data()[i];
    dP.data()[i] = static_cast<Scalar>(t == 0.0 || ln_clamped(p, log_floor) ? 0.0 : -t / p / d);
  }
}

// ---- sparse softmax cross-entropy ---------------------------------------------------------------

std::string SparseSoftmaxCrossEntropy::describe() const {
  return fmt::format("sparse_softmax_cross_entropy({})", to_string(reduction));
}

std::size_t SparseSoftmaxCrossEntropy::label(const Matrix& Z, const Matrix& T, std::size_t n) const {
  const Scalar y = T(n, 0);
  if (!(y >= 0 && y < static_cast<Scalar>(Z.cols()) && y == std::floor(y)))
    throw InputError(fmt::format("{}: the label of sample {} is {}; labels are whole numbers from 0 to {}", describe(),
                                 n, y, Z.cols() - 1));
  return static_cast<std::size_t>(y);
}

namespace {

// The loss names itself only when it refuses: describe() builds a string, which a step should not pay for.
void require_label_column(const Loss& loss, const Matrix& Z, const Matrix& T) {
  if (Z.empty()) throw ShapeError(fmt::format("{}: logits {} are empty", loss.describe(), Z.shape()));
  if (T.rows() != Z.rows() || T.cols() != 1)
    throw ShapeError(fmt::format("{}: logits {} need labels ({}×1), one class index per sample; got {}",
                                 loss.describe(), Z.shape(), Z.rows(), T.shape()));
}

}  // namespace

// ℓ_n = lse(z_n) − z_n,y_n
double SparseSoftmaxCrossEntropy::value(const Matrix& Z, const Matrix& T) const {
  require_label_column(*this, Z, T);
  double total = 0;
  for (std::size_t n = 0; n < Z.rows(); ++n) {
    const std::size_t y = label(Z, T, n);
    const Scalar* z = Z.row_ptr(n);
    total += log_sum_exp(z, Z.cols()) - z[y];
  }
  return total / divisor(reduction, Z.rows());
}

// dℓ_n/dz_k = softmax(z_n)_k − [k = y_n]
void SparseSoftmaxCrossEntropy::gradient_into(Matrix& dZ, const Matrix& Z, const Matrix& T) const {
  require_label_column(*this, Z, T);
  for (std::size_t n = 0; n < Z.rows(); ++n) label(Z, T, n);  // all labels checked before dZ is touched
  softmax_into(dZ, Z);  // dZ holds y for now
  const Scalar scale = static_cast<Scalar>(1.0 / divisor(reduction, Z.rows()));
  for (std::size_t n = 0; n < Z.rows(); ++n) {
    Scalar* dz = dZ.row_ptr(n);
    dz[label(Z, T, n)] -= Scalar{1};
    for (std::size_t k = 0; k < Z.cols(); ++k) dz[k] *= scale;
  }
}

// ---- by name ------------------------------------------------------------------------------------

namespace {

// A table line's maker for a loss without settings, built with its reduction.
template <typename L>
std::unique_ptr<Loss> plain(Reduction reduction, const Json& options) {
  auto loss = std::make_unique<L>(reduction);
  require_no_options(options, "loss " + loss->describe());
  return loss;
}

// A table line's maker for a loss with the setting δ.
template <typename L>
std::unique_ptr<Loss> with_delta(Reduction reduction, const Json& options) {
  const std::string owner = std::string("loss ") + L::name;
  require_known_keys(options, owner, {"delta"});
  return std::make_unique<L>(number_setting(options, owner, "delta", 1.0), reduction);
}

std::unique_ptr<Loss> make_half_sse(Reduction, const Json& options) {
  require_no_options(options, "loss half_sse");
  return std::make_unique<HalfSumSquares>();
}

}  // namespace

const std::vector<LossEntry>& loss_table() {
  static const std::vector<LossEntry> table = {
      {"mse", "L = mean (p − t)²", {plain<MeanSquaredError>},
       Prediction::values, TargetKind::value},
      {"half_sse", "E = Σ ½(t − o)²", {make_half_sse},
       Prediction::values, TargetKind::value},
      {"mae", "L = mean |p − t|", {plain<MeanAbsoluteError>},
       Prediction::values, TargetKind::value},
      {"huber", "ℓ = ½r² if |r| ≤ δ, else δ(|r| − ½δ)", {with_delta<Huber>},
       Prediction::values, TargetKind::value},
      {"pseudo_huber", "ℓ = δ²(√(1 + (r/δ)²) − 1)", {with_delta<PseudoHuber>},
       Prediction::values, TargetKind::value},
      {"hinge", "ℓ = max(0, 1 − t·y), t = ±1", {plain<Hinge>},
       Prediction::scores, TargetKind::sign},
      {"bce", "L = −mean [t ln p + (1 − t) ln(1 − p)]", {plain<BinaryCrossEntropy>},
       Prediction::probabilities, TargetKind::probability},
      {"bce_with_logits", "ℓ = max(z, 0) − z·t + ln(1 + e^(−|z|))", {plain<BinaryCrossEntropyWithLogits>},
       Prediction::sigmoid_logits, TargetKind::probability},
      {"multilabel_bce", "ℓ_n = (1/K) Σ_k bce_with_logits(z_nk, t_nk)", {plain<MultilabelBinaryCrossEntropy>},
       Prediction::sigmoid_logits, TargetKind::probability},
      {"categorical_cross_entropy", "ℓ_n = −Σ_k t_k ln p_k", {plain<CategoricalCrossEntropy>},
       Prediction::probabilities, TargetKind::probability},
      {"softmax_cross_entropy", "L = −mean_n Σ_k t_k ln softmax(z)_k", {plain<SoftmaxCrossEntropy>},
       Prediction::softmax_logits, TargetKind::probability},
      {"sparse_softmax_cross_entropy", "ℓ_n = lse(z_n) − z_n,y_n", {plain<SparseSoftmaxCrossEntropy>},
       Prediction::softmax_logits, TargetKind::class_index},
  };
  return table;
}

std::vector<std::string> loss_names() {
  std::vector<std::string> names;
  for (const LossEntry& e : loss_table()) names.emplace_back(e.name);
  return names;
}

const LossEntry& loss_entry(std::string_view name) {
  for (const LossEntry& e : loss_table())
    if (name == e.name) return e;
  throw InputError(fmt::format("unknown loss \"{}\" (known: {})", clip(name), list_some(loss_names())));
}

std::unique_ptr<Loss> make_loss(std::string_view name, Reduction reduction, const Json& options) {
  return loss_entry(name).make(reduction, options);
}

Matrix one_hot(const std::vector<std::size_t>& labels, std::size_t classes) {
  Matrix out(labels.size(), classes);
  for (std::size_t n = 0; n < labels.size(); ++n) {
    if (labels[n] >= classes)
      throw ShapeError(fmt::format("one_hot: label {} (sample {}) is not below {} classes", labels[n], n, classes));
    out(n, labels[n]) = Scalar{1};
  }
  return out;
}

}  // namespace glassbox
