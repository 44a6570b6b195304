// glassbox/data/validation.cpp — holding out a validation set: how many, which ones, stratified or not.
#include "glassbox/data/validation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"
#include "glassbox/core/random.hpp"

namespace glassbox {

std::size_t ValidationSize::samples(std::size_t N) const {
  std::size_t V = 0;
  if (fraction) {
    if (!(*fraction > 0 && *fraction < 1))
      throw std::invalid_argument(fmt::format("validation fraction {} is not in (0, 1)", *fraction));
    V = static_cast<std::size_t>(std::floor(*fraction * static_cast<double>(N) + 0.5));
  } else if (count) {
    V = *count;
  } else {
    throw std::invalid_argument("validation size: neither a fraction nor a count");
  }
  if (V == 0 || V >= N)
    throw std::invalid_argument(fmt::format("validation {} of {} samples holds out {} and leaves {} for training; "
                                            "both parts need at least one sample",
                                            describe(), N, V, V >= N ? std::size_t{0} : N - V));
  return V;
}

std::string ValidationSize::describe() const {
  if (fraction) return fmt::format("fraction {}", *fraction);
  if (count) return fmt::format("count {}", *count);
  return "(no size)";
}

ValidationSplit split_validation(std::size_t N, const ValidationSize& size, Rng& rng,
                                 const std::vector<std::size_t>* labels) {
  const std::size_t V = size.samples(N);
  ValidationSplit split;
  std::vector<bool> held_out(N, false);
  if (labels) {
    if (labels->size() != N)
      throw std::invalid_argument(fmt::format("split_validation: {} labels for {} samples", labels->size(), N));
    split.stratified = true;
    const std::size_t K = labels->empty() ? 0 : *std::max_element(labels->begin(), labels->end()) + 1;
    std::vector<std::vector<std::size_t>> members(K);
    for (std::size_t n = 0; n < N; ++n) members[(*labels)[n]].push_back(n);
    // Largest remainder: class k's quota V·n_k/N = whole_k + remainder_k/N.
    std::vector<std::size_t> quota(K), remainder(K);
    std::size_t given = 0;
    for (std::size_t k = 0; k < K; ++k) {
      quota[k] = V * members[k].size() / N;
      remainder[k] = V * members[k].size() % N;
      given += quota[k];
    }
    std::vector<std::size_t> by_remainder(K);
    for (std::size_t k = 0; k < K; ++k) by_remainder[k] = k;
    std::stable_sort(by_remainder.begin(), by_remainder.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t i = 0; given < V; ++i, ++given) ++quota[by_remainder[i]];
    for (std::size_t k = 0; k < K; ++k) {
      rng.shuffle(members[k]);
      for (std::size_t i = 0; i < quota[k]; ++i) held_out[members[k][i]] = true;
    }
  } else {
    const std::vector<std::size_t> order = rng.permutation(N);
    for (std::size_t i = 0; i < V; ++i) held_out[order[i]] = true;
  }
  for (std::size_t n = 0; n < N; ++n) (held_out[n] ? split.validation : split.train).push_back(n);
  return split;
}

std::vector<std::size_t> target_classes(const Matrix& T) {
  std::vector<std::size_t> classes(T.rows());
  if (T.cols() == 1) {
    bool indices = true;
    for (std::size_t n = 0; n < T.rows() && indices; ++n)
      indices = T(n, 0) >= 0 && T(n, 0) == std::floor(T(n, 0)) && T(n, 0) < 1e9;
    for (std::size_t n = 0; n < T.rows(); ++n)
      classes[n] = indices ? static_cast<std::size_t>(T(n, 0)) : T(n, 0) >= Scalar{0.5} ? 1 : 0;
    return classes;
  }
  return argmax_cols(T);
}

ValidationData apply_split(const ValidationSplit& split, const Matrix& X, const Matrix& T) {
  if (X.rows() != T.rows())
    throw ShapeError(fmt::format("apply_split: inputs {} and targets {} need one row per sample each", X.shape(),
                                 T.shape()));
  for (const auto* part : {&split.train, &split.validation})
    for (std::size_t n : *part)
      if (n >= X.rows())
        throw ShapeError(fmt::format("apply_split: row {} of a split for more samples than the {} given", n, X.rows()));
  return ValidationData{gather_rows(X, split.train), gather_rows(T, split.train), gather_rows(X, split.validation),
                        gather_rows(T, split.validation)};
}

Json validation_split_event(const ValidationSplit& split, const ValidationSize& size) {
  Json e{{"event", "validation_split"}};
  if (size.fraction) e["fraction"] = *size.fraction;
  if (size.count) e["count"] = *size.count;
  e["stratified"] = split.stratified;
  e["train"] = split.train;
  e["validation"] = split.validation;
  return e;
}

}  // namespace glassbox
