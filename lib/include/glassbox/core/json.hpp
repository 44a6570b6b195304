// glassbox/core/json.hpp — JSON as the library writes and reads it: traces, specs, settings.
//
// One JSON type for the whole library, whose objects keep their keys in the order they were
// inserted, so a trace or a spec written back reads in the order the math happens. Numbers that
// JSON cannot hold (NaN, ±Inf) are written as the strings "nan", "inf" and "-inf" and read back.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "glassbox/core/matrix.hpp"

namespace glassbox {

using Json = nlohmann::ordered_json;

// A number, or "nan" / "inf" / "-inf".
Json to_json(double x);
// A matrix as an array of rows: [[1, 2], [3, 4]].
Json to_json(const Matrix& m);
// A vector of numbers.
Json to_json(const std::vector<double>& v);

// Reads back what to_json wrote (numbers, or the strings for non-finite values). Throws InputError.
double number_from_json(const Json& j);
// The same, or nothing when j is not a number as a trace holds one (no exception).
std::optional<double> maybe_number_from_json(const Json& j);
Matrix matrix_from_json(const Json& j);

}  // namespace glassbox
