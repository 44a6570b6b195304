// glassbox/io/svg.hpp — plots written as SVG files: line series, scatter points, a coloured region
// behind them (a classifier's decision region), with axes, tick labels, a title and a legend.
//
//   svg::Plot plot("sigmoid and its derivative");
//   plot.x_label("z").y_label("value");
//   plot.line("σ(z)", z, a).line("σ′(z)", z, da);
//   plot.save("traces/ch08_activations.sigmoid.svg");
//
// Data coordinates (x, y) map onto the plot area, x to the right and y up. Axis ranges come from
// the data (padded by 5 %) unless x_range()/y_range() fix them; lines and points outside the range
// are clipped at the plot area's edge.
//
// A line breaks where a value is NaN or ±Inf (a function undefined there is drawn as separate
// pieces, as plotting programs do); a scatter point with a non-finite coordinate is not drawn.
// Neither changes the axis ranges. On a logarithmic axis (x_log(), y_log()) a value ≤ 0 counts as
// not finite.
//
// The legend never hides what is plotted: it goes in the corner asked for if no line or point
// passes under it there, else in the first free corner of top right, top left, bottom right,
// bottom left, else outside the plot area, to its right (the picture grows wider by the legend).
// A region (a decision map) gets a colour bar to the right of the plot area, with the values its
// colours stand for and the contour level marked.
//
// The output is the same bytes for the same plot: pixel coordinates are written with two decimals,
// no time stamps. save() writes a file of its own beside the path and renames it (output_file.hpp, as a
// trace is written), so a reader never sees half a file and two saves of one path never mix.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "glassbox/core/matrix.hpp"

namespace glassbox::svg {

// A closed interval of data values, min < max.
struct Range {
  double min = 0;
  double max = 1;
};

// Ten distinguishable colours ("#1f77b4", …); series without a colour take them in turn.
const std::vector<std::string>& palette();

struct LineStyle {
  std::string color;     // "#rrggbb" or any SVG colour; empty: the next palette colour
  double width = 2;      // pixels
  bool dashed = false;
};

enum class Marker { circle, square, cross };

struct PointStyle {
  std::string color;     // empty: the next palette colour
  double radius = 3.5;   // pixels
  Marker marker = Marker::circle;
  // A hollow marker, white inside: at a jump of a step function, the value it approaches and does
  // not take (the filled dot is the value it takes).
  bool open = false;
};

// A region of cells coloured by value, e.g. a classifier's probability of class 1 on a grid.
// Values map onto a diverging scale: `low` → low_color, the middle → white, `high` → high_color
// (values outside [low, high] take the end colours), in `levels` steps, drawn at `opacity` so that
// points on top stay visible. With `contour`, the line where the values cross it (the decision
// boundary at 0.5) is drawn over the cells.
struct RegionStyle {
  std::string low_color = "#1f77b4";
  std::string high_color = "#ff7f0e";
  double low = 0;
  double high = 1;
  int levels = 16;
  double opacity = 0.45;
  std::optional<double> contour;
  std::string label;     // the colour bar's caption (the legend entry without a colour bar); empty: none
  bool colorbar = true;  // a bar to the right of the plot area with the colours and their values
};

// Where the legend sits inside the plot area.
enum class Corner { top_right, top_left, bottom_right, bottom_left };

class Plot {
public:
  explicit Plot(std::string title = "");

  Plot& title(std::string text);
  Plot& x_label(std::string text);
  Plot& y_label(std::string text);
  // Fixes an axis to [min, max] (std::invalid_argument unless min < max, both finite).
  Plot& x_range(double min, double max);
  Plot& y_range(double min, double max);
  // The whole picture in pixels (default 640×480; std::invalid_argument below 160×120).
  Plot& size(int width, int height);
  // The legend's corner (default top right) if nothing plotted passes under it there (see above);
  // it lists the lines and the points that have a name (and a region's label without a colour bar).
  Plot& legend(Corner corner);
  // A logarithmic axis, base 10: ticks at powers of ten; values ≤ 0 are not drawn.
  Plot& x_log(bool on = true);
  Plot& y_log(bool on = true);
  // Ticks on the x axis only at whole numbers (epochs, layers), never at 1.5.
  Plot& x_whole(bool on = true);

  // A line through the points (x[k], y[k]) in the order given. ShapeError unless x and y have one
  // length.
  Plot& line(std::string name, std::vector<double> x, std::vector<double> y, LineStyle style = {});
  // Unconnected markers at (x[k], y[k]): one call per class for a scatter plot by class.
  Plot& points(std::string name, std::vector<double> x, std::vector<double> y, PointStyle style = {});
  // Cells behind everything else: values is (rows×cols) over the rectangle x × y; cell (r, c) is
  // centred at x = x.min + (c + ½)·Δx, y = y.max − (r + ½)·Δy — row 0 at the top, as the picture
  // reads. Replaces an earlier region.
  Plot& region(Range x, Range y, Matrix values, RegionStyle style = {});

  std::size_t series() const noexcept { return lines_.size() + points_.size(); }

  // The SVG document.
  std::string render() const;
  // The <svg> element alone, without the XML declaration, its clip path named `id` (unique within a
  // document that holds several plots, render_column()).
  std::string render_element(const std::string& id) const;
  // The whole picture's size in pixels, once drawn: wider than size() when the legend went outside.
  std::pair<double, double> rendered_size() const;
  // Writes render() to path (parent folders created) through "<path>.<pid>.<random>.partial", created
  // with O_EXCL, and a rename; a character device or a FIFO is written directly, a symbolic link, a
  // folder or a block device refused (output_file.hpp). Throws OutputError naming the path if it
  // cannot; nothing is left under either name then.
  void save(const std::filesystem::path& path) const;

private:
  struct Line {
    std::string name;
    std::vector<double> x, y;
    LineStyle style;
  };
  struct Points {
    std::string name;
    std::vector<double> x, y;
    PointStyle style;
  };
  struct Region {
    Range x, y;
    Matrix values;
    RegionStyle style;
  };

  struct Layout;
  struct Entry {
    std::string name;
    int kind;  // 0 region, 1 line, 2 points
    std::size_t index;
  };
  Layout layout() const;
  std::vector<Entry> legend_entries() const;
  // Whether a line or a point passes under the box at (bx, by), bw × bh pixels.
  bool covers_data(const Layout& layout, double bx, double by, double bw, double bh) const;

  std::string title_, x_label_, y_label_;
  std::optional<Range> x_range_, y_range_;
  bool x_log_ = false, y_log_ = false, x_whole_ = false;
  int width_ = 640, height_ = 480;
  Corner legend_ = Corner::top_right;
  std::vector<Line> lines_;
  std::vector<Points> points_;
  std::optional<Region> region_;
  std::size_t colors_used_ = 0;
};

// Several plots one above the other in one SVG document (each as wide as it is drawn).
std::string render_column(const std::vector<Plot>& plots);
// Writes an SVG document to path as Plot::save() does.
void save_svg(const std::filesystem::path& path, const std::string& text);

// Tick positions for an axis over [min, max]: multiples of a step 1, 2 or 5 × 10^k chosen so that
// about `target` ticks fall inside (e.g. −3, −2, …, 3 for [−π, π]).
std::vector<double> nice_ticks(double min, double max, int target = 6);
// A tick label: the value with as many decimals as the step needs ("0.25", "-3", never "-0").
std::string tick_label(double value, double step);
// Text with &, <, >, " escaped for XML.
std::string xml_escape(const std::string& text);

}  // namespace glassbox::svg
