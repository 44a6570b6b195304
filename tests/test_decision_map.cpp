// Tests for glassbox/io/decision_map.hpp: the grid samples cell centres with row 0 at the top, and the
// text map marks both classes' regions and every point, misclassified ones in capitals.
#include <catch2/catch.hpp>

#include "glassbox/io/decision_map.hpp"

using namespace glassbox;

TEST_CASE("decision_grid samples the network at cell centres, row 0 at the top", "[decision_map]") {
  Network x_net, y_net;
  x_net.dense(Matrix{{1, 0}}, Matrix{{0}});  // ŷ = x
  y_net.dense(Matrix{{0, 1}}, Matrix{{0}});  // ŷ = y
  const Matrix gx = decision_grid(x_net, {0, 4}, {-1, 1}, 2, 4);
  const Matrix gy = decision_grid(y_net, {0, 4}, {-1, 1}, 2, 4);
  REQUIRE(gx.rows() == 2);
  REQUIRE(gx.cols() == 4);
  CHECK(gx == Matrix{{0.5, 1.5, 2.5, 3.5}, {0.5, 1.5, 2.5, 3.5}});
  CHECK(gy == Matrix{{0.5, 0.5, 0.5, 0.5}, {-0.5, -0.5, -0.5, -0.5}});

  Network three;
  three.dense(Matrix{{1, 0, 0}}, Matrix{{0}});
  CHECK_THROWS_WITH(decision_grid(three, {0, 1}, {0, 1}, 2, 2), Catch::Contains("takes 3 inputs"));
  CHECK_THROWS_AS(decision_grid(x_net, {0, 1}, {0, 1}, 0, 2), ShapeError);
}

TEST_CASE("the text map shows regions, points, and misclassified points in capitals", "[decision_map]") {
  // Class 1 decided on the right half (x ≥ 2).
  const Matrix grid{{0.1, 0.2, 0.8, 0.9}, {0.1, 0.2, 0.8, 0.9}};
  const Matrix points{{0.5, 0.5},    // class 0, predicted 0: o
                      {3.5, 0.5},    // class 1, predicted 1: x
                      {1.5, -0.5},   // class 1, predicted 0: X
                      {2.5, -0.5},   // class 0, predicted 1: O
                      {9.0, 0.0}};   // outside: left out
  const std::vector<std::size_t> labels{0, 1, 1, 0, 1};
  const Matrix predictions{{0.2}, {0.7}, {0.3}, {0.6}, {0.9}};
  CHECK(ascii_decision_map(grid, {0, 4}, {-1, 1}, points, labels, predictions) == "o· x\n·XO \n");
  // The letter follows the network's output at the point, not the cell's centre: right at the
  // boundary, a class 1 point predicted 0.51 in a cell whose centre says 0.2 is correct.
  CHECK(ascii_decision_map(grid, {0, 4}, {-1, 1}, Matrix{{1.9, 0.5}}, {1}, Matrix{{0.51}}) == "·x  \n··  \n");
  CHECK(ascii_decision_map(grid, {0, 4}, {-1, 1}, Matrix(0, 2), {}, Matrix(0, 1)) == "··  \n··  \n");
  CHECK_THROWS_AS(ascii_decision_map(grid, {0, 4}, {-1, 1}, points, {0, 1}, predictions), ShapeError);
  CHECK_THROWS_WITH(ascii_decision_map(grid, {0, 4}, {-1, 1}, points, labels, Matrix{{0.5}}),
                    Catch::Contains("predictions (1×1)"));
}
