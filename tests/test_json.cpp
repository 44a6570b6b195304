// Tests for glassbox/core/json.hpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "glassbox/core/json.hpp"

using namespace glassbox;

TEST_CASE("NaN and infinities are written as strings and read back", "[json]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  CHECK(to_json(nan) == "nan");
  CHECK(to_json(inf) == "inf");
  CHECK(to_json(-inf) == "-inf");
  CHECK(to_json(2.5) == 2.5);
  CHECK(std::isnan(number_from_json(Json("nan"))));
  CHECK(number_from_json(Json("-inf")) == -inf);
  CHECK_THROWS_WITH(number_from_json(Json("NaN!")), Catch::Contains("expected a number"));
  const Matrix m = matrix_from_json(to_json(Matrix{{1, inf}, {-inf, 4}}));
  CHECK(m(0, 1) == inf);
  CHECK(m(1, 0) == -inf);
}

TEST_CASE("matrix_from_json rejects ragged and non-numeric rows", "[json]") {
  CHECK_THROWS_WITH(matrix_from_json(Json::parse("[[1,2],[3]]")), Catch::Contains("matrix row 1"));
  CHECK_THROWS_WITH(matrix_from_json(Json::parse("[[1,\"x\"]]")), Catch::Contains("expected a number"));
  CHECK_THROWS_WITH(matrix_from_json(Json::parse("{\"a\":1}")), Catch::Contains("expected a matrix"));
}
