// Tests for glassbox/io/spec.hpp: typed reads of JSON specs whose errors start with the JSON path, and
// JSON files whose syntax errors say file:line:column.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "glassbox/io/spec.hpp"

using namespace glassbox;
namespace fs = std::filesystem;

namespace {

// The message of the SpecError that `f` throws; fails the test if it throws nothing.
template <typename F>
std::string spec_error(F&& f) {
  try {
    f();
  } catch (const SpecError& e) {
    return e.what();
  }
  FAIL("no SpecError was thrown");
  return "";
}

template <typename F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("no InputError was thrown");
  return "";
}

// A SpecValue of a temporary, read within the same expression (the temporary lives until its end).
SpecValue at(const Json& json, std::string path) { return SpecValue(json, std::move(path)); }

}  // namespace

TEST_CASE("values read in a message as the spec wrote them", "[spec]") {
  CHECK(describe_json(Json(3)) == "3");
  CHECK(describe_json(Json(-0.5)) == "-0.5");
  CHECK(describe_json(Json(true)) == "true");
  CHECK(describe_json(Json()) == "null");
  CHECK(describe_json(Json("10")) == "the string \"10\"");
  CHECK(describe_json(Json::array({1, 2, 3})) == "an array of 3");
  CHECK(describe_json(Json::array()) == "an empty array");
  CHECK(describe_json(Json{{"a", 1}}) == "an object");
}

TEST_CASE("paths join keys with dots and indices with brackets", "[spec]") {
  const Json doc = Json::parse(R"({"data": {"inputs": [[1, 2], [3, 4]]}})");
  const SpecValue top(doc, "");
  const SpecObject data = top.object({"data"}).required("data", "an object").object({"inputs"});
  const auto rows = data.required("inputs", "rows").array();
  CHECK(data.path() == "data");
  CHECK(rows[1].path() == "data.inputs[1]");
  CHECK(rows[1].array()[0].path() == "data.inputs[1][0]");
  // The whole document has no path of its own: messages call it "(top level)".
  CHECK(spec_error([&] { at(Json::array(), "").object({}); }) == "(top level): expected an object, got an empty array");
}

TEST_CASE("whole numbers: 3 and 3.0 are, 2.5, -1, \"3\" and true are not", "[spec]") {
  const auto whole = [](const Json& j) { return SpecValue(j, "training.epochs").whole(1); };
  CHECK(whole(Json(3)) == 3);
  CHECK(whole(Json(3.0)) == 3);
  CHECK(whole(Json(1e3)) == 1000);
  CHECK(spec_error([&] { whole(Json(2.5)); }) == "training.epochs: expected a whole number ≥ 1, got 2.5");
  CHECK(spec_error([&] { whole(Json(-1)); }) == "training.epochs: expected a whole number ≥ 1, got -1");
  CHECK(spec_error([&] { whole(Json(0)); }) == "training.epochs: expected a whole number ≥ 1, got 0");
  CHECK(spec_error([&] { whole(Json("3")); }) == "training.epochs: expected a whole number ≥ 1, got the string \"3\"");
  CHECK(spec_error([&] { whole(Json(true)); }) == "training.epochs: expected a whole number ≥ 1, got true");
  CHECK(spec_error([&] { at(Json(11), "x").whole(1, 10); }) == "x: expected a whole number from 1 to 10, got 11");
}

TEST_CASE("numbers, booleans and strings say what they expected", "[spec]") {
  CHECK(at(Json(0.5), "lr").positive_number() == 0.5);
  CHECK(spec_error([] { at(Json(0), "lr").positive_number(); }) == "lr: expected a number > 0, got 0");
  CHECK(spec_error([] { at(Json(-2), "lr").positive_number(); }) == "lr: expected a number > 0, got -2");
  CHECK(spec_error([] { at(Json(1.5), "p").number_in(0, 1); }) == "p: expected a number from 0 to 1, got 1.5");
  CHECK(spec_error([] { at(Json("yes"), "shuffle").boolean(); }) ==
        "shuffle: expected true or false, got the string \"yes\"");
  CHECK(spec_error([] { at(Json(""), "name").string(); }) == "name: expected a non-empty string, got the string \"\"");
  CHECK(spec_error([] { at(Json(1), "xs").array(1); }) == "xs: expected a non-empty array, got 1");
  CHECK(spec_error([] { at(Json::parse("[1, \"a\"]"), "xs").numbers(); }) ==
        "xs[1]: expected a number, got the string \"a\"");
}

TEST_CASE("a name from a list suggests the closest and lists them all", "[spec]") {
  const std::vector<std::string> known{"identity", "sigmoid", "tanh", "relu"};
  CHECK(at(Json("tanh"), "a").choice(known) == "tanh");
  CHECK(spec_error([&] { at(Json("rleu"), "a").choice(known); }) ==
        "a: unknown \"rleu\" (did you mean \"relu\"?); known: identity, sigmoid, tanh, relu");
  // Nothing close: no suggestion.
  CHECK(spec_error([&] { at(Json("gelu_new"), "a").choice(known); }) ==
        "a: unknown \"gelu_new\"; known: identity, sigmoid, tanh, relu");
  CHECK(spec_error([&] { at(Json(3), "a").choice(known, "an activation"); }) ==
        "a: expected the name of an activation (identity, sigmoid, tanh, relu), got 3");
}

