// glassbox/train/metrics.cpp
#include "glassbox/train/metrics.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace glassbox {

namespace {
void require_pairs(const char* op, const std::vector<std::size_t>& truth, const std::vector<std::size_t>& predicted) {
  if (truth.size() != predicted.size())
    throw std::invalid_argument(fmt::format("{}: {} true labels but {} predictions", op, truth.size(), predicted.size()));
  if (truth.empty()) throw std::invalid_argument(fmt::format("{}: no samples", op));
}
}  // namespace

std::size_t ConfusionMatrix::total() const {
  std::size_t n = 0;
  for (const auto& row : counts)
    for (std::size_t c : row) n += c;
  return n;
}

std::size_t ConfusionMatrix::correct() const {
  std::size_t n = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) n += counts[k][k];
  return n;
}

double ConfusionMatrix::accuracy() const {
  const std::size_t n = total();
  return n == 0 ? 0.0 : static_cast<double>(correct()) / static_cast<double>(n);
}

ConfusionMatrix confusion_matrix(const std::vector<std::size_t>& truth, const std::vector<std::size_t>& predicted,
                                 std::size_t classes) {
  require_pairs("confusion_matrix", truth, predicted);
  ConfusionMatrix m;
  m.counts.assign(classes, std::vector<std::size_t>(classes, 0));
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] >= classes || predicted[i] >= classes)
      throw std::invalid_argument(fmt::format("confusion_matrix: sample {}: labels {} and {} must be below {} classes",
                                              i, truth[i], predicted[i], classes));
    ++m.counts[truth[i]][predicted[i]];
  }
  return m;
}

Table confusion_table(const ConfusionMatrix& m, const std::vector<std::string>& classes) {
  if (classes.size() != m.classes())
    throw std::invalid_argument(fmt::format("confusion_table: {} class names for {} classes", classes.size(), m.classes()));
  std::vector<std::string> headers{"true ↓  predicted →"};
  headers.insert(headers.end(), classes.begin(), classes.end());
  Table table(headers);
  for (std::size_t k = 0; k < m.classes(); ++k) {
    std::vector<std::string> row{classes[k]};
    for (std::size_t c : m.counts[k]) row.push_back(fmt::format("{}", c));
    table.add_row(row);
  }
  return table;
}

Json confusion_event(const ConfusionMatrix& m, const std::string& model, const std::string& split,
                     const std::vector<std::string>& classes) {
  return Json{{"event", "confusion_matrix"}, {"model", model}, {"split", split}, {"classes", classes},
              {"counts", m.counts}, {"accuracy", m.accuracy()}};
}

double accuracy(const std::vector<std::size_t>& truth, const std::vector<std::size_t>& predicted) {
  require_pairs("accuracy", truth, predicted);
  std::size_t right = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) right += truth[i] == predicted[i];
  return static_cast<double>(right) / static_cast<double>(truth.size());
}

}  // namespace glassbox
