// Tests for glassbox/io/contour.hpp: marching squares on grids with known contours (a plane, a
// circle, a saddle square), the level helpers, and a contour plot with paths read back with
// Python's XML parser (tests/svg_check.py): every level, path and legend entry is there, and the
// legend sits outside the plot area.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "glassbox/io/contour.hpp"
#include "svg_check.hpp"

using namespace glassbox;
using glassbox::testing::count_of;
using glassbox::testing::read_svg;
namespace fs = std::filesystem;

namespace {

// f(x, y) on a grid of n × n points over [lo, hi]², row 0 at the top
template <typename F>
Matrix grid(std::size_t n, double lo, double hi, F f) {
  Matrix m(n, n);
  const double d = (hi - lo) / static_cast<double>(n - 1);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t c = 0; c < n; ++c) m(r, c) = f(lo + static_cast<double>(c) * d, hi - static_cast<double>(r) * d);
  return m;
}

bool contains(const nlohmann::json& list, const std::string& text) {
  for (const auto& item : list)
    if (item == text) return true;
  return false;
}

}  // namespace

TEST_CASE("the contour of a plane is a straight line where the plane crosses the level", "[contour]") {
  // f = x on [0, 1]², 2×2 points: f = 0.25 crosses the top edge at x = 0.25 and the bottom edge too
  const Matrix values{{0, 1}, {0, 1}};
  const auto segments = svg::contour_segments(values, {0, 1}, {0, 1}, 0.25);
  REQUIRE(segments.size() == 1);
  CHECK(segments[0].x0 == Approx(0.25));
  CHECK(segments[0].x1 == Approx(0.25));
  CHECK(std::min(segments[0].y0, segments[0].y1) == Approx(0));
  CHECK(std::max(segments[0].y0, segments[0].y1) == Approx(1));
  // a level outside the values has no contour
  CHECK(svg::contour_segments(values, {0, 1}, {0, 1}, 2).empty());
}

TEST_CASE("the contour of x² + y² = 1 lies on the unit circle and goes all the way round", "[contour]") {
  const Matrix values = grid(41, -2, 2, [](double x, double y) { return x * x + y * y; });
  const auto segments = svg::contour_segments(values, {-2, 2}, {-2, 2}, 1.0);
  // linear interpolation of a quadratic between points 0.1 apart: radius off by at most ~0.1²/8·2
  REQUIRE(segments.size() > 40);
  double length = 0;
  for (const auto& g : segments) {
    CHECK(std::hypot(g.x0, g.y0) == Approx(1).margin(0.01));
    CHECK(std::hypot(g.x1, g.y1) == Approx(1).margin(0.01));
    length += std::hypot(g.x1 - g.x0, g.y1 - g.y0);
  }
  CHECK(length == Approx(2 * M_PI).epsilon(0.01));  // the whole circumference, no gap
}

TEST_CASE("a saddle square is resolved by the mean of its corners", "[contour]") {
  // corners: top left 1, top right 0, bottom right 1, bottom left 0; the mean 0.5 is ≥ 0.5, on the
  // top-left corner's side, so the high corners join and the lines cut off the two low ones:
  // the top-right corner (edge midpoints (0.5, 1)–(1, 0.5)) and the bottom-left ((0.5, 0)–(0, 0.5))
  const Matrix values{{1, 0}, {0, 1}};
  const auto segments = svg::contour_segments(values, {0, 1}, {0, 1}, 0.5);
  REQUIRE(segments.size() == 2);
  CHECK(segments[0].x0 == Approx(0.5));
  CHECK(segments[0].y0 == Approx(1));
  CHECK(segments[0].x1 == Approx(1));
  CHECK(segments[0].y1 == Approx(0.5));
  CHECK(segments[1].x0 == Approx(0.5));
  CHECK(segments[1].y0 == Approx(0));
  CHECK(segments[1].x1 == Approx(0));
  CHECK(segments[1].y1 == Approx(0.5));
  // at level 0.6 the mean is below: the low corners join, the lines cut off the high ones
  const auto other = svg::contour_segments(values, {0, 1}, {0, 1}, 0.6);
  REQUIRE(other.size() == 2);
  CHECK(other[0].x0 == Approx(0));    // left edge: from 1 (top) down to 0 (bottom), 0.6 at y = 0.6
  CHECK(other[0].y0 == Approx(0.6));
  CHECK(other[0].x1 == Approx(0.4));  // top edge: from 1 (left) to 0 (right), 0.6 at x = 0.4
  CHECK(other[0].y1 == Approx(1));
}

