// fuzz/fuzz_idx.cpp — the IDX reader (data/idx.hpp), plain or gzip.
//
// Feeds: the input bytes as a file, to read_idx_images() and read_idx_labels() (10 classes), with a
// cap of 2²⁰ values so a header that claims much is refused early (the reader's own default cap is
// 2²⁷); the seeds in fuzz/corpus/idx/ include gzip files, so the fuzzer reaches zlib's side too.
// Expected rejection: InputError (a wrong magic number, a truncated header or data, bytes after the
// data, a size of 0 or over the cap, a corrupt gzip stream, a label out of range), as fuzz.hpp lists.
// Finding: any other exception, a crash, a sanitizer report, a hang, memory beyond the cap; or
// results that break the reader's promises — pixels that are not N × rows·cols, a pixel that is not
// k/255 for a whole k in 0 … 255, a label ≥ 10.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "glassbox/data/idx.hpp"

#include "fuzz.hpp"

using namespace glassbox;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = fuzz::scratch_folder() / "input-idx-ubyte";
  fuzz::write_file(path, std::string_view(reinterpret_cast<const char*>(data), size));
  constexpr std::size_t cap = std::size_t{1} << 20;

  IdxImages images;
  if (fuzz::accepted([&] { images = read_idx_images(path, cap); })) {
    if (images.rows == 0 || images.cols == 0 || images.count() == 0) fuzz::finding("images with a size of 0");
    if (images.pixels.cols() != images.rows * images.cols) fuzz::finding("an image row that is not rows·cols pixels");
    if (images.pixels.size() > cap) fuzz::finding("more pixels than the cap");
    for (double p : images.pixels) {
      const double grey = p * 255.0;
      if (!(p >= 0.0 && p <= 1.0) || std::abs(grey - std::round(grey)) > 1e-9)
        fuzz::finding("a pixel that is not k/255");
    }
  }
  std::vector<std::size_t> labels;
  if (fuzz::accepted([&] { labels = read_idx_labels(path, 10, cap); })) {
    if (labels.empty()) fuzz::finding("no labels accepted");
    for (std::size_t l : labels)
      if (l >= 10) fuzz::finding("a label ≥ 10 accepted");
  }
  return 0;
}
