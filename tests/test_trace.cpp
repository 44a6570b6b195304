// Tests for glassbox/io/trace.hpp: the document reads back, numbers round-trip exactly, non-finite
// values survive, writing is atomic, and "off" writes nothing.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "glassbox/io/trace.hpp"

using namespace glassbox;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::path("trace_test_output") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Json read_json(const fs::path& p) {
  std::ifstream in(p);
  REQUIRE(in);
  return Json::parse(in);
}

TraceHeader header() { return {"test_trace", 0, 42, Json{{"lr", 0.5}, {"epochs", 3}}, "Dense(2→1, sigmoid)"}; }

}  // namespace

TEST_CASE("a finished trace is one JSON document with header, events and result", "[trace]") {
  const auto dir = fresh_dir("document");
  Tracer t(dir / "t.json", TraceLevel::full, header());
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"loss", 0.25}});
  t.record(TraceLevel::full, Json{{"event", "forward"}, {"z", to_json(Matrix{{1, 2}, {3, 4}})}});
  t.finish(Json{{"accuracy", 1.0}});
  CHECK(t.events_recorded() == 2);

  const Json doc = read_json(dir / "t.json");
  CHECK(doc["schema"] == "glassbox-trace");
  CHECK(doc["version"] == 1);
  CHECK(doc["program"] == "test_trace");
  CHECK(doc["seed"] == 42);
  CHECK(doc["trace_level"] == "full");
  CHECK(doc["hyperparameters"]["lr"] == 0.5);
  CHECK(doc["network"] == "Dense(2→1, sigmoid)");
  REQUIRE(doc["events"].size() == 2);
  CHECK(doc["events"][0]["event"] == "epoch");
  CHECK(matrix_from_json(doc["events"][1]["z"]) == Matrix{{1, 2}, {3, 4}});
  CHECK(doc["result"]["accuracy"] == 1.0);
  CHECK_FALSE(fs::exists(dir / "t.json.partial"));
}

TEST_CASE("events above the trace level are not recorded", "[trace]") {
  const auto dir = fresh_dir("levels");
  Tracer t(dir / "t.json", TraceLevel::step, header());
  CHECK(t.wants(TraceLevel::summary));
  CHECK(t.wants(TraceLevel::step));
  CHECK_FALSE(t.wants(TraceLevel::full));
  CHECK_FALSE(t.wants(TraceLevel::off));
  t.record(TraceLevel::summary, Json{{"event", "a"}});
  t.record(TraceLevel::step, Json{{"event", "b"}});
  t.record(TraceLevel::full, Json{{"event", "c"}});
  t.finish();
  const Json doc = read_json(dir / "t.json");
  REQUIRE(doc["events"].size() == 2);
  CHECK(doc["events"][1]["event"] == "b");
  CHECK_FALSE(doc.contains("result"));
}

TEST_CASE("level off opens no file and records nothing", "[trace]") {
  const auto dir = fresh_dir("off");
  Tracer t(dir / "t.json", TraceLevel::off, header());
  CHECK_FALSE(t.wants(TraceLevel::summary));
  t.record(TraceLevel::summary, Json{{"event", "a"}});
  t.finish();
  CHECK(fs::is_empty(dir));
  CHECK_FALSE(Tracer::none().wants(TraceLevel::summary));
}

TEST_CASE("doubles round-trip bit for bit, in their shortest form", "[trace]") {
  const auto dir = fresh_dir("roundtrip");
  const std::vector<double> values{0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 5e-324, 1.7976931348623157e308, -0.0,
                                   0.298371109, 123456789.123456789, std::nextafter(1.0, 2.0)};
  {
    Tracer t(dir / "t.json", TraceLevel::full, header());
    t.record(TraceLevel::full, Json{{"event", "v"}, {"values", to_json(values)}});
    t.finish();
  }
  const Json doc = read_json(dir / "t.json");
  const Json& back = doc["events"][0]["values"];
  REQUIRE(back.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    INFO("value " << i);
    const double x = back[i].get<double>();
    CHECK(std::memcmp(&x, &values[i], sizeof x) == 0);
  }
  // Shortest round-trip form: 0.1 is written as 0.1, not 0.10000000000000001.
  std::ifstream in(dir / "t.json");
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str().find("[0.1,") != std::string::npos);
}

TEST_CASE("an unfinished trace never appears under its final name", "[trace]") {
  const auto dir = fresh_dir("atomic");
  {
    Tracer t(dir / "t.json", TraceLevel::full, header());
    t.record(TraceLevel::full, Json{{"event", "a"}});
    CHECK(fs::exists(dir / "t.json.partial"));
    CHECK_FALSE(fs::exists(dir / "t.json"));
    // destroyed without finish(): as when a run throws
  }
  CHECK_FALSE(fs::exists(dir / "t.json"));
  CHECK_FALSE(fs::exists(dir / "t.json.partial"));
}

