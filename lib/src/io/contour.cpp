// glassbox/io/contour.cpp — marching squares, the level helpers, and the contour plot's drawing.
#include "glassbox/io/contour.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"
#include "glassbox/core/text.hpp"
#include "glassbox/io/output_file.hpp"

namespace glassbox::svg {

namespace {

// Layout in pixels: the margins around the plot area, the legend column right of it.
constexpr double kTop = 40, kBottom = 52, kLeft = 78, kGap = 14, kRight = 10;
constexpr double kLegendRow = 18, kCharWidth = 7;

std::string px(double v) {
  if (std::fabs(v) < 0.005) v = 0;
  return fmt::format("{:.2f}", v);
}

void require_range(const char* what, Range r) {
  if (!std::isfinite(r.min) || !std::isfinite(r.max) || !(r.min < r.max))
    throw std::invalid_argument(fmt::format("contour: {}: min {} must be less than max {}, both finite", what, r.min, r.max));
}

// The colour of level k of n: dark grey for the lowest, light grey for the highest.
std::string level_color(std::size_t k, std::size_t n) {
  const double t = n > 1 ? static_cast<double>(k) / static_cast<double>(n - 1) : 0;
  const int v = static_cast<int>(std::lround(64 + t * (200 - 64)));
  return fmt::format("#{0:02x}{0:02x}{1:02x}", v, std::min(255, v + 12));
}

// A level as the legend shows it: three significant digits, no exponent for ordinary sizes.
std::string level_label(double v) { return fmt::format("{:.3g}", v + 0.0); }

}  // namespace

std::vector<Segment> contour_segments(const Matrix& values, Range x, Range y, double level) {
  if (values.rows() < 2 || values.cols() < 2)
    throw ShapeError(fmt::format("contour: a grid of {} points; at least 2×2", values.shape()));
  require_range("x", x);
  require_range("y", y);
  const std::size_t rows = values.rows(), cols = values.cols();
  const double dx = (x.max - x.min) / static_cast<double>(cols - 1), dy = (y.max - y.min) / static_cast<double>(rows - 1);
  std::vector<Segment> out;
  for (std::size_t r = 0; r + 1 < rows; ++r)
    for (std::size_t c = 0; c + 1 < cols; ++c) {
      // corners clockwise from the top left: (r, c), (r, c+1), (r+1, c+1), (r+1, c)
      const std::array<double, 4> v{values(r, c), values(r, c + 1), values(r + 1, c + 1), values(r + 1, c)};
      if (!std::all_of(v.begin(), v.end(), [](double t) { return std::isfinite(t); })) continue;
      const std::array<double, 4> vx{x.min + static_cast<double>(c) * dx, x.min + static_cast<double>(c + 1) * dx,
                                     x.min + static_cast<double>(c + 1) * dx, x.min + static_cast<double>(c) * dx};
      const std::array<double, 4> vy{y.max - static_cast<double>(r) * dy, y.max - static_cast<double>(r) * dy,
                                     y.max - static_cast<double>(r + 1) * dy, y.max - static_cast<double>(r + 1) * dy};
      // the crossing on edge e, from corner e to corner e+1: top, right, bottom, left
      std::array<std::optional<std::pair<double, double>>, 4> cross;
      int crossings = 0;
      for (int e = 0; e < 4; ++e) {
        const int a = e, b = (e + 1) % 4;
        if ((v[a] >= level) == (v[b] >= level)) continue;
        const double t = (level - v[a]) / (v[b] - v[a]);
        cross[e] = {vx[a] + (vx[b] - vx[a]) * t, vy[a] + (vy[b] - vy[a]) * t};
        ++crossings;
      }
      const auto segment = [&](int e1, int e2) {
        out.push_back({cross[e1]->first, cross[e1]->second, cross[e2]->first, cross[e2]->second});
      };
      if (crossings == 2) {
        int found[2], n = 0;
        for (int e = 0; e < 4; ++e)
          if (cross[e]) found[n++] = e;
        segment(found[0], found[1]);
      } else if (crossings == 4) {
        // A saddle square: if the centre (the corners' mean) is on the top-left corner's side, the
        // region of that side joins the top-left and bottom-right corners, and the lines cut off
        // the other two corners; otherwise they cut off the top-left and the bottom-right.
        const double mean = (v[0] + v[1] + v[2] + v[3]) / 4;
        if ((v[0] >= level) == (mean >= level)) {
          segment(0, 1);  // around the top-right corner
          segment(2, 3);  // around the bottom-left corner
        } else {
          segment(3, 0);  // around the top-left corner
          segment(1, 2);  // around the bottom-right corner
        }
      }
    }
  return out;
}

std::vector<double> log_levels(double low, double high, int count) {
  if (!(low > 0) || !(low < high) || !std::isfinite(high) || count < 2)
    throw std::invalid_argument(
        fmt::format("log_levels({}, {}, {}): need 0 < low < high, both finite, and at least 2 levels", low, high, count));
  std::vector<double> levels;
  // low·(high/low)^(k/(n−1)), written with exp and log of the same arguments on every machine: the
  // levels only place lines in a picture, never a number in a trace.
  const double ratio = std::log(high / low);
  for (int k = 0; k < count; ++k)
    levels.push_back(k == count - 1 ? high : low * std::exp(ratio * k / (count - 1)));
  return levels;
}

std::vector<double> linear_levels(double low, double high, int count) {
  if (!std::isfinite(low) || !std::isfinite(high) || !(low < high) || count < 2)
    throw std::invalid_argument(
        fmt::format("linear_levels({}, {}, {}): need low < high, both finite, and at least 2 levels", low, high, count));
  std::vector<double> levels;
  for (int k = 0; k < count; ++k) levels.push_back(low + (high - low) * k / (count - 1));
  return levels;
}

// ---- building the plot --------------------------------------------------------------------------

ContourPlot::ContourPlot(std::string title) : title_(std::move(title)) {}

ContourPlot& ContourPlot::title(std::string text) {
  title_ = std::move(text);
  return *this;
}
ContourPlot& ContourPlot::x_label(std::string text) {
  x_label_ = std::move(text);
  return *this;
}
ContourPlot& ContourPlot::y_label(std::string text) {
  y_label_ = std::move(text);
  return *this;
}
ContourPlot& ContourPlot::size(int width, int height) {
  if (width < 320 || height < 200)
    throw std::invalid_argument(fmt::format("contour: size {}×{}: at least 320×200 pixels", width, height));
  width_ = width;
  height_ = height;
  return *this;
}

ContourPlot& ContourPlot::surface(Range x, Range y, Matrix values, std::vector<double> levels) {
  if (values.rows() < 2 || values.cols() < 2)
    throw ShapeError(fmt::format("contour: a grid of {} points; at least 2×2", values.shape()));
  require_range("x", x);
  require_range("y", y);
  if (levels.empty()) throw std::invalid_argument("contour: no levels to draw");
  std::sort(levels.begin(), levels.end());
  x_ = x;
  y_ = y;
  values_ = std::move(values);
  levels_ = std::move(levels);
  return *this;
}

ContourPlot& ContourPlot::path(std::string name, std::vector<double> x, std::vector<double> y, std::string color) {
  if (x.size() != y.size())
    throw ShapeError(fmt::format("contour: path \"{}\": {} x values but {} y values", name, x.size(), y.size()));
  if (color.empty()) color = palette()[colors_used_++ % palette().size()];
  paths_.push_back({std::move(name), std::move(x), std::move(y), std::move(color)});
  return *this;
}

ContourPlot& ContourPlot::mark(std::string name, double x, double y) {
  marks_.push_back({std::move(name), x, y});
  return *this;
}

// ---- drawing ------------------------------------------------------------------------------------

std::string ContourPlot::render() const {
  // The legend column: its width from the longest entry.
  std::size_t widest = display_width("contours of f");
  for (const Path& p : paths_) widest = std::max(widest, display_width(p.name));
  for (const Mark& m : marks_) widest = std::max(widest, display_width(m.name));
  for (double level : levels_) widest = std::max(widest, level_label(level).size());
  const double legend_w = 40 + kCharWidth * static_cast<double>(widest);

  const double W = width_, H = height_;
  const double left = kLeft, pw = std::max(60.0, W - left - kGap - legend_w - kRight), ph = H - kTop - kBottom;
  const auto X = [&](double x) { return left + (x - x_.min) / (x_.max - x_.min) * pw; };
  const auto Y = [&](double y) { return kTop + ph - (y - y_.min) / (y_.max - y_.min) * ph; };

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

  // The contour lines, one path per level.
  if (!values_.empty())
    for (std::size_t k = 0; k < levels_.size(); ++k) {
      std::string d;
      for (const Segment& g : contour_segments(values_, x_, y_, levels_[k]))
        d += fmt::format("M{} {}L{} {}", px(X(g.x0)), px(Y(g.y0)), px(X(g.x1)), px(Y(g.y1)));
      if (d.empty()) continue;
      s += fmt::format("<path class=\"contour\" clip-path=\"url(#plot-area)\" d=\"{}\" fill=\"none\" stroke=\"{}\" "
                       "stroke-width=\"1\"><title>f = {}</title></path>\n",
                       d, level_color(k, levels_.size()), level_label(levels_[k]));
    }

  // The paths: a polyline each, then its start (circle) and end (square).
  for (const Path& p : paths_) {
    std::string d;
    bool pen_down = false;
    double pen_x = 0, pen_y = 0;
    std::optional<std::pair<double, double>> first, last;
    for (std::size_t k = 0; k < p.x.size(); ++k) {
      if (!std::isfinite(p.x[k]) || !std::isfinite(p.y[k])) {
        pen_down = false;
        continue;
      }
      // far outside the window, a pixel coordinate would lose its meaning: clamp it (the clip
      // path cuts the line at the edge either way)
      const double xp = std::clamp(X(p.x[k]), -10 * W, 11 * W), yp = std::clamp(Y(p.y[k]), -10 * H, 11 * H);
      // a point within half a pixel of the last one drawn adds nothing to the picture (a path of
      // thousands of small steps near a minimum), unless it is the path's last
      const bool final_point = k + 1 == p.x.size();
      if (pen_down && !final_point && std::hypot(xp - pen_x, yp - pen_y) < 0.5) continue;
      d += fmt::format("{}{} {}", pen_down ? "L" : "M", px(xp), px(yp));
      pen_down = true;
      pen_x = xp;
      pen_y = yp;
      if (!first) first = {p.x[k], p.y[k]};
      last = {p.x[k], p.y[k]};
    }
    s += fmt::format("<g class=\"path\" clip-path=\"url(#plot-area)\"><title>{}</title>\n", xml_escape(p.name));
    s += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" stroke-linejoin=\"round\" "
                     "stroke-opacity=\"0.9\"/>\n",
                     d, xml_escape(p.color));
    if (first)
      s += fmt::format("<circle class=\"start\" cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"#ffffff\" stroke=\"{}\" "
                       "stroke-width=\"2\"/>\n",
                       px(X(first->first)), px(Y(first->second)), xml_escape(p.color));
    if (last)
      s += fmt::format("<rect class=\"end\" x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"{}\" stroke=\"#000000\" "
                       "stroke-width=\"0.8\"/>\n",
                       px(X(last->first) - 4), px(Y(last->second) - 4), xml_escape(p.color));
    s += "</g>\n";
  }
  // The marks.
  const auto mark_element = [](double x, double y) {
    return fmt::format("<path d=\"M{} {}L{} {}M{} {}L{} {}M{} {}L{} {}\" stroke=\"#000000\" stroke-width=\"2\" "
                       "fill=\"none\"/>",
                       px(x - 6), px(y), px(x + 6), px(y), px(x), px(y - 6), px(x), px(y + 6), px(x - 4), px(y - 4),
                       px(x + 4), px(y + 4));
  };
  for (const Mark& m : marks_)
    s += fmt::format("<g class=\"mark\" clip-path=\"url(#plot-area)\"><title>{}</title>{}</g>\n", xml_escape(m.name),
                     mark_element(X(m.x), Y(m.y)));

