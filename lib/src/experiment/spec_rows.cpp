// glassbox/experiment/spec_rows.cpp — numbers and rows of numbers in a spec (explicit weights, inline samples),
// with messages that count what they expected and what they found: "expected 2 rows of 2 numbers
// (out×in = 2×2), got 3 rows".
#include <fmt/format.h>

#include "spec_reading.hpp"

namespace glassbox::detail {

namespace {

// What an array of rows holds, for "got …" in messages: "3 rows", "the string "x"", "an object".
std::string found_rows(const Json& value) {
  return value.is_array() && !value.empty() ? count_of(value.size(), "row", "rows") : describe_json(value);
}
std::string found_numbers(const Json& value) {
  return value.is_array() ? count_of(value.size(), "number", "numbers") : describe_json(value);
}

}  // namespace

std::string count_of(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

void read_row(const SpecValue& row, std::size_t cols, const std::string& why, Scalar* out) {
  if (!row.is_array() || row.json().size() != cols)
    row.fail(fmt::format("expected {} ({}), got {}", count_of(cols, "number", "numbers"), why,
                         found_numbers(row.json())));
  std::size_t c = 0;
  for (const SpecValue& x : row.array()) out[c++] = static_cast<Scalar>(x.number());
}

Matrix read_rows(const SpecValue& v, std::optional<std::size_t> rows, std::size_t cols, const std::string& why) {
  const std::string numbers = count_of(cols, "number", "numbers");
  const std::string shape = rows ? fmt::format("{} of {}", count_of(*rows, "row", "rows"), numbers)
                                 : fmt::format("rows of {}", numbers);
  if (!v.is_array() || (rows && v.json().size() != *rows) || v.json().empty())
    v.fail(fmt::format("expected {} ({}), got {}", shape, why, found_rows(v.json())));
  Matrix m(v.json().size(), cols);
  std::size_t r = 0;
  for (const SpecValue& row : v.array()) {
    if (cols == 1 && row.json().is_number())
      m(r, 0) = static_cast<Scalar>(row.number());
    else
      read_row(row, cols, why, m.row_ptr(r));
    ++r;
  }
  return m;
}

}  // namespace glassbox::detail
