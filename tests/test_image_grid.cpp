// Tests for glassbox/io/image_grid.hpp: base64 against RFC 4648's test vectors, the PNG's chunks read
// back byte by byte (zlib inflates the pixels again), and the SVG documents' shape and refusals.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <zlib.h>

#include "glassbox/io/image_grid.hpp"

using namespace glassbox;

namespace {

std::uint32_t u32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(s[at + i]);
  return v;
}

}  // namespace

TEST_CASE("base64: RFC 4648's test vectors", "[io]") {
  CHECK(svg::base64("") == "");
  CHECK(svg::base64("f") == "Zg==");
  CHECK(svg::base64("fo") == "Zm8=");
  CHECK(svg::base64("foo") == "Zm9v");
  CHECK(svg::base64("foob") == "Zm9vYg==");
  CHECK(svg::base64("fooba") == "Zm9vYmE=");
  CHECK(svg::base64("foobar") == "Zm9vYmFy");
  CHECK(svg::base64(std::string("\xff\xfe\x00", 3)) == "//4A");
}

TEST_CASE("encode_png: the signature and IHDR and the pixels behind filter bytes and IEND and each chunk's CRC", "[io]") {
  // 2×1 pixels: red, then (1, 2, 3).
  const std::vector<std::uint8_t> rgb{255, 0, 0, 1, 2, 3};
  const std::string png = svg::encode_png(rgb, 2, 1);
  REQUIRE(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  // IHDR: length 13, width 2, height 1, depth 8, colour type 2 (RGB), 0, 0, 0.
  CHECK(u32(png, 8) == 13);
  CHECK(png.substr(12, 4) == "IHDR");
  CHECK(u32(png, 16) == 2);
  CHECK(u32(png, 20) == 1);
  CHECK(png.substr(24, 5) == std::string("\x08\x02\x00\x00\x00", 5));
  const auto crc = [&](std::size_t type_at, std::size_t length) {
    return static_cast<std::uint32_t>(
        ::crc32(0L, reinterpret_cast<const Bytef*>(png.data() + type_at), static_cast<uInt>(4 + length)));
  };
  CHECK(u32(png, 29) == crc(12, 13));
  // IDAT: inflated, one row = filter byte 0 and the six bytes.
  const std::uint32_t idat_length = u32(png, 33);
  CHECK(png.substr(37, 4) == "IDAT");
  std::vector<Bytef> raw(7);
  uLongf raw_size = raw.size();
  REQUIRE(::uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(png.data() + 41), idat_length) == Z_OK);
  CHECK(raw_size == 7);
  CHECK(std::vector<Bytef>(raw.begin(), raw.end()) == std::vector<Bytef>{0, 255, 0, 0, 1, 2, 3});
  CHECK(u32(png, 41 + idat_length) == crc(37, idat_length));
  // IEND: empty; its CRC is the well-known AE 42 60 82.
  const std::size_t iend = 45 + idat_length;
  CHECK(u32(png, iend) == 0);
  CHECK(png.substr(iend + 4, 4) == "IEND");
  CHECK(u32(png, iend + 8) == 0xAE426082u);
  CHECK(png.size() == iend + 12);
  CHECK_THROWS_AS(svg::encode_png({1, 2, 3}, 2, 1), std::invalid_argument);
}

TEST_CASE("render_image_grid: one image element per picture with its caption and wrong sizes refused", "[io]") {
  std::vector<svg::Picture> pictures{{{0.0, 1.0, 0.5, 0.25}, 2, 2, {"first", "two lines"}},
                                     {{-1.0, 1.0, 0.0, 2.0}, 2, 2, {"second"}}};
  const std::string grey = svg::render_image_grid(pictures, {.title = "t", .columns = 1, .legend = ""});
  std::size_t images = 0;
  for (std::size_t at = grey.find("<image"); at != std::string::npos; at = grey.find("<image", at + 1)) ++images;
  CHECK(images == 2);
  CHECK(grey.find("data:image/png;base64,") != std::string::npos);
  CHECK(grey.find(">two lines</text>") != std::string::npos);
  CHECK(grey.find("colour") == std::string::npos);
  const std::string diverging = svg::render_image_grid(
      pictures, {.title = "w", .columns = 2, .map = svg::ColorMap::diverging, .limit = 2, .legend = "weight"});
  CHECK(diverging.find(">−2</text>") != std::string::npos);
  CHECK(diverging.find(">+2</text>") != std::string::npos);
  CHECK(diverging.find(">weight</text>") != std::string::npos);
  pictures[1].values.pop_back();
  CHECK_THROWS_AS(svg::render_image_grid(pictures, {.title = "", .legend = ""}), std::invalid_argument);
  CHECK_THROWS_AS(svg::render_image_grid({}, {.title = "", .legend = ""}), std::invalid_argument);
}

TEST_CASE("render_count_matrix: a cell per count and the names on both axes and not square refused", "[io]") {
  const std::string s = svg::render_count_matrix({{5, 1}, {0, 7}}, {"cat", "dog"}, "title", "true", "predicted");
  std::size_t rects = 0;
  for (std::size_t at = s.find("<rect"); at != std::string::npos; at = s.find("<rect", at + 1)) ++rects;
  CHECK(rects == 1 + 4);  // the background, four cells
  CHECK(s.find(">7</text>") != std::string::npos);
  CHECK(s.find(">dog</text>") != std::string::npos);
  CHECK_THROWS_AS(svg::render_count_matrix({{1, 2}}, {"a", "b"}, "", "", ""), std::invalid_argument);
  CHECK_THROWS_AS(svg::render_count_matrix({{1, 2}, {3}}, {"a", "b"}, "", "", ""), std::invalid_argument);
}
