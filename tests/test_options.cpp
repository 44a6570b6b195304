// Tests for glassbox/core/options.hpp: settings read from JSON, with messages naming the owner and key.
#include <catch2/catch.hpp>

#include <string>

#include <fmt/format.h>

#include "glassbox/core/options.hpp"

using namespace glassbox;

TEST_CASE("settings are read with their fallbacks", "[options]") {
  const Json o{{"alpha", 0.5}, {"fast", true}, {"mode", "fan_out"}};
  CHECK(number_setting(o, "thing x", "alpha", 1.0) == 0.5);
  CHECK(number_setting(o, "thing x", "beta", 1.0) == 1.0);
  CHECK(number_setting(Json(), "thing x", "alpha", 2.0) == 2.0);  // null: no settings
  CHECK(bool_setting(o, "thing x", "fast", false));
  CHECK_FALSE(bool_setting(o, "thing x", "slow", false));
  CHECK(choice_setting(o, "thing x", "mode", "fan_in", {"fan_in", "fan_out"}) == "fan_out");
  CHECK(choice_setting(o, "thing x", "other", "fan_in", {"fan_in", "fan_out"}) == "fan_in");
  CHECK_NOTHROW(require_known_keys(o, "thing x", {"alpha", "fast", "mode"}));
  CHECK_NOTHROW(require_no_options(Json::object(), "thing x"));
  CHECK_NOTHROW(require_no_options(Json(), "thing x"));
}

TEST_CASE("bad settings are rejected naming the owner and the key", "[options]") {
  const Json o{{"alpha", "big"}, {"fast", 1}, {"mode", "fan_avg"}};
  CHECK_THROWS_WITH(number_setting(o, "activation elu", "alpha", 1.0),
                    Catch::Contains("activation elu") && Catch::Contains("\"alpha\"") && Catch::Contains("number"));
  CHECK_THROWS_WITH(bool_setting(o, "activation sign", "fast", false), Catch::Contains("true or false"));
  CHECK_THROWS_WITH(choice_setting(o, "initializer he_normal", "mode", "fan_in", {"fan_in", "fan_out"}),
                    Catch::Contains("fan_avg") && Catch::Contains("fan_in, fan_out"));
  CHECK_THROWS_WITH(require_known_keys(o, "loss huber", {"delta"}),
                    Catch::Contains("loss huber") && Catch::Contains("unknown option") && Catch::Contains("delta"));
  CHECK_THROWS_WITH(require_known_keys(Json{{"x", 1}}, "loss mae", {}), Catch::Contains("takes no options"));
  CHECK_THROWS_WITH(require_known_keys(Json::array({1}), "loss huber", {"delta"}), Catch::Contains("JSON object"));
  CHECK_THROWS_AS(require_no_options(Json{{"x", 1}}, "loss mae"), InputError);
}

TEST_CASE("a positive setting: a fallback, or required", "[options]") {
  const Json o{{"rate", 0.5}, {"zero", 0}, {"word", "fast"}};
  CHECK(positive_setting(o, "optimizer sgd", "rate") == 0.5);
  CHECK(positive_setting(o, "optimizer sgd", "other", 2.0) == 2.0);
  CHECK_THROWS_WITH(positive_setting(o, "optimizer sgd", "other"),
                    Catch::Contains("optimizer sgd") && Catch::Contains("missing") && Catch::Contains("\"other\""));
  CHECK_THROWS_WITH(positive_setting(o, "optimizer sgd", "zero"),
                    "optimizer sgd: option \"zero\" must be a number > 0, got 0");
  CHECK_THROWS_AS(positive_setting(o, "optimizer sgd", "word"), SettingError);
}

TEST_CASE("a bad value carries its key and what was expected", "[options]") {
  const Json o{{"alpha", "big"}};
  try {
    (void)number_setting(o, "activation elu", "alpha", 1.0);
    FAIL("no SettingError");
  } catch (const SettingError& e) {
    CHECK(e.key() == "alpha");
    CHECK(e.expected() == "a number");
    CHECK(std::string(e.what()) == "activation elu: option \"alpha\" must be a number, got \"big\"");
  }
}

