// Tests for glassbox/core/text.hpp.
#include <catch2/catch.hpp>

#include "glassbox/core/text.hpp"

using namespace glassbox;

TEST_CASE("did_you_mean() finds a word fewer than 3 edits away, and nothing farther", "[text]") {
  CHECK(did_you_mean("epoch", {"epochs", "batch_size"}) == "epochs");
  CHECK(did_you_mean("rleu", {"sigmoid", "relu", "tanh"}) == "relu");
  CHECK_FALSE(did_you_mean("momentum", {"epochs", "batch_size"}));
  CHECK_FALSE(did_you_mean("abc", {}));
}

TEST_CASE("display width counts characters, not bytes", "[text]") {
  CHECK(display_width("abc") == 3);
  CHECK(display_width("σ′(z)") == 5);
  CHECK(display_width("→×") == 2);
}
