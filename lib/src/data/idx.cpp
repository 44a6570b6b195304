// IDX files, plain or gzip, read through zlib's gzread (which passes a file that is not gzip through
// unchanged), in chunks, with every size checked before it is trusted.
#include "glassbox/data/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"

namespace glassbox {

namespace {

std::string missing_hint() {
  return fmt::format("Fashion-MNIST comes with Debian's package dataset-fashion-mnist "
                     "(apt-get install dataset-fashion-mnist), which installs it in {}",
                     fashion_mnist_debian_folder);
}

// An open file, gzip or plain, closed on every path out.
class GzReader {
public:
  explicit GzReader(const std::filesystem::path& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      throw InputError(fmt::format("{}: no such file; {}", path.string(), missing_hint()));
    if (std::filesystem::is_directory(path, ec))
      throw InputError(fmt::format("{}: is a folder, not an IDX file", path.string()));
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr)
      throw InputError(fmt::format("{}: cannot open the file: {}", path.string(),
                                   errno != 0 ? std::strerror(errno) : "out of memory"));
  }
  ~GzReader() {
    if (file_ != nullptr) gzclose(file_);
  }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads up to `size` bytes; fewer only at the end of the data. A gzip stream that is corrupt or
  // ends before its end marker throws.
  std::size_t read(std::uint8_t* into, std::size_t size) {
    std::size_t got = 0;
    while (got < size) {
      const unsigned ask = static_cast<unsigned>(std::min<std::size_t>(size - got, 1u << 20));
      const int n = gzread(file_, into + got, ask);
      if (n < 0) fail();
      if (n == 0) {
        // gzread returns 0 both at a clean end and at a gzip stream cut short; gzerror tells which.
        int code = Z_OK;
        gzerror(file_, &code);
        if (code != Z_OK) fail();
        break;
      }
      got += static_cast<std::size_t>(n);
    }
    return got;
  }

  bool compressed() const { return gzdirect(file_) == 0; }

private:
  [[noreturn]] void fail() {
    int code = Z_OK;
    const char* message = gzerror(file_, &code);
    if (code == Z_ERRNO)
      throw InputError(fmt::format("{}: cannot read the file: {}", path_.string(), std::strerror(errno)));
    // zlib's message starts with the path itself ("<path>: unexpected end of file"); say it once.
    std::string what = message ? message : "unknown error";
    if (what.rfind(path_.string() + ": ", 0) == 0) what.erase(0, path_.string().size() + 2);
    throw InputError(fmt::format("{}: corrupt gzip stream: {}", path_.string(), what));
  }

