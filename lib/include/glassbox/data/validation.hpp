// glassbox/data/validation.hpp — a validation set: samples held out of training to measure how well the
// network does on data it does not learn from.
//
// N = samples, V = validation samples, in = input columns, out = target columns.
//
// How many: a fraction of N (V = round(fraction · N), halves rounded up) or a count V. Either way
// 1 ≤ V ≤ N − 1: both parts keep at least one sample, anything else is refused with a message.
//
// Which: drawn from a seeded generator. A run draws its split from Rng::derived(seed, "validation"),
// so the split does not move when the network or the shuffles change how much they draw.
//
// Stratified (for classification): each class keeps its share. Class k, with n_k of the N samples,
// gets V·n_k/N of the validation samples; the whole parts ⌊V·n_k/N⌋ are given first and the samples
// left over go one each to the classes with the largest remainders (ties: the lower class first), so
// that the parts add up to V exactly (the largest-remainder rule). Within a class the samples are
// chosen at random. Without stratification V samples are chosen at random from all N.
//
// Both parts list row indices in increasing order, the order of the data: the training loop shuffles
// the training part itself each epoch, and the validation part is only ever evaluated whole.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "glassbox/core/json.hpp"
#include "glassbox/core/matrix.hpp"

namespace glassbox {

class Rng;

// How many samples to hold out: exactly one of the two is set.
struct ValidationSize {
  std::optional<double> fraction;     // 0 < fraction < 1
  std::optional<std::size_t> count;   // 1 ≤ count ≤ N − 1
  // V for N samples. Throws std::invalid_argument naming N and the size when a part would be empty.
  std::size_t samples(std::size_t N) const;
  std::string describe() const;  // "fraction 0.2", "count 30"
};

struct ValidationSplit {
  std::vector<std::size_t> train;       // row indices, increasing
  std::vector<std::size_t> validation;  // row indices, increasing
  bool stratified = false;
};

// The split of N samples. With `labels` (N class indices) it is stratified as described above; with
// none it is a plain random choice. Throws std::invalid_argument for a size that leaves a part empty
// or labels whose count is not N.
ValidationSplit split_validation(std::size_t N, const ValidationSize& size, Rng& rng,
                                 const std::vector<std::size_t>* labels = nullptr);

// The class of each target row, for stratifying: a single column of whole numbers ≥ 0 is read as
// class indices (0/1 labels, or sparse class indices); any other single column as yes/no, t ≥ ½
// (−1/+1 labels); several columns (one-hot) by the argmax of the row.
std::vector<std::size_t> target_classes(const Matrix& T);

// The two parts of (X, T).
struct ValidationData {
  Matrix X_train, T_train;            // (N−V)×in, (N−V)×out
  Matrix X_validation, T_validation;  // V×in, V×out
};
ValidationData apply_split(const ValidationSplit& split, const Matrix& X, const Matrix& T);

// The trace event "validation_split": how it was sized, whether stratified, and the row indices of
// each part (docs/trace-format.md).
Json validation_split_event(const ValidationSplit& split, const ValidationSize& size);

}  // namespace glassbox
