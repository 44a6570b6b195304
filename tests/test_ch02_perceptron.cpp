// Chapter 02: the program's claims, checked on its own trace (run with --seed 7). Epoch counts
// are pinned for that seed; everything else is recomputed here from the data.
#include <catch2/catch.hpp>

#include <cmath>

#include "chapter_run.hpp"
#include "glassbox/data/dataset.hpp"

using namespace glassbox;
using glassbox::testing::run_chapter;
using nlohmann::json;

namespace {

const json& seed7() { return glassbox::testing::trace_of("ch02_perceptron", "--seed 7 --data " + glassbox::testing::iris_path()); }

std::vector<json> events(const json& doc, const std::string& kind, const std::string& task) {
  std::vector<json> out;
  for (const auto& e : doc["events"])
    if (e["event"] == kind && e["task"] == task) out.push_back(e);
  return out;
}

double heaviside(double z) { return z >= 0 ? 1 : 0; }

}  // namespace

TEST_CASE("ch02: AND, OR and NAND are learned in the pinned number of epochs for seed 7", "[ch02]") {
  const json& doc = seed7();
  const json& gates = doc["result"]["gates"];
  CHECK(gates["AND"]["epochs"] == 8);
  CHECK(gates["OR"]["epochs"] == 4);
  CHECK(gates["NAND"]["epochs"] == 6);
  const std::vector<std::pair<std::string, std::vector<double>>> truth{
      {"AND", {0, 0, 0, 1}}, {"OR", {0, 1, 1, 1}}, {"NAND", {1, 1, 1, 0}}};
  for (const auto& [name, t] : truth) {
    INFO(name);
    const json& g = gates[name];
    CHECK(g["outcome"] == "converged");
    // The learned w computes the gate: recomputed here for the four inputs.
    const auto w = g["w"].get<std::vector<double>>();
    const double inputs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    for (int i = 0; i < 4; ++i) CHECK(heaviside(w[0] + w[1] * inputs[i][0] + w[2] * inputs[i][1]) == t[i]);
    // The last epoch made no mistake; the one before did.
    const auto training = events(doc, "tlu_training", name);
    REQUIRE(training.size() == 1);
    const auto per_epoch = training[0]["mistakes_per_epoch"].get<std::vector<int>>();
    REQUIRE(per_epoch.size() == g["epochs"].get<std::size_t>());
    CHECK(per_epoch.back() == 0);
    CHECK(per_epoch[per_epoch.size() - 2] > 0);
  }
}

TEST_CASE("ch02: every sample presented is traced and the updates chain", "[ch02]") {
  const json& doc = seed7();
  const auto steps = events(doc, "tlu_step", "iris setosa vs rest");
  const json& setosa = doc["result"]["setosa"];
  REQUIRE(steps.size() == 150 * setosa["epochs"].get<std::size_t>());
  std::vector<double> w(3, 0.0);
  for (const auto& s : steps) {
    const auto x = s["x"].get<std::vector<double>>();
    const double z = w[0] * x[0] + w[1] * x[1] + w[2] * x[2];
    CHECK(s["z"].get<double>() == Approx(z));
    CHECK(s["y"].get<double>() == heaviside(z));
    CHECK(s["error"].get<double>() == s["t"].get<double>() - s["y"].get<double>());
    for (int j = 0; j < 3; ++j) w[j] += s["error"].get<double>() * x[j];  // η = 1
    CHECK(s["w"].get<std::vector<double>>() == w);
  }
  CHECK(setosa["w"].get<std::vector<double>>() == w);
}

TEST_CASE("ch02: setosa is separated with zero training errors, within the mistake bound", "[ch02]") {
  const json& doc = seed7();
  const json& setosa = doc["result"]["setosa"];
  CHECK(setosa["outcome"] == "converged");
  CHECK(setosa["errors"] == 0);
  const Dataset iris = load_iris(glassbox::testing::iris_path());
  const auto w = setosa["w"].get<std::vector<double>>();
  const auto u = doc["result"]["mistake_bounds"]["iris setosa vs rest"]["u_max_margin"].get<std::vector<double>>();
  double R = 0, gamma = INFINITY;
  const double u_length = std::sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
  for (std::size_t i = 0; i < iris.size(); ++i) {
    const double length = iris.X(i, 2), width = iris.X(i, 3);
    const double t = iris.labels[i] == 0 ? 1 : 0, s = 2 * t - 1;
    CHECK(heaviside(w[0] + w[1] * length + w[2] * width) == t);  // zero training errors
    R = std::max(R, std::sqrt(1 + length * length + width * width));
    gamma = std::min(gamma, s * (u[0] + u[1] * length + u[2] * width) / u_length);
  }
  REQUIRE(gamma > 0);  // the reported direction does separate
  CHECK(setosa["mistakes"].get<double>() <= (R / gamma) * (R / gamma));
  // The separating line printed: width = −(w₀ + w₁·length)/w₂.
  CHECK(setosa["line"]["intercept"].get<double>() == Approx(-w[0] / w[2]));
  CHECK(setosa["line"]["slope"].get<double>() == Approx(-w[1] / w[2]));
  // The bound holds for the gates too.
  for (const auto& [task, b] : doc["result"]["mistake_bounds"].items()) {
    INFO(task);
    CHECK(b["mistakes"].get<double>() <= b["bound_max_margin"].get<double>());
  }
}

