// Tests for glassbox/divergence.hpp: the guard trips exactly when it should, with the message.
#include <catch2/catch.hpp>

#include <limits>

#include "glassbox/divergence.hpp"

using namespace glassbox;

TEST_CASE("divergence: a loss past growth_limit × the first loss trips the guard", "[divergence]") {
  const DivergenceGuard guard(0.5, 0.1, 1e6);
  CHECK_NOTHROW(guard.check(0.25, 1));
  CHECK_NOTHROW(guard.check(5e5, 2));  // exactly at the limit: not past it
  CHECK_THROWS_AS(guard.check(6e5, 3), DivergenceError);
  CHECK_THROWS_WITH(guard.check(6e5, 3),
                    "loss grew from 0.5 to 6e+05 over 3 updates (learning rate η = 0.1 too large)");
  try {
    guard.check(6e5, 3);
  } catch (const DivergenceError& e) {
    CHECK(e.first_loss == 0.5);
    CHECK(e.last_loss == 6e5);
    CHECK(e.updates == 3);
  }
}

TEST_CASE("divergence: a loss that is not finite trips it at once", "[divergence]") {
  const DivergenceGuard guard(0.5, 0.1);
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(guard.check_finite(inf, 7),
                    "loss became inf at update 7, from 0.5 at the start (learning rate η = 0.1 too large)");
  CHECK_THROWS_WITH(guard.check(nan, 8), Catch::Contains("loss became nan at update 8"));
  CHECK_NOTHROW(guard.check_finite(1e300, 9));  // large but finite: check_finite does not judge growth
}

TEST_CASE("divergence: a zero first loss only checks finiteness, and bad settings are refused", "[divergence]") {
  const DivergenceGuard perfect(0.0, 0.1);
  CHECK_NOTHROW(perfect.check(1e9, 1));
  CHECK_THROWS_AS(perfect.check(std::numeric_limits<double>::infinity(), 2), DivergenceError);
  CHECK_THROWS_WITH(DivergenceGuard(std::numeric_limits<double>::quiet_NaN(), 0.1),
                    Catch::Contains("the loss is nan before any update"));
  CHECK_THROWS_AS(DivergenceGuard(1.0, 0.1, 1.0), std::invalid_argument);
}