  // The frame, ticks and labels.
  const auto xt = nice_ticks(x_.min, x_.max, std::max(2, static_cast<int>(pw / 80)));
  const auto yt = nice_ticks(y_.min, y_.max, std::max(2, static_cast<int>(ph / 60)));
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : x_.max - x_.min;
  const double ystep = yt.size() > 1 ? yt[1] - yt[0] : y_.max - y_.min;
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
    const double fits = (W - 20) / (0.62 * static_cast<double>(std::max<std::size_t>(1, display_width(title_))));
    s += fmt::format("<text class=\"title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" "
                     "font-weight=\"bold\">{}</text>\n",
                     px(W / 2), px(24), px(std::min(15.0, fits)), xml_escape(title_));
  }

  // The legend, right of the plot area: paths, marks, then the levels (highest first, as a key).
  const double bx = left + pw + kGap;
  double ry = kTop + 10;
  s += "<g class=\"legend\">\n";
  for (const Path& p : paths_) {
    s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"/>"
                     "<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"{}\" stroke=\"#000000\" stroke-width=\"0.8\"/>"
                     "<text x=\"{}\" y=\"{}\">{}</text>\n",
                     px(bx), px(ry), px(bx + 26), px(ry), xml_escape(p.color), px(bx + 22), px(ry - 4),
                     xml_escape(p.color), px(bx + 36), px(ry + 4), xml_escape(p.name));
    ry += kLegendRow;
  }
  for (const Mark& m : marks_) {
    s += fmt::format("{}<text x=\"{}\" y=\"{}\">{}</text>\n", mark_element(bx + 13, ry), px(bx + 36), px(ry + 4),
                     xml_escape(m.name));
    ry += kLegendRow;
  }
  if (!paths_.empty())
    s += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#555555\">○ start   ■ end</text>\n", px(bx), px(ry + 4));
  ry += kLegendRow * 1.5;
  if (!levels_.empty() && !values_.empty()) {
    s += fmt::format("<text x=\"{}\" y=\"{}\">contours of f</text>\n", px(bx), px(ry + 4));
    ry += kLegendRow;
    // as many levels as fit below, evenly picked, highest at the top
    const std::size_t room = static_cast<std::size_t>(std::max(1.0, (H - kBottom - ry) / kLegendRow));
    const std::size_t n = levels_.size(), shown = std::min(n, room);
    for (std::size_t j = 0; j < shown; ++j) {
      const std::size_t k = shown > 1 ? n - 1 - j * (n - 1) / (shown - 1) : n - 1;
      s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"/>"
                       "<text x=\"{}\" y=\"{}\">{}</text>\n",
                       px(bx), px(ry), px(bx + 26), px(ry), level_color(k, n), px(bx + 36), px(ry + 4),
                       level_label(levels_[k]));
      ry += kLegendRow;
    }
  }
  s += "</g>\n</svg>\n";
  return s;
}

void ContourPlot::save(const std::filesystem::path& path) const {
  const std::string text = render();
  if (path.empty()) throw OutputError("contour: no path given");
  OutputFile file(path, "svg");
  if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size()) {
    const int error = errno;
    file.abandon();
    throw OutputError(fmt::format("contour: writing {} failed: {}", path.string(), std::generic_category().message(error)));
  }
  file.commit();
}

}  // namespace glassbox::svg
