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

// A marker centred at (x, y) pixels; an open one is white inside with a line of its colour.
std::string marker_element(const PointStyle& style, double x, double y) {
  const double r = style.radius;
  const std::string color = xml_escape(style.color);
  const std::string paint = style.open ? fmt::format("fill=\"#ffffff\" stroke=\"{}\" stroke-width=\"1.8\"", color)
                                       : fmt::format("fill=\"{}\" stroke=\"#000000\" stroke-width=\"0.6\"", color);
  switch (style.marker) {
    case Marker::circle:
      return fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {}/>", px(x), px(y), px(r), paint);
    case Marker::square:
      return fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {}/>", px(x - r), px(y - r), px(2 * r),
                         px(2 * r), paint);
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

Plot& Plot::x_log(bool on) {
  x_log_ = on;
  return *this;
}
Plot& Plot::x_whole(bool on) {
  x_whole_ = on;
  return *this;
}
Plot& Plot::y_log(bool on) {
  y_log_ = on;
  return *this;
}

// ---- drawing ------------------------------------------------------------------------------------

namespace {

// A value on an axis: itself, or its base-10 logarithm on a logarithmic axis (NaN for v ≤ 0, which
// such an axis cannot show).
double on_axis(double v, bool log) {
  if (!log) return v;
  return v > 0 ? std::log10(v) : std::nan("");
}

// 10 to an integer power as "10⁻⁶", "10⁰", "10³".
std::string power_of_ten(long long k) {
  static const char* const digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string exponent;
  for (const char c : std::to_string(k < 0 ? -k : k)) exponent += digits[c - '0'];
  return "10" + std::string(k < 0 ? "⁻" : "") + exponent;
}

struct Tick {
  double at;  // on the axis (a logarithm on a log axis)
  std::string label;
};

// Ticks over [min, max] (on the axis): nice multiples on a linear axis; on a log axis, powers of ten
// (every one, or every 2nd, 3rd, … when there are many), or 1-2-5 steps within less than two decades.
std::vector<Tick> axis_ticks(double min, double max, bool log, int target, bool whole = false) {
  std::vector<Tick> ticks;
  if (!log) {
    auto at = nice_ticks(min, max, target);
    double step = at.size() > 1 ? at[1] - at[0] : max - min;
    if (whole && step < 1) {
      // Whole numbers only (epochs, layers): every one in the range.
      at.clear();
      for (double k = std::ceil(min); k <= max; ++k) at.push_back(k);
      step = 1;
    }
    for (double t : at) ticks.push_back({t, tick_label(t, step)});
    return ticks;
  }
  const auto first = static_cast<long long>(std::ceil(min - 1e-9)), last = static_cast<long long>(std::floor(max + 1e-9));
  if (last - first >= 1) {
    const long long every = std::max<long long>(1, (last - first + target - 1) / target);
    for (long long k = first; k <= last; ++k)
      if (k % every == 0) ticks.push_back({static_cast<double>(k), power_of_ten(k)});
    return ticks;
  }
  // Less than two powers of ten inside: nice steps of the values themselves.
  const double lo = std::pow(10.0, min), hi = std::pow(10.0, max);
  const auto at = nice_ticks(lo, hi, target);
  const double step = at.size() > 1 ? at[1] - at[0] : hi - lo;
  for (double t : at)
    if (t > 0) ticks.push_back({std::log10(t), tick_label(t, step)});
  return ticks;
}

// Whether the segment p–q passes through the rectangle [x0, x1] × [y0, y1] (Liang–Barsky clipping).
bool segment_hits(double px, double py, double qx, double qy, double x0, double y0, double x1, double y1) {
  double t0 = 0, t1 = 1;
  const double dx = qx - px, dy = qy - py;
  const double p[4] = {-dx, dx, -dy, dy}, q[4] = {px - x0, x1 - px, py - y0, y1 - py};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0) {
      t0 = std::max(t0, t);
    } else {
      t1 = std::min(t1, t);
    }
    if (t0 > t1) return false;
  }
  return true;
}

// Layout in pixels of the colour bar, right of the plot area: a gap, the bar, its tick labels and
// its caption.
constexpr double kBarGap = 16, kBarWidth = 14, kBarLabels = 44, kBarCaption = 22;

}  // namespace

