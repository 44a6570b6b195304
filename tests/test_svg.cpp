// Tests for glassbox/io/svg.hpp: ticks and labels, the pixel mapping, line series with a legend,
// scatter points by class, a decision region with its contour, broken lines at non-finite values,
// misuse, and atomic saving. Files are read back with Python's XML parser (tests/svg_check.py).
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <sstream>
#include <thread>
#include <vector>

#include "glassbox/io/svg.hpp"
#include "glassbox/io/trace.hpp"
#include "svg_check.hpp"
#include "test_files.hpp"

using namespace glassbox;
using glassbox::testing::read_text;
using glassbox::testing::count_of;
using glassbox::testing::read_svg;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::path("svg_test_output") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

bool contains(const nlohmann::json& list, const std::string& text) {
  for (const auto& item : list)
    if (item == text) return true;
  return false;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The text between the first `open` and the next `close` after it.
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  const auto a = text.find(open);
  REQUIRE(a != std::string::npos);
  const auto b = text.find(close, a + open.size());
  REQUIRE(b != std::string::npos);
  return text.substr(a + open.size(), b - a - open.size());
}

}  // namespace

TEST_CASE("ticks are multiples of 1, 2 or 5 times a power of ten", "[svg]") {
  CHECK(svg::nice_ticks(-std::numbers::pi, std::numbers::pi) == std::vector<double>{-3, -2, -1, 0, 1, 2, 3});
  const auto unit = svg::nice_ticks(0, 1, 5);
  REQUIRE(unit.size() == 6);
  for (std::size_t k = 0; k < unit.size(); ++k) CHECK(unit[k] == Approx(0.2 * static_cast<double>(k)).margin(1e-15));
  const auto small = svg::nice_ticks(0.001, 0.0093, 4);
  REQUIRE(small.size() == 4);
  CHECK(small.front() == Approx(0.002));
  CHECK(small.back() == Approx(0.008));
  CHECK(svg::nice_ticks(-250, 730, 5) == std::vector<double>{-200, 0, 200, 400, 600});
  CHECK_THROWS_AS(svg::nice_ticks(1, 1), std::invalid_argument);
  CHECK_THROWS_AS(svg::nice_ticks(0, std::numeric_limits<double>::infinity()), std::invalid_argument);
}

TEST_CASE("tick labels carry the decimals the step needs and never read -0", "[svg]") {
  CHECK(svg::tick_label(-3, 1) == "-3");
  CHECK(svg::tick_label(0.6000000000000001, 0.2) == "0.6");
  CHECK(svg::tick_label(0.25, 0.05) == "0.25");
  CHECK(svg::tick_label(-0.0, 0.5) == "0.0");
  CHECK(svg::tick_label(-1e-17, 1) == "0");
  CHECK(svg::tick_label(400, 200) == "400");
}

TEST_CASE("text is escaped for XML", "[svg]") {
  CHECK(svg::xml_escape("f & f′ < \"1\" > 0") == "f &amp; f′ &lt; &quot;1&quot; &gt; 0");
}

TEST_CASE("data coordinates map onto the plot area with y pointing up", "[svg]") {
  svg::Plot plot;
  svg::PointStyle black;
  black.color = "#000000";
  black.radius = 2;
  plot.x_range(-1, 1).y_range(-1, 1).points("p", {0, 1}, {0, 1}, black);
  const std::string s = plot.render();
  // 640×480: plot area x from 60 to 620 (width 560), y from 40 to 428 (height 388).
  CHECK(s.find("<circle cx=\"340.00\" cy=\"234.00\"") != std::string::npos);
  CHECK(s.find("<circle cx=\"620.00\" cy=\"40.00\"") != std::string::npos);
  CHECK(s.find("-0.00") == std::string::npos);
}

