// glassbox/core/table.cpp
#include "glassbox/core/table.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"
#include "glassbox/core/text.hpp"

namespace glassbox {

namespace {
bool looks_numeric(const std::string& cell) {
  if (cell.empty()) return true;
  double x = 0;
  auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), x);
  return (ec == std::errc() || ec == std::errc::result_out_of_range) && ptr == cell.data() + cell.size();
}
}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

Table& Table::add_row(std::vector<std::string> cells) {
  if (cells.size() != headers_.size())
    throw ShapeError(fmt::format("Table::add_row: {} cells for {} columns", cells.size(), headers_.size()));
  rows_.push_back(std::move(cells));
  return *this;
}

std::string Table::render() const {
  const std::size_t n = headers_.size();
  std::vector<std::size_t> width(n);
  std::vector<bool> right(n, true);
  for (std::size_t c = 0; c < n; ++c) {
    width[c] = display_width(headers_[c]);
    for (const auto& row : rows_) {
      width[c] = std::max(width[c], display_width(row[c]));
      if (!looks_numeric(row[c])) right[c] = false;
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < n; ++c) {
      const std::string pad(width[c] - display_width(cells[c]), ' ');
      if (c) out += "  ";
      out += right[c] ? pad + cells[c] : cells[c] + (c + 1 < n ? pad : "");
    }
    return out + "\n";
  };
  std::string out = line(headers_);
  for (std::size_t c = 0; c < n; ++c) {
    if (c) out += "  ";
    for (std::size_t i = 0; i < width[c]; ++i) out += "─";
  }
  out += "\n";
  for (const auto& row : rows_) out += line(row);
  return out;
}

}  // namespace glassbox
