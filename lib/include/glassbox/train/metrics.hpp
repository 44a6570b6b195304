// glassbox/train/metrics.hpp — how well a classifier does: accuracy and the confusion matrix.
//
// N = samples, K = classes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "glassbox/core/table.hpp"
#include "glassbox/core/json.hpp"

namespace glassbox {

// counts[true class][predicted class]: row k tells where the samples of class k went; the diagonal
// holds the right answers.
struct ConfusionMatrix {
  std::vector<std::vector<std::size_t>> counts;  // (K×K)

  std::size_t classes() const noexcept { return counts.size(); }
  std::size_t total() const;
  std::size_t correct() const;  // Σ diagonal
  double accuracy() const;      // correct / total
};

// From N true and N predicted labels, each < K. Throws std::invalid_argument otherwise.
ConfusionMatrix confusion_matrix(const std::vector<std::size_t>& truth, const std::vector<std::size_t>& predicted,
                                 std::size_t classes);

// The table a program prints: one row per true class, one column per predicted class.
Table confusion_table(const ConfusionMatrix& m, const std::vector<std::string>& classes);
// The trace event "confusion_matrix": which model, on which split ("train" or "test").
Json confusion_event(const ConfusionMatrix& m, const std::string& model, const std::string& split,
                     const std::vector<std::string>& classes);

// The fraction of samples with predicted[i] == truth[i]. Throws for different lengths or N = 0.
double accuracy(const std::vector<std::size_t>& truth, const std::vector<std::size_t>& predicted);

}  // namespace glassbox
