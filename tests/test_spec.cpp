// Tests for glassbox/io/spec.hpp: typed reads of JSON specs whose errors start with the JSON path, and
// JSON files whose syntax errors say file:line:column.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

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
