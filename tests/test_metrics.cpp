// Tests for glassbox/train/metrics.hpp.
#include <catch2/catch.hpp>

#include "glassbox/train/metrics.hpp"

using namespace glassbox;

TEST_CASE("confusion matrix: rows are the true class, columns the prediction", "[metrics]") {
  // truth 0 0 1 1 2 2, predicted 0 1 1 1 2 0: right on samples 0, 2, 3, 4
  const ConfusionMatrix m = confusion_matrix({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, 3);
  CHECK(m.counts == std::vector<std::vector<std::size_t>>{{1, 1, 0}, {0, 2, 0}, {1, 0, 1}});
  CHECK(m.total() == 6);
  CHECK(m.correct() == 4);
  CHECK(m.accuracy() == Approx(4.0 / 6.0));
  CHECK(accuracy({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}) == Approx(4.0 / 6.0));
}

TEST_CASE("metrics: mismatched or out-of-range labels are refused", "[metrics]") {
  CHECK_THROWS_AS(confusion_matrix({0, 1}, {0}, 2), std::invalid_argument);
  CHECK_THROWS_WITH(confusion_matrix({0, 3}, {0, 1}, 3), Catch::Contains("sample 1"));
  CHECK_THROWS_AS(accuracy({}, {}), std::invalid_argument);
}
