// fuzz/fuzz_dataset.cpp — the labelled-dataset loader (data/dataset.hpp).
//
// Feeds: the input bytes as a file, to load_labelled_csv() with two formats: iris's (four
// measurements and the species) and a small one (x, y, label ∈ {a, b}), and to load_iris().
// Expected rejection: InputError (a malformed file, a wrong header, a value that is not a finite
// number, an unknown label, no data), as fuzz.hpp lists.
// Finding: any other exception, a crash, a sanitizer report, a hang; or a data set that breaks the
// loader's promises — no samples, X's shape not N×(columns − 1), a label out of range, a value that
// is not finite, ids that are not the rows' positions, names that differ from the format's.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "glassbox/data/dataset.hpp"

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
  return 0;
}
