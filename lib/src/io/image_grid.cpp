// lib/src/io/image_grid.cpp — pictures as embedded PNGs in an SVG grid; a matrix of counts as cells.
#include "glassbox/io/image_grid.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <zlib.h>

#include "glassbox/io/svg.hpp"

namespace glassbox::svg {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

// A chunk: length, type, data, and the CRC-32 of type and data.
void put_chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  out += body;
  const auto crc = ::crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  put_u32(out, static_cast<std::uint32_t>(crc));
}

struct Rgb {
  std::uint8_t r, g, b;
};

std::uint8_t channel(double x) { return static_cast<std::uint8_t>(std::lround(std::clamp(x, 0.0, 255.0))); }

// grey: 0 → white, 1 → black. diverging: −limit → red (#d62728), 0 → white, +limit → blue (#1f77b4).
Rgb colour(double v, ColorMap map, double limit) {
  if (map == ColorMap::grey) {
    const std::uint8_t level = channel(255.0 * (1.0 - std::clamp(v, 0.0, 1.0)));
    return {level, level, level};
  }
  if (!std::isfinite(v)) return {0, 0, 0};
  const double t = std::clamp(v / limit, -1.0, 1.0);
  const double end[3] = {t < 0 ? 214.0 : 31.0, t < 0 ? 39.0 : 119.0, t < 0 ? 40.0 : 180.0};  // #d62728, #1f77b4
  const double s = std::abs(t);
  return {channel(255 + s * (end[0] - 255)), channel(255 + s * (end[1] - 255)), channel(255 + s * (end[2] - 255))};
}

std::string hex(Rgb c) { return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b); }

// One picture as a PNG's base64, each pixel repeated scale × scale times.
std::string picture_png(const Picture& p, const ImageGridOptions& o) {
  const std::size_t s = static_cast<std::size_t>(o.scale), w = p.cols * s, h = p.rows * s;
  std::vector<std::uint8_t> rgb(3 * w * h);
  for (std::size_t y = 0; y < h; ++y)
    for (std::size_t x = 0; x < w; ++x) {
      const Rgb c = colour(p.values[(y / s) * p.cols + x / s], o.map, o.limit);
      std::uint8_t* px = &rgb[3 * (y * w + x)];
      px[0] = c.r;
      px[1] = c.g;
      px[2] = c.b;
    }
  return base64(encode_png(rgb, w, h));
}

std::string header(double width, double height) {
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                     "width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\">\n"
                     "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
                     width, height);
}

}  // namespace

std::string base64(std::string_view bytes) {
  static constexpr char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k)
      v = (v << 8) | (k < n ? static_cast<std::uint8_t>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? digits[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

std::string encode_png(const std::vector<std::uint8_t>& rgb, std::size_t width, std::size_t height) {
  if (width == 0 || height == 0 || rgb.size() != 3 * width * height)
    throw std::invalid_argument(fmt::format("encode_png: {} bytes for {}×{} RGB pixels (expected {})", rgb.size(),
                                            width, height, 3 * width * height));
  // Each row: filter type 0 (none), then its pixels.
  std::string raw;
  raw.reserve(height * (1 + 3 * width));
  for (std::size_t y = 0; y < height; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(&rgb[3 * width * y]), 3 * width);
  }
  uLongf size = ::compressBound(static_cast<uLong>(raw.size()));
  std::string deflated(size, '\0');
  if (::compress2(reinterpret_cast<Bytef*>(deflated.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
                  static_cast<uLong>(raw.size()), 9) != Z_OK)
    throw std::runtime_error("encode_png: zlib could not compress the pixels");
  deflated.resize(size);
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_u32(ihdr, static_cast<std::uint32_t>(width));
  put_u32(ihdr, static_cast<std::uint32_t>(height));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8 bits per channel, RGB, deflate, filter 0, no interlace
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", deflated);
  put_chunk(png, "IEND", "");
  return png;
}

std::string render_image_grid(const std::vector<Picture>& pictures, const ImageGridOptions& o) {
  if (pictures.empty()) throw std::invalid_argument("image grid: no pictures");
  if (o.columns == 0 || o.scale <= 0 || !(o.limit > 0))
    throw std::invalid_argument("image grid: columns and scale must be ≥ 1 and the limit > 0");
  std::size_t max_w = 0, max_h = 0, lines = 0;
  for (std::size_t i = 0; i < pictures.size(); ++i) {
    const Picture& p = pictures[i];
    if (p.rows == 0 || p.cols == 0 || p.values.size() != p.rows * p.cols)
      throw std::invalid_argument(fmt::format("image grid: picture {} has {} values for {}×{} pixels", i,
                                              p.values.size(), p.rows, p.cols));
    max_w = std::max(max_w, p.cols);
    max_h = std::max(max_h, p.rows);
    lines = std::max(lines, p.caption.size());
  }
  const double line_height = 13, pad = 10, title_height = o.title.empty() ? 0 : 28;
  const double tile_w = static_cast<double>(max_w) * o.scale, tile_h = static_cast<double>(max_h) * o.scale;
  const double cell_w = std::max(tile_w, 118.0) + pad, cell_h = tile_h + static_cast<double>(lines) * line_height + pad;
  const std::size_t columns = std::min(o.columns, pictures.size());
  const std::size_t rows = (pictures.size() + columns - 1) / columns;
  const double bar_height = o.map == ColorMap::diverging ? 52 : 0;
  const double width = pad + static_cast<double>(columns) * cell_w;
  const double height = title_height + pad + static_cast<double>(rows) * cell_h + bar_height;
  std::string s = header(width, height);
  if (!o.title.empty())
    s += fmt::format("<text x=\"{}\" y=\"20\" font-size=\"15\" text-anchor=\"middle\">{}</text>\n", width / 2,
                     xml_escape(o.title));
  for (std::size_t i = 0; i < pictures.size(); ++i) {
    const Picture& p = pictures[i];
    const double x0 = pad + static_cast<double>(i % columns) * cell_w, y0 = title_height + pad + static_cast<double>(i / columns) * cell_h;
    const double w = static_cast<double>(p.cols) * o.scale, h = static_cast<double>(p.rows) * o.scale;
    const double x = x0 + (cell_w - pad - w) / 2;
    s += fmt::format("<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" style=\"image-rendering:pixelated\" "
                     "href=\"data:image/png;base64,{}\"/>\n",
                     x, y0, w, h, picture_png(p, o));
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999999\" "
                     "stroke-width=\"0.5\"/>\n",
                     x, y0, w, h);
    for (std::size_t l = 0; l < p.caption.size(); ++l)
      s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
                       x0 + (cell_w - pad) / 2, y0 + h + line_height * static_cast<double>(l + 1) - 2,
                       xml_escape(p.caption[l]));
  }
  if (o.map == ColorMap::diverging) {
    // The colour bar: 41 steps from −limit to +limit, its ends and middle labelled.
    const double bar_w = std::min(300.0, width - 2 * pad), bx = (width - bar_w) / 2, by = height - bar_height + 6;
    const int steps = 41;
    for (int k = 0; k < steps; ++k) {
      const double v = o.limit * (2.0 * k / (steps - 1) - 1.0);
      s += fmt::format("<rect x=\"{:.2f}\" y=\"{}\" width=\"{:.2f}\" height=\"12\" fill=\"{}\"/>\n",
                       bx + bar_w * k / steps, by, bar_w / steps + 0.3, hex(colour(v, o.map, o.limit)));
    }
    const auto label = [&](double x, const std::string& text, const char* anchor) {
      s += fmt::format("<text x=\"{:.2f}\" y=\"{}\" font-size=\"11\" text-anchor=\"{}\">{}</text>\n", x, by + 25, anchor,
                       xml_escape(text));
    };
    label(bx, fmt::format("−{:g}", o.limit), "start");
    label(bx + bar_w / 2, "0", "middle");
    label(bx + bar_w, fmt::format("+{:g}", o.limit), "end");
    if (!o.legend.empty())
      s += fmt::format("<text x=\"{:.2f}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n", width / 2,
                       by + 40, xml_escape(o.legend));
  }
  s += "</svg>\n";
  return s;
}

