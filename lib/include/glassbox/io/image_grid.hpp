// glassbox/io/image_grid.hpp — small images (Fashion-MNIST's 28×28 grey levels, a unit's 784 weights)
// drawn side by side in one SVG file, each with a caption; and a matrix of counts with named rows
// and columns (a confusion matrix) drawn as shaded cells.
//
//   std::vector<svg::Picture> pictures{{pixels_of_image_0, 28, 28, {"Ankle boot"}}, …};
//   svg::save_image_grid("traces/ch12_fashion_mnist.samples.svg", pictures, {.title = "…", .columns = 8});
//
// Each picture is a PNG embedded in the SVG (base64 in an <image> element's href), each pixel
// repeated `scale` × `scale` times so that a viewer that smooths images still shows sharp pixels;
// a 28×28 picture is a few hundred bytes where 784 <rect>s would be tens of kilobytes. The PNG is
// written here (8-bit RGB, no interlacing; its pixels deflated by zlib, checked by CRC-32), so the
// bytes are the same for the same pictures on any machine.
//
// Colour maps: grey (0 → white, 1 → black: ink on paper, for pixels in [0, 1]) and diverging
// (−limit → red, 0 → white, +limit → blue, values beyond ±limit take the end colours: the viewer's
// colours for negative and positive weights), which adds a colour bar with its values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace glassbox::svg {

struct Picture {
  std::vector<double> values;        // rows·cols values, row by row
  std::size_t rows = 0, cols = 0;
  std::vector<std::string> caption;  // lines under the picture (none, one or two are usual)
};

enum class ColorMap { grey, diverging };

struct ImageGridOptions {
  std::string title;
  std::size_t columns = 8;           // pictures per row
  int scale = 3;                     // each pixel drawn as scale × scale pixels
  ColorMap map = ColorMap::grey;
  double limit = 1;                  // diverging: the value drawn full red (−limit) and full blue (+limit)
  std::string legend;                // diverging: the colour bar's caption
};

// The SVG document. std::invalid_argument for a picture whose values are not rows·cols, for no
// pictures, for columns or scale 0, or a limit ≤ 0.
std::string render_image_grid(const std::vector<Picture>& pictures, const ImageGridOptions& options);
// render_image_grid() written atomically (save_svg, svg.hpp).
void save_image_grid(const std::filesystem::path& path, const std::vector<Picture>& pictures,
                     const ImageGridOptions& options);

// A K×K table of counts drawn as cells shaded by count (white for 0, dark blue for the largest),
// each with its count, rows and columns named: a confusion matrix with rows = true class, columns =
// predicted class. std::invalid_argument when the counts are not names.size() square.
std::string render_count_matrix(const std::vector<std::vector<std::size_t>>& counts,
                                const std::vector<std::string>& names, const std::string& title,
                                const std::string& row_label, const std::string& column_label);
void save_count_matrix(const std::filesystem::path& path, const std::vector<std::vector<std::size_t>>& counts,
                       const std::vector<std::string>& names, const std::string& title,
                       const std::string& row_label, const std::string& column_label);

// The pieces, for tests: a PNG file's bytes for width × height pixels given as RGB triples, row by
// row (rgb.size() = 3·width·height), and base64 (RFC 4648, with padding).
std::string encode_png(const std::vector<std::uint8_t>& rgb, std::size_t width, std::size_t height);
std::string base64(std::string_view bytes);

}  // namespace glassbox::svg