TEST_CASE("messages list at most 20 known names and shorten long strings", "[spec]") {
  std::vector<std::string> known;
  for (int i = 0; i < 1000; ++i) known.push_back(fmt::format("name_{}", i));
  const std::string long_name(100000, 'x');
  const std::string clipped = fmt::format("\"{}…\"", std::string(40, 'x'));
  CHECK(spec_error([&] { at(Json(long_name), "a").choice(known); }) ==
        "a: unknown " + clipped + "; known: name_0, name_1, name_2, name_3, name_4, name_5, name_6, name_7, name_8, "
        "name_9, name_10, name_11, name_12, name_13, name_14, name_15, name_16, name_17, name_18, name_19, … and 980 "
        "more");
  CHECK(spec_error([&] { at(Json(long_name), "a").number(); }) == "a: expected a number, got the string " + clipped);
  Json object = Json::object();
  object["colour"] = 1;
  CHECK_THAT(spec_error([&] { at(object, "").object(known); }),
             Catch::EndsWith("colour: unknown key; known keys: name_0, name_1, name_2, name_3, name_4, name_5, "
                             "name_6, name_7, name_8, name_9, name_10, name_11, name_12, name_13, name_14, name_15, "
                             "name_16, name_17, name_18, name_19, … and 980 more"));
}

TEST_CASE("an object refuses keys it does not know, and names missing ones", "[spec]") {
  const Json doc = Json::parse(R"({"epoch": 3})");
  CHECK(spec_error([&] { SpecValue(doc, "training").object({"epochs", "batch_size"}); }) ==
        "training.epoch: unknown key (did you mean \"epochs\"?); known keys: epochs, batch_size");
  CHECK(spec_error([&] { at(Json::parse(R"({"colour": 1})"), "").object({"epochs"}); }) ==
        "colour: unknown key; known keys: epochs");
  const Json training = Json::parse(R"({"epochs": 3})");
  const SpecObject o = SpecValue(training, "training").object({"epochs", "batch_size"});
  CHECK(o.has("epochs"));
  CHECK_FALSE(o.optional("batch_size"));
  CHECK(o.required("epochs", "a whole number").whole() == 3);
  CHECK(spec_error([&] { o.required("batch_size", "a whole number ≥ 0"); }) ==
        "training.batch_size: missing; expected a whole number ≥ 0");
}

TEST_CASE("JSON syntax errors name the file, line and column", "[spec]") {
  // The missing comma after line 2: the parser stops at the next key, line 3 column 3.
  const std::string text = "{\n  \"a\": 1\n  \"b\": 2\n}\n";
  CHECK_THAT(input_error([&] { parse_json_text(text, "spec.json"); }),
             Catch::StartsWith("spec.json:3:3: invalid JSON: ") && Catch::Contains("unexpected string literal"));
  // Columns count characters: "σ" is two bytes but one column.
  CHECK_THAT(input_error([&] { parse_json_text("{\"σ\": ]}", "s.json"); }),
             Catch::StartsWith("s.json:1:7: invalid JSON: "));
  CHECK_THAT(input_error([&] { parse_json_text("", "empty.json"); }),
             Catch::StartsWith("empty.json:1:1: invalid JSON: ") && Catch::Contains("end of input"));
  // Where "tru" was cut short; at the start of the unexpected "4".
  CHECK_THAT(input_error([&] { parse_json_text("{\"a\": tru}", "t.json"); }),
             Catch::StartsWith("t.json:1:10: invalid JSON: "));
  CHECK_THAT(input_error([&] { parse_json_text("[1, 2,\n 3 4]", "n.json"); }),
             Catch::StartsWith("n.json:2:4: invalid JSON: "));
  CHECK(parse_json_text("{\"b\": 1, \"a\": 2}", "ok.json").begin().key() == "b");  // keys stay in order
}

TEST_CASE("a key given twice in one object is an error naming its path", "[spec]") {
  CHECK(spec_error([] {
          parse_json_text(R"({"training": {"epochs": 10, "shuffle": true, "epochs": 100}})", "s.json");
        }) == "training.epochs: given twice");
  CHECK(spec_error([] { parse_json_text(R"({"l": [{"a": 1}, [2, 3], {"u": 1, "u": 2}]})", "s.json"); }) ==
        "l[2].u: given twice");
  CHECK(spec_error([] { parse_json_text(R"({"a": 1, "a": 1})", "s.json"); }) == "a: given twice");
  // The same key in different objects is fine.
  CHECK(parse_json_text(R"({"x": {"a": 1}, "y": {"a": 2}, "z": [{"a": 3}, {"a": 4}]})", "s.json")["z"][1]["a"] == 4);
}

