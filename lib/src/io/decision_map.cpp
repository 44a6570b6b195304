// glassbox/io/decision_map.cpp — a network's decisions over a grid, and the grid as text.
#include "glassbox/io/decision_map.hpp"

#include <cmath>

#include <fmt/format.h>

namespace glassbox {

Matrix decision_grid(Network& net, svg::Range x, svg::Range y, std::size_t rows, std::size_t cols) {
  if (net.input_width() != 2)
    throw ShapeError(fmt::format("decision_grid: {} takes {} inputs; a decision map needs 2", net.describe(),
                                 net.input_width()));
  if (rows == 0 || cols == 0) throw ShapeError(fmt::format("decision_grid: a grid of {}×{} cells is empty", rows, cols));
  const double dx = (x.max - x.min) / static_cast<double>(cols), dy = (y.max - y.min) / static_cast<double>(rows);
  Matrix centres(rows * cols, 2);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      centres(r * cols + c, 0) = x.min + (static_cast<double>(c) + 0.5) * dx;
      centres(r * cols + c, 1) = y.max - (static_cast<double>(r) + 0.5) * dy;
    }
  const ModeScope evaluating(net, false);  // a prediction: in evaluation mode, as train/train.hpp's predict()
  const Matrix& out = net.forward(centres);
  Matrix grid(rows, cols);
  for (std::size_t k = 0; k < rows * cols; ++k) grid.data()[k] = out(k, 0);
  return grid;
}

std::string ascii_decision_map(const Matrix& grid, svg::Range x, svg::Range y, const Matrix& points,
                               const std::vector<std::size_t>& labels, const Matrix& predictions,
                               double threshold) {
  if (points.cols() != 2 || points.rows() != labels.size() || predictions.rows() != labels.size() ||
      predictions.cols() == 0)
    throw ShapeError(fmt::format(
        "ascii_decision_map: points {} with {} labels and predictions {}; expected (N×2), N labels, (N×1)",
        points.shape(), labels.size(), predictions.shape()));
  const std::size_t rows = grid.rows(), cols = grid.cols();
  // One code per cell: '.' for class 0's background (written as '·'), ' ' for class 1's, and the
  // point letters.
  std::vector<char> cells(rows * cols);
  for (std::size_t k = 0; k < rows * cols; ++k) cells[k] = grid.data()[k] >= threshold ? ' ' : '.';
  const double dx = (x.max - x.min) / static_cast<double>(cols), dy = (y.max - y.min) / static_cast<double>(rows);
  for (std::size_t n = 0; n < points.rows(); ++n) {
    const double px = points(n, 0), py = points(n, 1);
    if (!(px >= x.min && px < x.max && py > y.min && py <= y.max)) continue;
    const auto c = static_cast<std::size_t>((px - x.min) / dx);
    const auto r = static_cast<std::size_t>((y.max - py) / dy);
    if (r >= rows || c >= cols) continue;
    const bool decided_one = predictions(n, 0) >= threshold;
    const bool is_one = labels[n] != 0;
    const bool wrong = decided_one != is_one;
    // A misclassified point wins its cell over a correct one.
    char& cell = cells[r * cols + c];
    if (cell == 'O' || cell == 'X') continue;
    cell = is_one ? (wrong ? 'X' : 'x') : (wrong ? 'O' : 'o');
  }
  std::string text;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const char cell = cells[r * cols + c];
      if (cell == '.')
        text += "·";
      else
        text += cell;
    }
    text += '\n';
  }
  return text;
}

}  // namespace glassbox
