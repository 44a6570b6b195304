// glassbox/data/dataset.cpp — labelled CSV files, stratified splits and standardisation.
#include "glassbox/data/dataset.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "glassbox/data/csv.hpp"
#include "glassbox/core/error.hpp"
#include "glassbox/core/random.hpp"
#include "glassbox/core/text.hpp"

namespace glassbox {

std::vector<std::size_t> Dataset::class_counts() const {
  std::vector<std::size_t> counts(classes(), 0);
  for (std::size_t label : labels) ++counts.at(label);
  return counts;
}

const LabelledCsvFormat& iris_format() {
  static const LabelledCsvFormat format{
      {"sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm", "species"},
      {"setosa", "versicolor", "virginica"}};
  return format;
}

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Dataset load_labelled_csv(const std::filesystem::path& path, const LabelledCsvFormat& format) {
  if (format.header.size() < 2)
    throw std::invalid_argument("load_labelled_csv: the format needs at least one feature and the label column");
  CsvTable table;
  try {
    table = read_csv(path);
  } catch (const InputError& e) {
    // A missing file gets the hint; the reader's message already names the path.
    if (!std::filesystem::exists(path))
      throw InputError(fmt::format("{} (run from the repository's top folder, or give the file's path with --data)",
                                   e.what()));
    throw;
  }

  const std::size_t columns = format.header.size();
  const auto& names = table.header.fields;
  for (std::size_t c = 0; c < std::max(columns, names.size()); ++c) {
    if (c < columns && c < names.size() && trimmed(names[c].text) == format.header[c]) continue;
    const std::size_t line = c < names.size() ? names[c].line : table.header.end_line;
    const std::size_t column = c < names.size() ? names[c].column : table.header.end_column;
    std::string found = c < names.size() ? fmt::format("\"{}\"", clip(names[c].text)) : "the end of the line";
    std::string expected = c < columns ? fmt::format("column {} named \"{}\"", c + 1, format.header[c])
                                       : "the end of the line";
    throw InputError(fmt::format("{}: the header should be {}; expected {}, found {}", table.where(line, column),
                                 list_some(format.header, 20, ","), expected, found));
  }
  if (table.records.empty())
    throw InputError(fmt::format("{}: no data after the header; expected one sample per line",
                                 table.where(table.header.end_line + 1, 1)));

  Dataset data;
  data.name = path.stem().string();
  const std::size_t features = columns - 1;
  data.feature_names.assign(format.header.begin(), format.header.end() - 1);
  data.class_names = format.class_names;
  data.X = Matrix(table.records.size(), features);
  data.labels.reserve(table.records.size());
  data.ids.reserve(table.records.size());
  for (std::size_t r = 0; r < table.records.size(); ++r) {
    const CsvRecord& record = table.records[r];
    for (std::size_t c = 0; c < features; ++c) {
      const CsvField& field = record.fields[c];
      const CsvNumber x = csv_number(field.text);
      if (!x.problem.empty())
        throw InputError(fmt::format("{}: {}: {}", table.where(field), format.header[c], x.problem));
      data.X(r, c) = static_cast<Scalar>(x.value);
    }
    const CsvField& label = record.fields[features];
    const std::string_view name = trimmed(label.text);
    std::size_t k = 0;
    while (k < format.class_names.size() && format.class_names[k] != name) ++k;
    if (k == format.class_names.size())
      throw InputError(fmt::format("{}: {}: unknown label \"{}\"; expected one of {}", table.where(label),
                                   format.header[features], clip(label.text), list_some(format.class_names)));
    data.labels.push_back(k);
    data.ids.push_back(r);
  }
  return data;
}

Dataset load_iris(const std::filesystem::path& path) {
  Dataset data = load_labelled_csv(path, iris_format());
  data.name = "iris";
  return data;
}

Dataset subset(const Dataset& data, const std::vector<std::size_t>& indices) {
  Dataset out;
  out.name = data.name;
  out.X = gather_rows(data.X, indices);  // throws for an index out of range
  out.feature_names = data.feature_names;
  out.class_names = data.class_names;
  out.labels.reserve(indices.size());
  out.ids.reserve(indices.size());
  for (std::size_t i : indices) {
    out.labels.push_back(data.labels[i]);
    out.ids.push_back(data.ids[i]);
  }
  return out;
}

Dataset select_features(const Dataset& data, const std::vector<std::size_t>& columns) {
  Dataset out;
  out.name = data.name;
  out.X = Matrix(data.size(), columns.size());
  for (std::size_t j = 0; j < columns.size(); ++j) {
    if (columns[j] >= data.features())
      throw ShapeError(fmt::format("select_features: column {} is out of range for {}", columns[j], data.X.shape()));
    for (std::size_t i = 0; i < data.size(); ++i) out.X(i, j) = data.X(i, columns[j]);
    out.feature_names.push_back(data.feature_names[columns[j]]);
  }
  out.labels = data.labels;
  out.class_names = data.class_names;
  out.ids = data.ids;
  return out;
}

Split stratified_split(const Dataset& data, double test_fraction, Rng& rng) {
  if (!(test_fraction > 0 && test_fraction < 1))
    throw std::invalid_argument(fmt::format("stratified_split: the test fraction must be in (0, 1), got {}", test_fraction));
  Split split;
  for (std::size_t k = 0; k < data.classes(); ++k) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < data.size(); ++i)
      if (data.labels[i] == k) members.push_back(i);
    rng.shuffle(members);
    const auto n_test = static_cast<std::size_t>(std::lround(test_fraction * static_cast<double>(members.size())));
    split.test.insert(split.test.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(n_test));
    split.train.insert(split.train.end(), members.begin() + static_cast<std::ptrdiff_t>(n_test), members.end());
  }
  if (split.train.empty() || split.test.empty())
    throw std::invalid_argument(fmt::format("stratified_split: {} samples with test fraction {} leave {} for training "
                                            "and {} for testing; both need at least one",
                                            data.size(), test_fraction, split.train.size(), split.test.size()));
  rng.shuffle(split.train);
  rng.shuffle(split.test);
  return split;
}

