// glassbox/io/svg.cpp — the SVG plot writer: data ranges, pixel mapping, ticks, and the elements.
#include "glassbox/io/svg.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "glassbox/core/text.hpp"
#include "glassbox/io/output_file.hpp"

namespace glassbox::svg {

namespace {

// Layout in pixels: the margins around the plot area.
constexpr double kTop = 40, kRight = 20, kBottom = 52, kLeftTicks = 60, kLeftLabel = 18;
constexpr double kLegendRow = 18, kCharWidth = 7;

// A pixel coordinate with two decimals; never "-0.00".
std::string px(double v) {
  if (std::fabs(v) < 0.005) v = 0;
  return fmt::format("{:.2f}", v);
}

void require_range(const char* what, double min, double max) {
  if (!std::isfinite(min) || !std::isfinite(max) || !(min < max))
    throw std::invalid_argument(fmt::format("svg: {}: min {} must be less than max {}, both finite", what, min, max));
}

struct Rgb {
  double r, g, b;
};

Rgb parse_hex(const std::string& color, const char* what) {
  const auto hex = [&](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    throw std::invalid_argument(fmt::format("svg: region {}: \"{}\" is not a colour #rrggbb", what, color));
  };
  if (color.size() != 7 || color[0] != '#')
    throw std::invalid_argument(fmt::format("svg: region {}: \"{}\" is not a colour #rrggbb", what, color));
  return {static_cast<double>(hex(color[1]) * 16 + hex(color[2])), static_cast<double>(hex(color[3]) * 16 + hex(color[4])),
          static_cast<double>(hex(color[5]) * 16 + hex(color[6]))};
}

std::string to_hex(Rgb c) {
  const auto byte = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 255.0))); };
  return fmt::format("#{:02x}{:02x}{:02x}", byte(c.r), byte(c.g), byte(c.b));
}

Rgb mix(Rgb a, Rgb b, double t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }

// The diverging scale: s = 0 → low, ½ → white, 1 → high.
std::string diverging(Rgb low, Rgb high, double s) {
  const Rgb white{255, 255, 255};
  return to_hex(s < 0.5 ? mix(low, white, s / 0.5) : mix(white, high, (s - 0.5) / 0.5));
}

// Extents of the finite values, widened by every call.
struct Extent {
  double min = INFINITY, max = -INFINITY;
  void add(double v) {
    if (!std::isfinite(v)) return;
    min = std::min(min, v);
    max = std::max(max, v);
  }
  Range padded() const {
    if (!(min <= max)) return {0, 1};
    if (min == max) {
      const double half = min == 0 ? 0.5 : std::fabs(min) * 0.1;
      return {min - half, max + half};
    }
    const double pad = (max - min) * 0.05;
    return {min - pad, max + pad};
  }
};

std::string marker_element(Marker marker, double x, double y, double r, const std::string& color) {
  switch (marker) {
    case Marker::circle:
      return fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" stroke=\"#000000\" stroke-width=\"0.6\"/>",
                         px(x), px(y), px(r), color);
    case Marker::square:
      return fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#000000\" stroke-width=\"0.6\"/>",
          px(x - r), px(y - r), px(2 * r), px(2 * r), color);
    case Marker::cross:
      return fmt::format("<path d=\"M{} {}L{} {}M{} {}L{} {}\" stroke=\"{}\" stroke-width=\"2\" fill=\"none\"/>",
                         px(x - r), px(y - r), px(x + r), px(y + r), px(x - r), px(y + r), px(x + r), px(y - r), color);
  }
  return "";
}

}  // namespace

const std::vector<std::string>& palette() {
  static const std::vector<std::string> colors{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return colors;
}

std::vector<double> nice_ticks(double min, double max, int target) {
  require_range("ticks", min, max);
  if (target < 2) target = 2;
  const double rough = (max - min) / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  // The step nearest to the rough one, on a log scale: 1, 2, 5 or 10 times the magnitude.
  const double normalized = rough / magnitude;
  const double step = magnitude * (normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10);
  std::vector<double> ticks;
  // Integer multiples of the step, so a tick at 0 is exactly 0.
  const auto first = static_cast<long long>(std::ceil(min / step - 1e-9));
  const auto last = static_cast<long long>(std::floor(max / step + 1e-9));
  for (long long k = first; k <= last; ++k) ticks.push_back(static_cast<double>(k) * step);
  return ticks;
}

std::string tick_label(double value, double step) {
  const int decimals = step > 0 ? std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9))) : 0;
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find_first_not_of("-0.") == std::string::npos && text.front() == '-') text.erase(0, 1);  // "-0" → "0"
  return text;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// ---- building the plot --------------------------------------------------------------------------