  std::filesystem::path path_;
  gzFile file_ = nullptr;
};

std::uint32_t big_endian(const std::uint8_t* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
}

// "0x00000803 (IDX images: unsigned bytes, 3 dimensions)" — what a magic number would mean.
std::string describe_magic(std::uint32_t magic) {
  std::string text = fmt::format("0x{:08x}", magic);
  if (magic == idx_images_magic) return text + " (IDX images: unsigned bytes, 3 dimensions)";
  if (magic == idx_labels_magic) return text + " (IDX labels: unsigned bytes, 1 dimension)";
  if ((magic >> 16) == 0) {
    const unsigned type = (magic >> 8) & 0xff;
    const unsigned dims = magic & 0xff;
    const char* name = type == 0x08   ? "unsigned bytes"
                       : type == 0x09 ? "signed bytes"
                       : type == 0x0b ? "16-bit integers"
                       : type == 0x0c ? "32-bit integers"
                       : type == 0x0d ? "floats"
                       : type == 0x0e ? "doubles"
                                      : "an unknown type";
    return fmt::format("{} (IDX {}, {} dimension{})", text, name, dims, dims == 1 ? "" : "s");
  }
  return text + " (not an IDX file)";
}

std::string joined_sizes(const std::vector<std::uint32_t>& sizes) {
  std::string text;
  for (std::size_t i = 0; i < sizes.size(); ++i) text += (i ? " × " : "") + std::to_string(sizes[i]);
  return text;
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& path, std::uint32_t magic, std::size_t max_values) {
  const std::string file = path.string();
  GzReader in(path);
  const char* packed = "";

  // The header: the magic number, then one 32-bit size per dimension.
  std::uint8_t word[4];
  const std::size_t magic_bytes = in.read(word, 4);
  if (in.compressed()) packed = " (after decompression)";
  if (magic_bytes < 4)
    throw InputError(fmt::format("{}: truncated header: expected at least 4 bytes (the magic number), found {}{}",
                                 file, magic_bytes, packed));
  const std::uint32_t found = big_endian(word);
  if (found != magic)
    throw InputError(fmt::format("{}: wrong magic number {}, expected {}", file, describe_magic(found), describe_magic(magic)));

  const std::size_t dims = magic & 0xff;
  IdxArray array;
  std::size_t total = 1;
  for (std::size_t d = 0; d < dims; ++d) {
    const std::size_t got = in.read(word, 4);
    if (got < 4)
      throw InputError(fmt::format("{}: truncated header: expected {} bytes (magic number and {} sizes), found {}{}", file,
                                   4 + 4 * dims, dims, 4 + 4 * d + got, packed));
    const std::uint32_t size = big_endian(word);
    if (size == 0) throw InputError(fmt::format("{}: the size of dimension {} (from 0) is 0: the file holds no data", file, d));
    array.sizes.push_back(size);
    // Refuse before allocating: the product is checked against the cap as it grows, so it cannot overflow.
    if (size > max_values / total)
      throw InputError(fmt::format("{}: the header's sizes {}{} claim more than {} values, the most an IDX file may hold "
                                   "here",
                                   file, joined_sizes(array.sizes), d + 1 < dims ? " × …" : "", max_values));
    total *= size;
  }

  // The data, in chunks: the vector grows only as bytes really arrive.
  constexpr std::size_t chunk = std::size_t{1} << 20;
  std::size_t got = 0;
  while (got < total) {
    const std::size_t want = std::min(chunk, total - got);
    array.values.resize(got + want);
    const std::size_t n = in.read(array.values.data() + got, want);
    got += n;
    if (n < want) break;
  }
  if (got < total)
    throw InputError(fmt::format("{}: truncated data: the sizes {} call for {} bytes after the header, found {}{}", file,
                                 joined_sizes(array.sizes), total, got, packed));
  std::uint8_t extra[4096];
  std::size_t after = 0;
  for (std::size_t n; (n = in.read(extra, sizeof extra)) > 0 && after <= max_values;) after += n;
  if (after > 0)
    throw InputError(fmt::format("{}: {} bytes after the data{}: the sizes {} call for {} bytes after the header", file,
                                 after > max_values ? fmt::format("more than {}", max_values) : std::to_string(after),
                                 packed, joined_sizes(array.sizes), total));
  return array;
}

IdxImages read_idx_images(const std::filesystem::path& path, std::size_t max_values) {
  const IdxArray array = read_idx(path, idx_images_magic, max_values);
  IdxImages images;
  images.rows = array.sizes[1];
  images.cols = array.sizes[2];
  images.pixels = Matrix(array.sizes[0], images.rows * images.cols);
  Scalar* pixel = images.pixels.data();
  for (std::uint8_t grey : array.values) *pixel++ = static_cast<Scalar>(grey) / Scalar{255};
  return images;
}

std::vector<std::size_t> read_idx_labels(const std::filesystem::path& path, std::size_t classes, std::size_t max_values) {
  const IdxArray array = read_idx(path, idx_labels_magic, max_values);
  std::vector<std::size_t> labels(array.values.begin(), array.values.end());
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= classes)
      throw InputError(fmt::format("{}: label {} (from 0) is {}, but there are {} classes (labels 0 to {})", path.string(), i,
                                   labels[i], classes, classes - 1));
  return labels;
}

Dataset load_idx_dataset(const std::filesystem::path& images_path, const std::filesystem::path& labels_path,
                         std::vector<std::string> class_names, std::string name) {
  if (class_names.empty()) throw std::invalid_argument("load_idx_dataset: no class names");
  IdxImages images = read_idx_images(images_path);
  std::vector<std::size_t> labels = read_idx_labels(labels_path, class_names.size());
  if (labels.size() != images.count())
    throw InputError(fmt::format("{}: {} labels, but {} holds {} images", labels_path.string(), labels.size(),
                                 images_path.string(), images.count()));
  Dataset d;
  d.name = std::move(name);
  d.X = std::move(images.pixels);
  d.labels = std::move(labels);
  for (std::size_t r = 0; r < images.rows; ++r)
    for (std::size_t c = 0; c < images.cols; ++c) d.feature_names.push_back(fmt::format("px{}_{}", r, c));
  d.class_names = std::move(class_names);
  d.ids.resize(d.labels.size());
  for (std::size_t n = 0; n < d.ids.size(); ++n) d.ids[n] = n;
  return d;
}

Matrix label_column(const std::vector<std::size_t>& labels) {
  Matrix T(labels.size(), 1);
  for (std::size_t n = 0; n < labels.size(); ++n) T(n, 0) = static_cast<Scalar>(labels[n]);
  return T;
}

const std::vector<std::string>& fashion_mnist_class_names() {
  static const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

Dataset load_fashion_mnist(const std::filesystem::path& folder, const std::string& part) {
  if (part != "train" && part != "test")
    throw std::invalid_argument(fmt::format("load_fashion_mnist: part \"{}\": expected \"train\" or \"test\"", part));
  const std::string stem = part == "train" ? "train" : "t10k";
  // The .gz file the package installs, else an uncompressed copy; a message names the .gz.
  const auto find = [&](const std::string& kind) {
    const std::filesystem::path gz = folder / (stem + "-" + kind + ".gz");
    const std::filesystem::path plain = folder / (stem + "-" + kind);
    std::error_code ec;
    return !std::filesystem::exists(gz, ec) && std::filesystem::exists(plain, ec) ? plain : gz;
  };
  return load_idx_dataset(find("images-idx3-ubyte"), find("labels-idx1-ubyte"), fashion_mnist_class_names(),
                          "fashion-mnist-" + part);
}

}  // namespace glassbox
