// glassbox/io/decision_map.hpp — what a network with two inputs decides everywhere in a rectangle:
// its output on a grid of points, drawn as text for the terminal, or handed to svg::Plot::region.
//
// rows × cols cells cover x ∈ [x.min, x.max] and y ∈ [y.min, y.max]; cell (r, c) is sampled at its
// centre x = x.min + (c + ½)·Δx, y = y.max − (r + ½)·Δy — row 0 at the top, as a picture reads.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "glassbox/core/matrix.hpp"
#include "glassbox/nn/network.hpp"
#include "glassbox/io/svg.hpp"

namespace glassbox {

// The network's first output at every cell centre, (rows×cols), computed as one batch of
// rows·cols samples, in evaluation mode (the network's mode is restored afterwards). ShapeError
// unless the network takes two inputs.
Matrix decision_grid(Network& net, svg::Range x, svg::Range y, std::size_t rows, std::size_t cols);

// The grid as text, one line per row: '·' where the value is below `threshold` (class 0), ' '
// where it is not (class 1); then each point drawn over its cell: 'o' for class 0, 'x' for class
// 1, in capitals ('O', 'X') where the network's own output at that point, predictions(n, 0), is on
// the wrong side of the threshold. (A point near the boundary may share a cell whose centre falls
// on the other side: the cell shows the grid, the letter the point.) Points outside the rectangle
// are left out. ShapeError unless points is (N×2), with N labels and N predictions.
std::string ascii_decision_map(const Matrix& grid, svg::Range x, svg::Range y, const Matrix& points,
                               const std::vector<std::size_t>& labels, const Matrix& predictions,
                               double threshold = 0.5);

}  // namespace glassbox