Plot::Plot(std::string title) : title_(std::move(title)) {}

Plot& Plot::title(std::string text) {
  title_ = std::move(text);
  return *this;
}
Plot& Plot::x_label(std::string text) {
  x_label_ = std::move(text);
  return *this;
}
Plot& Plot::y_label(std::string text) {
  y_label_ = std::move(text);
  return *this;
}
Plot& Plot::x_range(double min, double max) {
  require_range("x_range", min, max);
  x_range_ = Range{min, max};
  return *this;
}
Plot& Plot::y_range(double min, double max) {
  require_range("y_range", min, max);
  y_range_ = Range{min, max};
  return *this;
}
Plot& Plot::size(int width, int height) {
  if (width < 160 || height < 120)
    throw std::invalid_argument(fmt::format("svg: size {}×{}: at least 160×120 pixels", width, height));
  width_ = width;
  height_ = height;
  return *this;
}

Plot& Plot::legend(Corner corner) {
  legend_ = corner;
  return *this;
}

Plot& Plot::line(std::string name, std::vector<double> x, std::vector<double> y, LineStyle style) {
  if (x.size() != y.size())
    throw ShapeError(fmt::format("svg: line \"{}\": {} x values but {} y values", name, x.size(), y.size()));
  if (style.color.empty()) style.color = palette()[colors_used_++ % palette().size()];
  lines_.push_back({std::move(name), std::move(x), std::move(y), std::move(style)});
  return *this;
}

Plot& Plot::points(std::string name, std::vector<double> x, std::vector<double> y, PointStyle style) {
  if (x.size() != y.size())
    throw ShapeError(fmt::format("svg: points \"{}\": {} x values but {} y values", name, x.size(), y.size()));
  if (style.color.empty()) style.color = palette()[colors_used_++ % palette().size()];
  points_.push_back({std::move(name), std::move(x), std::move(y), std::move(style)});
  return *this;
}

Plot& Plot::region(Range x, Range y, Matrix values, RegionStyle style) {
  require_range("region x", x.min, x.max);
  require_range("region y", y.min, y.max);
  require_range("region values", style.low, style.high);
  if (values.empty()) throw ShapeError("svg: region: the values matrix is empty");
  if (style.levels < 2) throw std::invalid_argument(fmt::format("svg: region: {} levels; at least 2", style.levels));
  parse_hex(style.low_color, "low_color");
  parse_hex(style.high_color, "high_color");
  region_ = Region{x, y, std::move(values), std::move(style)};
  return *this;
}

// ---- drawing ------------------------------------------------------------------------------------

