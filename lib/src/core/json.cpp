// glassbox/core/json.cpp — numbers and matrices as JSON, and back.
#include "glassbox/core/json.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "glassbox/core/error.hpp"
#include "glassbox/core/text.hpp"

namespace glassbox {

Json to_json(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

Json to_json(const Matrix& m) {
  Json rows = Json::array();
  for (std::size_t r = 0; r < m.rows(); ++r) {
    Json row = Json::array();
    for (std::size_t c = 0; c < m.cols(); ++c) row.push_back(to_json(static_cast<double>(m(r, c))));
    rows.push_back(std::move(row));
  }
  return rows;
}

Json to_json(const std::vector<double>& v) {
  Json out = Json::array();
  for (double x : v) out.push_back(to_json(x));
  return out;
}

std::optional<double> maybe_number_from_json(const Json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

double number_from_json(const Json& j) {
  if (auto x = maybe_number_from_json(j)) return *x;
  throw InputError(fmt::format("expected a number (or \"nan\", \"inf\", \"-inf\"), got {}", clip(j.dump())));
}

Matrix matrix_from_json(const Json& j) {
  if (!j.is_array()) throw InputError(fmt::format("expected a matrix (an array of rows), got {}", clip(j.dump())));
  const std::size_t rows = j.size();
  const std::size_t cols = rows ? (j[0].is_array() ? j[0].size() : 0) : 0;
  Matrix m(rows, cols);
  for (std::size_t r = 0; r < rows; ++r) {
    if (!j[r].is_array() || j[r].size() != cols)
      throw InputError(fmt::format("matrix row {}: expected an array of {} numbers, got {}", r, cols,
                                   clip(j[r].dump())));
    for (std::size_t c = 0; c < cols; ++c) m(r, c) = static_cast<Scalar>(number_from_json(j[r][c]));
  }
  return m;
}

}  // namespace glassbox
