// Tests for glassbox/io/training_curves.hpp: epoch events read back from traces written here by the
// real Tracer, grouped into runs, and drawn — loss, accuracy, validation dashed, legend clear of the
// curves.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "glassbox/io/trace.hpp"
#include "glassbox/io/training_curves.hpp"
#include "svg_check.hpp"

using namespace glassbox;
using glassbox::testing::read_svg;
namespace fs = std::filesystem;

namespace {

fs::path work_dir() {
  const fs::path dir = fs::path("trace_test_output") / ("curves-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

Json epoch(int n, double loss) { return Json{{"event", "epoch"}, {"epoch", n}, {"steps", n}, {"loss", loss}}; }

fs::path write_trace(const std::string& name, const std::vector<std::pair<std::string, Json>>& events) {
  const fs::path path = work_dir() / name;
  Tracer tracer(path, TraceLevel::full, TraceHeader{"test_training_curves", 0, 1, Json::object(), ""});
  for (const auto& [run, event] : events) {
    tracer.set_run(run);
    tracer.record(TraceLevel::summary, event);
  }
  tracer.finish();
  return path;
}

}  // namespace

TEST_CASE("training curves: epoch events by run, other events skipped, accuracy where there is one", "[io]") {
  Json with_accuracy = epoch(1, 0.5);
  with_accuracy["accuracy"] = 0.75;
  const fs::path trace = write_trace(
      "runs.json", {{"xor", Json{{"event", "step"}, {"epoch", 1}, {"step", 1}, {"loss", 9}}},
                    {"xor", epoch(1, 0.7)},
                    {"circles", with_accuracy},
                    {"xor", epoch(2, 0.6)},
                    {"", Json{{"event", "xor_solution"}, {"loss", 3}}}});
  const auto runs = read_epoch_curves(trace);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].run == "xor");
  CHECK(runs[0].epoch == std::vector<double>{1, 2});
  CHECK(runs[0].loss == std::vector<double>{0.7, 0.6});  // the step's 9 and the solution's 3 are not epochs
  CHECK_FALSE(runs[0].has_accuracy);
  CHECK(std::isnan(runs[0].accuracy[0]));
  CHECK(runs[1].run == "circles");
  CHECK(runs[1].has_accuracy);
  CHECK(runs[1].accuracy == std::vector<double>{0.75});
}

TEST_CASE("training curves: unnamed runs whose epochs start again are numbered", "[io]") {
  const fs::path trace = write_trace("restart.json", {{"", epoch(1, 0.9)}, {"", epoch(2, 0.8)}, {"", epoch(1, 0.7)},
                                                      {"a", epoch(1, 1)}, {"a", epoch(1, 2)}});
  const auto runs = read_epoch_curves(trace);
  REQUIRE(runs.size() == 4);
  CHECK(runs[0].run == "run 1");
  CHECK(runs[0].loss == std::vector<double>{0.9, 0.8});
  CHECK(runs[1].run == "run 2");
  CHECK(runs[2].run == "a");
  CHECK(runs[3].run == "a (2)");
}

TEST_CASE("training curves: an SVG with a loss and an accuracy panel, validation dashed, legends clear", "[io]") {
  std::vector<std::pair<std::string, Json>> events;
  for (int n = 1; n <= 20; ++n) {
    Json e = epoch(n, 1.0 / n);
    e["accuracy"] = 0.5 + n / 40.0;
    e["val_loss"] = 1.2 / n + 0.05;
    e["val_accuracy"] = 0.45 + n / 40.0;
    events.push_back({"", e});
  }
  const fs::path trace = write_trace("val.json", events);
  const fs::path svg_path = curves_path(trace);
  CHECK(svg_path.filename() == "val.curves.svg");
  REQUIRE(write_training_curves(trace, svg_path, "test"));
  const auto svg = read_svg(svg_path);
  REQUIRE(svg.has_value());
  CHECK(glassbox::testing::count_of(*svg, "elements", "svg") == 2);  // two panels
  CHECK(glassbox::testing::count_of(*svg, "classes", "line") == 4);  // loss, val loss, accuracy, val accuracy
  CHECK((*svg)["legend_overlaps"] == 0);
  const std::string text = [&] {
    std::ifstream in(svg_path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  CHECK(text.find("validation loss") != std::string::npos);
  CHECK(text.find("training accuracy") != std::string::npos);
  CHECK(text.find("stroke-dasharray") != std::string::npos);
  // The loss falls from 1.25 to 0.05: within 100×, so a linear axis.
  CHECK(text.find("log scale") == std::string::npos);
}

TEST_CASE("training curves: a trace without epochs gets no picture, a loss over decades a log axis", "[io]") {
  const fs::path none = write_trace("none.json", {{"", Json{{"event", "forward"}, {"z", 1}}}});
  CHECK_FALSE(write_training_curves(none, curves_path(none), "none"));
  CHECK_FALSE(fs::exists(curves_path(none)));
  // 1 → 1e-4 spans 10⁴ > 100: log scale.
  const fs::path decades = write_trace("decades.json", {{"", epoch(1, 1)}, {"", epoch(2, 1e-2)}, {"", epoch(3, 1e-4)}});
  const std::string svg = render_training_curves(read_epoch_curves(decades), "decades");
  CHECK(svg.find("loss (log scale)") != std::string::npos);
  CHECK(svg.find(">10⁻⁴<") != std::string::npos);
  CHECK_THROWS_AS(render_training_curves({}, "empty"), std::invalid_argument);
}
