// Chapter 06: the worked example's published numbers from the library's network (the chapter's
// code path: worked_example() + train_step), and the program's claims checked on its own trace and
// plot (default seed): the relabelled worked example, XOR solved with every δ and Δw of its first
// updates traced, the circles ≥ 95 % with 81 parameters, and the decision boundary's SVG.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "chapter_run.hpp"
#include "glassbox/data/examples.hpp"
#include "glassbox/train/train.hpp"
#include "svg_check.hpp"
#include "trace_events.hpp"

using namespace glassbox;
using glassbox::testing::count_of;
using glassbox::testing::read_svg;
using glassbox::testing::events;
using glassbox::testing::run_chapter;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Run {
  json doc;
  fs::path trace, svg;
};

const Run& default_run() {
  static const Run run = [] {
    const auto r = run_chapter("ch06_backprop_shallow", "default", "");
    REQUIRE(r.exit_code == 0);
    fs::path svg = r.trace;
    svg.replace_extension(".circles.svg");
    return Run{r.document(), r.trace, svg};
  }();
  return run;
}

bool contains(const json& list, const std::string& text) {
  return std::any_of(list.begin(), list.end(), [&](const json& item) { return item == text; });
}

// A published number given to d decimals matches to half a unit in its last place (1e-9 or finer
// where the digits allow).
void check_published(double value, double published, double half_unit) { CHECK(value == Approx(published).margin(half_unit)); }

}  // namespace

TEST_CASE("the worked example's network, one SGD step: the published numbers", "[ch06]") {
  WorkedExample ex = worked_example();
  SGD sgd(ex.learning_rate);
  const double E = train_step(ex.network, HalfSumSquares(), sgd, ex.input, ex.target, {1, 1});
  check_published(E, 0.298371109, 5e-10);
  const auto w = [&](const char* label) {
    for (const auto& named : worked_example_weights())
      if (named.label == label) return ex.network.parameter(named.parameter).value(named.row, named.col);
    FAIL("no weight " << label);
    return 0.0;
  };
  check_published(w("w5"), 0.35891648, 5e-9);
  check_published(w("w6"), 0.408666186, 5e-10);
  check_published(w("w7"), 0.511301270, 5e-10);
  check_published(w("w8"), 0.561370121, 5e-10);
  check_published(w("w1"), 0.149780716, 5e-10);
  check_published(w("w2"), 0.19956143, 5e-9);
  check_published(w("w3"), 0.24975114, 5e-9);
  check_published(w("w4"), 0.29950229, 5e-9);
}

TEST_CASE("the chapter relabels the library's numbers in the worked example's names", "[ch06]") {
  const auto e = events(default_run().doc, "worked_example", "worked_example");
  REQUIRE(e.size() == 1);
  const json& ex = e[0];
  check_published(ex["E"]["total"].get<double>(), 0.298371109, 5e-10);
  check_published(ex["E"]["o1"].get<double>(), 0.274811083, 5e-10);
  check_published(ex["E"]["o2"].get<double>(), 0.023560026, 5e-10);
  check_published(ex["units"]["h1"]["net"].get<double>(), 0.3775, 5e-10);
  check_published(ex["units"]["h1"]["out"].get<double>(), 0.593269992, 5e-10);
  check_published(ex["units"]["h2"]["out"].get<double>(), 0.596884378, 5e-10);
  check_published(ex["units"]["o1"]["net"].get<double>(), 1.105905967, 5e-10);
  check_published(ex["units"]["o1"]["out"].get<double>(), 0.75136507, 5e-9);
  check_published(ex["units"]["o2"]["out"].get<double>(), 0.772928465, 5e-10);
  check_published(ex["units"]["o1"]["dE_dout"].get<double>(), 0.74136507, 5e-9);
  check_published(ex["units"]["o1"]["dout_dnet"].get<double>(), 0.186815602, 5e-10);
  check_published(ex["units"]["h1"]["dE_dout"].get<double>(), 0.036350306, 5e-10);
  check_published(ex["units"]["h1"]["dout_dnet"].get<double>(), 0.241300709, 5e-10);
  check_published(ex["weights"]["w5"]["dE_dw"].get<double>(), 0.082167041, 5e-10);
  check_published(ex["weights"]["w1"]["dE_dw"].get<double>(), 0.000438568, 5e-10);
  check_published(ex["weights"]["w5"]["after"].get<double>(), 0.35891648, 5e-9);
  check_published(ex["weights"]["w1"]["after"].get<double>(), 0.149780716, 5e-10);
  for (const char* unit : {"h1", "h2", "o1", "o2"}) {
    const json& u = ex["units"][unit];
    CHECK(u["delta"].get<double>() == Approx(u["dE_dout"].get<double>() * u["dout_dnet"].get<double>()).epsilon(1e-15));
  }
  CHECK(ex["weights"]["w6"]["parameter"] == "layers[2].W");
  CHECK(ex["weights"]["w6"]["row"] == 0);
  CHECK(ex["weights"]["w6"]["col"] == 1);
  for (const auto& [label, weight] : ex["weights"].items())
    CHECK(weight["update"].get<double>() == -0.5 * weight["dE_dw"].get<double>());
  CHECK(default_run().doc["result"]["worked_example"]["weights_after"]["w5"] == ex["weights"]["w5"]["after"]);
}

