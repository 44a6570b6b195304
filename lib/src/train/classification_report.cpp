// glassbox/train/classification_report.cpp
#include "glassbox/train/classification_report.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/nn/activations.hpp"

namespace glassbox {

namespace {

// a / b, or 0 (and a flag) for 0/0.
double ratio(std::size_t a, std::size_t b, bool* undefined = nullptr) {
  if (b == 0) {
    if (undefined) *undefined = true;
    return 0.0;
  }
  return static_cast<double>(a) / static_cast<double>(b);
}

}  // namespace

ClassificationReport classification_report(const ConfusionMatrix& confusion, const std::vector<std::string>& class_names) {
  const std::size_t K = confusion.classes();
  if (class_names.size() != K)
    throw std::invalid_argument(
        fmt::format("classification_report: {} class names for a confusion matrix of {} classes", class_names.size(), K));
  const std::size_t N = confusion.total();
  if (N == 0) throw std::invalid_argument("classification_report: no samples");

  ClassificationReport report;
  report.confusion = confusion;
  report.macro_avg.name = "macro avg";
  report.weighted_avg.name = "weighted avg";
  for (std::size_t k = 0; k < K; ++k) {
    const std::size_t tp = confusion.counts[k][k];
    std::size_t fp = 0, fn = 0;
    for (std::size_t j = 0; j < K; ++j) {
      if (j == k) continue;
      fp += confusion.counts[j][k];
      fn += confusion.counts[k][j];
    }
    ClassScores s;
    s.name = class_names[k];
    s.precision = ratio(tp, tp + fp, &s.precision_undefined);
    s.recall = ratio(tp, tp + fn, &s.recall_undefined);
    s.f1 = ratio(2 * tp, 2 * tp + fp + fn);
    s.support = tp + fn;
    report.classes.push_back(s);

    const double w = static_cast<double>(s.support);
    report.macro_avg.precision += s.precision;
    report.macro_avg.recall += s.recall;
    report.macro_avg.f1 += s.f1;
    report.weighted_avg.precision += w * s.precision;
    report.weighted_avg.recall += w * s.recall;
    report.weighted_avg.f1 += w * s.f1;
  }
  const double k = static_cast<double>(K), n = static_cast<double>(N);
  report.macro_avg.precision /= k;
  report.macro_avg.recall /= k;
  report.macro_avg.f1 /= k;
  report.weighted_avg.precision /= n;
  report.weighted_avg.recall /= n;
  report.weighted_avg.f1 /= n;
  report.macro_avg.support = report.weighted_avg.support = N;
  report.accuracy = confusion.accuracy();
  return report;
}

ClassificationReport classification_report(const std::vector<std::size_t>& truth, const std::vector<std::size_t>& predicted,
                                           const std::vector<std::string>& class_names) {
  return classification_report(confusion_matrix(truth, predicted, class_names.size()), class_names);
}

Table classification_table(const ClassificationReport& report, int digits) {
  Table table({"", "precision", "recall", "f1-score", "support"});
  const auto number = [digits](double x) { return fmt::format("{:.{}f}", x, digits); };
  const auto row = [&](const ClassScores& s) {
    table.add_row({s.name, number(s.precision), number(s.recall), number(s.f1), std::to_string(s.support)});
  };
  for (const ClassScores& s : report.classes) row(s);
  table.add_row({"accuracy", "", "", number(report.accuracy), std::to_string(report.samples())});
  row(report.macro_avg);
  row(report.weighted_avg);
  return table;
}

std::vector<std::size_t> predicted_classes(const Matrix& P) { return argmax_cols(P); }

std::vector<Mistake> most_confident_mistakes(const Matrix& P, const std::vector<std::size_t>& truth, std::size_t count,
                                             Outputs outputs) {
  if (P.cols() < 2)
    throw ShapeError(fmt::format("most_confident_mistakes: outputs {} need a column per class (at least 2)", P.shape()));
  if (P.rows() != truth.size())
    throw ShapeError(
        fmt::format("most_confident_mistakes: outputs {} for {} labels: one row per label", P.shape(), truth.size()));
  const Matrix probabilities = outputs == Outputs::logits ? softmax(P) : P;
  const std::vector<std::size_t> predicted = predicted_classes(probabilities);
  std::vector<Mistake> mistakes;
  for (std::size_t n = 0; n < truth.size(); ++n) {
    if (truth[n] >= P.cols())
      throw std::invalid_argument(
          fmt::format("most_confident_mistakes: label {} of sample {} is not below {} classes", truth[n], n, P.cols()));
    if (predicted[n] == truth[n]) continue;
    mistakes.push_back({n, truth[n], predicted[n], probabilities(n, predicted[n]), probabilities(n, truth[n])});
  }
  // stable_sort keeps equal probabilities in index order.
  std::stable_sort(mistakes.begin(), mistakes.end(),
                   [](const Mistake& a, const Mistake& b) { return a.probability > b.probability; });
  if (mistakes.size() > count) mistakes.resize(count);
  return mistakes;
}

Table mistakes_table(const std::vector<Mistake>& mistakes, const std::vector<std::string>& class_names, int digits) {
  Table table({"index", "true", "predicted", "probability", "p(true)"});
  for (const Mistake& m : mistakes) {
    if (m.truth >= class_names.size() || m.predicted >= class_names.size())
      throw std::invalid_argument(fmt::format("mistakes_table: sample {}: classes {} and {} for {} class names", m.index,
                                              m.truth, m.predicted, class_names.size()));
    table.add_row({std::to_string(m.index), class_names[m.truth], class_names[m.predicted],
                   fmt::format("{:.{}f}", m.probability, digits), fmt::format("{:.{}f}", m.truth_probability, digits)});
  }
  return table;
}

}  // namespace glassbox