// Everything render_element() needs to place: the axes' ranges, the plot area, the legend's box.
struct Plot::Layout {
  Range xr, yr;                    // on the axes (logarithms on a log axis)
  double left = 0, pw = 0, ph = 0;  // the plot area: x from left, y from kTop, pw × ph
  double width = 0, height = 0;    // the whole picture
  bool colorbar = false;
  double bx = 0, by = 0, box_w = 0, box_h = 0;  // the legend's box (box_w = 0: no legend)
  double X(double x) const { return left + (x - xr.min) / (xr.max - xr.min) * pw; }
  double Y(double y) const { return kTop + ph - (y - yr.min) / (yr.max - yr.min) * ph; }
};

std::vector<Plot::Entry> Plot::legend_entries() const {
  std::vector<Entry> entries;
  if (region_ && !region_->style.label.empty() && !region_->style.colorbar) entries.push_back({region_->style.label, 0, 0});
  for (std::size_t i = 0; i < lines_.size(); ++i)
    if (!lines_[i].name.empty()) entries.push_back({lines_[i].name, 1, i});
  for (std::size_t i = 0; i < points_.size(); ++i)
    if (!points_[i].name.empty()) entries.push_back({points_[i].name, 2, i});
  return entries;
}

Plot::Layout Plot::layout() const {
  Layout L;
  // The axes' ranges, on the axes.
  Extent ex, ey;
  for (const Line& l : lines_) {
    for (double v : l.x) ex.add(on_axis(v, x_log_));
    for (double v : l.y) ey.add(on_axis(v, y_log_));
  }
  for (const Points& p : points_)
    for (std::size_t k = 0; k < p.x.size(); ++k) {
      const double x = on_axis(p.x[k], x_log_), y = on_axis(p.y[k], y_log_);
      if (std::isfinite(x) && std::isfinite(y)) {
        ex.add(x);
        ey.add(y);
      }
    }
  L.xr = ex.padded();
  L.yr = ey.padded();
  if (region_) {
    // The region fills the plot area edge to edge, unless data lies beyond it.
    const Range data_x = ex.padded(), data_y = ey.padded();
    L.xr = region_->x;
    L.yr = region_->y;
    if (ex.min < L.xr.min || ex.max > L.xr.max) L.xr = {std::min(L.xr.min, data_x.min), std::max(L.xr.max, data_x.max)};
    if (ey.min < L.yr.min || ey.max > L.yr.max) L.yr = {std::min(L.yr.min, data_y.min), std::max(L.yr.max, data_y.max)};
  }
  if (x_range_) L.xr = {on_axis(x_range_->min, x_log_), on_axis(x_range_->max, x_log_)};
  if (y_range_) L.yr = {on_axis(y_range_->min, y_log_), on_axis(y_range_->max, y_log_)};

  L.left = kLeftTicks + (y_label_.empty() ? 0 : kLeftLabel);
  L.pw = width_ - L.left - kRight;
  L.ph = height_ - kTop - kBottom;
  L.width = width_;
  L.height = height_;
  L.colorbar = region_ && region_->style.colorbar;
  if (L.colorbar) L.width += kBarGap + kBarWidth + kBarLabels + (region_->style.label.empty() ? 0 : kBarCaption);

  const std::vector<Entry> entries = legend_entries();
  if (entries.empty()) return L;
  std::size_t widest = 0;
  for (const Entry& e : entries) widest = std::max(widest, display_width(e.name));
  L.box_w = 40 + kCharWidth * static_cast<double>(widest);
  L.box_h = 8 + kLegendRow * static_cast<double>(entries.size());

  // The first corner, from the one asked for, where nothing plotted passes under the box.
  const auto box_at = [&](Corner c) {
    const bool right = c == Corner::top_right || c == Corner::bottom_right;
    const bool top = c == Corner::top_right || c == Corner::top_left;
    return std::pair{right ? L.left + L.pw - L.box_w - 8 : L.left + 8, top ? kTop + 8 : kTop + L.ph - L.box_h - 8};
  };
  std::vector<Corner> order{legend_, Corner::top_right, Corner::top_left, Corner::bottom_right, Corner::bottom_left};
  for (Corner c : order) {
    const auto [bx, by] = box_at(c);
    if (!covers_data(L, bx, by, L.box_w, L.box_h)) {
      L.bx = bx;
      L.by = by;
      return L;
    }
  }
  // No free corner: outside, right of the plot area (and of the colour bar).
  L.bx = L.width - kRight + 12;
  L.by = kTop;
  L.width += L.box_w + 12;
  return L;
}