TEST_CASE("a line plot parses as SVG and holds every series, its legend, title and ticks", "[svg]") {
  const auto dir = fresh_dir("lines");
  std::vector<double> z, a, da;
  for (int k = 0; k <= 80; ++k) {
    const double x = -4 + 0.1 * k;
    z.push_back(x);
    a.push_back(1 / (1 + std::exp(-x)));
    da.push_back(a.back() * (1 - a.back()));
  }
  svg::Plot plot("σ & σ′ < 1");
    svg::LineStyle dashed;
  dashed.dashed = true;
  plot.x_label("z").y_label("value").line("σ(z)", z, a).line("σ′(z)", z, da, dashed);
  CHECK(plot.series() == 2);
  plot.save(dir / "sigmoid.svg");

  const auto svg = read_svg(dir / "sigmoid.svg");
  REQUIRE(svg.has_value());
  CHECK((*svg)["width"] == "640");
  CHECK(count_of(*svg, "classes", "line") == 2);
  CHECK(count_of(*svg, "classes", "legend") == 1);
  CHECK(contains((*svg)["titles"], "σ(z)"));
  CHECK(contains((*svg)["titles"], "σ′(z)"));
  CHECK(contains((*svg)["texts"], "σ(z)"));   // in the legend
  CHECK(contains((*svg)["texts"], "σ & σ′ < 1"));
  CHECK(contains((*svg)["texts"], "z"));
  CHECK(contains((*svg)["texts"], "value"));
  CHECK(contains((*svg)["texts"], "-4"));
  CHECK(contains((*svg)["texts"], "4"));
  CHECK(contains((*svg)["texts"], "0.4"));
  CHECK(contains((*svg)["texts"], "1.0"));
  const std::string text = read_text(dir / "sigmoid.svg");
  CHECK(occurrences(text, "stroke-dasharray") == 2);  // the dashed line and its legend sample
  CHECK(text.find("#1f77b4") != std::string::npos);   // palette colours, in turn
  CHECK(text.find("#ff7f0e") != std::string::npos);
}

TEST_CASE("a line breaks where a value is not finite, and the range ignores it", "[svg]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  svg::Plot plot;
  plot.line("pieces", {0, 1, 2, 3, 4, 5, 6}, {0, 1, nan, 2, 3, inf, 4});
  const std::string s = plot.render();
  const std::string d = between(s, "class=\"line\" clip-path=\"url(#plot-area)\" d=\"", "\"");
  CHECK(occurrences(d, "M") == 3);
  CHECK(occurrences(d, "L") == 2);  // 0–1, 2–3; the lone 4 is a move only
  CHECK(s.find("nan") == std::string::npos);
  CHECK(s.find("inf") == std::string::npos);
}

TEST_CASE("a scatter by class over a decision region with its contour", "[svg]") {
  const auto dir = fresh_dir("region");
  // P(class 1) = 1 inside the circle of radius 1, 0 outside, on a 24×32 grid over [−2, 2]².
  const std::size_t rows = 24, cols = 32;
  Matrix values(rows, cols);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const double x = -2 + (static_cast<double>(c) + 0.5) * 4 / cols;
      const double y = 2 - (static_cast<double>(r) + 0.5) * 4 / rows;
      values(r, c) = x * x + y * y < 1 ? 1 : 0;
    }
  svg::Plot plot("circles");
  svg::RegionStyle style;
  style.contour = 0.5;
  style.label = "P(inner)";
  plot.region({-2, 2}, {-2, 2}, values, style);
  svg::PointStyle circles, crosses;
  crosses.marker = svg::Marker::cross;
  plot.points("outer", {1.5, -1.5, 0, 0}, {0, 0, 1.5, -1.5}, circles);
  plot.points("inner", {0.2, -0.3, 0.1}, {0.1, 0.2, -0.4}, crosses);
  plot.save(dir / "region.svg");

  const auto svg = read_svg(dir / "region.svg");
  REQUIRE(svg.has_value());
  CHECK(count_of(*svg, "classes", "region") == 1);
  CHECK(count_of(*svg, "classes", "contour") == 1);
  CHECK(count_of(*svg, "classes", "points") == 2);
  CHECK(count_of(*svg, "elements", "circle") == 4 + 1);  // four outer points and the legend's sample
  CHECK(contains((*svg)["texts"], "P(inner)"));
  CHECK(contains((*svg)["texts"], "outer"));
  CHECK(contains((*svg)["texts"], "inner"));
  CHECK(contains((*svg)["titles"], "P(inner) = 0.5"));

  // Runs of equal colour merge: a row crossing the disc has at most three runs.
  const std::string text = read_text(dir / "region.svg");
  const std::string cells = between(text, "<g class=\"region\"", "</g>");
  CHECK(occurrences(cells, "<rect") >= rows);
  CHECK(occurrences(cells, "<rect") <= 3 * rows);
  // The contour passes near radius 1: every segment end lies within a cell of the circle.
  const std::string d = between(text, "class=\"contour\" clip-path=\"url(#plot-area)\" d=\"", "\"");
  CHECK(occurrences(d, "M") > 20);
}

