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

TEST_CASE("invalid_utf8_at() finds the first byte that is not UTF-8", "[text]") {
  CHECK_FALSE(invalid_utf8_at("").has_value());
  CHECK_FALSE(invalid_utf8_at("plain ASCII").has_value());
  CHECK_FALSE(invalid_utf8_at("Dense(2→2, σ) × 𝔼").has_value());  // 2-, 3- and 4-byte sequences
  CHECK(invalid_utf8_at("ab\xff") == 2u);            // a byte that never occurs in UTF-8
  CHECK(invalid_utf8_at("a\x80") == 1u);             // a continuation byte with no lead
  CHECK(invalid_utf8_at("a\xe2\x86") == 1u);         // a sequence cut short
  CHECK(invalid_utf8_at("\xc0\xaf") == 0u);          // an overlong '/'
  CHECK(invalid_utf8_at("\xe0\x80\xaf") == 0u);      // an overlong '/' in three bytes
  CHECK(invalid_utf8_at("x\xed\xa0\x80") == 1u);     // a surrogate, U+D800
  CHECK(invalid_utf8_at("\xf4\x90\x80\x80") == 0u);  // above U+10FFFF
  CHECK_FALSE(invalid_utf8_at("\xf4\x8f\xbf\xbf").has_value());  // U+10FFFF itself
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