TEST_CASE("a square with a non-finite corner is skipped, and a bad grid refused", "[contour]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(svg::contour_segments(Matrix{{0, 1}, {nan, 1}}, {0, 1}, {0, 1}, 0.5).empty());
  CHECK_THROWS_AS(svg::contour_segments(Matrix{{0, 1}}, {0, 1}, {0, 1}, 0.5), ShapeError);
  CHECK_THROWS_AS(svg::contour_segments(Matrix{{0, 1}, {0, 1}}, {1, 0}, {0, 1}, 0.5), std::invalid_argument);
}

TEST_CASE("levels are spaced evenly on a log or a linear scale, both ends included", "[contour]") {
  const auto log = svg::log_levels(0.01, 100, 5);
  REQUIRE(log.size() == 5);
  const std::vector<double> decades{0.01, 0.1, 1, 10, 100};
  for (std::size_t k = 0; k < 5; ++k) CHECK(log[k] == Approx(decades[k]).epsilon(1e-12));
  CHECK(svg::linear_levels(-1, 1, 5) == std::vector<double>{-1, -0.5, 0, 0.5, 1});
  CHECK_THROWS_AS(svg::log_levels(0, 1, 3), std::invalid_argument);
  CHECK_THROWS_AS(svg::log_levels(1, 10, 1), std::invalid_argument);
  CHECK_THROWS_AS(svg::linear_levels(1, 1, 3), std::invalid_argument);
}

TEST_CASE("a contour plot holds every level, every path with its ends, and a legend beside the plot", "[contour]") {
  const fs::path dir = fs::path("contour_test_output");
  fs::remove_all(dir);
  const Matrix values = grid(31, -2, 2, [](double x, double y) { return x * x + 4 * y * y; });
  svg::ContourPlot plot("a bowl & two paths");
  plot.surface({-2, 2}, {-2, 2}, values, svg::log_levels(0.1, 10, 5));
  plot.path("first <path>", {-1.5, -1, 0}, {1, 0.5, 0});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  plot.path("second", {1.5, nan, 0.5, 0}, {1, nan, -0.5, 0}, "#d62728");
  plot.mark("minimum", 0, 0);
  plot.save(dir / "bowl.svg");
  const auto svg = read_svg(dir / "bowl.svg");
  REQUIRE(svg);
  CHECK(count_of(*svg, "classes", "contour") == 5);  // every level crosses this window
  CHECK(count_of(*svg, "classes", "path") == 2);
  CHECK(count_of(*svg, "classes", "start") == 2);
  CHECK(count_of(*svg, "classes", "end") == 2);
  CHECK(count_of(*svg, "classes", "mark") == 1);
  for (const char* text : {"first <path>", "second", "minimum", "contours of f", "10", "0.1"}) {
    INFO(text);
    CHECK(contains((*svg)["texts"], text));
  }
  CHECK(contains((*svg)["titles"], "a bowl & two paths"));
  CHECK(contains((*svg)["titles"], "f = 1"));
  // the legend starts right of the frame: with the default 760 px and the widest entry
  // "contours of f" (13 characters → 40 + 7·13 = 131 px), the frame ends at 760 − 78 − 14 − 131 − 10
  const std::string text = plot.render();
  CHECK(text.find("<rect class=\"frame\" x=\"78.00\" y=\"40.00\" width=\"527.00\"") != std::string::npos);
  CHECK(text.find("<text x=\"655.00\"") != std::string::npos);  // legend text at 78 + 527 + 14 + 36
  // a path with a non-finite point breaks into two pieces: two "M" (move to) in its polyline
  const auto at = text.find("<title>second</title>\n<path d=\"");
  REQUIRE(at != std::string::npos);
  const auto from = text.find('"', at + 20) + 1, to = text.find('"', from);
  const std::string d = text.substr(from, to - from);
  CHECK(std::count(d.begin(), d.end(), 'M') == 2);
  CHECK(std::count(d.begin(), d.end(), 'L') == 1);
  CHECK_THROWS_AS(plot.path("bad", {1, 2}, {1}), ShapeError);
  CHECK_THROWS_AS(plot.size(100, 100), std::invalid_argument);
}
