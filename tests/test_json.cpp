// Tests for glassbox/core/json.hpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

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

TEST_CASE("a message quotes a large value in short", "[json]") {
  const Json huge = Json(std::vector<double>(100000, 1.5));
  const Json text = Json(std::string(100000, 'x'));
  const std::string shown = "[1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5…";  // 40 characters and …
  CHECK_THROWS_WITH(number_from_json(huge), "expected a number (or \"nan\", \"inf\", \"-inf\"), got " + shown);
  CHECK_THROWS_WITH(matrix_from_json(text),
                    "expected a matrix (an array of rows), got \"" + std::string(39, 'x') + "…");
  CHECK_THROWS_WITH(matrix_from_json(Json::array({Json::array({1, 2}), huge})),
                    "matrix row 1: expected an array of 2 numbers, got " + shown);
}
