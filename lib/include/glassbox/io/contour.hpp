// glassbox/io/contour.hpp — contour plots of a function of two variables, with paths drawn over
// them: how an optimizer walks across a loss surface.
//
//   svg::ContourPlot plot("Rosenbrock's valley");
//   plot.surface({-2, 2}, {-1, 3}, values, svg::log_levels(0.01, 1000, 11));
//   plot.path("Adam", xs, ys).path("SGD", xs2, ys2).mark("minimum (1, 1)", 1, 1);
//   plot.save("traces/ch10_optimizers.rosenbrock.svg");
//
// The function comes as values on a grid of points — values(r, c) at x = x.min + c·Δx,
// y = y.max − r·Δy, corners included, row 0 at the top — so this file knows nothing of where they
// came from. Each level becomes one contour line, found by marching squares (contour_segments()),
// coloured from dark (the lowest level) to light (the highest). Paths are polylines in the order
// given, each starting at a circle and ending at a square of its colour; a path breaks at a
// non-finite point, and what leaves the window is clipped at its edge. Points closer than half a
// pixel to the last one drawn are left out of the drawing (the path's last point never is), so a
// path of thousands of tiny steps stays a small file.
//
// The legend sits to the right of the plot area, outside it, so it never covers a path: one row per
// path, per mark, then the contour levels with their values.
//
// Same bytes for the same plot (pixel coordinates with two decimals); save() writes atomically, as
// svg::Plot::save does.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "glassbox/core/matrix.hpp"
#include "glassbox/io/svg.hpp"

namespace glassbox::svg {

// One piece of a contour line, in data coordinates.
struct Segment {
  double x0, y0, x1, y1;
};

// Marching squares: for each square of four neighbouring grid points whose values lie on both sides
// of `level` (a value ≥ level counts as above), the segment(s) joining the points where its edges
// cross the level, placed by linear interpolation along the edge. A square with a non-finite
// corner is skipped. A saddle square (corners alternating above and below) is resolved by the mean
// of its corners. ShapeError for a grid smaller than 2×2; std::invalid_argument unless x and y are
// ranges min < max.
std::vector<Segment> contour_segments(const Matrix& values, Range x, Range y, double level);

// `count` levels from `low` to `high` (both included), evenly spaced on a log scale (low > 0) or a
// linear one; std::invalid_argument unless low < high, count ≥ 2 (and low > 0 for log_levels).
std::vector<double> log_levels(double low, double high, int count);
std::vector<double> linear_levels(double low, double high, int count);

class ContourPlot {
public:
  explicit ContourPlot(std::string title = "");

  ContourPlot& title(std::string text);
  ContourPlot& x_label(std::string text);
  ContourPlot& y_label(std::string text);
  // The whole picture in pixels, legend included (default 760×480; at least 320×200).
  ContourPlot& size(int width, int height);

  // The function on a grid over the window x × y, and the levels to draw (ascending after sorting).
  // ShapeError for a grid under 2×2; std::invalid_argument for a bad range or no level.
  ContourPlot& surface(Range x, Range y, Matrix values, std::vector<double> levels);
  // A path through (x[k], y[k]); `color` empty takes the next palette colour. ShapeError unless x
  // and y have one length.
  ContourPlot& path(std::string name, std::vector<double> x, std::vector<double> y, std::string color = "");
  // A point to point out (a minimum, a saddle), drawn as a black star-like cross.
  ContourPlot& mark(std::string name, double x, double y);

  std::string render() const;
  void save(const std::filesystem::path& path) const;  // OutputError naming the path if it cannot

private:
  struct Path {
    std::string name;
    std::vector<double> x, y;
    std::string color;
  };
  struct Mark {
    std::string name;
    double x, y;
  };
  std::string title_, x_label_ = "x", y_label_ = "y";
  int width_ = 760, height_ = 480;
  Range x_{0, 1}, y_{0, 1};
  Matrix values_;
  std::vector<double> levels_;
  std::vector<Path> paths_;
  std::vector<Mark> marks_;
  std::size_t colors_used_ = 0;
};

}  // namespace glassbox::svg