TEST_CASE("the worked example's library events: δ of the output stage, frozen biases unchanged", "[ch06]") {
  const json& doc = default_run().doc;
  const auto backward = events(doc, "backward", "worked_example");
  REQUIRE(backward.size() == 2);
  CHECK(backward[0]["layer"] == 2);  // recorded as computed: the output stage first
  const auto ex = events(doc, "worked_example")[0];
  CHECK(backward[0]["dL_dz"][0][0] == ex["units"]["o1"]["delta"]);
  CHECK(backward[1]["dL_dz"][0][1] == ex["units"]["h2"]["delta"]);
  const auto updates = events(doc, "update", "worked_example");
  REQUIRE(updates.size() == 4);
  CHECK(updates[1]["parameter"] == "layers[0].b");
  CHECK(updates[1]["frozen"] == true);
  CHECK(updates[1]["update"] == json::parse("[[0.0, 0.0]]"));
  CHECK(updates[1]["b_after"] == json::parse("[[0.35, 0.35]]"));
  CHECK(updates[2]["W_after"][0][0] == ex["weights"]["w5"]["after"]);
}

TEST_CASE("XOR is solved by the 2-2-1 sigmoid network, and its first updates are traced in full", "[ch06]") {
  const json& doc = default_run().doc;
  const auto solution = events(doc, "xor_solution", "xor");
  REQUIRE(solution.size() == 1);
  CHECK(solution[0]["solved"] == true);
  const auto& y = solution[0]["output"];
  CHECK(y[0][0].get<double>() < 0.5);
  CHECK(y[1][0].get<double>() > 0.5);
  CHECK(y[2][0].get<double>() > 0.5);
  CHECK(y[3][0].get<double>() < 0.5);
  CHECK(doc["result"]["xor"]["solved"] == true);
  // --full-epochs 2 (the default): two full-batch updates in full, then epoch summaries only.
  const auto backward = events(doc, "backward", "xor");
  const auto updates = events(doc, "update", "xor");
  CHECK(backward.size() == 2 * 2);
  CHECK(updates.size() == 2 * 4);
  CHECK(updates.back()["step"] == 2);
  CHECK(backward[0]["dL_dz"].size() == 4);  // δ for each of the four samples
  CHECK(events(doc, "step", "xor").size() == 2);
  CHECK(events(doc, "epoch", "xor").size() == 2000);
}

TEST_CASE("the circles: 81 parameters, at least 95 % training accuracy, a consistent decision map", "[ch06]") {
  const json& doc = default_run().doc;
  const auto data = events(doc, "synthetic_data", "circles");
  REQUIRE(data.size() == 1);
  CHECK(data[0]["X"].size() == 100);
  const auto& labels = data[0]["labels"];
  CHECK(std::count(labels.begin(), labels.end(), 1) == 50);
  const json& result = doc["result"]["circles"];
  CHECK(result["parameters"] == 81);
  CHECK(result["accuracy"].get<double>() >= 0.95);
  const auto boundary = events(doc, "decision_boundary", "circles");
  REQUIRE(boundary.size() == 1);
  CHECK(boundary[0]["probabilities"].size() == boundary[0]["rows"].get<std::size_t>());
  CHECK(boundary[0]["probabilities"][0].size() == boundary[0]["cols"].get<std::size_t>());
  CHECK(boundary[0]["misclassified"].size() ==
        static_cast<std::size_t>(std::lround((1 - result["accuracy"].get<double>()) * 100)));
  // The map: outside (corners) class 0, the centre class 1.
  const auto& p = boundary[0]["probabilities"];
  CHECK(p[0][0].get<double>() < 0.5);
  CHECK(p[p.size() / 2][p[0].size() / 2].get<double>() > 0.5);
  const auto epochs = events(doc, "epoch", "circles");
  REQUIRE(epochs.size() == 100);
  CHECK(epochs.back()["steps"] == 1000);
  CHECK(epochs.back()["accuracy"] == result["accuracy"]);
  CHECK(events(doc, "forward", "circles").size() == 2 * 2 * 10);  // 2 stages × 2 epochs × 10 batches
}