void save_image_grid(const std::filesystem::path& path, const std::vector<Picture>& pictures,
                     const ImageGridOptions& options) {
  save_svg(path, render_image_grid(pictures, options));
}

std::string render_count_matrix(const std::vector<std::vector<std::size_t>>& counts,
                                const std::vector<std::string>& names, const std::string& title,
                                const std::string& row_label, const std::string& column_label) {
  const std::size_t K = names.size();
  if (K == 0 || counts.size() != K)
    throw std::invalid_argument(fmt::format("count matrix: {} rows for {} names", counts.size(), K));
  std::size_t largest = 0;
  for (const auto& row : counts) {
    if (row.size() != K)
      throw std::invalid_argument(fmt::format("count matrix: a row of {} counts for {} names", row.size(), K));
    for (std::size_t c : row) largest = std::max(largest, c);
  }
  const double cell = 46, left = 130, top = 110, pad = 20;
  const double width = left + cell * static_cast<double>(K) + pad, height = top + cell * static_cast<double>(K) + 40;
  std::string s = header(width, height);
  s += fmt::format("<text x=\"{}\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">{}</text>\n", width / 2,
                   xml_escape(title));
  s += fmt::format("<text x=\"{}\" y=\"44\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n",
                   left + cell * static_cast<double>(K) / 2, xml_escape(column_label));
  s += fmt::format("<text x=\"14\" y=\"{0}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {0})\">{1}</text>\n",
                   top + cell * static_cast<double>(K) / 2, xml_escape(row_label));
  for (std::size_t k = 0; k < K; ++k) {
    const double centre = static_cast<double>(k) * cell + cell / 2;
    s += fmt::format("<text x=\"{0}\" y=\"{1}\" font-size=\"11\" text-anchor=\"start\" transform=\"rotate(-45 {0} {1})\">{2}</text>\n",
                     left + centre - 4, top - 6, xml_escape(names[k]));
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n", left - 6,
                     top + centre + 4, xml_escape(names[k]));
  }
  for (std::size_t r = 0; r < K; ++r)
    for (std::size_t c = 0; c < K; ++c) {
      const double share = largest == 0 ? 0 : std::sqrt(static_cast<double>(counts[r][c]) / static_cast<double>(largest));
      // white → #08306b, by the square root of the count's share of the largest, so that small counts show
      const Rgb fill{channel(255 + share * (0x08 - 255)), channel(255 + share * (0x30 - 255)),
                     channel(255 + share * (0x6b - 255))};
      const double x = left + static_cast<double>(c) * cell, y = top + static_cast<double>(r) * cell;
      s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>\n",
                       x, y, cell, cell, hex(fill), r == c ? "#2ca02c" : "#dddddd", r == c ? 2 : 1);
      s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{}\">{}</text>\n",
                       x + cell / 2, y + cell / 2 + 4, share > 0.6 ? "white" : "black", counts[r][c]);
    }
  s += "</svg>\n";
  return s;
}

void save_count_matrix(const std::filesystem::path& path, const std::vector<std::vector<std::size_t>>& counts,
                       const std::vector<std::string>& names, const std::string& title,
                       const std::string& row_label, const std::string& column_label) {
  save_svg(path, render_count_matrix(counts, names, title, row_label, column_label));
}

}  // namespace glassbox::svg
