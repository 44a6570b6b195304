// Tests for glassbox/data/idx.hpp: small IDX files the tests write themselves, plain and gzip, valid
// and broken in each way the reader names; and Fashion-MNIST itself when Debian's package is installed.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "glassbox/core/error.hpp"
#include "glassbox/data/idx.hpp"

using namespace glassbox;
namespace fs = std::filesystem;

namespace {

// A folder of this test process's own, removed at the end of the test.
struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("glassbox-test-idx-" + std::to_string(::getpid()));
  Scratch() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path operator/(const std::string& name) const { return dir / name; }
};

void put32(std::string& bytes, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((v >> shift) & 0xff);
}

// An IDX file: magic, sizes (big-endian), data.
std::string idx(std::uint32_t magic, const std::vector<std::uint32_t>& sizes, const std::vector<std::uint8_t>& data) {
  std::string bytes;
  put32(bytes, magic);
  for (std::uint32_t s : sizes) put32(bytes, s);
  bytes.append(data.begin(), data.end());
  return bytes;
}

fs::path write_plain(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out);
  return path;
}

fs::path write_gz(const fs::path& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
  return path;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Two images of 2 rows × 3 columns. Grey levels chosen so that /255 is easy to check by hand:
// 0 → 0, 255 → 1, 51 → 0.2 (51 = 255/5), 102 → 0.4, 153 → 0.6, 204 → 0.8.
const std::vector<std::uint8_t> kPixels{0, 51, 102, 153, 204, 255,  //
                                        255, 0, 0, 0, 0, 51};
std::string two_images() { return idx(idx_images_magic, {2, 2, 3}, kPixels); }
std::string labels(const std::vector<std::uint8_t>& values) {
  return idx(idx_labels_magic, {static_cast<std::uint32_t>(values.size())}, values);
}

}  // namespace

