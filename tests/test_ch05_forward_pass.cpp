// Chapter 05: the program's claims, checked on its own trace and plot (default seed). The forward
// pass's numbers are recomputed from the trace; the collapsed layer is recomputed from its parts.
#include <catch2/catch.hpp>

#include <cmath>

#include "chapter_run.hpp"
#include "glassbox/core/matrix.hpp"
#include "glassbox/io/trace.hpp"
#include "svg_check.hpp"
#include "trace_events.hpp"

using namespace glassbox;
using glassbox::testing::events;
using glassbox::testing::run_chapter;
using nlohmann::json;

namespace {

struct Run {
  json doc;
  std::filesystem::path trace, svg;
};

const Run& default_run() {
  static const Run run = [] {
    const auto r = run_chapter("ch05_forward_pass", "default", "");
    REQUIRE(r.exit_code == 0);
    std::filesystem::path svg = r.trace;
    svg.replace_extension(".sine.svg");
    return Run{r.document(), r.trace, svg};
  }();
  return run;
}

// Parts 1 and 2 come before any training and draw the same random numbers whatever --epochs is.
const json& quick_run() {
  static const json doc = [] {
    const auto r = run_chapter("ch05_forward_pass", "quick", "--epochs 1");
    REQUIRE(r.exit_code == 0);
    return r.document();
  }();
  return doc;
}

Matrix matrix(const json& j) { return matrix_from_json(Json::parse(j.dump())); }

}  // namespace

TEST_CASE("the forward pass's trace: z = input·Wᵀ + b per stage, a = g(z), each stage feeding the next", "[ch05]") {
  const auto forward = events(quick_run(), "forward", "forward_pass");
  REQUIRE(forward.size() == 2);
  CHECK(forward[0]["stage"] == "Dense(3→4, relu)");
  CHECK(forward[1]["stage"] == "Dense(4→2, sigmoid)");
  const Matrix z1 = matrix(forward[0]["z"]), a1 = matrix(forward[0]["a"]);
  const Matrix z2 = matrix(forward[1]["z"]), a2 = matrix(forward[1]["a"]);
  CHECK(matrix(forward[0]["input"]) == Matrix{{0.5, -1.0, 2.0}, {1.5, 0.0, -0.5}});
  CHECK(z1.rows() == 2);
  CHECK(z1.cols() == 4);
  CHECK(a1 == z1.apply([](Scalar z) { return z > 0 ? z : Scalar{0}; }));
  CHECK(matrix(forward[1]["input"]) == a1);
  CHECK(approx_equal(a2, z2.apply([](Scalar z) { return 1 / (1 + std::exp(-z)); }), 1e-15));
  CHECK(matrix(quick_run()["result"]["forward_pass"]["output"]) == a2);
}

TEST_CASE("the forward pass's trace holds W and b: z = input·Wᵀ + b recomputed from the trace alone", "[ch05]") {
  const auto parameters = events(quick_run(), "parameters", "forward_pass");
  REQUIRE(parameters.size() == 1);
  const json& values = parameters[0]["values"];
  REQUIRE(values.size() == 4);
  const auto forward = events(quick_run(), "forward", "forward_pass");
  REQUIRE(forward.size() == 2);
  for (std::size_t s = 0; s < 2; ++s) {
    const std::string layer = "layers[" + std::to_string(2 * s) + "]";
    INFO(layer);
    const Matrix W = matrix(values[layer + ".W"]), b = matrix(values[layer + ".b"]);
    const Matrix z = add_row_vector(matmul_abt(matrix(forward[s]["input"]), W), b);
    CHECK(z == matrix(forward[s]["z"]));  // the same operations in the same order: the same bits
  }
}

TEST_CASE("two linear layers equal one: W = W2·W1, b = W2·b1 + b2, the same outputs", "[ch05]") {
  const auto e = events(quick_run(), "linear_collapse");
  REQUIRE(e.size() == 1);
  const Matrix W1 = matrix(e[0]["W1"]), b1 = matrix(e[0]["b1"]), W2 = matrix(e[0]["W2"]), b2 = matrix(e[0]["b2"]);
  CHECK(approx_equal(matrix(e[0]["W"]), matmul(W2, W1), 1e-15));
  CHECK(approx_equal(matrix(e[0]["b"]), add_row_vector(matmul_abt(b1, W2), b2), 1e-15));
  const Matrix X = matrix(e[0]["X"]);
  const Matrix stacked = add_row_vector(matmul_abt(add_row_vector(matmul_abt(X, W1), b1), W2), b2);
  CHECK(approx_equal(matrix(e[0]["two_layers"]), stacked, 1e-15));
  CHECK(max_abs_diff(matrix(e[0]["one_layer"]), stacked) < 1e-12);
  CHECK(e[0]["max_abs_difference"].get<double>() < 1e-12);
  CHECK(e[0]["superposition_error_linear"].get<double>() < 1e-12);
  CHECK(e[0]["superposition_error_tanh"].get<double>() > 1e-3);
}

