// Chapter 03: the program's claims, checked on its own trace (run with --seed 7): setosa's unit
// converges, versicolor's does not and keeps a pocket, and the reported accuracy and confusion
// matrix are recomputed here from the pocket weights and the raw data.
#include <catch2/catch.hpp>

#include <cmath>

#include "chapter_run.hpp"
#include "glassbox/data/dataset.hpp"

using namespace glassbox;
using glassbox::testing::run_chapter;
using nlohmann::json;

namespace {

const json& seed7() { return glassbox::testing::trace_of("ch03_layer_of_tlus", "--seed 7 --data " + glassbox::testing::iris_path()); }

std::vector<json> events(const json& doc, const std::string& kind) {
  std::vector<json> out;
  for (const auto& e : doc["events"])
    if (e["event"] == kind) out.push_back(e);
  return out;
}

}  // namespace

TEST_CASE("ch03: setosa's unit converges, versicolor's never does and keeps a pocket", "[ch03]") {
  const auto units = events(seed7(), "tlu_unit");
  REQUIRE(units.size() == 3);
  CHECK(units[0]["class"] == "setosa");
  CHECK(units[0]["outcome"] == "converged");
  CHECK(units[0]["pocket_errors"] == 0);
  CHECK(units[0]["errors_last"] == 0);
  CHECK(units[1]["class"] == "versicolor");
  CHECK(units[1]["outcome"] != "converged");
  CHECK(units[1]["pocket_errors"].get<int>() > 0);
  for (const auto& u : units) {
    INFO(u["class"]);
    CHECK(u["pocket_errors"].get<int>() <= u["errors_last"].get<int>());  // the pocket is never worse
  }
  // Per-class convergence, epoch by epoch: setosa stops learning in the epoch after its first
  // clean one; versicolor learns to the end.
  const auto epochs = events(seed7(), "tlu_layer_epoch");
  const auto setosa_epochs = units[0]["epochs"].get<std::size_t>();
  REQUIRE(epochs.size() >= setosa_epochs);
  CHECK(epochs[setosa_epochs - 1]["mistakes"][0] == 0);
  CHECK(epochs[setosa_epochs - 1]["active"][0] == false);
  CHECK(epochs.back()["active"][1] == false);
  CHECK(epochs.size() == units[1]["epochs"].get<std::size_t>());
}

TEST_CASE("ch03: every update is ΔW = η·eᵀ·x, Δb = η·e, and only wrong units change", "[ch03]") {
  const auto steps = events(seed7(), "tlu_layer_step");
  REQUIRE_FALSE(steps.empty());
  for (const auto& s : steps) {
    const auto x = s["x"].get<std::vector<double>>();
    const auto e = s["error"].get<std::vector<double>>();
    const auto dW = s["dW"].get<std::vector<std::vector<double>>>();
    for (std::size_t j = 0; j < e.size(); ++j) {
      CHECK(s["db"][j].get<double>() == e[j]);  // η = 1
      for (std::size_t k = 0; k < x.size(); ++k) CHECK(dW[j][k] == e[j] * x[k]);
    }
    CHECK(s["updated"] == true);  // at level step only updates are recorded
  }
}

TEST_CASE("ch03: accuracy and the confusion matrix, recomputed from the pocket weights", "[ch03]") {
  const json& doc = seed7();
  const Dataset iris = load_iris(glassbox::testing::iris_path());
  const auto split = events(doc, "data_split").at(0);
  const auto units = events(doc, "tlu_unit");
  const auto mean = split["mean"].get<std::vector<double>>();
  const auto scale = split["scale"].get<std::vector<double>>();
  // The standardisation was fitted on the training flowers: recompute μ and σ from them.
  const auto train = split["train"].get<std::vector<std::size_t>>();
  CHECK(train.size() == 105);
  for (std::size_t c = 0; c < 4; ++c) {
    double m = 0, v = 0;
    for (std::size_t i : train) m += iris.X(i, c);
    m /= static_cast<double>(train.size());
    for (std::size_t i : train) v += (iris.X(i, c) - m) * (iris.X(i, c) - m);
    CHECK(mean[c] == Approx(m).epsilon(1e-12));
    CHECK(scale[c] == Approx(std::sqrt(v / static_cast<double>(train.size()))).epsilon(1e-12));
  }
  std::vector<std::vector<std::size_t>> counts(3, std::vector<std::size_t>(3, 0));
  const auto test = split["test"].get<std::vector<std::size_t>>();
  CHECK(test.size() == 45);
  for (std::size_t i : test) {
    std::size_t best = 0;
    double best_z = -INFINITY;
    for (std::size_t j = 0; j < 3; ++j) {
      const auto w = units[j]["w_pocket"].get<std::vector<double>>();
      double z = units[j]["b_pocket"].get<double>();
      for (std::size_t c = 0; c < 4; ++c) z += w[c] * (iris.X(i, c) - mean[c]) / scale[c];
      if (z > best_z) best_z = z, best = j;
    }
    ++counts[iris.labels[i]][best];
  }
  const auto confusion = events(doc, "confusion_matrix");
  const json& on_test = confusion.at(1);
  REQUIRE(on_test["split"] == "test");
  CHECK(on_test["counts"].get<std::vector<std::vector<std::size_t>>>() == counts);
  const double correct = static_cast<double>(counts[0][0] + counts[1][1] + counts[2][2]);
  CHECK(on_test["accuracy"].get<double>() == Approx(correct / 45.0));
  CHECK(doc["result"]["test_accuracy"].get<double>() == Approx(correct / 45.0));
  // Setosa's unit converged: on every training flower it fires exactly for setosa.
  const auto w = units[0]["w_pocket"].get<std::vector<double>>();
  for (std::size_t i : train) {
    double z = units[0]["b_pocket"].get<double>();
    for (std::size_t c = 0; c < 4; ++c) z += w[c] * (iris.X(i, c) - mean[c]) / scale[c];
    CHECK((z >= 0) == (iris.labels[i] == 0));
  }
}