TEST_CASE("idx: images read as N × rows·cols pixels scaled by 1/255, plain and gzip alike", "[idx]") {
  Scratch s;
  const IdxImages plain = read_idx_images(write_plain(s / "images-idx3-ubyte", two_images()));
  CHECK(plain.count() == 2);
  CHECK(plain.rows == 2);
  CHECK(plain.cols == 3);
  REQUIRE(plain.pixels.rows() == 2);
  REQUIRE(plain.pixels.cols() == 6);
  // Image 0's pixels row by row: 0, 51, 102 / 153, 204, 255 → 0, 0.2, 0.4 / 0.6, 0.8, 1.
  const std::vector<double> image0{0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
  for (std::size_t c = 0; c < 6; ++c) CHECK(plain.pixels(0, c) == Approx(image0[c]).margin(1e-15));
  CHECK(plain.pixels(0, 5) == 1.0);  // 255/255 exactly
  CHECK(plain.pixels(1, 0) == 1.0);
  CHECK(plain.pixels(1, 5) == 51.0 / 255.0);

  const IdxImages gz = read_idx_images(write_gz(s / "images-idx3-ubyte.gz", two_images()));
  REQUIRE(read_bytes(s / "images-idx3-ubyte.gz").substr(0, 2) == "\x1f\x8b");  // really gzip
  CHECK(gz.rows == 2);
  CHECK(gz.cols == 3);
  CHECK(gz.pixels.values() == plain.pixels.values());
}

TEST_CASE("idx: labels and images make a data set with named classes and pixel features", "[idx]") {
  Scratch s;
  const fs::path images = write_gz(s / "images.gz", two_images());
  const fs::path label_file = write_plain(s / "labels", labels({2, 0}));
  CHECK(read_idx_labels(label_file, 3) == std::vector<std::size_t>{2, 0});
  const Dataset d = load_idx_dataset(images, label_file, {"a", "b", "c"}, "tiny");
  CHECK(d.name == "tiny");
  CHECK(d.size() == 2);
  CHECK(d.features() == 6);
  CHECK(d.labels == std::vector<std::size_t>{2, 0});
  CHECK(d.ids == std::vector<std::size_t>{0, 1});
  CHECK(d.class_names == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(d.feature_names.size() == 6);
  CHECK(d.feature_names[0] == "px0_0");
  CHECK(d.feature_names[4] == "px1_1");  // row 1, column 1: 1·3 + 1 = 4
  CHECK(d.X(0, 1) == 51.0 / 255.0);
  const Matrix T = label_column(d.labels);
  CHECK(T.rows() == 2);
  CHECK(T.cols() == 1);
  CHECK(T(0, 0) == 2.0);
  CHECK(T(1, 0) == 0.0);
}

TEST_CASE("idx: a missing file is named, with where Debian's package puts Fashion-MNIST", "[idx]") {
  Scratch s;
  const fs::path missing = s / "train-images-idx3-ubyte.gz";
  CHECK_THROWS_AS(read_idx_images(missing), InputError);
  CHECK_THROWS_WITH(read_idx_images(missing), Catch::StartsWith(missing.string() + ": no such file") &&
                                                  Catch::Contains("dataset-fashion-mnist") &&
                                                  Catch::Contains("/usr/share/datasets/fashion-mnist"));
  CHECK_THROWS_WITH(read_idx_images(s.dir), Catch::Contains("is a folder"));
  // A folder without the files: the message names the .gz file the package would have put there.
  CHECK_THROWS_WITH(load_fashion_mnist(s.dir, "test"),
                    Catch::Contains("t10k-images-idx3-ubyte.gz: no such file") && Catch::Contains("apt-get install"));
  CHECK_THROWS_AS(load_fashion_mnist(s.dir, "validation"), std::invalid_argument);
}

TEST_CASE("idx: a wrong magic number shows the number found and the one expected", "[idx]") {
  Scratch s;
  // A labels file where images are expected, and the other way round.
  const fs::path label_file = write_gz(s / "labels.gz", labels({1, 2}));
  CHECK_THROWS_WITH(read_idx_images(label_file),
                    Catch::Contains("wrong magic number 0x00000801 (IDX labels") &&
                        Catch::Contains("expected 0x00000803 (IDX images: unsigned bytes, 3 dimensions)"));
  const fs::path images = write_plain(s / "images", two_images());
  CHECK_THROWS_WITH(read_idx_labels(images, 10), Catch::Contains("wrong magic number 0x00000803") &&
                                                     Catch::Contains("expected 0x00000801"));
  // Not IDX at all: "PK\3\4" (a zip file) is 0x504b0304.
  const fs::path zip = write_plain(s / "data.zip", std::string("PK\x03\x04", 4) + "rest");
  CHECK_THROWS_WITH(read_idx_images(zip), Catch::Contains("0x504b0304 (not an IDX file)"));
  // Floats, 3 dimensions: 0x00000d03.
  const fs::path floats = write_plain(s / "floats", idx(0x00000d03, {1, 1, 1}, {0, 0, 0, 0}));
  CHECK_THROWS_WITH(read_idx_images(floats), Catch::Contains("0x00000d03 (IDX floats, 3 dimensions)"));
}

TEST_CASE("idx: truncated data say how many bytes were expected and found", "[idx]") {
  Scratch s;
  // 2 × 2 × 3 = 12 bytes of pixels; keep 7 of them.
  const std::string cut = two_images().substr(0, 16 + 7);
  CHECK_THROWS_WITH(read_idx_images(write_plain(s / "cut", cut)),
                    Catch::Contains("truncated data: the sizes 2 × 2 × 3 call for 12 bytes after the header, found 7"));
  // The same cut inside a gzip stream that is itself whole: the IDX data are short after decompression.
  CHECK_THROWS_WITH(read_idx_images(write_gz(s / "cut.gz", cut)),
                    Catch::Contains("call for 12 bytes after the header, found 7 (after decompression)"));
  // A header cut after the second size: 4 + 2·4 = 12 of its 16 bytes.
  CHECK_THROWS_WITH(read_idx_images(write_plain(s / "header", two_images().substr(0, 12))),
                    Catch::Contains("truncated header: expected 16 bytes (magic number and 3 sizes), found 12"));
  CHECK_THROWS_WITH(read_idx_images(write_plain(s / "empty", "")),
                    Catch::Contains("truncated header: expected at least 4 bytes (the magic number), found 0"));
  // Bytes after the data are refused too: the header does not describe the file.
  CHECK_THROWS_WITH(read_idx_images(write_plain(s / "long", two_images() + "xyz")),
                    Catch::Contains("3 bytes after the data: the sizes 2 × 2 × 3 call for 12 bytes"));
}

TEST_CASE("idx: a corrupt or cut gzip stream is named as such", "[idx]") {
  Scratch s;
  // Enough pixels that the compressed stream has a body to damage.
  std::vector<std::uint8_t> pixels(64 * 28 * 28);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>((i * 7919) % 251);
  const std::string file = idx(idx_images_magic, {64, 28, 28}, pixels);
  const std::string gz = read_bytes(write_gz(s / "good.gz", file));
  REQUIRE(read_idx_images(s / "good.gz").count() == 64);

  std::string damaged = gz;
  for (std::size_t i = gz.size() / 2; i < gz.size() / 2 + 16; ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
  CHECK_THROWS_WITH(read_idx_images(write_plain(s / "damaged.gz", damaged)),
                    Catch::Contains("damaged.gz: corrupt gzip stream"));
  // Cut short: the stream ends before its end marker.
  CHECK_THROWS_WITH(read_idx_images(write_plain(s / "cut.gz", gz.substr(0, gz.size() / 2))),
                    Catch::Contains("cut.gz: corrupt gzip stream: unexpected end of file"));
}

TEST_CASE("idx: labels out of range and counts that differ are named", "[idx]") {
  Scratch s;
  const fs::path bad = write_plain(s / "labels", labels({3, 10, 11}));
  CHECK_THROWS_WITH(read_idx_labels(bad, 10),
                    Catch::Contains("label 1 (from 0) is 10, but there are 10 classes (labels 0 to 9)"));
  CHECK(read_idx_labels(bad, 12).size() == 3);

  const fs::path images = write_plain(s / "images", two_images());
  const fs::path three = write_plain(s / "three", labels({0, 1, 2}));
  CHECK_THROWS_WITH(load_idx_dataset(images, three, {"a", "b", "c"}, "x"),
                    Catch::Contains("three: 3 labels, but") && Catch::Contains("holds 2 images"));
}

TEST_CASE("idx: a header claiming too much is refused before anything is allocated", "[idx]") {
  Scratch s;
  // 4,000,000,000 images of 28 × 28 with no data behind them: refused at the header.
  const fs::path huge = write_plain(s / "huge", idx(idx_images_magic, {4000000000u, 28, 28}, {}));
  CHECK_THROWS_WITH(read_idx_images(huge), Catch::Contains("the header's sizes 4000000000 × … claim more than 134217728 values"));
  // The cap counts the product: 2 × 3 × 3 = 18 values pass a cap of 18 and fail one of 17.
  const fs::path small = write_plain(s / "small", idx(idx_images_magic, {2, 3, 3}, std::vector<std::uint8_t>(18, 7)));
  CHECK(read_idx_images(small, 18).count() == 2);
  CHECK_THROWS_WITH(read_idx_images(small, 17), Catch::Contains("sizes 2 × 3 × 3 claim more than 17 values"));
  // A size of 0 holds nothing: refused, not read as an empty data set.
  const fs::path zero = write_plain(s / "zero", idx(idx_images_magic, {2, 0, 3}, {}));
  CHECK_THROWS_WITH(read_idx_images(zero), Catch::Contains("the size of dimension 1 (from 0) is 0"));
}

TEST_CASE("idx: Fashion-MNIST from Debian's dataset-fashion-mnist, when it is installed", "[idx][fashion-mnist]") {
  const fs::path folder = fashion_mnist_debian_folder;
  if (!fs::exists(folder / "t10k-images-idx3-ubyte.gz")) {
    WARN("skipped: " << folder.string() << " has no Fashion-MNIST (apt-get install dataset-fashion-mnist)");
    return;
  }
  const Dataset test = load_fashion_mnist(folder, "test");
  CHECK(test.name == "fashion-mnist-test");
  CHECK(test.X.rows() == 10000);
  CHECK(test.X.cols() == 784);
  CHECK(test.classes() == 10);
  CHECK(test.class_names[0] == "T-shirt/top");
  CHECK(test.class_names[9] == "Ankle boot");
  // Fashion-MNIST is balanced: 1000 test images of each class (6000 of each in training).
  CHECK(test.class_counts() == std::vector<std::size_t>(10, 1000));
  double lo = 1, hi = 0;
  for (double p : test.X) {
    lo = std::min(lo, p);
    hi = std::max(hi, p);
  }
  CHECK(lo == 0.0);
  CHECK(hi == 1.0);
  const Dataset train = load_fashion_mnist(folder, "train");
  CHECK(train.size() == 60000);
  CHECK(train.class_counts() == std::vector<std::size_t>(10, 6000));
}
