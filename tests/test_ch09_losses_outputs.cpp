// Chapter 09: the program's claims, checked on its own trace: outliers lift the MSE fit by about
// their share × their size and the robust losses much less; BCE on logits is exact where BCE on σ(z)
// is clamped; the sigmoid inside or outside the loss trains the same network; sparse and one-hot
// labels agree bit for bit; multilabel outputs cover every label combination; the hinge stops
// pushing beyond its margin. And a missing data file is a usage error that writes nothing.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "chapter_run.hpp"

using nlohmann::json;

namespace {

const json& trace() {
  return glassbox::testing::trace_of("ch09_losses_outputs", "--seed 7 --data " + glassbox::testing::iris_path());
}

std::vector<json> events(const json& doc, const std::string& kind) {
  std::vector<json> out;
  for (const auto& e : doc["events"])
    if (e["event"] == kind) out.push_back(e);
  return out;
}

std::string loss_name(const json& e) {
  const std::string f = e["loss_function"];
  return f.substr(0, f.find('('));
}

}  // namespace

TEST_CASE("ch09: outliers lift the MSE fit by about their share × size, MAE and Huber much less", "[ch09]") {
  std::map<std::string, json> fits;
  for (const json& e : events(trace(), "regression_fit")) fits[loss_name(e)] = e;
  REQUIRE(fits.size() == 4);
  const double share = fits["mse"]["outliers"].get<double>() / 200.0;
  REQUIRE(share > 0);
  // outliers are pushed up by U(2, 4), 3 on average
  CHECK(fits["mse"]["mean_offset"].get<double>() == Approx(3 * share).epsilon(0.3));
  for (const char* robust : {"mae", "huber", "pseudo_huber"}) {
    INFO(robust);
    CHECK(std::abs(fits[robust]["mean_offset"].get<double>()) < 0.5 * fits["mse"]["mean_offset"].get<double>());
    CHECK(fits[robust]["rmse_clean"].get<double>() < 0.75 * fits["mse"]["rmse_clean"].get<double>());
  }
}

TEST_CASE("ch09: BCE on logits is exact where BCE on the rounded sigmoid can only report its clamp", "[ch09]") {
  const auto rows = events(trace(), "logit_stability");
  REQUIRE(rows.size() == 1);
  const json& r = rows[0];
  REQUIRE(r["target"] == 0);
  for (std::size_t i = 0; i < r["z"].size(); ++i) {
    const double z = r["z"][i], p = r["sigmoid"][i];
    const double exact = std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));  // ln(1 + e^z)
    INFO("z = " << z);
    CHECK(r["bce_with_logits"][i].get<double>() == Approx(exact).epsilon(1e-14));
    if (p == 1.0)
      CHECK(r["bce_on_sigmoid"][i] == 100.0);  // ln(1 − 1) clamped at −100
    else
      CHECK(r["bce_on_sigmoid"][i].get<double>() == Approx(exact).epsilon(1e-6));
  }
  CHECK(r["z"].back().get<double>() >= 1000);
}

TEST_CASE("ch09: losses that must agree do: sigmoid inside or outside the loss, sparse or one-hot labels", "[ch09]") {
  const auto rows = events(trace(), "loss_equivalence");
  REQUIRE(rows.size() == 2);
  for (const json& r : rows) {
    INFO(r.dump());
    if (r["loss_b"] == "sparse_softmax_cross_entropy(mean)") {
      // the same arithmetic in the same order: identical to the last bit, before and after training
      CHECK(r["value_a"] == r["value_b"]);
      CHECK(r["max_gradient_difference"] == 0.0);
      CHECK(r["max_weight_difference_after_training"] == 0.0);
    } else {
      CHECK(r["loss_a"] == "bce_with_logits(mean)");
      CHECK(r["value_a"].get<double>() == Approx(r["value_b"].get<double>()).epsilon(1e-13));
      CHECK(r["max_gradient_difference"].get<double>() < 1e-13);
      CHECK(r["max_weight_difference_after_training"].get<double>() < 1e-9);
    }
  }
}

TEST_CASE("ch09: the classifiers learn, multilabel covers every combination, the hinge stops beyond its margin",
          "[ch09]") {
  std::map<std::string, json> results;
  for (const json& e : events(trace(), "classifier_result")) results[e["task"]] = e;
  REQUIRE(results.size() == 4);
  CHECK(results["binary"]["train_accuracy"].get<double>() > 0.8);
  CHECK(results["multiclass"]["test_accuracy"].get<double>() > 0.9);

  const json& multilabel = results["multilabel"];
  REQUIRE(multilabel["combinations"].size() == 4);
  for (const auto& [combination, counts] : multilabel["combinations"].items()) {
    INFO(combination);
    CHECK(counts["true"].get<int>() > 0);
  }
  CHECK(multilabel["label_accuracy"]["spam"].get<double>() > 0.9);
  CHECK(multilabel["label_accuracy"]["urgent"].get<double>() > 0.9);

  // a sample's hinge gradient is 0 exactly when it is beyond the margin; logistic loss never is 0
  const json& hinge = results["hinge"];
  CHECK(hinge["beyond_margin"].get<double>() + hinge["pushing"].get<double>() == Approx(1.0));
  CHECK(hinge["beyond_margin"].get<double>() > 0.5);
  CHECK(hinge["logistic_pushing"] == 1.0);

  // the iris confusion matrix agrees with the reported test accuracy
  const auto confusion = events(trace(), "confusion_matrix");
  REQUIRE(confusion.size() == 1);
  const auto counts = confusion[0]["counts"].get<std::vector<std::vector<int>>>();
  int right = 0, total = 0;
  for (std::size_t i = 0; i < counts.size(); ++i)
    for (std::size_t j = 0; j < counts.size(); ++j) {
      total += counts[i][j];
      if (i == j) right += counts[i][j];
    }
  CHECK(double(right) / total == Approx(results["multiclass"]["test_accuracy"].get<double>()));
}

TEST_CASE("ch09: every training run is announced and followed by its epochs", "[ch09]") {
  std::vector<std::pair<json, std::size_t>> runs;  // output_run and the epoch events after it
  std::size_t out_of_order = 0;
  for (const json& e : trace()["events"]) {
    if (e["event"] == "output_run") runs.push_back({e, 0});
    if (e["event"] == "epoch") {
      REQUIRE_FALSE(runs.empty());
      ++runs.back().second;
      out_of_order += e["epoch"].get<std::size_t>() != runs.back().second;
    }
  }
  CHECK(out_of_order == 0);
  REQUIRE(runs.size() == 11);  // 4 regressions, 2 binary, multilabel, 2 iris, 2 hinge
  for (const auto& [run, epochs] : runs) {
    INFO(run.dump());
    CHECK(epochs == run["epochs"].get<std::size_t>());
  }
}

TEST_CASE("ch09: a missing iris file is an input error naming the path, and no trace is written", "[ch09]") {
  const auto run = glassbox::testing::run_chapter("ch09_losses_outputs", "missing", "--data no/such/iris.csv");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.stderr_text, Catch::Contains("no/such/iris.csv"));
  CHECK_FALSE(run.trace_written);
}
