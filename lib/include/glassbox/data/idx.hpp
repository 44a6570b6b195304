// glassbox/data/idx.hpp — images and labels in the IDX format (MNIST, Fashion-MNIST), plain or gzip.
//
// N = images, rows × cols = one image's pixels (28 × 28 = 784 for Fashion-MNIST), K = classes.
//
// An IDX file is a header, then the data, every number in it big-endian:
//   bytes 0–3   the magic number 0x00 0x00 <type> <dimensions>: type 0x08 = unsigned bytes, so
//               0x00000803 = images (3 dimensions: N, rows, cols), 0x00000801 = labels (1: N)
//   then        one 32-bit size per dimension
//   then        the product of the sizes in bytes, row-major: image n's pixel (r, c) is byte
//               n·rows·cols + r·cols + c; a pixel is a grey level 0 (background) … 255 (ink).
// A file may be gzip-compressed (as Fashion-MNIST ships: train-images-idx3-ubyte.gz); it is told by
// its first two bytes (0x1f 0x8b), not by its name, and read through zlib.
//
// Reading is streaming and bounded: the header's sizes are checked against a cap before anything is
// allocated, and the data are read in chunks, so a hostile header claiming 4 billion images costs
// nothing. Every error is an InputError "<file>: <what is wrong>": a missing file (with the hint to
// install Debian's dataset-fashion-mnist), a wrong magic number (found and expected), a dimension
// of 0, sizes whose product is over the cap, truncated data (bytes expected and found), bytes after
// the data, a corrupt gzip stream, a label out of range (its index and value), a label count that
// differs from the image count. docs/idx-format.md lists the messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "glassbox/core/matrix.hpp"
#include "glassbox/data/dataset.hpp"

namespace glassbox {

inline constexpr std::uint32_t idx_images_magic = 0x00000803;  // unsigned bytes, 3 dimensions
inline constexpr std::uint32_t idx_labels_magic = 0x00000801;  // unsigned bytes, 1 dimension

// The most values (bytes of data) a file may claim: 2²⁷ = 134,217,728, which as doubles in a Matrix
// is 1 GiB. Fashion-MNIST's training images are 60000 · 784 = 47,040,000.
inline constexpr std::size_t idx_max_values = std::size_t{1} << 27;

// Where Debian's dataset-fashion-mnist installs the four files.
inline constexpr const char* fashion_mnist_debian_folder = "/usr/share/datasets/fashion-mnist";

struct IdxImages {
  Matrix pixels;         // (N × rows·cols): image n is row n, its pixels row by row, each grey/255 ∈ [0, 1]
  std::size_t rows = 0;  // an image's height and width in pixels
  std::size_t cols = 0;
  std::size_t count() const noexcept { return pixels.rows(); }
};

// Images (magic 0x00000803). Grey levels are scaled by /255, so 0 → 0 and 255 → 1 (as Keras'
// tutorials do with x / 255.0; no mean is subtracted). max_values caps N·rows·cols.
IdxImages read_idx_images(const std::filesystem::path& path, std::size_t max_values = idx_max_values);

// Labels (magic 0x00000801): N class indices, each < classes (an InputError names the first that is
// not: its index from 0 and its value).
std::vector<std::size_t> read_idx_labels(const std::filesystem::path& path, std::size_t classes,
                                         std::size_t max_values = idx_max_values);

// The raw bytes of any unsigned-byte IDX file with the given magic number, and its sizes (one per
// dimension): what the two readers above share.
struct IdxArray {
  std::vector<std::uint32_t> sizes;
  std::vector<std::uint8_t> values;  // Π sizes bytes, row-major
};
IdxArray read_idx(const std::filesystem::path& path, std::uint32_t magic, std::size_t max_values = idx_max_values);

// A labelled data set from an images file and a labels file: X = the pixels (N × rows·cols, in
// [0, 1]), labels from the labels file, one class name per class. Features are named "px<r>_<c>"
// (row and column from 0). Throws InputError if the two files' counts differ.
Dataset load_idx_dataset(const std::filesystem::path& images, const std::filesystem::path& labels,
                         std::vector<std::string> class_names, std::string name);

// The labels as one column of class indices (N×1), the targets sparse_softmax_cross_entropy takes
// (for one-hot targets: one_hot() in nn/losses.hpp).
Matrix label_column(const std::vector<std::size_t>& labels);

// Fashion-MNIST's ten classes, label 0 … 9: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal,
// Shirt, Sneaker, Bag, Ankle boot.
const std::vector<std::string>& fashion_mnist_class_names();

// One part of Fashion-MNIST from `folder`: part "train" (60,000 images, train-images-idx3-ubyte.gz
// and train-labels-idx1-ubyte.gz) or "test" (10,000, t10k-…). The files may also be there
// uncompressed (the same names without .gz). Named "fashion-mnist-train" / "fashion-mnist-test".
// Throws std::invalid_argument for another part, InputError for a missing or malformed file.
Dataset load_fashion_mnist(const std::filesystem::path& folder = fashion_mnist_debian_folder,
                           const std::string& part = "train");

}  // namespace glassbox