std::string Plot::render() const {
  // The axes' ranges.
  Extent ex, ey;
  for (const Line& l : lines_) {
    for (double v : l.x) ex.add(v);
    for (double v : l.y) ey.add(v);
  }
  for (const Points& p : points_)
    for (std::size_t k = 0; k < p.x.size(); ++k)
      if (std::isfinite(p.x[k]) && std::isfinite(p.y[k])) {
        ex.add(p.x[k]);
        ey.add(p.y[k]);
      }
  Range xr = ex.padded(), yr = ey.padded();
  if (region_) {
    // The region fills the plot area edge to edge, unless data lies beyond it.
    const Range data_x = ex.padded(), data_y = ey.padded();
    xr = region_->x;
    yr = region_->y;
    if (ex.min < xr.min || ex.max > xr.max) xr = {std::min(xr.min, data_x.min), std::max(xr.max, data_x.max)};
    if (ey.min < yr.min || ey.max > yr.max) yr = {std::min(yr.min, data_y.min), std::max(yr.max, data_y.max)};
  }
  if (x_range_) xr = *x_range_;
  if (y_range_) yr = *y_range_;

  // The plot area in pixels, and the mapping into it.
  const double W = width_, H = height_;
  const double left = kLeftTicks + (y_label_.empty() ? 0 : kLeftLabel);
  const double pw = W - left - kRight, ph = H - kTop - kBottom;
  const auto X = [&](double x) { return left + (x - xr.min) / (xr.max - xr.min) * pw; };
  const auto Y = [&](double y) { return kTop + ph - (y - yr.min) / (yr.max - yr.min) * ph; };

  std::string s;
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n",
      width_, height_);
  s += fmt::format("<title>{}</title>\n", xml_escape(title_));
  s += fmt::format("<rect class=\"background\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n",
                   width_, height_);
  s += fmt::format(
      "<defs><clipPath id=\"plot-area\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>\n",
      px(left), px(kTop), px(pw), px(ph));

  // The region: cells of equal colour merged along each row, then the contour.
  if (region_) {
    const Region& g = *region_;
    const Rgb low = parse_hex(g.style.low_color, "low_color"), high = parse_hex(g.style.high_color, "high_color");
    const std::size_t rows = g.values.rows(), cols = g.values.cols();
    const double dx = (g.x.max - g.x.min) / static_cast<double>(cols), dy = (g.y.max - g.y.min) / static_cast<double>(rows);
    const int top_level = g.style.levels - 1;
    const auto level_of = [&](double v) {
      if (!std::isfinite(v)) return -1;
      const double t = std::clamp((v - g.style.low) / (g.style.high - g.style.low), 0.0, 1.0);
      return static_cast<int>(std::lround(t * top_level));
    };
    s += fmt::format("<g class=\"region\" clip-path=\"url(#plot-area)\" fill-opacity=\"{}\" shape-rendering=\"crispEdges\">\n",
                     g.style.opacity);
    for (std::size_t r = 0; r < rows; ++r) {
      const double y_top = g.y.max - static_cast<double>(r) * dy;
      for (std::size_t c = 0; c < cols;) {
        const int q = level_of(g.values(r, c));
        std::size_t end = c + 1;
        while (end < cols && level_of(g.values(r, end)) == q) ++end;
        if (q >= 0) {
          const double x0 = X(g.x.min + static_cast<double>(c) * dx), x1 = X(g.x.min + static_cast<double>(end) * dx);
          const double y0 = Y(y_top), y1 = Y(y_top - dy);
          s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n", px(x0), px(y0),
                           px(x1 - x0), px(y1 - y0), diverging(low, high, static_cast<double>(q) / top_level));
        }
        c = end;
      }
    }
    s += "</g>\n";

    if (g.style.contour && rows >= 2 && cols >= 2) {
      // Marching squares over the cell centres: each square of four neighbouring centres whose
      // corners lie on both sides of the level gets the segment(s) joining the crossings of its
      // edges, placed by linear interpolation.
      const double level = *g.style.contour;
      const auto cx = [&](double c) { return X(g.x.min + (c + 0.5) * dx); };
      const auto cy = [&](double r) { return Y(g.y.max - (r + 0.5) * dy); };
      std::string d;
      for (std::size_t r = 0; r + 1 < rows; ++r)
        for (std::size_t c = 0; c + 1 < cols; ++c) {
          // corners clockwise from the top left: (r, c), (r, c+1), (r+1, c+1), (r+1, c)
          const std::array<double, 4> v{g.values(r, c), g.values(r, c + 1), g.values(r + 1, c + 1), g.values(r + 1, c)};
          if (!std::all_of(v.begin(), v.end(), [](double t) { return std::isfinite(t); })) continue;
          const std::array<double, 4> vr{static_cast<double>(r), static_cast<double>(r), static_cast<double>(r + 1),
                                         static_cast<double>(r + 1)};
          const std::array<double, 4> vc{static_cast<double>(c), static_cast<double>(c + 1), static_cast<double>(c + 1),
                                         static_cast<double>(c)};
          // crossing on edge e (from corner e to corner e+1): top, right, bottom, left
          std::array<std::optional<std::pair<double, double>>, 4> cross;
          int crossings = 0;
          for (int e = 0; e < 4; ++e) {
            const int a = e, b = (e + 1) % 4;
            if ((v[a] >= level) == (v[b] >= level)) continue;
            const double t = (level - v[a]) / (v[b] - v[a]);
            cross[e] = {cx(vc[a] + (vc[b] - vc[a]) * t), cy(vr[a] + (vr[b] - vr[a]) * t)};
            ++crossings;
          }
          const auto segment = [&](int e1, int e2) {
            d += fmt::format("M{} {}L{} {}", px(cross[e1]->first), px(cross[e1]->second), px(cross[e2]->first),
                             px(cross[e2]->second));
          };
          if (crossings == 2) {
            int found[2], n = 0;
            for (int e = 0; e < 4; ++e)
              if (cross[e]) found[n++] = e;
            segment(found[0], found[1]);
          } else if (crossings == 4) {
            // A saddle: the mean of the corners decides which diagonal pair is joined.
            const double mean = (v[0] + v[1] + v[2] + v[3]) / 4;
            if ((v[0] >= level) == (mean >= level)) {
              segment(0, 1);  // top–right cuts off the top-right corner
              segment(2, 3);  // bottom–left cuts off the bottom-left corner
            } else {
              segment(3, 0);
              segment(1, 2);
            }
          }
        }
      if (!d.empty())
        s += fmt::format(
            "<path class=\"contour\" clip-path=\"url(#plot-area)\" d=\"{}\" fill=\"none\" stroke=\"#000000\" "
            "stroke-width=\"1.5\"><title>{}</title></path>\n",
            d, xml_escape(fmt::format("{} = {}", g.style.label.empty() ? "value" : g.style.label, level)));
    }
  }

  // Grid lines, ticks and their labels.
  const auto xt = nice_ticks(xr.min, xr.max, std::max(2, static_cast<int>(pw / 90)));
  const auto yt = nice_ticks(yr.min, yr.max, std::max(2, static_cast<int>(ph / 60)));
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : xr.max - xr.min;
  const double ystep = yt.size() > 1 ? yt[1] - yt[0] : yr.max - yr.min;
  s += "<g class=\"grid\" stroke=\"#d9d9d9\" stroke-width=\"1\">\n";
  for (double t : xt) s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", px(X(t)), px(kTop), px(kTop + ph));
  for (double t : yt) s += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\"/>\n", px(Y(t)), px(left), px(left + pw));
  s += "</g>\n";

  // Lines, clipped to the plot area; a non-finite value ends one piece and the next finite one
  // starts another.
  for (const Line& l : lines_) {
    std::string d;
    bool pen_down = false;
    for (std::size_t k = 0; k < l.x.size(); ++k) {
      if (!std::isfinite(l.x[k]) || !std::isfinite(l.y[k])) {
        pen_down = false;
        continue;
      }
      d += fmt::format("{}{} {}", pen_down ? "L" : "M", px(X(l.x[k])), px(Y(l.y[k])));
      pen_down = true;
    }
    s += fmt::format("<path class=\"line\" clip-path=\"url(#plot-area)\" d=\"{}\" fill=\"none\" stroke=\"{}\" "
                     "stroke-width=\"{}\" stroke-linejoin=\"round\"{}><title>{}</title></path>\n",
                     d, xml_escape(l.style.color), l.style.width, l.style.dashed ? " stroke-dasharray=\"6 4\"" : "",
                     xml_escape(l.name));
  }
  // Points.
  for (const Points& p : points_) {
    s += fmt::format("<g class=\"points\" clip-path=\"url(#plot-area)\"><title>{}</title>\n", xml_escape(p.name));
    for (std::size_t k = 0; k < p.x.size(); ++k)
      if (std::isfinite(p.x[k]) && std::isfinite(p.y[k]))
        s += marker_element(p.style.marker, X(p.x[k]), Y(p.y[k]), p.style.radius, xml_escape(p.style.color)) + "\n";
    s += "</g>\n";
  }

  // The frame, the tick labels and the axis labels.
  s += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#000000\"/>\n",
                   px(left), px(kTop), px(pw), px(ph));
  s += "<g class=\"ticks\" fill=\"#000000\">\n";
  for (double t : xt)
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#000000\"/><text x=\"{0}\" y=\"{3}\" "
                     "text-anchor=\"middle\">{4}</text>\n",
                     px(X(t)), px(kTop + ph), px(kTop + ph + 5), px(kTop + ph + 18), tick_label(t, xstep));
  for (double t : yt)
    s += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\" stroke=\"#000000\"/><text x=\"{3}\" y=\"{4}\" "
                     "text-anchor=\"end\">{5}</text>\n",
                     px(Y(t)), px(left - 5), px(left), px(left - 8), px(Y(t) + 4), tick_label(t, ystep));
  s += "</g>\n";
  if (!x_label_.empty())
    s += fmt::format("<text class=\"x-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\">{}</text>\n",
                     px(left + pw / 2), px(H - 12), xml_escape(x_label_));
  if (!y_label_.empty())
    s += fmt::format("<text class=\"y-label\" x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" font-size=\"13\" "
                     "transform=\"rotate(-90 {0} {1})\">{2}</text>\n",
                     px(16), px(kTop + ph / 2), xml_escape(y_label_));
  if (!title_.empty()) {
    // 15 px bold, smaller for a title that would not fit (about 0.62 em per character).
    const double fits = (W - 20) / (0.62 * static_cast<double>(std::max<std::size_t>(1, display_width(title_))));
    s += fmt::format("<text class=\"title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" "
                     "font-weight=\"bold\">{}</text>\n",
                     px(W / 2), px(24), px(std::min(15.0, fits)), xml_escape(title_));
  }

  // The legend, in a corner of the plot area: the region, then lines, then points.
  struct Entry {
    std::string name;
    int kind;  // 0 region, 1 line, 2 points
    std::size_t index;
  };
  std::vector<Entry> entries;
  if (region_ && !region_->style.label.empty()) entries.push_back({region_->style.label, 0, 0});
  for (std::size_t i = 0; i < lines_.size(); ++i)
    if (!lines_[i].name.empty()) entries.push_back({lines_[i].name, 1, i});
  for (std::size_t i = 0; i < points_.size(); ++i)
    if (!points_[i].name.empty()) entries.push_back({points_[i].name, 2, i});
  if (!entries.empty()) {
    std::size_t widest = 0;
    for (const Entry& e : entries) widest = std::max(widest, display_width(e.name));
    const double box_w = 40 + kCharWidth * static_cast<double>(widest), box_h = 8 + kLegendRow * static_cast<double>(entries.size());
    const bool right = legend_ == Corner::top_right || legend_ == Corner::bottom_right;
    const bool top = legend_ == Corner::top_right || legend_ == Corner::top_left;
    const double bx = right ? left + pw - box_w - 8 : left + 8, by = top ? kTop + 8 : kTop + ph - box_h - 8;
    s += fmt::format("<g class=\"legend\">\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" "
                     "fill-opacity=\"0.85\" stroke=\"#999999\"/>\n",
                     px(bx), px(by), px(box_w), px(box_h));
    for (std::size_t k = 0; k < entries.size(); ++k) {
      const Entry& e = entries[k];
      const double ry = by + 4 + kLegendRow * (static_cast<double>(k) + 0.5);
      if (e.kind == 0) {
        const Region& g = *region_;
        const Rgb low = parse_hex(g.style.low_color, "low_color"), high = parse_hex(g.style.high_color, "high_color");
        s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\"/>"
                         "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\"/>\n",
                         px(bx + 6), px(ry - 5), diverging(low, high, 0), g.style.opacity, px(bx + 18), px(ry - 5),
                         diverging(low, high, 1), g.style.opacity);
      } else if (e.kind == 1) {
        const LineStyle& st = lines_[e.index].style;
        s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n",
                         px(bx + 6), px(ry), px(bx + 30), px(ry), xml_escape(st.color), st.width,
                         st.dashed ? " stroke-dasharray=\"6 4\"" : "");
      } else {
        const PointStyle& st = points_[e.index].style;
        s += marker_element(st.marker, bx + 18, ry, st.radius, xml_escape(st.color)) + "\n";
      }
      s += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", px(bx + 36), px(ry + 4), xml_escape(e.name));
    }
    s += "</g>\n";
  }
  s += "</svg>\n";
  return s;
}

void Plot::save(const std::filesystem::path& path) const {
  const std::string text = render();
  if (path.empty()) throw OutputError("svg: no path given");
  OutputFile file(path, "svg");  // a unique partial file beside path, or a device written directly
  if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size()) {
    const int error = errno;
    file.abandon();
    throw OutputError(fmt::format("svg: writing {} failed: {}", path.string(), std::generic_category().message(error)));
  }
  file.commit();  // renamed to path in one step
}

}  // namespace glassbox::svg