TEST_CASE("ch02: XOR's cycle is detected, not looped through", "[ch02]") {
  const json& doc = seed7();
  const json& x = doc["result"]["xor"];
  CHECK(x["outcome"] == "cycle");
  CHECK(x["separable"] == false);
  const auto start = x["cycle_start"].get<std::size_t>(), length = x["cycle_length"].get<std::size_t>();
  REQUIRE(length >= 1);
  CHECK(x["epochs"].get<std::size_t>() == start + length - 1);
  // The weights at the end of the last epoch equal those at the start of the cycle's first epoch
  // (the end of the epoch before it, or w = 0 if the cycle starts at epoch 1).
  const auto epochs = events(doc, "tlu_epoch", "XOR");
  REQUIRE(epochs.size() == x["epochs"].get<std::size_t>());
  const auto at_start = start == 1 ? std::vector<double>(3, 0.0) : epochs[start - 2]["w"].get<std::vector<double>>();
  CHECK(epochs.back()["w"].get<std::vector<double>>() == at_start);
  CHECK(x["w"].get<std::vector<double>>() == at_start);
}

TEST_CASE("ch02: Hebb's rule fails where the perceptron rule succeeds", "[ch02]") {
  const json& hebb = seed7()["result"]["hebb"];
  CHECK(hebb["AND, 0/1 coding"]["hebb"]["errors"] == 3);
  CHECK(hebb["AND, 0/1 coding"]["perceptron"]["errors"] == 0);
  CHECK(hebb["AND, ±1 coding"]["hebb"]["errors"] == 0);
  CHECK(hebb["AND of 4 inputs, ±1 coding"]["hebb"]["errors"].get<int>() > 0);
  CHECK(hebb["AND of 4 inputs, ±1 coding"]["perceptron"]["errors"] == 0);
}

TEST_CASE("ch02: a bad data file exits 2 naming file:line:column and writes no trace", "[ch02]") {
  using glassbox::testing::csv_fixture;
  const std::vector<std::pair<std::string, std::string>> cases{
      {"non_numeric.csv", "non_numeric.csv:3:9: petal_length_cm: expected a number"},
      {"missing_column.csv", "missing_column.csv:3:19: expected 5 fields"},
      {"extra_column.csv", "extra_column.csv:3:24: expected 5 fields"},
      {"unknown_label.csv", "unknown_label.csv:3:17: species: unknown label"},
      {"empty.csv", "empty.csv: the file is empty"},
      {"no_such_file.csv", "no_such_file.csv: cannot open the file"},
  };
  for (const auto& [file, message] : cases) {
    INFO(file);
    const auto run = run_chapter("ch02_perceptron", "bad", "--data " + csv_fixture(file));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.stderr_text, Catch::Contains(message));
    CHECK_FALSE(run.trace_written);
  }
}

TEST_CASE("ch02: a refused run leaves nothing in its working folder, not even traces/", "[ch02]") {
  using glassbox::testing::left_in;
  using glassbox::testing::run_in_fresh_folder;
  const std::vector<std::string> refused{
      "--seed abc",                                                          // the command line
      "--data no_such_file.csv",                                             // an input, read after the trace opened
      "--data " + glassbox::testing::csv_fixture("non_numeric.csv"),
  };
  for (const auto& arguments : refused) {
    INFO(arguments);
    const auto folder = std::filesystem::path("chapter_test_output/ch02_perceptron") /
                        ("fresh-refused-" + std::to_string(::getpid()));
    const auto run = run_in_fresh_folder("ch02_perceptron", folder, "--quiet " + arguments);
    CHECK(run.exit_code == 2);
    CHECK(left_in(folder).empty());
  }
}

TEST_CASE("ch02: a --data path that is not UTF-8 is refused naming the option, and leaves nothing", "[ch02]") {
  const auto folder = std::filesystem::path("chapter_test_output/ch02_perceptron") /
                      ("fresh-utf8-" + std::to_string(::getpid()));
  const auto run = glassbox::testing::run_in_fresh_folder("ch02_perceptron", folder, "--quiet --data 'iris\xff.csv'");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.stderr_text, Catch::Contains("--data: the value is not valid UTF-8 (byte 5 is 0xFF)"));
  CHECK(glassbox::testing::left_in(folder).empty());
}

TEST_CASE("ch02: --trace-level step records every sample presented, as --help says", "[ch02]") {
  const json& doc = glassbox::testing::trace_of("ch02_perceptron",
                                                "--trace-level step --data " + glassbox::testing::iris_path());
  CHECK(doc["trace_level"] == "step");
  const auto steps = events(doc, "tlu_step", "AND");
  REQUIRE_FALSE(steps.empty());
  CHECK(steps.size() % 4 == 0);  // whole epochs of the four inputs
}

TEST_CASE("ch02: with η = 0.1 the learned AND has margin 0, not a round-off margin with a bound of 1e32",
          "[ch02]") {
  const json& doc = glassbox::testing::trace_of("ch02_perceptron", "--learning-rate 0.1 --trace-level summary --data " +
                                                                        glassbox::testing::iris_path());
  const json& bounds = doc["result"]["mistake_bounds"];
  for (const char* gate : {"AND", "OR", "NAND"}) {
    INFO(gate);
    CHECK(bounds[gate]["gamma_learned"].get<double>() == 0);
    CHECK(bounds[gate]["bound_learned"].is_null());
  }
}