TEST_CASE("a message quotes a large option value in short", "[options]") {
  Json many = Json::object();
  for (int k = 0; k < 100000; ++k) many[fmt::format("k{}", k)] = k;
  for (const auto& message : {std::string("takes no options"), std::string("options must be a JSON object")}) {
    INFO(message);
    std::string what;
    try {
      if (message == "takes no options") require_no_options(many, "loss bce");
      else require_known_keys(Json::array({many}), "loss huber", {"delta"});
    } catch (const InputError& e) {
      what = e.what();
    }
    CHECK(what.size() < 200);
    CHECK_THAT(what, Catch::Contains(message));
  }
  CHECK_THROWS_WITH(require_no_options(many, "loss bce"),
                    Catch::StartsWith("loss bce: takes no options, got {\"k0\":0,\"k1\":1,") && Catch::EndsWith("…"));
  CHECK_THROWS_WITH(number_setting(Json{{"alpha", std::string(1000, 'a')}}, "activation elu", "alpha", 1.0),
                    "activation elu: option \"alpha\" must be a number, got \"" + std::string(39, 'a') + "…");
}

TEST_CASE("a setting ≥ 0, a fraction in [0, 1) or [0, 1], and a pair of fractions", "[options]") {
  const Json o{{"eps", 0},           {"decay", -0.5},         {"rho", 1},          {"beta", 0.9},
               {"betas", {0.8, 0.99}}, {"bad_betas", {0.9, 1}}, {"short", {0.9}}, {"word", "x"}};
  CHECK(nonnegative_setting(o, "optimizer adam", "eps", 1e-8) == 0);
  CHECK(nonnegative_setting(o, "optimizer adam", "other", 1e-8) == 1e-8);
  CHECK_THROWS_WITH(nonnegative_setting(o, "optimizer adam", "decay", 0),
                    "optimizer adam: option \"decay\" must be a number ≥ 0, got -0.5");
  CHECK_THROWS_AS(nonnegative_setting(o, "optimizer adam", "word", 0), SettingError);

  CHECK(unit_interval_setting(o, "optimizer adadelta", "beta", 0.5) == 0.9);
  CHECK(unit_interval_setting(o, "optimizer adadelta", "rho", 0.5, /*one_allowed=*/true) == 1);
  CHECK_THROWS_WITH(unit_interval_setting(o, "optimizer adadelta", "rho", 0.5),
                    "optimizer adadelta: option \"rho\" must be a number in [0, 1), got 1");
  CHECK_THROWS_WITH(unit_interval_setting(o, "optimizer rmsprop", "decay", 0.5, true),
                    "optimizer rmsprop: option \"decay\" must be a number in [0, 1], got -0.5");

  CHECK(unit_interval_pair_setting(o, "optimizer adam", "betas", {0.9, 0.999}) == std::array<double, 2>{0.8, 0.99});
  CHECK(unit_interval_pair_setting(o, "optimizer adam", "none", {0.9, 0.999}) == std::array<double, 2>{0.9, 0.999});
  CHECK_THROWS_WITH(unit_interval_pair_setting(o, "optimizer adam", "short", {0.9, 0.999}),
                    "optimizer adam: option \"short\" must be an array of two numbers, each in [0, 1), got [0.9]");
  try {
    (void)unit_interval_pair_setting(o, "optimizer adam", "bad_betas", {0.9, 0.999});
    FAIL("no SettingError");
  } catch (const SettingError& e) {  // the element that is wrong, by its index
    CHECK(e.key() == "bad_betas");
    CHECK(e.index() == std::optional<std::size_t>(1));
    CHECK(e.expected() == "a number in [0, 1)");
    CHECK(std::string(e.what()) == "optimizer adam: option \"bad_betas[1]\" must be a number in [0, 1), got 1");
  }
}
