// glassbox/core/table.hpp — plain-text tables for results: aligned columns under a ruled header.
//
// Columns whose cells are all numbers are right-aligned, others left-aligned. render() returns the
// text; the program prints it.
#pragma once

#include <string>
#include <vector>

namespace glassbox {

class Table {
public:
  explicit Table(std::vector<std::string> headers);
  // A row must have one cell per header (ShapeError otherwise).
  Table& add_row(std::vector<std::string> cells);
  std::size_t rows() const noexcept { return rows_.size(); }
  std::string render() const;

private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace glassbox