TEST_CASE("one hidden layer fits sin(x): the error falls substantially from 1 to 16 units", "[ch05]") {
  const auto fits = events(default_run().doc, "approximation");
  REQUIRE(fits.size() == 5);
  std::vector<double> mse;
  for (const auto& f : fits) {
    mse.push_back(f["mse"].get<double>());
    // The reported MSE is the mean of (ŷ − sin x)² over the reported points.
    const auto& x = f["x"];
    const auto& y = f["prediction"];
    REQUIRE(x.size() == 64);
    double sum = 0;
    for (std::size_t k = 0; k < x.size(); ++k) sum += std::pow(y[k].get<double>() - std::sin(x[k].get<double>()), 2);
    CHECK(sum / 64 == Approx(f["mse"].get<double>()).epsilon(1e-9));
  }
  CHECK(fits[0]["hidden_units"] == 1);
  CHECK(fits[4]["hidden_units"] == 16);
  CHECK(fits[4]["parameters"] == 49);
  CHECK(mse[0] > 0.05);            // one tanh step cannot follow a sine
  CHECK(mse[2] < mse[0] / 10);     // four units can
  CHECK(mse[4] < mse[0] / 100);    // sixteen, far below one
  // Each width's training is on the record, epoch by epoch.
  CHECK(events(default_run().doc, "epoch", "sine, 16 units").size() == 2000);
  CHECK(events(default_run().doc, "epoch", "sine, 1 unit").back()["loss"] == fits[0]["mse"]);
}

TEST_CASE("the fits are plotted next to the trace: sin(x) and one line per width", "[ch05]") {
  const auto svg = glassbox::testing::read_svg(default_run().svg);
  REQUIRE(svg.has_value());
  CHECK(glassbox::testing::count_of(*svg, "classes", "line") == 6);
  for (const char* name : {"sin(x)", "h = 1", "h = 2", "h = 4", "h = 8", "h = 16"}) {
    CAPTURE(name);
    bool found = false;
    for (const auto& t : (*svg)["titles"]) found = found || t == name;
    CHECK(found);
  }
}

TEST_CASE("the trace stays modest, and with --trace-level off no plot is written either", "[ch05]") {
  CHECK(std::filesystem::file_size(default_run().trace) < 3'000'000);
  const auto off = run_chapter("ch05_forward_pass", "off", "--trace-level off --epochs 10");
  CHECK(off.exit_code == 0);
  CHECK_FALSE(off.trace_written);
  std::filesystem::path svg = off.trace;
  svg.replace_extension(".sine.svg");
  CHECK_FALSE(std::filesystem::exists(svg));
}

TEST_CASE("with --trace /dev/null no plot is written into /dev, and the program says so", "[ch05]") {
  namespace fs = std::filesystem;
  if (!fs::is_character_file("/dev/null")) return;  // not on this system
  const fs::path folder = fs::path("chapter_test_output/ch05_forward_pass") / ("devnull-" + std::to_string(::getpid()));
  const std::string printed_file = fs::absolute(folder).string() + ".stdout";
  const auto run = glassbox::testing::run_in_fresh_folder("ch05_forward_pass", folder,
                                                          "--epochs 1 --trace /dev/null > '" + printed_file + "'");
  INFO(run.stderr_text);
  CHECK(run.exit_code == 0);
  CHECK(fs::is_character_file(fs::symlink_status("/dev/null")));
  for (const auto& entry : fs::directory_iterator("/dev"))
    CHECK_FALSE(entry.path().filename().string().starts_with("null."));
  CHECK(glassbox::testing::left_in(folder).empty());
  std::ifstream printed(printed_file);
  const std::string text{std::istreambuf_iterator<char>(printed), std::istreambuf_iterator<char>()};
  CHECK_THAT(text, Catch::Contains("plots: none, since the trace goes to /dev/null, which is not a file"));
}
