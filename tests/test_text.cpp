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

TEST_CASE("list_some() lists at most a few names, and says how many it left out", "[text]") {
  CHECK(list_some({}) == "");
  CHECK(list_some({"a", "b", "c"}) == "a, b, c");
  CHECK(list_some({"a", "b", "c"}, 3) == "a, b, c");
  CHECK(list_some({"a", "b", "c", "d"}, 2) == "a, b, … and 2 more");
  CHECK(list_some({"a", "b", "c"}, 2, ",") == "a,b,… and 1 more");
  std::vector<std::string> many;
  for (int i = 0; i < 1000000; ++i) many.push_back("column_" + std::to_string(i));
  const std::string listed = list_some(many);
  CHECK(listed.size() < 300);
  CHECK_THAT(listed, Catch::StartsWith("column_0, column_1, ") && Catch::EndsWith("column_19, … and 999980 more"));
  // A long name is shortened.
  CHECK(list_some({std::string(1000, 'n')}) == std::string(40, 'n') + "…");
}

TEST_CASE("clip() shortens long text at a character boundary", "[text]") {
  CHECK(clip("short") == "short");
  CHECK(clip(std::string(40, 'a')) == std::string(40, 'a'));
  CHECK(clip(std::string(41, 'a')) == std::string(40, 'a') + "…");
  CHECK(clip("σσσσ", 3) == "σσσ…");  // characters, not bytes
  CHECK(clip("abcdef", 0) == "…");
}
