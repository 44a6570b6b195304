// fuzz/fuzz_dataset.cpp — the labelled-dataset loaders: data/dataset.hpp's, and an experiment's
// data from a CSV file (experiment/experiment.hpp).
//
// Feeds: the input bytes as a file, to load_labelled_csv() with two formats: iris's (four
// measurements and the species) and a small one (x, y, label ∈ {a, b}), and to load_iris(); then
// to parse_experiment() as the CSV file of three small specs: class labels from the column "label"
// (the classes found, or given as a and b), and numeric targets from it.
// Expected rejection: InputError and SpecError (a malformed file, a wrong header or column, a value
// that is not a finite number, an unknown label, no data), as fuzz.hpp lists.
// Finding: any other exception, a crash, a sanitizer report, a hang; or data that break the
// loaders' promises — no samples, X's shape not N×(columns − 1), a label out of range, a value that
// is not finite, ids that are not the rows' positions, names that differ from the format's; an
// experiment's inputs and targets that are not one finite row per sample.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassbox/data/dataset.hpp"
#include "glassbox/experiment/experiment.hpp"
#include "glassbox/io/spec.hpp"

#include "fuzz.hpp"

using namespace glassbox;

namespace {

const LabelledCsvFormat& points_format() {
  static const LabelledCsvFormat format{{"x", "y", "label"}, {"a", "b"}};
  return format;
}

void check(const Dataset& d, const LabelledCsvFormat& format) {
  const std::size_t N = d.size();
  if (N == 0) fuzz::finding("a data set without samples");
  if (d.X.rows() != N || d.X.cols() != format.header.size() - 1) fuzz::finding("X is not N×(columns − 1)");
  if (d.ids.size() != N) fuzz::finding("ids and labels differ in number");
  if (d.class_names != format.class_names) fuzz::finding("the class names differ from the format's");
  if (d.feature_names.size() != d.X.cols()) fuzz::finding("a feature name per column is missing");
  for (std::size_t c = 0; c < d.feature_names.size(); ++c)
    if (d.feature_names[c] != format.header[c]) fuzz::finding("a feature name differs from the header's");
  for (std::size_t n = 0; n < N; ++n) {
    if (d.labels[n] >= d.classes()) fuzz::finding("a label out of range");
    if (d.ids[n] != n) fuzz::finding("an id is not the row's position");
    for (std::size_t c = 0; c < d.X.cols(); ++c)
      if (!std::isfinite(d.X(n, c))) fuzz::finding("a value that is not finite");
  }
  std::size_t total = 0;
  for (std::size_t count : d.class_counts()) total += count;
  if (total != N) fuzz::finding("the class counts do not add up to N");
}

// Specs that read data.csv from the scratch folder: x and y in, the column "label" out.
const std::vector<Json>& specs() {
  static const std::vector<Json> all = [] {
    const char* network = R"("network": {"inputs": 2, "layers": [{"units": 2, "activation": "identity"}]},
                             "optimizer": {"name": "sgd", "learning_rate": 0.1},)";
    std::vector<Json> out;
    for (const std::string data : {R"("loss": "softmax_cross_entropy", "data": {"csv": "data.csv", "label_column": "label"})",
                                   R"("loss": "softmax_cross_entropy", "data": {"csv": "data.csv", "label_column": "label",
                                      "classes": ["a", "b"], "input_columns": ["x", "y"], "standardize": true})",
                                   R"("loss": "mse", "data": {"csv": "data.csv", "target_columns": ["label", "x"],
                                      "input_columns": ["x", "y"]})"})
      out.push_back(parse_json_text(std::string("{") + network + data + "}", "fuzz_dataset.cpp"));
    return out;
  }();
  return all;
}

void check(const Experiment& e) {
  const DataSpec& d = e.data;
  const Matrix& given = d.given_inputs();  // `inputs` is empty unless X holds them standardized
  const std::size_t N = given.rows();
  if (N == 0 || given.cols() != 2 || d.X.rows() != N || d.X.cols() != 2 || d.targets.rows() != N ||
      d.targets.cols() != e.target_columns())
    fuzz::finding("an experiment's data are not one row per sample of the network's width");
  for (const Matrix* m : {&given, &d.X, &d.targets})
    for (std::size_t n = 0; n < m->rows(); ++n)
      for (std::size_t c = 0; c < m->cols(); ++c)
        if (!std::isfinite((*m)(n, c))) fuzz::finding("an experiment's data hold a value that is not finite");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = fuzz::scratch_folder() / "data.csv";
  fuzz::write_file(path, std::string_view(reinterpret_cast<const char*>(data), size));
  for (const LabelledCsvFormat* format : {&iris_format(), &points_format()}) {
    Dataset d;
    if (fuzz::accepted([&] { d = load_labelled_csv(path, *format); })) check(d, *format);
  }
  Dataset iris;
  if (fuzz::accepted([&] { iris = load_iris(path); }) && iris.name != "iris") fuzz::finding("load_iris's name");
  const std::string source = (fuzz::scratch_folder() / "spec.json").string();
  for (const Json& spec : specs()) {
    std::optional<Experiment> e;
    if (fuzz::accepted([&] { e = parse_experiment(spec, source); })) check(*e);
  }
  return 0;
}