TEST_CASE("JSON files: a missing file or a folder names its path", "[spec]") {
  const fs::path dir = fs::path("spec_test_output");
  fs::create_directories(dir);
  CHECK(input_error([&] { read_json_file(dir / "nope.json"); }) ==
        (dir / "nope.json").string() + ": cannot open the file: No such file or directory");
  CHECK(input_error([&] { read_json_file(dir); }) == dir.string() + ": is a folder, not a JSON file");
  {
    std::ofstream out(dir / "ok.json");
    out << "{\"x\": [1, 2]}\n";
  }
  CHECK(read_json_file(dir / "ok.json")["x"][1] == 2);
}

TEST_CASE("a number beyond a double's range is an InputError naming file:line:column", "[spec]") {
  // 1e400 does not fit a double (at most about 1.8e308); the parser would otherwise throw its own
  // out_of_range, which is not an input error.
  CHECK_THAT(input_error([] { parse_json_text("{\n  \"seed\": 1e400\n}\n", "s.json"); }),
             Catch::StartsWith("s.json:2:11: number out of range: 1e400"));
  CHECK_THAT(input_error([] { parse_json_text("[1, 2, 1E545]", "n.json"); }),
             Catch::StartsWith("n.json:1:8: number out of range: 1E545"));
  CHECK_THAT(input_error([] { parse_json_text(R"({"optimizer": {"learning_rate": -1e999}})", "o.json"); }),
             Catch::StartsWith("o.json:1:33: number out of range: -1e999"));
  // So is a whole number with 400 digits.
  CHECK_THAT(input_error([] { parse_json_text(fmt::format("[{}]", std::string(400, '9')), "w.json"); }),
             Catch::StartsWith("w.json:1:2: number out of range: 999"));
  // One that is too small to tell from 0 is read as 0, as C's strtod reads it.
  CHECK(parse_json_text("[1e-400]", "u.json")[0].get<double>() == 0.0);
}

TEST_CASE("nesting deeper than 100 levels is refused where it goes too deep", "[spec]") {
  const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(parse_json_text(nested(100), "d.json").is_array());
  CHECK_THAT(input_error([&] { parse_json_text(nested(101), "d.json"); }),
             Catch::StartsWith("d.json:1:101: nesting deeper than 100 levels"));
  // Brackets inside strings do not count; the depth counts objects and arrays alike.
  const std::string deep =
      "{\"s\": \"[[[{{{\",\n \"a\": " + std::string(99, '[') + "{\"b\": 1}" + std::string(99, ']') + "}";
  CHECK_THAT(input_error([&] { parse_json_text(deep, "o.json"); }),
             Catch::StartsWith("o.json:2:106: nesting deeper than 100 levels"));
  // Far deeper, with a key after it (that once overflowed the stack).
  const std::string far = "{\"a\": " + nested(100000) + ", \"b\": 1}";
  CHECK_THAT(input_error([&] { parse_json_text(far, "f.json"); }),
             Catch::StartsWith("f.json:1:106: nesting deeper than 100 levels"));
}

TEST_CASE("an object with 100000 keys is read in one pass, and a key given twice is still found", "[spec]") {
  // The keys are checked with a hash set and the object is built once at its end: reading it takes
  // time in proportion to its size (a search through the keys so far, for every key, took minutes).
  std::string text = "{";
  for (int k = 0; k < 100000; ++k) text += fmt::format("{}\"k{}\": {}", k == 0 ? "" : ", ", k, k);
  const Json doc = parse_json_text(text + "}", "k.json");
  REQUIRE(doc.size() == 100000);
  CHECK(doc.begin().key() == "k0");
  CHECK(doc.back() == 99999);
  CHECK(spec_error([&] { parse_json_text(text + ", \"k5\": 0}", "k.json"); }) == "k5: given twice");
}

TEST_CASE("a JSON file larger than the limit is refused without reading it all", "[spec]") {
  const fs::path dir = fs::path("spec_test_output");
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "big.json");
    out << "[" << std::string(2000, ' ') << "]";
  }
  CHECK(read_json_file(dir / "big.json", 2002).is_array());
  CHECK(input_error([&] { read_json_file(dir / "big.json", 2001); }) ==
        (dir / "big.json").string() + ": larger than 2001 bytes, the most a spec may be");
  CHECK(max_spec_bytes == 16 * 1024 * 1024);
}

TEST_CASE("a long key is clipped in the path of a message", "[spec]") {
  const std::string key(100000, 'k');
  const std::string clipped = fmt::format("{}…", std::string(40, 'k'));
  Json object = Json::object();
  object[key] = 1;
  CHECK(spec_error([&] { at(object, "training").object({"epochs"}); }) ==
        fmt::format("training.{}: unknown key; known keys: epochs", clipped));
  const std::string twice = fmt::format(R"({{"a": {{"{0}": 1, "{0}": 2}}}})", key);
  CHECK(spec_error([&] { parse_json_text(twice, "k.json"); }) == fmt::format("a.{}: given twice", clipped));
}
