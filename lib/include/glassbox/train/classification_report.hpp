// glassbox/train/classification_report.hpp — how a classifier does, class by class, as scikit-learn's
// classification_report and Keras users read it; and its most confident mistakes.
//
// N = samples, K = classes. From the confusion matrix C (rows = true class, columns = predicted,
// as scikit-learn's confusion_matrix; train/metrics.hpp), for class k:
//   tp = C[k][k]   fp = Σ_j≠k C[j][k]  (predicted k, truly another)   fn = Σ_j≠k C[k][j]
//   precision = tp / (tp + fp)     of the samples predicted k, the fraction that are k
//   recall    = tp / (tp + fn)     of the samples that are k, the fraction found
//   F1        = 2·tp / (2·tp + fp + fn)   (= 2·P·R / (P + R), the harmonic mean, where both exist)
//   support   = tp + fn            how many samples are truly k
// A ratio 0/0 — precision of a class never predicted, recall of a class with no samples — is taken
// as 0, as scikit-learn does with zero_division (its default "warn" also gives 0, and warns); the
// report keeps a flag so a program can say so too.
// Averages over the K classes, each class counted whether or not it occurs (scikit-learn's result
// when given labels = 0 … K−1):
//   macro avg     the plain mean of the K values (every class weighs the same)
//   weighted avg  Σ_k support_k · value_k / N   (classes weigh by their samples)
// and accuracy = Σ_k tp / N, which for one label per sample equals the micro average of all three.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "glassbox/core/matrix.hpp"
#include "glassbox/core/table.hpp"
#include "glassbox/train/metrics.hpp"

namespace glassbox {

struct ClassScores {
  std::string name;
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  std::size_t support = 0;          // samples truly in the class (for an average: all N)
  bool precision_undefined = false;  // 0/0: the class was never predicted (reported as 0)
  bool recall_undefined = false;     // 0/0: the class has no samples (reported as 0)
};

struct ClassificationReport {
  std::vector<ClassScores> classes;  // K, in label order
  double accuracy = 0;
  ClassScores macro_avg;     // name "macro avg"
  ClassScores weighted_avg;  // name "weighted avg"
  ConfusionMatrix confusion;
  std::size_t samples() const { return confusion.total(); }
};

// From a confusion matrix and its K class names (std::invalid_argument if the counts differ or N = 0).
ClassificationReport classification_report(const ConfusionMatrix& confusion, const std::vector<std::string>& class_names);
// From N true and N predicted labels, each < K = class_names.size().
ClassificationReport classification_report(const std::vector<std::size_t>& truth, const std::vector<std::size_t>& predicted,
                                           const std::vector<std::string>& class_names);

// The report as scikit-learn prints it: a row per class (precision, recall, f1-score, support), then
// accuracy, macro avg and weighted avg, with `digits` decimals (scikit-learn's default is 2).
Table classification_table(const ClassificationReport& report, int digits = 2);

// ---- the most confident mistakes ----------------------------------------------------------------

// What the network's N×K outputs are: probabilities (each row sums to 1: a softmax at the end) or
// scores such as logits (a softmax is applied to read them as probabilities).
enum class Outputs { probabilities, logits };

// The predicted class of each row of P (N×K): the column of the largest value, the first on a tie
// (numpy's argmax).
std::vector<std::size_t> predicted_classes(const Matrix& P);

struct Mistake {
  std::size_t index = 0;      // the sample's row in P
  std::size_t truth = 0;      // its true class
  std::size_t predicted = 0;  // the class the network chose
  double probability = 0;     // the probability it gave that class
  double truth_probability = 0;  // … and the one it gave the true class
};

// The wrongly classified samples, the most confident first (probability of the predicted class,
// highest first; equal probabilities by index), at most `count` of them. P is (N×K) with K ≥ 2;
// ShapeError if P has fewer than 2 columns or not one row per label, std::invalid_argument for a
// label ≥ K.
std::vector<Mistake> most_confident_mistakes(const Matrix& P, const std::vector<std::size_t>& truth, std::size_t count,
                                             Outputs outputs = Outputs::probabilities);

// index, true, predicted, probability (and the true class's), with class names.
Table mistakes_table(const std::vector<Mistake>& mistakes, const std::vector<std::string>& class_names, int digits = 3);

}  // namespace glassbox
