// glassbox/data/dataset.hpp — labelled data sets: loading, splitting, standardising, targets.
//
// N = samples, in = features (columns of X), K = classes.
//
// A Dataset holds one sample per row of X (N×in) and its class index in `labels`. Iris is read from
// a CSV file with a header row (four measurements in cm, then the species); every malformed value
// is reported as "file:line:column: what was expected" (InputError).
//
// Splits and shuffles draw from the seeded Rng, so the same seed gives the same split everywhere.
// The Standardizer is fitted on the training part only and then applied to both parts: the test
// samples must not leak into the mean and standard deviation the model is trained with.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "glassbox/core/matrix.hpp"
#include "glassbox/core/json.hpp"

namespace glassbox {

class Rng;

struct Dataset {
  std::string name;                        // "iris"; a labelled CSV file's stem otherwise
  Matrix X;                                // (N×in): one sample per row
  std::vector<std::size_t> labels;         // N class indices, each < class_names.size()
  std::vector<std::string> feature_names;  // in names, one per column of X
  std::vector<std::string> class_names;    // K names; label k means class_names[k]
  std::vector<std::size_t> ids;            // N sample numbers: the row's position in the file (from 0)

  std::size_t size() const noexcept { return labels.size(); }
  std::size_t features() const noexcept { return X.cols(); }
  std::size_t classes() const noexcept { return class_names.size(); }
  std::vector<std::size_t> class_counts() const;  // K counts
};

// What a labelled CSV file must look like: the header, exactly; all columns but the last are
// numbers (the features); the last is a label from `class_names`.
struct LabelledCsvFormat {
  std::vector<std::string> header;
  std::vector<std::string> class_names;
};

// The iris file's format: sepal_length_cm, sepal_width_cm, petal_length_cm, petal_width_cm,
// species ∈ {setosa, versicolor, virginica} (labels 0, 1, 2).
const LabelledCsvFormat& iris_format();

// Reads a labelled CSV file. Throws InputError naming file:line:column for a missing file, an empty
// file, a header that differs, a missing or extra column, a value that is not a finite number, an
// unknown label, or a file with no data rows.
Dataset load_labelled_csv(const std::filesystem::path& path, const LabelledCsvFormat& format);
Dataset load_iris(const std::filesystem::path& path);

// The rows listed in `indices`, in that order (ids follow their rows).
Dataset subset(const Dataset& data, const std::vector<std::size_t>& indices);
// Only the listed feature columns, in that order (e.g. petal length and width: {2, 3}).
Dataset select_features(const Dataset& data, const std::vector<std::size_t>& columns);

struct Split {
  std::vector<std::size_t> train;  // row indices into the data set
  std::vector<std::size_t> test;
};

// A stratified split: from each class, round(test_fraction · count) samples chosen at random go to
// the test part and the rest to training, so both parts keep the class proportions. Each part is
// then shuffled (classes interleaved). 0 < test_fraction < 1; throws std::invalid_argument if a
// part would be empty.
Split stratified_split(const Dataset& data, double test_fraction, Rng& rng);

// Standardisation: x' = (x − μ) / σ per column, μ and σ fitted on the training rows.
// σ is the population standard deviation (divide by N), as scikit-learn's StandardScaler uses.
// A column with zero variance (σ = 0) is centred but not scaled (σ is taken as 1, as scikit-learn
// does) instead of dividing by zero; constant_columns() lists such columns so a program can say so.
class Standardizer {
public:
  // Fits μ and σ to the rows of X (N×in), N ≥ 1. Throws ShapeError for an empty matrix.
  void fit(const Matrix& X);
  // Takes μ and σ as given (1×in each, every σ > 0): a saved model's. Throws ShapeError if they differ
  // in shape, std::invalid_argument for a σ that is not > 0.
  void set(Matrix mean, Matrix scale);
  // (X − μ) / σ, row by row. Throws std::logic_error before fit(), ShapeError if the columns differ.
  Matrix transform(const Matrix& X) const;
  bool fitted() const noexcept { return !mean_.empty(); }
  const Matrix& mean() const noexcept { return mean_; }    // (1×in)
  const Matrix& scale() const noexcept { return scale_; }  // (1×in): σ, or 1 where σ = 0
  const std::vector<std::size_t>& constant_columns() const noexcept { return constant_; }

private:
  Matrix mean_, scale_;
  std::vector<std::size_t> constant_;
};

// The trace events for a data set as loaded ("dataset": its source, size, classes and the features a
// chapter uses) and for a split with its standardisation ("data_split": the sample ids of each part,
// μ and σ). docs/trace-format.md describes their fields.
Json dataset_event(const Dataset& data, const std::string& source, const std::vector<std::string>& features);
Json data_split_event(const Dataset& train, const Dataset& test, double test_fraction,
                      const Standardizer& standardizer);

// Targets for one class against the rest (N×1): 1 where labels[i] == positive, else 0.
// (One-hot targets for several classes: one_hot() in glassbox/nn/losses.hpp.)
Matrix one_vs_rest(const std::vector<std::size_t>& labels, std::size_t positive);

}  // namespace glassbox