TEST_CASE("the decision boundary's SVG: well-formed, the region, its contour and both classes", "[ch06]") {
  const auto svg = read_svg(default_run().svg);
  REQUIRE(svg.has_value());
  CHECK(count_of(*svg, "classes", "region") == 1);
  CHECK(count_of(*svg, "classes", "contour") == 1);
  CHECK(count_of(*svg, "classes", "points") == 2);
  CHECK(count_of(*svg, "elements", "circle") == 50 + 1);  // the outer class, and its legend marker
  CHECK(contains((*svg)["texts"], "class 0 (outer circle)"));
  CHECK(contains((*svg)["texts"], "class 1 (inner circle)"));
  CHECK_FALSE(fs::exists(fs::path(default_run().svg.string() + ".partial")));
  CHECK(fs::file_size(default_run().trace) < 3'000'000);
}

TEST_CASE("a plot that cannot be written fails the run and leaves no trace", "[ch06]") {
  const fs::path work = fs::path("chapter_test_output") / "ch06_backprop_shallow";
  fs::create_directories(work);
  const std::string stem = "blocked-" + std::to_string(::getpid());
  fs::create_directories(work / (stem + ".circles.svg"));  // a folder where the plot should go
  const auto r = run_chapter("ch06_backprop_shallow", "blocked", "--xor-epochs 10 --circles-epochs 2");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.stderr_text, Catch::Contains("blocked") && Catch::Contains("circles.svg"));
  CHECK_FALSE(r.trace_written);
  for (const auto& entry : fs::directory_iterator(work))  // the partial file is "<trace>.<pid>.<random>.partial"
    CHECK_FALSE(entry.path().filename().string().starts_with(r.trace.filename().string() + "."));
}

TEST_CASE("a trace that would pass --trace-max-size stops the run naming the limit, and leaves no trace", "[ch06]") {
  const fs::path work = fs::path("chapter_test_output") / "ch06_backprop_shallow";
  const auto r = run_chapter("ch06_backprop_shallow", "limited", "--trace-max-size 100K");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.stderr_text, Catch::Contains("the trace would pass its limit of 100 kB (100000 bytes) at level full") &&
                                Catch::Contains("--trace-level") && Catch::Contains("--trace-max-size"));
  CHECK_FALSE(r.trace_written);
  for (const auto& entry : fs::directory_iterator(work))  // the partial file is "<trace>.<pid>.<random>.partial"
    CHECK_FALSE(entry.path().filename().string().starts_with(r.trace.filename().string() + "."));
}

TEST_CASE("ch06: XOR's hidden space, the colour bar of the decision map and the learning curves", "[ch06]") {
  const fs::path stem = default_run().trace.parent_path() / default_run().trace.stem();
  // XOR in the hidden plane: four grey paths from before to after, the output unit's line, and four
  // groups of points (each class before and after); nothing under the legend.
  const auto hidden = read_svg(stem.string() + ".xor_hidden.svg");
  REQUIRE(hidden.has_value());
  CHECK(count_of(*hidden, "classes", "line") == 4 + 1);
  CHECK(count_of(*hidden, "classes", "points") == 4);
  CHECK(contains((*hidden)["texts"], "the output unit's line ŷ = 0.5"));
  CHECK(contains((*hidden)["texts"], "t = 1 (0,1), (1,0), after"));
  CHECK((*hidden)["legend_overlaps"] == 0);
  // The decision map: a colour bar, the samples, nothing under the legend.
  const auto circles = read_svg(default_run().svg);
  REQUIRE(circles.has_value());
  CHECK(count_of(*circles, "classes", "colorbar") == 1);
  CHECK(count_of(*circles, "classes", "contour-mark") == 1);
  CHECK((*circles)["legend_overlaps"] == 0);
  // The learning curves of both runs that train by epochs, loss and accuracy.
  const auto curves = read_svg(stem.string() + ".curves.svg");
  REQUIRE(curves.has_value());
  CHECK(count_of(*curves, "elements", "svg") == 2);
  CHECK(contains((*curves)["texts"], "ch06_backprop_shallow: loss per epoch (log scale)"));
  CHECK(contains((*curves)["texts"], "ch06_backprop_shallow: accuracy per epoch"));
  // Each run named in the legend of both panels.
  CHECK(std::count((*curves)["texts"].begin(), (*curves)["texts"].end(), "xor") == 2);
  CHECK(std::count((*curves)["texts"].begin(), (*curves)["texts"].end(), "circles") == 2);
  CHECK((*curves)["legend_overlaps"] == 0);
}