// ---- standardisation ------------------------------------------------------------------------------

void Standardizer::set(Matrix mean, Matrix scale) {
  if (mean.rows() != 1 || mean.shape() != scale.shape())
    throw ShapeError(fmt::format("Standardizer::set: μ {} and σ {} must both be (1×in)", mean.shape(), scale.shape()));
  for (std::size_t j = 0; j < scale.cols(); ++j)
    if (!(scale(0, j) > 0))
      throw std::invalid_argument(fmt::format("Standardizer::set: σ[{}] = {} must be > 0", j, scale(0, j)));
  mean_ = std::move(mean);
  scale_ = std::move(scale);
  constant_.clear();
}

void Standardizer::fit(const Matrix& X) {
  if (X.rows() == 0 || X.cols() == 0)
    throw ShapeError(fmt::format("Standardizer::fit: {}: no samples to fit", X.shape()));
  // μ = (1/N) Σ x ;  σ² = (1/N) Σ (x − μ)²   (two passes: no cancellation from Σx² − Nμ²)
  mean_ = mean_rows(X);
  scale_ = Matrix(1, X.cols());
  constant_.clear();
  for (std::size_t r = 0; r < X.rows(); ++r)
    for (std::size_t c = 0; c < X.cols(); ++c) {
      const Scalar d = X(r, c) - mean_(0, c);
      scale_(0, c) += d * d;
    }
  for (std::size_t c = 0; c < X.cols(); ++c) {
    const Scalar sigma = std::sqrt(scale_(0, c) / static_cast<Scalar>(X.rows()));
    if (sigma == 0) {
      scale_(0, c) = 1;
      constant_.push_back(c);
    } else {
      scale_(0, c) = sigma;
    }
  }
}

Matrix Standardizer::transform(const Matrix& X) const {
  if (!fitted()) throw std::logic_error("Standardizer::transform: fit() has not been called");
  if (X.cols() != mean_.cols())
    throw ShapeError(fmt::format("Standardizer::transform: {}: fitted to {} columns, given {}", X.shape(),
                                 mean_.cols(), X.cols()));
  Matrix out(X.rows(), X.cols());
  for (std::size_t r = 0; r < X.rows(); ++r)
    for (std::size_t c = 0; c < X.cols(); ++c) out(r, c) = (X(r, c) - mean_(0, c)) / scale_(0, c);
  return out;
}

// ---- targets ------------------------------------------------------------------------------------

Json dataset_event(const Dataset& data, const std::string& source, const std::vector<std::string>& features) {
  return Json{{"event", "dataset"},     {"name", data.name},
              {"source", source},       {"samples", data.size()},
              {"features", features},   {"classes", data.class_names},
              {"class_counts", data.class_counts()}};
}

Json data_split_event(const Dataset& train, const Dataset& test, double test_fraction,
                      const Standardizer& standardizer) {
  return Json{{"event", "data_split"},
              {"test_fraction", test_fraction},
              {"train", train.ids},
              {"test", test.ids},
              {"train_class_counts", train.class_counts()},
              {"test_class_counts", test.class_counts()},
              {"mean", to_json(standardizer.mean())[0]},
              {"scale", to_json(standardizer.scale())[0]},
              {"constant_columns", standardizer.constant_columns()}};
}

Matrix one_vs_rest(const std::vector<std::size_t>& labels, std::size_t positive) {
  Matrix T(labels.size(), 1);
  for (std::size_t i = 0; i < labels.size(); ++i) T(i, 0) = labels[i] == positive ? 1 : 0;
  return T;
}

}  // namespace glassbox
