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