bool Plot::covers_data(const Layout& L, double bx, double by, double bw, double bh) const {
  // What counts as under the box: a line within its half width and 2 px more, a marker within its radius.
  for (const Line& l : lines_) {
    const double m = l.style.width / 2 + 2;
    bool have = false;
    double px = 0, py = 0;
    for (std::size_t k = 0; k < l.x.size(); ++k) {
      const double x = on_axis(l.x[k], x_log_), y = on_axis(l.y[k], y_log_);
      if (!std::isfinite(x) || !std::isfinite(y)) {
        have = false;
        continue;
      }
      const double qx = L.X(x), qy = L.Y(y);
      if (segment_hits(have ? px : qx, have ? py : qy, qx, qy, bx - m, by - m, bx + bw + m, by + bh + m)) return true;
      px = qx;
      py = qy;
      have = true;
    }
  }
  for (const Points& p : points_) {
    const double m = p.style.radius + 1;
    for (std::size_t k = 0; k < p.x.size(); ++k) {
      const double x = on_axis(p.x[k], x_log_), y = on_axis(p.y[k], y_log_);
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      const double qx = L.X(x), qy = L.Y(y);
      if (qx >= bx - m && qx <= bx + bw + m && qy >= by - m && qy <= by + bh + m) return true;
    }
  }
  return false;
}

std::pair<double, double> Plot::rendered_size() const {
  const Layout L = layout();
  return {L.width, L.height};
}

std::string Plot::render() const {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + render_element("plot-area");
}