TEST_CASE("a failed run keeps the previous trace intact", "[trace]") {
  const auto dir = fresh_dir("keep");
  {
    Tracer t(dir / "t.json", TraceLevel::summary, header());
    t.record(TraceLevel::summary, Json{{"event", "first"}});
    t.finish();
  }
  try {
    Tracer t(dir / "t.json", TraceLevel::summary, header());
    t.record(TraceLevel::summary, Json{{"event", "second"}});
    throw std::runtime_error("training diverged");
  } catch (const std::runtime_error&) {
  }
  CHECK(read_json(dir / "t.json")["events"][0]["event"] == "first");
}

TEST_CASE("an unwritable path throws OutputError naming it", "[trace]") {
  const auto dir = fresh_dir("unwritable");
  std::ofstream(dir / "file") << "x";
  CHECK_THROWS_AS(Tracer(dir / "file" / "t.json", TraceLevel::full, header()), OutputError);
  CHECK_THROWS_WITH(Tracer(dir / "file" / "t.json", TraceLevel::full, header()), Catch::Contains("file"));
  CHECK_THROWS_WITH(Tracer(dir, TraceLevel::full, header()), Catch::Contains("is a folder"));
}

TEST_CASE("missing parent folders are created", "[trace]") {
  const auto dir = fresh_dir("parents");
  Tracer t(dir / "a" / "b" / "t.json", TraceLevel::summary, header());
  t.finish();
  CHECK(fs::exists(dir / "a" / "b" / "t.json"));
}

TEST_CASE("the same events give the same bytes", "[trace]") {
  const auto dir = fresh_dir("bytes");
  for (const char* name : {"a.json", "b.json"}) {
    Tracer t(dir / name, TraceLevel::full, header());
    t.record(TraceLevel::full, Json{{"event", "x"}, {"w", to_json(Matrix{{0.15, 0.2}, {0.25, 0.3}})}});
    t.finish(Json{{"done", true}});
  }
  std::ifstream a(dir / "a.json"), b(dir / "b.json");
  std::stringstream sa, sb;
  sa << a.rdbuf();
  sb << b.rdbuf();
  CHECK(sa.str() == sb.str());
}

TEST_CASE("trace levels parse and print", "[trace]") {
  CHECK(parse_trace_level("full") == TraceLevel::full);
  CHECK(parse_trace_level("off") == TraceLevel::off);
  CHECK_FALSE(parse_trace_level("FULL").has_value());
  CHECK(to_string(TraceLevel::step) == "step");
}

TEST_CASE("a run label goes into every event after \"event\", until it is cleared", "[trace]") {
  const auto dir = fresh_dir("run");
  Tracer t(dir / "t.json", TraceLevel::full, header());
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"loss", 1}});
  t.set_run("xor");
  CHECK(t.run() == "xor");
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"loss", 0.5}});
  t.record(TraceLevel::summary, Json{{"event", "own"}, {"run", "mine"}});
  t.set_run("");
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"loss", 0.25}});
  t.finish();
  const Json doc = read_json(dir / "t.json");
  const Json& events = doc["events"];
  REQUIRE(events.size() == 4);
  CHECK_FALSE(events[0].contains("run"));
  CHECK(events[1].dump() == R"({"event":"epoch","run":"xor","loss":0.5})");
  CHECK(events[2]["run"] == "mine");
  CHECK_FALSE(events[3].contains("run"));
}

TEST_CASE("restrict_to lowers the level recorded from then on, and lifting it restores it", "[trace]") {
  const auto dir = fresh_dir("restrict");
  Tracer t(dir / "t.json", TraceLevel::step, header());
  t.record(TraceLevel::step, Json{{"event", "step"}, {"n", 1}});
  t.restrict_to(TraceLevel::summary);
  CHECK_FALSE(t.wants(TraceLevel::step));
  CHECK(t.wants(TraceLevel::summary));
  t.record(TraceLevel::step, Json{{"event", "step"}, {"n", 2}});
  t.record(TraceLevel::summary, Json{{"event", "epoch"}, {"n", 3}});
  t.restrict_to(TraceLevel::full);
  CHECK_FALSE(t.wants(TraceLevel::full));  // never beyond the trace's own level
  CHECK(t.wants(TraceLevel::step));
  t.record(TraceLevel::step, Json{{"event", "step"}, {"n", 4}});
  t.finish();
  const Json doc = read_json(dir / "t.json");
  CHECK(doc["trace_level"] == "step");
  REQUIRE(doc["events"].size() == 3);
  CHECK(doc["events"][0]["n"] == 1);
  CHECK(doc["events"][1]["n"] == 3);
  CHECK(doc["events"][2]["n"] == 4);
}