TEST_CASE("a constant region is one rectangle per row, and values beyond the scale take its end colours", "[svg]") {
  svg::Plot a, b;
  a.region({0, 1}, {0, 1}, Matrix(5, 7, 0.5));
  CHECK(occurrences(between(a.render(), "<g class=\"region\"", "</g>"), "<rect") == 5);
  svg::RegionStyle black_white;
  black_white.low_color = "#000000";
  black_white.high_color = "#ffffff";
  b.region({0, 1}, {0, 1}, Matrix{{-3, 0}, {1, 7}}, black_white);
  const std::string cells = between(b.render(), "<g class=\"region\"", "</g>");
  // Row 0: −3 clamps to the low end, where 0 is: one run. Row 1: 1 and 7 (clamped) at the high end.
  CHECK(occurrences(cells, "<rect") == 2);
  CHECK(occurrences(cells, "fill=\"#000000\"") == 1);
  CHECK(occurrences(cells, "fill=\"#ffffff\"") == 1);
}

TEST_CASE("misuse is refused with a message naming what is wrong", "[svg]") {
  svg::Plot plot;
  CHECK_THROWS_WITH(plot.line("f′", {1, 2, 3}, {1, 2}), Catch::Contains("line \"f′\": 3 x values but 2 y values"));
  CHECK_THROWS_AS(plot.points("p", {1}, {}), ShapeError);
  CHECK_THROWS_WITH(plot.x_range(1, 1), Catch::Contains("x_range"));
  CHECK_THROWS_AS(plot.y_range(0, std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  CHECK_THROWS_WITH(plot.size(100, 50), Catch::Contains("100×50"));
  svg::RegionStyle named;
  named.low_color = "blue";
  CHECK_THROWS_WITH(plot.region({0, 1}, {0, 1}, Matrix(2, 2), named),
                    Catch::Contains("\"blue\" is not a colour"));
  CHECK_THROWS_AS(plot.region({0, 1}, {0, 1}, Matrix()), ShapeError);
  CHECK_THROWS_AS(plot.region({1, 0}, {0, 1}, Matrix(2, 2)), std::invalid_argument);
  CHECK(plot.series() == 0);
}

TEST_CASE("the legend goes into the corner asked for when nothing plotted is under it there", "[svg]") {
  svg::Plot plot;
  // A line across the middle, y = 0.5: every corner is free.
  plot.x_range(0, 1).y_range(0, 1).line("ab", {0, 1}, {0.5, 0.5});
  // The legend box is 40 + 7·2 = 54 wide and 8 + 18 = 26 high, 8 pixels from the plot area's edges
  // (x from 60 to 620, y from 40 to 428).
  CHECK(plot.render().find("<rect x=\"558.00\" y=\"48.00\" width=\"54.00\" height=\"26.00\"") != std::string::npos);
  plot.legend(svg::Corner::bottom_left);
  CHECK(plot.render().find("<rect x=\"68.00\" y=\"394.00\" width=\"54.00\" height=\"26.00\"") != std::string::npos);
}

TEST_CASE("the legend never hides a curve: another corner, or outside the plot area", "[svg]") {
  const auto dir = fresh_dir("legend");
  SECTION("a diagonal passes under the top right corner: the legend goes top left") {
    svg::Plot plot;
    // From pixel (60, 428) to (620, 40): at x = 600 the line is at y = 428 − 540/560·388 ≈ 54,
    // inside the top-right box (x 558–612, y 48–74).
    plot.x_range(0, 1).y_range(0, 1).line("ab", {0, 1}, {0, 1});
    CHECK(plot.render().find("<rect x=\"68.00\" y=\"48.00\" width=\"54.00\" height=\"26.00\"") != std::string::npos);
    plot.save(dir / "diagonal.svg");
    const auto svg = read_svg(dir / "diagonal.svg");
    REQUIRE(svg.has_value());
    CHECK((*svg)["legend_overlaps"] == 0);
  }
  SECTION("points everywhere: the legend goes right of the plot area, and the picture grows by it") {
    svg::Plot plot;
    std::vector<double> x, y;
    for (int i = 0; i <= 20; ++i)
      for (int j = 0; j <= 20; ++j) {
        x.push_back(i / 20.0);
        y.push_back(j / 20.0);
      }
    plot.points("grid", x, y);
    const auto [width, height] = plot.rendered_size();
    // The box is 40 + 7·4 = 68 wide, 12 from the plot area's right edge (620), 12 more after it.
    CHECK(width == 640 + 68 + 12);
    CHECK(height == 480);
    CHECK(plot.render().find("<rect x=\"632.00\" y=\"40.00\" width=\"68.00\"") != std::string::npos);
    plot.save(dir / "grid.svg");
    const auto svg = read_svg(dir / "grid.svg");
    REQUIRE(svg.has_value());
    CHECK((*svg)["legend_overlaps"] == 0);
    CHECK((*svg)["width"] == "720");
  }
}

TEST_CASE("the legend check finds a line under a legend", "[svg]") {
  // Written by hand: a legend box from (10, 10) to (110, 40) and a line from (0, 20) to (200, 20).
  const auto dir = fresh_dir("legend-check");
  std::ofstream(dir / "hidden.svg")
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\">"
         "<path class=\"line\" d=\"M0 20L200 20\"/>"
         "<g class=\"legend\"><rect x=\"10\" y=\"10\" width=\"100\" height=\"30\"/></g></svg>";
  const auto svg = read_svg(dir / "hidden.svg");
  REQUIRE(svg.has_value());
  // Points every 2 pixels: x = 10, 12, …, 110 lie in the box, 51 of them.
  CHECK((*svg)["legend_overlaps"] == 51);
}

TEST_CASE("a logarithmic axis: ticks at powers of ten, values ≤ 0 not drawn", "[svg]") {
  svg::Plot plot;
  plot.x_log().y_log().x_range(1e-6, 1).y_range(1e-3, 1e3);
  plot.line("err", {1e-6, 1e-3, 0, 1}, {1e-3, 1, 5, 1e3});
  const std::string text = plot.render();
  for (const char* label : {"10⁻⁶", "10⁻³", "10⁰", "10³"}) CHECK(text.find(std::string(">") + label + "<") != std::string::npos);
  // Two pieces: the value at x = 0 breaks the line. x = 1e-3 lies halfway along the x axis
  // (log10 from −6 to 0), pixel 60 + 560/2 = 340; y = 1 halfway up, 40 + 388/2 = 234.
  const std::string d = between(text, "class=\"line\" clip-path=\"url(#plot-area)\" d=\"", "\"");
  CHECK(d == "M60.00 428.00L340.00 234.00M620.00 40.00");
}

TEST_CASE("open and closed dots: an open marker is white inside with a line of its colour", "[svg]") {
  svg::Plot plot;
  svg::PointStyle closed, open;
  closed.color = open.color = "#1f77b4";
  open.open = true;
  plot.points("", {0}, {1}, closed).points("", {0}, {0}, open);
  const std::string text = plot.render();
  CHECK(text.find("fill=\"#1f77b4\" stroke=\"#000000\"") != std::string::npos);
  CHECK(text.find("fill=\"#ffffff\" stroke=\"#1f77b4\"") != std::string::npos);
  CHECK(text.find("class=\"legend\"") == std::string::npos);  // unnamed series stay out of the legend
}

TEST_CASE("a decision region has a colour bar with its values and the contour marked", "[svg]") {
  svg::Plot plot;
  svg::RegionStyle style;
  style.contour = 0.5;
  style.label = "ŷ";
  style.levels = 4;
  plot.region({0, 1}, {0, 1}, Matrix{{0, 1}, {1, 0}}, style);
  const std::string text = plot.render();
  const std::string bar = between(text, "<g class=\"colorbar\">", "</svg>");
  // One rectangle per level, 388/4 = 97 pixels high each, low at the bottom.
  CHECK(occurrences(bar, "height=\"97.00\"") == 4);
  CHECK(text.find("class=\"contour-mark\"") != std::string::npos);
  CHECK(plot.rendered_size().first > 640);
  svg::RegionStyle plain = style;
  plain.colorbar = false;
  svg::Plot without;
  without.region({0, 1}, {0, 1}, Matrix{{0, 1}, {1, 0}}, plain);
  CHECK(without.render().find("colorbar") == std::string::npos);
  CHECK(without.rendered_size().first == 640);
}

TEST_CASE("plots in a column: one document, each plot with a clip path of its own", "[svg]") {
  const auto dir = fresh_dir("column");
  std::vector<svg::Plot> plots(2);
  plots[0].line("a", {0, 1}, {0, 1});
  plots[1].size(640, 300).line("b", {0, 1}, {1, 0});
  svg::save_svg(dir / "column.svg", svg::render_column(plots));
  const auto svg = read_svg(dir / "column.svg");
  REQUIRE(svg.has_value());
  CHECK((*svg)["height"] == "780");
  CHECK(count_of(*svg, "elements", "svg") == 2);
  const std::string text = read_text(dir / "column.svg");
  CHECK(text.find("id=\"plot-area-1\"") != std::string::npos);
  CHECK(text.find("id=\"plot-area-2\"") != std::string::npos);
}

TEST_CASE("the same plot renders the same bytes", "[svg]") {
  const auto make = [] {
    svg::Plot p("same");
    p.line("a", {0, 1, 2}, {0.1, 0.7, 0.3}).points("b", {0.5}, {0.5});
    return p.render();
  };
  CHECK(make() == make());
}

TEST_CASE("saving is atomic: the file appears whole under its name or not at all", "[svg]") {
  const auto dir = fresh_dir("save");
  svg::Plot plot("first");
  plot.line("a", {0, 1}, {0, 1});
  plot.save(dir / "sub" / "plot.svg");  // creates the missing folder
  CHECK(fs::exists(dir / "sub" / "plot.svg"));
  CHECK_FALSE(fs::exists(dir / "sub" / "plot.svg.partial"));
  plot.title("second").save(dir / "sub" / "plot.svg");
  CHECK(read_text(dir / "sub" / "plot.svg").find("second") != std::string::npos);

  std::ofstream(dir / "a-file") << "x";
  CHECK_THROWS_WITH(plot.save(dir / "a-file" / "plot.svg"), Catch::Contains("a-file"));
  CHECK_THROWS_AS(plot.save(dir / "a-file" / "plot.svg"), OutputError);
  CHECK_THROWS_WITH(plot.save(dir / "sub"), Catch::Contains("is a folder"));
  CHECK_FALSE(fs::exists(dir / "sub.partial"));
}

TEST_CASE("two saves of one path at once both finish, leaving one whole plot and no partial file", "[svg]") {
  const auto dir = fresh_dir("concurrent");
  svg::Plot a("first"), b("second");
  a.line("a", {0, 1}, {0, 1});
  b.line("b", {0, 1}, {1, 0});
  // With one fixed "<path>.partial" for both, one save renamed the other's half-written file away and
  // the other's rename then failed (or a mix of both plots was renamed into place).
  std::atomic<int> failures{0};
  auto save_often = [&](const svg::Plot& plot) {
    for (int i = 0; i < 200; ++i) try {
        plot.save(dir / "plot.svg");
      } catch (const OutputError&) {
        ++failures;
      }
  };
  std::thread first(save_often, std::cref(a)), second(save_often, std::cref(b));
  first.join();
  second.join();
  CHECK(failures == 0);
  const std::string text = read_text(dir / "plot.svg");
  CHECK((text == a.render() || text == b.render()));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  CHECK(names == std::vector<std::string>{"plot.svg"});
}

TEST_CASE("a plot is never written through a symbolic link", "[svg]") {
  const auto dir = fresh_dir("special");
  svg::Plot plot("p");
  plot.line("a", {0, 1}, {0, 1});
  std::ofstream(dir / "real.svg") << "earlier";
  fs::create_symlink("real.svg", dir / "link.svg");
  CHECK_THROWS_WITH(plot.save(dir / "link.svg"), Catch::Contains("link.svg: is a symbolic link (to real.svg)"));
  CHECK(read_text(dir / "real.svg") == "earlier");
  CHECK(fs::is_symlink(dir / "link.svg"));
}

TEST_CASE("the SVG checker rejects what is not well-formed SVG", "[svg]") {
  const auto dir = fresh_dir("checker");
  std::ofstream(dir / "broken.svg") << "<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>";
  std::ofstream(dir / "html.svg") << "<html xmlns=\"http://www.w3.org/1999/xhtml\"/>";
  std::ofstream(dir / "unescaped.svg") << "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>a < b</text></svg>";
  std::ofstream(dir / "minimal.svg") << "<svg xmlns=\"http://www.w3.org/2000/svg\"><path class=\"line\"/></svg>";
  CHECK_FALSE(read_svg(dir / "broken.svg").has_value());
  CHECK_FALSE(read_svg(dir / "html.svg").has_value());
  CHECK_FALSE(read_svg(dir / "unescaped.svg").has_value());
  CHECK_FALSE(read_svg(dir / "missing.svg").has_value());
  const auto ok = read_svg(dir / "minimal.svg");
  REQUIRE(ok.has_value());
  CHECK(count_of(*ok, "classes", "line") == 1);
}