std::string Plot::render_element(const std::string& id) const {
  const Layout L = layout();
  const Range xr = L.xr, yr = L.yr;
  const double W = L.width, H = L.height, left = L.left, pw = L.pw, ph = L.ph;
  const auto X = [&](double x) { return L.X(x); };
  const auto Y = [&](double y) { return L.Y(y); };

  std::string s;
  s += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n",
      W, H);
  s += fmt::format("<title>{}</title>\n", xml_escape(title_));
  s += fmt::format("<rect class=\"background\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", W, H);
  s += fmt::format(
      "<defs><clipPath id=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>\n", id,
      px(left), px(kTop), px(pw), px(ph));
  const std::string clip = fmt::format("clip-path=\"url(#{})\"", id);

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
    s += fmt::format("<g class=\"region\" {} fill-opacity=\"{}\" shape-rendering=\"crispEdges\">\n", clip,
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
            "<path class=\"contour\" {} d=\"{}\" fill=\"none\" stroke=\"#000000\" "
            "stroke-width=\"1.5\"><title>{}</title></path>\n",
            clip, d, xml_escape(fmt::format("{} = {}", g.style.label.empty() ? "value" : g.style.label, level)));
    }
  }

  // Grid lines, ticks and their labels.
  const auto xt = axis_ticks(xr.min, xr.max, x_log_, std::max(2, static_cast<int>(pw / 90)), x_whole_);
  const auto yt = axis_ticks(yr.min, yr.max, y_log_, std::max(2, static_cast<int>(ph / 60)));
  s += "<g class=\"grid\" stroke=\"#d9d9d9\" stroke-width=\"1\">\n";
  for (const Tick& t : xt)
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", px(X(t.at)), px(kTop), px(kTop + ph));
  for (const Tick& t : yt)
    s += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\"/>\n", px(Y(t.at)), px(left), px(left + pw));
  s += "</g>\n";

  // Lines, clipped to the plot area; a non-finite value ends one piece and the next finite one
  // starts another.
  for (const Line& l : lines_) {
    std::string d;
    bool pen_down = false;
    for (std::size_t k = 0; k < l.x.size(); ++k) {
      const double x = on_axis(l.x[k], x_log_), y = on_axis(l.y[k], y_log_);
      if (!std::isfinite(x) || !std::isfinite(y)) {
        pen_down = false;
        continue;
      }
      d += fmt::format("{}{} {}", pen_down ? "L" : "M", px(X(x)), px(Y(y)));
      pen_down = true;
    }
    s += fmt::format("<path class=\"line\" {} d=\"{}\" fill=\"none\" stroke=\"{}\" "
                     "stroke-width=\"{}\" stroke-linejoin=\"round\"{}><title>{}</title></path>\n",
                     clip, d, xml_escape(l.style.color), l.style.width, l.style.dashed ? " stroke-dasharray=\"6 4\"" : "",
                     xml_escape(l.name));
  }
  // Points.
  for (const Points& p : points_) {
    s += fmt::format("<g class=\"points\" {}><title>{}</title>\n", clip, xml_escape(p.name));
    for (std::size_t k = 0; k < p.x.size(); ++k) {
      const double x = on_axis(p.x[k], x_log_), y = on_axis(p.y[k], y_log_);
      if (std::isfinite(x) && std::isfinite(y))
        s += marker_element(p.style, X(x), Y(y)) + "\n";
    }
    s += "</g>\n";
  }

  // The frame, the tick labels and the axis labels.
  s += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#000000\"/>\n",
                   px(left), px(kTop), px(pw), px(ph));
  s += "<g class=\"ticks\" fill=\"#000000\">\n";
  for (const Tick& t : xt)
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#000000\"/><text x=\"{0}\" y=\"{3}\" "
                     "text-anchor=\"middle\">{4}</text>\n",
                     px(X(t.at)), px(kTop + ph), px(kTop + ph + 5), px(kTop + ph + 18), t.label);
  for (const Tick& t : yt)
    s += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\" stroke=\"#000000\"/><text x=\"{3}\" y=\"{4}\" "
                     "text-anchor=\"end\">{5}</text>\n",
                     px(Y(t.at)), px(left - 5), px(left), px(left - 8), px(Y(t.at) + 4), t.label);
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

  // The colour bar: the region's colours from low (bottom) to high (top), its values, the contour.
  if (L.colorbar) {
    const Region& g = *region_;
    const Rgb low = parse_hex(g.style.low_color, "low_color"), high = parse_hex(g.style.high_color, "high_color");
    const double bx = left + pw + kBarGap, cell = ph / g.style.levels;
    const auto bar_y = [&](double v) { return kTop + ph - (v - g.style.low) / (g.style.high - g.style.low) * ph; };
    s += fmt::format("<g class=\"colorbar\">\n<g fill-opacity=\"{}\" shape-rendering=\"crispEdges\">\n", g.style.opacity);
    for (int q = 0; q < g.style.levels; ++q)
      s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n", px(bx),
                       px(kTop + ph - (q + 1) * cell), px(kBarWidth), px(cell),
                       diverging(low, high, static_cast<double>(q) / (g.style.levels - 1)));
    s += "</g>\n";
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#000000\"/>\n", px(bx),
                     px(kTop), px(kBarWidth), px(ph));
    const auto bt = nice_ticks(g.style.low, g.style.high, 5);
    const double bstep = bt.size() > 1 ? bt[1] - bt[0] : g.style.high - g.style.low;
    for (double t : bt)
      s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#000000\"/><text x=\"{3}\" y=\"{4}\">{5}</text>\n",
                       px(bx + kBarWidth), px(bar_y(t)), px(bx + kBarWidth + 4), px(bx + kBarWidth + 7),
                       px(bar_y(t) + 4), tick_label(t, bstep));
    if (g.style.contour && *g.style.contour > g.style.low && *g.style.contour < g.style.high)
      s += fmt::format("<line class=\"contour-mark\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#000000\" "
                       "stroke-width=\"2\"/>\n",
                       px(bx - 3), px(bar_y(*g.style.contour)), px(bx + kBarWidth + 3));
    if (!g.style.label.empty()) {
      const double cx = bx + kBarWidth + kBarLabels + 6, cy = kTop + ph / 2;
      s += fmt::format("<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 {0} {1})\">{2}</text>\n",
                       px(cx), px(cy), xml_escape(g.style.label));
    }
    s += "</g>\n";
  }

  // The legend, where layout() put it: the region (without a colour bar), then lines, then points.
  const std::vector<Entry> entries = legend_entries();
  if (!entries.empty()) {
    const double bx = L.bx, by = L.by;
    s += fmt::format("<g class=\"legend\">\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" "
                     "fill-opacity=\"0.85\" stroke=\"#999999\"/>\n",
                     px(bx), px(by), px(L.box_w), px(L.box_h));
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
        s += marker_element(points_[e.index].style, bx + 18, ry) + "\n";
      }
      s += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", px(bx + 36), px(ry + 4), xml_escape(e.name));
    }
    s += "</g>\n";
  }
  s += "</svg>\n";
  return s;
}

void Plot::save(const std::filesystem::path& path) const { save_svg(path, render()); }

std::string render_column(const std::vector<Plot>& plots) {
  double width = 0, height = 0;
  std::vector<std::pair<double, double>> sizes;
  for (const Plot& p : plots) {
    sizes.push_back(p.rendered_size());
    width = std::max(width, sizes.back().first);
    height += sizes.back().second;
  }
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\">\n",
                   width, height);
  s += fmt::format("<rect class=\"background\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", width,
                   height);
  double y = 0;
  for (std::size_t k = 0; k < plots.size(); ++k) {
    s += fmt::format("<g transform=\"translate(0 {})\">\n", px(y));
    s += plots[k].render_element(fmt::format("plot-area-{}", k + 1));
    s += "</g>\n";
    y += sizes[k].second;
  }
  s += "</svg>\n";
  return s;
}

void save_svg(const std::filesystem::path& path, const std::string& text) {
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
