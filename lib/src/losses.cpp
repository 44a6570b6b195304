// glassbox/losses.cpp — the losses' values and gradients.
#include "glassbox/losses.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "glassbox/activations.hpp"

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

// dℓ/dp = (p − t) / max(p·(1 − p), 1e-12)
void BinaryCrossEntropy::gradient_into(Matrix& dP, const Matrix& P, const Matrix& T) const {
  require_same_shape(P, T);
  size_like(dP, P);
  const double d = divisor(reduction, P.size());
  for (std::size_t i = 0; i < P.size(); ++i) {
    const double p = P.data()[i], t = T.data()[i];
    dP.data()[i] = static_cast<Scalar>((p - t) / std::max(p * (1.0 - p), denominator_floor) / d);
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
    const double m = *std::max_element(z, z + Z.cols());
    double s = 0;
    for (std::size_t k = 0; k < Z.cols(); ++k) s += std::exp(z[k] - m);
    const double lse = m + std::log(s);
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

// ---- by name ------------------------------------------------------------------------------------

const std::vector<LossEntry>& loss_table() {
  static const std::vector<LossEntry> table = {
      {"mse", "L = mean (p − t)²",
       [](Reduction r) -> std::unique_ptr<Loss> { return std::make_unique<MeanSquaredError>(r); }},
      {"half_sse", "E = Σ ½(t − o)²",
       [](Reduction) -> std::unique_ptr<Loss> { return std::make_unique<HalfSumSquares>(); }},
      {"bce", "L = −mean [t ln p + (1 − t) ln(1 − p)]",
       [](Reduction r) -> std::unique_ptr<Loss> { return std::make_unique<BinaryCrossEntropy>(r); }},
      {"softmax_cross_entropy", "L = −mean_n Σ_k t_k ln softmax(z)_k",
       [](Reduction r) -> std::unique_ptr<Loss> { return std::make_unique<SoftmaxCrossEntropy>(r); }},
  };
  return table;
}

std::vector<std::string> loss_names() {
  std::vector<std::string> names;
  for (const LossEntry& e : loss_table()) names.emplace_back(e.name);
  return names;
}

std::unique_ptr<Loss> make_loss(std::string_view name, Reduction reduction) {
  for (const LossEntry& e : loss_table())
    if (name == e.name) return e.make(reduction);
  throw InputError(fmt::format("unknown loss \"{}\" (known: {})", name, fmt::join(loss_names(), ", ")));
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
