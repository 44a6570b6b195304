// Tests for glassbox/io/trace_reader.hpp and glassbox/io/trace_diff.hpp: traces written here with the
// real Tracer, made to differ at a known place, and compared; files that are not traces refused with
// their name and line.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "glassbox/io/trace.hpp"
#include "glassbox/io/trace_diff.hpp"
#include "glassbox/io/trace_reader.hpp"

using namespace glassbox;
namespace fs = std::filesystem;

namespace {

fs::path work_dir() {
  const fs::path dir = fs::path("trace_test_output") / ("diff-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// A small training-like trace: a backward event and an update for each of `steps` steps, then an
// epoch event. `change` edits the events before they are written.
struct Events {
  std::vector<Json> list;
  Json result = Json{{"loss", 0.25}};
  std::uint64_t seed = 1;
};

Events base_events(int steps = 3) {
  Events e;
  for (int s = 1; s <= steps; ++s) {
    e.list.push_back(Json{{"event", "backward"}, {"run", "xor"}, {"epoch", 1}, {"step", s}, {"layer", 2},
                          {"dL_dz", Json{{0.5, -0.25}}},
                          {"dL_dW", Json{{0.125, 0.5}, {-1.5, 2.0}}}});
    e.list.push_back(Json{{"event", "update"}, {"run", "xor"}, {"epoch", 1}, {"step", s},
                          {"parameter", "layers[2].W"}, {"update", Json{{-0.0125, -0.05}, {0.15, -0.2}}}});
  }
  e.list.push_back(Json{{"event", "epoch"}, {"run", "xor"}, {"epoch", 1}, {"steps", steps}, {"loss", 0.25}});
  return e;
}

fs::path write_trace(const std::string& name, const Events& e) {
  const fs::path path = work_dir() / name;
  Tracer tracer(path, TraceLevel::full, TraceHeader{"test_trace_diff", 0, e.seed, Json{{"eta", 0.1}}, ""});
  for (const Json& event : e.list) tracer.record(TraceLevel::summary, event);
  tracer.finish(e.result);
  return path;
}

fs::path write_text(const std::string& name, const std::string& text) {
  const fs::path path = work_dir() / name;
  std::ofstream(path) << text;
  return path;
}

// Numbers per base trace: per step a backward (epoch, step, layer = 3; dL_dz 2; dL_dW 4) and an
// update (epoch, step = 2; update 4), so 9 + 6 = 15 per step; the epoch event 3 (epoch, steps,
// loss); the result 1. Three steps: 3·15 + 3 + 1 = 49.
constexpr std::size_t kBaseNumbers = 49;

}  // namespace

TEST_CASE("trace reader: the header, every event in order with its line, then the result", "[io]") {
  const fs::path path = write_trace("read.json", base_events(2));
  TraceReader trace(path);
  CHECK(trace.header()["program"] == "test_trace_diff");
  std::vector<std::string> kinds;
  std::vector<std::size_t> lines;
  while (auto event = trace.next()) {
    kinds.push_back((*event)["event"]);
    lines.push_back(trace.line());
  }
  // Line 1 the header, line 2 "events":[, the events from line 3 on.
  CHECK(kinds == std::vector<std::string>{"backward", "update", "backward", "update", "epoch"});
  CHECK(lines == std::vector<std::size_t>{3, 4, 5, 6, 7});
  CHECK(trace.events() == 5);
  CHECK(trace.result()["loss"] == 0.25);
  CHECK_FALSE(trace.next());  // and stays at the end
}

TEST_CASE("trace reader: a trace finished without a result", "[io]") {
  const fs::path path = work_dir() / "no-result.json";
  Tracer tracer(path, TraceLevel::full, TraceHeader{"test_trace_diff", 0, 1, Json::object(), ""});
  tracer.record(TraceLevel::summary, Json{{"event", "epoch"}, {"loss", 1}});
  tracer.finish();
  TraceReader trace(path);
  REQUIRE(trace.next());
  CHECK_FALSE(trace.next());
  CHECK(trace.result().is_null());
}

TEST_CASE("trace diff: two traces of the same events agree, every number compared", "[io]") {
  const fs::path a = write_trace("same-a.json", base_events()), b = write_trace("same-b.json", base_events());
  const TraceDiff d = diff_traces(a, b);
  CHECK(d.agree());
  CHECK(d.values_compared == kBaseNumbers);
  CHECK(d.events_a == 7);
  CHECK(d.report().find("the events agree: 49 numbers in 7 events") != std::string::npos);
}

TEST_CASE("trace diff: the first number that differs, with its full address, errors and the count after", "[io]") {
  Events changed = base_events();
  // Event 3 is step 2's backward (events: backward 1, update 1, backward 2, …); its dL_dW(1, 0)
  // −1.5 becomes −1.5 + 2⁻²⁰, and two later numbers change too: step 2's update (0, 1) and the
  // epoch's loss.
  const double delta = std::ldexp(1.0, -20);
  changed.list[2]["dL_dW"][1][0] = -1.5 + delta;
  changed.list[3]["update"][0][1] = -0.05 + delta;
  changed.list[6]["loss"] = 0.5;
  const fs::path a = write_trace("value-a.json", changed), b = write_trace("value-b.json", base_events());
  const TraceDiff d = diff_traces(a, b);
  REQUIRE_FALSE(d.agree());
  CHECK(d.header.empty());
  REQUIRE(d.first);
  const Difference& f = *d.first;
  CHECK(f.kind == Difference::Kind::value);
  CHECK(f.where.event == 3);
  CHECK(f.where.line_a == 5);  // line 3 holds event 1
  CHECK(f.where.kind == "backward");
  CHECK(f.where.run == "xor");
  CHECK(f.where.epoch == 1);
  CHECK(f.where.step == 2);
  CHECK(f.where.layer == 2);
  CHECK(f.where.field == "dL_dW");
  CHECK(f.where.element == std::vector<std::size_t>{1, 0});
  // |a − b| = 2⁻²⁰ exactly (both are exact binary fractions); relative to |b| = 1.5: 2⁻²⁰/1.5.
  CHECK(f.abs_error == delta);
  CHECK(f.rel_error == Approx(delta / 1.5));
  CHECK(f.b == "-1.5");
  CHECK(d.values_after == 2);
  CHECK(d.structural_after == 0);
  CHECK(f.where.describe() ==
        "event 3 (line 5 of A, line 5 of B): backward, run \"xor\", epoch 1, step 2, layer 2, field dL_dW, element (1, 0)");
  CHECK(d.report().find("after it: 2 more numbers beyond the tolerance, 0 more structural differences") !=
        std::string::npos);
}

TEST_CASE("trace diff: the tolerance is |a − b| ≤ atol + rtol·|b|, with B the reference", "[io]") {
  Events changed = base_events(1);
  // One number differs: dL_dz(0, 0) 0.5 in B, 0.5 + 2⁻²⁰ in A; |a − b| = 2⁻²⁰ ≈ 9.54e-7.
  const double delta = std::ldexp(1.0, -20);
  changed.list[0]["dL_dz"][0][0] = 0.5 + delta;
  const fs::path a = write_trace("tol-a.json", changed), b = write_trace("tol-b.json", base_events(1));
  CHECK_FALSE(diff_traces(a, b).agree());                       // exact: differs
  CHECK(diff_traces(a, b, {.rtol = 0, .atol = 1e-6}).agree());  // 9.54e-7 ≤ 1e-6
  CHECK_FALSE(diff_traces(a, b, {.rtol = 0, .atol = 9e-7}).agree());
  // rtol·|b| = rtol·0.5: 2e-6·0.5 = 1e-6 lets it through, 1.8e-6·0.5 = 9e-7 does not.
  CHECK(diff_traces(a, b, {.rtol = 2e-6, .atol = 0}).agree());
  CHECK_FALSE(diff_traces(a, b, {.rtol = 1.8e-6, .atol = 0}).agree());
  // The reference is the second trace: with rtol 1.907347e-6, rtol·0.5 = 9.536735e-7 < 2⁻²⁰ =
  // 9.5367432e-7 (differs), but rtol·(0.5 + 2⁻²⁰) = 9.5367532e-7 ≥ 2⁻²⁰ (agrees) when A is the reference.
  CHECK_FALSE(diff_traces(a, b, {.rtol = 1.907347e-6, .atol = 0}).agree());
  CHECK(diff_traces(b, a, {.rtol = 1.907347e-6, .atol = 0}).agree());
  CHECK_THROWS_WITH(diff_traces(a, b, {.rtol = -1, .atol = 0}), Catch::Contains("tolerances must be finite and ≥ 0"));
}

TEST_CASE("trace diff: NaN agrees with NaN and ∞ with the same ∞, a number against NaN differs", "[io]") {
  Events x = base_events(1), y = base_events(1);
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  x.list[0]["dL_dz"][0] = Json{to_json(nan), to_json(-inf)};
  y.list[0]["dL_dz"][0] = Json{to_json(nan), to_json(-inf)};
  CHECK(diff_traces(write_trace("nan-a.json", x), write_trace("nan-b.json", y)).agree());
  y.list[0]["dL_dz"][0][0] = 1.0;
  const TraceDiff d = diff_traces(write_trace("nan-a.json", x), write_trace("nan-c.json", y));
  REQUIRE(d.first);
  CHECK(d.first->kind == Difference::Kind::value);
  CHECK(d.first->where.element == std::vector<std::size_t>{0, 0});
  CHECK(std::isnan(d.first->abs_error));
}

TEST_CASE("trace diff: structural differences — a missing field, another kind, a shape, text", "[io]") {
  SECTION("a field in A and not in B, then one in B and not in A") {
    Events x = base_events(1), y = base_events(1);
    x.list[2]["accuracy"] = 0.75;
    y.list[2]["mode"] = "eval";
    const TraceDiff d = diff_traces(write_trace("field-a.json", x), write_trace("field-b.json", y));
    REQUIRE(d.first);
    CHECK(d.first->kind == Difference::Kind::missing_field);
    CHECK(d.first->where.event == 3);
    CHECK(d.first->where.field == "accuracy");
    CHECK(d.first->b == "(missing)");
    CHECK(d.structural_after == 1);  // "mode", missing in A
  }
  SECTION("different kinds of event at the same place") {
    Events x = base_events(1), y = base_events(1);
    x.list[1] = Json{{"event", "step"}, {"epoch", 1}, {"step", 1}, {"loss", 0.25}};
    const TraceDiff d = diff_traces(write_trace("kind-a.json", x), write_trace("kind-b.json", y));
    REQUIRE(d.first);
    CHECK(d.first->kind == Difference::Kind::event_kind);
    CHECK(d.first->where.event == 2);
    CHECK(d.first->a == "\"step\"");
    CHECK(d.first->b == "\"update\"");
    CHECK(d.values_after == 0);
    CHECK(d.structural_after == 0);  // the epoch and the result agree
  }
  SECTION("a matrix with a row fewer, and text that differs") {
    Events x = base_events(1), y = base_events(1);
    x.list[0]["dL_dW"].erase(1);
    x.list[0]["run"] = "circles";
    const TraceDiff d = diff_traces(write_trace("shape-a.json", x), write_trace("shape-b.json", y));
    REQUIRE(d.first);
    CHECK(d.first->kind == Difference::Kind::text);  // "run" comes before dL_dW
    CHECK(d.first->where.field == "run");
    CHECK(d.structural_after == 1);                  // the shape of dL_dW
  }
  SECTION("a number against text") {
    Events x = base_events(1), y = base_events(1);
    x.list[2]["loss"] = "n/a";
    const TraceDiff d = diff_traces(write_trace("type-a.json", x), write_trace("type-b.json", y));
    REQUIRE(d.first);
    CHECK(d.first->kind == Difference::Kind::type);
    CHECK(d.first->detail == "text in A, a number in B");
  }
}

TEST_CASE("trace diff: one trace longer — the first extra event, and every further one counted", "[io]") {
  // A has 3 steps (7 events), B 1 step (3 events); aligned, event 3 is A's backward against B's epoch.
  const TraceDiff d = diff_traces(write_trace("long-a.json", base_events(3)), write_trace("long-b.json", base_events(1)));
  REQUIRE(d.first);
  CHECK(d.first->kind == Difference::Kind::event_kind);
  CHECK(d.first->where.event == 3);
  // Events 4–7 of A have no partner: the first of them is one difference, the other 3 follow it;
  // the results agree.
  CHECK(d.structural_after == 1 + 3);
  CHECK(d.events_a == 7);
  CHECK(d.events_b == 3);
  const TraceDiff r = diff_traces(write_trace("long-b.json", base_events(1)), write_trace("long-a.json", base_events(3)));
  CHECK(r.structural_after == 4);
}

TEST_CASE("trace diff: headers are compared and reported apart from the events", "[io]") {
  Events x = base_events(1), y = base_events(1);
  y.seed = 2;
  const TraceDiff d = diff_traces(write_trace("head-a.json", x), write_trace("head-b.json", y));
  CHECK_FALSE(d.agree());
  CHECK_FALSE(d.first);
  REQUIRE(d.header.size() == 1);
  CHECK(d.header[0].where.field == "seed");
  CHECK(d.report().find("seed: 1 in A, 2 in B") != std::string::npos);
}

TEST_CASE("trace diff: what is not a trace is refused, naming the file and the line", "[io]") {
  const fs::path good = write_trace("good.json", base_events(1));
  CHECK_THROWS_WITH(diff_traces(work_dir() / "missing.json", good), Catch::Contains("missing.json: cannot open"));
  const fs::path not_trace = write_text("not-trace.json", "{\"hello\": 1}\n");
  CHECK_THROWS_WITH(diff_traces(good, not_trace), Catch::Contains("not-trace.json:1: the first line is not the header"));
  // A trace whose third event line is broken, and one cut off before its end.
  const std::string header = "{\"schema\":\"glassbox-trace\",\"version\":1,\"program\":\"x\",\"chapter\":0,\"seed\":1,"
                             "\"trace_level\":\"full\",\"hyperparameters\":{},\n\"events\":[\n";
  const fs::path broken = write_text("broken.json", header + "{\"event\":\"a\"},\n{\"event\":\"b\"},\n{\"event\":\n]}\n");
  CHECK_THROWS_WITH(diff_traces(broken, good), Catch::Contains("broken.json:5: not a trace event"));
  const fs::path cut = write_text("cut.json", header + "{\"event\":\"a\"},\n");
  CHECK_THROWS_WITH(diff_traces(cut, cut), Catch::Contains("cut.json:3: ends before the trace is closed"));
  CHECK_THROWS_WITH(diff_traces(work_dir(), good), Catch::Contains("is a folder"));
}
